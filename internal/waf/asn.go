package waf

import (
	"net/netip"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// ASNLocator finds the autonomous system number of an address, 0 when
// unknown (AWS WAF gives addresses it cannot map ASN 0). geo.ASNDB is one.
type ASNLocator interface {
	ASN(ip netip.Addr) uint32
}

// WithASNDatabase gives AsnMatchStatements their database. Without it a web
// ACL that uses one does not compile.
func WithASNDatabase(db ASNLocator) Option { return func(o *options) { o.asn = db } }

// asnMatch is a compiled AsnMatchStatement: it matches when the ASN of the
// client IP (or of the forwarded IP) is in the list (API_AsnMatchStatement;
// waf-rule-statement-type-asn-match). It adds no labels.
type asnMatch struct {
	list []uint32 // sorted
	fwd  *fwdConfig
	db   ASNLocator
}

func (cp *compiler) asnMatch(path string, s *types.AsnMatchStatement) matcher {
	if cp.opts.asn == nil {
		cp.errorf("%s: needs an ASN database, and none is loaded (start openfront with --asn-db FILE.mmdb, a GeoLite2-ASN or compatible database)", path)
		return nil
	}
	m := &asnMatch{db: cp.opts.asn}
	if n := len(s.AsnList); n < 1 || n > 100 {
		cp.errorf("%s.AsnList: must hold 1 to 100 numbers, got %d", path, n)
	}
	for i, n := range s.AsnList {
		if n < 0 || n > 1<<32-1 {
			cp.errorf("%s.AsnList[%d]: %d is not an ASN (0 to 4294967295)", path, i, n)
			continue
		}
		m.list = append(m.list, uint32(n))
	}
	slices.Sort(m.list)
	if f := s.ForwardedIPConfig; f != nil {
		m.fwd = cp.fwdConfig(path+".ForwardedIPConfig", f.HeaderName, f.FallbackBehavior, "", false)
		if cp.asnFwd == nil {
			cp.asnFwd = m.fwd
		}
	} else {
		cp.asnClient = true
	}
	return m
}

func (m *asnMatch) match(c *evalCtx) bool {
	ip := c.r.ClientIP
	if m.fwd != nil {
		a, ok := m.fwd.addr(c.r)
		if !ok {
			return m.fwd.fallback
		}
		ip = a
	}
	_, found := slices.BinarySearch(m.list, m.db.ASN(ip))
	return found
}

// logASNs fills the record's clientAsn and forwardedAsn, which AWS logs
// only when the web ACL uses an ASN match statement: the client IP's when
// one inspects it, the forwarded IP's (by the first such statement's
// header) when one inspects a forwarded IP that the request carries.
func (a *ACL) logASNs(rec *logRecord, r *Request) {
	if a.asn == nil {
		return
	}
	if a.asnClient {
		n := a.asn.ASN(r.ClientIP)
		rec.ClientASN = &n
	}
	if a.asnFwd != nil {
		if ip, ok := a.asnFwd.addr(r); ok {
			n := a.asn.ASN(ip)
			rec.ForwardedASN = &n
		}
	}
}
