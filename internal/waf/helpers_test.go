package waf

import (
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

const testARN = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge-acl/a1b2c3d4"

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// aclJSON wraps rules (a JSON array) into a web ACL document as the AWS CLI
// prints it, with DefaultAction Allow unless def is given.
func aclJSON(rules string, def ...string) string {
	d := `{"Allow":{}}`
	if len(def) > 0 {
		d = def[0]
	}
	return `{"Name":"edge-acl","Id":"a1b2c3d4","ARN":"` + testARN + `","DefaultAction":` + d + `,"Rules":` + rules +
		`,"CustomResponseBodies":{"denied":{"ContentType":"APPLICATION_JSON","Content":"{\"error\":\"denied\"}"}}}`
}

func decodeACL(t testing.TB, doc string) *types.WebACL {
	t.Helper()
	var acl types.WebACL
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&acl); err != nil {
		t.Fatalf("decode: %v\n%s", err, doc)
	}
	return &acl
}

func mustCompile(t testing.TB, doc string, res Resources, opts ...Option) *ACL {
	t.Helper()
	a, err := Compile(decodeACL(t, doc), res, opts...)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return a
}

// rule builds one rule's JSON.
func ruleJSON(name string, prio int, stmt, action string) string {
	return `{"Name":"` + name + `","Priority":` + itoa(prio) + `,"Statement":` + stmt + `,"Action":` + action +
		`,"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"` + name + `"}}`
}

func b64s(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// byteMatch builds a ByteMatchStatement JSON (SearchString is base64 in
// encoding/json's []byte form).
func byteMatch(search, field, pos string, tts ...string) string {
	return `{"ByteMatchStatement":{"SearchString":"` + b64s(search) + `","FieldToMatch":` + field +
		`,"PositionalConstraint":"` + pos + `","TextTransformations":` + ttJSON(tts...) + `}}`
}

func ttJSON(tts ...string) string {
	if len(tts) == 0 {
		tts = []string{"NONE"}
	}
	parts := make([]string, len(tts))
	for i, t := range tts {
		parts[i] = `{"Priority":` + itoa(i) + `,"Type":"` + t + `"}`
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func get(uri, query string, headers ...string) *Request {
	r := &Request{Method: "GET", URI: uri, RawQuery: query, ClientIP: netip.MustParseAddr("198.51.100.7"),
		Country: "FR", HTTPVersion: "HTTP/1.1", RequestID: "req-1"}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Headers = append(r.Headers, Header{headers[i], headers[i+1]})
	}
	return r
}

func post(uri, body string, headers ...string) *Request {
	r := get(uri, "", headers...)
	r.Method, r.Body, r.BodySize = "POST", []byte(body), int64(len(body))
	return r
}

func sp(s string) *string { return &s }

const groupARN = "arn:aws:wafv2:us-east-1:123456789012:global/rulegroup/shop-rules/g1"

func testResources() Resources {
	bad := &types.IPSet{ARN: sp("arn:aws:wafv2:us-east-1:123456789012:global/ipset/bad/i1"), Id: sp("i1"), Name: sp("bad"),
		IPAddressVersion: "IPV4", Addresses: []string{"198.51.100.0/24", "203.0.113.200/32"}}
	bad6 := &types.IPSet{ARN: sp("arn:aws:wafv2:us-east-1:123456789012:global/ipset/bad6/i2"), Name: sp("bad6"),
		IPAddressVersion: "IPV6", Addresses: []string{"2001:db8::/32"}}
	agents := &types.RegexPatternSet{ARN: sp("arn:aws:wafv2:us-east-1:123456789012:global/regexpatternset/bad-agents/r1"), Name: sp("bad-agents"),
		RegularExpressionList: []types.Regex{{RegexString: sp("^sqlmap")}, {RegexString: sp("nikto")}}}
	var group types.RuleGroup
	if err := json.Unmarshal([]byte(`{"Name":"shop-rules","Id":"g1","ARN":"`+groupARN+`","Capacity":100,
		"CustomResponseBodies":{"gone":{"ContentType":"TEXT_PLAIN","Content":"gone"}},
		"Rules":[`+
		`{"Name":"g-count","Priority":0,"Statement":`+byteMatch("/cart", `{"UriPath":{}}`, "STARTS_WITH")+`,"Action":{"Count":{}},"RuleLabels":[{"Name":"cart"}],"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"g"}},`+
		`{"Name":"g-block","Priority":1,"Statement":`+byteMatch("/cart/admin", `{"UriPath":{}}`, "EXACTLY")+`,"Action":{"Block":{"CustomResponse":{"ResponseCode":404,"CustomResponseBodyKey":"gone"}}},"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"g"}},`+
		`{"Name":"g-label","Priority":2,"Statement":{"LabelMatchStatement":{"Scope":"LABEL","Key":"cart"}},"Action":{"Count":{}},"RuleLabels":[{"Name":"seen:cart"}],"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"g"}}
		]}`), &group); err != nil {
		panic(err)
	}
	return Resources{
		IPSets:           map[string]*types.IPSet{*bad.ARN: bad, "bad": bad, "bad6": bad6},
		RegexPatternSets: map[string]*types.RegexPatternSet{*agents.ARN: agents},
		RuleGroups:       map[string]*types.RuleGroup{groupARN: &group},
	}
}

func decodeInto(doc string, v any) error { return json.Unmarshal([]byte(doc), v) }
