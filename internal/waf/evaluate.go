package waf

import (
	"slices"
	"time"
)

// evalCtx is the state of one evaluation.
type evalCtx struct {
	acl *ACL
	r   *Request
	now time.Time
	s   *scratch
	v   *Verdict

	regionKnown bool   // clientRegion was looked up
	region      string // the client IP's first-level subdivision
}

// Evaluate runs the web ACL over r. now drives the rate-based rules.
func (a *ACL) Evaluate(r *Request, now time.Time) Verdict {
	var v Verdict
	a.EvaluateInto(r, now, &v)
	return v
}

// EvaluateInto is Evaluate writing into v, reusing v's slices: a caller
// that keeps a Verdict per worker evaluates benign requests without
// allocating.
func (a *ACL) EvaluateInto(r *Request, now time.Time, v *Verdict) {
	v.reset()
	s := scratchPool.Get().(*scratch)
	c := &s.ctx
	*c = evalCtx{acl: a, r: r, now: now, s: s, v: v}
	done := false
	for _, ru := range a.rules {
		if c.rule(ru) {
			done = true
			break
		}
	}
	if !done {
		v.TerminatingRuleID, v.TerminatingRuleType = "Default_Action", TypeRegular
		c.terminate(a.deflt, nil)
	}
	putScratch(s)
}

// rule evaluates one web ACL rule and reports whether it terminated.
func (c *evalCtx) rule(ru *rule) bool {
	if ru.group != nil {
		return c.group(ru)
	}
	if ru.managed != nil {
		return c.managed(ru)
	}
	mark := len(c.s.details)
	if ru.stmt == nil || !ru.stmt.match(c) {
		c.s.details = c.s.details[:mark]
		return false
	}
	for _, l := range ru.labels {
		c.addLabel(l)
	}
	if ru.rate != nil {
		c.v.RateBasedRuleList = append(c.v.RateBasedRuleList, ru.rate.result(c))
	}
	details := slices.Clone(c.s.details[mark:])
	if ru.action.name == ActionCount {
		c.count(RuleMatch{RuleID: ru.name, Action: ActionCount, Details: details}, ru.action)
		return false
	}
	c.v.TerminatingRuleID, c.v.TerminatingRuleType = ru.name, ru.typ
	c.terminate(ru.action, details)
	return true
}

// count records a non-terminating match and keeps its inserted headers.
func (c *evalCtx) count(m RuleMatch, a *action) {
	c.v.NonTerminating = append(c.v.NonTerminating, m)
	c.v.InsertHeaders = append(c.v.InsertHeaders, a.insert...)
}

// terminate applies a terminating action. Only an ALLOW forwards the
// request, so only then do inserted headers survive.
func (c *evalCtx) terminate(a *action, details []MatchDetail) {
	v := c.v
	v.Action = a.name
	v.TerminatingDetails = details
	v.CustomResponse = a.resp
	if a.name == ActionAllow {
		v.InsertHeaders = append(v.InsertHeaders, a.insert...)
	} else {
		v.InsertHeaders = v.InsertHeaders[:0]
	}
}

// group runs a rule group reference: the group's rules in priority order
// with the reference's overrides; a terminating group rule ends the web
// ACL unless the reference's OverrideAction is Count.
func (c *evalCtx) group(ru *rule) bool {
	g := ru.group
	res := RuleGroupResult{RuleGroupID: g.def.arn}
	var term *action
	for _, gr := range g.def.rules {
		mark := len(c.s.details)
		if gr.stmt == nil || !gr.stmt.match(c) {
			c.s.details = c.s.details[:mark]
			continue
		}
		for _, l := range gr.labels {
			c.addLabel(l)
		}
		if gr.rate != nil {
			c.v.RateBasedRuleList = append(c.v.RateBasedRuleList, gr.rate.result(c))
		}
		act, overridden := gr.action, ""
		if o, ok := g.overrides[gr.name]; ok && o != nil {
			act, overridden = o, gr.action.name
		}
		m := RuleMatch{RuleID: gr.name, Action: act.name, OverriddenAction: overridden, Excluded: g.excluded[gr.name],
			Details: slices.Clone(c.s.details[mark:])}
		if act.name == ActionCount {
			res.NonTerminating = append(res.NonTerminating, m)
			c.v.InsertHeaders = append(c.v.InsertHeaders, act.insert...)
			continue
		}
		res.TerminatingRule, term = &m, act
		break
	}
	c.v.RuleGroupList = append(c.v.RuleGroupList, res)
	if term == nil {
		return false
	}
	for _, l := range ru.labels {
		c.addLabel(l)
	}
	if ru.overrideCount {
		c.v.NonTerminating = append(c.v.NonTerminating, RuleMatch{RuleID: ru.name, Action: ActionCount, OverriddenAction: term.name})
		return false
	}
	c.v.TerminatingRuleID, c.v.TerminatingRuleType = ru.name, ru.typ
	c.terminate(term, res.TerminatingRule.Details)
	return true
}

// detail records an SQLi or XSS match for the log.
func (c *evalCtx) detail(cond, level, loc string, v []byte) {
	c.s.details = append(c.s.details, MatchDetail{ConditionType: cond, SensitivityLevel: level, Location: loc, MatchedData: matchedData(v)})
}

// oversize records an oversize field once for the log.
func (c *evalCtx) oversize(f string) {
	if !slices.Contains(c.v.OversizeFields, f) {
		c.v.OversizeFields = append(c.v.OversizeFields, f)
	}
}
