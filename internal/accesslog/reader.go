package accesslog

import (
	"bytes"
	"fmt"
	"io"
	"math/bits"
	"strings"
	"unicode/utf8"
)

// readBufSize is the size of the blocks Reader reads; it grows for longer lines.
const readBufSize = 256 << 10

// MaxLineBytes is the longest line Reader reads; a longer one is reported as
// a LineError and skipped. A CloudFront line is at most about 30 KB: a
// request with more than 20 KB of headers or an 8 KB URL is not logged.
const MaxLineBytes = 1 << 20

// LineError reports a malformed line. Reading continues with the next line.
type LineError struct {
	Line   int    // 1-based line number in the input
	Reason string // what is wrong, e.g. "got 31 fields, want 33"
}

// Error implements error.
func (e *LineError) Error() string {
	return fmt.Sprintf("accesslog: line %d: %s", e.Line, e.Reason)
}

// Line is one log record as found in the file.
//
// A Line and its Fields and Names slices are reused by the next call to
// [Reader.Next]; the strings in them are immutable and stay valid.
type Line struct {
	Fields []string // raw field values as in the file (still URL-encoded; "-" for empty)
	Names  []string // the field names in effect, parallel to Fields
	Num    int      // 1-based line number in the input
	Text   string   // the whole line, without its line feed
	JSON   bool     // the line was a JSON object (standard logging v2)

	index map[string]int // name → position; nil for JSON lines
	std   bool           // Names are the 33 standard fields in order
}

// Get returns the value of the named field ("cs-uri-stem", "sc-status",
// "distribution-tenant-id" …) as it is in the file, still URL-encoded. It
// returns "" when the line has no such field or its value is "-".
func (l *Line) Get(field string) string {
	i := -1
	if l.index != nil {
		if j, ok := l.index[field]; ok {
			i = j
		}
	} else {
		for j, n := range l.Names {
			if n == field {
				i = j
				break
			}
		}
	}
	if i < 0 || i >= len(l.Fields) || l.Fields[i] == "-" {
		return ""
	}
	return l.Fields[i]
}

// header is the field mapping of a #Fields line.
type header struct {
	names []string
	index map[string]int
	std   bool
}

func newHeader(names []string) *header {
	h := &header{names: names, index: make(map[string]int, len(names))}
	for i, n := range names {
		if _, dup := h.index[n]; !dup {
			h.index[n] = i
		}
	}
	h.std = len(names) == NumFields
	for i := 0; h.std && i < NumFields; i++ {
		h.std = names[i] == fieldNames[i]
	}
	return h
}

var stdHeader = newHeader(fieldNames)

// Reader reads log lines: W3C lines under the most recent #Fields header
// (the 33 standard fields until one is seen), and JSON-object lines, which
// carry their own field names.
//
// It copies each block of input (256 KiB) into one string and hands out
// substrings of it, so it allocates once per block, not per line or field.
// That allocation paces the garbage collector, whose write barriers then
// slow field splitting: a program that reads many logs (the doctor) reads
// 1.3–1.6x faster with a higher GOGC, e.g. debug.SetGCPercent(400).
type Reader struct {
	src       io.Reader
	buf       []byte // buf[:n] holds input not yet in block
	n         int
	block     string // complete lines being handed out
	pos       int
	valid     bool // block is valid UTF-8
	num       int  // lines consumed
	skipping  bool // inside an over-long line
	readErr   error
	eof       bool
	hdr       *header
	lineHdr   *header // the header r.line's Names are from; nil after a JSON line
	line      Line
	jsonNames []string
	malformed int
}

// NewReader returns a Reader of plain-text (not compressed) log data. Use
// [Open] for files, which detects gzip.
func NewReader(r io.Reader) *Reader {
	return &Reader{src: r, buf: make([]byte, readBufSize), hdr: stdHeader}
}

// Malformed returns how many LineErrors Next has returned so far.
func (r *Reader) Malformed() int { return r.malformed }

// Next returns the next log line, skipping blank lines and # directives
// (a #Fields directive changes the field names of the lines after it). It
// returns io.EOF at the end. A malformed line is returned as a *LineError
// and the next call goes on with the following line. An error reading the
// input (a truncated gzip file, for one) is returned once, after the lines
// read before it, wrapped; then Next returns io.EOF.
func (r *Reader) Next() (*Line, error) {
	for {
		if r.pos >= len(r.block) {
			if err := r.fill(); err != nil {
				return nil, err
			}
			continue
		}
		rest := r.block[r.pos:]
		s := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			s = rest[:i]
			r.pos += i + 1
		} else {
			r.pos = len(r.block)
		}
		r.num++
		if len(s) > 0 && s[len(s)-1] == '\r' {
			s = s[:len(s)-1]
		}
		if s == "" {
			continue
		}
		r.line.Num, r.line.Text = r.num, s
		if !r.valid && !utf8.ValidString(s) {
			return nil, r.lineErr("invalid UTF-8")
		}
		switch s[0] {
		case '#':
			r.directive(s)
			continue
		case '{':
			return r.parseJSON(s)
		}
		return r.parseW3C(s)
	}
}

func (r *Reader) lineErr(reason string) error {
	r.malformed++
	return &LineError{Line: r.num, Reason: reason}
}

// directive handles a "#…" line: only #Fields matters.
func (r *Reader) directive(s string) {
	if rest, ok := strings.CutPrefix(s, "#Fields:"); ok {
		r.hdr = newHeader(strings.Fields(rest))
	}
}

func (r *Reader) parseW3C(s string) (*Line, error) {
	l := &r.line
	f := splitTabs(l.Fields[:0], s)
	// A trailing tab is tolerated: the example log in AccessLogs.md has one.
	if len(f) == len(r.hdr.names)+1 && f[len(f)-1] == "" {
		f = f[:len(f)-1]
	}
	l.Fields = f
	if len(f) != len(r.hdr.names) {
		return nil, r.lineErr(fmt.Sprintf("got %d fields, want %d", len(f), len(r.hdr.names)))
	}
	if r.lineHdr != r.hdr { // pointer writes are costly while the GC marks: skip the needless ones
		l.Names, l.index, l.std, l.JSON = r.hdr.names, r.hdr.index, r.hdr.std, false
		r.lineHdr = r.hdr
	}
	return l, nil
}

// fill makes the next block of complete lines from the input. The bytes
// kept in buf[:n] between calls never contain a line feed.
func (r *Reader) fill() error {
	r.block, r.pos = "", 0
	for {
		if r.eof {
			return io.EOF
		}
		if r.readErr != nil {
			err := r.readErr
			r.readErr, r.eof = nil, true
			return fmt.Errorf("accesslog: read: %w", err)
		}
		if r.n == len(r.buf) {
			if len(r.buf) < MaxLineBytes {
				r.buf = append(r.buf, make([]byte, len(r.buf))...)
			} else {
				r.n, r.skipping = 0, true
				r.num++
				return r.lineErr(fmt.Sprintf("line longer than %d bytes", MaxLineBytes))
			}
		}
		old := r.n
		m, err := r.src.Read(r.buf[r.n:])
		r.n += m
		if r.skipping {
			if i := bytes.IndexByte(r.buf[old:r.n], '\n'); i >= 0 {
				r.skipping = false
				r.n = copy(r.buf, r.buf[old+i+1:r.n])
			} else {
				r.n = 0
			}
			old = 0
		}
		if !r.skipping {
			if last := bytes.LastIndexByte(r.buf[old:r.n], '\n'); last >= 0 {
				end := old + last + 1
				r.setBlock(r.buf[:end])
				r.n = copy(r.buf, r.buf[end:r.n])
			} else if err != nil && r.n > 0 {
				r.setBlock(r.buf[:r.n]) // a last line without a line feed
				r.n = 0
			}
		}
		if err == io.EOF {
			r.eof = true
		} else if err != nil {
			r.readErr = err
		}
		if r.block != "" {
			return nil
		}
	}
}

// setBlock copies b into the string the lines are cut from: one allocation
// for many lines, and field values are substrings of it.
func (r *Reader) setBlock(b []byte) {
	r.block = string(b)
	r.valid = utf8.ValidString(r.block)
}

// splitTabs appends the tab-separated fields of s to f. It tests eight bytes
// at a time for a tab (the exact "has zero byte" test of Hacker's Delight
// 6-1, without false positives), which is about twice as fast as calling
// strings.IndexByte for every short field.
func splitTabs(f []string, s string) []string {
	const (
		low7 = 0x7f7f7f7f7f7f7f7f
		tabs = 0x0909090909090909
	)
	start, i := 0, 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		x := w ^ tabs
		m := ^((x&low7 + low7) | x | low7) // high bit set in each byte that was a tab
		for m != 0 {
			j := i + bits.TrailingZeros64(m)>>3
			f = append(f, s[start:j])
			start = j + 1
			m &= m - 1
		}
	}
	for ; i < len(s); i++ {
		if s[i] == '\t' {
			f = append(f, s[start:i])
			start = i + 1
		}
	}
	return append(f, s[start:])
}
