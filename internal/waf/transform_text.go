package waf

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"unicode/utf8"
)

// isSpace is C isspace plus, where AWS lists it, the non-breaking space 160.
func isSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

func isSpaceNBSP(c byte) bool { return isSpace(c) || c == 0xa0 }

// compressWhiteSpace maps \f \t \n \r \v and NBSP (160) to a space and then
// collapses runs of spaces into one (AWS COMPRESS_WHITE_SPACE).
func compressWhiteSpace(dst, src []byte) ([]byte, bool) {
	need := false
	for i, c := range src {
		if (isSpaceNBSP(c) && c != ' ') || (c == ' ' && i > 0 && src[i-1] == ' ') {
			need = true
			break
		}
	}
	if !need {
		return src, false
	}
	space := false
	for _, c := range src {
		if isSpaceNBSP(c) {
			if !space {
				dst = append(dst, ' ')
			}
			space = true
			continue
		}
		space = false
		dst = append(dst, c)
	}
	return dst, true
}

func lowercase(dst, src []byte) ([]byte, bool) { return mapASCII(dst, src, 'A', 'Z', 'a'-'A') }

// uppercase adds 0xe0, which wraps to subtracting 0x20.
func uppercase(dst, src []byte) ([]byte, bool) { return mapASCII(dst, src, 'a', 'z', 0xe0) }

// mapASCII shifts bytes in [lo, hi] by delta (only ASCII letters, as AWS
// documents for LOWERCASE and UPPERCASE).
func mapASCII(dst, src []byte, lo, hi byte, delta byte) ([]byte, bool) {
	i := 0
	for i < len(src) && (src[i] < lo || src[i] > hi) {
		i++
	}
	if i == len(src) {
		return src, false
	}
	dst = append(dst, src...)
	for ; i < len(dst); i++ {
		if dst[i] >= lo && dst[i] <= hi {
			dst[i] += delta
		}
	}
	return dst, true
}

// cmdLine is ModSecurity's cmdLine, which AWS's CMD_LINE describes: delete
// \ " ' ^; replace , ; and whitespace with a space and collapse; delete a
// space before / or (; lowercase.
func cmdLine(dst, src []byte) ([]byte, bool) {
	if !cmdLineChanges(src) {
		return src, false
	}
	space := false
	for _, c := range src {
		switch c {
		case '"', '\'', '\\', '^':
		case ' ', ',', ';', '\t', '\r', '\n':
			if !space {
				dst = append(dst, ' ')
				space = true
			}
		case '/', '(':
			if space {
				dst = dst[:len(dst)-1]
			}
			space = false
			dst = append(dst, c)
		default:
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			space = false
		}
	}
	return dst, true
}

// cmdLineChanges reports whether cmdLine would rewrite src.
func cmdLineChanges(src []byte) bool {
	for i, c := range src {
		switch {
		case c == '"' || c == '\'' || c == '\\' || c == '^' || c == ',' || c == ';' || c == '\t' || c == '\r' || c == '\n':
			return true
		case c >= 'A' && c <= 'Z':
			return true
		case c == ' ' && i+1 < len(src) && (src[i+1] == ' ' || src[i+1] == '/' || src[i+1] == '('):
			return true
		}
	}
	return false
}

var b64 = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" {
		t[c] = int8(i)
	}
	return
}()

// base64Decode decodes standard base64 up to the first byte outside the
// alphabet (padding included), as apr_base64_decode in ModSecurity does.
func base64Decode(dst, src []byte) ([]byte, bool) { return b64Decode(dst, src, false) }

// base64DecodeExt is the forgiving variant: bytes outside the alphabet are
// skipped (AWS BASE64_DECODE_EXT, ModSecurity base64DecodeExt).
func base64DecodeExt(dst, src []byte) ([]byte, bool) { return b64Decode(dst, src, true) }

func b64Decode(dst, src []byte, skip bool) ([]byte, bool) {
	if len(src) == 0 {
		return src, false
	}
	var acc uint32
	n := 0
	for _, c := range src {
		v := b64[c]
		if v < 0 {
			if skip {
				continue
			}
			break
		}
		acc = acc<<6 | uint32(v)
		n++
		if n == 4 {
			dst = append(dst, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, n = 0, 0
		}
	}
	switch n {
	case 2:
		dst = append(dst, byte(acc>>4))
	case 3:
		dst = append(dst, byte(acc>>10), byte(acc>>2))
	}
	return dst, true
}

// md5Sum and sha256Sum produce the raw binary digest, as AWS documents.
func md5Sum(dst, src []byte) ([]byte, bool) {
	s := md5.Sum(src)
	return append(dst, s[:]...), true
}

func sha256Sum(dst, src []byte) ([]byte, bool) {
	s := sha256.Sum256(src)
	return append(dst, s[:]...), true
}

// replaceComments replaces each /* … */ (and an unterminated /* … at the
// end) with one space; a lone */ is left alone (ModSecurity, AWS).
func replaceComments(dst, src []byte) ([]byte, bool) {
	if bytes.Index(src, []byte("/*")) < 0 {
		return src, false
	}
	for i := 0; i < len(src); i++ {
		if src[i] == '/' && i+1 < len(src) && src[i+1] == '*' {
			end := bytes.Index(src[i+2:], []byte("*/"))
			dst = append(dst, ' ')
			if end < 0 {
				break
			}
			i += 2 + end + 1
			continue
		}
		dst = append(dst, src[i])
	}
	return dst, true
}

// removeCommentsChar deletes the comment markers /* */ -- and # (ModSecurity
// removeCommentsChar).
func removeCommentsChar(dst, src []byte) ([]byte, bool) {
	if bytes.IndexByte(src, '#') < 0 && bytes.Index(src, []byte("/*")) < 0 && bytes.Index(src, []byte("*/")) < 0 && bytes.Index(src, []byte("--")) < 0 {
		return src, false
	}
	for i := 0; i < len(src); i++ {
		switch {
		case i+1 < len(src) && ((src[i] == '/' && src[i+1] == '*') || (src[i] == '*' && src[i+1] == '/') || (src[i] == '-' && src[i+1] == '-')):
			i++
		case src[i] == '#':
		default:
			dst = append(dst, src[i])
		}
	}
	return dst, true
}

func removeNulls(dst, src []byte) ([]byte, bool) {
	if bytes.IndexByte(src, 0) < 0 {
		return src, false
	}
	for _, c := range src {
		if c != 0 {
			dst = append(dst, c)
		}
	}
	return dst, true
}

func replaceNulls(dst, src []byte) ([]byte, bool) {
	if bytes.IndexByte(src, 0) < 0 {
		return src, false
	}
	dst = append(dst, src...)
	for i, c := range dst {
		if c == 0 {
			dst[i] = ' '
		}
	}
	return dst, true
}

// removeWhitespace deletes all whitespace including NBSP (ModSecurity).
func removeWhitespace(dst, src []byte) ([]byte, bool) {
	if bytes.IndexFunc(src, func(r rune) bool { return r < utf8.RuneSelf && isSpace(byte(r)) }) < 0 && bytes.IndexByte(src, 0xa0) < 0 {
		return src, false
	}
	for _, c := range src {
		if !isSpaceNBSP(c) {
			dst = append(dst, c)
		}
	}
	return dst, true
}

func trimLeft(dst, src []byte) ([]byte, bool) {
	i := 0
	for i < len(src) && isSpace(src[i]) {
		i++
	}
	if i == 0 {
		return src, false
	}
	return append(dst, src[i:]...), true
}

func trimRight(dst, src []byte) ([]byte, bool) {
	j := len(src)
	for j > 0 && isSpace(src[j-1]) {
		j--
	}
	if j == len(src) {
		return src, false
	}
	return append(dst, src[:j]...), true
}

func trimBoth(dst, src []byte) ([]byte, bool) {
	out, changed := trimLeft(dst, src)
	if changed {
		// trimLeft wrote into dst; trim the right end of that copy in place.
		j := len(out)
		for j > 0 && isSpace(out[j-1]) {
			j--
		}
		return out[:j], true
	}
	return trimRight(dst, src)
}

// utf8ToUnicode converts every multi-byte UTF-8 sequence to %uHHHH
// (ModSecurity utf8toUnicode); invalid bytes are kept as they are.
func utf8ToUnicode(dst, src []byte) ([]byte, bool) {
	i := 0
	for i < len(src) && src[i] < utf8.RuneSelf {
		i++
	}
	if i == len(src) {
		return src, false
	}
	const hexd = "0123456789abcdef"
	dst = append(dst, src[:i]...)
	for i < len(src) {
		r, n := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError || n == 1 {
			dst = append(dst, src[i])
			i++
			continue
		}
		dst = append(dst, '%', 'u')
		if r > 0xffff {
			dst = append(dst, hexd[r>>20&0xf], hexd[r>>16&0xf])
		}
		dst = append(dst, hexd[r>>12&0xf], hexd[r>>8&0xf], hexd[r>>4&0xf], hexd[r&0xf])
		i += n
	}
	return dst, true
}

// normalizePath removes repeated slashes, "." segments and ".." segments
// together with the segment they climb out of; a ".." that has nothing to
// climb out of is kept (AWS: back-references "not at the beginning").
func normalizePath(dst, src []byte) ([]byte, bool) {
	if bytes.Index(src, []byte("//")) < 0 && bytes.Index(src, []byte("./")) < 0 &&
		!bytes.HasSuffix(src, []byte("/.")) && !bytes.HasSuffix(src, []byte("/..")) && !bytes.Equal(src, []byte(".")) && !bytes.Equal(src, []byte("..")) {
		return src, false
	}
	abs := len(src) > 0 && src[0] == '/'
	if abs {
		dst = append(dst, '/')
	}
	root := len(dst)
	rest := src
	trailing := false
	for len(rest) > 0 {
		seg := rest
		if k := bytes.IndexByte(rest, '/'); k >= 0 {
			seg, rest = rest[:k], rest[k+1:]
			trailing = len(rest) == 0
		} else {
			rest = nil
			trailing = false
		}
		switch {
		case len(seg) == 0 || string(seg) == ".":
			trailing = true
			continue
		case string(seg) == "..":
			prev := bytes.LastIndexByte(dst[root:], '/')
			last := dst[root+prev+1:]
			if len(dst) > root && string(last) != ".." {
				if prev < 0 {
					dst = dst[:root]
				} else {
					dst = dst[:root+prev]
				}
				trailing = true
				continue
			}
		}
		if len(dst) > root {
			dst = append(dst, '/')
		}
		dst = append(dst, seg...)
	}
	if trailing && len(dst) > root {
		dst = append(dst, '/')
	}
	return dst, !bytes.Equal(dst, src)
}

// normalizePathWin turns backslashes into slashes, then normalizes.
func normalizePathWin(dst, src []byte) ([]byte, bool) {
	if bytes.IndexByte(src, '\\') < 0 {
		return normalizePath(dst, src)
	}
	tmp := append(dst, src...)
	for i, c := range tmp {
		if c == '\\' {
			tmp[i] = '/'
		}
	}
	// Normalise from a copy placed after tmp in the same buffer so the
	// common path stays within the scratch space.
	out, _ := normalizePath(tmp[len(tmp):], tmp)
	return append(tmp[:0], out...), true
}
