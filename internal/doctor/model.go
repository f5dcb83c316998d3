package doctor

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	"github.com/openfront-edge/openfront/internal/behavior"
	"github.com/openfront-edge/openfront/internal/hostroute"
	"github.com/openfront-edge/openfront/internal/resource"
)

// Model is the doctor's compiled view of a configuration: for a logged
// request, which distribution, cache behavior and origin it met, and what
// those were set to. It is built from whatever resource.Load decoded,
// without resource.Validate's refusals: the doctor must read configurations
// that use features this edge does not serve (OAC, WAF, geo, signing).
type Model struct {
	Set   *resource.Set
	Dists []*Dist
	// Problems are configuration parts the model could not compile (a bad
	// path pattern, a duplicate alias); doctor config reports them.
	Problems []Problem

	byID     map[string]*Dist
	byDomain map[string]*Dist // default domains and AWS domain names
	routes   *hostroute.Table
}

// Problem is a part of the configuration the model had to skip.
type Problem struct {
	Dist *Dist
	Path string
	Msg  string
}

// Dist is one distribution.
type Dist struct {
	ID, ARN, Domain, DefaultDomain, File, ETag string
	// Path is the JSON path of the DistributionConfig in File.
	Path              string
	Config            *types.DistributionConfig
	Enabled           bool
	Aliases           []string
	DefaultRootObject string
	WebACLID          string
	IncludeCookies    bool
	Geo               GeoRestriction
	Behaviors         []*Behavior // CacheBehaviors in order, then the default behavior last
	Origins           []*Origin
	// ErrorResponses maps an ErrorCode to its CustomErrorResponse.
	ErrorResponses map[int]*ErrorResponse

	matcher *behavior.Matcher
	matched []int // matcher index → Behaviors index (patterns that compiled)
}

// GeoRestriction is Restrictions.GeoRestriction.
type GeoRestriction struct {
	Type      types.GeoRestrictionType
	Countries []string
}

// ErrorResponse is one CustomErrorResponse.
type ErrorResponse struct {
	Code         int
	ResponseCode int // 0 when the status is kept
	PagePath     string
	Path         string // JSON path
}

// Behavior is one cache behavior.
type Behavior struct {
	Pattern string // "*" for the default behavior
	Path    string // JSON path: "DistributionConfig.CacheBehaviors.Items[2]"
	Default bool
	Viewer  types.ViewerProtocolPolicy
	Methods behavior.Methods
	// KeyGroups and Signers are the trusted key groups and trusted signers
	// when enabled; a behavior with either requires signed URLs or cookies.
	KeyGroups    []string
	Signers      []string
	Origin       *Origin // nil when TargetOriginId names an origin group or nothing
	TargetOrigin string
	ForwardsHost bool   // the viewer's Host reaches the origin
	HostVia      string // where Host is forwarded from (JSON path)
	ForwardsQS   bool   // query strings reach the origin
	Raw          *types.CacheBehavior
}

// Signed reports whether the behavior requires signed URLs or cookies.
func (b *Behavior) Signed() bool { return b.KeyGroups != nil || b.Signers != nil }

// Origin is one origin.
type Origin struct {
	ID, Domain, Path string // Path is the JSON path
	OriginPath       string
	// Kind is what the domain name is; S3Config says whether it is
	// configured as an S3 origin (S3OriginConfig) or a custom one.
	Kind     OriginKind
	S3       S3Host
	S3Config bool
	OAC      string
	OAI      string
	// OACNever is set when the OAC's SigningBehavior is never: requests
	// then reach S3 unsigned, as if the origin had no access at all.
	OACNever bool
	// Sole is set on a distribution's only origin: the distribution's
	// statistics are then the origin's.
	Sole bool
	Raw  *types.Origin
}

// HasOriginAccess reports an OAC or OAI that signs the origin's requests.
func (o *Origin) HasOriginAccess() bool { return (o.OAC != "" && !o.OACNever) || o.OAI != "" }

// NewModel compiles a loaded set. domainSuffix is this edge's default-domain
// suffix ("cloudfront.localhost"), so that its logs' cs(Host) values map to
// distributions too.
func NewModel(set *resource.Set, domainSuffix string) *Model {
	m := &Model{Set: set, byID: map[string]*Dist{}, byDomain: map[string]*Dist{}}
	if set == nil {
		return m
	}
	var entries []hostroute.Entry
	seen := map[string]*Dist{}
	for _, rd := range set.Distributions {
		if m.byID[rd.ID] != nil {
			m.Problems = append(m.Problems, Problem{Path: rd.File, Msg: fmt.Sprintf("distribution %s is defined twice; the first one is used", rd.ID)})
			continue
		}
		d := m.compile(rd)
		d.DefaultDomain = resource.DefaultDomain(rd.ID, domainSuffix)
		m.Dists = append(m.Dists, d)
		m.byID[d.ID] = d
		m.byDomain[d.DefaultDomain] = d
		if d.Domain != "" {
			m.byDomain[d.Domain] = d
		}
		idx := len(m.Dists) - 1
		for _, a := range d.Aliases {
			if prev := seen[a]; prev != nil {
				m.Problems = append(m.Problems, Problem{Dist: d, Path: d.Path + ".Aliases.Items",
					Msg: fmt.Sprintf("alias %s is also on distribution %s (CloudFront: CNAMEAlreadyExists)", a, prev.ID)})
				continue
			}
			if _, err := hostroute.New([]hostroute.Entry{{Name: a}}); err != nil {
				m.Problems = append(m.Problems, Problem{Dist: d, Path: d.Path + ".Aliases.Items", Msg: err.Error()})
				continue
			}
			seen[a] = d
			entries = append(entries, hostroute.Entry{Name: a, Index: idx})
		}
	}
	m.routes, _ = hostroute.New(entries) // entries were checked one by one
	return m
}

// ByID returns the distribution with this id, or nil.
func (m *Model) ByID(id string) *Dist {
	if m == nil {
		return nil
	}
	return m.byID[id]
}

// Route finds the distribution for a logged request: by the log file's
// distribution id, by cs(Host) (the distribution's domain), else by the
// Host header the viewer sent.
func (m *Model) Route(id, csHost, hostHeader string) *Dist {
	if m == nil {
		return nil
	}
	if d := m.byID[id]; d != nil {
		return d
	}
	if h, ok := hostroute.Normalize(csHost); ok {
		if d := m.byDomain[h]; d != nil {
			return d
		}
	}
	return m.RouteHost(hostHeader)
}

// RouteHost routes a Host header value as CloudFront would: exact alias,
// most specific wildcard, default domain.
func (m *Model) RouteHost(host string) *Dist {
	if m == nil {
		return nil
	}
	h, ok := hostroute.Normalize(host)
	if !ok {
		return nil
	}
	if d := m.byDomain[h]; d != nil {
		return d
	}
	if m.routes == nil {
		return nil
	}
	if i, _, ok := m.routes.Lookup(h); ok {
		return m.Dists[i]
	}
	return nil
}

// Behavior returns the cache behavior a path matches: the first matching
// pattern, else the default behavior.
func (d *Dist) Behavior(path string) *Behavior {
	if d.matcher != nil {
		if i := d.matcher.Match(path); i >= 0 {
			return d.Behaviors[d.matched[i]]
		}
	}
	return d.Behaviors[len(d.Behaviors)-1]
}

// BehaviorByPattern returns the behavior with this path pattern as logged in
// v2's cache-behavior-path-pattern, or nil.
func (d *Dist) BehaviorByPattern(p string) *Behavior {
	for _, b := range d.Behaviors {
		if b.Pattern == p || "/"+strings.TrimPrefix(b.Pattern, "/") == "/"+strings.TrimPrefix(p, "/") {
			return b
		}
	}
	return nil
}

// AccountID is the AWS account in the distribution's ARN, or "".
func (d *Dist) AccountID() string {
	// arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE
	parts := strings.Split(d.ARN, ":")
	if len(parts) >= 6 {
		return parts[4]
	}
	return ""
}

func (m *Model) compile(rd *resource.Distribution) *Dist {
	c := rd.Config
	d := &Dist{
		ID: rd.ID, ARN: rd.ARN, Domain: rd.DomainName, File: rd.File, ETag: rd.ETag, Path: rd.Path, Config: c,
		Enabled: c.Enabled == nil || *c.Enabled, Aliases: resource.Aliases(c),
		DefaultRootObject: deref(c.DefaultRootObject), WebACLID: deref(c.WebACLId),
		ErrorResponses: map[int]*ErrorResponse{},
	}
	if c.Logging != nil {
		d.IncludeCookies = deref(c.Logging.IncludeCookies)
	}
	if c.Restrictions != nil && c.Restrictions.GeoRestriction != nil {
		g := c.Restrictions.GeoRestriction
		d.Geo = GeoRestriction{Type: g.RestrictionType, Countries: g.Items}
	}
	origins := map[string]*Origin{}
	if c.Origins != nil {
		for i := range c.Origins.Items {
			o := &c.Origins.Items[i]
			or := &Origin{ID: deref(o.Id), Domain: strings.ToLower(deref(o.DomainName)), OriginPath: deref(o.OriginPath),
				Path: fmt.Sprintf("%s.Origins.Items[%d]", d.Path, i), OAC: deref(o.OriginAccessControlId), Raw: o}
			if oac := m.Set.OriginAccessControls[or.OAC]; oac != nil && oac.Config != nil {
				or.OACNever = oac.Config.SigningBehavior == "never"
			}
			or.S3 = ParseOriginDomain(or.Domain)
			or.Kind = or.S3.Kind
			if o.S3OriginConfig != nil {
				or.S3Config = true
				or.OAI = deref(o.S3OriginConfig.OriginAccessIdentity)
			}
			d.Origins = append(d.Origins, or)
			origins[or.ID] = or
		}
		if len(d.Origins) == 1 {
			d.Origins[0].Sole = true
		}
	}
	if c.OriginGroups != nil {
		// A group routes to its first member (failover is a retry).
		for _, g := range c.OriginGroups.Items {
			if g.Members != nil && len(g.Members.Items) > 0 {
				if o := origins[deref(g.Members.Items[0].OriginId)]; o != nil {
					origins[deref(g.Id)] = o
				}
			}
		}
	}
	var patterns []string
	if c.CacheBehaviors != nil {
		for i := range c.CacheBehaviors.Items {
			cb := &c.CacheBehaviors.Items[i]
			b := m.behavior(d, cb, fmt.Sprintf("%s.CacheBehaviors.Items[%d]", d.Path, i), origins)
			b.Pattern = deref(cb.PathPattern)
			if _, err := behavior.Compile(b.Pattern); err != nil {
				m.Problems = append(m.Problems, Problem{Dist: d, Path: b.Path + ".PathPattern", Msg: err.Error()})
			} else {
				patterns = append(patterns, b.Pattern)
				d.matched = append(d.matched, len(d.Behaviors))
			}
			d.Behaviors = append(d.Behaviors, b)
		}
	}
	def := &types.CacheBehavior{}
	if dc := c.DefaultCacheBehavior; dc != nil {
		def = &types.CacheBehavior{
			TargetOriginId: dc.TargetOriginId, ViewerProtocolPolicy: dc.ViewerProtocolPolicy,
			AllowedMethods: dc.AllowedMethods, CachePolicyId: dc.CachePolicyId, ForwardedValues: dc.ForwardedValues,
			OriginRequestPolicyId: dc.OriginRequestPolicyId, TrustedKeyGroups: dc.TrustedKeyGroups,
			TrustedSigners: dc.TrustedSigners, FunctionAssociations: dc.FunctionAssociations,
			LambdaFunctionAssociations: dc.LambdaFunctionAssociations,
		}
	}
	b := m.behavior(d, def, d.Path+".DefaultCacheBehavior", origins)
	b.Pattern, b.Default = "*", true
	d.Behaviors = append(d.Behaviors, b)
	d.matcher, _ = behavior.NewMatcher(patterns) // each pattern compiled above
	if c.CustomErrorResponses != nil {
		for i, e := range c.CustomErrorResponses.Items {
			er := &ErrorResponse{Code: int(deref(e.ErrorCode)), PagePath: deref(e.ResponsePagePath),
				Path: fmt.Sprintf("%s.CustomErrorResponses.Items[%d]", d.Path, i)}
			er.ResponseCode, _ = strconv.Atoi(deref(e.ResponseCode))
			d.ErrorResponses[er.Code] = er
		}
	}
	return d
}

func (m *Model) behavior(d *Dist, cb *types.CacheBehavior, path string, origins map[string]*Origin) *Behavior {
	b := &Behavior{Path: path, Viewer: cb.ViewerProtocolPolicy, TargetOrigin: deref(cb.TargetOriginId), Raw: cb}
	b.Origin = origins[b.TargetOrigin]
	b.Methods = behavior.MethodsGetHead
	if cb.AllowedMethods != nil {
		items := make([]string, len(cb.AllowedMethods.Items))
		for i, it := range cb.AllowedMethods.Items {
			items[i] = string(it)
		}
		if ms, err := behavior.ParseMethods(items); err == nil {
			b.Methods = ms
		} else {
			m.Problems = append(m.Problems, Problem{Dist: d, Path: path + ".AllowedMethods.Items", Msg: err.Error()})
		}
	}
	if kg := cb.TrustedKeyGroups; kg != nil && deref(kg.Enabled) {
		b.KeyGroups = kg.Items
		if len(b.KeyGroups) == 0 {
			b.KeyGroups = []string{} // enabled with no key group: every request fails
		}
	}
	if ts := cb.TrustedSigners; ts != nil && deref(ts.Enabled) {
		b.Signers = append([]string{}, ts.Items...)
	}
	b.ForwardsHost, b.HostVia = m.forwardsHost(cb, path)
	b.ForwardsQS = m.forwardsQuery(cb)
	return b
}

// forwardsHost reports whether the viewer's Host header reaches the origin:
// legacy ForwardedValues listing Host (or "*"), a cache policy with Host in
// its key, or an origin request policy forwarding all viewer headers or Host.
func (m *Model) forwardsHost(cb *types.CacheBehavior, path string) (bool, string) {
	if fv := cb.ForwardedValues; fv != nil && fv.Headers != nil {
		for i, h := range fv.Headers.Items {
			if strings.EqualFold(h, "Host") || h == "*" {
				return true, fmt.Sprintf("%s.ForwardedValues.Headers.Items[%d]", path, i)
			}
		}
	}
	if id := deref(cb.CachePolicyId); id != "" {
		if p, ok := m.Set.CachePolicy(id); ok && p.ParametersInCacheKeyAndForwardedToOrigin != nil {
			if hc := p.ParametersInCacheKeyAndForwardedToOrigin.HeadersConfig; hc != nil && hc.Headers != nil {
				if slices.ContainsFunc(hc.Headers.Items, func(h string) bool { return strings.EqualFold(h, "Host") }) {
					return true, path + ".CachePolicyId"
				}
			}
		}
	}
	if id := deref(cb.OriginRequestPolicyId); id != "" {
		if p, ok := m.Set.OriginRequestPolicy(id); ok && p.HeadersConfig != nil {
			hc := p.HeadersConfig
			switch hc.HeaderBehavior {
			case types.OriginRequestPolicyHeaderBehaviorAllViewer, types.OriginRequestPolicyHeaderBehaviorAllViewerAndWhitelistCloudFront:
				return true, path + ".OriginRequestPolicyId"
			case types.OriginRequestPolicyHeaderBehaviorWhitelist:
				if hc.Headers != nil && slices.ContainsFunc(hc.Headers.Items, func(h string) bool { return strings.EqualFold(h, "Host") }) {
					return true, path + ".OriginRequestPolicyId"
				}
			}
		}
	}
	return false, ""
}

// forwardsQuery reports whether viewer query strings reach the origin.
func (m *Model) forwardsQuery(cb *types.CacheBehavior) bool {
	if fv := cb.ForwardedValues; fv != nil {
		return deref(fv.QueryString)
	}
	if id := deref(cb.CachePolicyId); id != "" {
		if p, ok := m.Set.CachePolicy(id); ok && p.ParametersInCacheKeyAndForwardedToOrigin != nil {
			if q := p.ParametersInCacheKeyAndForwardedToOrigin.QueryStringsConfig; q != nil && q.QueryStringBehavior != types.CachePolicyQueryStringBehaviorNone {
				return true
			}
		}
	}
	if id := deref(cb.OriginRequestPolicyId); id != "" {
		if p, ok := m.Set.OriginRequestPolicy(id); ok && p.QueryStringsConfig != nil &&
			p.QueryStringsConfig.QueryStringBehavior != types.OriginRequestPolicyQueryStringBehaviorNone {
			return true
		}
	}
	return false
}

// KeyIDs lists the public key ids a behavior trusts, from the key group
// documents loaded; missing lists key groups that were not loaded.
func (m *Model) KeyIDs(b *Behavior) (keys []string, missing []string) {
	for _, g := range b.KeyGroups {
		kg := m.Set.KeyGroups[g]
		if kg == nil || kg.Config == nil {
			missing = append(missing, g)
			continue
		}
		keys = append(keys, kg.Config.Items...)
	}
	return keys, missing
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
