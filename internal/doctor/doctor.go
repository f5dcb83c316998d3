// Package doctor explains CloudFront 403s. It reads evidence — standard
// access logs (real CloudFront's and this edge's), AWS WAF logs,
// distribution configurations, a live URL — and names, for every refused
// request, the cause in the shared vocabulary of internal/cause, how sure it
// is, the evidence, and the exact fix.
//
// It never imports the edge: it works offline on real CloudFront data and
// reuses only the routing (internal/hostroute), path-pattern
// (internal/behavior), configuration (internal/resource) and log
// (internal/accesslog) packages to re-check what CloudFront would have done.
//
// The facts it relies on are in ../shared/spec/cloudfront.md, cited as
// "spec §N"; the JSON it prints is documented in docs/doctor.md.
package doctor

import (
	"fmt"

	"github.com/openfront-edge/openfront/internal/cause"
)

// Confidence says how sure a classification is.
type Confidence string

// The confidences, strongest first.
const (
	// Certain: a field that only one cause produces (ClientGeoBlocked,
	// InvalidRequestMethod, a WAF BLOCK record with the same request id) or
	// a deterministic re-check against the configuration.
	Certain Confidence = "certain"
	// Likely: the evidence fits this cause and no other known cause
	// produces it, but a field that would prove it is missing.
	Likely Confidence = "likely"
	// Possible: the best of several candidates; the others are listed.
	Possible Confidence = "possible"
)

func (c Confidence) rank() int {
	switch c {
	case Certain:
		return 3
	case Likely:
		return 2
	case Possible:
		return 1
	}
	return 0
}

// Evidence is one observation behind a classification: a fixed fact, the
// same for every request it applies to (findings count requests by it), and
// the request's own values, formatted only when asked for: most requests
// of a long log are only counted.
type Evidence struct {
	Fact   string
	format string
	args   []any
}

// Value is the request's own values, "" when none.
func (e Evidence) Value() string {
	if e.format == "" {
		return ""
	}
	return fmt.Sprintf(e.format, e.args...)
}

func (e Evidence) String() string {
	if v := e.Value(); v != "" {
		return e.Fact + ": " + v
	}
	return e.Fact
}

func ev(fact string, format string, args ...any) Evidence {
	return Evidence{Fact: fact, format: format, args: args}
}

// Verdict is the classification of one request.
type Verdict struct {
	Cause      cause.Cause
	Detail     string
	Confidence Confidence
	// Candidates are the other explanations the evidence leaves open, most
	// likely first, as "cause" or "cause/detail".
	Candidates []string
	Evidence   []Evidence
}

func (v *Verdict) add(fact, format string, args ...any) {
	v.Evidence = append(v.Evidence, ev(fact, format, args...))
}

// isDenial reports whether a cause is one the doctor reports as a finding:
// every cause but the empty one.
func isDenial(c cause.Cause) bool { return c != cause.None }
