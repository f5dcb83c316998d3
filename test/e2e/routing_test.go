package e2e

import (
	"crypto/tls"
	"strings"
	"testing"
)

// TestHostRouting: an exact alias beats a wildcard, the most specific
// wildcard wins across distributions, and default domains (ours and the
// get-distribution DomainName) route too (spec §3).
func TestHostRouting(t *testing.T) {
	t.Parallel()
	exact, wide, narrow, aws := newOrigin(t, "exact", nil), newOrigin(t, "wide", nil), newOrigin(t, "narrow", nil), newOrigin(t, "aws", nil)
	const awsDomain = "d111111abcdef8.cloudfront.net"
	docs := map[string]any{
		"EEXACT.json":  configDoc(with(simpleDist(exact), "Aliases", list("www.example.com", "shop.example.com"))),
		"EWIDE.json":   configDoc(with(simpleDist(wide), "Aliases", list("*.example.com"))),
		"ENARROW.json": configDoc(with(simpleDist(narrow), "Aliases", list("*.shop.example.com"))),
		"aws.json":     distributionDoc("EAWSDOC", strings.ToUpper(awsDomain), simpleDist(aws)),
	}
	e := startEdge(t, docs)
	for _, tc := range []struct {
		proto, host string
		want        *origin
		dist        string // log file id
		csHost      string
	}{
		{"http", "www.example.com", exact, "EEXACT", defaultDomain("EEXACT")},
		{"https", "www.example.com", exact, "EEXACT", defaultDomain("EEXACT")},
		{"http", "WWW.Example.COM", exact, "EEXACT", defaultDomain("EEXACT")},
		{"http", "www.example.com:8080", exact, "EEXACT", defaultDomain("EEXACT")},
		{"http", "www.example.com.", exact, "EEXACT", defaultDomain("EEXACT")},
		{"http", "shop.example.com", exact, "EEXACT", defaultDomain("EEXACT")},
		{"http", "other.example.com", wide, "EWIDE", defaultDomain("EWIDE")},
		{"https", "other.example.com", wide, "EWIDE", defaultDomain("EWIDE")},
		{"http", "a.b.example.com", wide, "EWIDE", defaultDomain("EWIDE")},
		{"http", "cart.shop.example.com", narrow, "ENARROW", defaultDomain("ENARROW")},
		{"https", "cart.shop.example.com", narrow, "ENARROW", defaultDomain("ENARROW")},
		{"http", "x.cart.shop.example.com", narrow, "ENARROW", defaultDomain("ENARROW")},
		{"http", defaultDomain("EWIDE"), wide, "EWIDE", defaultDomain("EWIDE")},
		{"h2", defaultDomain("ENARROW"), narrow, "ENARROW", defaultDomain("ENARROW")},
		{"http", awsDomain, aws, "EAWSDOC", awsDomain},
		{"https", awsDomain, aws, "EAWSDOC", awsDomain},
		{"http", defaultDomain("EAWSDOC"), aws, "EAWSDOC", awsDomain},
	} {
		t.Run(tc.proto+" "+tc.host, func(t *testing.T) {
			t.Parallel()
			r := e.do(t, request{Proto: tc.proto, Host: tc.host, Target: "/route"})
			if r.Status != 200 {
				t.Fatalf("status: got %d, want 200; body %q", r.Status, r.Body)
			}
			if want := tc.want.name + " GET /route"; string(r.Body) != want {
				t.Errorf("body: got %q, want %q (origin %s)", r.Body, want, tc.want.name)
			}
			tc.want.mustByID(t, r.ID())
			l := e.waitLogID(t, tc.dist+".*.gz", r.ID())
			checkLog(t, l, map[string]string{"cs(Host)": tc.csHost, "x-host-header": tc.host, "sc-status": "200"})
		})
	}
	t.Run("TLS for a name no distribution has", func(t *testing.T) {
		t.Parallel()
		// SNI-only: no certificate, the handshake fails (spec §3).
		for _, name := range []string{"nobody.example.org", ""} {
			c, err := tls.Dial("tcp", e.HTTPS, &tls.Config{ServerName: name, RootCAs: e.caPool(t), InsecureSkipVerify: name == ""})
			if err == nil {
				c.Close()
				t.Errorf("TLS handshake with SNI %q succeeded, want it refused", name)
			}
		}
	})
	t.Run("example.com itself", func(t *testing.T) {
		t.Parallel()
		// A wildcard alias does not cover its own parent domain.
		r := e.do(t, request{Host: "example.com", Target: "/route"})
		checkEdgePage(t, r, 403, causeBadRequest)
	})
}

// TestPathPatterns: behaviors are tried in list order, first match wins, "*"
// crosses "/", "?" is one character, matching is case-sensitive and ignores
// the query, and the default behavior comes last (spec §10.2).
func TestPathPatterns(t *testing.T) {
	t.Parallel()
	names := []string{"def", "v1", "api", "jpg", "special", "file", "static"}
	origins := map[string]*origin{}
	var os []obj
	for _, n := range names {
		origins[n] = newOrigin(t, n, nil)
		os = append(os, customOrigin(n, "127.0.0.1", origins[n].port()))
	}
	cfg := distConfig(os, behavior("", "def"),
		behavior("/api/v1/*", "v1"),
		behavior("/api/*", "api"),
		behavior("*.jpg", "jpg"),
		behavior("/api/v1/special", "special"), // shadowed by /api/v1/*: list order, not specificity
		behavior("/file?.txt", "file"),
		behavior("static/*", "static"),
	)
	e := startEdge(t, docs1("EPATHS", cfg))
	for _, tc := range []struct{ path, want string }{
		{"/api/v1/users", "v1"},
		{"/api/v1/special", "v1"},
		{"/api/v2/users", "api"},
		{"/api/", "api"},
		{"/api", "def"},
		{"/cat.jpg", "jpg"},
		{"/deep/down/cat.jpg", "jpg"},
		{"/api/v1/cat.jpg", "v1"},
		{"/CAT.JPG", "def"},
		{"/API/v1/users", "def"},
		{"/file1.txt", "file"},
		{"/file.txt", "def"},
		{"/file12.txt", "def"},
		{"/static/app.js", "static"},
		{"/index.html?x=/api/v1/", "def"},
		{"/cat.png?f=.jpg", "def"},
		{"/", "def"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			t.Parallel()
			r := e.do(t, request{Host: defaultDomain("EPATHS"), Target: tc.path})
			if r.Status != 200 {
				t.Fatalf("status: got %d, want 200", r.Status)
			}
			for _, n := range names {
				_, got := origins[n].byID(r.ID())
				if got != (n == tc.want) {
					t.Errorf("origin %s received the request: %v, want %v", n, got, n == tc.want)
				}
			}
		})
	}
}

// TestDefaultRootObject: only "/" is rewritten to the DefaultRootObject,
// after OriginPath is prefixed (spec §10.3).
func TestDefaultRootObject(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "app", nil)
	plain := with(simpleDist(o), "DefaultRootObject", "index.html")
	based := with(plain, "Origins", list(with(customOrigin("o", "127.0.0.1", o.port()), "OriginPath", "/base")))
	e := startEdge(t, map[string]any{"EROOT.json": configDoc(plain), "EROOTB.json": configDoc(based)})
	for _, tc := range []struct{ dist, target, want string }{
		{"EROOT", "/", "/index.html"},
		{"EROOT", "/?q=1", "/index.html"},
		{"EROOT", "/sub/", "/sub/"},
		{"EROOT", "/index.html", "/index.html"},
		{"EROOT", "/other", "/other"},
		{"EROOTB", "/", "/base/index.html"},
		{"EROOTB", "/sub/", "/base/sub/"},
	} {
		t.Run(tc.dist+tc.target, func(t *testing.T) {
			t.Parallel()
			r := e.do(t, request{Host: defaultDomain(tc.dist), Target: tc.target})
			if r.Status != 200 {
				t.Fatalf("status: got %d, want 200", r.Status)
			}
			if got := o.mustByID(t, r.ID()).RequestURI; got != tc.want {
				t.Errorf("origin request URI: got %q, want %q", got, tc.want)
			}
			l := e.waitLogID(t, tc.dist+".*.gz", r.ID())
			stem, _, _ := strings.Cut(tc.target, "?")
			checkLog(t, l, map[string]string{"cs-uri-stem": stem})
		})
	}
}
