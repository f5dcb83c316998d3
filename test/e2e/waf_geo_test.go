package e2e

import (
	"fmt"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// TestWAFGeoRegion: with a City database (--geoip), a geo match labels
// each request with its country and its ISO 3166-2 region, for the client
// IP and for a forwarded IP, and label match rules act on the region
// labels (API_GeoMatchStatement).
func TestWAFGeoRegion(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "city.mmdb")
	writeWAFMMDB(t, db, "GeoIP2-City", map[string]mmdbtype.Map{
		"81.2.69.0/24":     wafCityRecord("GB", "United Kingdom", "ENG"),
		"216.160.83.56/29": wafCityRecord("US", "United States", "WA"),
		"89.160.20.112/28": wafCityRecord("SE", "Sweden", ""),
	})
	app := newOrigin(t, "app", nil)
	const dist, aclID = "EWAFREGION", "e2e2e2e2-0000-4000-8000-0000000000e2"
	arn := wafARN("webacl", "region-acl", aclID)
	label := func(key string) obj { return obj{"LabelMatchStatement": obj{"Scope": "LABEL", "Key": key}} }
	wafDir := t.TempDir()
	e := startEdge(t, map[string]any{
		dist + ".json": configDoc(wafDist(app, arn)),
		"acl.json": wafWebACLDoc("region-acl", aclID, obj{"Allow": obj{}}, nil,
			wafRule("geo-client", 0, wafBlock, obj{"GeoMatchStatement": obj{"CountryCodes": []string{"JP"}}}),
			wafRule("geo-forwarded", 1, wafBlock, obj{"GeoMatchStatement": obj{"CountryCodes": []string{"JP"},
				"ForwardedIPConfig": obj{"HeaderName": "X-Client-IP", "FallbackBehavior": "NO_MATCH"}}}),
			wafRule("block-wa", 2, wafBlock, label("awswaf:clientip:geo:region:US-WA")),
			wafRule("block-forwarded-eng", 3, wafBlock, label("awswaf:forwardedip:geo:region:GB-ENG"))),
	}, "--trusted-proxy", "127.0.0.1/32", "--geoip", db, "--waf-log-dir", wafDir)

	const (
		ukClient  = "awswaf:clientip:geo:country:GB"
		ukRegion  = "awswaf:clientip:geo:region:GB-ENG"
		usClient  = "awswaf:clientip:geo:country:US"
		waClient  = "awswaf:clientip:geo:region:US-WA"
		seClient  = "awswaf:clientip:geo:country:SE"
		ukFwd     = "awswaf:forwardedip:geo:country:GB"
		engFwd    = "awswaf:forwardedip:geo:region:GB-ENG"
		usFwd     = "awswaf:forwardedip:geo:country:US"
		waFwd     = "awswaf:forwardedip:geo:region:US-WA"
		ukIP      = "81.2.69.170"
		waIP      = "216.160.83.58"
		swedenIP  = "89.160.20.120"
		unknownIP = "192.0.2.44"
	)
	for _, tc := range []struct {
		name, client, forwarded string
		status                  int
		action, rule            string
		labels                  []string
	}{
		{"client region label blocks", waIP, "", 403, "BLOCK", "block-wa", []string{usClient, waClient}},
		{"client region labelled, allowed", ukIP, "", 200, "ALLOW", "Default_Action", []string{ukClient, ukRegion}},
		{"no region known: country only", swedenIP, "", 200, "ALLOW", "Default_Action", []string{seClient}},
		{"unknown address: no label", unknownIP, "", 200, "ALLOW", "Default_Action", []string{}},
		{"forwarded region label blocks", swedenIP, ukIP, 403, "BLOCK", "block-forwarded-eng", []string{seClient, ukFwd, engFwd}},
		{"forwarded region labelled, allowed", swedenIP, waIP, 200, "ALLOW", "Default_Action", []string{seClient, usFwd, waFwd}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{"X-Forwarded-For": {tc.client}}
			if tc.forwarded != "" {
				h.Set("X-Client-IP", tc.forwarded)
			}
			r := e.do(t, request{Host: defaultDomain(dist), Target: "/region", Header: h})
			if r.Status != tc.status {
				t.Errorf("status: got %d, want %d", r.Status, tc.status)
			}
			rec := waitWAFRecord(t, wafDir, r.ID())
			if rec.Action != tc.action || rec.TerminatingRuleID != tc.rule {
				t.Errorf("WAF record: got %s by %s, want %s by %s", rec.Action, rec.TerminatingRuleID, tc.action, tc.rule)
			}
			if got, want := fmt.Sprint(rec.labels()), fmt.Sprint(tc.labels); got != want {
				t.Errorf("WAF record labels: got %s, want %s\nrecord: %s", got, want, rec.raw)
			}
		})
	}
}
