package waf

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// Rule types as AWS WAF logs them in terminatingRuleType.
const (
	TypeRegular   = "REGULAR"
	TypeRateBased = "RATE_BASED"
	TypeGroup     = "GROUP"
	TypeManaged   = "MANAGED_RULE_GROUP"
)

// Actions as AWS WAF logs them.
const (
	ActionAllow     = "ALLOW"
	ActionBlock     = "BLOCK"
	ActionCount     = "COUNT"
	ActionCaptcha   = "CAPTCHA"
	ActionChallenge = "CHALLENGE"
)

type rule struct {
	name          string
	priority      int32
	typ           string
	stmt          matcher
	action        *action  // nil for rule-group references
	overrideCount bool     // OverrideAction Count on a group reference
	labels        []string // fully qualified RuleLabels
	group         *groupRef
	managed       *managedRef
	rate          *rateMatch
}

// action is a compiled RuleAction or DefaultAction.
type action struct {
	name   string      // ALLOW, BLOCK, …
	insert [][2]string // CustomRequestHandling, names already x-amzn-waf- prefixed
	resp   *CustomResponse
}

func (cp *compiler) rule(path string, r *types.Rule, inGroup bool) *rule {
	ru := &rule{name: deref(r.Name), priority: r.Priority, typ: TypeRegular}
	if ru.name == "" {
		cp.errorf("%s.Name: required", path)
	}
	s := r.Statement
	isGroup := s != nil && (s.RuleGroupReferenceStatement != nil || s.ManagedRuleGroupStatement != nil)
	sp := path + "." + cp.stmtKey()
	if inGroup && isGroup {
		cp.groupInGroup(sp, s)
		return ru
	}
	ru.stmt = cp.statement(sp, s, true)
	switch m := ru.stmt.(type) {
	case *rateMatch:
		ru.typ, ru.rate, m.rule = TypeRateBased, m, ru.name
	case *groupRef:
		ru.typ, ru.group = TypeGroup, m
	case *managedRef:
		ru.typ, ru.managed = TypeManaged, m
	}
	if isGroup {
		if r.Action != nil {
			cp.errorf("%s.Action: not allowed on a rule group reference; use OverrideAction", path)
		}
		switch o := r.OverrideAction; {
		case o == nil || (o.Count == nil) == (o.None == nil):
			cp.errorf("%s.OverrideAction: exactly one of None, Count is required", path)
		default:
			ru.overrideCount = o.Count != nil
		}
	} else {
		if r.OverrideAction != nil {
			cp.errorf("%s.OverrideAction: only allowed on rule group references; use Action", path)
		}
		ru.action = cp.ruleAction(path+".Action", r.Action)
	}
	ru.labels = cp.ruleLabels(path+".RuleLabels", r.RuleLabels)
	return ru
}

func (cp *compiler) ruleAction(path string, a *types.RuleAction) *action {
	if a == nil {
		cp.errorf("%s: required", path)
		return nil
	}
	var set []*action
	if a.Allow != nil {
		set = append(set, &action{name: ActionAllow, insert: cp.insertHeaders(path+".Allow", a.Allow.CustomRequestHandling)})
	}
	if a.Block != nil {
		set = append(set, &action{name: ActionBlock, resp: cp.customResponse(path+".Block.CustomResponse", a.Block.CustomResponse)})
	}
	if a.Count != nil {
		set = append(set, &action{name: ActionCount, insert: cp.insertHeaders(path+".Count", a.Count.CustomRequestHandling)})
	}
	if a.Captcha != nil {
		set = append(set, &action{name: ActionCaptcha, insert: cp.insertHeaders(path+".Captcha", a.Captcha.CustomRequestHandling), resp: captchaResponse})
	}
	if a.Challenge != nil {
		set = append(set, &action{name: ActionChallenge, insert: cp.insertHeaders(path+".Challenge", a.Challenge.CustomRequestHandling), resp: challengeResponse})
	}
	if len(set) != 1 {
		cp.errorf("%s: exactly one of Allow, Block, Count, Captcha, Challenge is required", path)
		return nil
	}
	return set[0]
}

func (cp *compiler) defaultAction(d *types.DefaultAction) *action {
	switch {
	case d == nil || (d.Allow == nil) == (d.Block == nil):
		cp.errorf("DefaultAction: exactly one of Allow, Block is required")
		return &action{name: ActionBlock}
	case d.Allow != nil:
		return &action{name: ActionAllow, insert: cp.insertHeaders("DefaultAction.Allow", d.Allow.CustomRequestHandling)}
	}
	return &action{name: ActionBlock, resp: cp.customResponse("DefaultAction.Block.CustomResponse", d.Block.CustomResponse)}
}

// insertHeaders compiles CustomRequestHandling: AWS prefixes every name
// with x-amzn-waf- so a client cannot spoof them.
func (cp *compiler) insertHeaders(path string, h *types.CustomRequestHandling) [][2]string {
	if h == nil {
		return nil
	}
	if len(h.InsertHeaders) == 0 {
		cp.errorf("%s.CustomRequestHandling.InsertHeaders: at least one header is required", path)
	}
	out := make([][2]string, 0, len(h.InsertHeaders))
	for i, ih := range h.InsertHeaders {
		name := deref(ih.Name)
		if !validHeaderName(name) {
			cp.errorf("%s.CustomRequestHandling.InsertHeaders[%d].Name: invalid header name %q", path, i, name)
		}
		out = append(out, [2]string{"x-amzn-waf-" + name, deref(ih.Value)})
	}
	return out
}

func validHeaderName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isWordByte(c) || c == '-') {
			return false
		}
	}
	return true
}

// ruleLabels qualifies RuleLabels with the namespace of their context.
func (cp *compiler) ruleLabels(path string, ls []types.Label) []string {
	var out []string
	for i, l := range ls {
		name := deref(l.Name)
		if err := checkLabel(name, false); err != nil {
			cp.errorf("%s[%d].Name: %v", path, i, err)
			continue
		}
		if full := cp.ns + name; !slices.Contains(out, full) {
			out = append(out, full)
		}
	}
	return out
}

// reservedLabelWords may not be used as label namespaces (API_Rule).
var reservedLabelWords = []string{"aws", "waf", "managed", "rulegroup", "webacl", "regexpatternset", "ipset"}

// checkLabel validates a label or, with ns, a namespace key: colon
// separated components of letters, digits, _ and -, none empty (a
// namespace may end with one colon).
func checkLabel(s string, ns bool) error {
	if s == "" || len(s) > 1024 {
		return fmt.Errorf("label %q must be 1 to 1024 characters", s)
	}
	t := s
	if ns {
		t = strings.TrimSuffix(s, ":")
	}
	parts := strings.Split(t, ":")
	for _, p := range parts {
		if p == "" {
			return fmt.Errorf("label %q has an empty component", s)
		}
		for i := 0; i < len(p); i++ {
			if !isWordByte(p[i]) && p[i] != '-' {
				return fmt.Errorf("label %q has invalid character %q", s, p[i])
			}
		}
	}
	if !ns && !strings.HasPrefix(s, "awswaf:") {
		for _, p := range parts[:len(parts)-1] {
			if slices.Contains(reservedLabelWords, p) {
				return fmt.Errorf("label %q uses the reserved namespace %q", s, p)
			}
		}
		if len(parts) > 6 {
			return fmt.Errorf("label %q has more than 5 namespaces", s)
		}
	}
	return nil
}
