package waf

import (
	"net/netip"
	"reflect"
	"testing"
)

// TestGeoLabels: a geo match labels every request it inspects with the
// country and, when the database knows it, the region, for the client IP
// or the forwarded IP (API_GeoMatchStatement), whether or not it matches.
func TestGeoLabels(t *testing.T) {
	loc := testLocator{
		"198.51.100.0/24": {"FR", "IDF"}, // the client of get()
		"192.0.2.0/24":    {"GB", "ENG"},
		"203.0.113.0/24":  {"US", ""},    // no region known
		"100.64.0.0/24":   {"DE", "B-W"}, // not an ISO 3166-2 code: no region label
		"100.64.1.0/24":   {"IT", ""},
	}
	plain := `{"GeoMatchStatement":{"CountryCodes":["FR"]}}`
	fwd := `{"GeoMatchStatement":{"CountryCodes":["GB"],"ForwardedIPConfig":{"HeaderName":"X-Client-IP","FallbackBehavior":"NO_MATCH"}}}`
	cases := []struct {
		name, stmt string
		geo        Locator
		client     string // "" keeps 198.51.100.7 (FR)
		fwdIP      string
		want       string
		labels     []string
	}{
		{"client country and region", plain, loc, "", "", "BLOCK",
			[]string{"awswaf:clientip:geo:country:FR", "awswaf:clientip:geo:region:FR-IDF"}},
		{"no database: country only", plain, nil, "", "", "BLOCK",
			[]string{"awswaf:clientip:geo:country:FR"}},
		{"forwarded IP", fwd, loc, "", "192.0.2.9", "BLOCK",
			[]string{"awswaf:forwardedip:geo:country:GB", "awswaf:forwardedip:geo:region:GB-ENG"}},
		{"forwarded IP without a region", fwd, loc, "", "203.0.113.1", "ALLOW",
			[]string{"awswaf:forwardedip:geo:country:US"}},
		{"forwarded IP, invalid region", fwd, loc, "", "100.64.0.1", "ALLOW",
			[]string{"awswaf:forwardedip:geo:country:DE"}},
		{"forwarded IP unknown", fwd, loc, "", "10.0.0.1", "ALLOW", nil},
		// The edge's country wins: a region the database puts in another
		// country (a reload between the two lookups) is not used.
		{"region of another country", plain, loc, "100.64.1.1", "", "BLOCK",
			[]string{"awswaf:clientip:geo:country:FR"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := mustCompile(t, aclJSON("["+ruleJSON("geo", 0, tc.stmt, `{"Block":{}}`)+"]"), Resources{})
			r := get("/", "")
			r.Geo = tc.geo
			if tc.client != "" {
				r.ClientIP = netip.MustParseAddr(tc.client)
			}
			if tc.fwdIP != "" {
				r.Headers = append(r.Headers, Header{"X-Client-IP", tc.fwdIP})
			}
			v := a.Evaluate(r, t0)
			if v.Action != tc.want {
				t.Errorf("action: got %v, want %v", v.Action, tc.want)
			}
			if !reflect.DeepEqual(v.Labels, tc.labels) {
				t.Errorf("labels: got %q, want %q", v.Labels, tc.labels)
			}
		})
	}
}

// TestGeoRegionLabelMatch: a label match on a region label sees it, and
// the client's region is looked up once however many geo matches run.
func TestGeoRegionLabelMatch(t *testing.T) {
	rules := "[" + ruleJSON("geo1", 0, `{"GeoMatchStatement":{"CountryCodes":["US"]}}`, `{"Count":{}}`) + "," +
		ruleJSON("geo2", 1, `{"GeoMatchStatement":{"CountryCodes":["DE"]}}`, `{"Count":{}}`) + "," +
		ruleJSON("idf", 2, `{"LabelMatchStatement":{"Scope":"LABEL","Key":"awswaf:clientip:geo:region:FR-IDF"}}`, `{"Block":{}}`) + "]"
	a := mustCompile(t, aclJSON(rules), Resources{})
	loc := &countingLocator{l: testLocator{"198.51.100.0/24": {"FR", "IDF"}}}
	r := get("/", "")
	r.Geo = loc
	if v := a.Evaluate(r, t0); v.Action != "BLOCK" || v.TerminatingRuleID != "idf" {
		t.Errorf("got %v by %s, want BLOCK by idf (labels %v)", v.Action, v.TerminatingRuleID, v.Labels)
	}
	if loc.n != 1 {
		t.Errorf("the client's region was looked up %d times, want once", loc.n)
	}
	if raceEnabled {
		return
	}
	var v Verdict
	if n := testing.AllocsPerRun(100, func() { a.EvaluateInto(r, t0, &v) }); n != 0 {
		t.Errorf("labelling with a region allocates %v times, want 0", n)
	}
}

type countingLocator struct {
	l Locator
	n int
}

func (c *countingLocator) Region(a netip.Addr) (string, string) {
	c.n++
	return c.l.Region(a)
}

func TestRegionLabel(t *testing.T) {
	gb := countryIndex("GB")
	for _, tc := range []struct {
		fam  int
		rr   string
		want string
	}{
		{0, "ENG", "awswaf:clientip:geo:region:GB-ENG"},
		{1, "ENG", "awswaf:forwardedip:geo:region:GB-ENG"},
		{0, "1", "awswaf:clientip:geo:region:GB-1"},
		{0, "", ""},
		{0, "ENGL", ""},
		{0, "E-G", ""},
		{0, "É", ""},
	} {
		for range 2 { // built, then interned
			if got := regionLabel(tc.fam, gb, tc.rr); got != tc.want {
				t.Errorf("regionLabel(%d, GB, %q) = %q, want %q", tc.fam, tc.rr, got, tc.want)
			}
		}
	}
}
