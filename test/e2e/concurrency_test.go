package e2e

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestRequestIDsUnderLoad: with many concurrent viewers, every response
// keeps its own request id — in X-Amz-Cf-Id, on the error page, at the
// origin and in the log line of that very request.
func TestRequestIDsUnderLoad(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "app", nil)
	const id = "EIDS1"
	host := defaultDomain(id)
	e := startEdge(t, docs1(id, simpleDist(o)))
	type sent struct {
		method, path string
		r            *response
	}
	var mu sync.Mutex
	var all []sent
	e.client(t, "h2") // made here: a worker goroutine may not fail the test
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				method := []string{"GET", "DELETE"}[i%2]
				proto := []string{"http", "h2"}[w%2]
				path := fmt.Sprintf("/ids/%d/%d", w, i)
				r, err := e.try(t, request{Proto: proto, Method: method, Host: host, Target: path})
				if err != nil {
					t.Errorf("%s %s: %v", method, path, err)
					return
				}
				mu.Lock()
				all = append(all, sent{method, path, r})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	seen := map[string]string{}
	for _, s := range all {
		rid := s.r.ID()
		if !idShape.MatchString(rid) {
			t.Errorf("%s %s: X-Amz-Cf-Id %q", s.method, s.path, rid)
			continue
		}
		if prev, dup := seen[rid]; dup {
			t.Errorf("request id %s answered both %s and %s", rid, prev, s.path)
		}
		seen[rid] = s.path
		switch s.method {
		case "GET":
			if want := "app GET " + s.path; s.r.Status != 200 || string(s.r.Body) != want {
				t.Errorf("GET %s: got %d %q, want 200 %q", s.path, s.r.Status, s.r.Body, want)
			}
			if got, ok := o.byID(rid); !ok || got.Path != s.path {
				t.Errorf("GET %s: origin saw id %s with path %q (found %v)", s.path, rid, got.Path, ok)
			}
		case "DELETE":
			if want := errorPage(403, causeMethod, rid); s.r.Status != 403 || string(s.r.Body) != want {
				t.Errorf("DELETE %s: got %d, page for id %q, want 403 and the page for %s", s.path, s.r.Status, requestIDOnPage(s.r.Body), rid)
			}
		}
	}
	// Every request's log line carries its own id and path.
	var lines []logLine
	waitFor(t, 10*time.Second, "every log line", func() bool {
		lines = e.logs(t, id+".*.gz")
		return len(lines) >= len(all)
	})
	logged := map[string]bool{}
	for _, l := range lines {
		rid := l["x-edge-request-id"]
		logged[rid] = true
		if path, ok := seen[rid]; !ok || path != l["cs-uri-stem"] {
			t.Errorf("log line for id %s has path %s, want %q (known %v)", rid, l["cs-uri-stem"], path, ok)
		}
	}
	if len(lines) != len(all) || len(logged) != len(all) {
		t.Errorf("log: %d lines with %d distinct ids, want %d", len(lines), len(logged), len(all))
	}
}
