// Package waf evaluates AWS WAF web ACLs, given as the AWS CLI prints them
// (wafv2 types decoded from JSON), with AWS WAF's documented semantics: rules
// run in ascending priority, Allow and Block terminate, Count labels and
// continues, CAPTCHA and Challenge terminate when the request carries no
// valid token (this edge issues no tokens, so they always terminate), and
// the default action applies when no rule terminates.
//
// Compile validates everything once (every error, each with its JSON path
// inside the web ACL) and builds an immutable ACL; Evaluate returns a
// Verdict value and never writes a response, so the edge turns a BLOCK into
// its single Denial. LogRecord renders the AWS WAF log record for a
// verdict. Rate-based rules keep in-process sliding-window counters with a
// bounded number of keys; they are the only mutable state.
//
// Managed rule groups run the OWASP Core Rule Set in Coraza (managed.go,
// MANAGED.md); AWS groups without a CRS mapping are refused by name, as are
// URI fragments, ASN rate keys and the CMD_LINE_WIN, CMD_LINE_UNIX and
// JS_DECODE_EXT transformations. ASN matches need an ASN database
// (WithASNDatabase) and are refused without one. JA3 and JA4 fingerprints
// come from the request (Request.TLS). Nothing unsupported is ever silently
// skipped.
package waf

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// Resources are the documents a web ACL references, keyed by ARN and/or by
// id or name as the AWS CLI prints them.
type Resources struct {
	IPSets           map[string]*types.IPSet
	RegexPatternSets map[string]*types.RegexPatternSet
	RuleGroups       map[string]*types.RuleGroup
}

// ACL is a compiled web ACL. It is safe for concurrent use.
type ACL struct {
	name, arn, id string
	ns            string // label namespace, "awswaf:<account>:webacl:<name>:"
	rules         []*rule
	deflt         *action
	bodyLimit     int
	rates         []*rateMatch
	// asn is the ASN database when a statement uses it; asnClient and
	// asnFwd say which addresses the WAF log reports the ASN of.
	asn       ASNLocator
	asnClient bool
	asnFwd    *fwdConfig
	// fingerprints: a statement or rate key inspects JA3 or JA4.
	fingerprints bool
	// skipped are the rules left out by WithSkippedManagedGroups.
	skipped []string
}

// NeedsTLSFingerprints reports whether a rule inspects the JA3 or JA4
// fingerprint, so that the edge fills Request.TLS only when one does (or
// when it logs).
func (a *ACL) NeedsTLSFingerprints() bool { return a.fingerprints }

// Name returns the web ACL's name; ARN its ARN.
func (a *ACL) Name() string { return a.name }

// ARN returns the web ACL's ARN.
func (a *ACL) ARN() string { return a.arn }

// Option tunes Compile.
type Option func(*options)

type options struct {
	rateKeys int
	asn      ASNLocator
	skip     []string // managed rule groups not to run: "NAME" or "VENDOR/NAME"
}

// WithSkippedManagedGroups leaves out every web ACL rule whose
// ManagedRuleGroupStatement names one of groups ("NAME", any vendor, or
// "VENDOR/NAME"), whether or not this edge emulates it, instead of refusing
// an unsupported one. Each rule left out is reported by Skipped, for the
// caller to warn about: the web ACL then lets through what that group would
// have stopped.
func WithSkippedManagedGroups(groups ...string) Option {
	return func(o *options) { o.skip = append(o.skip, groups...) }
}

// Skipped lists what the compiled web ACL does not do that its document
// says — the rules WithSkippedManagedGroups left out, a DataProtectionConfig
// — one sentence each, after the JSON path it concerns.
func (a *ACL) Skipped() []string { return a.skipped }

// WithRateKeyLimit bounds the number of keys each rate-based rule tracks
// (default 20,000); beyond it the least recently seen key of a sample is
// evicted.
func WithRateKeyLimit(n int) Option { return func(o *options) { o.rateKeys = max(n, 1) } }

// ErrInvalid wraps every Compile error, for callers that branch on it.
var ErrInvalid = errors.New("invalid web ACL")

// Compile validates acl and the resources it references and compiles them.
// All problems are returned together, each naming its JSON path.
func Compile(acl *types.WebACL, res Resources, opts ...Option) (*ACL, error) {
	o := options{rateKeys: 20000}
	for _, fn := range opts {
		fn(&o)
	}
	if acl == nil {
		return nil, fmt.Errorf("%w: no web ACL", ErrInvalid)
	}
	a := &ACL{name: deref(acl.Name), arn: deref(acl.ARN), id: deref(acl.Id), bodyLimit: 16 << 10}
	cp := &compiler{res: res, opts: o, bodies: acl.CustomResponseBodies, sets: map[string]*ipSet{}, groups: map[string]*groupDef{}}
	if a.name == "" {
		cp.errorf("Name: required")
	}
	a.ns = deref(acl.LabelNamespace)
	if a.ns == "" {
		a.ns = "awswaf:" + arnAccount(a.arn) + ":webacl:" + a.name + ":"
	}
	cp.ns = a.ns
	cp.checkBodies("CustomResponseBodies", acl.CustomResponseBodies)
	a.deflt = cp.defaultAction(acl.DefaultAction)
	if ac := acl.AssociationConfig; ac != nil {
		for k, v := range ac.RequestBody {
			p := "AssociationConfig.RequestBody." + k + ".DefaultSizeInspectionLimit"
			kb, err := strconv.Atoi(strings.TrimPrefix(string(v.DefaultSizeInspectionLimit), "KB_"))
			switch {
			case k != "CLOUDFRONT":
				// Other resource types do not apply to a CloudFront edge.
			case err != nil || (kb != 16 && kb != 32 && kb != 48 && kb != 64):
				cp.errorf("%s: must be KB_16, KB_32, KB_48 or KB_64, got %q", p, v.DefaultSizeInspectionLimit)
			default:
				a.bodyLimit = kb << 10
			}
		}
	}
	// Firewall Manager's rule groups run before and after the web ACL's own
	// rules (FirewallManagerRuleGroup); leaving them out would pass what an
	// organisation's policy blocks.
	cp.fms = true
	pre := cp.rules("PreProcessFirewallManagerRuleGroups", fmsRules(acl.PreProcessFirewallManagerRuleGroups), false)
	post := cp.rules("PostProcessFirewallManagerRuleGroups", fmsRules(acl.PostProcessFirewallManagerRuleGroups), false)
	cp.fms = false
	a.rules = append(append(pre, cp.rules("Rules", acl.Rules, false)...), post...)
	if acl.DataProtectionConfig != nil && len(acl.DataProtectionConfig.DataProtections) > 0 {
		cp.skipped = append(cp.skipped, "DataProtectionConfig: not applied: WAF log records (--waf-log-dir) carry the fields it would redact or hash as they are")
	}
	a.skipped = cp.skipped
	a.rates = cp.rates
	a.fingerprints = cp.fingerprints
	if cp.asnClient || cp.asnFwd != nil {
		a.asn, a.asnClient, a.asnFwd = o.asn, cp.asnClient, cp.asnFwd
	}
	if len(cp.errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, errors.Join(cp.errs...))
	}
	return a, nil
}

// compiler carries the context of one Compile call.
type compiler struct {
	res    Resources
	opts   options
	errs   []error
	ns     string                              // label namespace of the rules being compiled
	bodies map[string]types.CustomResponseBody // custom response bodies in scope
	stack  []string                            // rule groups being compiled, for cycle detection
	sets   map[string]*ipSet
	groups map[string]*groupDef
	rates  []*rateMatch
	// ASN match statements seen: one on the client IP; the first on a
	// forwarded IP.
	asnClient bool
	asnFwd    *fwdConfig
	// fingerprints: a statement or rate key inspects JA3 or JA4.
	fingerprints bool
	// skipped are the rules left out by WithSkippedManagedGroups.
	skipped []string
	// fms: the rules being compiled are Firewall Manager rule groups, whose
	// statement is at FirewallManagerStatement.
	fms bool
}

func (cp *compiler) stmtKey() string {
	if cp.fms {
		return "FirewallManagerStatement"
	}
	return "Statement"
}

// fmsRules views Firewall Manager rule groups as web ACL rules: a group
// reference (managed or not) with an OverrideAction, which is all they are.
func fmsRules(in []types.FirewallManagerRuleGroup) []types.Rule {
	out := make([]types.Rule, len(in))
	for i, g := range in {
		out[i] = types.Rule{Name: g.Name, Priority: g.Priority, OverrideAction: g.OverrideAction, VisibilityConfig: g.VisibilityConfig}
		if s := g.FirewallManagerStatement; s != nil {
			out[i].Statement = &types.Statement{ManagedRuleGroupStatement: s.ManagedRuleGroupStatement, RuleGroupReferenceStatement: s.RuleGroupReferenceStatement}
		}
	}
	return out
}

// skips reports whether the web ACL rule r is a managed rule group reference
// to leave out (WithSkippedManagedGroups), and records it.
func (cp *compiler) skips(path string, r *types.Rule) bool {
	m := r.Statement
	if m == nil || m.ManagedRuleGroupStatement == nil {
		return false
	}
	vendor, name := deref(m.ManagedRuleGroupStatement.VendorName), deref(m.ManagedRuleGroupStatement.Name)
	if !slices.Contains(cp.opts.skip, name) && !slices.Contains(cp.opts.skip, vendor+"/"+name) {
		return false
	}
	cp.skipped = append(cp.skipped, fmt.Sprintf("%s: rule %q is not evaluated: managed rule group %s/%s is skipped (--waf-skip-managed-group), so requests it would block or count pass", path, deref(r.Name), vendor, name))
	return true
}

func (cp *compiler) errorf(format string, args ...any) {
	cp.errs = append(cp.errs, fmt.Errorf(format, args...))
}

func (cp *compiler) add(err error) {
	if err != nil {
		cp.errs = append(cp.errs, err)
	}
}

// joinErrs is errors.Join that keeps nil for no errors.
func joinErrs(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errors.Join(errs...)
}

// rules compiles a rule list (of the web ACL or of a rule group) and
// returns it in evaluation order: ascending priority.
func (cp *compiler) rules(path string, in []types.Rule, inGroup bool) []*rule {
	out := make([]*rule, 0, len(in))
	byPrio := map[int32]int{}
	byName := map[string]int{}
	for i := range in {
		p := fmt.Sprintf("%s[%d]", path, i)
		r := &in[i]
		if j, dup := byPrio[r.Priority]; dup {
			cp.errorf("%s.Priority: duplicate priority %d (also %s[%d])", p, r.Priority, path, j)
		}
		byPrio[r.Priority] = i
		if j, dup := byName[deref(r.Name)]; dup {
			cp.errorf("%s.Name: duplicate rule name %q (also %s[%d])", p, deref(r.Name), path, j)
		}
		byName[deref(r.Name)] = i
		if r.Priority < 0 {
			cp.errorf("%s.Priority: must be >= 0, got %d", p, r.Priority)
		}
		if !inGroup && cp.skips(p, r) {
			continue
		}
		out = append(out, cp.rule(p, r, inGroup))
	}
	slices.SortStableFunc(out, func(a, b *rule) int { return cmp.Compare(a.priority, b.priority) })
	return out
}

// arnAccount returns the account field of an ARN
// (arn:aws:wafv2:us-east-1:123456789012:global/webacl/name/id).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// lookup finds a referenced document by ARN, then by the id and the name
// that the ARN ends with (…/name/id).
func lookup[T any](m map[string]*T, arn string) *T {
	if v, ok := m[arn]; ok {
		return v
	}
	parts := strings.Split(arn, "/")
	for i := len(parts) - 1; i >= 0 && i >= len(parts)-2; i-- {
		if v, ok := m[parts[i]]; ok && parts[i] != "" {
			return v
		}
	}
	return nil
}

func itoa(i int) string { return strconv.Itoa(i) }
