package geo

import (
	"errors"
	"fmt"
	"strings"
)

// Restriction types, spelled as in CloudFront's GeoRestriction.RestrictionType
// (the console says "Allow list" and "Block list").
const (
	RestrictionNone      = "none"
	RestrictionWhitelist = "whitelist"
	RestrictionBlacklist = "blacklist"
)

// Restriction is a distribution's geographic restriction. It is immutable
// once built.
type Restriction struct {
	kind string
	set  [(26*26 + 63) / 64]uint64 // bit countrySlot(code) is set for each listed country
}

// NewRestriction builds a restriction from CloudFront's RestrictionType and
// Items. kind is "none", "whitelist" or "blacklist"; items are upper-case
// ISO 3166-1 alpha-2 codes. "none" takes no items; the other two need at least
// one, since an empty blacklist would let everyone through and an empty
// whitelist would let only unknown countries through. Every bad item is
// reported, each with its index.
func NewRestriction(kind string, items []string) (*Restriction, error) {
	r := &Restriction{kind: kind}
	switch kind {
	case RestrictionNone:
		if len(items) > 0 {
			return nil, fmt.Errorf("restriction type %q takes no items, got %d", kind, len(items))
		}
		return r, nil
	case RestrictionWhitelist, RestrictionBlacklist:
		if len(items) == 0 {
			return nil, fmt.Errorf("restriction type %q needs at least one country", kind)
		}
	default:
		return nil, fmt.Errorf("restriction type %q: want %q, %q or %q",
			kind, RestrictionNone, RestrictionWhitelist, RestrictionBlacklist)
	}
	var errs []error
	for i, item := range items {
		if c := canonicalCountry(item); c != "" {
			s := countrySlot(c[0], c[1])
			r.set[s/64] |= 1 << (s % 64)
			continue
		}
		if up := strings.ToUpper(item); canonicalCountry(up) != "" {
			errs = append(errs, fmt.Errorf("items[%d]: %q must be upper case (%q)", i, item, up))
		} else {
			errs = append(errs, fmt.Errorf("items[%d]: %q is not an ISO 3166-1 alpha-2 country code", i, item))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return r, nil
}

// Allows reports whether a viewer from country may be served. An unknown
// country ("") is always served: CloudFront serves content when it cannot
// determine the viewer's country. A nil Restriction allows everyone. It does
// not allocate.
func (r *Restriction) Allows(country string) bool {
	if r == nil || r.kind == RestrictionNone || len(country) != 2 {
		return true
	}
	s := countrySlot(country[0], country[1])
	if s < 0 || countryTable[s].code == "" {
		return true // not a country: unknown
	}
	listed := r.set[s/64]&(1<<(s%64)) != 0
	return listed == (r.kind == RestrictionWhitelist)
}

// Type returns the restriction type: "none", "whitelist" or "blacklist".
func (r *Restriction) Type() string {
	if r == nil {
		return RestrictionNone
	}
	return r.kind
}

// Countries returns the listed countries in code order.
func (r *Restriction) Countries() []string {
	if r == nil {
		return nil
	}
	var out []string
	for _, c := range countries {
		s := countrySlot(c.code[0], c.code[1])
		if r.set[s/64]&(1<<(s%64)) != 0 {
			out = append(out, c.code)
		}
	}
	return out
}
