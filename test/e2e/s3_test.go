package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// s3Server is a running versitygw: an S3-compatible server with real SigV4
// checks and private buckets (spec dependencies.md §6).
type s3Server struct {
	Endpoint string // http://127.0.0.1:P
	// Website is versitygw's website endpoint (http://127.0.0.1:W) when
	// started with startS3Website: it takes the bucket from a Host
	// BUCKET.s3-website-us-east-1.amazonaws.com, as S3's website endpoints.
	Website string
	Creds   aws.Credentials
}

// findVersity looks for versitygw on PATH, then in GOBIN and GOPATH/bin,
// where `go install` (and .ci/run) puts it.
func findVersity() string {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output()
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	dirs := []string{lines[0]}
	if len(lines) > 1 {
		dirs = append(dirs, filepath.Join(lines[1], "bin"))
	}
	for _, d := range dirs {
		if p := filepath.Join(d, "versitygw"); d != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	return ""
}

// startS3 starts versitygw with a posix backend in a temp folder on a
// loopback port; it skips the test when versitygw is not installed.
func startS3(t *testing.T) *s3Server {
	t.Helper()
	return startS3With(t, false)
}

// s3WebsiteDomain is the website domain versitygw serves buckets under.
const s3WebsiteDomain = "s3-website-us-east-1.amazonaws.com"

// startS3Website is startS3 with versitygw's website endpoint as well.
func startS3Website(t *testing.T) *s3Server {
	t.Helper()
	return startS3With(t, true)
}

// startS3With starts versitygw, with its website endpoint when website is
// set, and extra global flags.
func startS3With(t *testing.T, website bool, extra ...string) *s3Server {
	t.Helper()
	bin := findVersity()
	if bin == "" {
		t.Skip("versitygw is not installed: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0 (.ci/run does)")
	}
	s := &s3Server{Creds: aws.Credentials{AccessKeyID: "OPENFRONTE2EKEY", SecretAccessKey: "openfront-e2e-secret-key-0123456789"}}
	dir := t.TempDir()
	for attempt := 0; ; attempt++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		// Real S3 keeps connections open; versitygw closes each one
		// unless told otherwise.
		args := append([]string{"--port", addr, "--keep-alive"}, extra...)
		waddr := ""
		if website {
			wl, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			waddr = wl.Addr().String()
			wl.Close()
			args = append(args, "--website", waddr, "--website-domain", s3WebsiteDomain)
		}
		out := newOutput()
		cmd := exec.Command(bin, append(args, "posix", dir)...)
		cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY_ID="+s.Creds.AccessKeyID, "ROOT_SECRET_ACCESS_KEY="+s.Creds.SecretAccessKey)
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		up := false
		deadline := time.Now().Add(15 * time.Second)
		for !up && time.Now().Before(deadline) {
			select {
			case <-exited:
				deadline = time.Now()
				continue
			default:
			}
			if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
				c.Close()
				up = true
				if waddr != "" {
					wc, err := net.DialTimeout("tcp", waddr, time.Second)
					up = err == nil
					if up {
						wc.Close()
					}
				}
				if up {
					break
				}
			}
			select {
			case <-out.changed:
			case <-exited:
			case <-time.After(20 * time.Millisecond):
			}
		}
		if up {
			t.Cleanup(func() { cmd.Process.Kill(); <-exited })
			s.Endpoint = "http://" + addr
			if waddr != "" {
				s.Website = "http://" + waddr
			}
			return s
		}
		cmd.Process.Kill()
		<-exited
		if attempt == 2 {
			t.Fatalf("versitygw did not start on %s:\n%s", addr, out)
		}
	}
}

// do sends a request to S3 signed with the server's root credentials.
func (s *s3Server) do(t *testing.T, method, path string, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, s.Endpoint+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), s.Creds, req, hash, "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// mustDo is do, failing the test unless S3 answers 2xx.
func (s *s3Server) mustDo(t *testing.T, method, path string, body []byte) {
	t.Helper()
	resp := s.do(t, method, path, body)
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s %s: got %s %s, want 2xx", method, path, resp.Status, b)
	}
}

// s3Objects are the keys put in the test bucket (escaped path → body):
// keys with a space, a plus, an encoded slash and non-ASCII characters must
// all be signed in S3's canonical form.
var s3Objects = map[string]string{
	"/private.txt":          "private object",
	"/with%20space.txt":     "space in the key",
	"/a%2Bb.txt":            "plus in the key",
	"/dir/slash.txt":        "slash in the key",
	"/caf%C3%A9/%C3%BC.txt": "unicode key",
	"/v1..2/..notes.txt":    "dots in the key",
}

// s3Origin is an S3 REST origin for bucket, optionally with an OAC.
func s3Origin(bucket, oacID string) obj {
	return obj{
		"Id": "s3", "DomainName": bucket + ".s3.us-east-1.amazonaws.com", "OriginPath": "",
		"CustomHeaders":      list[obj](),
		"S3OriginConfig":     obj{"OriginAccessIdentity": ""},
		"ConnectionAttempts": 3, "ConnectionTimeout": 10,
		"OriginAccessControlId": oacID,
	}
}

func oacDocument(id, behavior string) obj {
	return obj{"ETag": "E1OAC", "OriginAccessControl": obj{"Id": id, "OriginAccessControlConfig": obj{
		"Name": "oac-" + strings.ToLower(behavior), "Description": "e2e",
		"SigningProtocol": "sigv4", "SigningBehavior": behavior, "OriginAccessControlOriginType": "s3",
	}}}
}

// s3Docs are three distributions in front of one private bucket: with an
// OAC that always signs, with none, and with an OAC that never signs.
func s3Docs(bucket string) map[string]any {
	return map[string]any{
		"EOACALWAYS.json": configDoc(distConfig([]obj{s3Origin(bucket, "E1ALWAYS")}, behavior("", "s3"))),
		"ENOOAC.json":     configDoc(distConfig([]obj{s3Origin(bucket, "")}, behavior("", "s3"))),
		"EOACNEVER.json":  configDoc(distConfig([]obj{s3Origin(bucket, "E1NEVER")}, behavior("", "s3"))),
		"oac-always.json": oacDocument("E1ALWAYS", "always"),
		"oac-never.json":  oacDocument("E1NEVER", "never"),
	}
}

// startS3Edge starts the edge in front of s3 with the given credentials in
// its environment and no shared AWS files.
func startS3Edge(t *testing.T, s3 *s3Server, bucket, accessKey, secret string) *edge {
	t.Helper()
	useS3Credentials(t, accessKey, secret)
	return startEdge(t, s3Docs(bucket), "--s3-endpoint", s3.Endpoint)
}

// useS3Credentials gives the processes the test starts (the edge, the
// doctor: exec.Cmd with nil Env inherits) these AWS credentials in their
// environment, and no shared AWS files.
func useS3Credentials(t *testing.T, accessKey, secret string) {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", accessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func newS3Bucket(t *testing.T) (*s3Server, string) {
	t.Helper()
	s3 := startS3(t)
	const bucket = "site"
	s3.mustDo(t, http.MethodPut, "/"+bucket, nil)
	for key, body := range s3Objects {
		s3.mustDo(t, http.MethodPut, "/"+bucket+key, []byte(body))
	}
	return s3, bucket
}

func TestS3OriginAccessControl(t *testing.T) {
	s3, bucket := newS3Bucket(t)
	// The bucket is private: S3 itself refuses an unsigned GET.
	if resp, err := http.Get(s3.Endpoint + "/" + bucket + "/private.txt"); err != nil || resp.StatusCode != 403 {
		t.Fatalf("unsigned GET at S3: got %v %v, want 403", resp, err)
	}
	e := startS3Edge(t, s3, bucket, s3.Creds.AccessKeyID, s3.Creds.SecretAccessKey)

	t.Run("OAC always signs: 200 for every key form", func(t *testing.T) {
		for target, body := range map[string]string{
			"/private.txt":               s3Objects["/private.txt"],
			"/with%20space.txt":          s3Objects["/with%20space.txt"],
			"/a+b.txt":                   s3Objects["/a%2Bb.txt"],
			"/a%2Bb.txt":                 s3Objects["/a%2Bb.txt"],
			"/dir/slash.txt":             s3Objects["/dir/slash.txt"],
			"/dir%2Fslash.txt":           s3Objects["/dir/slash.txt"],
			"/caf%C3%A9/%C3%BC.txt":      s3Objects["/caf%C3%A9/%C3%BC.txt"],
			"/caf%c3%a9/%c3%bc.txt":      s3Objects["/caf%C3%A9/%C3%BC.txt"],
			"/v1..2/..notes.txt":         s3Objects["/v1..2/..notes.txt"],
			"/v1%2E%2E2/%2E%2Enotes.txt": s3Objects["/v1..2/..notes.txt"],
		} {
			r := e.do(t, request{Host: defaultDomain("EOACALWAYS"), Target: target})
			if r.Status != 200 || string(r.Body) != body {
				t.Errorf("GET %s: got %d %q, want 200 %q", target, r.Status, r.Body, body)
			}
			if r.Header.Get("X-Cache") != "Miss from cloudfront" {
				t.Errorf("GET %s: X-Cache %q, want Miss from cloudfront", target, r.Header.Get("X-Cache"))
			}
		}
	})

	t.Run("OAC always replaces a viewer's Authorization", func(t *testing.T) {
		r := e.do(t, request{Host: defaultDomain("EOACALWAYS"), Target: "/private.txt",
			Header: http.Header{"Authorization": {"AWS4-HMAC-SHA256 Credential=VIEWER/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"}}})
		if r.Status != 200 {
			t.Errorf("got %d %s, want 200", r.Status, r.Body)
		}
	})

	t.Run("without OAC S3's 403 passes through", func(t *testing.T) {
		r := e.do(t, request{Host: defaultDomain("ENOOAC"), Target: "/private.txt"})
		checkS3Error(t, r, "AccessDenied")
		l := e.waitLogID(t, "ENOOAC.*.gz", r.ID())
		checkLog(t, l, map[string]string{"sc-status": "403", "x-edge-result-type": "Error", "x-edge-detailed-result-type": "Error"})
	})

	t.Run("OAC never sends unsigned requests", func(t *testing.T) {
		r := e.do(t, request{Host: defaultDomain("EOACNEVER"), Target: "/private.txt"})
		checkS3Error(t, r, "AccessDenied")
	})

	t.Run("root without DefaultRootObject goes to the bucket", func(t *testing.T) {
		direct := s3.do(t, http.MethodGet, "/"+bucket+"/", nil)
		want, _ := io.ReadAll(direct.Body)
		r := e.do(t, request{Host: defaultDomain("EOACALWAYS"), Target: "/"})
		if r.Status != direct.StatusCode || !bytes.Contains(r.Body, []byte("ListBucketResult")) || !bytes.Contains(want, []byte("ListBucketResult")) {
			t.Errorf("GET /: got %d %s, want S3's own answer %d %s", r.Status, r.Body, direct.StatusCode, want)
		}
		r = e.do(t, request{Host: defaultDomain("ENOOAC"), Target: "/"})
		checkS3Error(t, r, "AccessDenied")
	})

	t.Run("credentials never reach the status or the logs", func(t *testing.T) {
		resp, err := http.Get("http://" + e.Admin + "/status")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if bytes.Contains(b, []byte(s3.Creds.SecretAccessKey)) || strings.Contains(e.stderr.String(), s3.Creds.SecretAccessKey) {
			t.Error("the secret key appears on /status or stderr")
		}
	})
}

func TestS3WrongCredentials(t *testing.T) {
	s3, bucket := newS3Bucket(t)
	e := startS3Edge(t, s3, bucket, s3.Creds.AccessKeyID, "not-the-secret-key")
	r := e.do(t, request{Host: defaultDomain("EOACALWAYS"), Target: "/private.txt"})
	checkS3Error(t, r, "SignatureDoesNotMatch")
}

// checkS3Error checks a 403 that S3 produced, passed through unchanged
// with CloudFront's headers added (spec §8.3).
func checkS3Error(t *testing.T, r *response, code string) {
	t.Helper()
	if r.Status != 403 {
		t.Errorf("got status %d, want 403", r.Status)
	}
	if !bytes.Contains(r.Body, []byte("<Code>"+code+"</Code>")) {
		t.Errorf("body %q, want S3's XML with <Code>%s</Code>", r.Body, code)
	}
	if s := r.Header.Get("Server"); s == "" || s == "CloudFront" {
		t.Errorf("Server %q, want S3's own", s)
	}
	if r.Header.Get("X-Amz-Request-Id") == "" {
		t.Errorf("x-amz-request-id missing: S3's headers must pass through (got %v)", r.Header)
	}
	for h, want := range map[string]string{"X-Cache": "Error from cloudfront", "X-Amz-Cf-Pop": "TST1-P1"} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s: got %q, want %q", h, got, want)
		}
	}
	if r.Header.Get("X-Amz-Cf-Id") == "" || !strings.Contains(r.Header.Get("Via"), "CloudFront") {
		t.Errorf("missing X-Amz-Cf-Id or Via: %v", r.Header)
	}
}
