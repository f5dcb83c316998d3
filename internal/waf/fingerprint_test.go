package waf

import (
	"encoding/json"
	"strings"
	"testing"
)

// Fingerprints of the tests: those of real captures (internal/clienthello).
const (
	curlJA3 = "456523fc94726331a4d5a2e1d40b2cd7"
	curlJA4 = "t13d3112h2_e8f1e7e78f70_f4b9272caa35"
	ffJA4   = "t12d1510h2_073e58a039a6_b5b8faed2b99"
)

// fakeTLS is a Request.TLS that counts how often it is asked.
type fakeTLS struct {
	ja3, ja4 string
	ok       bool
	calls    int
}

func (f *fakeTLS) JA3() (string, bool) { f.calls++; return f.ja3, f.ok }
func (f *fakeTLS) JA4() (string, bool) { f.calls++; return f.ja4, f.ok }

// over returns a GET of / that came over TLS with the given fingerprints.
func over(ja3, ja4 string) *Request {
	r := get("/", "")
	r.TLS = &fakeTLS{ja3: ja3, ja4: ja4, ok: true}
	return r
}

// noHello is a TLS request whose ClientHello was not recorded.
func noHello() *Request {
	r := get("/", "")
	r.TLS = &fakeTLS{}
	return r
}

func TestFingerprintFields(t *testing.T) {
	ja3 := func(fb string) string { return `{"JA3Fingerprint":{"FallbackBehavior":"` + fb + `"}}` }
	ja4 := func(fb string) string { return `{"JA4Fingerprint":{"FallbackBehavior":"` + fb + `"}}` }
	regex := func(field, re string) string {
		return `{"RegexMatchStatement":{"RegexString":"` + re + `","FieldToMatch":` + field + `,"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}`
	}
	size := func(field, op string, n int) string {
		return `{"SizeConstraintStatement":{"FieldToMatch":` + field + `,"ComparisonOperator":"` + op + `","Size":` + itoa(n) + `,"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}`
	}
	cases := []struct {
		name string
		stmt string
		r    *Request
		want bool
	}{
		{"JA3 exactly", byteMatch(curlJA3, ja3("NO_MATCH"), "EXACTLY"), over(curlJA3, curlJA4), true},
		{"JA3 another client", byteMatch(curlJA3, ja3("NO_MATCH"), "EXACTLY"), over("839bbe3ed07fed922ded5aaf714d6842", ffJA4), false},
		{"JA4 exactly", byteMatch(curlJA4, ja4("NO_MATCH"), "EXACTLY"), over(curlJA3, curlJA4), true},
		{"JA4 is not JA3", byteMatch(curlJA4, ja3("NO_MATCH"), "EXACTLY"), over(curlJA3, curlJA4), false},
		{"JA4 after UPPERCASE", byteMatch(strings.ToUpper(curlJA4), ja4("NO_MATCH"), "EXACTLY", "UPPERCASE"), over(curlJA3, curlJA4), true},
		{"JA4 starts with", byteMatch("t13d3112h2_", ja4("NO_MATCH"), "STARTS_WITH"), over(curlJA3, curlJA4), true},
		{"JA4 regex: TLS 1.2 or 1.3", regex(ja4("NO_MATCH"), "^t1[23]d"), over(curlJA3, ffJA4), true},
		{"JA4 is 36 characters", size(ja4("NO_MATCH"), "EQ", 36), over(curlJA3, curlJA4), true},
		{"JA3 is 32 characters", size(ja3("NO_MATCH"), "EQ", 32), over(curlJA3, curlJA4), true},

		// FallbackBehavior: plain HTTP, or a ClientHello that was not recorded.
		{"plain HTTP, MATCH", byteMatch(curlJA3, ja3("MATCH"), "EXACTLY"), get("/", ""), true},
		{"plain HTTP, NO_MATCH", byteMatch(curlJA3, ja3("NO_MATCH"), "EXACTLY"), get("/", ""), false},
		{"no ClientHello, MATCH", byteMatch(curlJA4, ja4("MATCH"), "EXACTLY"), noHello(), true},
		{"no ClientHello, NO_MATCH", byteMatch(curlJA4, ja4("NO_MATCH"), "EXACTLY"), noHello(), false},
		{"MATCH decides before the size test", size(ja4("MATCH"), "EQ", 0), get("/", ""), true},
		{"NOT of a fallback MATCH", `{"NotStatement":{"Statement":` + regex(ja4("MATCH"), "^t13") + `}}`, get("/", ""), false},
		{"NOT of a fallback NO_MATCH", `{"NotStatement":{"Statement":` + regex(ja4("NO_MATCH"), "^t13") + `}}`, get("/", ""), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := mustCompile(t, aclJSON("["+ruleJSON("fp", 0, tc.stmt, `{"Block":{}}`)+"]"), testResources())
			if !a.NeedsTLSFingerprints() {
				t.Error("NeedsTLSFingerprints: false for a web ACL that inspects one")
			}
			if got := a.Evaluate(tc.r, t0).Action == "BLOCK"; got != tc.want {
				t.Errorf("match: got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestFingerprintsLazy: a web ACL that does not inspect fingerprints never
// asks for them, and says so; one that does asks only when its rule runs.
func TestFingerprintsLazy(t *testing.T) {
	plain := mustCompile(t, aclJSON("["+ruleJSON("admin", 0, byteMatch("/admin", `{"UriPath":{}}`, "STARTS_WITH"), `{"Block":{}}`)+"]"), Resources{})
	if plain.NeedsTLSFingerprints() {
		t.Error("NeedsTLSFingerprints: true for a web ACL without fingerprints")
	}
	r := over(curlJA3, curlJA4)
	plain.Evaluate(r, t0)
	if n := r.TLS.(*fakeTLS).calls; n != 0 {
		t.Errorf("a web ACL without fingerprints asked for them %d times", n)
	}

	scoped := mustCompile(t, aclJSON("["+ruleJSON("fp", 0, `{"AndStatement":{"Statements":[`+
		byteMatch("/login", `{"UriPath":{}}`, "EXACTLY")+","+
		byteMatch(curlJA4, `{"JA4Fingerprint":{"FallbackBehavior":"NO_MATCH"}}`, "EXACTLY")+`]}}`, `{"Block":{}}`)+"]"), Resources{})
	scoped.Evaluate(r, t0)
	if n := r.TLS.(*fakeTLS).calls; n != 0 {
		t.Errorf("a request the AND statement rejects first asked for fingerprints %d times", n)
	}
	r.URI = "/login"
	if got := scoped.Evaluate(r, t0).Action; got != "BLOCK" {
		t.Errorf("/login with curl's JA4: got %s, want BLOCK", got)
	}

	// In a rule group, and in a rate-based rule's scope-down statement.
	for name, stmt := range map[string]string{
		"scope-down": `{"RateBasedStatement":{"Limit":100,"AggregateKeyType":"IP","ScopeDownStatement":` +
			byteMatch(curlJA3, `{"JA3Fingerprint":{"FallbackBehavior":"MATCH"}}`, "EXACTLY") + `}}`,
		"rate key": `{"RateBasedStatement":{"Limit":100,"AggregateKeyType":"CUSTOM_KEYS","CustomKeys":[{"JA4Fingerprint":{"FallbackBehavior":"NO_MATCH"}}]}}`,
	} {
		if a := rateACL(t, stmt); !a.NeedsTLSFingerprints() {
			t.Errorf("%s: NeedsTLSFingerprints false", name)
		}
	}
}

// TestFingerprintRateKeys: requests aggregate by fingerprint; without one,
// FallbackBehavior NO_MATCH leaves them uncounted and MATCH makes the
// statement match (API_RateLimitJA3Fingerprint, API_RateLimitJA4Fingerprint).
func TestFingerprintRateKeys(t *testing.T) {
	stmt := func(key, fb string) string {
		return `{"RateBasedStatement":{"Limit":10,"EvaluationWindowSec":60,"AggregateKeyType":"CUSTOM_KEYS","CustomKeys":[{"` + key +
			`":{"FallbackBehavior":"` + fb + `"}},{"HTTPMethod":{}}]}}`
	}
	t.Run("one counter per JA4", func(t *testing.T) {
		a := rateACL(t, stmt("JA4Fingerprint", "NO_MATCH"))
		for range 10 {
			a.Evaluate(over(curlJA3, curlJA4), t0)
		}
		if got := a.Evaluate(over("other", ffJA4), t0).Action; got != "ALLOW" {
			t.Errorf("another JA4 after 10 of curl's: got %s, want ALLOW (its own counter)", got)
		}
		v := a.Evaluate(over("other", curlJA4), t0)
		if v.Action != "BLOCK" {
			t.Fatalf("the 11th with curl's JA4 (another JA3): got %s, want BLOCK", v.Action)
		}
		want := []CustomValue{{Key: "JA4_FINGERPRINT", Value: curlJA4}, {Key: "HTTP_METHOD", Value: "GET"}}
		if got := v.RateBasedRuleList; len(got) != 1 || len(got[0].CustomValues) != 2 || got[0].CustomValues[0] != want[0] || got[0].CustomValues[1] != want[1] {
			t.Errorf("rateBasedRuleList: got %+v, want customValues %+v", got, want)
		}
	})
	t.Run("one counter per JA3", func(t *testing.T) {
		a := rateACL(t, stmt("JA3Fingerprint", "NO_MATCH"))
		for range 10 {
			a.Evaluate(over(curlJA3, curlJA4), t0)
		}
		if got := a.Evaluate(over(curlJA3, ffJA4), t0).Action; got != "BLOCK" {
			t.Errorf("the 11th with curl's JA3 (another JA4): got %s, want BLOCK", got)
		}
	})
	for _, tc := range []struct {
		fb   string
		r    func() *Request
		want string
	}{
		{"NO_MATCH", func() *Request { return get("/", "") }, "ALLOW"},
		{"NO_MATCH", noHello, "ALLOW"},
		{"MATCH", func() *Request { return get("/", "") }, "BLOCK"},
		{"MATCH", noHello, "BLOCK"},
	} {
		t.Run("without a fingerprint, "+tc.fb, func(t *testing.T) {
			a := rateACL(t, stmt("JA3Fingerprint", tc.fb))
			for i := range 12 {
				if got := a.Evaluate(tc.r(), t0).Action; got != tc.want {
					t.Fatalf("request %d: got %s, want %s", i, got, tc.want)
				}
			}
			if n := a.rates[0].keysTracked(); n != 0 {
				t.Errorf("%d keys tracked, want none: requests without the key are not counted", n)
			}
		})
	}
}

// TestFingerprintLog: the record carries ja3Fingerprint and ja4Fingerprint
// when the request has them, whatever the rules, and leaves them out
// otherwise.
func TestFingerprintLog(t *testing.T) {
	a := mustCompile(t, aclJSON("[]"), Resources{})
	for _, tc := range []struct {
		name     string
		r        *Request
		ja3, ja4 string
	}{
		{"HTTPS", over(curlJA3, curlJA4), curlJA3, curlJA4},
		{"plain HTTP", get("/", ""), "", ""},
		{"no ClientHello", noHello(), "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := a.LogRecord(tc.r, a.Evaluate(tc.r, t0), t0, testARN, "EDIST")
			var rec map[string]any
			if err := json.Unmarshal(b, &rec); err != nil {
				t.Fatal(err)
			}
			for field, want := range map[string]string{"ja3Fingerprint": tc.ja3, "ja4Fingerprint": tc.ja4} {
				got, present := rec[field]
				if want == "" && present {
					t.Errorf("%s: got %v, want it left out", field, got)
				}
				if want != "" && got != want {
					t.Errorf("%s: got %v, want %s", field, got, want)
				}
			}
		})
	}
}

// TestFingerprintNoAlloc: matching a fingerprint allocates nothing.
func TestFingerprintNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	a := mustCompile(t, aclJSON("["+
		ruleJSON("ja3", 0, byteMatch(curlJA3, `{"JA3Fingerprint":{"FallbackBehavior":"NO_MATCH"}}`, "EXACTLY"), `{"Block":{}}`)+","+
		ruleJSON("ja4", 1, `{"RegexMatchStatement":{"RegexString":"^t1[23]","FieldToMatch":{"JA4Fingerprint":{"FallbackBehavior":"MATCH"}},"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}`, `{"Count":{}}`)+"]"), Resources{})
	r := over("839bbe3ed07fed922ded5aaf714d6842", ffJA4)
	var v Verdict
	a.EvaluateInto(r, t0, &v)
	if n := testing.AllocsPerRun(100, func() { a.EvaluateInto(r, t0, &v) }); n != 0 {
		t.Errorf("%v allocations per evaluation, want 0", n)
	}
}
