package edge

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/openfront-edge/openfront/internal/resource"
)

// recordingOrigin is a real origin that remembers what it received.
type recordingOrigin struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []*http.Request
}

func newOrigin(t *testing.T, h http.HandlerFunc) *recordingOrigin {
	o := &recordingOrigin{}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.reqs = append(o.reqs, r.Clone(r.Context()))
		o.mu.Unlock()
		w.Header().Set("Server", "test-origin")
		if h != nil {
			h(w, r)
			return
		}
		io.WriteString(w, "origin:"+r.URL.Path)
	}))
	t.Cleanup(o.Close)
	return o
}

func (o *recordingOrigin) last(t *testing.T) *http.Request {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.reqs) == 0 {
		t.Fatal("origin received nothing")
	}
	return o.reqs[len(o.reqs)-1]
}

func (o *recordingOrigin) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.reqs)
}

// distConfig is a get-distribution-config document for one custom origin.
func distConfig(origin *recordingOrigin, behaviors, extra string) string {
	u, _ := url.Parse(origin.URL)
	host, port := u.Hostname(), u.Port()
	return `{"ETag": "E1", "DistributionConfig": {
	  "CallerReference": "t", "Enabled": true,
	  "Aliases": {"Quantity": 2, "Items": ["www.example.com", "*.example.com"]},
	  "DefaultRootObject": "index.html",
	  "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "` + host + `", "OriginPath": "/base",
	    "CustomHeaders": {"Quantity": 1, "Items": [{"HeaderName": "x-secret", "HeaderValue": "s3cr3t"}]},
	    "CustomOriginConfig": {"HTTPPort": ` + port + `, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
	  "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
	    "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"},
	  "CacheBehaviors": {"Quantity": ` + itoa(strings.Count(behaviors, "PathPattern")) + `, "Items": [` + behaviors + `]}` + extra + `}}`
}

func newTestServer(t *testing.T, docs map[string]string) *Server {
	t.Helper()
	return newTestServerOpts(t, docs, Options{POP: "TST1-P1", HTTPSPort: 8443})
}

func newTestServerOpts(t *testing.T, docs map[string]string, opts Options) *Server {
	t.Helper()
	dir := t.TempDir()
	for name, body := range docs {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set, err := resource.Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	warnings, err := resource.Validate(set, resource.Options{SelfSigned: true, DomainSuffix: "cloudfront.localhost"})
	if err != nil {
		t.Fatal(err)
	}
	s := New(opts)
	snap, err := Compile(set, warnings, s.CompileOptions(CompileOptions{DomainSuffix: "cloudfront.localhost"}))
	if err != nil {
		t.Fatal(err)
	}
	s.Swap(snap)
	return s
}

// serveTo sends s a request for www.example.com with header pairs hdr
// ("Name", "value", …).
func serveTo(s *Server, method, target string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	r.Host = "www.example.com"
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

func do(s *Server, method, target, host string, body io.Reader) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, body)
	r.Host = host
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

var (
	viaRe  = regexp.MustCompile(`^1\.1 [0-9a-f]{32}\.cloudfront\.net \(CloudFront\)$`)
	cfIDRe = regexp.MustCompile(`^[A-Za-z0-9_-]{54}==$`)
)

func checkCloudFrontHeaders(t *testing.T, w *httptest.ResponseRecorder, xcache string) {
	t.Helper()
	h := w.Header()
	if got := h.Get("X-Cache"); got != xcache {
		t.Errorf("X-Cache: got %q, want %q", got, xcache)
	}
	if got := h.Get("Via"); !viaRe.MatchString(got) {
		t.Errorf("Via: got %q", got)
	}
	if got := h.Get("X-Amz-Cf-Pop"); got != "TST1-P1" {
		t.Errorf("X-Amz-Cf-Pop: got %q", got)
	}
	if got := h.Get("X-Amz-Cf-Id"); !cfIDRe.MatchString(got) {
		t.Errorf("X-Amz-Cf-Id: got %q", got)
	}
}

func TestJourney(t *testing.T) {
	o := newOrigin(t, nil)
	behaviors := `
	  {"PathPattern": "/secure/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "https-only", "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"},
	  {"PathPattern": "/go/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "redirect-to-https", "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
	   "AllowedMethods": {"Quantity": 7, "Items": ["GET","HEAD","OPTIONS","PUT","POST","PATCH","DELETE"]}},
	  {"PathPattern": "*.jpg", "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all", "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
	   "AllowedMethods": {"Quantity": 3, "Items": ["GET","HEAD","OPTIONS"]}}`
	s := newTestServer(t, map[string]string{
		"E1.json":   distConfig(o, behaviors, ""),
		"EOFF.json": strings.NewReplacer(`"Enabled": true`, `"Enabled": false`, `"www.example.com", "*.example.com"`, `"off.example.org", "off2.example.org"`).Replace(distConfig(o, "", "")),
	})
	tests := []struct {
		name, method, target, host string
		status                     int
		xcache                     string
		server                     string
		bodyHas                    string
		toOrigin                   bool
	}{
		{"exact alias", "GET", "/a.txt", "www.example.com", 200, "Miss from cloudfront", "test-origin", "origin:/base/a.txt", true},
		{"wildcard alias, any depth", "GET", "/a.txt", "a.b.example.com", 200, "Miss from cloudfront", "test-origin", "origin:/base/a.txt", true},
		{"port and case folded", "GET", "/a.txt", "WWW.Example.com:8080", 200, "Miss from cloudfront", "test-origin", "", true},
		{"default domain", "GET", "/a.txt", "e1.cloudfront.localhost", 200, "Miss from cloudfront", "test-origin", "", true},
		{"apex not matched by wildcard", "GET", "/", "example.com", 403, "Error from cloudfront", "CloudFront", "Bad request.", false},
		{"unknown host", "GET", "/", "nobody.test", 403, "Error from cloudfront", "CloudFront", "Bad request.", false},
		{"disabled distribution", "GET", "/", "eoff.cloudfront.localhost", 403, "Error from cloudfront", "CloudFront", "Bad request.", false},
		{"root object", "GET", "/", "www.example.com", 200, "Miss from cloudfront", "test-origin", "origin:/base/index.html", true},
		{"root object only for /", "GET", "/sub/", "www.example.com", 200, "Miss from cloudfront", "test-origin", "origin:/base/sub/", true},
		{"https-only over http", "GET", "/secure/x", "www.example.com", 403, "Error from cloudfront", "CloudFront", "Bad request.", false},
		{"redirect GET", "GET", "/go/x?a=1", "www.example.com", 301, "Redirect from cloudfront", "CloudFront", "301 Moved Permanently", false},
		{"redirect POST", "POST", "/go/x", "www.example.com", 307, "Redirect from cloudfront", "CloudFront", "307 Temporary Redirect", false},
		{"method not allowed", "DELETE", "/a.txt", "www.example.com", 403, "Error from cloudfront", "CloudFront", "cachable requests", false},
		{"OPTIONS allowed by *.jpg (star crosses /)", "OPTIONS", "/x/y/z.jpg", "www.example.com", 200, "Miss from cloudfront", "test-origin", "", true},
		{"pattern case-sensitive", "OPTIONS", "/x/Y.JPG", "www.example.com", 403, "Error from cloudfront", "CloudFront", "cachable requests", false},
		{"dot segment", "GET", "/a/../secure/x", "www.example.com", 400, "Error from cloudfront", "CloudFront", "Bad request.", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := o.count()
			w := do(s, tc.method, tc.target, tc.host, nil)
			if w.Code != tc.status {
				t.Fatalf("status: got %d, want %d (body %q)", w.Code, tc.status, w.Body.String())
			}
			checkCloudFrontHeaders(t, w, tc.xcache)
			if got := w.Header().Get("Server"); got != tc.server {
				t.Errorf("Server: got %q, want %q", got, tc.server)
			}
			if !strings.Contains(w.Body.String(), tc.bodyHas) {
				t.Errorf("body %q lacks %q", w.Body.String(), tc.bodyHas)
			}
			if got := o.count() > before; got != tc.toOrigin {
				t.Errorf("reached origin: got %v, want %v", got, tc.toOrigin)
			}
			if tc.server == "CloudFront" && tc.status == 403 {
				id := w.Header().Get("X-Amz-Cf-Id")
				if !strings.Contains(w.Body.String(), "Request ID: "+id+"\n") {
					t.Errorf("page Request ID differs from X-Amz-Cf-Id %s", id)
				}
			}
		})
	}
	w := do(s, "GET", "/go/x?a=1", "www.example.com", nil)
	if got, want := w.Header().Get("Location"), "https://www.example.com:8443/go/x?a=1"; got != want {
		t.Errorf("Location: got %q, want %q", got, want)
	}
}

func TestOriginRequest(t *testing.T) {
	o := newOrigin(t, nil)
	behaviors := `
	  {"PathPattern": "/all/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
	   "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3"},
	  {"PathPattern": "/legacy/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
	   "ForwardedValues": {"QueryString": true, "Cookies": {"Forward": "whitelist", "WhitelistedNames": {"Quantity": 1, "Items": ["keep"]}},
	     "Headers": {"Quantity": 1, "Items": ["X-Custom"]}}, "MinTTL": 0}`
	s := newTestServer(t, map[string]string{"E1.json": distConfig(o, behaviors, "")})
	send := func(target string) *http.Request {
		r := httptest.NewRequest("GET", target, nil)
		r.Host = "www.example.com"
		r.RemoteAddr = "203.0.113.7:5555"
		r.Header.Set("X-Forwarded-For", "198.51.100.1")
		r.Header.Set("User-Agent", "viewer/1")
		r.Header.Set("X-Custom", "c")
		r.Header.Set("Cookie", "keep=1; drop=2")
		r.Header.Set("Accept-Language", "fr")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != 200 {
			t.Fatalf("%s: got %d", target, w.Code)
		}
		got := o.last(t)
		if got.Header.Get("X-Amz-Cf-Id") != w.Header().Get("X-Amz-Cf-Id") {
			t.Errorf("%s: origin X-Amz-Cf-Id %q differs from response's", target, got.Header.Get("X-Amz-Cf-Id"))
		}
		return got
	}
	u, _ := url.Parse(o.URL)

	// CachingDisabled with no origin request policy: nothing of the viewer's.
	got := send("/plain?q=1")
	checks := []struct{ name, got, want string }{
		{"Host", got.Host, u.Hostname()}, // the origin's domain name, as CloudFront sends it
		{"query", got.URL.RawQuery, ""},
		{"path", got.URL.Path, "/base/plain"},
		{"X-Forwarded-For", got.Header.Get("X-Forwarded-For"), "198.51.100.1, 203.0.113.7"},
		{"User-Agent", got.Header.Get("User-Agent"), "Amazon CloudFront"},
		{"cookie", got.Header.Get("Cookie"), ""},
		{"X-Custom", got.Header.Get("X-Custom"), ""},
		{"custom origin header", got.Header.Get("X-Secret"), "s3cr3t"},
	}
	if !viaRe.MatchString(got.Header.Get("Via")) {
		t.Errorf("Via: got %q", got.Header.Get("Via"))
	}
	// AllViewer: every header including Host, all cookies and query strings.
	got = send("/all/x?q=1&r=2")
	checks = append(checks, []struct{ name, got, want string }{
		{"AllViewer Host", got.Host, "www.example.com"},
		{"AllViewer query", got.URL.RawQuery, "q=1&r=2"},
		{"AllViewer cookie", got.Header.Get("Cookie"), "keep=1; drop=2"},
		{"AllViewer UA", got.Header.Get("User-Agent"), "viewer/1"},
		{"AllViewer Accept-Language", got.Header.Get("Accept-Language"), "fr"},
	}...)
	// Legacy ForwardedValues: query string, one cookie, one header.
	got = send("/legacy/x?q=1")
	checks = append(checks, []struct{ name, got, want string }{
		{"legacy Host", got.Host, u.Hostname()},
		{"legacy query", got.URL.RawQuery, "q=1"},
		{"legacy cookie", got.Header.Get("Cookie"), "keep=1"},
		{"legacy X-Custom", got.Header.Get("X-Custom"), "c"},
		{"legacy Accept-Language", got.Header.Get("Accept-Language"), ""},
	}...)
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestCustomErrorResponses(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/base/errors/page.html":
			io.WriteString(w, "custom page")
		default:
			w.WriteHeader(404)
			io.WriteString(w, "origin 404")
		}
	})
	extra := `, "CustomErrorResponses": {"Quantity": 2, "Items": [
	  {"ErrorCode": 404, "ResponsePagePath": "/errors/page.html", "ResponseCode": "200", "ErrorCachingMinTTL": 5},
	  {"ErrorCode": 403, "ResponsePagePath": "/errors/page.html", "ResponseCode": "403"}]}`
	s := newTestServer(t, map[string]string{"E1.json": distConfig(o, "", extra)})
	w := do(s, "GET", "/missing", "www.example.com", nil)
	if w.Code != 200 || w.Body.String() != "custom page" {
		t.Errorf("origin 404: got %d %q, want 200 custom page", w.Code, w.Body.String())
	}
	checkCloudFrontHeaders(t, w, "Error from cloudfront")
	w = do(s, "DELETE", "/x", "www.example.com", nil)
	if w.Code != 403 || w.Body.String() != "custom page" {
		t.Errorf("edge 403: got %d %q, want 403 custom page", w.Code, w.Body.String())
	}
}

func TestOriginFailures(t *testing.T) {
	dead := newOrigin(t, nil)
	cfg := distConfig(dead, "", "")
	dead.Close()
	s := newTestServer(t, map[string]string{"E1.json": strings.Replace(cfg, `"OriginPath": "/base",`, `"OriginPath": "/base", "ConnectionAttempts": 1, "ConnectionTimeout": 1,`, 1)})
	w := do(s, "GET", "/x", "www.example.com", nil)
	if w.Code != 502 || !strings.Contains(w.Body.String(), "<H1>502 ERROR</H1>") || !strings.Contains(w.Body.String(), "CloudFront wasn't able to connect to the origin.") {
		t.Errorf("got %d %q", w.Code, w.Body.String())
	}
	if got := w.Header().Get("Server"); got != "CloudFront" {
		t.Errorf("Server: got %q", got)
	}
}

func TestGetWithBody(t *testing.T) {
	o := newOrigin(t, nil)
	s := newTestServer(t, map[string]string{"E1.json": distConfig(o, "", "")})
	w := do(s, "GET", "/x", "www.example.com", strings.NewReader("body"))
	if w.Code != 403 || o.count() != 0 {
		t.Errorf("got %d, origin saw %d requests; want 403 and none", w.Code, o.count())
	}
}

func TestViewerAddr(t *testing.T) {
	s := New(Options{TrustedProxies: mustPrefixes("10.0.0.0/8")})
	tests := []struct{ remote, xff, want string }{
		{"203.0.113.9:1", "1.2.3.4", "203.0.113.9"},           // untrusted peer: XFF ignored
		{"10.1.1.1:1", "1.2.3.4", "1.2.3.4"},                  // trusted proxy
		{"10.1.1.1:1", "1.2.3.4, 10.2.2.2", "1.2.3.4"},        // right-most untrusted
		{"10.1.1.1:1", "9.9.9.9, 1.2.3.4", "1.2.3.4"},         // viewer cannot prepend a choice
		{"10.1.1.1:1", "garbage", "10.1.1.1"},                 // unparsable: the peer
		{"[::ffff:10.1.1.1]:1", "2001:db8::1", "2001:db8::1"}, // mapped IPv4 peer
	}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		r.Header.Set("X-Forwarded-For", tc.xff)
		if got := s.viewerAddr(r).Addr().String(); got != tc.want {
			t.Errorf("%s + %q: got %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
	}
}

func mustPrefixes(ss ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range ss {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}
