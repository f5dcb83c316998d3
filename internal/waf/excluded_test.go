package waf

import (
	"encoding/json"
	"fmt"
	"testing"
)

// loggedGroup is a ruleGroupList entry as the WAF log renders it.
type loggedGroup struct {
	RuleGroupID                 string `json:"ruleGroupId"`
	NonTerminatingMatchingRules []struct {
		RuleID           string `json:"ruleId"`
		Action           string `json:"action"`
		OverriddenAction string `json:"overriddenAction"`
	} `json:"nonTerminatingMatchingRules"`
	ExcludedRules json.RawMessage `json:"excludedRules"`
}

// TestExcludedRulesLog: a matching rule that the reference's ExcludedRules
// sets to Count is logged in the group's excludedRules as
// EXCLUDED_AS_COUNT; one set to Count by RuleActionOverrides is logged
// among its matching rules with overriddenAction ("Log fields for web ACL
// traffic"). excludedRules is null when no excluded rule matched.
func TestExcludedRulesLog(t *testing.T) {
	const sqli = "id=1%27%20OR%20%271%27%3D%271%27"
	cases := []struct {
		name     string
		rule     string
		req      *Request
		action   string
		counted  string // nonTerminatingMatchingRules: ruleId:action(overriddenAction)
		excluded string // excludedRules, raw
	}{
		{"rule group: excluded rule matched",
			groupRule("shop", 0, `{"None":{}}`, `,"ExcludedRules":[{"Name":"g-block"}]`), get("/cart/admin", ""), ActionAllow,
			"[g-count:COUNT() g-label:COUNT()]", `[{"exclusionType":"EXCLUDED_AS_COUNT","ruleId":"g-block"}]`},
		{"rule group: excluded rule did not match",
			groupRule("shop", 0, `{"None":{}}`, `,"ExcludedRules":[{"Name":"g-block"}]`), get("/cart", ""), ActionAllow,
			"[g-count:COUNT() g-label:COUNT()]", `null`},
		{"rule group: override to Count",
			groupRule("shop", 0, `{"None":{}}`, `,"RuleActionOverrides":[{"Name":"g-block","ActionToUse":{"Count":{}}}]`), get("/cart/admin", ""), ActionAllow,
			"[g-count:COUNT() g-block:COUNT(BLOCK) g-label:COUNT()]", `null`},
		{"rule group: an override replaces an exclusion",
			groupRule("shop", 0, `{"None":{}}`, `,"ExcludedRules":[{"Name":"g-block"}],"RuleActionOverrides":[{"Name":"g-block","ActionToUse":{"Count":{}}}]`), get("/cart/admin", ""), ActionAllow,
			"[g-count:COUNT() g-block:COUNT(BLOCK) g-label:COUNT()]", `null`},
		{"managed group: excluded by AWS name",
			managedRuleJSON("managed", 0, "AWS", "AWSManagedRulesSQLiRuleSet", `,"ExcludedRules":[{"Name":"SQLi_QUERYARGUMENTS"}]`, `{"None":{}}`),
			browserGet("/p", sqli), ActionAllow, "[]", `[{"exclusionType":"EXCLUDED_AS_COUNT","ruleId":"942100"}]`},
		{"managed group: override to Count by AWS name",
			managedRuleJSON("managed", 0, "AWS", "AWSManagedRulesSQLiRuleSet", `,"RuleActionOverrides":[{"Name":"SQLi_QUERYARGUMENTS","ActionToUse":{"Count":{}}}]`, `{"None":{}}`),
			browserGet("/p", sqli), ActionAllow, "[942100:COUNT(BLOCK)]", `null`},
		{"managed group: a Block override undoes an exclusion",
			managedRuleJSON("managed", 0, "AWS", "AWSManagedRulesSQLiRuleSet", `,"ExcludedRules":[{"Name":"SQLi_QUERYARGUMENTS"}],"RuleActionOverrides":[{"Name":"SQLi_QUERYARGUMENTS","ActionToUse":{"Block":{}}}]`, `{"None":{}}`),
			browserGet("/p", sqli), ActionBlock, "[]", `null`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := mustCompile(t, aclJSON("["+tc.rule+"]"), testResources())
			v := a.Evaluate(tc.req, t0)
			if v.Action != tc.action {
				t.Errorf("action: got %s, want %s", v.Action, tc.action)
			}
			var rec struct {
				RuleGroupList []loggedGroup `json:"ruleGroupList"`
			}
			raw := a.LogRecord(tc.req, v, t0, a.ARN(), "E1")
			if err := json.Unmarshal(raw, &rec); err != nil {
				t.Fatal(err)
			}
			if len(rec.RuleGroupList) != 1 {
				t.Fatalf("ruleGroupList: got %d entries, want 1\n%s", len(rec.RuleGroupList), raw)
			}
			g := rec.RuleGroupList[0]
			var counted []string
			for _, m := range g.NonTerminatingMatchingRules {
				counted = append(counted, fmt.Sprintf("%s:%s(%s)", m.RuleID, m.Action, m.OverriddenAction))
			}
			if got := fmt.Sprint(counted); got != tc.counted && !(got == "[]" && tc.counted == "[]") {
				t.Errorf("nonTerminatingMatchingRules: got %s, want %s\n%s", got, tc.counted, raw)
			}
			if string(g.ExcludedRules) != tc.excluded {
				t.Errorf("excludedRules: got %s, want %s", g.ExcludedRules, tc.excluded)
			}
		})
	}
}
