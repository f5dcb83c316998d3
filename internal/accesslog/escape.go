package accesslog

import (
	"bytes"
	"strings"
)

const upperHex = "0123456789ABCDEF"

// mustEscape marks the bytes CloudFront URL-encodes in log fields
// (AccessLogs.md, "URL-encoded"): ASCII 0–32, 127 and above, and
// < > " # % { } | \ ^ ~ [ ] ` ' (space is 32).
var mustEscape = func() (t [256]uint8) {
	for c := 0; c <= 32; c++ {
		t[c] = 1
	}
	for c := 127; c < 256; c++ {
		t[c] = 1
	}
	for _, c := range []byte("<>\"#%{}|\\^~[]`'") {
		t[c] = 1
	}
	return t
}()

// Escape appends s to dst with CloudFront's log encoding: every byte that
// CloudFront encodes is written as "%XX" with uppercase hex, everything else
// as is. A "%" already in s is encoded too, so "bytes%3D0" becomes
// "bytes%253D0", exactly as in real CloudFront logs. Escape does not turn
// an empty string into "-"; [AppendW3C] does that.
func Escape(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if mustEscape[c] == 0 {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// Unescape decodes the "%XX" sequences of a logged field value (hex in
// either case). A "%" not followed by two hex digits is kept as is, so
// Unescape never fails; Unescape(string(Escape(nil, s))) == s for every s.
// It returns s itself, without allocating, when s contains no "%".
func Unescape(s string) string {
	i := strings.IndexByte(s, '%')
	if i < 0 {
		return s
	}
	return string(appendUnescaped(make([]byte, 0, len(s)), s, i))
}

// AppendUnescaped appends b to dst decoded as [Unescape] decodes it.
func AppendUnescaped(dst, b []byte) []byte {
	i := bytes.IndexByte(b, '%')
	if i < 0 {
		return append(dst, b...)
	}
	return appendUnescaped(dst, b, i)
}

// appendUnescaped decodes s from its first "%", at i.
func appendUnescaped[S ~string | ~[]byte](dst []byte, s S, i int) []byte {
	dst = append(dst, s[:i]...)
	for ; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				dst = append(dst, hi<<4|lo)
				i += 2
				continue
			}
		}
		dst = append(dst, c)
	}
	return dst
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}
