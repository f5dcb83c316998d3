package signedurl

import (
	"errors"
	"strings"
)

// resourcePattern is a compiled custom-policy Resource. CloudFront splits the
// URL in a policy into [protocol]://[domain]/[path]\?[query string] and a
// wildcard ('*' zero or more characters, '?' exactly one) matches only within
// its own section, with four exceptions ("Values that you specify in the
// policy statement for a signed URL that uses a custom policy"):
//   - a trailing '*' in the path also covers the query
//     (http://example.com/hello* ≡ http://example.com/hello*\?*);
//   - a trailing '*' in the domain covers path and query
//     (http://example.com* ≡ http://example.com*/*\?*);
//   - a URL that omits the protocol and starts with '*' has protocol '*'
//     (*example.com ≡ *://*example.com/);
//   - "*" alone matches any URL.
type resourcePattern struct {
	raw          string
	all          bool
	proto        string // lower case
	domain       string // lower case
	path         string // begins with '/'
	query        string
	anyPathQuery bool // trailing '*' in the domain and nothing after it
	anyQuery     bool // trailing '*' in the path and no query section
}

// parseResource compiles a policy Resource.
//
// Decision: the docs write the query separator as `\?` (since '?' is also a
// wildcard) yet tell signers not to escape it. So: after the domain, the
// first `\?` (a JSON "\\?") separates path from query if there is one, and
// then a bare '?' in the path is a one-character wildcard; otherwise the
// first '?' after the domain separates them. Domain sections compare
// ASCII-case-insensitively (DNS names do); everything else is exact, on the
// escaped form of the URL, which is why literal '*' and '?' in object keys
// must be signed as %2A and %3F.
func parseResource(s string) (*resourcePattern, error) {
	r := &resourcePattern{raw: s}
	if s == "*" {
		r.all = true
		return r, nil
	}
	rest := ""
	if i := strings.Index(s, "://"); i > 0 && isProto(s[:i]) {
		r.proto, rest = strings.ToLower(s[:i]), s[i+3:]
	} else if strings.HasPrefix(s, "*") {
		r.proto, rest = "*", s
	} else {
		return nil, errors.New("resource must begin with http://, https:// or *://")
	}
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		r.domain = strings.ToLower(rest)
		if strings.HasSuffix(rest, "*") {
			r.anyPathQuery = true
		} else {
			r.path = "/"
		}
		return r, nil
	}
	r.domain = strings.ToLower(rest[:slash])
	after := rest[slash:]
	if i := strings.Index(after, `\?`); i >= 0 {
		r.path, r.query = after[:i], after[i+2:]
		return r, nil
	}
	if i := strings.IndexByte(after, '?'); i >= 0 {
		r.path, r.query = after[:i], after[i+1:]
		return r, nil
	}
	r.path = after
	r.anyQuery = strings.HasSuffix(after, "*")
	return r, nil
}

func isProto(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if (c < 'a' || c > 'z') && s[i] != '*' && s[i] != '?' {
			return false
		}
	}
	return true
}

// match reports whether the request URL scheme://host path?query matches.
func (r *resourcePattern) match(scheme, host, path, query string) bool {
	if r.all {
		return true
	}
	if !glob(r.proto, lowerASCII(scheme)) || !glob(r.domain, lowerASCII(host)) {
		return false
	}
	if r.anyPathQuery {
		return true
	}
	if !glob(r.path, path) {
		return false
	}
	return r.anyQuery || glob(r.query, query)
}

// host returns the domain section, for diagnostics.
func (r *resourcePattern) host() string { return r.domain }

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// glob matches s against p, where '*' matches any run of bytes and '?'
// exactly one byte. It never backtracks: the pattern is cut at its stars,
// the first piece must prefix s, the last must suffix it, and the pieces in
// between are found leftmost, in order (leftmost is always safe for globs).
// The cost is O(len(s)) per star-free piece without '?', and
// O(len(s)·len(piece)) for a piece with '?'. Patterns come from signed
// policies, so a viewer can only choose s.
func glob(p, s string) bool {
	star := strings.IndexByte(p, '*')
	if star < 0 {
		return len(p) == len(s) && fixed(p, s)
	}
	pre := p[:star]
	if len(s) < len(pre) || !fixed(pre, s[:len(pre)]) {
		return false
	}
	s, p = s[len(pre):], p[star+1:]
	last := strings.LastIndexByte(p, '*')
	suf := p[last+1:]
	if len(s) < len(suf) || !fixed(suf, s[len(s)-len(suf):]) {
		return false
	}
	s = s[:len(s)-len(suf)]
	if last < 0 {
		return true
	}
	for mid := p[:last]; ; {
		piece, rest, more := strings.Cut(mid, "*")
		if piece != "" {
			i := find(piece, s)
			if i < 0 {
				return false
			}
			s = s[i+len(piece):]
		}
		if !more {
			return true
		}
		mid = rest
	}
}

// fixed matches equal-length p and s, '?' in p matching any byte.
func fixed(p, s string) bool {
	for i := 0; i < len(p); i++ {
		if p[i] != '?' && p[i] != s[i] {
			return false
		}
	}
	return true
}

// find returns the leftmost index where piece (which may hold '?') matches in s.
func find(piece, s string) int {
	if strings.IndexByte(piece, '?') < 0 {
		return strings.Index(s, piece)
	}
	for i := 0; i+len(piece) <= len(s); i++ {
		if fixed(piece, s[i:i+len(piece)]) {
			return i
		}
	}
	return -1
}
