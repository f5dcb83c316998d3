package e2e

import (
	"net/http"
	"slices"
	"testing"
)

// TestWAFManagedExcludedRules: an AWS managed rule group with ExcludedRules
// by AWS rule name, through the binary. The excluded rule still runs and
// labels, but only counts: the WAF log lists its match in the group's
// excludedRules as EXCLUDED_AS_COUNT (by CRS id, MANAGED.md), not among the
// matching rules; a request it does not match logs excludedRules null.
func TestWAFManagedExcludedRules(t *testing.T) {
	t.Parallel()
	app := newOrigin(t, "app", nil)
	const dist, aclID = "EWAFEXCL", "e3e3e3e3-0000-4000-8000-0000000000e3"
	arn := wafARN("webacl", "excluded-acl", aclID)
	managed := obj{"Name": "sqli", "Priority": 0, "OverrideAction": obj{"None": obj{}}, "VisibilityConfig": wafVisibility("sqli"),
		"Statement": obj{"ManagedRuleGroupStatement": obj{"VendorName": "AWS", "Name": "AWSManagedRulesSQLiRuleSet",
			"ExcludedRules": []obj{{"Name": "SQLi_QUERYARGUMENTS"}}}}}
	wafDir := t.TempDir()
	e := startEdge(t, map[string]any{
		dist + ".json": configDoc(wafDist(app, arn)),
		"acl.json":     wafWebACLDoc("excluded-acl", aclID, obj{"Allow": obj{}}, nil, managed),
	}, "--trusted-proxy", "127.0.0.1/32", "--waf-log-dir", wafDir)

	browser := http.Header{"User-Agent": {"Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"}, "Accept": {"text/html"}}
	for _, tc := range []struct {
		name, target, excluded string
		label                  bool
	}{
		{"excluded rule matched", "/p?id=1%27%20OR%20%271%27%3D%271%27", `[{"exclusionType":"EXCLUDED_AS_COUNT","ruleId":"942100"}]`, true},
		{"nothing matched", "/p?id=42", "null", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(t, request{Host: defaultDomain(dist), Target: tc.target, Header: browser})
			if r.Status != 200 {
				t.Errorf("status: got %d, want 200 (the excluded rule only counts)", r.Status)
			}
			rec := waitWAFRecord(t, wafDir, r.ID())
			if rec.Action != "ALLOW" || rec.TerminatingRuleID != "Default_Action" {
				t.Errorf("WAF record: got %s by %s, want ALLOW by Default_Action", rec.Action, rec.TerminatingRuleID)
			}
			if len(rec.RuleGroupList) != 1 {
				t.Fatalf("WAF record ruleGroupList: got %d entries, want 1\nrecord: %s", len(rec.RuleGroupList), rec.raw)
			}
			g := rec.RuleGroupList[0]
			if g.RuleGroupID != "AWS#AWSManagedRulesSQLiRuleSet" || g.TerminatingRule != nil || len(g.NonTerminatingMatchingRules) != 0 {
				t.Errorf("WAF record ruleGroupList[0]: got %s, terminating %v, matching %v; want AWS#AWSManagedRulesSQLiRuleSet with no terminating and no matching rule",
					g.RuleGroupID, g.TerminatingRule, wafRuleList(g.NonTerminatingMatchingRules))
			}
			if string(g.ExcludedRules) != tc.excluded {
				t.Errorf("WAF record ruleGroupList[0].excludedRules: got %s, want %s", g.ExcludedRules, tc.excluded)
			}
			const label = "awswaf:managed:aws:sql-database:SQLi_QueryArguments"
			if got := slices.Contains(rec.labels(), label); got != tc.label {
				t.Errorf("WAF record labels %v: %s present %v, want %v (an excluded rule still labels)", rec.labels(), label, got, tc.label)
			}
		})
	}
}
