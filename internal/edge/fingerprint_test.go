package edge

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/openfront-edge/openfront/internal/clienthello"
)

// fingerprintACL blocks requests under /fp whose JA4 does not say TLS 1.3
// with SNI; without a fingerprint (plain HTTP) the regex does not match
// (FallbackBehavior NO_MATCH), so the NOT blocks.
const fingerprintACL = `{"WebACL": {"Name": "edge-acl", "Id": "a1b2c3d4", "ARN": "` + testACLARN + `",
  "DefaultAction": {"Allow": {}}, "Capacity": 10,
  "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "edge-acl"},
  "Rules": [
    {"Name": "tls13-only", "Priority": 0, "Action": {"Block": {}},
     "Statement": {"AndStatement": {"Statements": [
       {"ByteMatchStatement": {"SearchString": "L2Zw", "FieldToMatch": {"UriPath": {}},
         "TextTransformations": [{"Priority": 0, "Type": "NONE"}], "PositionalConstraint": "STARTS_WITH"}},
       {"NotStatement": {"Statement": {"RegexMatchStatement": {"RegexString": "^t13d",
         "FieldToMatch": {"JA4Fingerprint": {"FallbackBehavior": "NO_MATCH"}},
         "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}}}}]}},
     "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "tls13-only"}}
  ]}, "LockToken": "x"}`

// TestWAFFingerprints: behind an HTTPS listener that records ClientHellos
// (as openfront serve's), a JA4 rule sees the connection's fingerprint
// over HTTP/1.1 and HTTP/2; a plain HTTP request has none and falls back.
func TestWAFFingerprints(t *testing.T) {
	o := newOrigin(t, nil)
	s := newTestServer(t, map[string]string{
		"E1.json":  distConfig(o, "", `, "WebACLId": "`+testACLARN+`"`),
		"acl.json": fingerprintACL,
	})
	if w := do(s, "GET", "/fp/plain", "www.example.com", nil); w.Code != http.StatusForbidden {
		t.Errorf("plain HTTP: got %d, want 403 (no fingerprint, the NOT of NO_MATCH blocks)", w.Code)
	}
	if w := do(s, "GET", "/elsewhere", "www.example.com", nil); w.Code != http.StatusOK {
		t.Errorf("plain HTTP outside /fp: got %d, want 200", w.Code)
	}

	ts := httptest.NewUnstartedServer(s)
	ts.Listener = clienthello.NewListener(ts.Listener)
	ts.Config.ConnContext = clienthello.ConnContext
	ts.EnableHTTP2 = true
	ts.StartTLS()
	defer ts.Close()
	h2 := ts.Client()
	h2.Transport.(*http.Transport).TLSClientConfig.ServerName = "www.example.com"
	h2.Transport.(*http.Transport).TLSClientConfig.InsecureSkipVerify = true // httptest's certificate does not name it
	h1 := &http.Client{Transport: &http.Transport{
		TLSClientConfig: h2.Transport.(*http.Transport).TLSClientConfig.Clone(),
		TLSNextProto:    map[string]func(string, *tls.Conn) http.RoundTripper{},
	}}
	for _, tc := range []struct {
		name   string
		client *http.Client
		proto  string
	}{{"HTTP/2", h2, "HTTP/2.0"}, {"HTTP/1.1", h1, "HTTP/1.1"}} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", ts.URL+"/fp/tls", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Host = "www.example.com"
			resp, err := tc.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Proto != tc.proto {
				t.Errorf("got %s %d %q, want %s 200 from the origin (a TLS 1.3 JA4 with SNI)", resp.Proto, resp.StatusCode, body, tc.proto)
			}
		})
	}
}
