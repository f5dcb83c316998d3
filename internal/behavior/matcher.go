package behavior

import (
	"errors"
	"fmt"
)

// Matcher picks the cache behavior for a path from a distribution's ordered
// list of cache behaviors. It is immutable and safe for concurrent use.
type Matcher struct {
	patterns []Pattern
}

// NewMatcher compiles the path patterns of a distribution's cache
// behaviors, in the order they are configured. The default behavior is not
// part of the list: it has the fixed pattern "*" and always comes last
// (distribution-web-values-specify.html, "Path pattern"), so callers use it
// when Match returns -1. Every bad pattern is reported, each with its index.
func NewMatcher(patterns []string) (*Matcher, error) {
	m := &Matcher{patterns: make([]Pattern, len(patterns))}
	var errs []error
	for i, p := range patterns {
		cp, err := Compile(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("cache behavior %d: %w", i, err))
			continue
		}
		m.patterns[i] = cp
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return m, nil
}

// Match returns the index of the first pattern that matches path, or -1 if
// none does and the default behavior applies. CloudFront tests cache
// behaviors in list order and the first match wins, even when a later
// pattern is more specific; so a request that matches an unsigned behavior
// first is served without signing (distribution-web-values-specify.html).
// Match does not allocate.
func (m *Matcher) Match(path string) int {
	for i := range m.patterns {
		if m.patterns[i].Match(path) {
			return i
		}
	}
	return -1
}

// Len returns the number of patterns.
func (m *Matcher) Len() int { return len(m.patterns) }

// Pattern returns the i'th compiled pattern, for diagnostics.
func (m *Matcher) Pattern(i int) Pattern { return m.patterns[i] }
