package waf

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// groupDef is a compiled rule group, shared by every reference to it.
type groupDef struct {
	arn   string
	rules []*rule
}

// groupRef is a compiled RuleGroupReferenceStatement: the group plus the
// reference's own ExcludedRules and RuleActionOverrides.
type groupRef struct {
	def       *groupDef
	overrides map[string]*action
	excluded  map[string]bool // rules counted through ExcludedRules rather than RuleActionOverrides
}

// match is never used for group references: the evaluator runs the group
// (see evalGroup). It exists so a groupRef is a matcher like the others.
func (g *groupRef) match(*evalCtx) bool { return false }

func (cp *compiler) groupRef(path string, s *types.RuleGroupReferenceStatement) matcher {
	arn := deref(s.ARN)
	doc := lookup(cp.res.RuleGroups, arn)
	if doc == nil {
		cp.errorf("%s.ARN: unknown rule group %q", path, arn)
		return nil
	}
	def := cp.groupDef(path, arn, doc)
	ref := &groupRef{def: def, overrides: map[string]*action{}, excluded: map[string]bool{}}
	known := map[string]bool{}
	for _, r := range doc.Rules {
		known[deref(r.Name)] = true
	}
	// ExcludedRules is the older form of overriding a rule's action to Count.
	for i, e := range s.ExcludedRules {
		n := deref(e.Name)
		if !known[n] {
			cp.errorf("%s.ExcludedRules[%d].Name: rule group has no rule %q", path, i, n)
		}
		ref.overrides[n] = &action{name: ActionCount}
		ref.excluded[n] = true
	}
	for i, o := range s.RuleActionOverrides {
		p := fmt.Sprintf("%s.RuleActionOverrides[%d]", path, i)
		n := deref(o.Name)
		if !known[n] {
			cp.errorf("%s.Name: rule group has no rule %q", p, n)
		}
		saved := cp.bodies
		cp.bodies = doc.CustomResponseBodies
		ref.overrides[n] = cp.ruleAction(p+".ActionToUse", o.ActionToUse)
		delete(ref.excluded, n) // the override decides what is logged
		cp.bodies = saved
	}
	return ref
}

// groupDef compiles a rule group once, in its own label namespace and with
// its own custom response bodies.
func (cp *compiler) groupDef(path, arn string, doc *types.RuleGroup) *groupDef {
	key := deref(doc.ARN)
	if key == "" {
		key = arn
	}
	if d, ok := cp.groups[key]; ok {
		return d
	}
	d := &groupDef{arn: key}
	cp.groups[key] = d
	saveNS, saveBodies := cp.ns, cp.bodies
	cp.ns = deref(doc.LabelNamespace)
	if cp.ns == "" {
		cp.ns = "awswaf:" + arnAccount(key) + ":rulegroup:" + deref(doc.Name) + ":"
	}
	cp.bodies = doc.CustomResponseBodies
	cp.stack = append(cp.stack, key)
	cp.checkBodies(path+".ARN→CustomResponseBodies", doc.CustomResponseBodies)
	d.rules = cp.rules(path+".ARN→Rules", doc.Rules, true)
	cp.stack = cp.stack[:len(cp.stack)-1]
	cp.ns, cp.bodies = saveNS, saveBodies
	return d
}

// groupInGroup reports a group or managed group referenced from inside a
// rule group, which AWS forbids; a reference back to a group being
// compiled is reported as the cycle it is.
func (cp *compiler) groupInGroup(path string, s *types.Statement) {
	if s.ManagedRuleGroupStatement != nil {
		cp.errorf("%s.ManagedRuleGroupStatement: not allowed inside a rule group", path)
		return
	}
	arn := deref(s.RuleGroupReferenceStatement.ARN)
	target := arn
	if doc := lookup(cp.res.RuleGroups, arn); doc != nil && deref(doc.ARN) != "" {
		target = deref(doc.ARN)
	}
	if cycle := cp.findCycle(append(slices.Clone(cp.stack), target)); cycle != nil {
		cp.errorf("%s.RuleGroupReferenceStatement: cycle between rule groups: %s", path, strings.Join(cycle, " → "))
		return
	}
	cp.errorf("%s.RuleGroupReferenceStatement: not allowed inside a rule group", path)
}

// findCycle follows group references from the last group of chain and
// returns the first cycle found, or nil.
func (cp *compiler) findCycle(chain []string) []string {
	last := chain[len(chain)-1]
	if i := slices.Index(chain[:len(chain)-1], last); i >= 0 {
		return chain[i:]
	}
	if len(chain) > 64 {
		return nil
	}
	doc := lookup(cp.res.RuleGroups, last)
	if doc == nil {
		return nil
	}
	for _, r := range doc.Rules {
		if r.Statement == nil || r.Statement.RuleGroupReferenceStatement == nil {
			continue
		}
		next := deref(r.Statement.RuleGroupReferenceStatement.ARN)
		if d := lookup(cp.res.RuleGroups, next); d != nil && deref(d.ARN) != "" {
			next = deref(d.ARN)
		}
		if c := cp.findCycle(append(slices.Clone(chain), next)); c != nil {
			return c
		}
	}
	return nil
}
