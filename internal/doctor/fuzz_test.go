package doctor

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/openfront-edge/openfront/internal/accesslog"
)

// fixtureLines returns the data lines of the main fixture log, split into
// ordinary answers and refusals.
func fixtureLines(t testing.TB) (ok, refused []string) {
	t.Helper()
	f, err := os.Open("testdata/logs/real/EDFDVBD6EXAMPLE.2024-05-01-10.A1B2C3D4.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "#"):
		case strings.Split(l, "\t")[8] < "400" && strings.Split(l, "\t")[13] != "Error":
			ok = append(ok, l)
		default:
			refused = append(refused, l)
		}
	}
	return ok, refused
}

// benchLog is n lines, 5% of them refusals of mixed causes.
func benchLog(t testing.TB, n int) []byte {
	ok, refused := fixtureLines(t)
	var b bytes.Buffer
	b.WriteString(accesslog.Header)
	for i := 0; i < n; i++ {
		if i%20 == 19 {
			b.WriteString(refused[(i/20)%len(refused)])
		} else {
			b.WriteString(ok[i%len(ok)])
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func runLines(data []byte, cl *classifier, max int) *tally {
	t := newTally(max)
	readLines(accesslog.NewReader(bytes.NewReader(data)), "mem", "EDFDVBD6EXAMPLE", t, cl, newFilter(zeroTime, zeroTime), nil, false)
	return t
}

// BenchmarkClassify measures the whole per-line path: reading, the fast
// path for ordinary answers, and classifying 5% refusals.
func BenchmarkClassify(b *testing.B) {
	const n = 50000
	data := benchLog(b, n)
	cl := &classifier{model: testModel(b), waf: testWAF(b)}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		runLines(data, cl, DefaultMaxRequests)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// TestOrdinaryLinesDoNotAllocate: the fast path costs no allocation per
// line; what remains is the reader's one string per 256 KiB block.
func TestOrdinaryLinesDoNotAllocate(t *testing.T) {
	ok, _ := fixtureLines(t)
	var b bytes.Buffer
	b.WriteString(accesslog.Header)
	const n = 20000
	for i := 0; i < n; i++ {
		b.WriteString(ok[i%len(ok)])
		b.WriteByte('\n')
	}
	data := b.Bytes()
	cl := &classifier{}
	allocs := testing.AllocsPerRun(3, func() { runLines(data, cl, 10) })
	if allocs > n/100 {
		t.Errorf("got %v allocations for %d lines, want under %d", allocs, n, n/100)
	}
}

// FuzzClassifyLine feeds arbitrary lines, under the standard header and as
// JSON, through reading and classification.
func FuzzClassifyLine(f *testing.F) {
	ok, refused := fixtureLines(f)
	for _, l := range append(ok[:2], refused...) {
		f.Add(l)
	}
	f.Add(`{"sc-status":"403","x-edge-result-type":"Error","cs-uri-query":"Policy=eyJ9&Signature=~~&Key-Pair-Id=K"}`)
	f.Add("#Fields: sc-status x-edge-result-type cs-uri-query\n403\tError\tExpires=99999999999999&Key-Pair-Id=K")
	f.Add("#Fields: cs-method sc-status\nGET\t999")
	model := testModel(f)
	cl := &classifier{model: model, waf: testWAF(f)}
	f.Fuzz(func(t *testing.T, line string) {
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				panic(fmt.Sprintf("classification hangs on %q", line))
			}
		}()
		data := []byte(accesslog.Header + line + "\n")
		tl := runLines(data, cl, 5)
		tl.resolve()
		if tl.denied > tl.lines {
			t.Fatalf("denied %d of %d lines", tl.denied, tl.lines)
		}
		var n int64
		for _, g := range tl.groups {
			n += g.count
			if !isDenial(g.key.cause) {
				t.Fatalf("finding without a cause: %+v", g.key)
			}
		}
		if n != tl.denied {
			t.Fatalf("findings hold %d requests, want %d", n, tl.denied)
		}
		if len(tl.reqs) > 5 {
			t.Fatalf("kept %d requests, want at most 5", len(tl.reqs))
		}
		rep := newLogReport(tl, LogOptions{Model: model, MaxRequests: 5})
		var out bytes.Buffer
		if err := rep.WriteText(&out, Style{}); err != nil {
			t.Fatal(err)
		}
		if err := rep.WriteJSON(&out); err != nil {
			t.Fatal(err)
		}
	})
}

// BenchmarkReadOnly is the floor BenchmarkClassify compares with: the
// shared reader alone on the same data.
func BenchmarkReadOnly(b *testing.B) {
	const n = 50000
	data := benchLog(b, n)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rd := accesslog.NewReader(bytes.NewReader(data))
		for {
			if _, err := rd.Next(); err != nil {
				break
			}
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkClassifyNoConfig is BenchmarkClassify without a configuration,
// as bench/doctor.sh runs.
func BenchmarkClassifyNoConfig(b *testing.B) {
	const n = 50000
	data := benchLog(b, n)
	cl := &classifier{}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		runLines(data, cl, DefaultMaxRequests)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
