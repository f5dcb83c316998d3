package geo

import (
	"bytes"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// logBuffer collects log output written by the watcher goroutine.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func singleCountryDB(t *testing.T, iso, name string) []byte {
	return buildMMDB(t, "GeoIP2-Country", []testNetwork{{"81.2.69.0/24", geoip2Country(iso, name)}})
}

func TestMMDBFollowsFile(t *testing.T) {
	tests := []struct {
		name    string
		replace func(t testing.TB, path string, data []byte)
	}{
		{"rename over", replaceFile},
		{"rewrite in place", func(t testing.TB, path string, data []byte) {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	}
	ip := netip.MustParseAddr("81.2.69.1")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "geo.mmdb")
			tc.replace(t, path, singleCountryDB(t, "GB", "United Kingdom"))
			var logs logBuffer
			m, err := openMMDB(path, slog.New(slog.NewTextHandler(&logs, nil)), 5*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if got := m.Country(ip); got != "GB" {
				t.Fatalf("Country(%s) = %q, want GB", ip, got)
			}

			tc.replace(t, path, singleCountryDB(t, "FR", "France"))
			waitFor(t, "the FR database", func() bool { return m.Country(ip) == "FR" })

			// A damaged replacement is refused, logged, and FR keeps serving.
			tc.replace(t, path, []byte("this is not a MaxMind database"))
			waitFor(t, "the refusal", func() bool { return m.Status().LastError != nil })
			if got := m.Country(ip); got != "FR" {
				t.Errorf("after a bad file, Country(%s) = %q, want FR", ip, got)
			}
			if !strings.Contains(logs.String(), "geo database refused") {
				t.Errorf("refusal not logged; log:\n%s", logs.String())
			}

			// A removed file keeps the loaded one too; its return is picked up.
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the missing-file warning", func() bool {
				return strings.Contains(logs.String(), "geo database file unavailable")
			})
			if got := m.Country(ip); got != "FR" {
				t.Errorf("after removal, Country(%s) = %q, want FR", ip, got)
			}
			tc.replace(t, path, singleCountryDB(t, "DE", "Germany"))
			waitFor(t, "the DE database", func() bool { return m.Country(ip) == "DE" })
			if err := m.Status().LastError; err != nil {
				t.Errorf("Status().LastError = %v after a good reload, want nil", err)
			}
		})
	}
}

func TestMMDBReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "geo.mmdb")
	replaceFile(t, path, singleCountryDB(t, "GB", "United Kingdom"))
	m, err := openMMDB(path, slog.New(slog.DiscardHandler), time.Hour) // only explicit reloads
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ip := netip.MustParseAddr("81.2.69.1")

	replaceFile(t, path, singleCountryDB(t, "FR", "France"))
	if err := m.Reload(); err != nil {
		t.Fatalf("Reload() = %v", err)
	}
	if got := m.Country(ip); got != "FR" {
		t.Errorf("after Reload, Country(%s) = %q, want FR", ip, got)
	}

	good := singleCountryDB(t, "DE", "Germany")
	replaceFile(t, path, good[:len(good)-10])
	if err := m.Reload(); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Reload() of a truncated file = %v, want an error naming the file", err)
	}
	if got := m.Country(ip); got != "FR" {
		t.Errorf("after a refused Reload, Country(%s) = %q, want FR", ip, got)
	}
}

func TestMMDBConcurrentLookupsDuringReloads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "geo.mmdb")
	dbs := [][]byte{singleCountryDB(t, "GB", "United Kingdom"), singleCountryDB(t, "FR", "France")}
	replaceFile(t, path, dbs[0])
	m, err := openMMDB(path, slog.New(slog.DiscardHandler), time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ip := netip.MustParseAddr("81.2.69.1")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if c := m.Country(ip); c != "GB" && c != "FR" {
					t.Errorf("Country(%s) = %q during reloads, want GB or FR", ip, c)
					return
				}
				if l := m.Lookup(ip); l.Country != "GB" && l.Country != "FR" {
					t.Errorf("Lookup(%s) = %+v during reloads", ip, l)
					return
				}
			}
		})
	}
	for i := range 10 {
		replaceFile(t, path, dbs[(i+1)%2])
		if err := m.Reload(); err != nil {
			t.Error(err)
		}
	}
	close(stop)
	wg.Wait()
}
