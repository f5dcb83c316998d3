package accesslog

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// Open opens a log file for reading, gzip-compressed (detected by its magic
// bytes; all members of a multi-member file are read) or plain. Call the
// Closer when done, even before the end of the file.
//
// A gzip file is inflated by github.com/klauspost/compress/gzip (about 1.5x
// the standard library's speed) on a goroutine of its own, ahead of the
// parsing: inflating (about 400 MB/s per core) is slower than scanning, and
// this way the two overlap on two cores.
func Open(path string) (*Reader, io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("accesslog: %w", err)
	}
	br := bufio.NewReaderSize(f, 64<<10)
	if magic, _ := br.Peek(4); string(magic) == "PAR1" {
		f.Close()
		return nil, nil, fmt.Errorf("accesslog: %s: %w", path, ErrParquet)
	}
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("accesslog: %s: %w", path, err)
		}
		ra := newReadAhead(zr)
		return NewReader(ra), closers{ra, f}, nil
	}
	return NewReader(br), f, nil
}

// ErrParquet is Open's error for a Parquet file, which standard logging v2
// writes to S3 when its delivery's output format is Parquet: its magic
// bytes "PAR1" open it. The reader reads the JSON, W3C and Plain formats.
var ErrParquet = errors.New("a Parquet file (standard logging v2's Parquet output), not read: deliver JSON, W3C or Plain, or convert it")

type closers []io.Closer

func (cs closers) Close() error {
	var first error
	for _, c := range cs {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// readAhead reads src on its own goroutine into a few recycled chunks.
type readAhead struct {
	full chan chunk
	free chan []byte
	done chan struct{}
	stop sync.Once
	buf  []byte // the chunk being consumed
	cur  []byte // its unread part
	err  error  // the error that came with it
}

type chunk struct {
	b   []byte
	err error
}

const (
	aheadChunks    = 3
	aheadChunkSize = 256 << 10
)

func newReadAhead(src io.Reader) *readAhead {
	ra := &readAhead{
		full: make(chan chunk, aheadChunks),
		free: make(chan []byte, aheadChunks),
		done: make(chan struct{}),
	}
	for range aheadChunks {
		ra.free <- make([]byte, aheadChunkSize)
	}
	go ra.run(src)
	return ra
}

func (ra *readAhead) run(src io.Reader) {
	for {
		var b []byte
		select {
		case b = <-ra.free:
		case <-ra.done:
			return
		}
		n := 0
		var err error
		for n < len(b) && err == nil {
			var m int
			m, err = src.Read(b[n:])
			n += m
		}
		select {
		case ra.full <- chunk{b[:n], err}:
		case <-ra.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// Read returns the data of each chunk before the error that came with it.
func (ra *readAhead) Read(p []byte) (int, error) {
	for len(ra.cur) == 0 {
		if ra.err != nil {
			return 0, ra.err
		}
		if ra.buf != nil {
			ra.free <- ra.buf[:cap(ra.buf)] // never blocks: there are only aheadChunks chunks
			ra.buf = nil
		}
		c := <-ra.full
		ra.buf, ra.cur, ra.err = c.b, c.b, c.err
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

// Close stops the goroutine.
func (ra *readAhead) Close() error {
	ra.stop.Do(func() { close(ra.done) })
	return nil
}
