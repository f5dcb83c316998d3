package doctor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openfront-edge/openfront/internal/accesslog"
)

// LogOptions configure AnalyzeLogs.
type LogOptions struct {
	Model *Model    // the configuration, or nil
	WAF   *WAFIndex // AWS WAF records, or nil
	// Since and Until keep the lines logged in [Since, Until); zero means
	// no bound.
	Since, Until time.Time
	// MaxRequests bounds the requests array: the earliest classified
	// requests are kept. 0 keeps none.
	MaxRequests int
	// Workers is how many files are read at once; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is updated as files are read.
	Progress *Progress
	// CountCountries counts c-country per distribution (doctor config --logs).
	CountCountries bool
}

// DefaultMaxRequests is the default bound of the requests array.
const DefaultMaxRequests = 10000

// Progress counts what AnalyzeLogs has read, for a progress bar. Its
// fields are updated atomically every few thousand lines.
type Progress struct {
	Files, FilesDone atomic.Int64
	Lines            atomic.Int64
	Bytes, Total     atomic.Int64 // uncompressed bytes read, and the estimated total
}

// ListFiles expands files and folders (walked recursively, hidden entries
// skipped) into a sorted list of files. A path that does not exist is an
// error.
func ListFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		var files []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path != p && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(files)
		out = append(out, files...)
	}
	return out, nil
}

// AnalyzeLogs reads standard log files and classifies every refused
// request. Files are read in parallel by Workers goroutines, each into a
// tally of its own, and the tallies are merged in the order of the files:
// the report is the same whatever the number of workers.
func AnalyzeLogs(paths []string, o LogOptions) (*LogReport, error) {
	files, err := ListFiles(paths)
	if err != nil {
		return nil, err
	}
	workers := o.Workers
	if workers <= 0 {
		// At most 8 by default: up to 2× the workers' tallies wait to be
		// merged, each keeping up to MaxRequests requests, and memory must
		// stay bounded on a machine with many cores too.
		workers = min(runtime.GOMAXPROCS(0), 8)
	}
	workers = min(workers, max(len(files), 1))
	cl := &classifier{model: o.Model, waf: o.WAF}
	if o.Progress != nil {
		o.Progress.Files.Store(int64(len(files)))
		var total int64
		for _, f := range files {
			total += expectedSize(f)
		}
		o.Progress.Total.Store(total)
	}
	f := newFilter(o.Since, o.Until)
	all := newTally(o.MaxRequests)
	forEachInOrder(len(files), workers, func(i int) *tally {
		t := newTally(o.MaxRequests)
		readFile(files[i], t, cl, f, o.Progress, o.CountCountries)
		return t
	}, all.merge)
	all.resolve()
	return newLogReport(all, o), nil
}

// forEachInOrder runs read(0) … read(n-1) on workers goroutines and hands
// the results to merge in index order, on the calling goroutine. A result
// waits while an earlier one is still being read; at most 2×workers are
// read or waiting at once, which bounds memory whatever n is.
func forEachInOrder(n, workers int, read func(i int) *tally, merge func(*tally)) {
	window := 2 * workers
	type result struct {
		i int
		t *tally
	}
	jobs := make(chan int)
	results := make(chan result, window)
	slots := make(chan struct{}, window) // one per result not yet merged
	go func() {
		for i := range n {
			slots <- struct{}{}
			jobs <- i
		}
		close(jobs)
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results <- result{i, read(i)}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	waiting := make(map[int]*tally, window)
	next := 0
	for r := range results {
		waiting[r.i] = r.t
		for t, ok := waiting[next]; ok; t, ok = waiting[next] {
			delete(waiting, next)
			merge(t)
			next++
			<-slots
		}
	}
}

// expectedSize estimates a file's uncompressed size: a gzip file's last
// member records its size mod 2^32 (RFC 1952 ISIZE), a fair guess for the
// single-member files CloudFront delivers.
func expectedSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	f, err := os.Open(path)
	if err != nil {
		return st.Size()
	}
	defer f.Close()
	var magic [2]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil || magic != [2]byte{0x1f, 0x8b} || st.Size() < 18 {
		return st.Size()
	}
	var isize [4]byte
	if _, err := f.ReadAt(isize[:], st.Size()-4); err != nil {
		return st.Size() * 8
	}
	n := int64(binary.LittleEndian.Uint32(isize[:]))
	if n < st.Size() {
		return st.Size() * 8
	}
	return n
}

// filter keeps lines in [since, until), comparing the logged date and time
// as strings ("2006-01-02", "15:04:05" sort as they read), so the fast path
// parses no time.
type filter struct {
	on                 bool
	sinceD, sinceT     string
	untilD, untilT     string
	sinceMs, untilMs   int64
	hasSince, hasUntil bool
}

func newFilter(since, until time.Time) *filter {
	f := &filter{}
	if !since.IsZero() {
		f.on, f.hasSince = true, true
		s := since.UTC()
		f.sinceD, f.sinceT, f.sinceMs = s.Format("2006-01-02"), s.Format("15:04:05"), s.UnixMilli()
	}
	if !until.IsZero() {
		f.on, f.hasUntil = true, true
		u := until.UTC()
		f.untilD, f.untilT, f.untilMs = u.Format("2006-01-02"), u.Format("15:04:05"), u.UnixMilli()
	}
	return f
}

// keep reports whether a line is inside the window.
func (f *filter) keep(l *accesslog.Raw, c *cols) bool {
	d, t := field(l, c.date), field(l, c.time)
	if len(d) == 0 {
		tm := rawTime(l, c)
		if tm.IsZero() {
			return true
		}
		ms := tm.UnixMilli()
		return (!f.hasSince || ms >= f.sinceMs) && (!f.hasUntil || ms < f.untilMs)
	}
	// Comparing string(b) with a string does not allocate.
	if f.hasSince && (string(d) < f.sinceD || (string(d) == f.sinceD && string(t) < f.sinceT)) {
		return false
	}
	if f.hasUntil && (string(d) > f.untilD || (string(d) == f.untilD && string(t) >= f.untilT)) {
		return false
	}
	return true
}

// fileKey is the distribution id a log file's name carries
// (<id>.YYYY-MM-DD-HH.<unique>.gz), "_unrouted" for this edge's log of
// unrouted requests, or "" for other names.
func fileKey(path string) string {
	p := strings.TrimSuffix(filepath.ToSlash(path), ".gz")
	for _, ext := range []string{".log", ".json", ".txt"} {
		p = strings.TrimSuffix(p, ext)
	}
	fn, err := accesslog.ParseFileName(p)
	if err != nil {
		return ""
	}
	return fn.Key
}

// readFile reads one log file into t.
func readFile(path string, t *tally, cl *classifier, flt *filter, p *Progress, countries bool) {
	t.files++
	rd, closer, err := accesslog.Open(path)
	if err != nil {
		t.readErrors = append(t.readErrors, err.Error())
		return
	}
	defer closer.Close()
	if p != nil {
		defer p.FilesDone.Add(1)
	}
	readLines(rd, path, fileKey(path), t, cl, flt, p, countries)
}

// readLines classifies the lines of one reader; key is the distribution id
// the file name gives ("" when none). Lines are scanned, not split: an
// answer that is not an error costs finding sc-status and
// x-edge-result-type (and, for a Miss, time-to-first-byte and one
// histogram increment), with no allocation; only 4xx/5xx and rewritten
// lines are split and decoded.
func readLines(rd *accesslog.Reader, path, key string, t *tally, cl *classifier, flt *filter, p *Progress, countries bool) {
	var fileStats *distStats
	if key != "" && key != unroutedKey {
		fileStats = t.stats(key)
	}
	var (
		c         *cols
		names     *string
		lastHost  string
		hostStats *distStats
		pending   int64 // lines and bytes not yet added to p
		pendingB  int64
		dec       decoder
	)
	flush := func() {
		if p != nil {
			p.Lines.Add(pending)
			p.Bytes.Add(pendingB)
		}
		pending, pendingB = 0, 0
	}
	defer flush()
	for {
		l, err := rd.Scan()
		if err == io.EOF {
			return
		}
		if err != nil {
			var le *accesslog.LineError
			if errors.As(err, &le) {
				t.malformed++
				t.malformedWhy[malformedReason(le.Reason)]++
				continue
			}
			t.readErrors = append(t.readErrors, fmt.Sprintf("%s: %v", path, err))
			continue
		}
		t.lines++
		pending++
		pendingB += int64(len(l.Bytes)) + 1
		if pending == 4096 {
			flush()
		}
		if l.JSON || len(l.Names) == 0 {
			c, names = newCols(l.Names), nil
		} else if &l.Names[0] != names {
			c, names = newCols(l.Names), &l.Names[0]
		}
		if c.status < 0 {
			t.malformed++
			t.malformedWhy["no sc-status field"]++
			continue
		}
		status := parseStatus(l.Field(c.status))
		if status < 0 {
			t.malformed++
			t.malformedWhy["bad sc-status"]++
			continue
		}
		if flt.on && !flt.keep(l, c) {
			t.skipped++
			continue
		}
		t.statusClass[min(status/100, 5)]++
		st := fileStats
		if st == nil && key != unroutedKey {
			if h := field(l, c.host); string(h) != lastHost || hostStats == nil {
				lastHost = string(h)
				hostStats = t.stats(lastHost)
			}
			st = hostStats
		}
		// string(rt) in comparisons and switches does not allocate.
		rt := field(l, c.result)
		if st != nil {
			if countries {
				if v := field(l, c.country); len(v) > 0 {
					st.country(v)
				}
			}
			// Only the Miss lines' timing is compared with (timing.go).
			if string(rt) == "Miss" {
				if ms := parseMillis(l.Field(c.ttfb)); ms >= 0 {
					st.miss.add(ms)
				}
				if status < 300 {
					st.okMiss++
				}
			}
		}
		if status < 400 && string(rt) != "Error" || status < 100 {
			continue
		}
		if status >= 400 {
			t.errors++
		}
		statsKey := key
		if key == "" {
			statsKey = lastHost
		}
		r := newRequest(l, c, key, status, &dec)
		cls := cl.classify(r)
		t.add(r, &cls, statsKey)
	}
}

// malformedReason folds line-specific reasons ("got 31 fields, want 33")
// into a few kinds for the summary.
func malformedReason(s string) string {
	switch {
	case strings.HasPrefix(s, "got "):
		return "wrong field count"
	case strings.HasPrefix(s, "JSON"):
		return "malformed JSON"
	case strings.HasPrefix(s, "line longer"):
		return "line too long"
	}
	return s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
