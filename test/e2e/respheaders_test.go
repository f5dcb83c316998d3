package e2e

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestResponseHeadersPolicy: a behavior's response headers policy (a
// get-response-headers-policy document, and an AWS managed one by id)
// edits a real nginx origin's answers through the binary, over HTTP/1.1 and
// HTTP/2: headers removed first, then CORS, security and custom headers,
// each replacing nginx's own only where the policy overrides.
func TestResponseHeadersPolicy(t *testing.T) {
	t.Parallel()
	port := startNginx(t, map[string]string{"index.html": "hello\n", "api/items": "[]\n"})
	const id = "ERHP1"
	policy := obj{"ETag": "E1", "ResponseHeadersPolicy": obj{
		"Id": "7d1a8c44-5f2e-4c1b-9d3a-2b7e6f0c9a11", "LastModifiedTime": "2024-05-01T10:00:00+00:00",
		"ResponseHeadersPolicyConfig": obj{
			"Name": "e2e-headers",
			"CorsConfig": obj{
				"AccessControlAllowOrigins":     list("https://app.example.net"),
				"AccessControlAllowHeaders":     list("Content-Type"),
				"AccessControlAllowMethods":     list("ALL"),
				"AccessControlAllowCredentials": true,
				"AccessControlMaxAgeSec":        300,
				"OriginOverride":                false,
			},
			"SecurityHeadersConfig": obj{
				"StrictTransportSecurity": obj{"Override": true, "IncludeSubdomains": true, "Preload": false, "AccessControlMaxAgeSec": 86400},
				"ContentTypeOptions":      obj{"Override": true},
			},
			"CustomHeadersConfig": list(obj{"Header": "X-Served-By", "Value": "openfront e2e", "Override": true}),
			"RemoveHeadersConfig": list(obj{"Header": "Server"}, obj{"Header": "Accept-Ranges"}),
		},
	}}
	def := with(behavior("", "nginx"), "ResponseHeadersPolicyId", "7d1a8c44-5f2e-4c1b-9d3a-2b7e6f0c9a11",
		"AllowedMethods", methods("GET", "HEAD", "OPTIONS"))
	managed := with(behavior("/api/*", "nginx"), "ResponseHeadersPolicyId", "67f7725c-6f97-4210-82d7-5512b31e9d03")
	docs := docs1(id, distConfig([]obj{customOrigin("nginx", "127.0.0.1", port)}, def, managed))
	docs["headers-policy.json"] = policy
	e := startEdge(t, docs)

	for _, proto := range []string{"http", "h2"} {
		t.Run(proto, func(t *testing.T) {
			t.Parallel()
			get := func(method, target string, hdr ...string) *response {
				h := http.Header{}
				for i := 0; i+1 < len(hdr); i += 2 {
					h.Set(hdr[i], hdr[i+1])
				}
				r := e.do(t, request{Proto: proto, Method: method, Host: defaultDomain(id), Target: target, Header: h})
				// nginx refuses OPTIONS on a file: its 405 gets the
				// policy's headers all the same.
				status, xcache := 200, "Miss from cloudfront"
				if method == "OPTIONS" {
					status, xcache = 405, "Error from cloudfront"
				}
				if r.Status != status {
					t.Fatalf("%s %s: status %d, want %d", method, target, r.Status, status)
				}
				checkCloudFrontHeaders(t, r, xcache)
				return r
			}
			want := func(r *response, name, value string) {
				t.Helper()
				if got := strings.Join(r.Header.Values(name), "|"); got != value {
					t.Errorf("%s: got %q, want %q", name, got, value)
				}
			}
			r := get("GET", "/index.html", "Origin", "https://app.example.net")
			want(r, "Server", "CloudFront") // nginx's removed
			want(r, "Accept-Ranges", "")
			want(r, "X-Served-By", "openfront e2e")
			want(r, "Strict-Transport-Security", "max-age=86400; includeSubDomains")
			want(r, "X-Content-Type-Options", "nosniff")
			want(r, "Access-Control-Allow-Origin", "https://app.example.net")
			want(r, "Access-Control-Allow-Credentials", "true")
			want(r, "Vary", "Origin")
			r = get("OPTIONS", "/index.html", "Origin", "https://app.example.net", "Access-Control-Request-Method", "DELETE")
			want(r, "Access-Control-Allow-Methods", "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT")
			want(r, "Access-Control-Allow-Headers", "Content-Type")
			want(r, "Access-Control-Max-Age", "300")
			r = get("GET", "/index.html", "Origin", "https://other.example.net")
			want(r, "Access-Control-Allow-Origin", "")
			// The managed SecurityHeadersPolicy on /api/*; nginx's Server kept.
			r = get("GET", "/api/items")
			want(r, "Strict-Transport-Security", "max-age=31536000")
			want(r, "X-Frame-Options", "SAMEORIGIN")
			want(r, "Referrer-Policy", "strict-origin-when-cross-origin")
			want(r, "X-Xss-Protection", "1; mode=block")
			if !strings.HasPrefix(r.Header.Get("Server"), "nginx") {
				t.Errorf("Server: got %q, want nginx's", r.Header.Get("Server"))
			}
		})
	}

	// A policy CloudFront's API would refuse is refused, naming the file.
	bad := with(policy["ResponseHeadersPolicy"].(obj))
	cfg := with(bad["ResponseHeadersPolicyConfig"].(obj), "RemoveHeadersConfig", list(obj{"Header": "Content-Length"}))
	bad["ResponseHeadersPolicyConfig"] = cfg
	dir := t.TempDir()
	docs["headers-policy.json"] = obj{"ETag": "E1", "ResponseHeadersPolicy": bad}
	writeDocs(t, dir, docs)
	out, err := exec.Command(binary, "validate", "--config", dir, "--self-signed").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Content-Length cannot be removed") || !strings.Contains(string(out), id+".json") {
		t.Errorf("validate with Content-Length removed: err %v, output:\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "headers-policy.json")); err != nil {
		t.Fatal(err)
	}
}
