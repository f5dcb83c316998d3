package waf

import (
	"net/netip"
	"testing"
	"time"
)

func rateACL(t *testing.T, stmt string, opts ...Option) *ACL {
	return mustCompile(t, aclJSON("["+ruleJSON("rate", 0, stmt, `{"Block":{}}`)+"]"), Resources{}, opts...)
}

func TestRateSlidingWindow(t *testing.T) {
	a := rateACL(t, `{"RateBasedStatement":{"Limit":10,"EvaluationWindowSec":60,"AggregateKeyType":"IP"}}`)
	r := get("/", "")
	now := t0.Truncate(10 * time.Second)
	steps := []struct {
		at   time.Duration
		n    int
		want string
	}{
		{0, 10, "ALLOW"},                // 10 in the window: at the limit, not over it
		{5 * time.Second, 1, "BLOCK"},   // 11, same 10 s slot
		{30 * time.Second, 1, "BLOCK"},  // 12
		{61 * time.Second, 1, "ALLOW"},  // the first slot (11) slid out: 1 + 1 = 2
		{65 * time.Second, 9, "BLOCK"},  // 2 + 9 = 11
		{200 * time.Second, 1, "ALLOW"}, // everything expired
	}
	for i, s := range steps {
		var got string
		for range s.n {
			got = a.Evaluate(r, now.Add(s.at)).Action
		}
		if got != s.want {
			t.Errorf("step %d: got %v, want %v", i, got, s.want)
		}
	}
}

func TestRateKeys(t *testing.T) {
	cases := []struct {
		name string
		stmt string
		a, b *Request
		same bool // whether a and b share a counter
	}{
		{"ip", `{"RateBasedStatement":{"Limit":10,"AggregateKeyType":"IP"}}`, get("/", ""), &Request{ClientIP: netip.MustParseAddr("192.0.2.1")}, false},
		{"constant", `{"RateBasedStatement":{"Limit":10,"AggregateKeyType":"CONSTANT","ScopeDownStatement":` + byteMatch("/", `{"UriPath":{}}`, "STARTS_WITH") + `}}`, get("/a", ""), &Request{URI: "/b", ClientIP: netip.MustParseAddr("192.0.2.1")}, true},
		{"forwarded ip", `{"RateBasedStatement":{"Limit":10,"AggregateKeyType":"FORWARDED_IP","ForwardedIPConfig":{"HeaderName":"X-Forwarded-For","FallbackBehavior":"NO_MATCH"}}}`, get("/", "", "X-Forwarded-For", "192.0.2.9"), get("/", "", "X-Forwarded-For", "192.0.2.9, 10.0.0.1"), true},
		{"custom header", `{"RateBasedStatement":{"Limit":10,"AggregateKeyType":"CUSTOM_KEYS","CustomKeys":[{"Header":{"Name":"dogname","TextTransformations":[{"Priority":0,"Type":"LOWERCASE"}]}}]}}`, get("/", "", "dogname", "Ella"), get("/", "", "DogName", "ella"), true},
		{"custom header differs", `{"RateBasedStatement":{"Limit":10,"AggregateKeyType":"CUSTOM_KEYS","CustomKeys":[{"Header":{"Name":"dogname","TextTransformations":[{"Priority":0,"Type":"NONE"}]}},{"HTTPMethod":{}}]}}`, get("/", "", "dogname", "ella"), post("/", "", "dogname", "ella"), false},
		{"custom query arg and path", `{"RateBasedStatement":{"Limit":10,"AggregateKeyType":"CUSTOM_KEYS","CustomKeys":[{"QueryArgument":{"Name":"k","TextTransformations":[{"Priority":0,"Type":"NONE"}]}},{"UriPath":{"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}]}}`, get("/p", "k=1&x=2"), get("/p", "x=3&k=1"), true},
		{"custom cookie", `{"RateBasedStatement":{"Limit":10,"AggregateKeyType":"CUSTOM_KEYS","CustomKeys":[{"Cookie":{"Name":"sid","TextTransformations":[{"Priority":0,"Type":"NONE"}]}}]}}`, get("/", "", "Cookie", "sid=1"), get("/", "", "Cookie", "a=2; sid=1"), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			acl := rateACL(t, tc.stmt)
			for range 10 {
				acl.Evaluate(tc.a, t0)
			}
			got := acl.Evaluate(tc.b, t0).Action == "BLOCK"
			if got != tc.same {
				t.Errorf("got shared counter %v, want %v", got, tc.same)
			}
		})
	}
}

func TestRateMissingKeyNotCounted(t *testing.T) {
	acl := rateACL(t, `{"RateBasedStatement":{"Limit":10,"AggregateKeyType":"CUSTOM_KEYS","CustomKeys":[{"Header":{"Name":"dogname","TextTransformations":[{"Priority":0,"Type":"NONE"}]}}]}}`)
	for range 20 {
		if got := acl.Evaluate(get("/", ""), t0).Action; got != "ALLOW" {
			t.Fatalf("got %v, want %v", got, "ALLOW")
		}
	}
	if n := acl.rates[0].keysTracked(); n != 0 {
		t.Errorf("got %v keys, want %v", n, 0)
	}
}

func TestRateEvictionBound(t *testing.T) {
	acl := rateACL(t, `{"RateBasedStatement":{"Limit":10,"AggregateKeyType":"IP"}}`, WithRateKeyLimit(50))
	for i := range 1000 {
		r := &Request{ClientIP: netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})}
		acl.Evaluate(r, t0.Add(time.Duration(i)*time.Second))
	}
	if n := acl.rates[0].keysTracked(); n > 50 {
		t.Errorf("got %v keys, want at most %v", n, 50)
	}
}

func TestRateLogEntry(t *testing.T) {
	acl := rateACL(t, `{"RateBasedStatement":{"Limit":10,"EvaluationWindowSec":120,"AggregateKeyType":"CUSTOM_KEYS","CustomKeys":[{"Header":{"Name":"dogname","TextTransformations":[{"Priority":0,"Type":"NONE"}]}}]}}`)
	var v Verdict
	for range 11 {
		v = acl.Evaluate(get("/", "", "dogname", "ella"), t0)
	}
	if v.TerminatingRuleType != "RATE_BASED" || len(v.RateBasedRuleList) != 1 {
		t.Fatalf("got %v/%v, want RATE_BASED with one entry", v.TerminatingRuleType, v.RateBasedRuleList)
	}
	got := v.RateBasedRuleList[0]
	want := CustomValue{Key: "HEADER", Name: "dogname", Value: "ella"}
	if got.LimitKey != "CUSTOMKEYS" || len(got.CustomValues) != 1 || got.CustomValues[0] != want {
		t.Errorf("got %+v, want CUSTOMKEYS %v", got, want)
	}
}
