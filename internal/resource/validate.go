package resource

import (
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	wafv2 "github.com/aws/aws-sdk-go-v2/service/wafv2/types"

	"github.com/openfront-edge/openfront/internal/behavior"
	"github.com/openfront-edge/openfront/internal/geo"
	"github.com/openfront-edge/openfront/internal/hostroute"
	"github.com/openfront-edge/openfront/internal/origin"
	"github.com/openfront-edge/openfront/internal/signedurl"
)

// Options are the edge settings validation depends on.
type Options struct {
	// Certificates maps a ViewerCertificate's ACMCertificateArn or
	// IAMCertificateId to the DNS names the certificate file covers.
	Certificates map[string][]string
	// SelfSigned means the edge mints its own certificates, so any alias is covered.
	SelfSigned bool
	// DomainSuffix is the default-domain suffix (cloudfront.localhost).
	DomainSuffix string
	// TrustedSignerKeys are the legacy CloudFront key pairs (key pair id →
	// PEM public key) given with --trusted-signer-key, for behaviors that
	// use TrustedSigners.
	TrustedSignerKeys map[string]string
}

// DefaultDomain is the name a distribution answers to besides its aliases:
// "<id in lowercase>.<suffix>".
func DefaultDomain(id, suffix string) string {
	return strings.ToLower(id) + "." + suffix
}

// WebACL resolves a distribution's WebACLId: a web ACL's ARN, or its id.
func (s *Set) WebACL(ref string) *WAFDocument[wafv2.WebACL] {
	if d := s.WebACLs[ref]; d != nil {
		return d
	}
	for _, d := range s.WebACLs {
		if deref(d.Value.Id) == ref {
			return d
		}
	}
	return nil
}

// CachePolicy resolves a cache policy id: AWS's managed policies first, then
// the ones loaded from the configuration.
func (s *Set) CachePolicy(id string) (*types.CachePolicyConfig, bool) {
	if p, ok := ManagedCachePolicy(id); ok {
		return p, true
	}
	p, ok := s.CachePolicies[id]
	return p, ok
}

// OriginRequestPolicy resolves an origin request policy id.
func (s *Set) OriginRequestPolicy(id string) (*types.OriginRequestPolicyConfig, bool) {
	if p, ok := ManagedOriginRequestPolicy(id); ok {
		return p, true
	}
	p, ok := s.OriginRequestPolicies[id]
	return p, ok
}

// ResponseHeadersPolicy resolves a response headers policy id.
func (s *Set) ResponseHeadersPolicy(id string) (*types.ResponseHeadersPolicyConfig, bool) {
	if p, ok := ManagedResponseHeadersPolicy(id); ok {
		return p, true
	}
	p, ok := s.ResponseHeadersPolicies[id]
	return p, ok
}

// Validate checks the set as CloudFront's API would and returns every error
// (joined) plus warnings about settings openfront reads but does not act on.
func Validate(s *Set, o Options) (warnings []string, err error) {
	v := &validator{set: s, opts: o, warnings: slices.Clone(s.warnings)}
	v.keys()
	v.originAccessControls()
	v.wafSets()
	ids := map[string]string{}
	for _, d := range s.Distributions {
		if prev, ok := ids[d.ID]; ok {
			v.fail(d.File, "", "distribution %s is also defined in %s (keep one file per distribution; the same version, with the same ETag, in a get-distribution and a get-distribution-config document is read once)", d.ID, prev)
			continue
		}
		ids[d.ID] = d.File
		v.distribution(d)
	}
	v.routes()
	return v.warnings, errors.Join(v.errs...)
}

type validator struct {
	set      *Set
	opts     Options
	errs     []error
	warnings []string
}

func (v *validator) fail(file, path, format string, args ...any) {
	v.errs = append(v.errs, &Error{File: file, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) warn(file, path, format string, args ...any) {
	v.warnings = append(v.warnings, (&Error{File: file, Path: path, Msg: fmt.Sprintf(format, args...)}).Error())
}

// routes checks every alias's syntax with the edge's own Host table and
// refuses an alias on two distributions (CloudFront's CNAMEAlreadyExists),
// naming both places.
func (v *validator) routes() {
	type place struct{ file, path, id string }
	seen := map[string]place{}
	for _, d := range v.set.Distributions {
		for i, a := range Aliases(d.Config) {
			here := place{d.File, fmt.Sprintf("%s.Aliases.Items[%d]", d.Path, i), d.ID}
			if _, err := hostroute.New([]hostroute.Entry{{Name: a}}); err != nil {
				v.fail(here.file, here.path, "%v", err)
				continue
			}
			if prev, ok := seen[a]; ok {
				v.fail(here.file, here.path, "alias %q is already on distribution %s (%s: %s); an alias can be on one distribution only (CNAMEAlreadyExists)", a, prev.id, prev.file, prev.path)
				continue
			}
			seen[a] = here
		}
	}
}

// Aliases returns the distribution's alternate domain names, lower-cased.
func Aliases(c *types.DistributionConfig) []string {
	if c == nil || c.Aliases == nil {
		return nil
	}
	out := make([]string, len(c.Aliases.Items))
	for i, a := range c.Aliases.Items {
		out[i] = strings.ToLower(a)
	}
	return out
}

func (v *validator) distribution(d *Distribution) {
	c, f, p := d.Config, d.File, d.Path
	v.quantities(f, p, reflect.ValueOf(c))
	if c.Enabled == nil {
		v.fail(f, p+".Enabled", "missing (CloudFront requires it)")
	}
	origins := map[string]bool{}
	if c.Origins == nil || len(c.Origins.Items) == 0 {
		v.fail(f, p+".Origins", "a distribution needs at least one origin")
	} else {
		for i, o := range c.Origins.Items {
			op := fmt.Sprintf("%s.Origins.Items[%d]", p, i)
			id := deref(o.Id)
			if origins[id] {
				v.fail(f, op+".Id", "origin id %q is used twice", id)
			}
			origins[id] = true
			v.origin(f, op, &o)
		}
	}
	if c.OriginGroups != nil {
		for i, g := range c.OriginGroups.Items {
			gp := fmt.Sprintf("%s.OriginGroups.Items[%d]", p, i)
			if g.Members == nil || len(g.Members.Items) == 0 {
				v.fail(f, gp+".Members", "an origin group needs members")
				continue
			}
			for j, m := range g.Members.Items {
				if !origins[deref(m.OriginId)] {
					v.fail(f, fmt.Sprintf("%s.Members.Items[%d].OriginId", gp, j), "%q names no origin", deref(m.OriginId))
				}
			}
			origins[deref(g.Id)] = true
			v.warn(f, gp, "origin failover is not performed: requests go to the first member, %s", deref(g.Members.Items[0].OriginId))
		}
	}
	if c.DefaultCacheBehavior == nil {
		v.fail(f, p+".DefaultCacheBehavior", "missing (CloudFront requires it)")
	} else {
		v.cacheBehavior(f, p+".DefaultCacheBehavior", DefaultAsBehavior(c.DefaultCacheBehavior), origins)
	}
	if c.CacheBehaviors != nil {
		for i, b := range c.CacheBehaviors.Items {
			bp := fmt.Sprintf("%s.CacheBehaviors.Items[%d]", p, i)
			if _, err := behavior.Compile(deref(b.PathPattern)); err != nil {
				v.fail(f, bp+".PathPattern", "%v", err)
			}
			v.cacheBehavior(f, bp, &b, origins)
		}
	}
	if dro := deref(c.DefaultRootObject); dro != "" {
		switch {
		case strings.HasPrefix(dro, "/"):
			v.fail(f, p+".DefaultRootObject", "%q must not start with \"/\" (CloudFront: InvalidDefaultRootObject); write %q", dro, strings.TrimLeft(dro, "/"))
		case len(dro) > 255:
			v.fail(f, p+".DefaultRootObject", "longer than 255 characters")
		default:
			if _, err := behavior.Compile(strings.NewReplacer("*", "x", "?", "x").Replace(dro)); err != nil {
				v.fail(f, p+".DefaultRootObject", "%v", err)
			}
		}
	}
	v.deployment(f, p, c)
	v.customErrors(f, p, c)
	v.viewerCertificate(f, p, c)
	if r := c.Restrictions; r != nil && r.GeoRestriction != nil {
		g := r.GeoRestriction
		if _, err := geo.NewRestriction(string(g.RestrictionType), g.Items); err != nil {
			v.fail(f, p+".Restrictions.GeoRestriction", "%v", err)
		}
	}
	if w := deref(c.WebACLId); w != "" {
		switch acl := v.set.WebACL(w); {
		case acl == nil:
			v.fail(f, p+".WebACLId", "%s", missingWebACL(w))
		case strings.Contains(deref(acl.Value.ARN), ":regional/webacl/"):
			// CloudFront associates only web ACLs of scope CLOUDFRONT
			// (ARN …:global/webacl/…, made in us-east-1).
			v.fail(f, p+".WebACLId", "web ACL %s (%s) has scope REGIONAL; CloudFront takes only web ACLs of scope CLOUDFRONT (ARN arn:aws:wafv2:us-east-1:ACCOUNT:global/webacl/NAME/ID)", deref(acl.Value.Name), acl.File)
		}
	}
	if c.Logging != nil && deref(c.Logging.Enabled) && deref(c.Logging.Bucket) == "" {
		v.fail(f, p+".Logging.Bucket", "missing while Logging.Enabled is true")
	}
}

// deployment checks how CloudFront would route viewers to the distribution
// at all: multi-tenant distributions only through tenants (refused: nothing
// here reads tenants), staging distributions and continuous deployment
// policies only by a traffic split openfront does not make (warned: each
// distribution is served at its own names, the primary taking all traffic).
func (v *validator) deployment(f, p string, c *types.DistributionConfig) {
	if c.ConnectionMode == types.ConnectionModeTenantOnly {
		v.fail(f, p+".ConnectionMode", "a multi-tenant distribution (tenant-only) serves viewers only through its distribution tenants, which openfront does not read")
	}
	if id := deref(c.ContinuousDeploymentPolicyId); id != "" {
		v.warn(f, p+".ContinuousDeploymentPolicyId", "continuous deployment policy %s is not applied: this distribution serves every request, its staging distribution none", id)
	}
	// Viewer mTLS (2025): "required" refuses viewers without a trusted
	// client certificate, which this edge does not ask for, so serving would
	// let them in; the other modes admit every viewer.
	if m := c.ViewerMtlsConfig; m != nil {
		if m.Mode == types.ViewerMtlsModeRequired {
			v.fail(f, p+".ViewerMtlsConfig.Mode", "viewer mutual TLS (required) is not supported by openfront: serving without it would admit viewers CloudFront refuses")
		} else if m.Mode != "" {
			v.warn(f, p+".ViewerMtlsConfig.Mode", "viewer mutual TLS (%s) is not performed: no client certificate is asked for or passed on", m.Mode)
		}
	}
	if a := c.ConnectionFunctionAssociation; a != nil && deref(a.Id) != "" {
		v.warn(f, p+".ConnectionFunctionAssociation", "connection function %s is not run by openfront: connections it would refuse are accepted", deref(a.Id))
	}
	if deref(c.Staging) {
		v.warn(f, p+".Staging", "a staging distribution: CloudFront sends it only what its primary's continuous deployment policy routes to it; openfront serves it at its own domain names")
	}
}

// missingWebACL explains a WebACLId that names no loaded web ACL. CloudFront
// takes a WAFv2 web ACL's ARN
// (arn:aws:wafv2:us-east-1:ACCOUNT:global/webacl/NAME/ID), whose name and id
// give the command that dumps it, or a WAF Classic web ACL's bare id, which
// openfront cannot read: WAF Classic has another rule model, and AWS ends its
// support (migrate it to WAFv2 and dump that).
func missingWebACL(ref string) string {
	rest, ok := strings.CutPrefix(ref, "arn:")
	if !ok {
		return fmt.Sprintf("%q is a WAF Classic web ACL id (CloudFront takes a WAFv2 web ACL by ARN); openfront reads only WAFv2 web ACLs: migrate it to WAFv2 (AWS WAF console, \"Migrate\"), then save aws wafv2 get-web-acl --scope CLOUDFRONT --region us-east-1 --name NAME --id ID > NAME.json beside the distribution", ref)
	}
	parts := strings.Split(rest, ":")
	if len(parts) == 5 && parts[1] == "wafv2" {
		r := strings.Split(parts[4], "/")
		if len(r) == 4 && r[1] == "webacl" {
			scope := "CLOUDFRONT"
			if r[0] != "global" {
				scope = "REGIONAL"
			}
			return fmt.Sprintf("%q names no WebACL document in the configuration: save it with aws wafv2 get-web-acl --scope %s --region %s --name %s --id %s > %s.json", ref, scope, parts[2], r[2], r[3], r[2])
		}
	}
	if len(parts) == 5 && (parts[1] == "waf" || parts[1] == "waf-regional") {
		return fmt.Sprintf("%q is a WAF Classic web ACL; openfront reads only WAFv2 web ACLs: migrate it to WAFv2, then save aws wafv2 get-web-acl --scope CLOUDFRONT --region us-east-1 --name NAME --id ID > NAME.json beside the distribution", ref)
	}
	return fmt.Sprintf("%q names no WebACL document in the configuration (CloudFront takes a WAFv2 web ACL's ARN here: aws wafv2 get-web-acl --scope CLOUDFRONT --region us-east-1 --name NAME --id ID > NAME.json)", ref)
}

func (v *validator) origin(f, op string, o *types.Origin) {
	if deref(o.Id) == "" {
		v.fail(f, op+".Id", "missing")
	}
	if deref(o.DomainName) == "" {
		v.fail(f, op+".DomainName", "missing")
	}
	if path := deref(o.OriginPath); path != "" && (!strings.HasPrefix(path, "/") || strings.HasSuffix(path, "/")) {
		v.fail(f, op+".OriginPath", "%q must start with \"/\" and not end with \"/\"", path)
	}
	kinds := 0
	if o.S3OriginConfig != nil {
		kinds++
	}
	if o.CustomOriginConfig != nil {
		kinds++
	}
	if o.VpcOriginConfig != nil {
		v.fail(f, op+".VpcOriginConfig", "VPC origins are not supported by openfront")
		kinds++
	}
	if kinds != 1 {
		v.fail(f, op, "want exactly one of S3OriginConfig and CustomOriginConfig")
	}
	v.originAccess(f, op, o)
	if c := o.CustomOriginConfig; c != nil {
		if c.OriginProtocolPolicy == "" {
			v.fail(f, op+".CustomOriginConfig.OriginProtocolPolicy", "missing")
		}
		for _, port := range []struct {
			name string
			p    *int32
		}{{"HTTPPort", c.HTTPPort}, {"HTTPSPort", c.HTTPSPort}} {
			if port.p != nil && (*port.p < 1 || *port.p > 65535) {
				v.fail(f, op+".CustomOriginConfig."+port.name, "%d is not a TCP port", *port.p)
			}
		}
		v.between(f, op+".CustomOriginConfig.OriginReadTimeout", c.OriginReadTimeout, 1, 180)
		v.between(f, op+".CustomOriginConfig.OriginKeepaliveTimeout", c.OriginKeepaliveTimeout, 1, 180)
	}
	v.between(f, op+".ConnectionAttempts", o.ConnectionAttempts, 1, 3)
	v.between(f, op+".ConnectionTimeout", o.ConnectionTimeout, 1, 10)
	if o.CustomHeaders != nil {
		for i, h := range o.CustomHeaders.Items {
			name := deref(h.HeaderName)
			if name == "" || strings.ContainsAny(name, " :\t\r\n") {
				v.fail(f, fmt.Sprintf("%s.CustomHeaders.Items[%d].HeaderName", op, i), "%q is not a header name", name)
			}
		}
	}
}

// originAccess checks origin access control and origin access identity
// settings against the origin's S3 endpoint (spec §8): OAC must name a
// loaded document of type s3 and sign a REST endpoint; website endpoints
// take neither and are custom origins only; a REST endpoint set up as a
// custom origin is the classic cause of 403s, so it is warned about.
func (v *validator) originAccess(f, op string, o *types.Origin) {
	s3 := origin.ParseS3Domain(deref(o.DomainName))
	oacID := deref(o.OriginAccessControlId)
	oai := ""
	if o.S3OriginConfig != nil {
		oai = deref(o.S3OriginConfig.OriginAccessIdentity)
	}
	if oacID != "" {
		oac := v.set.OriginAccessControls[oacID]
		switch {
		case oac == nil:
			v.fail(f, op+".OriginAccessControlId", "%q names no OriginAccessControl document in the configuration (aws cloudfront get-origin-access-control --id %s > oac-%s.json)", oacID, oacID, oacID)
		case oac.Config.OriginAccessControlOriginType != types.OriginAccessControlOriginTypesS3:
			v.fail(f, op+".OriginAccessControlId", "origin access control %s is of type %q; openfront signs only S3 origins (OriginAccessControlOriginType s3)", oacID, oac.Config.OriginAccessControlOriginType)
		}
		if oai != "" {
			v.fail(f, op+".S3OriginConfig.OriginAccessIdentity", "set together with OriginAccessControlId; CloudFront takes one or the other (IllegalOriginAccessConfiguration): set OriginAccessIdentity to \"\"")
		}
	}
	switch {
	case s3.Kind == origin.S3Website && oacID != "":
		v.fail(f, op+".OriginAccessControlId", "%s is an S3 website endpoint, which cannot use origin access control (website endpoints serve public content only); use the REST endpoint %s.s3.%s.amazonaws.com as an S3 origin, or remove the OAC", deref(o.DomainName), s3.Bucket, s3.Region)
	case s3.Kind == origin.S3Website && oai != "":
		v.fail(f, op+".S3OriginConfig.OriginAccessIdentity", "%s is an S3 website endpoint, which cannot use an origin access identity; use the REST endpoint %s.s3.%s.amazonaws.com, or configure the website endpoint as a custom origin", deref(o.DomainName), s3.Bucket, s3.Region)
	case s3.Kind == origin.S3Website && o.S3OriginConfig != nil:
		// CloudFront's API refuses it: "InvalidArgument: The parameter
		// Origin DomainName does not refer to a valid S3 bucket."
		v.fail(f, op+".S3OriginConfig", "%s is an S3 website endpoint, which CloudFront refuses as an S3 origin (InvalidArgument: the origin DomainName does not refer to a valid S3 bucket); make it a custom origin (CustomOriginConfig, OriginProtocolPolicy http-only), or use the REST endpoint %s.s3.%s.amazonaws.com", deref(o.DomainName), s3.Bucket, s3.Region)
	case (oacID != "" || oai != "") && o.CustomOriginConfig != nil:
		v.fail(f, op+".OriginAccessControlId", "origin access control and identities sign S3 origins only: this origin has a CustomOriginConfig; use S3OriginConfig")
	case (oacID != "" || oai != "") && s3.Kind != origin.S3REST:
		v.fail(f, op+".DomainName", "%q is not an S3 REST endpoint, so the bucket's region to sign for is unknown: want BUCKET.s3.REGION.amazonaws.com", deref(o.DomainName))
	case s3.Kind == origin.S3REST && o.CustomOriginConfig != nil:
		v.warn(f, op+".CustomOriginConfig", "%s is an S3 REST endpoint configured as a custom origin: requests go unsigned, so a private bucket answers 403 AccessDenied; use S3OriginConfig with an OriginAccessControlId", deref(o.DomainName))
	}
}

// originAccessControls checks each get-origin-access-control document
// (API_OriginAccessControlConfig).
func (v *validator) originAccessControls() {
	for _, id := range sortedKeys(v.set.OriginAccessControls) {
		d := v.set.OriginAccessControls[id]
		c, p := d.Config, "OriginAccessControl.OriginAccessControlConfig"
		if n := deref(c.Name); n == "" || len(n) > 64 {
			v.fail(d.File, p+".Name", "want 1–64 characters")
		}
		if c.SigningProtocol != types.OriginAccessControlSigningProtocolsSigv4 {
			v.fail(d.File, p+".SigningProtocol", "%q: the only signing protocol is sigv4", c.SigningProtocol)
		}
		if _, err := origin.ParseSigningBehavior(string(c.SigningBehavior)); err != nil {
			v.fail(d.File, p+".SigningBehavior", "%q: want always, never or no-override", c.SigningBehavior)
		}
		if !slices.Contains(types.OriginAccessControlOriginTypes("").Values(), c.OriginAccessControlOriginType) {
			v.fail(d.File, p+".OriginAccessControlOriginType", "%q: want s3, mediastore, mediapackagev2 or lambda", c.OriginAccessControlOriginType)
		}
	}
}

// SignsOrigins reports whether any origin is signed (has origin access
// control or an origin access identity), so AWS credentials are needed.
func (s *Set) SignsOrigins() bool {
	for _, d := range s.Distributions {
		if d.Config.Origins == nil {
			continue
		}
		for _, o := range d.Config.Origins.Items {
			if deref(o.OriginAccessControlId) != "" || (o.S3OriginConfig != nil && deref(o.S3OriginConfig.OriginAccessIdentity) != "") {
				return true
			}
		}
	}
	return false
}

func (v *validator) between(f, path string, n *int32, lo, hi int32) {
	if n != nil && (*n < lo || *n > hi) {
		v.fail(f, path, "%d is outside %d–%d", *n, lo, hi)
	}
}

// DefaultAsBehavior views the default cache behavior as a CacheBehavior so
// one function checks (and compiles) both; the two SDK types share every
// member but PathPattern.
func DefaultAsBehavior(d *types.DefaultCacheBehavior) *types.CacheBehavior {
	return &types.CacheBehavior{
		PathPattern: nil, TargetOriginId: d.TargetOriginId, ViewerProtocolPolicy: d.ViewerProtocolPolicy,
		AllowedMethods: d.AllowedMethods, CachePolicyId: d.CachePolicyId, Compress: d.Compress,
		DefaultTTL: d.DefaultTTL, FieldLevelEncryptionId: d.FieldLevelEncryptionId, ForwardedValues: d.ForwardedValues,
		FunctionAssociations: d.FunctionAssociations, GrpcConfig: d.GrpcConfig,
		LambdaFunctionAssociations: d.LambdaFunctionAssociations, MaxTTL: d.MaxTTL, MinTTL: d.MinTTL,
		OriginRequestPolicyId: d.OriginRequestPolicyId, RealtimeLogConfigArn: d.RealtimeLogConfigArn,
		ResponseHeadersPolicyId: d.ResponseHeadersPolicyId, SmoothStreaming: d.SmoothStreaming,
		TrustedKeyGroups: d.TrustedKeyGroups, TrustedSigners: d.TrustedSigners,
	}
}

func (v *validator) cacheBehavior(f, bp string, b *types.CacheBehavior, origins map[string]bool) {
	if t := deref(b.TargetOriginId); !origins[t] {
		v.fail(f, bp+".TargetOriginId", "%q names no origin or origin group of this distribution", t)
	}
	if b.ViewerProtocolPolicy == "" {
		v.fail(f, bp+".ViewerProtocolPolicy", "missing")
	}
	if b.AllowedMethods != nil {
		if _, err := behavior.ParseMethods(methodStrings(b.AllowedMethods.Items)); err != nil {
			v.fail(f, bp+".AllowedMethods.Items", "%v", err)
		}
		if cm := b.AllowedMethods.CachedMethods; cm != nil {
			if _, err := behavior.ParseMethods(methodStrings(cm.Items)); err != nil && !slices.Equal(methodStrings(cm.Items), []string{"GET", "HEAD"}) {
				v.fail(f, bp+".AllowedMethods.CachedMethods.Items", "%v", err)
			}
		}
	}
	cp, fv := deref(b.CachePolicyId), b.ForwardedValues
	switch {
	case cp != "" && fv != nil:
		v.fail(f, bp+".ForwardedValues", "set together with CachePolicyId; CloudFront takes one or the other")
	case cp == "" && fv == nil:
		v.fail(f, bp, "needs a CachePolicyId or legacy ForwardedValues")
	case cp != "":
		if _, ok := v.set.CachePolicy(cp); !ok {
			v.fail(f, bp+".CachePolicyId", "%q is neither an AWS managed cache policy nor a CachePolicy document in the configuration", cp)
		}
	}
	if id := deref(b.OriginRequestPolicyId); id != "" {
		if _, ok := v.set.OriginRequestPolicy(id); !ok {
			v.fail(f, bp+".OriginRequestPolicyId", "%q is neither an AWS managed origin request policy nor an OriginRequestPolicy document in the configuration", id)
		}
	}
	if id := deref(b.ResponseHeadersPolicyId); id != "" {
		if _, ok := v.set.ResponseHeadersPolicy(id); !ok {
			v.fail(f, bp+".ResponseHeadersPolicyId", "%q is neither an AWS managed response headers policy nor a ResponseHeadersPolicy document in the configuration", id)
		}
	}
	if g := b.TrustedKeyGroups; g != nil && deref(g.Enabled) {
		if len(g.Items) == 0 {
			v.fail(f, bp+".TrustedKeyGroups.Items", "signing is required but no key group is trusted, so every request would be refused")
		}
		for i, id := range g.Items {
			if v.set.KeyGroups[id] == nil {
				v.fail(f, fmt.Sprintf("%s.TrustedKeyGroups.Items[%d]", bp, i), "%q names no KeyGroup document in the configuration (aws cloudfront get-key-group --id %s)", id, id)
			}
		}
	}
	if ts := b.TrustedSigners; ts != nil && deref(ts.Enabled) && len(v.opts.TrustedSignerKeys) == 0 {
		v.fail(f, bp+".TrustedSigners", "trusted signers (legacy CloudFront key pairs) need their public keys: pass --trusted-signer-key KEY_PAIR_ID=PUBLIC.pem")
	}
	if id := deref(b.FieldLevelEncryptionId); id != "" {
		v.warn(f, bp+".FieldLevelEncryptionId", "field-level encryption %s is not applied: the POST fields it names reach the origin unencrypted", id)
	}
	if g := b.GrpcConfig; g != nil && deref(g.Enabled) {
		v.warn(f, bp+".GrpcConfig", "gRPC is not proxied: openfront reaches origins over HTTP/1.1, so gRPC calls fail where CloudFront would carry them over HTTP/2")
	}
	if b.FunctionAssociations != nil {
		for i, a := range b.FunctionAssociations.Items {
			ap := fmt.Sprintf("%s.FunctionAssociations.Items[%d]", bp, i)
			name, ok := FunctionName(deref(a.FunctionARN))
			switch {
			case !ok:
				v.fail(f, ap+".FunctionARN", "%q is not a CloudFront Function ARN (arn:aws:cloudfront::ACCOUNT:function/NAME)", deref(a.FunctionARN))
			case a.EventType != types.EventTypeViewerRequest && a.EventType != types.EventTypeViewerResponse:
				v.fail(f, ap+".EventType", "CloudFront Functions run on viewer-request or viewer-response, not %q", a.EventType)
			case v.set.Functions[name] == nil || v.set.Functions[name].File == "":
				v.warn(f, ap, "function %s (%s) is not run: its code is not in the configuration; save it with "+
					"aws cloudfront get-function --name %s --stage LIVE %s.js", name, a.EventType, name, name)
			}
		}
	}
	if b.LambdaFunctionAssociations != nil {
		for i, la := range b.LambdaFunctionAssociations.Items {
			v.warn(f, fmt.Sprintf("%s.LambdaFunctionAssociations.Items[%d]", bp, i), "Lambda@Edge function %s (%s) is not run by openfront: what it would rewrite, redirect, refuse or add passes unchanged", deref(la.LambdaFunctionARN), la.EventType)
		}
	}
}

// keys checks public keys and key groups: CloudFront accepts RSA-2048 and
// ECDSA P-256 keys in key groups, and a key group must name loaded keys.
func (v *validator) keys() {
	for _, id := range sortedKeys(v.set.PublicKeys) {
		k := v.set.PublicKeys[id]
		if _, err := signedurl.ParsePublicKey(deref(k.Config.EncodedKey)); err != nil {
			v.fail(k.File, "PublicKey.PublicKeyConfig.EncodedKey", "%v", err)
		}
	}
	for _, id := range sortedKeys(v.set.KeyGroups) {
		g := v.set.KeyGroups[id]
		if len(g.Config.Items) == 0 {
			v.fail(g.File, "KeyGroup.KeyGroupConfig.Items", "a key group needs at least one public key")
		}
		for i, kid := range g.Config.Items {
			if v.set.PublicKeys[kid] == nil {
				v.fail(g.File, fmt.Sprintf("KeyGroup.KeyGroupConfig.Items[%d]", i), "%q names no PublicKey document in the configuration (aws cloudfront get-public-key --id %s)", kid, kid)
			}
		}
	}
	for id, pemText := range v.opts.TrustedSignerKeys {
		if _, err := signedurl.ParseLegacyKey(pemText); err != nil {
			v.fail("--trusted-signer-key", id, "%v", err)
		}
	}
}

// wafSets checks IP sets and regex pattern sets in their own files, so an
// error names the set's file rather than every web ACL that uses it.
func (v *validator) wafSets() {
	for _, arn := range sortedKeys(v.set.IPSets) {
		d := v.set.IPSets[arn]
		for i, a := range d.Value.Addresses {
			p, err := netip.ParsePrefix(a)
			if err != nil {
				v.fail(d.File, fmt.Sprintf("IPSet.Addresses[%d]", i), "%q is not an address in CIDR notation (such as 192.0.2.0/24 or 2001:db8::/32)", a)
				continue
			}
			if want := d.Value.IPAddressVersion; (want == "IPV4" && !p.Addr().Is4()) || (want == "IPV6" && !p.Addr().Is6()) {
				v.fail(d.File, fmt.Sprintf("IPSet.Addresses[%d]", i), "%q does not match IPAddressVersion %s", a, want)
			}
		}
	}
	for _, arn := range sortedKeys(v.set.RegexPatternSets) {
		d := v.set.RegexPatternSets[arn]
		for i, r := range d.Value.RegularExpressionList {
			if _, err := regexp.Compile(deref(r.RegexString)); err != nil {
				v.fail(d.File, fmt.Sprintf("RegexPatternSet.RegularExpressionList[%d].RegexString", i), "%v (openfront evaluates patterns with Go's RE2)", err)
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func methodStrings[M ~string](ms []M) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = string(m)
	}
	return out
}

// errorCodes are the statuses CloudFront lets CustomErrorResponses replace
// (GeneratingCustomErrorResponses); a ResponseCode may also be 200.
var errorCodes = []int32{400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504}

func (v *validator) customErrors(f, p string, c *types.DistributionConfig) {
	if c.CustomErrorResponses == nil {
		return
	}
	seen := map[int32]bool{}
	for i, e := range c.CustomErrorResponses.Items {
		ep := fmt.Sprintf("%s.CustomErrorResponses.Items[%d]", p, i)
		code := deref(e.ErrorCode)
		if !slices.Contains(errorCodes, code) {
			v.fail(f, ep+".ErrorCode", "%d cannot have a custom error response (CloudFront allows 400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504)", code)
		}
		if seen[code] {
			v.fail(f, ep+".ErrorCode", "%d appears twice", code)
		}
		seen[code] = true
		page, rc := deref(e.ResponsePagePath), deref(e.ResponseCode)
		if page != "" && !strings.HasPrefix(page, "/") {
			v.fail(f, ep+".ResponsePagePath", "%q must start with \"/\"", page)
		}
		if (page == "") != (rc == "") {
			v.fail(f, ep, "ResponsePagePath and ResponseCode go together")
		}
		if rc != "" {
			n, err := strconv.Atoi(rc)
			if err != nil || (n != 200 && !slices.Contains(errorCodes, int32(n))) {
				v.fail(f, ep+".ResponseCode", "%q is not a status CloudFront can return here", rc)
			}
		}
		if t := e.ErrorCachingMinTTL; t != nil && *t < 0 {
			v.fail(f, ep+".ErrorCachingMinTTL", "must not be negative")
		}
	}
}

func (v *validator) viewerCertificate(f, p string, c *types.DistributionConfig) {
	aliases := Aliases(c)
	if len(aliases) == 0 || v.opts.SelfSigned {
		return
	}
	vc := c.ViewerCertificate
	ref := ""
	if vc != nil {
		ref = deref(vc.ACMCertificateArn)
		if ref == "" {
			ref = deref(vc.IAMCertificateId)
		}
	}
	if ref == "" {
		v.fail(f, p+".ViewerCertificate", "aliases %s need a certificate that covers them (CloudFront refuses aliases on the default *.cloudfront.net certificate): set ACMCertificateArn and pass --cert ARN=CERT.pem,KEY.pem, or run with --self-signed", strings.Join(aliases, ", "))
		return
	}
	names, ok := v.opts.Certificates[ref]
	if !ok {
		v.fail(f, p+".ViewerCertificate", "no certificate file for %s: pass --cert %s=CERT.pem,KEY.pem, or run with --self-signed", ref, ref)
		return
	}
	for i, a := range aliases {
		covered := false
		for _, n := range names {
			if hostroute.CertificateCovers(n, a) {
				covered = true
				break
			}
		}
		if !covered {
			v.fail(f, fmt.Sprintf("%s.Aliases.Items[%d]", p, i), "%q is not covered by certificate %s (names: %s)", a, ref, strings.Join(names, ", "))
		}
	}
}

// quantities checks every {Quantity, Items} pair, as CloudFront's API
// refuses a Quantity that disagrees with the list.
func (v *validator) quantities(f, path string, rv reflect.Value) {
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Struct:
		t := rv.Type()
		q, items := rv.FieldByName("Quantity"), rv.FieldByName("Items")
		if q.IsValid() && items.IsValid() && items.Kind() == reflect.Slice && q.Kind() == reflect.Pointer {
			if q.IsNil() {
				v.fail(f, path+".Quantity", "missing")
			} else if n := q.Elem().Int(); int(n) != items.Len() {
				v.fail(f, path+".Quantity", "is %d but Items has %d entries", n, items.Len())
			}
		}
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				v.quantities(f, join(path, t.Field(i).Name), rv.Field(i))
			}
		}
	case reflect.Slice:
		for i := range rv.Len() {
			v.quantities(f, path+"["+strconv.Itoa(i)+"]", rv.Index(i))
		}
	}
}

// FunctionName is the name in a CloudFront Function's ARN
// (arn:aws:cloudfront::123456789012:function/NAME).
func FunctionName(arn string) (string, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:")
	if !ok {
		return "", false
	}
	parts := strings.SplitN(rest, ":", 5)
	if len(parts) != 5 || parts[1] != "cloudfront" {
		return "", false
	}
	name, ok := strings.CutPrefix(parts[4], "function/")
	return name, ok && name != ""
}
