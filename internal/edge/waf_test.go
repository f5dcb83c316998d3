package edge

import (
	"net/http/httptest"
	"strings"
	"testing"
)

const testACLARN = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge-acl/a1b2c3d4"

// testACL blocks a bad User-Agent with the default page, an IP set with a
// custom response, counts and labels /admin with an inserted header, and
// challenges /login.
const testACL = `{"WebACL": {"Name": "edge-acl", "Id": "a1b2c3d4", "ARN": "` + testACLARN + `",
  "DefaultAction": {"Allow": {}}, "Capacity": 10,
  "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "edge-acl"},
  "CustomResponseBodies": {"denied": {"ContentType": "TEXT_PLAIN", "Content": "go away"}},
  "Rules": [
    {"Name": "bad-bots", "Priority": 0, "Action": {"Block": {}},
     "Statement": {"ByteMatchStatement": {"SearchString": "YmFkYm90", "FieldToMatch": {"SingleHeader": {"Name": "user-agent"}},
       "TextTransformations": [{"Priority": 0, "Type": "LOWERCASE"}], "PositionalConstraint": "CONTAINS"}},
     "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "bad-bots"}},
    {"Name": "blocked-ips", "Priority": 1,
     "Action": {"Block": {"CustomResponse": {"ResponseCode": 429, "CustomResponseBodyKey": "denied",
       "ResponseHeaders": [{"Name": "retry-after", "Value": "60"}]}}},
     "Statement": {"IPSetReferenceStatement": {"ARN": "arn:aws:wafv2:us-east-1:123456789012:global/ipset/blocked/i1"}},
     "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "blocked-ips"}},
    {"Name": "admin-count", "Priority": 2,
     "Action": {"Count": {"CustomRequestHandling": {"InsertHeaders": [{"Name": "admin", "Value": "yes"}]}}},
     "RuleLabels": [{"Name": "admin"}],
     "Statement": {"ByteMatchStatement": {"SearchString": "L2FkbWlu", "FieldToMatch": {"UriPath": {}},
       "TextTransformations": [{"Priority": 0, "Type": "NONE"}], "PositionalConstraint": "STARTS_WITH"}},
     "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "admin-count"}},
    {"Name": "login-challenge", "Priority": 3, "Action": {"Challenge": {}},
     "Statement": {"ByteMatchStatement": {"SearchString": "L2xvZ2lu", "FieldToMatch": {"UriPath": {}},
       "TextTransformations": [{"Priority": 0, "Type": "NONE"}], "PositionalConstraint": "EXACTLY"}},
     "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "login-challenge"}}
  ]}, "LockToken": "x"}`

const testIPSet = `{"IPSet": {"Name": "blocked", "Id": "i1", "ARN": "arn:aws:wafv2:us-east-1:123456789012:global/ipset/blocked/i1",
  "IPAddressVersion": "IPV4", "Addresses": ["203.0.113.0/24"]}, "LockToken": "x"}`

func TestWAF(t *testing.T) {
	o := newOrigin(t, nil)
	s := newTestServer(t, map[string]string{
		"E1.json":    distConfig(o, "", `, "WebACLId": "`+testACLARN+`"`),
		"acl.json":   testACL,
		"ipset.json": testIPSet,
	})
	tests := []struct {
		name, path, ua, remote string
		status                 int
		body, header           string
		toOrigin               bool
	}{
		{"allowed", "/a", "curl/8", "192.0.2.1:1", 200, "origin:/base/a", "", true},
		{"byte match blocks with CloudFront's page", "/a", "BadBot/1.0", "192.0.2.1:1", 403, "Request blocked.", "", false},
		{"custom response", "/a", "curl/8", "203.0.113.9:1", 429, "go away", "Retry-After", false},
		{"count continues and inserts a header", "/admin/x", "curl/8", "192.0.2.1:1", 200, "origin:/base/admin/x", "", true},
		{"challenge", "/login", "curl/8", "192.0.2.1:1", 202, "", "X-Amzn-Waf-Action", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := o.count()
			r := httptest.NewRequest("GET", tc.path, nil)
			r.Host, r.RemoteAddr = "www.example.com", tc.remote
			r.Header.Set("User-Agent", tc.ua)
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.body) {
				t.Fatalf("got %d %q, want %d with %q", w.Code, w.Body.String(), tc.status, tc.body)
			}
			if tc.header != "" && w.Header().Get(tc.header) == "" {
				t.Errorf("response lacks %s: %v", tc.header, w.Header())
			}
			if got := o.count() > before; got != tc.toOrigin {
				t.Errorf("reached origin: got %v, want %v", got, tc.toOrigin)
			}
			if !tc.toOrigin && w.Header().Get("Server") != "CloudFront" {
				t.Errorf("Server: got %q, want CloudFront", w.Header().Get("Server"))
			}
		})
	}
	if got := o.last(t).Header.Get("X-Amzn-Waf-Admin"); got != "yes" {
		t.Errorf("inserted header at the origin: got %q, want yes", got)
	}
}

// TestWAFBlockCustomErrorPage: without a custom response in the rule, the
// distribution's custom error response for 403 replaces CloudFront's page.
func TestWAFBlockCustomErrorPage(t *testing.T) {
	o := newOrigin(t, nil)
	extra := `, "WebACLId": "` + testACLARN + `", "CustomErrorResponses": {"Quantity": 1, "Items": [
	  {"ErrorCode": 403, "ResponsePagePath": "/errors/403.html", "ResponseCode": "403"}]}`
	s := newTestServer(t, map[string]string{"E1.json": distConfig(o, "", extra), "acl.json": testACL, "ipset.json": testIPSet})
	r := httptest.NewRequest("GET", "/a", nil)
	r.Host = "www.example.com"
	r.Header.Set("User-Agent", "badbot")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if w.Code != 403 || w.Body.String() != "origin:/base/errors/403.html" {
		t.Errorf("got %d %q, want the custom error page", w.Code, w.Body.String())
	}
}
