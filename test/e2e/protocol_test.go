package e2e

import (
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestViewerProtocolPolicy: https-only refuses HTTP with the "Bad request."
// page; redirect-to-https answers 301 for GET and HEAD, 307 for other
// methods over HTTP/1.1, and 403 for them over HTTP/1.0 (spec §6, §1.5).
func TestViewerProtocolPolicy(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "app", nil)
	all := methods("GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE")
	cfg := distConfig([]obj{customOrigin("o", "127.0.0.1", o.port())},
		with(behavior("", "o"), "ViewerProtocolPolicy", "redirect-to-https", "AllowedMethods", all),
		with(behavior("/secure/*", "o"), "ViewerProtocolPolicy", "https-only", "AllowedMethods", all))
	cfg["Aliases"] = list("www.example.com")
	const id = "EPROTO1"
	e := startEdge(t, docs1(id, cfg))
	_, httpsPort, _ := net.SplitHostPort(e.HTTPS)

	t.Run("https-only over HTTP", func(t *testing.T) {
		t.Parallel()
		for _, m := range []string{"GET", "POST"} {
			r := e.do(t, request{Method: m, Host: "www.example.com", Target: "/secure/a"})
			checkEdgePage(t, r, 403, causeBadRequest)
			if _, ok := o.byID(r.ID()); ok {
				t.Errorf("%s over HTTP to an https-only behavior reached the origin", m)
			}
			l := e.waitLogID(t, id+".*.gz", r.ID())
			checkLog(t, l, map[string]string{
				"sc-status": "403", "x-edge-result-type": "Error", "x-edge-response-result-type": "Error",
				"cs-method": m, "cs(Host)": defaultDomain(id), "x-host-header": "www.example.com",
				"cs-protocol": "http", "ssl-protocol": "-", "c-port": r.LocalPort, "sc-content-len": strconv.Itoa(len(r.Body)),
			})
		}
	})
	t.Run("https-only over HTTPS", func(t *testing.T) {
		t.Parallel()
		r := e.do(t, request{Proto: "https", Host: "www.example.com", Target: "/secure/a"})
		if r.Status != 200 {
			t.Errorf("status: got %d, want 200", r.Status)
		}
	})
	for _, tc := range []struct {
		method, host string
		status       int
	}{
		{"GET", "www.example.com", 301},
		{"HEAD", "www.example.com", 301},
		{"GET", "www.example.com:8080", 301},
		{"POST", "www.example.com", 307},
		{"DELETE", "www.example.com", 307},
	} {
		t.Run("redirect "+tc.method+" "+tc.host, func(t *testing.T) {
			t.Parallel()
			r := e.do(t, request{Method: tc.method, Host: tc.host, Target: "/p/a.html?x=1&y=%20z", Body: bodyFor(tc.method)})
			if r.Status != tc.status {
				t.Fatalf("status: got %d, want %d", r.Status, tc.status)
			}
			want := "https://www.example.com:" + httpsPort + "/p/a.html?x=1&y=%20z"
			if got := r.Header.Get("Location"); got != want {
				// With --https 127.0.0.1:0 the port must come from the bound
				// listener, not from the flag's ":0".
				t.Errorf("Location: got %q, want %q (the HTTPS listener's bound port)", got, want)
			}
			if got := r.Header.Get("Server"); got != "CloudFront" {
				t.Errorf("Server: got %q, want CloudFront", got)
			}
			checkCloudFrontHeaders(t, r, "Redirect from cloudfront")
			switch {
			case tc.method == "HEAD":
				if len(r.Body) != 0 {
					t.Errorf("HEAD body: got %d bytes, want 0", len(r.Body))
				}
			case tc.status == 301 && string(r.Body) != redirect301:
				t.Errorf("301 body: got %q, want %q", r.Body, redirect301)
			}
			if _, got := o.byID(r.ID()); got {
				t.Error("a redirected request reached the origin")
			}
			l := e.waitLogID(t, id+".*.gz", r.ID())
			checkLog(t, l, map[string]string{
				"sc-status": strconv.Itoa(tc.status), "x-edge-result-type": "Redirect",
				"x-edge-response-result-type": "Redirect", "x-edge-detailed-result-type": "Redirect",
				"cs-method": tc.method, "x-host-header": tc.host, "cs-protocol": "http",
			})
		})
	}
	t.Run("redirect of an absolute-form request", func(t *testing.T) {
		t.Parallel()
		// RFC 9112 §3.2.2: a server must accept absolute-form; the Location
		// is built from the path and query, not from the raw target.
		r := mustRaw(t, e.HTTP, "GET http://www.example.com/abs/x?y=1 HTTP/1.1\r\nHost: www.example.com\r\n\r\n")
		loc := r.Header.Get("Location")
		u, err := url.Parse(loc)
		if r.Status != 301 || err != nil || u.Scheme != "https" || u.Hostname() != "www.example.com" || u.Path != "/abs/x" || u.RawQuery != "y=1" {
			t.Errorf("got %d Location %q, want 301 https://www.example.com[:port]/abs/x?y=1 "+
				"(the raw absolute-form target must not be appended to the host)", r.Status, loc)
		}
	})
	t.Run("redirect POST over HTTP/1.0", func(t *testing.T) {
		t.Parallel()
		r := mustRaw(t, e.HTTP, "POST /p/form HTTP/1.0\r\nHost: www.example.com\r\nContent-Length: 3\r\n\r\nx=1")
		checkEdgePage(t, r, 403, causeBadRequest)
		l := e.waitLogID(t, id+".*.gz", r.ID())
		checkLog(t, l, map[string]string{"sc-status": "403", "cs-protocol-version": "HTTP/1.0", "x-edge-result-type": "Error"})
	})
}

func bodyFor(method string) io.Reader {
	if method == "GET" || method == "HEAD" {
		return nil
	}
	return strings.NewReader("a=1")
}

// TestAllowedMethods: a method outside the behavior's AllowedMethods gets
// the 1053-byte "cachable requests" page and InvalidRequestMethod (spec §11).
func TestAllowedMethods(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "app", nil)
	cfg := distConfig([]obj{customOrigin("o", "127.0.0.1", o.port())},
		behavior("", "o"),
		with(behavior("/cors/*", "o"), "AllowedMethods", methods("GET", "HEAD", "OPTIONS")),
		with(behavior("/api/*", "o"), "AllowedMethods", methods("GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE")))
	const id = "EMETHOD1"
	e := startEdge(t, docs1(id, cfg))
	for _, tc := range []struct {
		proto, method, path string
		allowed             bool
	}{
		{"http", "DELETE", "/a", false},
		{"https", "DELETE", "/a", false},
		{"h2", "POST", "/a", false},
		{"http", "OPTIONS", "/a", false},
		{"http", "PUT", "/cors/a", false},
		{"http", "OPTIONS", "/cors/a", true},
		{"h2", "OPTIONS", "/cors/a", true},
		{"http", "HEAD", "/a", true},
		{"http", "DELETE", "/api/a", true},
		{"http", "PATCH", "/api/a", true},
	} {
		t.Run(tc.proto+" "+tc.method+" "+tc.path, func(t *testing.T) {
			t.Parallel()
			r := e.do(t, request{Proto: tc.proto, Method: tc.method, Host: defaultDomain(id), Target: tc.path, Body: bodyFor(tc.method)})
			_, reached := o.byID(r.ID())
			if tc.allowed {
				if r.Status != 200 || !reached {
					t.Errorf("status %d, origin reached %v: want 200 from the origin", r.Status, reached)
				}
				return
			}
			checkEdgePage(t, r, 403, causeMethod)
			if len(r.Body) != 1053 {
				t.Errorf("page length: got %d, want 1053", len(r.Body))
			}
			if reached {
				t.Error("a refused method reached the origin")
			}
			l := e.waitLogID(t, id+".*.gz", r.ID())
			checkLog(t, l, map[string]string{
				"sc-status": "403", "x-edge-result-type": "Error", "x-edge-response-result-type": "Error",
				"x-edge-detailed-result-type": "InvalidRequestMethod", "cs-method": tc.method,
				"cs(Host)": defaultDomain(id), "x-host-header": defaultDomain(id), "sc-content-len": "1053",
				"c-port": r.LocalPort, "sc-content-type": "text/html",
			})
		})
	}
}
