package e2e

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	wafJA3Re = regexp.MustCompile(`^[0-9a-f]{32}$`)
	wafJA4Re = regexp.MustCompile(`^t13d\d{4}(h2|00)_[0-9a-f]{12}_[0-9a-f]{12}$`)
)

// wafFingerprintField is a JA3Fingerprint or JA4Fingerprint FieldToMatch.
func wafFingerprintField(kind, fallback string) obj {
	return obj{kind + "Fingerprint": obj{"FallbackBehavior": fallback}}
}

// wafLacksFingerprints fails unless the record leaves out ja3Fingerprint
// and ja4Fingerprint (a plain HTTP request has no ClientHello).
func wafLacksFingerprints(t *testing.T, rec wafRecord) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(rec.raw), &m); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"ja3Fingerprint", "ja4Fingerprint"} {
		if v, ok := m[f]; ok {
			t.Errorf("WAF record of a plain HTTP request: %s %v, want it left out\nrecord: %s", f, v, rec.raw)
		}
	}
}

// TestWAFFingerprint: JA3Fingerprint and JA4Fingerprint through the binary.
// The WAF log gives the Go test client's fingerprints (as AWS tells users
// to find theirs); a web ACL blocking that JA3 then answers it 403 over
// HTTPS, HTTP/2 streams of one connection alike, with the record naming
// the rule, while a TLS client with other extensions passes and plain HTTP
// falls back per FallbackBehavior. A PROXY protocol header before the
// handshake does not change the fingerprints.
func TestWAFFingerprint(t *testing.T) {
	t.Parallel()
	app := newOrigin(t, "app", nil)
	const dist, aclID = "EWAFJA", "e5e5e5e5-0000-4000-8000-0000000000e5"
	arn := wafARN("webacl", "ja-acl", aclID)
	host := defaultDomain(dist)
	acl := func(ja3, ja4 string) obj {
		return wafWebACLDoc("ja-acl", aclID, obj{"Allow": obj{}}, nil,
			wafRule("ja4-count", 0, wafCount, wafByteMatch(wafFingerprintField("JA4", "NO_MATCH"), ja4, "EXACTLY")),
			wafRule("ja3-block", 1, wafBlock, wafByteMatch(wafFingerprintField("JA3", "NO_MATCH"), ja3, "EXACTLY")),
			wafRule("tls-required", 2, wafBlock, obj{"AndStatement": obj{"Statements": []obj{
				wafPathPrefix("/strict/"),
				{"RegexMatchStatement": obj{"RegexString": "^never$", "FieldToMatch": wafFingerprintField("JA4", "MATCH"),
					"TextTransformations": wafTransforms()}},
			}}}))
	}
	wafDir := t.TempDir()
	e := startEdge(t, map[string]any{dist + ".json": configDoc(wafDist(app, arn)), "acl.json": acl(strings.Repeat("0", 32), "t13d0000h2_000000000000_000000000000")},
		"--waf-log-dir", wafDir, "--trusted-proxy", "127.0.0.1/32")
	send := func(proto, target string) (*response, wafRecord) {
		t.Helper()
		r := e.do(t, request{Proto: proto, Host: host, Target: target})
		return r, waitWAFRecord(t, wafDir, r.ID())
	}

	// What the WAF log says the test clients' fingerprints are.
	_, h2rec := send("h2", "/learn")
	_, h1rec := send("https", "/learn")
	for name, rec := range map[string]wafRecord{"h2": h2rec, "https": h1rec} {
		if rec.Action != "ALLOW" || !wafJA3Re.MatchString(rec.JA3Fingerprint) || !wafJA4Re.MatchString(rec.JA4Fingerprint) {
			t.Fatalf("%s client: %s, ja3Fingerprint %q, ja4Fingerprint %q: want ALLOW and well-formed fingerprints\nrecord: %s",
				name, rec.Action, rec.JA3Fingerprint, rec.JA4Fingerprint, rec.raw)
		}
	}
	ja3, ja4 := h2rec.JA3Fingerprint, h2rec.JA4Fingerprint
	t.Logf("Go's HTTP/2 client: JA3 %s, JA4 %s; without ALPN: JA3 %s, JA4 %s", ja3, ja4, h1rec.JA3Fingerprint, h1rec.JA4Fingerprint)
	if h1rec.JA3Fingerprint == ja3 {
		t.Fatalf("the HTTP/1.1 client (no ALPN) has the HTTP/2 client's JA3 %s; want them apart", ja3)
	}
	if ja4[8:10] != "h2" || h1rec.JA4Fingerprint[8:10] != "00" {
		t.Errorf("JA4 ALPN: got %s and %s, want h2 and 00 (none)", ja4, h1rec.JA4Fingerprint)
	}
	_, plain := send("http", "/learn")
	wafLacksFingerprints(t, plain)

	t.Run("a PROXY protocol header does not change them", func(t *testing.T) {
		conf := &tls.Config{ServerName: host, RootCAs: e.caPool(t), NextProtos: []string{"http/1.1"}}
		var recs []wafRecord
		for _, header := range [][]byte{nil, proxyHeader(t, 2, ipUS, 6100), proxyHeader(t, 1, ipUS, 6101)} {
			r, err := proxied(t, e.HTTPS, header, conf, "GET /pp HTTP/1.1\r\nHost: "+host+"\r\nConnection: close\r\n\r\n")
			if err != nil || r.Status != 200 {
				t.Fatalf("GET over TLS after %q: %v, want 200 (%v)", header, r, err)
			}
			recs = append(recs, waitWAFRecord(t, wafDir, r.ID()))
		}
		for i, rec := range recs {
			if !wafJA3Re.MatchString(rec.JA3Fingerprint) || rec.JA3Fingerprint != recs[0].JA3Fingerprint || rec.JA4Fingerprint != recs[0].JA4Fingerprint {
				t.Errorf("request %d: fingerprints %q %q, want those without a PROXY header, %q %q", i, rec.JA3Fingerprint, rec.JA4Fingerprint, recs[0].JA3Fingerprint, recs[0].JA4Fingerprint)
			}
		}
		if got := recs[1].HTTPRequest.ClientIP; got != ipUS {
			t.Errorf("clientIp after a PROXY header: got %s, want %s", got, ipUS)
		}
		if !strings.HasSuffix(recs[0].JA4Fingerprint[:10], "h1") {
			t.Errorf("JA4 of a client offering http/1.1: got %s, want ALPN h1", recs[0].JA4Fingerprint)
		}
	})

	// Block the HTTP/2 client's JA3; count its JA4.
	e.writeConfig(t, "acl.json", acl(ja3, ja4))
	var r *response
	waitFor(t, 10*time.Second, "the web ACL with the client's JA3 to be loaded", func() bool {
		r = e.do(t, request{Proto: "h2", Host: host, Target: "/wait"})
		return r.Status == 403
	})

	ports := map[string]string{} // proto → the client's local port of its last request
	for _, tc := range []struct {
		name, proto, target string
		status              int
		action, rule        string
		counted             []string
		ja3, ja4            string // "" for none
	}{
		{"the blocked JA3 over HTTP/2", "h2", "/blocked", 403, "BLOCK", "ja3-block", []string{"ja4-count:COUNT"}, ja3, ja4},
		{"another stream of the same connection", "h2", "/blocked/again", 403, "BLOCK", "ja3-block", []string{"ja4-count:COUNT"}, ja3, ja4},
		{"a client with other extensions", "https", "/other", 200, "ALLOW", "Default_Action", nil, h1rec.JA3Fingerprint, h1rec.JA4Fingerprint},
		{"plain HTTP: NO_MATCH falls back to no match", "http", "/plain", 200, "ALLOW", "Default_Action", nil, "", ""},
		{"plain HTTP: MATCH falls back to a match", "http", "/strict/plain", 403, "BLOCK", "tls-required", nil, "", ""},
		{"HTTPS: the regex decides", "https", "/strict/tls", 200, "ALLOW", "Default_Action", nil, h1rec.JA3Fingerprint, h1rec.JA4Fingerprint},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, rec := send(tc.proto, tc.target)
			if strings.Contains(tc.name, "same connection") && r.LocalPort != ports[tc.proto] {
				t.Errorf("came from port %s, want the previous request's connection (port %s)", r.LocalPort, ports[tc.proto])
			}
			ports[tc.proto] = r.LocalPort
			if tc.status == 403 {
				checkEdgePage(t, r, 403, causeWAFBlocked)
			} else if r.Status != tc.status {
				t.Errorf("status: got %d, want %d", r.Status, tc.status)
			}
			if _, reached := app.byID(r.ID()); reached != (tc.status == 200) {
				t.Errorf("origin reached: %v, want %v", reached, tc.status == 200)
			}
			if rec.Action != tc.action || rec.TerminatingRuleID != tc.rule || rec.WebACLID != arn {
				t.Errorf("WAF record: %s by %s of %s, want %s by %s of %s", rec.Action, rec.TerminatingRuleID, rec.WebACLID, tc.action, tc.rule, arn)
			}
			if got, want := fmt.Sprint(wafRuleList(rec.NonTerminatingMatchingRules)), fmt.Sprint(append([]string{}, tc.counted...)); got != want {
				t.Errorf("WAF record nonTerminatingMatchingRules: got %s, want %s", got, want)
			}
			if tc.ja3 == "" {
				wafLacksFingerprints(t, rec)
			} else if rec.JA3Fingerprint != tc.ja3 || rec.JA4Fingerprint != tc.ja4 {
				t.Errorf("WAF record fingerprints: got %s %s, want %s %s", rec.JA3Fingerprint, rec.JA4Fingerprint, tc.ja3, tc.ja4)
			}
		})
	}
}
