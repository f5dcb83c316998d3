package waf

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
)

// testASNs answers by network: "198.51.100.0/24" → 64500; anything else 0.
type testASNs map[string]uint32

func (t testASNs) ASN(a netip.Addr) uint32 {
	for p, n := range t {
		if netip.MustParsePrefix(p).Contains(a) {
			return n
		}
	}
	return 0
}

var asnDB = testASNs{"198.51.100.0/24": 64500, "192.0.2.0/24": 64501}

func TestASNMatch(t *testing.T) {
	client := `{"AsnMatchStatement":{"AsnList":[64500,64999]}}`
	fwd := func(fb string) string {
		return `{"AsnMatchStatement":{"AsnList":[64501],"ForwardedIPConfig":{"HeaderName":"X-Client-IP","FallbackBehavior":"` + fb + `"}}}`
	}
	unknown := `{"AsnMatchStatement":{"AsnList":[0]}}`
	withIP := func(ip string, h ...string) *Request {
		r := get("/", "", h...)
		r.ClientIP = netip.MustParseAddr(ip)
		return r
	}
	cases := []struct {
		name, stmt string
		req        *Request
		want       string
		clientASN  string // the record's clientAsn, "" when absent
		fwdASN     string
	}{
		{"client ASN listed", client, withIP("198.51.100.7"), "BLOCK", "64500", ""},
		{"client ASN not listed", client, withIP("192.0.2.1"), "ALLOW", "64501", ""},
		{"unmapped address is ASN 0", unknown, withIP("203.0.113.9"), "BLOCK", "0", ""},
		{"ASN 0 does not match a mapped address", unknown, withIP("198.51.100.7"), "ALLOW", "64500", ""},
		{"forwarded ASN listed", fwd("NO_MATCH"), withIP("198.51.100.7", "X-Client-IP", "192.0.2.44"), "BLOCK", "", "64501"},
		{"forwarded ASN not listed", fwd("NO_MATCH"), withIP("192.0.2.1", "X-Client-IP", "198.51.100.44"), "ALLOW", "", "64500"},
		{"forwarded IP missing: NO_MATCH", fwd("NO_MATCH"), withIP("192.0.2.1"), "ALLOW", "", ""},
		{"forwarded IP invalid: MATCH", fwd("MATCH"), withIP("198.51.100.7", "X-Client-IP", "bogus"), "BLOCK", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := mustCompile(t, aclJSON("["+ruleJSON("asn", 0, tc.stmt, `{"Block":{}}`)+"]"), Resources{}, WithASNDatabase(asnDB))
			v := a.Evaluate(tc.req, t0)
			if v.Action != tc.want {
				t.Errorf("got %v, want %v", v.Action, tc.want)
			}
			var rec map[string]json.RawMessage
			if err := json.Unmarshal(a.LogRecord(tc.req, v, t0, a.ARN(), "E1"), &rec); err != nil {
				t.Fatal(err)
			}
			if got := string(rec["clientAsn"]); got != tc.clientASN {
				t.Errorf("clientAsn: got %q, want %q", got, tc.clientASN)
			}
			if got := string(rec["forwardedAsn"]); got != tc.fwdASN {
				t.Errorf("forwardedAsn: got %q, want %q", got, tc.fwdASN)
			}
		})
	}
	t.Run("no ASN statement: no ASN logged", func(t *testing.T) {
		a := mustCompile(t, aclJSON("["+ruleJSON("b", 0, byteMatch("/x", `{"UriPath":{}}`, "EXACTLY"), `{"Block":{}}`)+"]"), Resources{}, WithASNDatabase(asnDB))
		r := withIP("198.51.100.7")
		if rec := string(a.LogRecord(r, a.Evaluate(r, t0), t0, a.ARN(), "E1")); strings.Contains(rec, "Asn") {
			t.Errorf("got %s, want no clientAsn/forwardedAsn", rec)
		}
	})
	t.Run("nested in a rule group", func(t *testing.T) {
		res := testResources()
		var g = *res.RuleGroups[groupARN]
		g.Rules = nil
		if err := decodeInto(`[`+ruleJSON("asn", 0, `{"NotStatement":{"Statement":`+client+`}}`, `{"Block":{}}`)+`]`, &g.Rules); err != nil {
			t.Fatal(err)
		}
		res.RuleGroups[groupARN] = &g
		a := mustCompile(t, aclJSON("["+groupRule("shop", 0, `{"None":{}}`, "")+"]"), res, WithASNDatabase(asnDB))
		if v := a.Evaluate(withIP("192.0.2.1"), t0); v.Action != "BLOCK" {
			t.Errorf("got %v, want BLOCK (not AS64500)", v.Action)
		}
	})
	if raceEnabled {
		return
	}
	a := mustCompile(t, aclJSON("["+ruleJSON("asn", 0, client, `{"Block":{}}`)+"]"), Resources{}, WithASNDatabase(testASNsFast{}))
	r := withIP("192.0.2.1")
	var v Verdict
	if n := testing.AllocsPerRun(100, func() { a.EvaluateInto(r, t0, &v) }); n != 0 {
		t.Errorf("an ASN match allocates %v times, want 0", n)
	}
}

type testASNsFast struct{}

func (testASNsFast) ASN(netip.Addr) uint32 { return 64501 }

func TestASNCompileErrors(t *testing.T) {
	for _, tc := range []struct {
		name, stmt string
		db         bool
		want       string
	}{
		{"no database", `{"AsnMatchStatement":{"AsnList":[64500]}}`, false,
			"Rules[0].Statement.AsnMatchStatement: needs an ASN database, and none is loaded (start openfront with --asn-db FILE.mmdb"},
		{"no database, nested", `{"NotStatement":{"Statement":{"AsnMatchStatement":{"AsnList":[64500]}}}}`, false,
			"Rules[0].Statement.NotStatement.Statement.AsnMatchStatement: needs an ASN database"},
		{"empty list", `{"AsnMatchStatement":{"AsnList":[]}}`, true, "AsnMatchStatement.AsnList: must hold 1 to 100 numbers, got 0"},
		{"out of range", `{"AsnMatchStatement":{"AsnList":[4294967296]}}`, true, "AsnMatchStatement.AsnList[0]: 4294967296 is not an ASN"},
		{"bad fallback", `{"AsnMatchStatement":{"AsnList":[1],"ForwardedIPConfig":{"HeaderName":"X-Client-IP","FallbackBehavior":"MAYBE"}}}`, true,
			"AsnMatchStatement.ForwardedIPConfig.FallbackBehavior: must be MATCH or NO_MATCH"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []Option
			if tc.db {
				opts = append(opts, WithASNDatabase(asnDB))
			}
			_, err := Compile(decodeACL(t, aclJSON("["+ruleJSON("asn", 0, tc.stmt, `{"Block":{}}`)+"]")), Resources{}, opts...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
