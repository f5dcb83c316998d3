package e2e

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestCustomErrorResponses: an origin error or an edge denial with a
// CustomErrorResponse is answered with the page fetched through the cache
// behavior matching ResponsePagePath, with ResponseCode as the status; the
// log keeps x-edge-result-type Error (spec §10.1, §2.1).
func TestCustomErrorResponses(t *testing.T) {
	t.Parallel()
	app := newOrigin(t, "app", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "test-origin")
		switch {
		case strings.HasPrefix(r.URL.Path, "/missing"):
			http.Error(w, "app 404", http.StatusNotFound)
		case strings.HasPrefix(r.URL.Path, "/forbidden"):
			http.Error(w, "app 403", http.StatusForbidden)
		case strings.HasPrefix(r.URL.Path, "/boom"):
			http.Error(w, "app 500", http.StatusInternalServerError)
		default:
			w.Write([]byte("app ok"))
		}
	})
	pages := newOrigin(t, "pages", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "pages-origin")
		if strings.Contains(r.URL.Path, "absent") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<h1>custom page " + r.URL.Path + "</h1>"))
	})
	cfg := distConfig([]obj{customOrigin("app", "127.0.0.1", app.port()), customOrigin("pages", "127.0.0.1", pages.port())},
		behavior("", "app"), behavior("/errors/*", "pages"))
	cfg["CustomErrorResponses"] = list(
		obj{"ErrorCode": 404, "ResponsePagePath": "/errors/404.html", "ResponseCode": "200", "ErrorCachingMinTTL": 10},
		obj{"ErrorCode": 403, "ResponsePagePath": "/errors/403.html", "ResponseCode": "403", "ErrorCachingMinTTL": 10},
		obj{"ErrorCode": 500, "ResponsePagePath": "/errors/500.html", "ResponseCode": "503", "ErrorCachingMinTTL": 10},
	)
	const id = "ECUSTOM1"
	// ECUSTOM2's pages cannot be fetched: the viewer gets the original answer.
	absent := with(cfg, "CustomErrorResponses", list(
		obj{"ErrorCode": 404, "ResponsePagePath": "/errors/absent-404.html", "ResponseCode": "200", "ErrorCachingMinTTL": 10},
		obj{"ErrorCode": 403, "ResponsePagePath": "/errors/absent-403.html", "ResponseCode": "403", "ErrorCachingMinTTL": 10}))
	e := startEdge(t, map[string]any{id + ".json": configDoc(cfg), "ECUSTOM2.json": configDoc(absent)})
	for _, tc := range []struct {
		name, method, path string
		status             int
		page               string
		detailed           string
		fromApp            bool
	}{
		{"origin 404 to 200", "GET", "/missing/a", 200, "/errors/404.html", "Error", true},
		{"origin 403", "GET", "/forbidden/a", 403, "/errors/403.html", "Error", true},
		{"origin 500 to 503", "GET", "/boom", 503, "/errors/500.html", "Error", true},
		{"edge method denial", "DELETE", "/anything", 403, "/errors/403.html", "InvalidRequestMethod", false},
	} {
		for _, proto := range []string{"http", "h2"} {
			t.Run(tc.name+" "+proto, func(t *testing.T) {
				t.Parallel()
				r := e.do(t, request{Proto: proto, Method: tc.method, Host: defaultDomain(id), Target: tc.path})
				if r.Status != tc.status {
					t.Errorf("status: got %d, want %d", r.Status, tc.status)
				}
				if want := "<h1>custom page " + tc.page + "</h1>"; string(r.Body) != want {
					t.Errorf("body: got %q, want %q", r.Body, want)
				}
				checkCloudFrontHeaders(t, r, "Error from cloudfront")
				got, ok := pages.byID(r.ID())
				if !ok || got.Path != tc.page || got.Method != "GET" {
					t.Errorf("pages origin: got %v %s %s, want GET %s", ok, got.Method, got.Path, tc.page)
				}
				if _, ok := app.byID(r.ID()); ok != tc.fromApp {
					t.Errorf("app origin received the request: %v, want %v", ok, tc.fromApp)
				}
				l := e.waitLogID(t, id+".*.gz", r.ID())
				checkLog(t, l, map[string]string{
					"sc-status": strconv.Itoa(tc.status), "x-edge-result-type": "Error",
					"x-edge-detailed-result-type": tc.detailed, "cs-method": tc.method, "cs-uri-stem": tc.path,
					"sc-content-len": strconv.Itoa(len(r.Body)),
				})
			})
		}
	}
	t.Run("page not found: CloudFront's own page", func(t *testing.T) {
		t.Parallel()
		r := e.do(t, request{Method: "DELETE", Host: defaultDomain("ECUSTOM2"), Target: "/x"})
		checkEdgePage(t, r, 403, causeMethod)
		if _, ok := pages.byID(r.ID()); !ok {
			t.Error("the page was never asked for")
		}
	})
	t.Run("page not found: the origin's own error", func(t *testing.T) {
		t.Parallel()
		r := e.do(t, request{Host: defaultDomain("ECUSTOM2"), Target: "/missing/b"})
		if r.Status != 404 || string(r.Body) != "app 404\n" || r.Header.Get("Server") != "test-origin" {
			t.Errorf("got %d %q Server %q, want the origin's 404", r.Status, r.Body, r.Header.Get("Server"))
		}
	})
	t.Run("success is untouched", func(t *testing.T) {
		t.Parallel()
		r := e.do(t, request{Host: defaultDomain(id), Target: "/ok"})
		if r.Status != 200 || string(r.Body) != "app ok" {
			t.Errorf("got %d %q, want 200 %q", r.Status, r.Body, "app ok")
		}
	})
}
