package e2e

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestGeoRestriction: with --trusted-proxy the viewer's address comes from
// X-Forwarded-For; a block list or allow list refuses the countries it
// should with CloudFront's geo page and a ClientGeoBlocked log line, and an
// unknown country is served (spec §4; docs/decisions.md "Geographic
// restrictions").
func TestGeoRestriction(t *testing.T) {
	t.Parallel()
	app := newOrigin(t, "app", nil)
	orig := []obj{customOrigin("o", "127.0.0.1", app.port())}
	docs := map[string]any{
		"EGEOBL.json": configDoc(with(distConfig(orig, behavior("", "o")), "Restrictions", geoRestriction("blacklist", "GB"))),
		"EGEOWL.json": configDoc(with(distConfig(orig, behavior("", "o")), "Restrictions", geoRestriction("whitelist", "US"))),
	}
	e := startEdge(t, docs, "--trusted-proxy", "127.0.0.1/32")
	for _, tc := range []struct {
		name, dist, proto, xff string
		viewer                 string // the log's c-ip
		blocked                bool
	}{
		{"block list: GB blocked", "EGEOBL", "http", ipGB, ipGB, true},
		{"block list: GB blocked over h2", "EGEOBL", "h2", ipGB, ipGB, true},
		{"block list: US served", "EGEOBL", "http", ipUS, ipUS, false},
		{"block list: JP served", "EGEOBL", "https", ipJP, ipJP, false},
		{"block list: unknown served", "EGEOBL", "http", "10.1.2.3", "10.1.2.3", false},
		{"block list: no X-Forwarded-For", "EGEOBL", "http", "", "127.0.0.1", false},
		{"block list: trusted hop skipped", "EGEOBL", "http", ipGB + ", 127.0.0.1", ipGB, true},
		{"block list: right-most untrusted entry wins", "EGEOBL", "http", ipGB + ", " + ipUS, ipUS, false},
		{"allow list: US served", "EGEOWL", "http", ipUS, ipUS, false},
		{"allow list: US served over h2", "EGEOWL", "h2", ipUS, ipUS, false},
		{"allow list: GB blocked", "EGEOWL", "http", ipGB, ipGB, true},
		{"allow list: JP blocked over https", "EGEOWL", "https", ipJP, ipJP, true},
		{"allow list: unknown served", "EGEOWL", "http", "10.1.2.3", "10.1.2.3", false},
		{"allow list: no X-Forwarded-For (127.0.0.1 unknown)", "EGEOWL", "http", "", "127.0.0.1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if tc.xff != "" {
				h.Set("X-Forwarded-For", tc.xff)
			}
			r := e.do(t, request{Proto: tc.proto, Host: defaultDomain(tc.dist), Target: "/geo/" + strings.ReplaceAll(tc.name, " ", "-"), Header: h})
			_, reached := app.byID(r.ID())
			want := map[string]string{"c-ip": tc.viewer}
			if tc.blocked {
				checkEdgePage(t, r, 403, causeGeo)
				if reached {
					t.Errorf("origin received a blocked request")
				}
				want["sc-status"], want["x-edge-result-type"], want["x-edge-response-result-type"] = "403", "Error", "Error"
				want["x-edge-detailed-result-type"] = "ClientGeoBlocked"
			} else {
				if r.Status != 200 || !strings.HasPrefix(string(r.Body), "app GET /geo/") {
					t.Errorf("got %d %q, want 200 from the origin", r.Status, r.Body)
				}
				if !reached {
					t.Errorf("origin never received the request")
				}
				checkCloudFrontHeaders(t, r, "Miss from cloudfront")
				want["sc-status"], want["x-edge-result-type"] = "200", "Miss"
			}
			checkLog(t, e.waitLogID(t, tc.dist+".*.gz", r.ID()), want)
		})
	}
	t.Run("geo denials counted", func(t *testing.T) {
		// Runs alongside the table's subtests: poll until all of their
		// denials are counted.
		t.Parallel()
		e.waitMetric(t, "openfront_denials_total", map[string]string{"distribution": "EGEOBL", "cause": "geo-restriction"}, 3)
		e.waitMetric(t, "openfront_denials_total", map[string]string{"distribution": "EGEOWL", "cause": "geo-restriction"}, 2)
	})
}

// TestGeoUntrustedForwardedFor: without --trusted-proxy, X-Forwarded-For
// cannot choose the country: the viewer is the peer, 127.0.0.1, whose
// country is unknown, so it is served even by an allow list.
func TestGeoUntrustedForwardedFor(t *testing.T) {
	t.Parallel()
	app := newOrigin(t, "app", nil)
	orig := []obj{customOrigin("o", "127.0.0.1", app.port())}
	docs := map[string]any{
		"EGEOUBL.json": configDoc(with(distConfig(orig, behavior("", "o")), "Restrictions", geoRestriction("blacklist", "GB"))),
		"EGEOUWL.json": configDoc(with(distConfig(orig, behavior("", "o")), "Restrictions", geoRestriction("whitelist", "US"))),
	}
	e := startEdge(t, docs)
	for _, tc := range []struct{ dist, xff string }{
		{"EGEOUBL", ipGB},
		{"EGEOUWL", ipUS},
		{"EGEOUWL", ipGB},
	} {
		t.Run(tc.dist+" "+tc.xff, func(t *testing.T) {
			t.Parallel()
			r := e.do(t, request{Host: defaultDomain(tc.dist), Target: "/x", Header: http.Header{"X-Forwarded-For": {tc.xff}}})
			if r.Status != 200 {
				t.Errorf("status: got %d, want 200 (viewer 127.0.0.1, country unknown); body %q", r.Status, r.Body)
			}
			checkLog(t, e.waitLogID(t, tc.dist+".*.gz", r.ID()), map[string]string{
				"c-ip": "127.0.0.1", "x-forwarded-for": tc.xff, "sc-status": "200",
			})
		})
	}
}

// TestGeoCustomErrorResponse: a CustomErrorResponse for 403 replaces the
// geo page with the page from the origin and the configured status; the log
// keeps ClientGeoBlocked (spec §4, §10.1).
func TestGeoCustomErrorResponse(t *testing.T) {
	t.Parallel()
	app := newOrigin(t, "app", nil)
	pages := newOrigin(t, "pages", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "pages-origin")
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<h1>not in your country " + r.URL.Path + "</h1>"))
	})
	cfg := distConfig([]obj{customOrigin("app", "127.0.0.1", app.port()), customOrigin("pages", "127.0.0.1", pages.port())},
		behavior("", "app"), behavior("/errors/*", "pages"))
	cfg["Restrictions"] = geoRestriction("blacklist", "GB")
	cfg["CustomErrorResponses"] = list(
		obj{"ErrorCode": 403, "ResponsePagePath": "/errors/geo.html", "ResponseCode": "404", "ErrorCachingMinTTL": 10})
	e := startEdge(t, docs1("EGEOCER", cfg), "--trusted-proxy", "127.0.0.1/32")
	for _, proto := range []string{"http", "h2"} {
		t.Run(proto, func(t *testing.T) {
			t.Parallel()
			r := e.do(t, request{Proto: proto, Host: defaultDomain("EGEOCER"), Target: "/content",
				Header: http.Header{"X-Forwarded-For": {ipGB}}})
			if r.Status != 404 {
				t.Errorf("status: got %d, want 404 (ResponseCode)", r.Status)
			}
			if want := "<h1>not in your country /errors/geo.html</h1>"; string(r.Body) != want {
				t.Errorf("body: got %q, want %q", r.Body, want)
			}
			checkCloudFrontHeaders(t, r, "Error from cloudfront")
			if got, ok := pages.byID(r.ID()); !ok || got.Path != "/errors/geo.html" {
				t.Errorf("pages origin: got %v %q, want GET /errors/geo.html", ok, got.Path)
			}
			if _, ok := app.byID(r.ID()); ok {
				t.Error("the app origin received a blocked request")
			}
			checkLog(t, e.waitLogID(t, "EGEOCER.*.gz", r.ID()), map[string]string{
				"sc-status": "404", "x-edge-result-type": "Error", "x-edge-detailed-result-type": "ClientGeoBlocked", "c-ip": ipGB,
			})
		})
	}
	t.Run("served country untouched", func(t *testing.T) {
		t.Parallel()
		r := e.do(t, request{Host: defaultDomain("EGEOCER"), Target: "/content", Header: http.Header{"X-Forwarded-For": {ipUS}}})
		if r.Status != 200 || string(r.Body) != "app GET /content" {
			t.Errorf("got %d %q, want 200 %q", r.Status, r.Body, "app GET /content")
		}
	})
}

// TestGeoViewerHeaders: CloudFront-Viewer-Country, -Country-Name and
// CloudFront-Viewer-Address reach the origin only when the behavior's
// policy asks for them, with the edge's values; a viewer's own
// CloudFront-* headers never reach the origin.
func TestGeoViewerHeaders(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "app", nil)
	cfg := distConfig([]obj{customOrigin("o", "127.0.0.1", o.port())}, behavior("", "o"),
		with(behavior("/all/*", "o"), "OriginRequestPolicyId", allViewerAndCloudFront),
		legacyHeaders(behavior("/legacy/*", "o"), "CloudFront-Viewer-Country"),
		with(behavior("/viewer/*", "o"), "OriginRequestPolicyId", allViewer))
	e := startEdge(t, docs1("EGEOHDR", cfg), "--trusted-proxy", "127.0.0.1/32")
	forged := http.Header{
		"Cloudfront-Viewer-Country":      {"ZZ"},
		"Cloudfront-Viewer-Country-Name": {"Forged"},
		"Cloudfront-Viewer-Address":      {"192.0.2.1:1"},
		"Cloudfront-Is-Desktop-Viewer":   {"forged"},
	}
	for _, tc := range []struct {
		name, path, xff string
		// want holds the CloudFront-* headers that must arrive (a value
		// ending in ":" is a prefix: the port is the viewer's); absent are
		// those that must not.
		want   map[string]string
		absent []string
	}{
		// Behind a trusted proxy's X-Forwarded-For the viewer's port is
		// unknown: the log says c-port "-" and CloudFront-Viewer-Address
		// (ip:port) is omitted rather than given an invented port
		// (docs/decisions.md).
		{"managed policy, GB", "/all/a", ipGB,
			map[string]string{"Cloudfront-Viewer-Country": "GB", "Cloudfront-Viewer-Country-Name": "United Kingdom"},
			[]string{"Cloudfront-Viewer-Address"}},
		{"managed policy, JP", "/all/b", ipJP,
			map[string]string{"Cloudfront-Viewer-Country": "JP", "Cloudfront-Viewer-Country-Name": "Japan"},
			nil},
		{"managed policy, unknown country omitted", "/all/c", "",
			map[string]string{"Cloudfront-Viewer-Address": "127.0.0.1:"},
			[]string{"Cloudfront-Viewer-Country", "Cloudfront-Viewer-Country-Name"}},
		{"legacy ForwardedValues asks for the country only", "/legacy/a", ipUS,
			map[string]string{"Cloudfront-Viewer-Country": "US"},
			[]string{"Cloudfront-Viewer-Country-Name", "Cloudfront-Viewer-Address", "Cloudfront-Is-Desktop-Viewer"}},
		{"AllViewer forwards no CloudFront-* header", "/viewer/a", ipGB,
			nil,
			[]string{"Cloudfront-Viewer-Country", "Cloudfront-Viewer-Country-Name", "Cloudfront-Viewer-Address", "Cloudfront-Is-Desktop-Viewer"}},
		{"no policy", "/plain", ipGB,
			nil,
			[]string{"Cloudfront-Viewer-Country", "Cloudfront-Viewer-Country-Name", "Cloudfront-Viewer-Address", "Cloudfront-Is-Desktop-Viewer"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := forged.Clone()
			if tc.xff != "" {
				h.Set("X-Forwarded-For", tc.xff)
			}
			r := e.do(t, request{Host: defaultDomain("EGEOHDR"), Target: tc.path, Header: h})
			if r.Status != 200 {
				t.Fatalf("status: got %d, want 200", r.Status)
			}
			got := o.mustByID(t, r.ID()).Header
			for k, v := range tc.want {
				gv := got.Values(k)
				ok := len(gv) == 1 && (gv[0] == v || strings.HasSuffix(v, ":") && strings.HasPrefix(gv[0], v))
				if !ok {
					t.Errorf("origin %s: got %q, want %q", k, gv, v)
				}
			}
			if a, ok := tc.want["Cloudfront-Viewer-Address"]; ok && a == "127.0.0.1:" {
				if want := "127.0.0.1:" + r.LocalPort; got.Get("Cloudfront-Viewer-Address") != want {
					t.Errorf("origin Cloudfront-Viewer-Address: got %q, want %q (the viewer's own port)", got.Get("Cloudfront-Viewer-Address"), want)
				}
			}
			for _, k := range tc.absent {
				if v, ok := got[k]; ok {
					t.Errorf("origin received %s: %q, want none", k, v)
				}
			}
			for k, v := range cloudFrontHeaders(got) {
				if forged.Get(k) != "" && forged.Get(k) == v[0] {
					t.Errorf("origin received the viewer's own %s: %q", k, v)
				}
			}
		})
	}
}

// TestGeoMMDB: --geoip reads a MaxMind-format database instead of the
// embedded data, and follows the file: a new file renamed over it changes
// the edge's decisions within its polling interval.
func TestGeoMMDB(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "country.mmdb")
	// 81.2.69.0/24 is GB in the embedded data; here it is FR.
	writeMMDB(t, db, map[string][2]string{"81.2.69.0/24": {"FR", "France"}, "216.160.83.56/29": {"US", "United States"}})
	o := newOrigin(t, "app", nil)
	orig := []obj{customOrigin("o", "127.0.0.1", o.port())}
	docs := map[string]any{
		"EMMDBFR.json":  configDoc(with(distConfig(orig, behavior("", "o")), "Restrictions", geoRestriction("blacklist", "FR"))),
		"EMMDBHDR.json": configDoc(distConfig(orig, with(behavior("", "o"), "OriginRequestPolicyId", allViewerAndCloudFront))),
	}
	e := startEdge(t, docs, "--trusted-proxy", "127.0.0.1/32", "--geoip", db)

	get := func(dist, xff string) *response {
		t.Helper()
		return e.do(t, request{Host: defaultDomain(dist), Target: "/mmdb", Header: http.Header{"X-Forwarded-For": {xff}}})
	}
	country := func(xff string) (string, string) {
		t.Helper()
		r := get("EMMDBHDR", xff)
		if r.Status != 200 {
			t.Fatalf("EMMDBHDR: status %d, want 200", r.Status)
		}
		h := o.mustByID(t, r.ID()).Header
		return h.Get("Cloudfront-Viewer-Country"), h.Get("Cloudfront-Viewer-Country-Name")
	}

	r := get("EMMDBFR", ipGB)
	checkEdgePage(t, r, 403, causeGeo)
	checkLog(t, e.waitLogID(t, "EMMDBFR.*.gz", r.ID()), map[string]string{"x-edge-detailed-result-type": "ClientGeoBlocked", "c-ip": ipGB})
	if c, n := country(ipGB); c != "FR" || n != "France" {
		t.Errorf("%s from the file: got %q %q, want FR France", ipGB, c, n)
	}
	if c, _ := country("216.160.83.57"); c != "US" {
		t.Errorf("216.160.83.57 from the file: got %q, want US", c)
	}
	// Not in the file: unknown, whatever the embedded data says.
	if c, _ := country(ipJP); c != "" {
		t.Errorf("%s (not in the file): got country %q, want none", ipJP, c)
	}
	if r := get("EMMDBFR", ipJP); r.Status != 200 {
		t.Errorf("%s (not in the file): status %d, want 200", ipJP, r.Status)
	}

	// Replace the file: the range moves to DE.
	writeMMDB(t, db, map[string][2]string{"81.2.69.0/24": {"DE", "Germany"}})
	start := time.Now()
	waitFor(t, 20*time.Second, "the edge to load the new database", func() bool {
		return get("EMMDBFR", ipGB).Status == 200
	})
	t.Logf("new database in use after %v", time.Since(start).Round(100*time.Millisecond))
	if c, n := country(ipGB); c != "DE" || n != "Germany" {
		t.Errorf("%s after the reload: got %q %q, want DE Germany", ipGB, c, n)
	}
	if c, _ := country("216.160.83.57"); c != "" {
		t.Errorf("216.160.83.57 after the reload: got %q, want none (no longer in the file)", c)
	}
	if r := get("EMMDBFR", ipGB); r.Status != 200 {
		t.Errorf("after the reload: status %d, want 200", r.Status)
	}
}
