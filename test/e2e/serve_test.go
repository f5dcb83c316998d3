package e2e

import (
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// TestServed: a request the edge forwards comes back with the origin's body
// and Server header, CloudFront's headers and a Miss log line, over HTTP,
// HTTPS and HTTP/2.
func TestServed(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "app", nil)
	const id = "ESERVED1"
	e := startEdge(t, docs1(id, simpleDist(o)))
	host := defaultDomain(id)
	for _, tc := range []struct {
		proto, wantProto, csProtocol, sslProtocol, protoVersion string
	}{
		{"http", "HTTP/1.1", "http", "-", "HTTP/1.1"},
		{"https", "HTTP/1.1", "https", "TLSv1.3", "HTTP/1.1"},
		{"h2", "HTTP/2.0", "https", "TLSv1.3", "HTTP/2.0"},
	} {
		t.Run(tc.proto, func(t *testing.T) {
			t.Parallel()
			target := "/hello/" + tc.proto + "?a=1"
			r := e.do(t, request{Proto: tc.proto, Host: host, Target: target})
			if r.Status != 200 {
				t.Fatalf("status: got %d, want 200; body %q", r.Status, r.Body)
			}
			if r.Proto != tc.wantProto {
				t.Errorf("protocol: got %s, want %s", r.Proto, tc.wantProto)
			}
			// CachingDisabled forwards no query string.
			if want := "app GET /hello/" + tc.proto; string(r.Body) != want {
				t.Errorf("body: got %q, want %q", r.Body, want)
			}
			if got := r.Header.Get("Server"); got != "test-origin" {
				t.Errorf("Server: got %q, want the origin's test-origin", got)
			}
			checkCloudFrontHeaders(t, r, "Miss from cloudfront")
			o.mustByID(t, r.ID())
			l := e.waitLogID(t, id+".*.gz", r.ID())
			checkLog(t, l, map[string]string{
				"sc-status": "200", "x-edge-result-type": "Miss", "x-edge-response-result-type": "Miss",
				"x-edge-detailed-result-type": "Miss", "cs-method": "GET", "cs(Host)": host,
				"x-host-header": host, "cs-protocol": tc.csProtocol, "ssl-protocol": tc.sslProtocol,
				"cs-protocol-version": tc.protoVersion, "c-port": r.LocalPort, "c-ip": "127.0.0.1",
				"sc-content-len": strconv.Itoa(len(r.Body)), "x-edge-location": "TST1-P1",
				"cs-uri-stem": "/hello/" + tc.proto, "cs-uri-query": "a=1", "sc-content-type": "text/plain",
				"cs(Cookie)": "-", "sc-range-start": "-", "sc-range-end": "-", "fle-status": "-",
			})
			for field, shape := range logShapes {
				if !shape.MatchString(l[field]) {
					t.Errorf("log %s: got %q, want %s", field, l[field], shape)
				}
			}
		})
	}
	t.Run("log file name", func(t *testing.T) {
		t.Parallel()
		r := e.do(t, request{Host: host, Target: "/name"})
		e.waitLogID(t, id+".*.gz", r.ID())
		files, _ := filepath.Glob(filepath.Join(e.LogDir, "*.gz"))
		shape := regexp.MustCompile(`^` + id + `\.\d{4}-\d{2}-\d{2}-\d{2}\.[A-Za-z0-9]+\.gz$`)
		for _, f := range files {
			if b := filepath.Base(f); !shape.MatchString(b) {
				t.Errorf("log file %q: want %s", b, shape)
			}
		}
	})
}

// logShapes are the formats of the log's computed fields (spec §2.1).
var logShapes = map[string]*regexp.Regexp{
	"date":               regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`),
	"time":               regexp.MustCompile(`^\d{2}:\d{2}:\d{2}$`),
	"time-taken":         regexp.MustCompile(`^\d+\.\d{3}$`),
	"time-to-first-byte": regexp.MustCompile(`^\d+\.\d{3}$`),
	"sc-bytes":           regexp.MustCompile(`^[1-9]\d*$`),
	"cs-bytes":           regexp.MustCompile(`^[1-9]\d*$`),
}

// TestLogPrefix: Logging.Prefix places a distribution's files under that
// folder, and IncludeCookies logs the Cookie header (spec §2.1).
func TestLogPrefix(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "app", nil)
	logged := with(simpleDist(o), "Logging", obj{"Enabled": true, "IncludeCookies": true, "Bucket": "logs.s3.amazonaws.com", "Prefix": "pre/fix/"})
	e := startEdge(t, map[string]any{"EPREFIX1.json": configDoc(logged), "EPLAIN1.json": configDoc(simpleDist(o))})
	for _, tc := range []struct{ id, glob, cookie string }{
		{"EPREFIX1", "pre/fix/EPREFIX1.*.gz", "a=1;%20b=2"},
		{"EPLAIN1", "EPLAIN1.*.gz", "-"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			t.Parallel()
			r := e.do(t, request{Host: defaultDomain(tc.id), Target: "/c", Header: map[string][]string{"Cookie": {"a=1; b=2"}}})
			l := e.waitLogID(t, tc.glob, r.ID())
			checkLog(t, l, map[string]string{"cs(Cookie)": tc.cookie})
		})
	}
}

// TestUnknownHost: a Host no distribution has gets CloudFront's 403
// "Bad request." page, logged apart in _unrouted.
func TestUnknownHost(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "app", nil)
	const id = "EKNOWN1"
	e := startEdge(t, docs1(id, simpleDist(o)))
	for _, tc := range []struct{ name, proto, host string }{
		{"http", "http", "nobody.example.com"},
		{"http with port", "http", "nobody.example.com:8080"},
		{"ip literal", "http", "127.0.0.1"},
		{"h2 default domain SNI, other Host", "h2", defaultDomain(id)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rq := request{Proto: tc.proto, Host: tc.host, Target: "/x"}
			if tc.proto == "h2" {
				// TLS for the distribution's name, then a Host it doesn't serve.
				rq.HostHeader = "nobody.example.com"
			}
			r := e.do(t, rq)
			checkEdgePage(t, r, 403, causeBadRequest)
			if len(o.requests()) != 0 {
				t.Errorf("origin received %d requests, want 0", len(o.requests()))
			}
			l := e.waitLogID(t, "_unrouted.*.gz", r.ID())
			checkLog(t, l, map[string]string{
				"sc-status": "403", "x-edge-result-type": "Error", "x-edge-response-result-type": "Error",
				"cs-method": "GET", "cs-uri-stem": "/x", "sc-content-len": strconv.Itoa(len(r.Body)),
			})
			if got := e.logs(t, id+".*.gz"); len(got) != 0 {
				t.Errorf("distribution log has %d lines, want 0", len(got))
			}
		})
	}
}

// TestDisabled: a distribution with Enabled false answers like an unknown
// Host, and its requests go to _unrouted.
func TestDisabled(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "app", nil)
	const id = "EOFF1"
	cfg := with(simpleDist(o), "Enabled", false, "Aliases", list("off.example.com"))
	e := startEdge(t, docs1(id, cfg))
	for _, host := range []string{"off.example.com", defaultDomain(id)} {
		t.Run(host, func(t *testing.T) {
			t.Parallel()
			r := e.do(t, request{Host: host, Target: "/off"})
			checkEdgePage(t, r, 403, causeBadRequest)
			if len(o.requests()) != 0 {
				t.Errorf("origin received %d requests, want 0", len(o.requests()))
			}
			l := e.waitLogID(t, "_unrouted.*.gz", r.ID())
			checkLog(t, l, map[string]string{"sc-status": "403", "x-edge-result-type": "Error", "x-host-header": host})
		})
	}
}
