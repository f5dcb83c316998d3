package accesslog

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func BenchmarkAppendW3C(b *testing.B) {
	r := sample()
	buf := make([]byte, 0, 4096)
	b.SetBytes(int64(len(AppendW3C(nil, r))))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendW3C(buf[:0], r)
	}
}

func BenchmarkAppendJSON(b *testing.B) {
	r := sample()
	buf := make([]byte, 0, 4096)
	b.SetBytes(int64(len(AppendJSON(nil, r))))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendJSON(buf[:0], r)
	}
}

// BenchmarkLog measures Log from all Ps at once, the writer's goroutine
// compressing and writing in the background.
func BenchmarkLog(b *testing.B) {
	w, err := NewWriter(Options{Dir: b.TempDir(), Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := sample()
		r.Time = now
		for pb.Next() {
			w.Log("logs/", "E2QWRUHAPOMQZL", r)
		}
	})
	b.StopTimer()
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	if w.Dropped() != 0 {
		b.Errorf("Dropped: got %v, want 0", w.Dropped())
	}
}

// benchLog returns a log of n lines: the AWS example lines (about 380
// bytes each, the shape of real CloudFront logs) over and over.
func benchLog(b *testing.B, n int) []byte {
	example, err := os.ReadFile("testdata/aws-example.log")
	if err != nil {
		b.Fatal(err)
	}
	hdr := len(Header)
	lines := bytes.SplitAfter(example[hdr:], []byte("\n"))
	buf := append([]byte(nil), example[:hdr]...)
	for i := 0; i < n; i++ {
		buf = append(buf, lines[i%6]...)
	}
	return buf
}

func benchRead(b *testing.B, data []byte, lines int, open func() *Reader) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := open()
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != lines {
			b.Fatalf("got %v lines, want %v", n, lines)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkReader reads plain text from memory: the parser alone.
func BenchmarkReader(b *testing.B) {
	const lines = 20000
	data := benchLog(b, lines)
	benchRead(b, data, lines, func() *Reader { return NewReader(bytes.NewReader(data)) })
}

// BenchmarkScan is the doctor's fast path: each line located and checked,
// then sc-status, x-edge-result-type and time-to-first-byte found.
func BenchmarkScan(b *testing.B) {
	const lines = 20000
	data := benchLog(b, lines)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(data))
		n := 0
		for {
			raw, err := r.Scan()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if len(raw.Field(8)) != 3 || len(raw.Field(13)) == 0 || len(raw.Field(27)) == 0 {
				b.Fatalf("line %d: fields not found", raw.Num)
			}
			n++
		}
		if n != lines {
			b.Fatalf("got %v lines, want %v", n, lines)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkReaderGzip reads a gzip file through Open, as the doctor does.
func BenchmarkReaderGzip(b *testing.B) {
	const lines = 20000
	data := benchLog(b, lines)
	var zbuf bytes.Buffer
	zw := gzip.NewWriter(&zbuf)
	zw.Write(data)
	zw.Close()
	path := filepath.Join(b.TempDir(), "E1.2019-12-04-21.ABCDEFGH.gz")
	if err := os.WriteFile(path, zbuf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	var c io.Closer
	defer func() { c.Close() }()
	benchRead(b, data, lines, func() *Reader {
		if c != nil {
			c.Close()
		}
		r, cl, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		c = cl
		return r
	})
}
