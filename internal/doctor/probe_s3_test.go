package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openfront-edge/openfront/internal/cause"
)

// s3Emulator answers as CloudFront in front of the testdata distribution
// (www.example.com) and as the S3 buckets behind it. Through CloudFront
// every path is refused with S3's XML; asked directly, each bucket shows
// one of the refusals the doctor's follow-up probes separate.
func s3Emulator(t *testing.T) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		signed := strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKIDPROBE/")
		answer := func(status int, code, msg string) {
			w.Header().Set("Server", "AmazonS3")
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(status)
			fmt.Fprint(w, s3XML(code, msg))
		}
		switch r.Host {
		case "www.example.com":
			w.Header().Set("X-Cache", "Error from cloudfront")
			answer(403, "AccessDenied", "Access Denied")
		case "assets-bucket.s3.us-east-1.amazonaws.com": // OAC origin: Requester Pays on
			if signed && r.Header.Get("X-Amz-Request-Payer") == "requester" {
				w.Header().Set("X-Amz-Request-Charged", "requester")
				fmt.Fprint(w, "the object")
				return
			}
			answer(403, "AccessDenied", "Access Denied")
		case "public-bucket.s3.amazonaws.com": // no OAC: public, one key denied by name
			if strings.Contains(r.URL.Path, "openfront-doctor-no-such-key-") {
				answer(404, "NoSuchKey", "The specified key does not exist.")
				return
			}
			answer(403, "AccessDenied", "Access Denied")
		case "fwd-bucket.s3.us-west-2.amazonaws.com": // OAC origin behind a Host-forwarding behavior
			if signed {
				fmt.Fprint(w, "the object")
				return
			}
			answer(403, "AccessDenied", "Access Denied")
		default:
			t.Errorf("unexpected request for Host %s", r.Host)
			w.WriteHeader(500)
		}
	})
}

func TestProbeS3Origin(t *testing.T) {
	srv := httptest.NewServer(s3Emulator(t))
	defer srv.Close()
	base, _ := url.Parse(srv.URL)
	creds := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIDPROBE", SecretAccessKey: "probe-secret-key-do-not-print"}, nil
	})
	tests := []struct {
		name, path string
		sign       bool
		want       want
		candidate  string // the first candidate, "" for none
	}{
		{"requester pays, signed probes", "/report.pdf", true, want{cause.S3Origin, cause.DetailRequesterPays, Certain}, ""},
		{"requester pays cannot show without signing", "/report.pdf", false, want{cause.S3Origin, "", Likely}, cause.DetailOriginAccessNotInBucketPolicy},
		{"a key refused by name", "/public/denied.txt", false, want{cause.S3Origin, cause.DetailBucketPolicyDeny, Likely}, cause.DetailNoOriginAccess},
		{"Host forwarded: the origin serves its own Host", "/fwd/a.txt", true, want{cause.S3Origin, cause.DetailHostHeaderForwarded, Certain}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := ProbeOptions{URL: "https://www.example.com" + tc.path, Model: testModel(t), Transport: schemeTransport{base}}
			if tc.sign {
				o.OriginCredentials = creds
			}
			rep, err := ProbeURL(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Finding == nil {
				t.Fatalf("no finding; answer %+v", rep.Response)
			}
			f := rep.Finding
			if got := (want{cause.Cause(f.Cause), f.Detail, Confidence(f.Confidence)}); got != tc.want {
				t.Errorf("got %v, want %v (evidence %q, probes %+v)", got, tc.want, f.Evidence, rep.Probes)
			}
			first := ""
			if len(f.Candidates) > 0 {
				first = f.Candidates[0]
			}
			if first != tc.candidate {
				t.Errorf("first candidate: got %q (%q), want %q", first, f.Candidates, tc.candidate)
			}
			signed := false
			for _, p := range rep.Probes {
				signed = signed || p.Signed
			}
			if signed != tc.sign {
				t.Errorf("signed probes: got %v, want %v (%+v)", signed, tc.sign, rep.Probes)
			}
			var out bytes.Buffer
			json.NewEncoder(&out).Encode(rep)
			rep.WriteText(&out, Style{})
			if s := out.String(); strings.Contains(s, "probe-secret-key") || strings.Contains(s, "AKIDPROBE") {
				t.Errorf("the report shows the credentials:\n%s", s)
			}
		})
	}
}

// TestReranked: which S3 refusals the end of a doctor logs run ranks with
// the distribution's statistics.
func TestReranked(t *testing.T) {
	oac := &Origin{Kind: OriginS3REST, S3Config: true, OAC: "E2OAC"}
	public := &Origin{Kind: OriginS3REST, S3Config: true, Sole: true}
	shared := &Origin{Kind: OriginS3REST, S3Config: true}
	served, none := &distStats{okMiss: 3}, &distStats{}
	tests := []struct {
		name   string
		detail string
		o      *Origin
		st     *distStats
		want   bool
	}{
		{"OAC, no detail", "", oac, none, true},
		{"OAC, a detail the config gave", cause.DetailHostHeaderForwarded, oac, served, false},
		{"no access, the only origin, objects served: a public bucket", cause.DetailNoOriginAccess, public, served, true},
		{"no access, nothing served", cause.DetailNoOriginAccess, public, none, false},
		{"no access, one origin of several: the statistics are not its own", cause.DetailNoOriginAccess, shared, served, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := reranked(cause.S3Origin, tc.detail, &Behavior{Origin: tc.o}, tc.st); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	if order := rankS3(public, served); order[0] != cause.DetailMissingObjectWithoutList || order[1] != cause.DetailNoOriginAccess {
		t.Errorf("public bucket ranking: got %q, want a missing key, then no origin access", order)
	}
}
