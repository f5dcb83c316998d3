package edge

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// A response headers policy as aws cloudfront get-response-headers-policy
// prints it.
const customHeadersPolicy = `{"ETag": "E1", "ResponseHeadersPolicy": {"Id": "rhp-custom", "LastModifiedTime": "2024-05-01T10:00:00+00:00",
  "ResponseHeadersPolicyConfig": {"Name": "shop-headers",
    "CorsConfig": {
      "AccessControlAllowOrigins": {"Quantity": 2, "Items": ["https://shop.example.com", "https://*.example.org"]},
      "AccessControlAllowHeaders": {"Quantity": 2, "Items": ["Content-Type", "X-Api-Key"]},
      "AccessControlAllowMethods": {"Quantity": 2, "Items": ["GET", "POST"]},
      "AccessControlAllowCredentials": true,
      "AccessControlExposeHeaders": {"Quantity": 1, "Items": ["X-Request-Id"]},
      "AccessControlMaxAgeSec": 600,
      "OriginOverride": true},
    "SecurityHeadersConfig": {
      "StrictTransportSecurity": {"Override": false, "IncludeSubdomains": true, "Preload": true, "AccessControlMaxAgeSec": 63072000},
      "ContentSecurityPolicy": {"Override": true, "ContentSecurityPolicy": "default-src 'self'"},
      "XSSProtection": {"Override": false, "Protection": true, "ReportUri": "https://report.example.com/xss"},
      "FrameOptions": {"Override": true, "FrameOption": "DENY"}},
    "CustomHeadersConfig": {"Quantity": 2, "Items": [
      {"Header": "Cache-Control", "Value": "public, max-age=60", "Override": false},
      {"Header": "x-shop", "Value": "edge", "Override": true}]},
    "RemoveHeadersConfig": {"Quantity": 2, "Items": [{"Header": "X-Powered-By"}, {"Header": "server"}]},
    "ServerTimingHeadersConfig": {"Enabled": true, "SamplingRate": 0}}}}`

func TestResponseHeadersPolicy(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Powered-By", "PHP/8")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Shop", "origin")
		h.Set("Content-Security-Policy", "default-src *")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "origin-value")
		h.Set("Server-Timing", "db;dur=53")
		if r.URL.Query().Get("acao") != "" {
			h.Set("Access-Control-Allow-Origin", "https://origin-choice.example")
		}
		w.Write([]byte("ok"))
	})
	behaviors := `
	  {"PathPattern": "/custom/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
	   "AllowedMethods": {"Quantity": 3, "Items": ["GET", "HEAD", "OPTIONS"]},
	   "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3",
	   "ResponseHeadersPolicyId": "rhp-custom"},
	  {"PathPattern": "/managed/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
	   "AllowedMethods": {"Quantity": 3, "Items": ["GET", "HEAD", "OPTIONS"]},
	   "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3",
	   "ResponseHeadersPolicyId": "eaab4381-ed33-4a86-88ca-d9558dc6cd63"}`
	s := newTestServer(t, map[string]string{"E1.json": distConfig(o, behaviors, ""), "rhp.json": customHeadersPolicy})
	send := func(method, target string, hdr ...string) http.Header {
		t.Helper()
		w := serveTo(s, method, target, hdr...)
		if w.Code != 200 {
			t.Fatalf("%s %s: status %d", method, target, w.Code)
		}
		return w.Header()
	}
	want := func(h http.Header, name, value string) {
		t.Helper()
		got, present := h[http.CanonicalHeaderKey(name)]
		if value == "" {
			if present {
				t.Errorf("%s: got %q, want none", name, got)
			}
			return
		}
		if strings.Join(got, "|") != value {
			t.Errorf("%s: got %q, want %q", name, got, value)
		}
	}

	// Removed, then added; an origin header wins unless the policy overrides.
	h := send("GET", "/custom/a")
	want(h, "X-Powered-By", "")
	want(h, "Server", "CloudFront") // the origin's removed: CloudFront's own
	want(h, "Cache-Control", "no-store")
	want(h, "X-Shop", "edge")
	want(h, "Content-Security-Policy", "default-src 'self'")
	want(h, "Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload")
	want(h, "X-Xss-Protection", "1; report=https://report.example.com/xss")
	want(h, "X-Frame-Options", "DENY")
	want(h, "Referrer-Policy", "no-referrer")  // not in this policy
	want(h, "Access-Control-Allow-Origin", "") // not a CORS request
	// SamplingRate 0: no Server-Timing, unless the viewer asks with Pragma.
	want(h, "Server-Timing", "db;dur=53")
	h = send("GET", "/custom/a", "Pragma", "no-cache, server-timing")
	st := regexp.MustCompile(`^cdn-upstream-layer;desc="EDGE",cdn-upstream-fbl;dur=\d+,cdn-cache-miss,cdn-pop;desc="TST1-P1",cdn-rid;desc="[A-Za-z0-9_-]{54}==",cdn-downstream-fbl;dur=\d+,db;dur=53$`)
	if got := h.Get("Server-Timing"); !st.MatchString(got) {
		t.Errorf("Server-Timing: got %q", got)
	}
	if rid := regexp.MustCompile(`cdn-rid;desc="([^"]+)"`).FindStringSubmatch(h.Get("Server-Timing")); rid == nil || rid[1] != h.Get("X-Amz-Cf-Id") {
		t.Errorf("Server-Timing's cdn-rid is not the request's X-Amz-Cf-Id %q", h.Get("X-Amz-Cf-Id"))
	}

	// CORS: an allowed origin is echoed (exact or under *.example.org),
	// with credentials and exposed headers; preflight gets the rest.
	h = send("GET", "/custom/a", "Origin", "https://shop.example.com")
	want(h, "Access-Control-Allow-Origin", "https://shop.example.com")
	want(h, "Access-Control-Allow-Credentials", "true")
	want(h, "Access-Control-Expose-Headers", "X-Request-Id")
	want(h, "Access-Control-Allow-Methods", "")
	want(h, "Vary", "Origin")
	h = send("OPTIONS", "/custom/a", "Origin", "https://api.eu.example.org", "Access-Control-Request-Method", "POST")
	want(h, "Access-Control-Allow-Origin", "https://api.eu.example.org")
	want(h, "Access-Control-Allow-Methods", "GET, POST")
	want(h, "Access-Control-Allow-Headers", "Content-Type, X-Api-Key")
	want(h, "Access-Control-Max-Age", "600")
	for _, origin := range []string{"https://evil.example.com", "http://shop.example.com", "https://example.org", "https://shop.example.com:8443"} {
		h = send("GET", "/custom/a", "Origin", origin)
		want(h, "Access-Control-Allow-Origin", "")
		want(h, "Access-Control-Allow-Credentials", "")
	}
	// OriginOverride true: the policy's value replaces the origin's.
	h = send("GET", "/custom/a?acao=1", "Origin", "https://shop.example.com")
	want(h, "Access-Control-Allow-Origin", "https://shop.example.com")

	// The managed CORS-with-preflight-and-SecurityHeadersPolicy: "*", the
	// origin's headers kept except X-Content-Type-Options (its override).
	h = send("OPTIONS", "/managed/a?acao=1", "Origin", "https://any.example", "Access-Control-Request-Method", "PUT")
	want(h, "Access-Control-Allow-Origin", "https://origin-choice.example") // OriginOverride false
	want(h, "Access-Control-Allow-Methods", "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT")
	h = send("GET", "/managed/a", "Origin", "https://any.example")
	want(h, "Access-Control-Allow-Origin", "*")
	want(h, "Vary", "")
	want(h, "X-Content-Type-Options", "nosniff")
	want(h, "Referrer-Policy", "no-referrer")
	want(h, "Strict-Transport-Security", "max-age=31536000")
	want(h, "X-Frame-Options", "SAMEORIGIN")
	want(h, "X-Xss-Protection", "1; mode=block")
	want(h, "Server", "test-origin")
	want(h, "Server-Timing", "db;dur=53")
}

func TestOriginPattern(t *testing.T) {
	for _, c := range []struct {
		pattern, origin string
		ok              bool
	}{
		{"https://shop.example.com", "https://shop.example.com", true},
		{"https://shop.example.com", "https://SHOP.example.com", true},
		{"https://shop.example.com", "http://shop.example.com", false},
		{"https://*.example.org", "https://a.b.example.org", true},
		{"https://*.example.org", "https://example.org", false},
		{"https://*.example.org", "https://badexample.org", false},
		{"*.example.org", "http://a.example.org", true},
		{"http://localhost:3000", "http://localhost:3000", true},
		{"http://localhost:3000", "http://localhost:3001", false},
		{"http://localhost:3000", "http://localhost", false},
	} {
		op, err := parseOriginPattern(c.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if got := op.matches(c.origin); got != c.ok {
			t.Errorf("%s against %s: got %v", c.pattern, c.origin, got)
		}
	}
	for _, bad := range []string{"https://example.*", "https://test.*.example.org", "https://exa*mple.org"} {
		if _, err := parseOriginPattern(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

func TestRemovable(t *testing.T) {
	for name, ok := range map[string]bool{
		"X-Powered-By": true, "Server": true, "Date": true, "Vary": true,
		"Content-Length": false, "Via": false, "X-Amz-Cf-Pop": false, "X-Edge-Origin-Shield-Skipped": false,
		"X-Amzn-Requestid": false, "X-Cache": false,
	} {
		if got := removable(http.CanonicalHeaderKey(name)); got != ok {
			t.Errorf("%s: got %v, want %v", name, got, ok)
		}
	}
}

// TestServerTimingSampled: at a sampling rate of 100 every answer carries
// Server-Timing, with no Pragma asked.
func TestServerTimingSampled(t *testing.T) {
	o := newOrigin(t, nil)
	policy := `{"ETag": "E1", "ResponseHeadersPolicy": {"Id": "rhp-timing", "ResponseHeadersPolicyConfig": {"Name": "timing",
	  "ServerTimingHeadersConfig": {"Enabled": true, "SamplingRate": 100}}}}`
	behaviors := `{"PathPattern": "/t/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
	  "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "ResponseHeadersPolicyId": "rhp-timing"}`
	s := newTestServer(t, map[string]string{"E1.json": distConfig(o, behaviors, ""), "rhp.json": policy})
	for range 3 {
		if got := serveTo(s, "GET", "/t/x").Header().Get("Server-Timing"); !strings.HasPrefix(got, `cdn-upstream-layer;desc="EDGE"`) {
			t.Errorf("Server-Timing: got %q", got)
		}
	}
}
