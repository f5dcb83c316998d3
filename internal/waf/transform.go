package waf

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// A transformFunc rewrites src into dst (dst has length 0 and is owned by
// the caller's scratch space). It returns changed == false, and must not
// touch dst, when the transformation would leave src as it is: that is the
// common case for benign traffic and keeps evaluation allocation free.
// src is read-only: it may alias request memory.
type transformFunc func(dst, src []byte) (out []byte, changed bool)

// transforms maps every AWS TextTransformationType this edge implements to
// its function. The descriptions are AWS's ("Text transformations" in the
// AWS WAF developer guide); where AWS describes a transformation of the same
// name as ModSecurity's, the edge follows ModSecurity's reference manual.
var transforms = map[string]transformFunc{
	"NONE":                 nil,
	"COMPRESS_WHITE_SPACE": compressWhiteSpace,
	"HTML_ENTITY_DECODE":   htmlEntityDecode,
	"LOWERCASE":            lowercase,
	"UPPERCASE":            uppercase,
	"CMD_LINE":             cmdLine,
	"URL_DECODE":           urlDecode,
	"URL_DECODE_UNI":       urlDecodeUni,
	"BASE64_DECODE":        base64Decode,
	"BASE64_DECODE_EXT":    base64DecodeExt,
	"HEX_DECODE":           hexDecode,
	"MD5":                  md5Sum,
	"SHA256":               sha256Sum,
	"REPLACE_COMMENTS":     replaceComments,
	"REMOVE_COMMENTS_CHAR": removeCommentsChar,
	"ESCAPE_SEQ_DECODE":    escapeSeqDecode,
	"SQL_HEX_DECODE":       sqlHexDecode,
	"CSS_DECODE":           cssDecode,
	"JS_DECODE":            jsDecode,
	"NORMALIZE_PATH":       normalizePath,
	"NORMALIZE_PATH_WIN":   normalizePathWin,
	"REMOVE_NULLS":         removeNulls,
	"REPLACE_NULLS":        replaceNulls,
	"REMOVE_WHITESPACE":    removeWhitespace,
	"TRIM":                 trimBoth,
	"TRIM_LEFT":            trimLeft,
	"TRIM_RIGHT":           trimRight,
	"UTF8_TO_UNICODE":      utf8ToUnicode,
}

// unsupportedTransforms are valid AWS types whose exact behaviour AWS does
// not document precisely enough to reproduce; they are refused by name
// rather than approximated, so a rule never inspects something else than
// its author meant.
var unsupportedTransforms = map[string]bool{
	"CMD_LINE_WIN":  true,
	"CMD_LINE_UNIX": true,
	"JS_DECODE_EXT": true,
}

// chain is a compiled TextTransformations list, in ascending priority.
type chain []transformFunc

// compileChain validates and orders the transformations of one statement.
func compileChain(path string, tts []types.TextTransformation) (chain, error) {
	if len(tts) == 0 {
		return nil, fmt.Errorf("%s: at least one text transformation is required (use NONE)", path)
	}
	sorted := slices.Clone(tts)
	slices.SortStableFunc(sorted, func(a, b types.TextTransformation) int { return cmp.Compare(a.Priority, b.Priority) })
	var errs []error
	var c chain
	for i, tt := range sorted {
		p := fmt.Sprintf("%s[%d]", path, slices.IndexFunc(tts, func(x types.TextTransformation) bool { return x.Priority == tt.Priority && x.Type == tt.Type }))
		if i > 0 && sorted[i-1].Priority == tt.Priority {
			errs = append(errs, fmt.Errorf("%s.Priority: duplicate text transformation priority %d", p, tt.Priority))
		}
		if tt.Priority < 0 {
			errs = append(errs, fmt.Errorf("%s.Priority: must be >= 0, got %d", p, tt.Priority))
		}
		fn, ok := transforms[string(tt.Type)]
		switch {
		case unsupportedTransforms[string(tt.Type)]:
			errs = append(errs, fmt.Errorf("%s.Type: text transformation %s is not supported by this edge", p, tt.Type))
		case !ok:
			errs = append(errs, fmt.Errorf("%s.Type: unknown text transformation %q", p, tt.Type))
		case fn != nil:
			c = append(c, fn)
		}
	}
	if len(errs) > 0 {
		return nil, joinErrs(errs)
	}
	return c, nil
}

// apply runs the chain over in, ping-ponging between the two scratch
// buffers of s so that no step allocates once the buffers have grown.
func (c chain) apply(s *scratch, in []byte) []byte {
	cur, which := in, 0
	for _, fn := range c {
		out, changed := fn(s.tbuf[which][:0], cur)
		if changed {
			s.tbuf[which] = out
			cur = out
			which ^= 1
		}
	}
	return cur
}

// ApplyTransformation runs one AWS text transformation by type name; it is
// exported for the doctor and for tests. Unknown types return an error.
func ApplyTransformation(typ string, in []byte) ([]byte, error) {
	fn, ok := transforms[typ]
	if !ok {
		return nil, fmt.Errorf("unknown or unsupported text transformation %q", typ)
	}
	if fn == nil {
		return slices.Clone(in), nil
	}
	out, changed := fn(nil, in)
	if !changed {
		return slices.Clone(in), nil
	}
	return out, nil
}
