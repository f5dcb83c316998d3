package edge

import (
	"crypto"
	"crypto/tls"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	wafv2 "github.com/aws/aws-sdk-go-v2/service/wafv2/types"

	"github.com/openfront-edge/openfront/internal/behavior"
	"github.com/openfront-edge/openfront/internal/cffunc"
	"github.com/openfront-edge/openfront/internal/geo"
	"github.com/openfront-edge/openfront/internal/hostroute"
	"github.com/openfront-edge/openfront/internal/origin"
	"github.com/openfront-edge/openfront/internal/resource"
	"github.com/openfront-edge/openfront/internal/signedurl"
	"github.com/openfront-edge/openfront/internal/waf"
)

// Snapshot is one compiled configuration. It is immutable: a reload builds a
// new one and swaps it in; requests in flight finish on the one they loaded.
type Snapshot struct {
	routes   *hostroute.Table
	dists    []*dist
	origins  []*origin.Origin
	Loaded   time.Time
	Files    []string
	Warnings []string
}

// dist is one compiled distribution.
type dist struct {
	id      string
	domain  string // cs(Host) in the log: the AWS domain name or the default domain
	enabled bool
	// log is set when this distribution writes a standard log; prefix is Logging.Prefix.
	log        bool
	logPrefix  string
	logCookies bool
	rootObject string
	matcher    *behavior.Matcher
	behaviors  []*cacheBehavior // parallel to matcher's patterns
	def        *cacheBehavior
	errorPages map[int]*errorPage
	// cert serves the aliases; defCert the default domain and AWS domain name.
	cert, defCert *tls.Certificate
	stats         *distStats
	defaultDomain string
	awsDomain     string
	aliases       []string
	origins       []*origin.Origin
	// geo is the distribution's geographic restriction; nil for none.
	geo *geo.Restriction
	// waf is the distribution's AWS WAF web ACL; nil for none.
	waf *waf.ACL
}

type viewerPolicy uint8

const (
	allowAll viewerPolicy = iota
	redirectToHTTPS
	httpsOnly
)

type cacheBehavior struct {
	pattern string
	origin  *origin.Origin
	viewer  viewerPolicy
	methods behavior.Methods
	fwd     *origin.Forwarding
	// compress is the behavior's Compress; brotli is set when its cache
	// policy also enables Brotli (compress.go).
	compress, brotli bool
	// headers is the behavior's response headers policy, nil for none.
	headers *respHeaders
	// ttl are its MinTTL, DefaultTTL and MaxTTL; keyFwd is what of the
	// request its cache policy (or legacy settings) puts in the cache key.
	ttl    ttls
	keyFwd *origin.Forwarding
	// viewerRequest and viewerResponse are its CloudFront Functions.
	viewerRequest, viewerResponse *cffunc.Function
	// signed is set when the behavior restricts viewer access: only the
	// signers it trusts count (private-content-trusted-signers).
	signed *signedurl.Verifier
}

// errorPage is one CustomErrorResponse.
type errorPage struct {
	path   string // ResponsePagePath, "" to keep the body
	status int    // ResponseCode, 0 to keep the status
	// cacheTTL is ErrorCachingMinTTL in seconds, -1 when not set.
	cacheTTL int64
}

// CompileOptions are the edge settings a snapshot depends on.
type CompileOptions struct {
	DomainSuffix string
	// LogAll logs every distribution (when --log-dir was given explicitly),
	// otherwise only those with Logging.Enabled.
	LogAll  bool
	Origins origin.Options
	// Certificate returns the certificates for a distribution's aliases and
	// for its default domain names; either may be nil.
	Certificate func(d *resource.Distribution) (aliases, defaults *tls.Certificate, err error)
	// TrustedSignerKeys are the legacy key pairs' public keys (PEM) by key pair id.
	TrustedSignerKeys map[string]string
	// WAF are options for compiling every web ACL (an ASN database, say).
	WAF []waf.Option
	// stats carries metrics across reloads, by distribution id.
	stats func(id string) *distStats
	// signCache is the verification cache shared by every snapshot.
	signCache *signedurl.Cache
}

// Compile builds a snapshot from a validated set.
func Compile(set *resource.Set, warnings []string, o CompileOptions) (*Snapshot, error) {
	s := &Snapshot{Loaded: time.Now(), Files: set.Files, Warnings: warnings}
	var entries []hostroute.Entry
	var errs []error
	acls := map[string]*waf.ACL{}
	for _, rd := range set.Distributions {
		d, err := compileDist(set, rd, o, acls)
		var rerr *resource.Error
		switch {
		case errors.Is(err, errReported):
			continue
		case errors.As(err, &rerr):
			errs = append(errs, err) // names its own file
			continue
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %w", rd.File, err))
			continue
		}
		s.dists = append(s.dists, d)
		s.origins = append(s.origins, d.origins...)
		idx := len(s.dists) - 1
		for _, a := range d.aliases {
			entries = append(entries, hostroute.Entry{Name: a, Index: idx})
		}
		entries = append(entries, hostroute.Entry{Name: d.defaultDomain, Index: idx})
		if rd.DomainName != "" && rd.DomainName != d.defaultDomain {
			entries = append(entries, hostroute.Entry{Name: rd.DomainName, Index: idx})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// Rules left out by --waf-skip-managed-group are warned about with the
	// other warnings (validate, the start-up log, /status): the web ACL
	// passes what they would have stopped.
	s.Warnings = slices.Clone(s.Warnings)
	for _, arn := range slices.Sorted(maps.Keys(acls)) {
		if a := acls[arn]; a != nil {
			for _, w := range a.Skipped() {
				path, msg, _ := strings.Cut(w, ": ")
				s.Warnings = append(s.Warnings, (&resource.Error{File: set.WebACLs[arn].File, Path: "WebACL." + path, Msg: msg}).Error())
			}
		}
	}
	t, err := hostroute.New(entries)
	if err != nil {
		return nil, err
	}
	s.routes = t
	return s, nil
}

// compileWAF compiles a web ACL once per snapshot, however many
// distributions share it; an invalid one is reported once, each error with
// the web ACL's file and JSON path.
func compileWAF(set *resource.Set, ref string, cache map[string]*waf.ACL, opts []waf.Option) (*waf.ACL, error) {
	doc := set.WebACL(ref)
	if doc == nil {
		return nil, fmt.Errorf("web ACL %q not found", ref)
	}
	arn := deref(doc.Value.ARN)
	if a, ok := cache[arn]; ok {
		if a == nil {
			return nil, errReported
		}
		return a, nil
	}
	res := waf.Resources{
		IPSets:           map[string]*wafv2.IPSet{},
		RegexPatternSets: map[string]*wafv2.RegexPatternSet{},
		RuleGroups:       map[string]*wafv2.RuleGroup{},
	}
	for k, d := range set.IPSets {
		res.IPSets[k] = d.Value
	}
	for k, d := range set.RegexPatternSets {
		res.RegexPatternSets[k] = d.Value
	}
	for k, d := range set.RuleGroups {
		res.RuleGroups[k] = d.Value
	}
	a, err := waf.Compile(doc.Value, res, opts...)
	cache[arn] = a
	if err != nil {
		var errs []error
		for _, e := range leafErrors(err) {
			if errors.Is(waf.ErrInvalid, e) {
				continue
			}
			// The evaluator's errors read "<path in the web ACL>: <message>".
			path, msg, ok := strings.Cut(e.Error(), ": ")
			if !ok || strings.ContainsAny(path, " \t") {
				path, msg = "", e.Error()
			}
			errs = append(errs, &resource.Error{File: doc.File, Path: strings.TrimSuffix("WebACL."+path, "."), Msg: msg})
		}
		return nil, errors.Join(errs...)
	}
	return a, nil
}

// errReported stands for errors already reported for another distribution.
var errReported = errors.New("already reported")

// leafErrors flattens wrapped and joined errors into their leaves.
func leafErrors(err error) []error {
	switch e := err.(type) {
	case interface{ Unwrap() []error }:
		var out []error
		for _, c := range e.Unwrap() {
			out = append(out, leafErrors(c)...)
		}
		return out
	}
	return []error{err}
}

func compileDist(set *resource.Set, rd *resource.Distribution, o CompileOptions, acls map[string]*waf.ACL) (*dist, error) {
	c := rd.Config
	d := &dist{
		id:            rd.ID,
		enabled:       deref(c.Enabled),
		rootObject:    deref(c.DefaultRootObject),
		defaultDomain: resource.DefaultDomain(rd.ID, o.DomainSuffix),
		errorPages:    map[int]*errorPage{},
	}
	d.domain, d.awsDomain, d.aliases = rd.DomainName, rd.DomainName, resource.Aliases(c)
	if d.domain == "" {
		d.domain = d.defaultDomain
	}
	if c.Logging != nil && deref(c.Logging.Enabled) {
		d.log, d.logPrefix, d.logCookies = true, deref(c.Logging.Prefix), deref(c.Logging.IncludeCookies)
	}
	if o.LogAll {
		d.log = true
	}
	if r := c.Restrictions; r != nil && r.GeoRestriction != nil && r.GeoRestriction.RestrictionType != types.GeoRestrictionTypeNone {
		g, err := geo.NewRestriction(string(r.GeoRestriction.RestrictionType), r.GeoRestriction.Items)
		if err != nil {
			return nil, err
		}
		d.geo = g
	}
	if ref := deref(c.WebACLId); ref != "" {
		a, err := compileWAF(set, ref, acls, o.WAF)
		if err != nil {
			return nil, err
		}
		d.waf = a
	}
	if o.stats != nil {
		d.stats = o.stats(rd.ID)
	} else {
		d.stats = newDistStats()
	}
	origins := map[string]*origin.Origin{}
	for _, oc := range c.Origins.Items {
		org, err := origin.New(&oc, originAccess(set, &oc), o.Origins)
		if err != nil {
			return nil, err
		}
		origins[org.ID] = org
		d.origins = append(d.origins, org)
	}
	if c.OriginGroups != nil {
		// Failover is not performed: a group stands for its first member.
		for _, g := range c.OriginGroups.Items {
			origins[deref(g.Id)] = origins[deref(g.Members.Items[0].OriginId)]
		}
	}
	var err error
	d.def, err = compileBehavior(set, o, "*", resource.DefaultAsBehavior(c.DefaultCacheBehavior), origins)
	if err != nil {
		return nil, err
	}
	var patterns []string
	if c.CacheBehaviors != nil {
		for _, cb := range c.CacheBehaviors.Items {
			b, err := compileBehavior(set, o, deref(cb.PathPattern), &cb, origins)
			if err != nil {
				return nil, err
			}
			d.behaviors = append(d.behaviors, b)
			patterns = append(patterns, b.pattern)
		}
	}
	if d.matcher, err = behavior.NewMatcher(patterns); err != nil {
		return nil, err
	}
	if c.CustomErrorResponses != nil {
		for _, e := range c.CustomErrorResponses.Items {
			p := &errorPage{path: deref(e.ResponsePagePath), cacheTTL: -1}
			if e.ErrorCachingMinTTL != nil {
				p.cacheTTL = *e.ErrorCachingMinTTL
			}
			if rc := deref(e.ResponseCode); rc != "" {
				p.status, _ = strconv.Atoi(rc)
			}
			d.errorPages[int(deref(e.ErrorCode))] = p
		}
	}
	if o.Certificate != nil {
		if d.cert, d.defCert, err = o.Certificate(rd); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func compileBehavior(set *resource.Set, o CompileOptions, pattern string, b *types.CacheBehavior, origins map[string]*origin.Origin) (*cacheBehavior, error) {
	cb := &cacheBehavior{pattern: pattern, origin: origins[deref(b.TargetOriginId)]}
	if cb.origin == nil {
		return nil, fmt.Errorf("behavior %q: target origin %q not found", pattern, deref(b.TargetOriginId))
	}
	switch b.ViewerProtocolPolicy {
	case types.ViewerProtocolPolicyRedirectToHttps:
		cb.viewer = redirectToHTTPS
	case types.ViewerProtocolPolicyHttpsOnly:
		cb.viewer = httpsOnly
	}
	methods := []string{"GET", "HEAD"}
	if b.AllowedMethods != nil {
		methods = methods[:0]
		for _, m := range b.AllowedMethods.Items {
			methods = append(methods, string(m))
		}
	}
	var err error
	if cb.methods, err = behavior.ParseMethods(methods); err != nil {
		return nil, fmt.Errorf("behavior %q: %w", pattern, err)
	}
	if id := deref(b.CachePolicyId); id != "" {
		cp, _ := set.CachePolicy(id)
		var orp *types.OriginRequestPolicyConfig
		if oid := deref(b.OriginRequestPolicyId); oid != "" {
			orp, _ = set.OriginRequestPolicy(oid)
		}
		cb.fwd = origin.FromPolicies(cp, orp)
		cb.keyFwd = origin.FromPolicies(cp, nil)
		if cp != nil {
			cb.ttl = ttls{deref(cp.MinTTL), deref(cp.DefaultTTL), deref(cp.MaxTTL)}
		}
	} else {
		cb.fwd = origin.FromForwardedValues(b.ForwardedValues)
		cb.keyFwd = cb.fwd
		cb.ttl = legacyTTLs
		if b.MinTTL != nil {
			cb.ttl.min = *b.MinTTL
		}
		if b.DefaultTTL != nil {
			cb.ttl.def = *b.DefaultTTL
		}
		if b.MaxTTL != nil {
			cb.ttl.max = *b.MaxTTL
		}
	}
	cb.compress = deref(b.Compress)
	cb.brotli = cb.compress && cb.fwd.Brotli
	if fa := b.FunctionAssociations; fa != nil {
		for _, a := range fa.Items {
			name, _ := resource.FunctionName(deref(a.FunctionARN))
			fn := set.Functions[name]
			if fn == nil || fn.File == "" {
				continue // warned about by validation: not run
			}
			var kvs *cffunc.KeyValueStore
			for _, id := range fn.KeyValueStores {
				kv := set.KeyValueStores[id]
				if kv == nil {
					return nil, fmt.Errorf("behavior %q: function %s: key value store %s: save its keys with aws cloudfront-keyvaluestore list-keys --kvs-arn ARN > %s.kvs.json", pattern, name, id, id)
				}
				kvs = &cffunc.KeyValueStore{ID: id, Items: kv.Items, Created: kv.Modified, Modified: kv.Modified}
			}
			f, err := cffunc.Compile(name, fn.Runtime, fn.Code, kvs)
			if err != nil {
				return nil, fmt.Errorf("behavior %q: %s: %w", pattern, fn.File, err)
			}
			switch a.EventType {
			case types.EventTypeViewerRequest:
				cb.viewerRequest = f
			case types.EventTypeViewerResponse:
				cb.viewerResponse = f
			}
		}
	}
	if id := deref(b.ResponseHeadersPolicyId); id != "" {
		p, ok := set.ResponseHeadersPolicy(id)
		if !ok {
			return nil, fmt.Errorf("behavior %q: response headers policy %q not found", pattern, id)
		}
		if cb.headers, err = compileRespHeaders(p); err != nil {
			return nil, fmt.Errorf("behavior %q: response headers policy %q: %w", pattern, id, err)
		}
	}
	if cb.signed, err = compileSigners(set, o, b); err != nil {
		return nil, fmt.Errorf("behavior %q: %w", pattern, err)
	}
	return cb, nil
}

// compileSigners builds the verifier of a behavior that restricts viewer
// access, from its trusted key groups' public keys and, for legacy trusted
// signers, the key pairs given with --trusted-signer-key.
func compileSigners(set *resource.Set, o CompileOptions, b *types.CacheBehavior) (*signedurl.Verifier, error) {
	keys := map[string]crypto.PublicKey{}
	enabled := false
	if g := b.TrustedKeyGroups; g != nil && deref(g.Enabled) {
		enabled = true
		for _, gid := range g.Items {
			kg := set.KeyGroups[gid]
			if kg == nil {
				return nil, fmt.Errorf("key group %q not found", gid)
			}
			for _, kid := range kg.Config.Items {
				pk := set.PublicKeys[kid]
				if pk == nil {
					return nil, fmt.Errorf("public key %q not found", kid)
				}
				k, err := signedurl.ParsePublicKey(deref(pk.Config.EncodedKey))
				if err != nil {
					return nil, fmt.Errorf("public key %s: %w", kid, err)
				}
				keys[kid] = k
			}
		}
	}
	if ts := b.TrustedSigners; ts != nil && deref(ts.Enabled) {
		enabled = true
		for id, pemText := range o.TrustedSignerKeys {
			k, err := signedurl.ParseLegacyKey(pemText)
			if err != nil {
				return nil, fmt.Errorf("trusted signer key %s: %w", id, err)
			}
			keys[id] = k
		}
	}
	if !enabled {
		return nil, nil
	}
	return signedurl.NewVerifier(keys, o.signCache), nil
}

// behaviorFor returns the first cache behavior whose pattern matches path,
// else the default behavior (CloudFront: list order, first match).
func (d *dist) behaviorFor(path string) *cacheBehavior {
	if i := d.matcher.Match(path); i >= 0 {
		return d.behaviors[i]
	}
	return d.def
}

// route finds the distribution for a Host header value.
func (s *Snapshot) route(host string) *dist {
	i, _, ok := s.routes.Lookup(host)
	if !ok {
		return nil
	}
	return s.dists[i]
}

// closeIdle closes the idle origin connections of a snapshot that has been
// replaced; requests still running on it keep theirs.
func (s *Snapshot) closeIdle() {
	for _, o := range s.origins {
		o.Transport.CloseIdleConnections()
	}
}

// DistributionSummary is one line of /status and `openfront validate`.
type DistributionSummary struct {
	ID        string   `json:"id"`
	Domain    string   `json:"domain"`
	Enabled   bool     `json:"enabled"`
	Aliases   []string `json:"aliases"`
	Behaviors int      `json:"behaviors"`
}

// Summaries describes the snapshot's distributions.
func (s *Snapshot) Summaries() []DistributionSummary {
	out := make([]DistributionSummary, 0, len(s.dists))
	for _, d := range s.dists {
		out = append(out, DistributionSummary{
			ID: d.id, Domain: d.domain, Enabled: d.enabled, Aliases: d.aliases, Behaviors: len(d.behaviors) + 1,
		})
	}
	return out
}

// Certificate picks the certificate for a TLS server name (SNI). As with
// CloudFront's SNI-only mode, a connection without a known name gets none
// and is dropped.
func (s *Snapshot) Certificate(serverName string) (*tls.Certificate, error) {
	i, matched, ok := s.routes.Lookup(serverName)
	if !ok {
		return nil, fmt.Errorf("no distribution for server name %q", serverName)
	}
	d := s.dists[i]
	c := d.cert
	if matched == d.defaultDomain || matched == d.awsDomain {
		c = d.defCert
	}
	if c == nil {
		return nil, fmt.Errorf("no certificate for server name %q", serverName)
	}
	return c, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// originAccess is how an origin's requests are signed: by its origin access
// control, or, for a legacy origin access identity, always (openfront signs
// OAI origins with the same credentials as OAC ones; docs/decisions.md).
func originAccess(set *resource.Set, oc *types.Origin) origin.Access {
	if id := deref(oc.OriginAccessControlId); id != "" {
		if oac := set.OriginAccessControls[id]; oac != nil {
			b, err := origin.ParseSigningBehavior(string(oac.Config.SigningBehavior))
			if err == nil {
				return origin.Access{Sign: true, Behavior: b}
			}
		}
	}
	if oc.S3OriginConfig != nil && deref(oc.S3OriginConfig.OriginAccessIdentity) != "" {
		return origin.Access{Sign: true, Behavior: origin.SignAlways}
	}
	return origin.Access{}
}
