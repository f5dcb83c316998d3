package waf

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// bigIPSet returns an IP set of n distinct /24 and /32 CIDRs, none of which
// holds 198.51.100.7 (the benign client).
func bigIPSet(n int) *types.IPSet {
	s := &types.IPSet{ARN: sp("arn:aws:wafv2:us-east-1:123456789012:global/ipset/big/b1"), Name: sp("big"), IPAddressVersion: "IPV4"}
	for i := range n {
		if i%2 == 0 {
			s.Addresses = append(s.Addresses, fmt.Sprintf("%d.%d.%d.0/24", 11+i%50, (i/50)%256, i%256))
		} else {
			s.Addresses = append(s.Addresses, fmt.Sprintf("100.%d.%d.%d/32", (i/65536)%64, (i/256)%256, i%256))
		}
	}
	return s
}

func benchACL(tb testing.TB) *ACL { return benchACLWith(tb, true) }

// benchACLWith builds the 10-rule ACL; without injection it replaces the
// SQLi and XSS rules (libinjection-go, which allocates on a memo miss) by
// byte matches, to measure the evaluator without the detectors.
func benchACLWith(tb testing.TB, injection bool) *ACL {
	res := testResources()
	res.IPSets["big"] = bigIPSet(10000)
	both := func(kind string) string {
		return `{"OrStatement":{"Statements":[{"` + kind + `":{"FieldToMatch":{"QueryString":{}},"TextTransformations":[{"Priority":0,"Type":"URL_DECODE"},{"Priority":1,"Type":"HTML_ENTITY_DECODE"}]}},` +
			`{"` + kind + `":{"FieldToMatch":{"Body":{"OversizeHandling":"CONTINUE"}},"TextTransformations":[{"Priority":0,"Type":"URL_DECODE"}]}}]}}`
	}
	block := `{"Block":{}}`
	inj := func(s string) string {
		if injection {
			return s
		}
		return byteMatch("<script", `{"QueryString":{}}`, "CONTAINS", "URL_DECODE", "LOWERCASE")
	}
	rules := "[" + ruleJSON("ipset", 0, `{"IPSetReferenceStatement":{"ARN":"big"}}`, block) + "," +
		ruleJSON("geo", 1, `{"GeoMatchStatement":{"CountryCodes":["KP","IR"]}}`, block) + "," +
		ruleJSON("admin", 2, byteMatch("/admin", `{"UriPath":{}}`, "STARTS_WITH", "LOWERCASE"), block) + "," +
		ruleJSON("ua", 3, byteMatch("masscan", `{"SingleHeader":{"Name":"user-agent"}}`, "CONTAINS", "LOWERCASE"), block) + "," +
		ruleJSON("agents", 4, `{"RegexPatternSetReferenceStatement":{"ARN":"arn:aws:wafv2:us-east-1:123456789012:global/regexpatternset/bad-agents/r1","FieldToMatch":{"SingleHeader":{"Name":"user-agent"}},"TextTransformations":[{"Priority":0,"Type":"LOWERCASE"}]}}`, block) + "," +
		ruleJSON("size", 5, `{"SizeConstraintStatement":{"FieldToMatch":{"QueryString":{}},"ComparisonOperator":"GT","Size":4096,"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}`, block) + "," +
		ruleJSON("sqli", 6, inj(both("SqliMatchStatement")), block) + "," +
		ruleJSON("xss", 7, inj(both("XssMatchStatement")), block) + "," +
		ruleJSON("rate", 8, `{"RateBasedStatement":{"Limit":2000000000,"EvaluationWindowSec":300,"AggregateKeyType":"IP"}}`, block) + "," +
		ruleJSON("label", 9, `{"LabelMatchStatement":{"Scope":"LABEL","Key":"awswaf:clientip:geo:country:KP"}}`, block) + "]"
	return mustCompile(tb, aclJSON(rules), res)
}

func benignRequest() *Request {
	r := get("/products/42", "page=2&sort=asc&q=blue+shoes",
		"Host", "d111111abcdef8.cloudfront.net", "User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
		"Accept", "text/html,application/xhtml+xml", "Accept-Language", "en-GB,en;q=0.8", "Cookie", "session=abc123; theme=dark")
	r.Method, r.Body, r.BodySize = "POST", []byte("name=Jane+Doe&comment=Great+product%2C+thanks"), 45
	return r
}

func TestBenignEvaluationAllocs(t *testing.T) {
	for _, tc := range []struct {
		name      string
		injection bool
	}{
		{"byte matches only", false},
		// SQLi and XSS verdicts come from the memo once a value was seen.
		{"with SQLi and XSS", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := benchACLWith(t, tc.injection)
			r := benignRequest()
			var v Verdict
			a.EvaluateInto(r, t0, &v)
			if v.Action != "ALLOW" {
				t.Fatalf("got %v (%s), want ALLOW", v.Action, v.TerminatingRuleID)
			}
			if raceEnabled {
				t.Skip("allocation counts are meaningless under -race")
			}
			if n := testing.AllocsPerRun(200, func() { a.EvaluateInto(r, t0, &v) }); n != 0 {
				t.Errorf("got %v allocs, want 0", n)
			}
		})
	}
}

func BenchmarkEvaluateBenign(b *testing.B) {
	a := benchACL(b)
	r := benignRequest()
	var v Verdict
	b.ReportAllocs()
	for b.Loop() {
		a.EvaluateInto(r, t0, &v)
	}
}

func BenchmarkEvaluateBenignNoInjection(b *testing.B) {
	a := benchACLWith(b, false)
	r := benignRequest()
	var v Verdict
	b.ReportAllocs()
	for b.Loop() {
		a.EvaluateInto(r, t0, &v)
	}
}

// BenchmarkEvaluateBenignFreshQuery is the memo's miss path: every request
// carries a query string never seen before, so SQLi and XSS run
// libinjection on it (the body repeats and is remembered).
func BenchmarkEvaluateBenignFreshQuery(b *testing.B) {
	a := benchACL(b)
	r := benignRequest()
	q := []byte("page=2&sort=asc&q=blue+shoes&n=00000000")
	r.RawQuery = ustr(q) // rewritten in place below; the memo copies what it keeps
	var v Verdict
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		for i, x := len(q)-1, n; i >= len(q)-8; i, x = i-1, x/10 {
			q[i] = byte('0' + x%10)
		}
		a.EvaluateInto(r, t0, &v)
	}
}

func BenchmarkIPSetLookup(b *testing.B) {
	set, err := newIPSet("", bigIPSet(10000))
	if err != nil {
		b.Fatal(err)
	}
	addrs := []netip.Addr{netip.MustParseAddr("198.51.100.7"), netip.MustParseAddr("100.0.17.9"), netip.MustParseAddr("30.3.3.3"), netip.MustParseAddr("2001:db8::1")}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		set.contains(addrs[i&3])
		i++
	}
}

func TestBigIPSet(t *testing.T) {
	set, err := newIPSet("", bigIPSet(10000))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		ip   string
		want bool
	}{{"198.51.100.7", false}, {"100.0.0.1", true}, {"100.0.0.2", false}, {"11.0.0.255", true}, {"11.0.1.0", false}, {"::ffff:100.0.0.1", true}}
	for _, tc := range cases {
		if got := set.contains(netip.MustParseAddr(tc.ip)); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.ip, got, tc.want)
		}
	}
}
