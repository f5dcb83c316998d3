package waf

import "bytes"

// Decoding transformations. Each scans for its trigger byte first so that
// input without any encoding is returned untouched and without copying.

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func isHex(c byte) bool { _, ok := unhex(c); return ok }

// hex2 decodes the two hex digits at b[0:2]; the caller checked them.
func hex2(b []byte) byte { h, _ := unhex(b[0]); l, _ := unhex(b[1]); return h<<4 | l }

// urlDecode is ModSecurity's urlDecode: %HH is decoded, '+' becomes a space,
// and invalid encodings are kept as they are.
func urlDecode(dst, src []byte) ([]byte, bool) { return urlDecodeX(dst, src, false) }

// urlDecodeUni also decodes Microsoft %uHHHH: ModSecurity keeps the low byte
// and maps full-width ASCII (U+FF01–U+FF5E) to ASCII.
func urlDecodeUni(dst, src []byte) ([]byte, bool) { return urlDecodeX(dst, src, true) }

func urlDecodeX(dst, src []byte, uni bool) ([]byte, bool) {
	if bytes.IndexByte(src, '%') < 0 && bytes.IndexByte(src, '+') < 0 {
		return src, false
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '+':
			dst = append(dst, ' ')
		case c == '%' && uni && i+5 < len(src) && (src[i+1] == 'u' || src[i+1] == 'U') &&
			isHex(src[i+2]) && isHex(src[i+3]) && isHex(src[i+4]) && isHex(src[i+5]):
			dst = append(dst, fullWidth(hex2(src[i+2:]), hex2(src[i+4:])))
			i += 5
		case c == '%' && i+2 < len(src) && isHex(src[i+1]) && isHex(src[i+2]):
			dst = append(dst, hex2(src[i+1:]))
			i += 2
		default:
			dst = append(dst, c)
		}
	}
	return dst, true
}

// fullWidth maps a UTF-16 code unit hi:lo to one byte the way ModSecurity
// does: the low byte, plus 0x20 for full-width ASCII U+FF01–U+FF5E.
func fullWidth(hi, lo byte) byte {
	if hi == 0xff && lo > 0 && lo < 0x5f {
		return lo + 0x20
	}
	return lo
}

// htmlEntityDecode is ModSecurity's htmlEntityDecode: &#DDD; &#xHH; (the
// semicolon is optional and the value is truncated to one byte), and
// &quot; &amp; &lt; &gt; &nbsp; (nbsp becomes byte 160, as AWS documents).
func htmlEntityDecode(dst, src []byte) ([]byte, bool) {
	if bytes.IndexByte(src, '&') < 0 {
		return src, false
	}
	for i := 0; i < len(src); i++ {
		if src[i] != '&' {
			dst = append(dst, src[i])
			continue
		}
		rest := src[i+1:]
		if n, v, ok := numericEntity(rest); ok {
			dst = append(dst, v)
			i += n
			continue
		}
		matched := false
		for _, e := range namedEntities {
			if len(rest) >= len(e.name) && bytes.EqualFold(rest[:len(e.name)], []byte(e.name)) {
				dst = append(dst, e.val)
				i += len(e.name)
				if i+1 < len(src) && src[i+1] == ';' {
					i++
				}
				matched = true
				break
			}
		}
		if !matched {
			dst = append(dst, '&')
		}
	}
	return dst, true
}

var namedEntities = []struct {
	name string
	val  byte
}{{"quot", '"'}, {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"nbsp", 0xa0}}

// numericEntity parses "#123;" or "#x7b;" at the start of b and returns the
// bytes consumed and the value truncated to a byte.
func numericEntity(b []byte) (int, byte, bool) {
	if len(b) < 2 || b[0] != '#' {
		return 0, 0, false
	}
	i, base := 1, 10
	if b[1] == 'x' || b[1] == 'X' {
		i, base = 2, 16
	}
	start, v := i, 0
	for ; i < len(b); i++ {
		d, ok := unhex(b[i])
		if !ok || (base == 10 && d > 9) {
			break
		}
		v = (v*base + int(d)) & 0xffffff
	}
	if i == start {
		return 0, 0, false
	}
	if i < len(b) && b[i] == ';' {
		i++
	}
	return i, byte(v), true
}

// escapeSeqDecode decodes ANSI C escapes (\a \b \f \n \r \t \v \\ \? \' \"
// \xHH and octal \OOO). AWS: "Encodings that aren't valid remain in the
// output", so an unknown escape keeps its backslash.
func escapeSeqDecode(dst, src []byte) ([]byte, bool) {
	if bytes.IndexByte(src, '\\') < 0 {
		return src, false
	}
	for i := 0; i < len(src); i++ {
		if src[i] != '\\' || i+1 >= len(src) {
			dst = append(dst, src[i])
			continue
		}
		n := src[i+1]
		if v, ok := cEscapes[n]; ok {
			dst = append(dst, v)
			i++
			continue
		}
		if (n == 'x' || n == 'X') && i+3 < len(src) && isHex(src[i+2]) && isHex(src[i+3]) {
			dst = append(dst, hex2(src[i+2:]))
			i += 3
			continue
		}
		if n >= '0' && n <= '7' {
			v, j := 0, i+1
			for ; j < len(src) && j < i+4 && src[j] >= '0' && src[j] <= '7'; j++ {
				v = v*8 + int(src[j]-'0')
			}
			dst = append(dst, byte(v))
			i = j - 1
			continue
		}
		dst = append(dst, '\\')
	}
	return dst, true
}

var cEscapes = map[byte]byte{'a': 7, 'b': 8, 'f': 12, 'n': 10, 'r': 13, 't': 9, 'v': 11, '\\': '\\', '?': '?', '\'': '\'', '"': '"'}

// jsDecode is ModSecurity's jsDecode: \uHHHH (low byte, full-width ASCII
// mapped), \xHH, octal \OOO, the C escapes, and \c → c for any other c.
func jsDecode(dst, src []byte) ([]byte, bool) {
	if bytes.IndexByte(src, '\\') < 0 {
		return src, false
	}
	for i := 0; i < len(src); i++ {
		if src[i] != '\\' || i+1 >= len(src) {
			dst = append(dst, src[i])
			continue
		}
		n := src[i+1]
		switch {
		case (n == 'u' || n == 'U') && i+5 < len(src) && isHex(src[i+2]) && isHex(src[i+3]) && isHex(src[i+4]) && isHex(src[i+5]):
			dst = append(dst, fullWidth(hex2(src[i+2:]), hex2(src[i+4:])))
			i += 5
		case (n == 'x' || n == 'X') && i+3 < len(src) && isHex(src[i+2]) && isHex(src[i+3]):
			dst = append(dst, hex2(src[i+2:]))
			i += 3
		case n >= '0' && n <= '7':
			// At most three digits, and a three-digit value must fit a byte.
			v, j := 0, i+1
			for ; j < len(src) && j < i+4 && src[j] >= '0' && src[j] <= '7'; j++ {
				if j == i+3 && src[i+1] > '3' {
					break
				}
				v = v*8 + int(src[j]-'0')
			}
			dst = append(dst, byte(v))
			i = j - 1
		default:
			if v, ok := cEscapes[n]; ok {
				dst = append(dst, v)
			} else {
				dst = append(dst, n)
			}
			i++
		}
	}
	return dst, true
}

// cssDecode is ModSecurity's cssDecode (CSS 2.x escapes): \ plus 1–6 hex
// digits keeps the last byte (full-width ASCII mapped) and swallows one
// following whitespace; \ newline is a line continuation; \c → c.
func cssDecode(dst, src []byte) ([]byte, bool) {
	if bytes.IndexByte(src, '\\') < 0 {
		return src, false
	}
	for i := 0; i < len(src); i++ {
		if src[i] != '\\' {
			dst = append(dst, src[i])
			continue
		}
		if i+1 >= len(src) {
			break // a trailing backslash is dropped
		}
		j := 0
		for j < 6 && i+1+j < len(src) && isHex(src[i+1+j]) {
			j++
		}
		h := src[i+1 : i+1+j]
		switch {
		case j == 1:
			v, _ := unhex(h[0])
			dst = append(dst, v)
		case j > 1:
			v := hex2(h[j-2:])
			if j >= 4 && (h[j-4] == 'f' || h[j-4] == 'F') && (h[j-3] == 'f' || h[j-3] == 'F') {
				v = fullWidth(0xff, v)
			}
			dst = append(dst, v)
		case src[i+1] == '\n':
			i++
			continue
		default:
			dst = append(dst, src[i+1])
			i++
			continue
		}
		i += j
		if i+1 < len(src) && isSpace(src[i+1]) {
			i++
		}
	}
	return dst, true
}

// sqlHexDecode decodes 0xHHHH… literals: AWS's example is 0x414243 → ABC.
func sqlHexDecode(dst, src []byte) ([]byte, bool) {
	k := bytes.Index(src, []byte("0x"))
	if k < 0 {
		k = bytes.Index(src, []byte("0X"))
	}
	if k < 0 {
		return src, false
	}
	for i := 0; i < len(src); i++ {
		if src[i] == '0' && i+3 < len(src) && (src[i+1] == 'x' || src[i+1] == 'X') && isHex(src[i+2]) && isHex(src[i+3]) {
			i += 2
			for ; i+1 < len(src) && isHex(src[i]) && isHex(src[i+1]); i += 2 {
				dst = append(dst, hex2(src[i:]))
			}
			i--
			continue
		}
		dst = append(dst, src[i])
	}
	return dst, true
}

// hexDecode decodes pairs of hex digits; a byte that does not start a valid
// pair is kept as it is (ModSecurity leaves such input undefined).
func hexDecode(dst, src []byte) ([]byte, bool) {
	if len(src) < 2 {
		return src, false
	}
	for i := 0; i < len(src); i++ {
		if i+1 < len(src) && isHex(src[i]) && isHex(src[i+1]) {
			dst = append(dst, hex2(src[i:]))
			i++
			continue
		}
		dst = append(dst, src[i])
	}
	return dst, true
}
