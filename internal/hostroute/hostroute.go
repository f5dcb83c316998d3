// Package hostroute maps a request's Host header to a distribution the way
// CloudFront does: an exact alternate domain name (or a distribution's own
// default domain) first, then the most specific wildcard alternate domain
// name. It also answers the different question of whether a certificate
// name covers a host (CertificateCovers), because CloudFront's routing
// wildcards and certificate wildcards do not mean the same thing.
//
// Sources: "Use custom URLs by adding alternate domain names (CNAMEs)" and
// "Use wildcards in alternate domain names" in the CloudFront Developer Guide
// (docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/CNAMEs.html,
// alternate-domain-names-wildcard.html); spec/cloudfront.md §3.
package hostroute

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors wrapped by New, for callers that branch on the kind of
// problem (internal/resource maps ErrDuplicate to CloudFront's
// CNAMEAlreadyExists).
var (
	// ErrDuplicate reports a name that appears more than once.
	ErrDuplicate = errors.New("duplicate domain name")
	// ErrInvalidName reports a name that is not a valid DNS name or
	// wildcard alias.
	ErrInvalidName = errors.New("invalid domain name")
)

// maxName is the longest DNS name in text form without the trailing dot
// (RFC 1035 §2.3.4 allows 255 octets on the wire, which is 253 characters
// of presentation form). No exact entry is longer.
const maxName = 253

// maxLabel is the longest DNS label (RFC 1035 §2.3.4).
const maxLabel = 63

// Entry is one name that routes to a distribution.
type Entry struct {
	// Name is an exact alternate domain name ("shop.example.com"), a
	// wildcard alternate domain name ("*.example.com") or a distribution's
	// default domain ("d111111abcdef8.cloudfront.net",
	// "e2qwruhapomqzl.cloudfront.localhost"). Upper case is accepted and
	// folded to lower case.
	Name string
	// Index identifies the distribution, typically its position in the
	// snapshot. It must not be negative.
	Index int
}

// target is what a name resolves to.
type target struct {
	index int
	name  string // the canonical (lower-case) entry name, returned as matched
}

// Table resolves Host header values to distributions. It is immutable after
// New and safe for concurrent use.
type Table struct {
	// exact holds exact aliases and default domains, keyed by the
	// lower-case name.
	exact map[string]target
	// wild holds wildcard aliases keyed by their suffix including the
	// leading dot: "*.example.com" is stored under ".example.com", so a
	// lookup can probe each suffix of the host with a substring and no
	// allocation.
	wild map[string]target
}

// New builds a Table. It checks every entry and returns all problems at
// once (joined with errors.Join), each naming the entry: duplicate names
// (case-insensitive, naming both distribution indices), wildcard aliases
// that do not start with "*." or use "*" anywhere else, and names that are
// not DNS names (labels of 1–63 characters from a–z, 0–9, "-" and "_";
// at most 253 characters in all).
//
// Exact aliases and default domains share one namespace: both are exact
// names, and CloudFront allows a given exact name on only one distribution
// (CNAMEAlreadyExists).
func New(entries []Entry) (*Table, error) {
	t := &Table{
		exact: make(map[string]target, len(entries)),
		wild:  make(map[string]target),
	}
	var errs []error
	for i, e := range entries {
		name := strings.ToLower(e.Name)
		if e.Index < 0 {
			errs = append(errs, fmt.Errorf("entry %d (%q): negative distribution index %d", i, e.Name, e.Index))
			continue
		}
		if err := validateName(name); err != nil {
			errs = append(errs, fmt.Errorf("entry %d (%q): %w", i, e.Name, err))
			continue
		}
		m, key := t.exact, name
		if strings.HasPrefix(name, "*.") {
			m, key = t.wild, name[1:]
		}
		if prev, dup := m[key]; dup {
			errs = append(errs, fmt.Errorf("entry %d: %w %q: used by distribution %d and distribution %d",
				i, ErrDuplicate, name, prev.index, e.Index))
			continue
		}
		m[key] = target{index: e.Index, name: name}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return t, nil
}

// validateName checks a lower-cased entry name.
func validateName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty", ErrInvalidName)
	}
	rest := name
	if strings.HasPrefix(name, "*.") {
		rest = name[2:]
	}
	// CloudFront: a wildcard alias "must begin with an asterisk and a dot
	// (*.)"; "*domain.example.com" and "subdomain.*.example.com" are not
	// allowed (alternate-domain-names-wildcard.html).
	if i := strings.IndexByte(rest, '*'); i >= 0 {
		if i == 0 && !strings.HasPrefix(name, "*.") {
			return fmt.Errorf("%w: a wildcard must be a whole first label written \"*.\"", ErrInvalidName)
		}
		return fmt.Errorf("%w: \"*\" is allowed only as the first label (\"*.example.com\")", ErrInvalidName)
	}
	if len(rest) > maxName {
		return fmt.Errorf("%w: %d characters, longer than %d", ErrInvalidName, len(rest), maxName)
	}
	for label := range strings.SplitSeq(rest, ".") {
		if label == "" {
			return fmt.Errorf("%w: empty label", ErrInvalidName)
		}
		if len(label) > maxLabel {
			return fmt.Errorf("%w: label %q is %d characters, longer than %d", ErrInvalidName, label, len(label), maxLabel)
		}
		for j := 0; j < len(label); j++ {
			if c := label[j]; !isLabelByte(c) {
				return fmt.Errorf("%w: character %q in label %q", ErrInvalidName, rune(c), label)
			}
		}
	}
	return nil
}

// isLabelByte reports whether c may appear in a lower-cased label. The
// underscore is not a hostname character (RFC 952) but appears in real DNS
// names, so it is accepted.
func isLabelByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// Lookup finds the distribution for a raw Host header value, which may carry
// a port, upper case and a trailing dot. It returns the distribution index
// and the entry name that matched ("shop.example.com" or "*.example.com");
// ok is false when nothing matches or host is not a valid Host value. IP
// literals never match.
//
// Order: an exact name (an alternate domain name or a default domain), then
// the most specific wildcard, that is the one with the longest suffix.
// CloudFront documents that "the more specific match wins" between
// overlapping aliases (CNAMEs.html) and that "*.example.com" covers "any
// domain name that ends with example.com", at any depth, such as
// "marketing.product-name.example.com" (alternate-domain-names-wildcard.html).
// It does not cover "example.com" itself, which is a separate alias.
// Default domains are exact names under cloudfront.net, where no customer
// alias can overlap, so checking them with the aliases gives the same
// answer as checking them last.
//
// Lookup does not allocate, except for a host that needs case folding and
// is longer than any DNS name (253 characters).
func (t *Table) Lookup(host string) (index int, matched string, ok bool) {
	name, upper, valid := split(host)
	if !valid || name[0] == '[' {
		return -1, "", false
	}
	if !upper {
		return t.lookup(name)
	}
	if len(name) > maxName {
		// Longer than any DNS name, so it can match only a wildcard;
		// rare enough to allocate.
		return t.lookup(strings.ToLower(name))
	}
	// Fold into a stack buffer; the compiler does not allocate for
	// m[string(b)] lookups, so neither do the probes below.
	var buf [maxName]byte
	b := buf[:len(name)]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	if e, ok := t.exact[string(b)]; ok {
		return e.index, e.name, true
	}
	for i := 1; i < len(b); i++ {
		if b[i] != '.' {
			continue
		}
		if e, ok := t.wild[string(b[i:])]; ok {
			return e.index, e.name, true
		}
	}
	return -1, "", false
}

// lookup resolves an already normalized, lower-case name.
func (t *Table) lookup(name string) (int, string, bool) {
	if e, ok := t.exact[name]; ok {
		return e.index, e.name, true
	}
	// Probe suffixes from the longest, so the first hit is the most
	// specific wildcard. The scan starts at 1: the wildcard label must be
	// non-empty, so "*.example.com" never matches "example.com".
	for i := 1; i < len(name); i++ {
		if name[i] != '.' {
			continue
		}
		if e, ok := t.wild[name[i:]]; ok {
			return e.index, e.name, true
		}
	}
	return -1, "", false
}
