package waf

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// matcher is a compiled statement.
type matcher interface {
	match(c *evalCtx) bool
}

// statementKinds lists every statement type AWS defines, in the order the
// API documents them, so that an unsupported one is refused by name.
func statementKinds(s *types.Statement) []string {
	var k []string
	for _, e := range []struct {
		name string
		set  bool
	}{
		{"ByteMatchStatement", s.ByteMatchStatement != nil},
		{"SqliMatchStatement", s.SqliMatchStatement != nil},
		{"XssMatchStatement", s.XssMatchStatement != nil},
		{"SizeConstraintStatement", s.SizeConstraintStatement != nil},
		{"GeoMatchStatement", s.GeoMatchStatement != nil},
		{"RuleGroupReferenceStatement", s.RuleGroupReferenceStatement != nil},
		{"IPSetReferenceStatement", s.IPSetReferenceStatement != nil},
		{"RegexPatternSetReferenceStatement", s.RegexPatternSetReferenceStatement != nil},
		{"RateBasedStatement", s.RateBasedStatement != nil},
		{"AndStatement", s.AndStatement != nil},
		{"OrStatement", s.OrStatement != nil},
		{"NotStatement", s.NotStatement != nil},
		{"ManagedRuleGroupStatement", s.ManagedRuleGroupStatement != nil},
		{"LabelMatchStatement", s.LabelMatchStatement != nil},
		{"RegexMatchStatement", s.RegexMatchStatement != nil},
		{"AsnMatchStatement", s.AsnMatchStatement != nil},
	} {
		if e.set {
			k = append(k, e.name)
		}
	}
	return k
}

// statement compiles one statement; errors are collected in cp. top is
// true for a rule's own statement, where AWS also allows rate-based,
// rule-group and managed-rule-group statements.
func (cp *compiler) statement(path string, s *types.Statement, top bool) matcher {
	if s == nil {
		cp.errorf("%s: required", path)
		return nil
	}
	kinds := statementKinds(s)
	if len(kinds) != 1 {
		if len(kinds) == 0 {
			cp.errorf("%s: exactly one statement is required (unknown or empty statement)", path)
		} else {
			cp.errorf("%s: exactly one statement is allowed, got %s", path, strings.Join(kinds, ", "))
		}
		return nil
	}
	p := path + "." + kinds[0]
	if !top && (s.RateBasedStatement != nil || s.RuleGroupReferenceStatement != nil || s.ManagedRuleGroupStatement != nil) {
		cp.errorf("%s: %s cannot be nested (AWS allows it only as a rule's top-level statement)", p, kinds[0])
		return nil
	}
	switch {
	case s.ByteMatchStatement != nil:
		return cp.byteMatch(p, s.ByteMatchStatement)
	case s.RegexMatchStatement != nil:
		return cp.regexMatch(p, s.RegexMatchStatement)
	case s.RegexPatternSetReferenceStatement != nil:
		return cp.regexSet(p, s.RegexPatternSetReferenceStatement)
	case s.SizeConstraintStatement != nil:
		return cp.sizeConstraint(p, s.SizeConstraintStatement)
	case s.SqliMatchStatement != nil:
		return cp.sqli(p, s.SqliMatchStatement)
	case s.XssMatchStatement != nil:
		return cp.xss(p, s.XssMatchStatement)
	case s.IPSetReferenceStatement != nil:
		return cp.ipSetRef(p, s.IPSetReferenceStatement)
	case s.GeoMatchStatement != nil:
		return cp.geoMatch(p, s.GeoMatchStatement)
	case s.LabelMatchStatement != nil:
		return cp.labelMatch(p, s.LabelMatchStatement)
	case s.AndStatement != nil:
		return cp.logical(p, s.AndStatement.Statements, true)
	case s.OrStatement != nil:
		return cp.logical(p, s.OrStatement.Statements, false)
	case s.NotStatement != nil:
		m := cp.statement(p+".Statement", s.NotStatement.Statement, false)
		return notMatch{m}
	case s.RateBasedStatement != nil:
		return cp.rateBased(p, s.RateBasedStatement)
	case s.RuleGroupReferenceStatement != nil:
		return cp.groupRef(p, s.RuleGroupReferenceStatement)
	case s.ManagedRuleGroupStatement != nil:
		return cp.managedGroup(p, s.ManagedRuleGroupStatement)
	case s.AsnMatchStatement != nil:
		return cp.asnMatch(p, s.AsnMatchStatement)
	}
	return nil
}

type andMatch []matcher
type orMatch []matcher
type notMatch struct{ m matcher }

func (a andMatch) match(c *evalCtx) bool {
	for _, m := range a {
		if !m.match(c) {
			return false
		}
	}
	return true
}

func (o orMatch) match(c *evalCtx) bool {
	for _, m := range o {
		if m.match(c) {
			return true
		}
	}
	return false
}

func (n notMatch) match(c *evalCtx) bool { return !n.m.match(c) }

func (cp *compiler) logical(path string, sts []types.Statement, and bool) matcher {
	if len(sts) < 2 {
		cp.errorf("%s.Statements: at least two statements are required, got %d", path, len(sts))
	}
	ms := make([]matcher, len(sts))
	for i := range sts {
		ms[i] = cp.statement(fmt.Sprintf("%s.Statements[%d]", path, i), &sts[i], false)
	}
	if and {
		return andMatch(ms)
	}
	return orMatch(ms)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
