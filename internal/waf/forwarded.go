package waf

import (
	"net/netip"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// fwdConfig is a compiled ForwardedIPConfig / IPSetForwardedIPConfig.
type fwdConfig struct {
	header   string
	fallback bool   // MATCH → true
	position string // FIRST, LAST, ANY (IP sets); FIRST elsewhere
}

func (cp *compiler) fwdConfig(path string, header *string, fb types.FallbackBehavior, pos types.ForwardedIPPosition, ipset bool) *fwdConfig {
	f := &fwdConfig{header: deref(header), position: "FIRST"}
	if !validHeaderName(f.header) {
		cp.errorf("%s.HeaderName: invalid header name %q", path, f.header)
	}
	var err error
	f.fallback, err = fallbackMatch(path+".FallbackBehavior", fb)
	cp.add(err)
	if ipset {
		switch pos {
		case "FIRST", "LAST", "ANY":
			f.position = string(pos)
		default:
			cp.errorf("%s.Position: must be FIRST, LAST or ANY, got %q", path, pos)
		}
	}
	return f
}

// addr returns the forwarded IP AWS would use (the first one, or the last
// for Position LAST); ok is false when the header is missing or the IP in
// that position is not valid, which is when FallbackBehavior applies.
func (f *fwdConfig) addr(r *Request) (netip.Addr, bool) {
	v, ok := r.header(f.header)
	if !ok {
		return netip.Addr{}, false
	}
	var s string
	if f.position == "LAST" {
		if i := strings.LastIndexByte(v, ','); i >= 0 {
			s = v[i+1:]
		} else {
			s = v
		}
	} else {
		s, _, _ = strings.Cut(v, ",")
	}
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	return a, err == nil
}

// matchAny applies Position (FIRST, LAST or ANY) for IP set statements.
// ANY inspects at most the last 10 addresses, as AWS documents.
func (f *fwdConfig) matchAny(r *Request, in func(netip.Addr) bool) bool {
	if f.position != "ANY" {
		a, ok := f.addr(r)
		if !ok {
			return f.fallback
		}
		return in(a)
	}
	v, ok := r.header(f.header)
	if !ok {
		return f.fallback
	}
	n := strings.Count(v, ",") + 1
	valid := false
	for i := 0; v != ""; i++ {
		var s string
		s, v, _ = strings.Cut(v, ",")
		if i < n-10 {
			continue
		}
		a, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil {
			continue
		}
		valid = true
		if in(a) {
			return true
		}
	}
	if !valid {
		return f.fallback
	}
	return false
}
