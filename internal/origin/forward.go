package origin

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
)

// Forwarding is what a cache behavior sends to its origin from the viewer's
// request: the union of its cache policy and origin request policy, or its
// legacy ForwardedValues. Compiled once per snapshot; read-only afterwards.
type Forwarding struct {
	Headers nameSet
	Cookies nameSet
	Query   nameSet
	// Gzip and Brotli are the cache policy's EnableAcceptEncoding* settings:
	// CloudFront then normalises Accept-Encoding to these codings.
	Gzip, Brotli bool
	// CloudFront lists the CloudFront-* headers the edge adds (viewer
	// country, address, protocol …), canonical, from any policy that names
	// them (adding-cloudfront-headers). Viewers' own CloudFront-* headers
	// are never passed on.
	CloudFront []string
}

// IsCloudFrontHeader reports a header only CloudFront may set.
func IsCloudFrontHeader(canonical string) bool {
	return strings.HasPrefix(canonical, "Cloudfront-")
}

// collectCloudFront moves CloudFront-* names out of the header allow list:
// they are computed by the edge, not copied from the viewer.
func (f *Forwarding) collectCloudFront(names []string) {
	for _, n := range names {
		c := http.CanonicalHeaderKey(n)
		if IsCloudFrontHeader(c) && !slices.Contains(f.CloudFront, c) {
			f.CloudFront = append(f.CloudFront, c)
		}
	}
}

// nameSet is an allow list with an "all" switch and an except list.
// Header names are stored lower-case; cookie and query names as written.
type nameSet struct {
	all    bool
	allow  map[string]bool
	except map[string]bool
}

func (s *nameSet) add(name string) {
	if s.allow == nil {
		s.allow = map[string]bool{}
	}
	s.allow[name] = true
}

func (s *nameSet) addExcept(name string) {
	if s.except == nil {
		s.except = map[string]bool{}
	}
	s.except[name] = true
}

// Has reports whether name is forwarded.
func (s *nameSet) Has(name string) bool {
	if s.allow[name] {
		return true
	}
	return s.all && !s.except[name]
}

// All reports whether every name is (all, perhaps but a few).
func (s *nameSet) All() bool { return s.all }

// None reports whether nothing is forwarded.
func (s *nameSet) None() bool { return !s.all && len(s.allow) == 0 }

// ForwardsHeader reports whether the viewer's header (any case) reaches the origin.
func (f *Forwarding) ForwardsHeader(name string) bool {
	return f.Headers.Has(strings.ToLower(name))
}

// FromPolicies compiles a cache policy and an optional origin request policy.
func FromPolicies(cp *types.CachePolicyConfig, orp *types.OriginRequestPolicyConfig) *Forwarding {
	f := &Forwarding{}
	if p := cp.ParametersInCacheKeyAndForwardedToOrigin; p != nil {
		f.Gzip = deref(p.EnableAcceptEncodingGzip)
		f.Brotli = deref(p.EnableAcceptEncodingBrotli)
		if h := p.HeadersConfig; h != nil && h.HeaderBehavior == types.CachePolicyHeaderBehaviorWhitelist && h.Headers != nil {
			for _, n := range h.Headers.Items {
				f.Headers.add(strings.ToLower(n))
			}
			f.collectCloudFront(h.Headers.Items)
		}
		if c := p.CookiesConfig; c != nil {
			names := []string(nil)
			if c.Cookies != nil {
				names = c.Cookies.Items
			}
			applyBehavior(&f.Cookies, string(c.CookieBehavior), names)
		}
		if q := p.QueryStringsConfig; q != nil {
			names := []string(nil)
			if q.QueryStrings != nil {
				names = q.QueryStrings.Items
			}
			applyBehavior(&f.Query, string(q.QueryStringBehavior), names)
		}
	}
	if orp == nil {
		return f
	}
	if h := orp.HeadersConfig; h != nil {
		var names []string
		if h.Headers != nil {
			names = h.Headers.Items
		}
		switch h.HeaderBehavior {
		case types.OriginRequestPolicyHeaderBehaviorAllViewer:
			f.Headers.all = true
		case types.OriginRequestPolicyHeaderBehaviorAllViewerAndWhitelistCloudFront:
			f.Headers.all = true
			f.collectCloudFront(names)
		case types.OriginRequestPolicyHeaderBehaviorWhitelist:
			for _, n := range names {
				f.Headers.add(strings.ToLower(n))
			}
			f.collectCloudFront(names)
		case types.OriginRequestPolicyHeaderBehaviorAllExcept:
			f.Headers.all = true
			for _, n := range names {
				f.Headers.addExcept(strings.ToLower(n))
			}
		}
	}
	if c := orp.CookiesConfig; c != nil {
		var names []string
		if c.Cookies != nil {
			names = c.Cookies.Items
		}
		applyBehavior(&f.Cookies, string(c.CookieBehavior), names)
	}
	if q := orp.QueryStringsConfig; q != nil {
		var names []string
		if q.QueryStrings != nil {
			names = q.QueryStrings.Items
		}
		applyBehavior(&f.Query, string(q.QueryStringBehavior), names)
	}
	return f
}

// applyBehavior merges one none|whitelist|allExcept|all setting into s.
func applyBehavior(s *nameSet, behavior string, names []string) {
	switch behavior {
	case "all":
		s.all = true
	case "whitelist":
		for _, n := range names {
			s.add(n)
		}
	case "allExcept":
		s.all = true
		for _, n := range names {
			s.addExcept(n)
		}
	}
}

// FromForwardedValues compiles a legacy ForwardedValues setting. Headers
// "*" forwards every header. QueryString true forwards the whole query
// (QueryStringCacheKeys only narrows the cache key).
func FromForwardedValues(fv *types.ForwardedValues) *Forwarding {
	f := &Forwarding{}
	if fv.Headers != nil {
		for _, n := range fv.Headers.Items {
			if n == "*" {
				f.Headers.all = true
				continue
			}
			f.Headers.add(strings.ToLower(n))
		}
		f.collectCloudFront(fv.Headers.Items)
	}
	if c := fv.Cookies; c != nil {
		var names []string
		if c.WhitelistedNames != nil {
			names = c.WhitelistedNames.Items
		}
		applyBehavior(&f.Cookies, string(c.Forward), names)
	}
	if deref(fv.QueryString) {
		f.Query.all = true
	}
	return f
}

// FilterQuery returns the query string the origin receives.
func (f *Forwarding) FilterQuery(raw string) string {
	if raw == "" || f.Query.None() {
		return ""
	}
	if f.Query.all && len(f.Query.except) == 0 {
		return raw
	}
	var b strings.Builder
	for part := range strings.SplitSeq(raw, "&") {
		name, _, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if !f.Query.Has(name) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(part)
	}
	return b.String()
}

// FilterCookies returns the Cookie header the origin receives, or "".
func (f *Forwarding) FilterCookies(h http.Header) string {
	if f.Cookies.None() {
		return ""
	}
	lines := h.Values("Cookie")
	if f.Cookies.all && len(f.Cookies.except) == 0 {
		return strings.Join(lines, "; ")
	}
	var b strings.Builder
	for _, line := range lines {
		for c := range strings.SplitSeq(line, ";") {
			c = strings.TrimSpace(c)
			name, _, _ := strings.Cut(c, "=")
			if c == "" || !f.Cookies.Has(name) {
				continue
			}
			if b.Len() > 0 {
				b.WriteString("; ")
			}
			b.WriteString(c)
		}
	}
	return b.String()
}

// AcceptEncoding returns the normalised Accept-Encoding CloudFront sends
// when the cache policy enables compression: "br,gzip", "gzip" or "".
func (f *Forwarding) AcceptEncoding(viewer string) string {
	if viewer == "" || (!f.Gzip && !f.Brotli) {
		return ""
	}
	v := strings.ToLower(viewer)
	br := f.Brotli && strings.Contains(v, "br")
	gz := f.Gzip && strings.Contains(v, "gzip")
	switch {
	case br && gz:
		return "br,gzip"
	case br:
		return "br"
	case gz:
		return "gzip"
	}
	return ""
}
