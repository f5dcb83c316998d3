package accesslog

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// readBufSize is the size of the blocks Reader reads; it grows for longer
// lines. 256 KiB stays in a core's L2 cache between the read and the scan.
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

// Line is one log record as found in the file, split into fields.
//
// A Line and its Fields and Names slices are reused by the next call to
// [Reader.Next] or [Reader.Scan]; the strings in them are immutable and
// stay valid.
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
// [Reader.Scan] is the fast path. It hands out each line as a [Raw] view
// into its read buffer, after checking the line's UTF-8 (once per 256 KiB
// block) and its field count (one vectorized count of its tabs), without
// splitting it: [Raw.Field] then finds just the fields a caller asks for,
// from the nearer end of the line. A program that only counts most lines
// (the doctor) so reads them without allocating and without splitting
// them. [Reader.Next] and [Raw.Line] split a line into strings, copying it
// once.
type Reader struct {
	src io.Reader
	// buf[pos:lim] holds complete lines not yet handed out, buf[lim:end]
	// the start of the next line (no line feed in it).
	buf           []byte
	pos, lim, end int
	valid         bool // buf[pos:lim] is valid UTF-8
	num           int  // lines consumed
	skipping      bool // inside an over-long line
	readErr       error
	eof           bool
	hdr           *header
	raw           Raw
	line          Line
	jsonNames     []string
	jsonVals      []byte
	jsonEnds      []int32
	malformed     int
	alt           []byte // a line split on another delimiter, rewritten with tabs
}

// NewReader returns a Reader of plain-text (not compressed) log data. Use
// [Open] for files, which detects gzip.
func NewReader(r io.Reader) *Reader {
	rd := &Reader{src: r, buf: make([]byte, readBufSize), hdr: stdHeader}
	rd.raw.r = rd
	return rd
}

// Malformed returns how many LineErrors Next and Scan have returned so far.
func (r *Reader) Malformed() int { return r.malformed }

// Next returns the next log line, split into fields: [Reader.Scan]
// followed by [Raw.Line].
func (r *Reader) Next() (*Line, error) {
	raw, err := r.Scan()
	if err != nil {
		return nil, err
	}
	return raw.Line(), nil
}

// Scan returns the next log line, skipping blank lines and # directives
// (a #Fields directive changes the field names of the lines after it). It
// returns io.EOF at the end. A malformed line (a wrong number of fields,
// invalid UTF-8, bad JSON, a line over MaxLineBytes) is returned as a
// *LineError and the next call goes on with the following line. An error
// reading the input (a truncated gzip file, for one) is returned once,
// after the lines read before it, wrapped; then Scan returns io.EOF.
//
// The Raw and its bytes are valid until the next call to Scan or Next.
func (r *Reader) Scan() (*Raw, error) {
	for {
		if r.pos >= r.lim {
			if err := r.fill(); err != nil {
				return nil, err
			}
			continue
		}
		b := r.buf[r.pos:r.lim]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[:i]
			r.pos += i + 1
		} else {
			r.pos = r.lim
		}
		r.num++
		if len(b) > 0 && b[len(b)-1] == '\r' {
			b = b[:len(b)-1]
		}
		if len(b) == 0 {
			continue
		}
		if !r.valid && !utf8.Valid(b) {
			return nil, r.lineErr("invalid UTF-8")
		}
		b = cutExportPrefix(b)
		switch b[0] {
		case '#':
			r.directive(b)
			continue
		case '{':
			return r.scanJSON(b)
		}
		return r.scanW3C(b)
	}
}

func (r *Reader) lineErr(reason string) error {
	r.malformed++
	return &LineError{Line: r.num, Reason: reason}
}

// directive handles a "#…" line: only #Fields matters.
func (r *Reader) directive(b []byte) {
	if rest, ok := bytes.CutPrefix(b, []byte("#Fields:")); ok {
		r.hdr = newHeader(strings.Fields(string(rest)))
	}
}

var tab = []byte{'\t'}

func (r *Reader) scanW3C(b []byte) (*Raw, error) {
	want := len(r.hdr.names)
	fields := b
	tabs := bytes.Count(b, tab)
	// A trailing tab is tolerated: the example log in AccessLogs.md has one.
	if tabs == want && b[len(b)-1] == '\t' {
		fields, tabs = b[:len(b)-1], tabs-1
	}
	if tabs == 0 && want > 1 {
		if alt, ok := r.otherDelimiter(b, want); ok {
			b, fields, tabs = alt, alt, want-1
		}
	}
	if tabs+1 != want {
		return nil, r.lineErr(fmt.Sprintf("got %d fields, want %d", tabs+1, want))
	}
	l := &r.raw
	l.Bytes, l.Num, l.JSON = b, r.num, false
	if l.hdr != r.hdr { // pointer writes are costly while the GC marks: skip the needless ones
		l.hdr, l.Names = r.hdr, r.hdr.names
	}
	l.fields = fields
	l.fwdField, l.fwdStart = 0, 0
	l.backField, l.backStart = want, len(fields)+1
	return l, nil
}

// fieldDelimiters are the delimiters other than tab a line is tried
// with, most specific first. Standard logging v2 lets a delivery choose
// its field delimiter for the Plain and W3C formats (CloudWatch Logs
// CreateDelivery, fieldDelimiter). Space, "|" and '"' are URL-encoded in
// every value, so they split a line unambiguously; "," and ";" are not,
// and are taken only when their count fits the header.
var fieldDelimiters = []byte{' ', '|', ',', ';'}

// otherDelimiter returns b with its fields separated by tabs, in a buffer
// the Reader reuses, when b (which has no tab) splits into exactly want
// non-empty fields on one of fieldDelimiters (a trailing delimiter
// tolerated, as a trailing tab is).
func (r *Reader) otherDelimiter(b []byte, want int) ([]byte, bool) {
	for _, d := range fieldDelimiters {
		n := bytes.Count(b, []byte{d})
		trimmed := b
		if n == want && b[len(b)-1] == d {
			trimmed, n = b[:len(b)-1], n-1
		}
		// An empty field is never written ("-" is): two delimiters in a row
		// mean the delimiter is part of the values, or the line is junk.
		if n+1 != want || len(trimmed) == 0 || trimmed[0] == d || trimmed[len(trimmed)-1] == d ||
			bytes.Contains(trimmed, []byte{d, d}) {
			continue
		}
		r.alt = append(r.alt[:0], trimmed...)
		ok := true
		for i, c := range r.alt {
			switch {
			case c == d:
				r.alt[i] = '\t'
			case mustEscape[c] != 0 && c != '%':
				// CloudFront encodes this byte in every value ("%" starts
				// its encodings): the line is not a record of its, whatever
				// its count (a JSON object split on its commas, say).
				ok = false
			}
		}
		if ok {
			return r.alt, true
		}
	}
	return nil, false
}

// cutExportPrefix removes the "2024-11-15T19:45:51.183Z " that a CloudWatch
// Logs export puts before each event's message, if b starts with one. A
// record never holds a space (CloudFront encodes it), so such a prefix
// cannot be part of one; the check at b[10] keeps it off W3C lines, whose
// date is followed by a tab.
func cutExportPrefix(b []byte) []byte {
	if len(b) < 21 || b[10] != 'T' || b[4] != '-' || b[13] != ':' {
		return b
	}
	sp := bytes.IndexByte(b[:min(len(b), 36)], ' ')
	if sp < 20 || b[sp-1] != 'Z' || sp+1 == len(b) {
		return b
	}
	return b[sp+1:]
}

func (r *Reader) scanJSON(b []byte) (*Raw, error) {
	line, err := r.parseJSON(string(b))
	if err != nil {
		return nil, err
	}
	// Field hands out []byte: keep a copy of the values in one reused buffer.
	vals, ends := r.jsonVals[:0], r.jsonEnds[:0]
	for _, v := range line.Fields {
		vals = append(vals, v...)
		ends = append(ends, int32(len(vals)))
	}
	r.jsonVals, r.jsonEnds = vals, ends
	l := &r.raw
	l.Bytes, l.Num, l.JSON, l.Names, l.hdr = b, r.num, true, line.Names, nil
	return l, nil
}

// fill reads the next block of complete lines into buf[:lim].
func (r *Reader) fill() error {
	r.end = copy(r.buf, r.buf[r.lim:r.end])
	r.pos, r.lim = 0, 0
	for {
		if r.eof {
			return io.EOF
		}
		if r.readErr != nil {
			err := r.readErr
			r.readErr, r.eof = nil, true
			return fmt.Errorf("accesslog: read: %w", err)
		}
		if r.end == len(r.buf) {
			if len(r.buf) < MaxLineBytes {
				r.buf = append(r.buf, make([]byte, len(r.buf))...)
			} else {
				r.end, r.skipping = 0, true
				r.num++
				return r.lineErr(fmt.Sprintf("line longer than %d bytes", MaxLineBytes))
			}
		}
		old := r.end
		m, err := r.src.Read(r.buf[r.end:])
		r.end += m
		if r.skipping {
			if i := bytes.IndexByte(r.buf[old:r.end], '\n'); i >= 0 {
				r.skipping = false
				r.end = copy(r.buf, r.buf[old+i+1:r.end])
			} else {
				r.end = 0
			}
			old = 0
		}
		if !r.skipping {
			if last := bytes.LastIndexByte(r.buf[old:r.end], '\n'); last >= 0 {
				r.lim = old + last + 1
			} else if err != nil && r.end > 0 {
				r.lim = r.end // a last line without a line feed
			}
		}
		if err == io.EOF {
			r.eof = true
		} else if err != nil {
			r.readErr = err
		}
		if r.lim > 0 {
			r.valid = utf8.Valid(r.buf[:r.lim])
			return nil
		}
	}
}
