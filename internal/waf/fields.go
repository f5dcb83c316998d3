package waf

import (
	"fmt"
	"strings"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

type fieldKind uint8

const (
	fSingleHeader fieldKind = iota + 1
	fHeaders
	fCookies
	fSingleQueryArg
	fAllQueryArgs
	fURIPath
	fQueryString
	fMethod
	fBody
	fJSONBody
	fHeaderOrder
	fJA3
	fJA4
)

// Oversize handling and map scopes, compiled.
const (
	ovContinue = iota
	ovMatch
	ovNoMatch
)

const (
	scopeAll = iota
	scopeKey
	scopeValue
)

// AWS inspects at most 8 KB and 200 of the headers or cookies
// (API_FieldToMatch: Headers, Cookies).
const (
	maxMapBytes = 8 << 10
	maxMapItems = 200
)

// field is a compiled FieldToMatch.
type field struct {
	kind     fieldKind
	name     string // SingleHeader, SingleQueryArgument
	scope    int
	oversize int
	include  []string // lower-case names; nil means all
	exclude  []string
	json     *jsonSpec
	location string // for terminatingRuleMatchDetails
	fallback bool   // JA3Fingerprint, JA4Fingerprint: FallbackBehavior MATCH
}

func compileField(path string, f *types.FieldToMatch) (*field, error) {
	if f == nil {
		return nil, fmt.Errorf("%s: required", path)
	}
	var set []string
	var out *field
	var err error
	add := func(name string, ok bool, fn func() (*field, error)) {
		if ok {
			set = append(set, name)
			out, err = fn()
		}
	}
	simple := func(k fieldKind, loc string) func() (*field, error) {
		return func() (*field, error) { return &field{kind: k, location: loc}, nil }
	}
	add("SingleHeader", f.SingleHeader != nil, func() (*field, error) {
		if f.SingleHeader.Name == nil || *f.SingleHeader.Name == "" {
			return nil, fmt.Errorf("%s.SingleHeader.Name: required", path)
		}
		return &field{kind: fSingleHeader, name: *f.SingleHeader.Name, location: "HEADER"}, nil
	})
	add("SingleQueryArgument", f.SingleQueryArgument != nil, func() (*field, error) {
		if f.SingleQueryArgument.Name == nil || *f.SingleQueryArgument.Name == "" {
			return nil, fmt.Errorf("%s.SingleQueryArgument.Name: required", path)
		}
		return &field{kind: fSingleQueryArg, name: *f.SingleQueryArgument.Name, location: "SINGLE_QUERY_ARG"}, nil
	})
	add("AllQueryArguments", f.AllQueryArguments != nil, simple(fAllQueryArgs, "ALL_QUERY_ARGS"))
	add("UriPath", f.UriPath != nil, simple(fURIPath, "URI"))
	add("QueryString", f.QueryString != nil, simple(fQueryString, "QUERY_STRING"))
	add("Method", f.Method != nil, simple(fMethod, "METHOD"))
	add("HeaderOrder", f.HeaderOrder != nil, func() (*field, error) {
		ov, err := oversize(path+".HeaderOrder.OversizeHandling", f.HeaderOrder.OversizeHandling)
		return &field{kind: fHeaderOrder, oversize: ov, location: "HEADER_ORDER"}, err
	})
	add("Body", f.Body != nil, func() (*field, error) {
		ov, err := oversize(path+".Body.OversizeHandling", f.Body.OversizeHandling)
		return &field{kind: fBody, oversize: ov, location: "BODY"}, err
	})
	add("Headers", f.Headers != nil, func() (*field, error) {
		h := f.Headers
		var mp [3]bool
		var inc, exc []string
		if h.MatchPattern != nil {
			mp = [3]bool{h.MatchPattern.All != nil, h.MatchPattern.IncludedHeaders != nil, h.MatchPattern.ExcludedHeaders != nil}
			inc, exc = h.MatchPattern.IncludedHeaders, h.MatchPattern.ExcludedHeaders
		}
		return compileMap(path+".Headers", fHeaders, "HEADERS", mp, inc, exc, h.MatchScope, h.OversizeHandling)
	})
	add("Cookies", f.Cookies != nil, func() (*field, error) {
		c := f.Cookies
		var mp [3]bool
		var inc, exc []string
		if c.MatchPattern != nil {
			mp = [3]bool{c.MatchPattern.All != nil, c.MatchPattern.IncludedCookies != nil, c.MatchPattern.ExcludedCookies != nil}
			inc, exc = c.MatchPattern.IncludedCookies, c.MatchPattern.ExcludedCookies
		}
		return compileMap(path+".Cookies", fCookies, "COOKIES", mp, inc, exc, c.MatchScope, c.OversizeHandling)
	})
	add("JsonBody", f.JsonBody != nil, func() (*field, error) { return compileJSONField(path+".JsonBody", f.JsonBody) })
	add("JA3Fingerprint", f.JA3Fingerprint != nil, func() (*field, error) {
		fb, err := fallbackMatch(path+".JA3Fingerprint.FallbackBehavior", f.JA3Fingerprint.FallbackBehavior)
		return &field{kind: fJA3, fallback: fb, location: "JA3_FINGERPRINT"}, err
	})
	add("JA4Fingerprint", f.JA4Fingerprint != nil, func() (*field, error) {
		fb, err := fallbackMatch(path+".JA4Fingerprint.FallbackBehavior", f.JA4Fingerprint.FallbackBehavior)
		return &field{kind: fJA4, fallback: fb, location: "JA4_FINGERPRINT"}, err
	})
	// Refused by name: this edge does not see this part of a request.
	if f.UriFragment != nil {
		set = append(set, "UriFragment")
		err = fmt.Errorf("%s.UriFragment: field to match UriFragment is not available at this edge", path)
	}
	switch {
	case len(set) == 0:
		return nil, fmt.Errorf("%s: exactly one field to match is required", path)
	case len(set) > 1:
		return nil, fmt.Errorf("%s: exactly one field to match is allowed, got %s", path, strings.Join(set, ", "))
	}
	return out, err
}

// fallbackMatch compiles a required FallbackBehavior: MATCH is true.
func fallbackMatch(path string, fb types.FallbackBehavior) (bool, error) {
	switch fb {
	case "MATCH":
		return true, nil
	case "NO_MATCH":
		return false, nil
	case "":
		return false, fmt.Errorf("%s: required (MATCH or NO_MATCH)", path)
	}
	return false, fmt.Errorf("%s: must be MATCH or NO_MATCH, got %q", path, fb)
}

// fingerprint reports whether the field is a TLS fingerprint.
func (f *field) fingerprint() bool { return f != nil && (f.kind == fJA3 || f.kind == fJA4) }

func oversize(path string, v types.OversizeHandling) (int, error) {
	switch v {
	case "", "CONTINUE":
		return ovContinue, nil
	case "MATCH":
		return ovMatch, nil
	case "NO_MATCH":
		return ovNoMatch, nil
	}
	return 0, fmt.Errorf("%s: unknown oversize handling %q", path, v)
}

func compileMap(path string, k fieldKind, loc string, mp [3]bool, inc, exc []string, scope types.MapMatchScope, ov types.OversizeHandling) (*field, error) {
	f := &field{kind: k, location: loc}
	n := 0
	for _, b := range mp {
		if b {
			n++
		}
	}
	if n != 1 {
		return nil, fmt.Errorf("%s.MatchPattern: exactly one of All, Included…, Excluded… is required", path)
	}
	if mp[1] {
		f.include = lowerAll(inc)
	}
	if mp[2] {
		f.exclude = lowerAll(exc)
	}
	switch scope {
	case "ALL":
		f.scope = scopeAll
	case "KEY":
		f.scope = scopeKey
	case "VALUE":
		f.scope = scopeValue
	default:
		return nil, fmt.Errorf("%s.MatchScope: must be ALL, KEY or VALUE, got %q", path, scope)
	}
	var err error
	if ov == "" {
		return nil, fmt.Errorf("%s.OversizeHandling: required", path)
	}
	f.oversize, err = oversize(path+".OversizeHandling", ov)
	return f, err
}

func lowerAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.ToLower(s)
	}
	return out
}

// bs views s as bytes without copying; the result must not be written.
func bs(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// wanted reports whether a header or cookie name passes the match pattern.
func (f *field) wanted(name string) bool {
	if f.include != nil {
		for _, n := range f.include {
			if strings.EqualFold(n, name) {
				return true
			}
		}
		return false
	}
	for _, n := range f.exclude {
		if strings.EqualFold(n, name) {
			return false
		}
	}
	return true
}
