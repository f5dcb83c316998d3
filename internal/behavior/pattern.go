// Package behavior selects a distribution's cache behavior for a request
// and holds the per-behavior rules that are checked before the origin:
// path patterns (first match in list order wins) and allowed methods.
//
// Sources: "Path pattern" and "Allowed HTTP methods" in "Values that you
// specify when you create or update a distribution", CloudFront Developer
// Guide (docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/
// distribution-web-values-specify.html); spec/cloudfront.md §10.2 and §11.
package behavior

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrInvalidPattern is wrapped by every error from Compile.
var ErrInvalidPattern = errors.New("invalid path pattern")

// MaxPatternLen is the longest path pattern CloudFront accepts, in
// characters as written in the configuration.
const MaxPatternLen = 255

// kind selects a fast path in Match for the shapes most patterns have.
type kind uint8

const (
	kindNone    kind = iota // the zero Pattern: matches nothing
	kindGeneral             // anything else: the wildcard algorithm
	kindLiteral             // no wildcards: "/index.html"
	kindPrefix              // literal then one trailing star: "/images/*"
	kindSuffix              // one leading star then a literal: "/*.jpg"
	kindAll                 // only stars: "*"
)

// Pattern is a compiled cache-behavior path pattern. It is immutable and
// safe for concurrent use. The zero Pattern matches nothing.
type Pattern struct {
	src  string // as written in the configuration
	pat  string // canonical: leading "/", "&amp;" decoded, runs of "*" collapsed
	lit  string // the literal part for kindLiteral, kindPrefix, kindSuffix
	kind kind
}

// Compile checks and compiles a CloudFront path pattern.
//
// CloudFront's rules (distribution-web-values-specify.html, "Path
// pattern"): at most 255 characters; only A–Z a–z 0–9 _ - . $ / ~ " ' @
// : + and "&", which the configuration writes as "&amp;" (both spellings
// are accepted and mean a literal "&"), plus the wildcards "*" and "?";
// a leading "/" is optional, so
// "images/*" and "/images/*" are the same pattern. An error names the first
// offending character and its 1-based position in p.
func Compile(p string) (Pattern, error) {
	if p == "" {
		return Pattern{}, fmt.Errorf("%w: empty", ErrInvalidPattern)
	}
	if n := utf8.RuneCountInString(p); n > MaxPatternLen {
		return Pattern{}, fmt.Errorf("%w %q: %d characters, longer than %d", ErrInvalidPattern, p, n, MaxPatternLen)
	}
	b := make([]byte, 0, len(p)+1)
	if p[0] != '/' {
		// A path always starts with "/", and CloudFront treats the
		// leading "/" of a pattern as optional; adding it makes "?x"
		// and "/?x" the same pattern too.
		b = append(b, '/')
	}
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '&':
			b = append(b, '&')
			if strings.HasPrefix(p[i:], "&amp;") {
				i += len("&amp;")
			} else {
				i++
			}
			continue
		case c == '*':
			// "**" matches what "*" matches; collapsing keeps the
			// matcher's work down.
			if b[len(b)-1] != '*' {
				b = append(b, '*')
			}
		case allowed(c):
			b = append(b, c)
		default:
			r, _ := utf8.DecodeRuneInString(p[i:])
			pos := utf8.RuneCountInString(p[:i]) + 1
			return Pattern{}, fmt.Errorf("%w %q: character %q at position %d is not allowed "+
				"(allowed: A-Z a-z 0-9 _ - . * $ / ~ \" ' @ : + &)", ErrInvalidPattern, p, r, pos)
		}
		i++
	}
	pat := string(b)
	cp := Pattern{src: p, pat: pat, kind: kindGeneral}
	first := strings.IndexAny(pat, "*?")
	switch {
	case first < 0:
		cp.kind, cp.lit = kindLiteral, pat
	case pat == "/*":
		// Every path starts with "/".
		cp.kind = kindAll
	case first == len(pat)-1 && pat[first] == '*':
		cp.kind, cp.lit = kindPrefix, pat[:first]
	case first == 1 && pat[1] == '*' && !strings.ContainsAny(pat[2:], "*?"):
		cp.kind, cp.lit = kindSuffix, pat[2:]
	}
	return cp, nil
}

// allowed reports the characters CloudFront allows in a path pattern,
// including the wildcard "?", other than "*" and "&", which Compile handles
// itself.
func allowed(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '_', '-', '.', '$', '/', '~', '"', '\'', '@', ':', '+', '?':
		return true
	}
	return false
}

// MustCompile is like Compile but panics on error. It is for tests and
// fixed patterns such as the default behavior's "*".
func MustCompile(p string) Pattern {
	cp, err := Compile(p)
	if err != nil {
		panic(err)
	}
	return cp
}

// String returns the pattern as written in the configuration.
func (p Pattern) String() string { return p.src }

// Match reports whether a request path matches the pattern. path is the URL
// path as received, starting with "/", without the query string (CloudFront
// ignores query strings and cookies when matching). Matching is
// case-sensitive: "*.jpg" does not match "/LOGO.JPG". "*" matches zero or
// more characters including "/", so "images/*.jpg" matches
// "/images/a/b.jpg"; "?" matches exactly one character, so "*.doc?" matches
// "/x.docx" but not "/x.doc" (distribution-web-values-specify.html).
//
// A character is one UTF-8 sequence (an invalid byte counts as one);
// request paths are normally ASCII, with anything else percent-encoded.
// Match does not allocate and takes at most O(len(pattern)·len(path)) steps,
// without exponential backtracking.
func (p Pattern) Match(path string) bool {
	switch p.kind {
	case kindGeneral:
		return match(p.pat, path)
	case kindLiteral:
		return path == p.lit
	case kindPrefix:
		return strings.HasPrefix(path, p.lit)
	case kindSuffix:
		return strings.HasPrefix(path, "/") && strings.HasSuffix(path[1:], p.lit)
	case kindAll:
		return strings.HasPrefix(path, "/")
	}
	return false // the zero Pattern
}

// match is the classic wildcard algorithm: advance greedily and, on a
// mismatch, backtrack only to the most recent "*", letting it absorb one
// more character. Backtracking to earlier stars is never needed, because
// whatever an earlier star could absorb the latest star can absorb too;
// that bound is what keeps patterns such as "*a*a*a*b" from going
// exponential.
func match(pat, path string) bool {
	p, s := 0, 0
	star, mark := -1, 0
	for s < len(path) {
		if p < len(pat) {
			switch c := pat[p]; c {
			case '*':
				star, mark = p, s
				p++
				if !skipTo(pat, p, path, &mark) {
					return false
				}
				s = mark
				continue
			case '?':
				p++
				s += charLen(path[s:])
				continue
			default:
				if c == path[s] {
					p++
					s++
					continue
				}
			}
		}
		if star < 0 {
			return false
		}
		p = star + 1
		mark += charLen(path[mark:])
		if !skipTo(pat, p, path, &mark) {
			return false
		}
		s = mark
	}
	for p < len(pat) && pat[p] == '*' {
		p++
	}
	return p == len(pat)
}

// skipTo moves *mark, the position a star has absorbed up to, to the next
// place where the literal after the star (pat[p]) occurs; positions before
// it would fail on that literal anyway. It reports false when the literal
// does not occur again, so nothing can match. Pattern literals are ASCII,
// which never occurs inside a multi-byte UTF-8 sequence, so *mark stays on
// a character boundary.
func skipTo(pat string, p int, path string, mark *int) bool {
	if p == len(pat) || pat[p] == '?' || pat[p] == '*' || *mark >= len(path) {
		return true
	}
	i := strings.IndexByte(path[*mark:], pat[p])
	if i < 0 {
		return false
	}
	*mark += i
	return true
}

// charLen is the length in bytes of the character at the start of s.
func charLen(s string) int {
	if s[0] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRuneInString(s)
	return n
}
