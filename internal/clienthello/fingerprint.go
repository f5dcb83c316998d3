package clienthello

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
)

// ja3 renders the JA3 string of h and its MD5, as the original JA3
// (github.com/salesforce/ja3, README "How it works"):
// SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats,
// each value in decimal, in ClientHello order, joined by "-", GREASE values
// left out of every list. The hash is lower-case hex, 32 characters.
func ja3(h *hello) (raw, hash string) {
	b := make([]byte, 0, 256)
	b = strconv.AppendUint(b, uint64(h.version), 10)
	b = append(b, ',')
	b = appendDecimals(b, h.ciphers)
	b = append(b, ',')
	b = appendDecimals(b, h.extensions)
	b = append(b, ',')
	b = appendDecimals(b, h.groups)
	b = append(b, ',')
	for i, p := range h.points {
		if i > 0 {
			b = append(b, '-')
		}
		b = strconv.AppendUint(b, uint64(p), 10)
	}
	sum := md5.Sum(b)
	return string(b), hex.EncodeToString(sum[:])
}

func appendDecimals(b []byte, vs []uint16) []byte {
	first := true
	for _, v := range vs {
		if isGREASE(v) {
			continue
		}
		if !first {
			b = append(b, '-')
		}
		first = false
		b = strconv.AppendUint(b, uint64(v), 10)
	}
	return b
}

// ja4Versions names the TLS version in JA4_a (FoxIO JA4.md, "TLS and DTLS
// Version"); anything else is "00".
var ja4Versions = map[uint16]string{
	0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0x0300: "s3", 0x0002: "s2",
	0xfeff: "d1", 0xfefd: "d2", 0xfefc: "d3",
}

// ja4 renders the JA4 fingerprint of a ClientHello received over TCP
// (github.com/FoxIO-LLC/ja4, technical_details/JA4.md), 36 characters:
//
//	t, the version (highest of supported_versions, else legacy_version),
//	d or i (server_name present or not), the number of cipher suites and
//	of extensions (2 digits each, at most 99), the first and last
//	characters of the first ALPN value ("00" without one)
//	_ the first 12 hex characters of the SHA-256 of the cipher suites
//	  as 4-digit hex, sorted, joined by ","
//	_ the same of the extensions, sorted, without server_name (0000) and
//	  ALPN (0010), then "_" and the signature algorithms in their order
//	  when there are any
//
// GREASE values are ignored everywhere; an empty list hashes to twelve
// zeros. raw is the string before hashing (JA4_r).
func ja4(h *hello) (raw, fp string) {
	version := h.version
	var highest uint16
	for _, v := range h.versions {
		if !isGREASE(v) && v > highest {
			highest = v
		}
	}
	if highest != 0 {
		version = highest
	}
	a := make([]byte, 0, 36)
	a = append(a, 't')
	if s, ok := ja4Versions[version]; ok {
		a = append(a, s...)
	} else {
		a = append(a, "00"...)
	}
	if h.sni {
		a = append(a, 'd')
	} else {
		a = append(a, 'i')
	}
	ciphers := withoutGREASE(h.ciphers, nil)
	exts := withoutGREASE(h.extensions, nil)
	a = appendCount(a, len(ciphers))
	a = appendCount(a, len(exts))
	a = appendALPN(a, h.alpn)

	slices.Sort(ciphers)
	b := appendHexList(nil, ciphers)
	exts = slices.DeleteFunc(exts, func(v uint16) bool { return v == extServerName || v == extALPN })
	slices.Sort(exts)
	var c []byte
	if len(exts) > 0 {
		c = appendHexList(c, exts)
		if sigs := withoutGREASE(h.sigalgs, nil); len(sigs) > 0 {
			c = appendHexList(append(c, '_'), sigs)
		}
	}

	out := make([]byte, 0, 36)
	out = append(out, a...)
	out = appendHash12(append(out, '_'), b)
	out = appendHash12(append(out, '_'), c)
	return string(a) + "_" + string(b) + "_" + string(c), string(out)
}

// withoutGREASE appends the values of vs that are not GREASE to dst.
func withoutGREASE(vs, dst []uint16) []uint16 {
	for _, v := range vs {
		if !isGREASE(v) {
			dst = append(dst, v)
		}
	}
	return dst
}

// appendCount appends n as two digits, 99 at most.
func appendCount(b []byte, n int) []byte {
	n = min(n, 99)
	return append(b, byte('0'+n/10), byte('0'+n%10))
}

// appendALPN appends the first and last characters of the first ALPN
// value, "00" without one; when either is not an ASCII letter or digit,
// the first and last characters of the value's hex form instead.
func appendALPN(b, alpn []byte) []byte {
	if len(alpn) == 0 {
		return append(b, "00"...)
	}
	first, last := alpn[0], alpn[len(alpn)-1]
	if isAlnum(first) && isAlnum(last) {
		return append(b, first, last)
	}
	return append(b, hexDigits[first>>4], hexDigits[last&0x0f])
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// appendHexList appends vs as 4-digit lower-case hex joined by ",".
func appendHexList(b []byte, vs []uint16) []byte {
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, hexDigits[v>>12], hexDigits[v>>8&0xf], hexDigits[v>>4&0xf], hexDigits[v&0xf])
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendHash12 appends the first 12 hex characters of the SHA-256 of s,
// or twelve zeros when s is empty (JA4 marks an empty list so rather than
// hashing nothing).
func appendHash12(b, s []byte) []byte {
	if len(s) == 0 {
		return append(b, "000000000000"...)
	}
	sum := sha256.Sum256(s)
	return hex.AppendEncode(b, sum[:6])
}
