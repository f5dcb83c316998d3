package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestBadInput: requests CloudFront refuses or cannot parse get an answer
// from the edge, never reach an origin they should not, and never bring the
// process down.
func TestBadInput(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "app", nil)
	other := newOrigin(t, "other", nil) // configured nowhere
	cfg := distConfig([]obj{customOrigin("o", "127.0.0.1", o.port())},
		with(behavior("", "o"), "AllowedMethods", methods("GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE")))
	const id = "EBAD1"
	host := defaultDomain(id)
	e := startEdge(t, docs1(id, cfg))
	otherAddr := fmt.Sprintf("127.0.0.1:%d", other.port())
	t.Cleanup(func() {
		if n := len(other.requests()); n != 0 {
			t.Errorf("an origin no distribution names received %d requests: %+v", n, other.requests()[0])
		}
		if err := e.alive(); err != nil {
			t.Error(err)
		}
	})

	for _, tc := range []struct {
		name   string
		req    string // raw request; {HOST} is the distribution's domain
		status int
		cause  string // docs/decisions.md: "Bad request." for all of these
	}{
		{"URL longer than 8192 bytes", "GET /" + strings.Repeat("a", 8200) + " HTTP/1.1\r\nHost: {HOST}\r\n\r\n", 414, causeBadRequest},
		{"headers over 20 KB", "GET /big HTTP/1.1\r\nHost: {HOST}\r\nX-Big: " + strings.Repeat("b", 21000) + "\r\n\r\n", 400, causeBadRequest},
		{"dot-dot segment", "GET /a/../b HTTP/1.1\r\nHost: {HOST}\r\n\r\n", 400, causeBadRequest},
		{"encoded dot-dot segment", "GET /a/%2e%2E/b HTTP/1.1\r\nHost: {HOST}\r\n\r\n", 400, causeBadRequest},
		{"dot segment", "GET /./b HTTP/1.1\r\nHost: {HOST}\r\n\r\n", 400, causeBadRequest},
		{"trailing dot-dot", "GET /a/.. HTTP/1.1\r\nHost: {HOST}\r\n\r\n", 400, causeBadRequest},
		{"NUL in path", "GET /a%00b HTTP/1.1\r\nHost: {HOST}\r\n\r\n", 400, causeBadRequest},
		{"GET with a body", "GET /body HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: 4\r\n\r\nabcd", 403, causeBadRequest},
		{"GET with a chunked body", "GET /chunked HTTP/1.1\r\nHost: {HOST}\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n", 403, causeBadRequest},
		{"HTTP/1.0 without Host", "GET /nohost HTTP/1.0\r\n\r\n", 403, causeBadRequest},
		{"absolute-form to an unconfigured origin", "GET http://" + otherAddr + "/x HTTP/1.1\r\nHost: {HOST}\r\n\r\n", 403, causeBadRequest},
		{"absolute-form to another name", "GET http://other.example/x HTTP/1.1\r\nHost: {HOST}\r\n\r\n", 403, causeBadRequest},
		{"CONNECT", "CONNECT " + otherAddr + " HTTP/1.1\r\nHost: " + otherAddr + "\r\n\r\n", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := strings.ReplaceAll(tc.req, "{HOST}", host)
			r, err := raw(t, e.HTTP, req)
			if err != nil {
				t.Fatalf("no response to %q: %v", firstLine(req), err)
			}
			if tc.status == 0 {
				// Only that it is refused, by whoever.
				if r.Status < 400 {
					t.Errorf("status: got %d, want a refusal", r.Status)
				}
				return
			}
			checkEdgePage(t, r, tc.status, tc.cause)
			if _, ok := o.byID(r.ID()); ok {
				t.Errorf("origin received the refused request")
			}
			if tc.status == 403 {
				return
			}
			// Spec §2.1: requests CloudFront cannot parse are not in the
			// distribution's log (openfront may keep them in _unrouted).
			e.waitLogID(t, "*.gz", r.ID())
			for _, l := range e.logs(t, id+".*.gz") {
				if l["x-edge-request-id"] == r.ID() {
					t.Errorf("a request CloudFront cannot parse is in the distribution's log (request %s)", r.ID())
				}
			}
		})
	}
	t.Run("large but legal headers", func(t *testing.T) {
		t.Parallel()
		r := e.do(t, request{Host: host, Target: "/ok", Header: http.Header{"X-Big": {strings.Repeat("b", 18000)}}})
		if r.Status != 200 {
			t.Errorf("status: got %d, want 200", r.Status)
		}
	})
	t.Run("absolute-form to the distribution", func(t *testing.T) {
		t.Parallel()
		r := mustRaw(t, e.HTTP, "GET http://"+host+"/abs?q=1 HTTP/1.1\r\nHost: "+host+"\r\n\r\n")
		if r.Status != 200 {
			t.Fatalf("status: got %d, want 200", r.Status)
		}
		if got := o.mustByID(t, r.ID()); got.RequestURI != "/abs" || got.Host != "127.0.0.1" {
			t.Errorf("origin got %s with Host %s, want /abs with Host 127.0.0.1", got.RequestURI, got.Host)
		}
	})
	t.Run("path that looks like an authority", func(t *testing.T) {
		t.Parallel()
		r := mustRaw(t, e.HTTP, "GET //"+otherAddr+"/x HTTP/1.1\r\nHost: "+host+"\r\n\r\n")
		if r.Status == 200 {
			if got := o.mustByID(t, r.ID()); got.Path != "//"+otherAddr+"/x" {
				t.Errorf("origin path: got %q, want %q", got.Path, "//"+otherAddr+"/x")
			}
		}
	})
	t.Run("HTTP/1.0 without Host is logged apart", func(t *testing.T) {
		t.Parallel()
		r := mustRaw(t, e.HTTP, "GET /nohost-log HTTP/1.0\r\n\r\n")
		l := e.waitLogID(t, "_unrouted.*.gz", r.ID())
		checkLog(t, l, map[string]string{"sc-status": "403", "x-host-header": "-", "cs-protocol-version": "HTTP/1.0"})
	})
}
