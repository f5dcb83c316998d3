package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestOriginRequest: what reaches the origin — Host, X-Forwarded-For, Via,
// X-Amz-Cf-Id, User-Agent, query string, cookies, OriginPath and custom
// headers — follows the behavior's policies (or legacy ForwardedValues),
// and hop-by-hop headers never pass.
func TestOriginRequest(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "app", nil)
	org := with(customOrigin("o", "localhost", o.port()), "OriginPath", "/base",
		"CustomHeaders", list(
			obj{"HeaderName": "X-Origin-Secret", "HeaderValue": "s3cr3t"},
			obj{"HeaderName": "x-edge-name", "HeaderValue": "e2e"}))
	legacy := with(behavior("/legacy/*", "o"), "CachePolicyId", nil, "MinTTL", 0, "DefaultTTL", 0, "MaxTTL", 0,
		"ForwardedValues", obj{
			"QueryString": true,
			"Cookies":     obj{"Forward": "whitelist", "WhitelistedNames": list("keep")},
			"Headers":     list[string](), "QueryStringCacheKeys": list[string](),
		})
	cfg := distConfig([]obj{org}, behavior("", "o"),
		with(behavior("/all/*", "o"), "OriginRequestPolicyId", allViewer),
		with(behavior("/except/*", "o"), "OriginRequestPolicyId", allViewerExceptHostHeader),
		with(behavior("/write/*", "o"), "AllowedMethods", methods("GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE")),
		legacy)
	const id = "EFWD1"
	host := defaultDomain(id)
	e := startEdge(t, docs1(id, cfg))

	viewer := http.Header{
		"User-Agent":      {"e2e-agent/1.0"},
		"Cookie":          {"keep=1; drop=2"},
		"X-Viewer":        {"v"},
		"X-Forwarded-For": {"203.0.113.9"},
		"X-Origin-Secret": {"forged"},
		"X-Amz-Cf-Id":     {"forged"},
	}
	for _, tc := range []struct {
		name, path                       string
		host, ua, query, cookie, xviewer string
	}{
		{"CachingDisabled alone", "/p", "localhost", "Amazon CloudFront", "", "", ""},
		{"AllViewer", "/all/p", host, "e2e-agent/1.0", "q=1&r=%2F", "keep=1; drop=2", "v"},
		{"AllViewerExceptHostHeader", "/except/p", "localhost", "e2e-agent/1.0", "q=1&r=%2F", "keep=1; drop=2", "v"},
		{"legacy ForwardedValues", "/legacy/p", "localhost", "Amazon CloudFront", "q=1&r=%2F", "keep=1", ""},
	} {
		for _, proto := range []string{"http", "h2"} {
			t.Run(tc.name+" "+proto, func(t *testing.T) {
				t.Parallel()
				r := e.do(t, request{Proto: proto, Host: host, Target: tc.path + "?q=1&r=%2F", Header: viewer})
				if r.Status != 200 {
					t.Fatalf("status: got %d, want 200", r.Status)
				}
				got := o.mustByID(t, r.ID())
				checks := []struct{ what, got, want string }{
					{"Host", got.Host, tc.host},
					{"path", got.Path, "/base" + tc.path},
					{"query", got.RawQuery, tc.query},
					{"User-Agent", got.Header.Get("User-Agent"), tc.ua},
					{"Cookie", strings.Join(got.Header.Values("Cookie"), "; "), tc.cookie},
					{"X-Viewer", got.Header.Get("X-Viewer"), tc.xviewer},
					{"X-Forwarded-For", strings.Join(got.Header.Values("X-Forwarded-For"), ", "), "203.0.113.9, 127.0.0.1"},
					{"X-Amz-Cf-Id", strings.Join(got.Header.Values("X-Amz-Cf-Id"), ","), r.ID()},
					{"Via", strings.Join(got.Header.Values("Via"), ","), r.Header.Get("Via")},
					{"X-Origin-Secret", strings.Join(got.Header.Values("X-Origin-Secret"), ","), "s3cr3t"},
					{"X-Edge-Name", got.Header.Get("X-Edge-Name"), "e2e"},
				}
				for _, c := range checks {
					if c.got != c.want {
						t.Errorf("origin %s: got %q, want %q", c.what, c.got, c.want)
					}
				}
				if !viaShape.MatchString(got.Header.Get("Via")) {
					t.Errorf("origin Via %q: want %s", got.Header.Get("Via"), viaShape)
				}
			})
		}
	}
	t.Run("no viewer X-Forwarded-For", func(t *testing.T) {
		t.Parallel()
		r := e.do(t, request{Host: host, Target: "/all/noxff"})
		got := o.mustByID(t, r.ID())
		if xff := got.Header.Values("X-Forwarded-For"); len(xff) != 1 || xff[0] != "127.0.0.1" {
			t.Errorf("origin X-Forwarded-For: got %q, want [127.0.0.1]", xff)
		}
		l := e.waitLogID(t, id+".*.gz", r.ID())
		checkLog(t, l, map[string]string{"x-forwarded-for": "-", "c-ip": "127.0.0.1"})
	})
	t.Run("viewer X-Forwarded-For logged", func(t *testing.T) {
		t.Parallel()
		r := e.do(t, request{Host: host, Target: "/p", Header: http.Header{"X-Forwarded-For": {"203.0.113.9, 198.51.100.7"}}})
		got := o.mustByID(t, r.ID())
		if xff := got.Header.Get("X-Forwarded-For"); xff != "203.0.113.9, 198.51.100.7, 127.0.0.1" {
			t.Errorf("origin X-Forwarded-For: got %q, want %q", xff, "203.0.113.9, 198.51.100.7, 127.0.0.1")
		}
		l := e.waitLogID(t, id+".*.gz", r.ID())
		// Spec §2.1: x-forwarded-for is the viewer's header; c-ip the peer.
		checkLog(t, l, map[string]string{"c-ip": "127.0.0.1", "x-forwarded-for": "203.0.113.9,%20198.51.100.7"})
	})
	t.Run("path encoding kept", func(t *testing.T) {
		t.Parallel()
		r := mustRaw(t, e.HTTP, "GET /all/a%2Fb%20c;d HTTP/1.1\r\nHost: "+host+"\r\n\r\n")
		if r.Status != 200 {
			t.Fatalf("status: got %d, want 200", r.Status)
		}
		if got := o.mustByID(t, r.ID()).RequestURI; got != "/base/all/a%2Fb%20c;d" {
			t.Errorf("origin request URI: got %q, want %q", got, "/base/all/a%2Fb%20c;d")
		}
		l := e.waitLogID(t, id+".*.gz", r.ID())
		// Spec §2.1: "%" is encoded again in the log.
		checkLog(t, l, map[string]string{"cs-uri-stem": "/all/a%252Fb%2520c;d"})
	})
	t.Run("Authorization only on writes", func(t *testing.T) {
		t.Parallel()
		// CloudFront removes Authorization from GET, HEAD and OPTIONS unless a
		// policy forwards it, and keeps it on PUT, POST, PATCH and DELETE
		// (RequestAndResponseBehaviorCustomOrigin, "HTTP request headers").
		for _, tc := range []struct {
			method string
			want   string
		}{{"GET", ""}, {"OPTIONS", ""}, {"POST", "Bearer t"}, {"DELETE", "Bearer t"}} {
			r := e.do(t, request{Method: tc.method, Host: host, Target: "/write/a", Body: bodyFor(tc.method),
				Header: http.Header{"Authorization": {"Bearer t"}}})
			if got := o.mustByID(t, r.ID()).Header.Get("Authorization"); got != tc.want {
				t.Errorf("%s: origin Authorization got %q, want %q", tc.method, got, tc.want)
			}
		}
	})
	t.Run("hop-by-hop headers", func(t *testing.T) {
		t.Parallel()
		// AllViewer forwards every viewer header, except the hop-by-hop ones
		// (RFC 9110 §7.6.1), including those the Connection header names.
		r := mustRaw(t, e.HTTP, "GET /all/hop HTTP/1.1\r\nHost: "+host+"\r\n"+
			"Connection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\nTE: gzip\r\n"+
			"Upgrade: example/1\r\nProxy-Connection: keep-alive\r\nTrailer: X-T\r\nX-Kept: yes\r\n\r\n")
		if r.Status != 200 {
			t.Fatalf("status: got %d, want 200", r.Status)
		}
		got := o.mustByID(t, r.ID())
		for _, h := range []string{"Connection", "X-Hop", "Keep-Alive", "Te", "Upgrade", "Proxy-Connection", "Trailer"} {
			if v, ok := got.Header[h]; ok {
				t.Errorf("origin received hop-by-hop %s: %q", h, v)
			}
		}
		if got.Header.Get("X-Kept") != "yes" {
			t.Errorf("origin X-Kept: got %q, want yes (AllViewer)", got.Header.Get("X-Kept"))
		}
	})
}

// TestResponsePassThrough: what the origin answers reaches the viewer as it
// was sent — compressed bytes undecoded, every Set-Cookie, ranges — and
// Accept-Encoding is normalised when the cache policy enables compression.
func TestResponsePassThrough(t *testing.T) {
	t.Parallel()
	content := strings.Repeat("0123456789", 100)
	o := newOrigin(t, "app", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "test-origin")
		switch r.URL.Path {
		case "/gz":
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write([]byte("\x1f\x8bnot-really-gzip"))
		case "/cookies":
			w.Header().Add("Set-Cookie", "a=1; Path=/")
			w.Header().Add("Set-Cookie", "b=2; Path=/")
		case "/range":
			http.ServeContent(w, r, "r.txt", time.Time{}, strings.NewReader(content))
		}
	})
	const cachingOptimized = "658327ea-f89d-4fab-a63d-7e88639e58f6"
	cfg := distConfig([]obj{customOrigin("o", "127.0.0.1", o.port())}, with(behavior("", "o"), "CachePolicyId", cachingOptimized))
	const id = "EPASS1"
	e := startEdge(t, docs1(id, cfg))
	host := defaultDomain(id)

	r := e.do(t, request{Host: host, Target: "/gz", Header: http.Header{"Accept-Encoding": {"gzip, deflate, br"}}})
	if string(r.Body) != "\x1f\x8bnot-really-gzip" || r.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("/gz: got %q with Content-Encoding %q, want the origin's bytes untouched", r.Body, r.Header.Get("Content-Encoding"))
	}
	if got := o.mustByID(t, r.ID()).Header.Get("Accept-Encoding"); got != "br,gzip" {
		t.Errorf("origin Accept-Encoding: got %q, want %q (CachingOptimized normalises)", got, "br,gzip")
	}

	r = e.do(t, request{Proto: "h2", Host: host, Target: "/cookies"})
	if got := r.Header.Values("Set-Cookie"); strings.Join(got, "|") != "a=1; Path=/|b=2; Path=/" {
		t.Errorf("Set-Cookie: got %q, want both of the origin's", got)
	}

	r = e.do(t, request{Host: host, Target: "/range", Header: http.Header{"Range": {"bytes=100-199"}}})
	if r.Status != 206 || string(r.Body) != content[100:200] {
		t.Errorf("range: got %d %q, want 206 and bytes 100-199", r.Status, r.Body)
	}
	l := e.waitLogID(t, id+".*.gz", r.ID())
	checkLog(t, l, map[string]string{
		"sc-status": "206", "x-edge-result-type": "Miss", "sc-range-start": "100", "sc-range-end": "199", "sc-content-len": "100",
	})
}
