package waf

import (
	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// geoMatch is a compiled GeoMatchStatement. Every request it inspects gets
// the awswaf:clientip:geo:country:<CC> label (awswaf:forwardedip:… when it
// uses a forwarded IP), whether or not the country matches, as AWS
// documents. Region labels (geo:region:<CC>-<RR>) are not produced: the
// edge's geo lookup has no subdivisions.
type geoMatch struct {
	set [26 * 26]bool
	fwd *fwdConfig
}

func (cp *compiler) geoMatch(path string, g *types.GeoMatchStatement) matcher {
	m := &geoMatch{}
	if len(g.CountryCodes) == 0 {
		cp.errorf("%s.CountryCodes: at least one country code is required", path)
	}
	for i, cc := range g.CountryCodes {
		k := countryIndex(string(cc))
		if k < 0 {
			cp.errorf("%s.CountryCodes[%d]: %q is not an ISO 3166 alpha-2 code", path, i, cc)
			continue
		}
		m.set[k] = true
	}
	if f := g.ForwardedIPConfig; f != nil {
		m.fwd = cp.fwdConfig(path+".ForwardedIPConfig", f.HeaderName, f.FallbackBehavior, "", false)
	}
	return m
}

func (m *geoMatch) match(c *evalCtx) bool {
	cc, fam := c.r.Country, 0
	if m.fwd != nil {
		a, ok := m.fwd.addr(c.r)
		if !ok {
			return m.fwd.fallback
		}
		cc, fam = "", 1
		if c.r.GeoLookup != nil {
			cc = c.r.GeoLookup(a)
		}
	}
	k := countryIndex(cc)
	if k < 0 {
		// Unknown country: no label, and no country list can match it.
		return false
	}
	c.addLabel(geoLabels[fam][k])
	return m.set[k]
}
