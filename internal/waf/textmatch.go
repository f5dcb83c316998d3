package waf

import (
	"bytes"
	"regexp"
	"strings"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// textMatch is every statement that inspects a FieldToMatch after
// TextTransformations: it matches when one selected value, transformed,
// passes test.
type textMatch struct {
	f    *field
	tx   chain
	test func(c *evalCtx, f *field, v []byte) bool
}

func (t *textMatch) match(c *evalCtx) bool {
	return t.f.each(c, func(v []byte) bool { return t.test(c, t.f, t.tx.apply(c.s, v)) })
}

// text compiles the shared FieldToMatch and TextTransformations parts.
func (cp *compiler) text(path string, ftm *types.FieldToMatch, tts []types.TextTransformation, test func(*evalCtx, *field, []byte) bool) matcher {
	f, err := compileField(path+".FieldToMatch", ftm)
	cp.add(err)
	cp.fingerprints = cp.fingerprints || f.fingerprint()
	tx, err := compileChain(path+".TextTransformations", tts)
	cp.add(err)
	return &textMatch{f: f, tx: tx, test: test}
}

func (cp *compiler) byteMatch(path string, b *types.ByteMatchStatement) matcher {
	s := b.SearchString
	if len(s) == 0 || len(s) > 200 {
		cp.errorf("%s.SearchString: must be 1 to 200 bytes, got %d", path, len(s))
	}
	var test func(v []byte) bool
	switch b.PositionalConstraint {
	case "EXACTLY":
		test = func(v []byte) bool { return bytes.Equal(v, s) }
	case "STARTS_WITH":
		test = func(v []byte) bool { return bytes.HasPrefix(v, s) }
	case "ENDS_WITH":
		test = func(v []byte) bool { return bytes.HasSuffix(v, s) }
	case "CONTAINS":
		test = func(v []byte) bool { return bytes.Contains(v, s) }
	case "CONTAINS_WORD":
		test = func(v []byte) bool { return containsWord(v, s) }
	default:
		cp.errorf("%s.PositionalConstraint: unknown value %q", path, b.PositionalConstraint)
	}
	return cp.text(path, b.FieldToMatch, b.TextTransformations, func(_ *evalCtx, _ *field, v []byte) bool { return test(v) })
}

// containsWord: AWS requires the string to be bounded on each side by the
// start or end of the value or by a character that is not alphanumeric or
// underscore.
func containsWord(v, s []byte) bool {
	for off := 0; off <= len(v)-len(s); {
		i := bytes.Index(v[off:], s)
		if i < 0 {
			return false
		}
		i += off
		end := i + len(s)
		if (i == 0 || !isWordByte(v[i-1])) && (end == len(v) || !isWordByte(v[end])) {
			return true
		}
		off = i + 1
	}
	return false
}

func isWordByte(c byte) bool {
	return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// compileRegex compiles an AWS regex with Go's RE2, which accepts the
// subset of PCRE that AWS documents (no backreferences, no lookaround).
func (cp *compiler) compileRegex(path, expr string) *regexp.Regexp {
	if expr == "" {
		cp.errorf("%s: required", path)
		return nil
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		cp.errorf("%s: %v", path, err)
		return nil
	}
	return re
}

func (cp *compiler) regexMatch(path string, r *types.RegexMatchStatement) matcher {
	re := cp.compileRegex(path+".RegexString", deref(r.RegexString))
	return cp.text(path, r.FieldToMatch, r.TextTransformations, func(_ *evalCtx, _ *field, v []byte) bool { return re.Match(v) })
}

func (cp *compiler) regexSet(path string, r *types.RegexPatternSetReferenceStatement) matcher {
	set := lookup(cp.res.RegexPatternSets, deref(r.ARN))
	var res []*regexp.Regexp
	if set == nil {
		cp.errorf("%s.ARN: unknown regex pattern set %q", path, deref(r.ARN))
	} else {
		for i, x := range set.RegularExpressionList {
			re := cp.compileRegex(path+".ARN→RegularExpressionList["+itoa(i)+"].RegexString", deref(x.RegexString))
			res = append(res, re)
		}
	}
	return cp.text(path, r.FieldToMatch, r.TextTransformations, func(_ *evalCtx, _ *field, v []byte) bool {
		for _, re := range res {
			if re.Match(v) {
				return true
			}
		}
		return false
	})
}

func (cp *compiler) sizeConstraint(path string, s *types.SizeConstraintStatement) matcher {
	n := s.Size
	if n < 0 || n > 21474836480 {
		cp.errorf("%s.Size: must be 0 to 21474836480, got %d", path, n)
	}
	var test func(int64) bool
	switch s.ComparisonOperator {
	case "EQ":
		test = func(l int64) bool { return l == n }
	case "NE":
		test = func(l int64) bool { return l != n }
	case "LE":
		test = func(l int64) bool { return l <= n }
	case "LT":
		test = func(l int64) bool { return l < n }
	case "GE":
		test = func(l int64) bool { return l >= n }
	case "GT":
		test = func(l int64) bool { return l > n }
	default:
		cp.errorf("%s.ComparisonOperator: unknown value %q", path, s.ComparisonOperator)
	}
	return cp.text(path, s.FieldToMatch, s.TextTransformations, func(_ *evalCtx, _ *field, v []byte) bool { return test(int64(len(v))) })
}

// sqlHigh is what SensitivityLevel HIGH adds to libinjection (which alone is
// LOW): SQL constructs that are attacks in almost every context. AWS says
// HIGH "detects more attacks" at the price of more false positives; AWS's
// own detector is not published, so this list is ours.
var sqlHigh = regexp.MustCompile(`(?i)\bunion\b[\s\S]{0,100}\bselect\b|\bselect\b[\s\S]{0,100}\bfrom\b|\b(?:sleep|benchmark|pg_sleep)\s*\(|\bwaitfor\s+delay\b|\binformation_schema\b|\b(?:or|and)\s+['"]?\w+['"]?\s*(?:=|<|>|\blike\b)\s*['"]?\w+|;\s*(?:drop|delete|insert|update|shutdown|exec)\b`)

// noFingerprint refuses a TLS fingerprint in a statement AWS does not
// allow it in: SQL injection and cross-site scripting match statements
// (API_JA3Fingerprint, API_JA4Fingerprint: string match, regex, regex
// pattern set and size constraint statements only).
func (cp *compiler) noFingerprint(path, stmt string, ftm *types.FieldToMatch) {
	if ftm == nil {
		return
	}
	for name, set := range map[string]bool{"JA3Fingerprint": ftm.JA3Fingerprint != nil, "JA4Fingerprint": ftm.JA4Fingerprint != nil} {
		if set {
			cp.errorf("%s.FieldToMatch.%s: AWS WAF inspects TLS fingerprints in string match, regex, regex pattern set and size constraint statements only, not in %s", path, name, stmt)
		}
	}
}

func (cp *compiler) sqli(path string, s *types.SqliMatchStatement) matcher {
	cp.noFingerprint(path, "SqliMatchStatement", s.FieldToMatch)
	level := string(s.SensitivityLevel)
	switch level {
	case "":
		level = "LOW" // the API default
	case "LOW", "HIGH":
	default:
		cp.errorf("%s.SensitivityLevel: must be LOW or HIGH, got %q", path, level)
	}
	high := level == "HIGH"
	return cp.text(path, s.FieldToMatch, s.TextTransformations, func(c *evalCtx, f *field, v []byte) bool {
		hit := isSQLi(v)
		if !hit && high {
			hit = sqlHigh.Match(v)
		}
		if hit {
			c.detail("SQL_INJECTION", level, f.location, v)
		}
		return hit
	})
}

func (cp *compiler) xss(path string, s *types.XssMatchStatement) matcher {
	cp.noFingerprint(path, "XssMatchStatement", s.FieldToMatch)
	return cp.text(path, s.FieldToMatch, s.TextTransformations, func(c *evalCtx, f *field, v []byte) bool {
		if isXSS(v) {
			c.detail("XSS", "", f.location, v)
			return true
		}
		return false
	})
}

// ustr views b as a string for read-only APIs, without copying.
func ustr(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// matchedData splits what matched into the short tokens AWS logs in
// terminatingRuleMatchDetails[].matchedData (at most 16 tokens).
func matchedData(v []byte) []string {
	var out []string
	for _, t := range strings.FieldsFunc(string(v), func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '=' }) {
		if len(out) == 16 {
			break
		}
		out = append(out, t)
	}
	return out
}
