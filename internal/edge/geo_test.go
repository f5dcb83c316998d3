package edge

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openfront-edge/openfront/internal/geo"
)

// The embedded database (IP2Location LITE) places 81.2.69.160 in GB and
// 8.8.8.8 in US; private addresses have no country.
func TestGeoRestriction(t *testing.T) {
	o := newOrigin(t, nil)
	behaviors := `{"PathPattern": "/h/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
	  "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "OriginRequestPolicyId": "33f36d7e-f396-46d9-90e0-52428a34d9dc"}`
	extra := `, "Restrictions": {"GeoRestriction": {"RestrictionType": "blacklist", "Quantity": 1, "Items": ["GB"]}}`
	s := newTestServerOpts(t, map[string]string{"E1.json": distConfig(o, behaviors, extra)},
		Options{POP: "TST1-P1", Geo: geo.Embedded(), TrustedProxies: mustPrefixes("10.0.0.0/8")})
	tests := []struct {
		name, remote, xff string
		status            int
	}{
		{"blocked country", "81.2.69.160:1000", "", 403},
		{"other country", "8.8.8.8:1000", "", 200},
		{"unknown country is served", "192.168.1.1:1000", "", 200},
		{"untrusted peer cannot choose its country", "8.8.8.8:1000", "81.2.69.160", 200},
		{"trusted proxy's viewer is checked", "10.1.1.1:1000", "81.2.69.160", 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/x", nil)
			r.Host, r.RemoteAddr = "www.example.com", tc.remote
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if w.Code != tc.status {
				t.Fatalf("got %d, want %d", w.Code, tc.status)
			}
			if tc.status == 403 {
				want := string(appendErrorPage(nil, 403, causeGeoBlocked, w.Header().Get("X-Amz-Cf-Id")))
				if w.Body.String() != want {
					t.Errorf("body: got %q, want the geo page", w.Body.String())
				}
				if w.Header().Get("Server") != "CloudFront" {
					t.Errorf("Server: got %q", w.Header().Get("Server"))
				}
			}
		})
	}
	// AllViewerAndCloudFrontHeaders-2022-06 sends the viewer's country and
	// address; a viewer's own CloudFront-Viewer-Country never passes.
	r := httptest.NewRequest("GET", "/h/x", nil)
	r.Host, r.RemoteAddr = "www.example.com", "8.8.8.8:4242"
	r.Header.Set("CloudFront-Viewer-Country", "GB")
	s.ServeHTTP(httptest.NewRecorder(), r)
	got := o.last(t)
	if c := got.Header.Get("CloudFront-Viewer-Country"); c != "US" {
		t.Errorf("CloudFront-Viewer-Country: got %q, want US", c)
	}
	if a := got.Header.Get("CloudFront-Viewer-Address"); a != "8.8.8.8:4242" {
		t.Errorf("CloudFront-Viewer-Address: got %q", a)
	}
	if p := got.Header.Get("CloudFront-Forwarded-Proto"); p != "http" {
		t.Errorf("CloudFront-Forwarded-Proto: got %q", p)
	}
	// Without a policy asking for them, none are sent.
	r = httptest.NewRequest("GET", "/x", nil)
	r.Host, r.RemoteAddr = "www.example.com", "8.8.8.8:4242"
	r.Header.Set("CloudFront-Viewer-Country", "GB")
	s.ServeHTTP(httptest.NewRecorder(), r)
	for k := range o.last(t).Header {
		if strings.HasPrefix(k, "Cloudfront-") {
			t.Errorf("origin got %s without a policy asking for it", k)
		}
	}
}
