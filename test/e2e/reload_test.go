package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// reloadDist is a distribution whose origin has OriginPath path, so a
// response tells which configuration served it.
func reloadDist(o *origin, path string) obj {
	return distConfig([]obj{with(customOrigin("o", "127.0.0.1", o.port()), "OriginPath", path)}, behavior("", "o"))
}

// writeConfig replaces one config file atomically (write, then rename), so
// a reload never reads a half-written file.
func (e *edge) writeConfig(t *testing.T, name string, doc any) {
	t.Helper()
	tmp := filepath.Join(e.Dir, "tmp-"+name)
	writeDocs(t, e.Dir, map[string]any{"tmp-" + name: doc})
	if err := os.Rename(tmp, filepath.Join(e.ConfigDir, name)); err != nil {
		t.Fatal(err)
	}
}

// servedBy returns the status and body of GET /probe, e.g.
// "200 app GET /v1/probe", or the transport error.
func (e *edge) servedBy(t *testing.T, host string) string {
	t.Helper()
	r, err := e.try(t, request{Host: host, Target: "/probe"})
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%d %s", r.Status, r.Body)
}

// TestReload: a changed file is picked up within seconds; a broken one is
// refused while the old configuration keeps serving and /status names the
// file and JSON path; SIGHUP reloads too.
func TestReload(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "app", nil)
	const id = "ERELOAD1"
	host := defaultDomain(id)
	e := startEdge(t, docs1(id, reloadDist(o, "/v1")))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("stderr:\n%s\nstatus: %+v", e.stderr, e.status(t))
		}
	})
	name := id + ".json"
	if got := e.servedBy(t, host); got != "200 app GET /v1/probe" {
		t.Fatalf("before reload: got %q", got)
	}
	first := e.status(t).LastReload

	e.writeConfig(t, name, configDoc(reloadDist(o, "/v2")))
	waitFor(t, 10*time.Second, "the file change to apply", func() bool { return e.servedBy(t, host) == "200 app GET /v2/probe" })
	st := e.status(t)
	if !st.LastReload.After(first) || len(st.LastErrors) != 0 {
		t.Errorf("/status after reload: last_reload %v (first %v), errors %q", st.LastReload, first, st.LastErrors)
	}

	broken := reloadDist(o, "/v9")
	origins := broken["Origins"].(obj)["Items"].([]obj)
	origins[0]["CustomOriginConfig"] = with(origins[0]["CustomOriginConfig"].(obj), "OriginProtocolPolicy", "htp-only")
	e.writeConfig(t, name, configDoc(broken))
	waitFor(t, 10*time.Second, "/status to show the refused reload", func() bool { return len(e.status(t).LastErrors) > 0 })
	errs := strings.Join(e.status(t).LastErrors, "\n")
	if want := name + ": DistributionConfig.Origins.Items[0].CustomOriginConfig.OriginProtocolPolicy"; !strings.Contains(errs, want) {
		t.Errorf("last_reload_errors: got %q, want it to name %q", errs, want)
	}
	if got := e.servedBy(t, host); got != "200 app GET /v2/probe" {
		t.Errorf("after a refused reload: got %q, want the old configuration", got)
	}

	e.writeConfig(t, name, configDoc(reloadDist(o, "/v3")))
	waitFor(t, 10*time.Second, "the fixed file to apply", func() bool { return e.servedBy(t, host) == "200 app GET /v3/probe" })
	if st := e.status(t); len(st.LastErrors) != 0 {
		t.Errorf("last_reload_errors after a good reload: %q", st.LastErrors)
	}

	// A new file adds a distribution; removing it removes the distribution.
	added := defaultDomain("EADDED1")
	e.writeConfig(t, "EADDED1.json", configDoc(reloadDist(o, "/new")))
	waitFor(t, 10*time.Second, "the added distribution to serve", func() bool { return e.servedBy(t, added) == "200 app GET /new/probe" })
	if err := os.Remove(filepath.Join(e.ConfigDir, "EADDED1.json")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the removed distribution to stop serving", func() bool { return strings.HasPrefix(e.servedBy(t, added), "403 ") })
	if got := e.servedBy(t, host); got != "200 app GET /v3/probe" {
		t.Errorf("the remaining distribution: got %q", got)
	}

	// SIGHUP: a change the file watcher cannot see (same size, same
	// modification time) is applied on the signal.
	path := filepath.Join(e.ConfigDir, name)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(configDoc(reloadDist(o, "/v4")), "", "  ")
	tmp := filepath.Join(e.Dir, "hup.json")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(tmp, info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	e.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, 10*time.Second, "SIGHUP to reload", func() bool { return e.servedBy(t, host) == "200 app GET /v4/probe" })
	waitFor(t, 5*time.Second, "stderr to log the SIGHUP reload", func() bool {
		return strings.Contains(e.stderr.String(), "reason=SIGHUP")
	})
}

// TestReloadUnderLoad: 20 reloads while 8 keep-alive workers send requests
// continuously; not one request may fail.
func TestReloadUnderLoad(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "app", nil)
	const id = "ELOAD1"
	host := defaultDomain(id)
	e := startEdge(t, docs1(id, reloadDist(o, "/a")))
	var stop atomic.Bool
	var total, failed atomic.Int64
	var firstFailure atomic.Value
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				target := fmt.Sprintf("/load/%d/%d", w, i)
				r, err := e.try(t, request{Host: host, Target: target})
				total.Add(1)
				var why string
				switch {
				case err != nil:
					why = err.Error()
				case r.Status != 200:
					why = fmt.Sprintf("status %d", r.Status)
				case string(r.Body) != "app GET /a"+target && string(r.Body) != "app GET /b"+target:
					why = fmt.Sprintf("body %q", r.Body)
				}
				if why != "" {
					failed.Add(1)
					firstFailure.CompareAndSwap(nil, target+": "+why)
				}
			}
		}()
	}
	for i := range 20 {
		path := []string{"/b", "/a"}[i%2]
		e.writeConfig(t, id+".json", configDoc(reloadDist(o, path)))
		e.cmd.Process.Signal(syscall.SIGHUP)
		waitFor(t, 10*time.Second, "reload "+path, func() bool { return e.servedBy(t, host) == "200 app GET "+path+"/probe" })
	}
	stop.Store(true)
	wg.Wait()
	if n := failed.Load(); n != 0 {
		t.Errorf("%d of %d requests failed during reloads; first: %v", n, total.Load(), firstFailure.Load())
	}
	if total.Load() < 100 {
		t.Errorf("only %d requests were sent during the reloads; want a real load", total.Load())
	}
	t.Logf("%d requests during 20 reloads", total.Load())
}
