package accesslog

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is an injected clock that tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newTestWriter(t *testing.T, o Options) *Writer {
	t.Helper()
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	if o.Logger == nil {
		o.Logger = quiet
	}
	w, err := NewWriter(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// logFiles reads every .gz file under dir and returns, per path relative
// to dir, its number of log lines. Any malformed line or read error fails t.
func logFiles(t *testing.T, dir string) map[string]int {
	t.Helper()
	got := map[string]int{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		r, c, err := Open(path)
		if err != nil {
			return err
		}
		defer c.Close()
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		got[rel] = 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
			got[rel]++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// names returns the keys of m with their unique ids replaced by "*".
func names(t *testing.T, m map[string]int) []string {
	t.Helper()
	var out []string
	for name := range m {
		fn, err := ParseFileName(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(fn.Unique) != 8 || strings.Trim(fn.Unique, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
			t.Errorf("%s: unique id %q is not 8 uppercase letters and digits", name, fn.Unique)
		}
		out = append(out, strings.Replace(name, fn.Unique, "*", 1))
	}
	sort.Strings(out)
	return out
}

func rec(t time.Time, stem string) *Record {
	r := sample()
	r.Time, r.URIStem = t, stem
	return r
}

func TestWriterHourRotation(t *testing.T) {
	clock := &fakeClock{t: time.Date(2024, 1, 2, 10, 59, 0, 0, time.UTC)}
	dir := t.TempDir()
	w := newTestWriter(t, Options{Dir: dir, Now: clock.Now})
	base := time.Date(2024, 1, 2, 10, 59, 58, 0, time.UTC)
	for i := 0; i < 4; i++ { // 10:59:58, 10:59:59, 11:00:00, 11:00:01
		w.Log("logs", "E2QWRUHAPOMQZL", rec(base.Add(time.Duration(i)*time.Second), fmt.Sprint("/", i)))
	}
	w.Log("", "_unrouted", rec(base, "/x"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files := logFiles(t, dir)
	got := names(t, files)
	want := []string{
		"_unrouted.2024-01-02-10.*.gz",
		"logs/E2QWRUHAPOMQZL.2024-01-02-10.*.gz",
		"logs/E2QWRUHAPOMQZL.2024-01-02-11.*.gz",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for name, n := range files {
		want := 2
		if strings.HasPrefix(name, "_unrouted") {
			want = 1
		}
		if n != want {
			t.Errorf("%s: got %v lines, want %v", name, n, want)
		}
		raw := gunzip(t, filepath.Join(dir, name))
		if !strings.HasPrefix(raw, Header) {
			t.Errorf("%s: does not start with the header: %q", name, raw[:min(len(raw), 80)])
		}
	}
}

func gunzip(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return string(b)
}

func TestWriterFlush(t *testing.T) {
	dir := t.TempDir()
	w := newTestWriter(t, Options{Dir: dir, FlushEvery: time.Hour})
	now := time.Now()
	total := 0
	for round, n := range []int{3, 1, 200} {
		for i := 0; i < n; i++ {
			w.Log("p/", "E1", rec(now, "/"))
		}
		total += n
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		files := logFiles(t, dir) // valid gzip while the file is still open
		if len(files) != 1 {
			t.Fatalf("round %d: got %v files, want 1", round, len(files))
		}
		for _, got := range files {
			if got != total {
				t.Errorf("round %d: got %v lines, want %v", round, got, total)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for _, got := range logFiles(t, dir) {
		if got != total {
			t.Errorf("after Close: got %v lines, want %v", got, total)
		}
	}
}

func TestWriterConcurrent(t *testing.T) {
	dir := t.TempDir()
	w := newTestWriter(t, Options{Dir: dir, Buffer: 512, FlushEvery: 5 * time.Millisecond})
	const goroutines, each = 16, 2000
	now := time.Now()
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := sample()
			r.Time = now
			for i := 0; i < each; i++ {
				w.Log("", fmt.Sprintf("E%d", i%3), r)
				if i%500 == 0 {
					w.Flush()
				}
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range logFiles(t, dir) {
		total += n
	}
	if got, want := total+int(w.Dropped()), goroutines*each; got != want {
		t.Errorf("got %v lines + %v dropped, want %v", total, w.Dropped(), want)
	}
	if w.Dropped() != 0 {
		t.Errorf("Dropped: got %v, want 0", w.Dropped())
	}
}

func TestWriterJSON(t *testing.T) {
	dir := t.TempDir()
	w := newTestWriter(t, Options{Dir: dir, Format: FormatJSON})
	w.Log("", "E1", sample())
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files := logFiles(t, dir)
	if got, want := names(t, files), []string{"E1.2019-12-04-21.*.gz"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for name := range files {
		if got, want := gunzip(t, filepath.Join(dir, name)), string(AppendJSON(nil, sample())); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// TestWriterLogLine: ready-made JSON lines (AWS WAF records) share the
// files, rotation and Close guarantees of access-log records.
func TestWriterLogLine(t *testing.T) {
	dir := t.TempDir()
	w := newTestWriter(t, Options{Dir: dir, Format: FormatJSON})
	at := time.Date(2019, 12, 4, 21, 2, 31, 0, time.UTC)
	w.LogLine("waf/", "edge-acl", at, []byte(`{"action":"BLOCK"}`+"\n"))
	w.LogLine("waf/", "edge-acl", at.Add(time.Hour), []byte(`{"action":"ALLOW"}`+"\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files := logFiles(t, dir)
	if got, want := names(t, files), []string{"waf/edge-acl.2019-12-04-21.*.gz", "waf/edge-acl.2019-12-04-22.*.gz"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	var all []string
	for name := range files {
		all = append(all, gunzip(t, filepath.Join(dir, name)))
	}
	slices.Sort(all)
	if want := []string{`{"action":"ALLOW"}` + "\n", `{"action":"BLOCK"}` + "\n"}; !reflect.DeepEqual(all, want) {
		t.Errorf("got %q, want %q", all, want)
	}
}

func TestWriterClosed(t *testing.T) {
	dir := t.TempDir()
	w := newTestWriter(t, Options{Dir: dir})
	w.Log("", "E1", sample())
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w.Log("", "E1", sample()) // no-op
	if err := w.Flush(); !errors.Is(err, ErrClosed) {
		t.Errorf("Flush after Close: got %v, want %v", err, ErrClosed)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: got %v, want nil", err)
	}
	for _, n := range logFiles(t, dir) {
		if n != 1 {
			t.Errorf("got %v lines, want 1", n)
		}
	}
	if w.Dropped() != 0 {
		t.Errorf("Dropped: got %v, want 0", w.Dropped())
	}
}

func TestWriterErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "blocked"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, prefix, key string
	}{
		{"prefix is a file", "blocked/", "E1"},
		{"prefix leaves Dir", "../../x/", "E1"},
		{"key with a slash", "", "a/b"},
		{"empty key", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newTestWriter(t, Options{Dir: dir})
			w.Log(tc.prefix, tc.key, sample())
			if err := w.Flush(); err == nil {
				t.Errorf("Flush: got nil, want an error")
			}
			if got := w.Errors(); got != 1 {
				t.Errorf("Errors: got %v, want 1", got)
			}
			if got := w.Dropped(); got != 1 {
				t.Errorf("Dropped: got %v, want 1", got)
			}
			w.Log("ok/", "E1", sample()) // other streams keep working
			if err := w.Close(); err != nil {
				t.Errorf("Close: got %v, want nil", err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "x")); err == nil {
		t.Errorf("a file was written outside Dir")
	}
	if got := len(logFiles(t, filepath.Join(dir, "ok"))); got != len(tests) {
		t.Errorf("got %v files, want %v", got, len(tests))
	}
}

func TestNewWriterOptions(t *testing.T) {
	tests := []struct {
		name string
		o    Options
	}{
		{"no Dir", Options{}},
		{"bad format", Options{Dir: t.TempDir(), Format: "csv"}},
		{"negative buffer", Options{Dir: t.TempDir(), Buffer: -1}},
		{"Dir is a file", Options{Dir: "writer_test.go"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if w, err := NewWriter(tc.o); err == nil {
				w.Close()
				t.Errorf("got nil, want an error")
			}
		})
	}
}

func TestWriterFullBuffer(t *testing.T) {
	tests := []struct {
		name     string
		maxBlock time.Duration
	}{
		{"blocks", time.Minute},
		{"drops", -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			w := newTestWriter(t, Options{Dir: dir, Buffer: 1, MaxBlock: tc.maxBlock})
			const n = 2000
			for i := 0; i < n; i++ {
				w.Log("", "E1", sample())
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			lines := 0
			for _, c := range logFiles(t, dir) {
				lines += c
			}
			if got := lines + int(w.Dropped()); got != n {
				t.Errorf("got %v lines + %v dropped, want %v", lines, w.Dropped(), n)
			}
			if tc.maxBlock > 0 && w.Dropped() != 0 {
				t.Errorf("Dropped: got %v, want 0", w.Dropped())
			}
		})
	}
}

func TestWriterClosesPastHours(t *testing.T) {
	clock := &fakeClock{t: time.Date(2024, 1, 2, 10, 30, 0, 0, time.UTC)}
	dir := t.TempDir()
	w := newTestWriter(t, Options{Dir: dir, Now: clock.Now, FlushEvery: time.Millisecond})
	w.Log("", "E1", rec(clock.Now(), "/"))
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := w.nopen.Load(); got != 1 {
		t.Fatalf("open files: got %v, want 1", got)
	}
	clock.Set(time.Date(2024, 1, 2, 11, 0, 0, 0, time.UTC))
	for deadline := time.Now().Add(10 * time.Second); w.nopen.Load() != 0; {
		if time.Now().After(deadline) {
			t.Fatalf("open files: got %v, want 0", w.nopen.Load())
		}
		time.Sleep(time.Millisecond)
	}
	// A late record of the closed hour goes into a new file of that hour.
	w.Log("", "E1", rec(time.Date(2024, 1, 2, 10, 59, 59, 0, time.UTC), "/late"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := []string{"E1.2024-01-02-10.*.gz", "E1.2024-01-02-10.*.gz"}
	if got := names(t, logFiles(t, dir)); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestLogAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts need a quiet process")
	}
	w := newTestWriter(t, Options{Buffer: 1 << 20, FlushEvery: time.Hour})
	r := sample()
	r.Time = time.Now()
	for range 2 { // grow both batches
		for range 2000 {
			w.Log("logs/", "E1", r)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if got := testing.AllocsPerRun(1000, func() { w.Log("logs/", "E1", r) }); got != 0 {
		t.Errorf("got %v allocs per Log, want 0", got)
	}
}

// TestWriterCloseWhileLogging checks that a Close racing with Log leaves
// complete files holding every record Log accepted.
func TestWriterCloseWhileLogging(t *testing.T) {
	dir := t.TempDir()
	w := newTestWriter(t, Options{Dir: dir, Buffer: 64})
	var wg sync.WaitGroup
	var mu sync.Mutex
	calls := 0
	stop := make(chan struct{})
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := sample()
			for n := 0; ; n++ {
				select {
				case <-stop:
					mu.Lock()
					calls += n
					mu.Unlock()
					return
				default:
				}
				w.Log("", "E1", r)
			}
		}()
	}
	for deadline := time.Now().Add(5 * time.Second); ; {
		if files := w.nopen.Load(); files > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	lines := 0
	for _, n := range logFiles(t, dir) {
		lines += n
	}
	if lines == 0 || lines+int(w.Dropped()) > calls {
		t.Errorf("got %v lines + %v dropped, want at least 1 and at most %v Log calls", lines, w.Dropped(), calls)
	}
}
