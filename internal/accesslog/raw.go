package accesslog

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// Raw is one log line as [Reader.Scan] finds it: its UTF-8 and field count
// checked, its fields not located until [Raw.Field] asks for one.
//
// A Raw, its Bytes and the slices Field returns are reused by the next
// call to Scan or Next: copy what you keep.
type Raw struct {
	Bytes []byte   // the whole line as in the file, without its line feed (tab-separated, if another delimiter was)
	Names []string // the field names in effect, one per field
	Num   int      // 1-based line number in the input
	JSON  bool     // the line was a JSON object (standard logging v2)

	r   *Reader
	hdr *header // the #Fields header of a W3C line; nil for JSON

	// W3C: fields is Bytes without a tolerated trailing tab. Field
	// remembers the last field it located from each end, to go on from
	// there: field fwdField starts at fwdStart, field backField at
	// backStart (backField is len(Names) and backStart len(fields)+1, a
	// tab past the end, before any lookup).
	fields               []byte
	fwdField, fwdStart   int
	backField, backStart int
}

// Field returns field i (a position in Names) as it is in the file: still
// URL-encoded, "-" when empty. It returns nil when i is out of range.
//
// It looks for the field from the nearer end of the line, going on from the
// last field it found there, so a few fields in order cost a scan of the
// bytes up to them: of the 33 standard fields, the first 17 (sc-status,
// x-edge-result-type …) from the start, the others (time-to-first-byte …)
// from the end.
func (l *Raw) Field(i int) []byte {
	n := len(l.Names)
	if i < 0 || i >= n {
		return nil
	}
	if l.JSON {
		ends := l.r.jsonEnds
		start := int32(0)
		if i > 0 {
			start = ends[i-1]
		}
		return l.r.jsonVals[start:ends[i]]
	}
	b := l.fields
	if 2*i < n {
		from, start := 0, 0
		if i >= l.fwdField {
			from, start = l.fwdField, l.fwdStart
		}
		var end int
		if i > from {
			var t int
			t, end = tabsAfter(b, start-1, i-from)
			start = t + 1
		} else if end, _ = tabsAfter(b, start-1, 1); end < 0 {
			end = len(b)
		}
		l.fwdField, l.fwdStart = i, start
		return b[start:end]
	}
	from, end := n, len(b)
	if i < l.backField {
		from, end = l.backField, l.backStart-1
	}
	var prev int
	if k := from - 1 - i; k > 0 {
		end, prev = tabsBefore(b, end, k)
	} else {
		prev, _ = tabsBefore(b, end, 1)
	}
	l.backField, l.backStart = i, prev+1
	return b[prev+1 : end]
}

// AppendFields appends every field of the line to dst, as Field returns
// them, and returns the extended slice: one pass over the line, for a
// caller that reads most fields.
func (l *Raw) AppendFields(dst [][]byte) [][]byte {
	if l.JSON {
		for i := range l.Names {
			dst = append(dst, l.Field(i))
		}
		return dst
	}
	return splitTabs(dst, l.fields)
}

// Line splits the line into a [Line], copying it into one string. The
// Line is reused by the next call to Line, Scan or Next; its strings stay
// valid.
func (l *Raw) Line() *Line {
	r := l.r
	out := &r.line
	if l.JSON {
		return out // parsed by Scan
	}
	s := string(l.Bytes)
	out.Fields = splitTabs(out.Fields[:0], s[:len(l.fields)])
	out.Names, out.index, out.std, out.JSON = l.hdr.names, l.hdr.index, l.hdr.std, false
	out.Num, out.Text = l.Num, s
	return out
}

// The tab finders test eight bytes at a time (the exact "has zero byte"
// test of Hacker's Delight 6-1, without false positives): most fields are
// shorter than a call to bytes.IndexByte is worth.
const (
	low7 = 0x7f7f7f7f7f7f7f7f
	tabs = 0x0909090909090909
)

// tabMask has the high bit set in each byte of w that is a tab.
func tabMask(w uint64) uint64 {
	x := w ^ tabs
	return ^((x&low7 + low7) | x | low7)
}

// tabsAfter returns the position of the k-th tab (k ≥ 1) after b[i] and of
// the next tab, or len(b) when there is none. The line's field count is
// checked, so the k-th tab is there; b[i] is a tab, or i is -1.
func tabsAfter(b []byte, i, k int) (kth, next int) {
	kth = -1
	i++
	// Skip whole 64-byte stretches with the vectorized bytes.Count: a
	// User-Agent, a query string or cookies are one field of 100 bytes or
	// more.
	for i+64 <= len(b) {
		c := bytes.Count(b[i:i+64], tab)
		if c >= k {
			break
		}
		k -= c
		i += 64
	}
	// What is left is under 64 bytes or a few tabs away: go through the
	// tabs of each eight bytes one by one.
	for ; i+8 <= len(b); i += 8 {
		for m := tabMask(binary.LittleEndian.Uint64(b[i:])); m != 0; m &= m - 1 {
			j := i + bits.TrailingZeros64(m)>>3
			if kth >= 0 {
				return kth, j
			}
			if k--; k == 0 {
				kth = j
			}
		}
	}
	for ; i < len(b); i++ {
		if b[i] == '\t' {
			if kth >= 0 {
				return kth, i
			}
			if k--; k == 0 {
				kth = i
			}
		}
	}
	return kth, len(b)
}

// tabsBefore returns the position of the k-th tab (k ≥ 1) before b[end],
// counting backwards, and of the tab before it, or -1 when there is none.
func tabsBefore(b []byte, end, k int) (kth, prev int) {
	kth = -1
	for ; end >= 8; end -= 8 {
		m := tabMask(binary.LittleEndian.Uint64(b[end-8:]))
		if kth < 0 {
			if c := bits.OnesCount64(m); c < k {
				k -= c
				continue
			}
			for ; k > 1; k-- {
				m &^= 1 << (63 - bits.LeadingZeros64(m))
			}
			kth = end - 8 + (63-bits.LeadingZeros64(m))>>3
			m &^= 1 << (63 - bits.LeadingZeros64(m))
		}
		if m != 0 {
			return kth, end - 8 + (63-bits.LeadingZeros64(m))>>3
		}
	}
	for end--; end >= 0; end-- {
		if b[end] == '\t' {
			if kth >= 0 {
				return kth, end
			}
			if k--; k == 0 {
				kth = end
			}
		}
	}
	return kth, -1
}

// splitTabs appends the tab-separated fields of s to f, eight bytes at a
// time.
func splitTabs[S ~string | ~[]byte](f []S, s S) []S {
	start, i := 0, 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		m := tabMask(w)
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
