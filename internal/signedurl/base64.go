package signedurl

import (
	"encoding/base64"
	"strings"
	"unsafe"
)

// Size bounds, checked before anything is decoded so that a hostile request
// cannot make the edge decode or parse more than this. CloudFront limits a
// whole URL to 8,192 bytes, so no genuine Policy is longer; an RSA-4096
// signature (the largest legacy key) is 684 characters once encoded.
const (
	maxEncodedPolicy    = 8 << 10
	maxEncodedSignature = 1 << 10
	maxKeyIDInResult    = 128
)

// cfEncoding is CloudFront's base64: standard base64 with '+' → '-',
// '/' → '~' and the '=' padding → '_' ("Create a signed URL using a canned
// policy", step "Replace characters that are invalid in a URL query string").
var cfEncoding = base64.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-~").WithPadding('_')

// decodeCF decodes CloudFront base64 into dst (reused when large enough).
// Raw '+', '/' or '=' are refused: they mean the signer skipped CloudFront's
// character replacement. The RFC 4648 URL-safe alphabet ('-', '_' without
// '~') is refused only when it does not decode as CloudFront base64, which is
// what CloudFront does (it reports "Could not unencode Signature").
//
// Decision: padding is required (every CloudFront signer emits it) but
// non-zero trailing bits are tolerated, as MIME decoders do. That leniency is
// harmless: the signature is checked over the decoded bytes.
func decodeCF(dst []byte, s string) ([]byte, bool) {
	// encoding/base64 skips CR and LF; CloudFront's alphabet has neither.
	if len(s) == 0 || len(s)%4 != 0 || strings.IndexByte(s, '\r') >= 0 || strings.IndexByte(s, '\n') >= 0 {
		return nil, false
	}
	n := cfEncoding.DecodedLen(len(s))
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	m, err := cfEncoding.Decode(dst[:n], unsafeBytes(s))
	if err != nil {
		return nil, false
	}
	return dst[:m], true
}

// unsafeBytes views s as bytes without copying; Decode only reads it.
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// encodeCF encodes b in CloudFront base64.
func encodeCF(b []byte) string { return cfEncoding.EncodeToString(b) }
