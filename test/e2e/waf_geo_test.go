package e2e

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
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

// wafASNRecord is a record in GeoLite2-ASN shape.
func wafASNRecord(n uint32, org string) mmdbtype.Map {
	return mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(n), "autonomous_system_organization": mmdbtype.String(org)}
}

// TestWAFASN: AsnMatchStatement through the binary with --asn-db (a
// GeoLite2-ASN file): the client IP's ASN, ASN 0 for an address the
// database does not know, a forwarded IP's ASN, and clientAsn/forwardedAsn
// in the WAF log (API_AsnMatchStatement, waf-rule-statement-type-asn-match).
// Without --asn-db, validate and serve refuse the web ACL, naming the
// statement's path and the flag.
func TestWAFASN(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "asn.mmdb")
	writeWAFMMDB(t, db, "GeoLite2-ASN", map[string]mmdbtype.Map{
		"81.2.69.0/24":     wafASNRecord(64500, "Blocked Net"),
		"216.160.83.56/29": wafASNRecord(64501, "Forwarded Net"),
		"89.160.20.112/28": wafASNRecord(64502, "Other Net"),
	})
	app := newOrigin(t, "app", nil)
	const dist, aclID = "EWAFASN", "e4e4e4e4-0000-4000-8000-0000000000e4"
	arn := wafARN("webacl", "asn-acl", aclID)
	asn := func(fwd bool, list ...int64) obj {
		s := obj{"AsnList": list}
		if fwd {
			s["ForwardedIPConfig"] = obj{"HeaderName": "X-Client-IP", "FallbackBehavior": "NO_MATCH"}
		}
		return obj{"AsnMatchStatement": s}
	}
	docs := map[string]any{
		dist + ".json": configDoc(wafDist(app, arn)),
		"acl.json": wafWebACLDoc("asn-acl", aclID, obj{"Allow": obj{}}, nil,
			wafRule("block-as64500", 0, wafBlock, asn(false, 64500)),
			wafRule("count-unmapped", 1, wafCount, asn(false, 0)),
			wafRule("block-forwarded-as64501", 2, wafBlock, asn(true, 64501))),
	}

	t.Run("refused without --asn-db", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "config")
		writeDocs(t, dir, docs)
		state := t.TempDir()
		for _, args := range [][]string{
			{"validate", "--config", dir, "--self-signed", "--state-dir", state},
			{"serve", "--config", dir, "--self-signed", "--state-dir", state, "--log-dir", t.TempDir(),
				"--http", "127.0.0.1:0", "--https", "127.0.0.1:0", "--admin", "127.0.0.1:0"},
		} {
			code, _, stderr := runCmd(t, args...)
			if code != 1 {
				t.Errorf("openfront %s: exit %d, want 1; stderr:\n%s", args[0], code, stderr)
				continue
			}
			for _, want := range []string{"acl.json", "WebACL.Rules[0].Statement.AsnMatchStatement", "--asn-db",
				"WebACL.Rules[2].Statement.AsnMatchStatement"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("openfront %s: stderr does not name %q:\n%s", args[0], want, stderr)
				}
			}
		}
	})
	t.Run("validate accepts it with --asn-db", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "config")
		writeDocs(t, dir, docs)
		if code, _, stderr := runCmd(t, "validate", "--config", dir, "--self-signed", "--state-dir", t.TempDir(), "--asn-db", db); code != 0 {
			t.Errorf("openfront validate --asn-db: exit %d, want 0; stderr:\n%s", code, stderr)
		}
	})
	t.Run("a country database is not an ASN database", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "config")
		writeDocs(t, dir, docs)
		country := filepath.Join(t.TempDir(), "country.mmdb")
		writeMMDB(t, country, map[string][2]string{"81.2.69.0/24": {"GB", "United Kingdom"}})
		code, _, stderr := runCmd(t, "validate", "--config", dir, "--self-signed", "--state-dir", t.TempDir(), "--asn-db", country)
		if code == 0 || !strings.Contains(stderr, "--asn-db") || !strings.Contains(stderr, "not an ASN database") {
			t.Errorf("openfront validate --asn-db COUNTRY.mmdb: exit %d, want a refusal naming --asn-db; stderr:\n%s", code, stderr)
		}
	})

	wafDir := t.TempDir()
	e := startEdge(t, docs, "--trusted-proxy", "127.0.0.1/32", "--asn-db", db, "--waf-log-dir", wafDir)
	for _, tc := range []struct {
		name, client, forwarded string
		status                  int
		action, rule            string
		counted                 []string
		clientASN, fwdASN       string // "" when not logged
	}{
		{"client ASN listed", "81.2.69.170", "", 403, "BLOCK", "block-as64500", nil, "64500", ""},
		{"client ASN not listed", "89.160.20.120", "", 200, "ALLOW", "Default_Action", nil, "64502", ""},
		{"unmapped address is ASN 0", "192.0.2.44", "", 200, "ALLOW", "Default_Action", []string{"count-unmapped:COUNT"}, "0", ""},
		{"forwarded ASN listed", "89.160.20.120", "216.160.83.58", 403, "BLOCK", "block-forwarded-as64501", nil, "64502", "64501"},
		{"forwarded ASN not listed", "89.160.20.120", "81.2.69.1", 200, "ALLOW", "Default_Action", nil, "64502", "64500"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{"X-Forwarded-For": {tc.client}}
			if tc.forwarded != "" {
				h.Set("X-Client-IP", tc.forwarded)
			}
			r := e.do(t, request{Host: defaultDomain(dist), Target: "/asn", Header: h})
			if r.Status != tc.status {
				t.Errorf("status: got %d, want %d", r.Status, tc.status)
			}
			rec := waitWAFRecord(t, wafDir, r.ID())
			if rec.Action != tc.action || rec.TerminatingRuleID != tc.rule {
				t.Errorf("WAF record: got %s by %s, want %s by %s", rec.Action, rec.TerminatingRuleID, tc.action, tc.rule)
			}
			if got, want := fmt.Sprint(wafRuleList(rec.NonTerminatingMatchingRules)), fmt.Sprint(append([]string{}, tc.counted...)); got != want {
				t.Errorf("WAF record nonTerminatingMatchingRules: got %s, want %s", got, want)
			}
			if got := string(rec.ClientASN); got != tc.clientASN {
				t.Errorf("WAF record clientAsn: got %q, want %q\nrecord: %s", got, tc.clientASN, rec.raw)
			}
			if got := string(rec.ForwardedASN); got != tc.fwdASN {
				t.Errorf("WAF record forwardedAsn: got %q, want %q\nrecord: %s", got, tc.fwdASN, rec.raw)
			}
		})
	}
}
