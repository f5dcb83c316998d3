package waf

import (
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// geoMatch is a compiled GeoMatchStatement. Every request it inspects gets
// the awswaf:clientip:geo:country:<CC> label and, when the edge's database
// knows the address's first-level subdivision, awswaf:clientip:geo:region:
// <CC>-<RR> (awswaf:forwardedip:… when it uses a forwarded IP), whether or
// not the country matches, as AWS documents (API_GeoMatchStatement).
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
	var cc, rr string
	fam := 0
	if m.fwd != nil {
		a, ok := m.fwd.addr(c.r)
		if !ok {
			return m.fwd.fallback
		}
		fam = 1
		if c.r.Geo != nil {
			cc, rr = c.r.Geo.Region(a)
		}
	} else {
		cc, rr = c.r.Country, c.clientRegion()
	}
	k := countryIndex(cc)
	if k < 0 {
		// Unknown country: no label, and no country list can match it.
		return false
	}
	c.addLabel(geoLabels[fam][k])
	if l := regionLabel(fam, k, rr); l != "" {
		c.addLabel(l)
	}
	return m.set[k]
}

// clientRegion returns the client IP's first-level subdivision, looked up
// once per evaluation. The country is the edge's (Request.Country); a
// region the database places in another country is not used.
func (c *evalCtx) clientRegion() string {
	if !c.regionKnown {
		c.regionKnown = true
		if c.r.Geo != nil && c.r.Country != "" {
			if cc, rr := c.r.Geo.Region(c.r.ClientIP); cc == c.r.Country {
				c.region = rr
			}
		}
	}
	return c.region
}

// regionLabels interns the geo region labels, so that labelling a request
// does not allocate: there are a few thousand subdivisions, too many to
// build up front like geoLabels. It is direct-mapped by (family, country,
// region); a slot keeps the last label built for it, whole.
var regionLabels [1 << 12]atomic.Pointer[regionLabelEntry]

type regionLabelEntry struct {
	key   uint64
	label string
}

var regionPrefixes = [2]string{"awswaf:clientip:geo:region:", "awswaf:forwardedip:geo:region:"}

// regionLabel returns the region label of family fam (0 client IP, 1
// forwarded IP) for country index k and region rr, or "" when rr is not an
// ISO 3166-2 subdivision code (one to three letters or digits).
func regionLabel(fam, k int, rr string) string {
	if len(rr) == 0 || len(rr) > 3 {
		return ""
	}
	key := uint64(fam)<<40 | uint64(k)<<24
	for i := 0; i < len(rr); i++ {
		b := rr[i]
		if !(b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9') {
			return ""
		}
		key |= uint64(b) << (8 * i)
	}
	slot := &regionLabels[(key*0x9E3779B97F4A7C15)>>52]
	if e := slot.Load(); e != nil && e.key == key {
		return e.label
	}
	cc := geoLabels[0][k][len(geoLabels[0][k])-2:]
	e := &regionLabelEntry{key: key, label: regionPrefixes[fam] + cc + "-" + rr}
	slot.Store(e)
	return e.label
}
