package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// realDir is the real-world testdata of internal/resource (provenance in
// its README).
func realDir(name string) string {
	return filepath.Join("..", "..", "internal", "resource", "testdata", "real", name)
}

// realDocs reads a real-world testdata folder as startEdge's documents,
// byte for byte.
func realDocs(t *testing.T, name string) map[string]any {
	t.Helper()
	entries, err := os.ReadDir(realDir(name))
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]any{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(realDir(name), e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		docs[e.Name()] = b
	}
	return docs
}

// TestRealConfigValidate: validate on the documents users really have:
// what AWS accepts passes, what cannot run here is refused with the way
// out, and a skipped managed group is warned about.
func TestRealConfigValidate(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		wantCode int
		stdout   string // substring of the accepted summary
		stderr   []string
	}{
		{name: "get-distribution", args: []string{"--config", realDir("awscli-get-distribution")},
			stdout: "S11A16G5KZMEQD  enabled  d2wkuj2w9l34gt.cloudfront.net"},
		{name: "create-distribution output", args: []string{"--config", realDir("awscli-create-distribution")},
			stdout: "EMLARXS9EXAMPLE  enabled  d111111abcdef8.cloudfront.net"},
		{name: "yaml", args: []string{"--config", realDir("yaml-get-distribution")}, stdout: "S11A16G5KZMEQD"},
		{name: "list-distributions", args: []string{"--config", realDir("awscli-list-distributions")}, wantCode: 1,
			stderr: []string{"DistributionList: a list output is not read"}},
		{name: "web ACL missing", args: []string{"--config", realDir("update-distribution-webacl")}, wantCode: 1,
			stderr: []string{"--name CreatedByCloudFront-c3083e55 --id 71a999d8-8e14-47de-adc2-05865261bea3"}},
		{name: "unemulated managed group", args: []string{"--config", realDir("waf-createdbycloudfront")}, wantCode: 1,
			stderr: []string{"managed rule group AWS/AWSManagedRulesAmazonIpReputationList is not supported by this edge",
				"pass --waf-skip-managed-group AWSManagedRulesAmazonIpReputationList"}},
		{name: "unemulated managed group skipped", args: []string{"--config", realDir("waf-createdbycloudfront"),
			"--waf-skip-managed-group", "AWSManagedRulesAmazonIpReputationList"},
			stdout: "E7PY9GL1Z6YJ4  enabled", stderr: []string{`warning: `, `CreatedByCloudFront-cf37def6.json: WebACL.Rules[0]: rule "AWS-AWSManagedRulesAmazonIpReputationList" is not evaluated`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, append([]string{"validate"}, tc.args...)...)
			if code != tc.wantCode || !strings.Contains(stdout, tc.stdout) {
				t.Fatalf("got exit %d, stdout %q, stderr %q; want exit %d and %q", code, stdout, stderr, tc.wantCode, tc.stdout)
			}
			for _, w := range tc.stderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("got stderr %q, want %q", stderr, w)
				}
			}
		})
	}
}

// TestRealConfigServe serves real documents with their origins redirected
// to a local one: the CLI's get-distribution example (S3 REST origin, legacy
// ForwardedValues, on its cloudfront.net name), and a user's
// update-distribution output with the web ACL CloudFront's one-click
// protection creates, its IP reputation group skipped.
func TestRealConfigServe(t *testing.T) {
	t.Run("get-distribution example", func(t *testing.T) {
		o := newOrigin(t, "s3", nil)
		e := startEdge(t, realDocs(t, "awscli-get-distribution"), "--s3-endpoint", o.srv.URL)
		r := e.do(t, request{Host: "d2wkuj2w9l34gt.cloudfront.net", Target: "/images/a.png?v=2"})
		if r.Status != 200 || string(r.Body) != "s3 GET /my-bucket/images/a.png?v=2" {
			t.Fatalf("got %d %q, want 200 from the bucket, path-style, query forwarded (QueryString true)", r.Status, r.Body)
		}
	})
	t.Run("key group of the developer guide's public key", func(t *testing.T) {
		o := newOrigin(t, "s3", nil)
		e := startEdge(t, realDocs(t, "awsdocs-public-key"), "--s3-endpoint", o.srv.URL)
		r := e.do(t, request{Host: "d111111abcdef8.cloudfront.net", Target: "/"})
		if r.Status != 403 || !strings.Contains(string(r.Body), "<Code>MissingKey</Code>") || len(o.requests()) != 0 {
			t.Errorf("unsigned: got %d %q (%d origin requests), want 403 MissingKey and no origin request", r.Status, r.Body, len(o.requests()))
		}
	})
	t.Run("OAC with CORS response headers policy", func(t *testing.T) {
		useS3Credentials(t, "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
		o := newOrigin(t, "s3", nil)
		e := startEdge(t, realDocs(t, "agile3d-cors"), "--s3-endpoint", o.srv.URL)
		r := e.do(t, request{Proto: "https", Host: "eagile3dexample.cloudfront.localhost", Target: "/sequences/a/frame-001.bin",
			Header: map[string][]string{"Origin": {"https://agile3d-demo.vercel.app"}, "Range": {"bytes=0-99"}, "Cookie": {"s=1"}}})
		if r.Status != 200 || r.Header.Get("Access-Control-Allow-Origin") != "https://agile3d-demo.vercel.app" ||
			r.Header.Get("Access-Control-Expose-Headers") != "Accept-Ranges, Content-Length, Content-Range" {
			t.Errorf("got %d, CORS headers %q %q; want the policy's", r.Status, r.Header.Get("Access-Control-Allow-Origin"), r.Header.Get("Access-Control-Expose-Headers"))
		}
		if w := e.status(t).Warnings; len(w) != 0 {
			t.Errorf("got /status warnings %q, want none", w)
		}
		got := o.requests()
		if len(got) != 1 {
			t.Fatalf("got %d origin requests, want 1", len(got))
		}
		h := got[0].Header
		if got[0].Path != "/agile3d-demo-sequences-495599771100-us-east-1/sequences/a/frame-001.bin" ||
			!strings.HasPrefix(h.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/") ||
			h.Get("Range") != "bytes=0-99" || h.Get("Origin") != "https://agile3d-demo.vercel.app" || h.Get("Cookie") != "" {
			t.Errorf("origin got %s with %v; want the bucket's key, signed, Range and Origin forwarded, no cookie", got[0].Path, h)
		}
	})
	t.Run("CreatedByCloudFront web ACL", func(t *testing.T) {
		o := newOrigin(t, "website", nil)
		e := startEdge(t, realDocs(t, "waf-createdbycloudfront"), "--s3-website-endpoint", o.srv.URL,
			"--waf-skip-managed-group", "AWSManagedRulesAmazonIpReputationList")
		st := e.status(t)
		if len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0], "AWSManagedRulesAmazonIpReputationList is skipped") {
			t.Errorf("got /status warnings %q, want the skipped group", st.Warnings)
		}
		if !strings.Contains(e.stderr.String(), "is not evaluated: managed rule group AWS/AWSManagedRulesAmazonIpReputationList is skipped") {
			t.Errorf("the start-up log does not warn of the skipped group:\n%s", e.stderr)
		}
		host := "d1qgfadvq9sf62.cloudfront.net"
		if r := e.do(t, request{Host: host, Target: "/"}); r.Status != 301 {
			t.Errorf("http: got %d, want 301 (redirect-to-https)", r.Status)
		}
		ua := map[string][]string{"User-Agent": {"Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"}, "Accept": {"text/html"}}
		if r := e.do(t, request{Proto: "https", Host: host, Target: "/index.html", Header: ua}); r.Status != 200 || !strings.HasPrefix(string(r.Body), "website GET /index.html") {
			t.Errorf("benign: got %d %q, want 200 from the website origin", r.Status, r.Body)
		}
		r := e.do(t, request{Proto: "https", Host: host, Target: "/search?q=%3Cscript%3Ealert(1)%3C/script%3E", Header: ua})
		if r.Status != 403 || !strings.Contains(string(r.Body), "Request blocked.") {
			t.Errorf("xss: got %d %q, want 403 Request blocked. from the Common rule set", r.Status, r.Body)
		}
	})
}
