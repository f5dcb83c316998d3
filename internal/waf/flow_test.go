package waf

import (
	"reflect"
	"slices"
	"testing"
)

func TestActionsAndPrecedence(t *testing.T) {
	uri := func(p string) string { return byteMatch(p, `{"UriPath":{}}`, "STARTS_WITH") }
	cases := []struct {
		name, rules, def string
		req              *Request
		wantAction       string
		wantRule         string
		wantStatus       int
		wantHeader       [2]string
	}{
		{"lowest priority first, not list order",
			"[" + ruleJSON("allow", 5, uri("/a"), `{"Allow":{}}`) + "," + ruleJSON("block", 1, uri("/a"), `{"Block":{}}`) + "]", "",
			get("/a", ""), "BLOCK", "block", 0, [2]string{}},
		{"allow terminates before a later block",
			"[" + ruleJSON("allow", 0, uri("/a"), `{"Allow":{}}`) + "," + ruleJSON("block", 1, uri("/"), `{"Block":{}}`) + "]", "",
			get("/a", ""), "ALLOW", "allow", 0, [2]string{}},
		{"count continues to the default",
			"[" + ruleJSON("count", 0, uri("/"), `{"Count":{}}`) + "]", `{"Block":{}}`,
			get("/a", ""), "BLOCK", "Default_Action", 0, [2]string{}},
		{"captcha without token",
			"[" + ruleJSON("cap", 0, uri("/"), `{"Captcha":{}}`) + "]", "",
			get("/a", ""), "CAPTCHA", "cap", 405, [2]string{"x-amzn-waf-action", "captcha"}},
		{"challenge without token",
			"[" + ruleJSON("chal", 0, uri("/"), `{"Challenge":{}}`) + "]", "",
			get("/a", ""), "CHALLENGE", "chal", 202, [2]string{"x-amzn-waf-action", "challenge"}},
		{"custom response",
			"[" + ruleJSON("b", 0, uri("/"), `{"Block":{"CustomResponse":{"ResponseCode":429,"CustomResponseBodyKey":"denied","ResponseHeaders":[{"Name":"Retry-After","Value":"60"}]}}}`) + "]", "",
			get("/a", ""), "BLOCK", "b", 429, [2]string{"Retry-After", "60"}},
		{"default block with custom response", "[]", `{"Block":{"CustomResponse":{"ResponseCode":403,"CustomResponseBodyKey":"denied"}}}`,
			get("/a", ""), "BLOCK", "Default_Action", 403, [2]string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var a *ACL
			if tc.def == "" {
				a = mustCompile(t, aclJSON(tc.rules), Resources{})
			} else {
				a = mustCompile(t, aclJSON(tc.rules, tc.def), Resources{})
			}
			v := a.Evaluate(tc.req, t0)
			if v.Action != tc.wantAction || v.TerminatingRuleID != tc.wantRule {
				t.Errorf("got %v/%v, want %v/%v", v.Action, v.TerminatingRuleID, tc.wantAction, tc.wantRule)
			}
			status := 0
			if v.CustomResponse != nil {
				status = v.CustomResponse.Status
				if tc.wantHeader != [2]string{} && !slices.Contains(v.CustomResponse.Headers, tc.wantHeader) {
					t.Errorf("got headers %v, want %v", v.CustomResponse.Headers, tc.wantHeader)
				}
			}
			if status != tc.wantStatus {
				t.Errorf("got status %v, want %v", status, tc.wantStatus)
			}
		})
	}
}

func TestCustomResponseBody(t *testing.T) {
	a := mustCompile(t, aclJSON("[]", `{"Block":{"CustomResponse":{"ResponseCode":403,"CustomResponseBodyKey":"denied"}}}`), Resources{})
	cr := a.Evaluate(get("/", ""), t0).CustomResponse
	if cr == nil || cr.Body != `{"error":"denied"}` || cr.ContentType != "application/json" {
		t.Errorf("got %+v, want the denied JSON body", cr)
	}
}

func TestInsertHeaders(t *testing.T) {
	rules := "[" + ruleJSON("c", 0, byteMatch("/", `{"UriPath":{}}`, "STARTS_WITH"), `{"Count":{"CustomRequestHandling":{"InsertHeaders":[{"Name":"counted","Value":"yes"}]}}}`) + "]"
	a := mustCompile(t, aclJSON(rules, `{"Allow":{"CustomRequestHandling":{"InsertHeaders":[{"Name":"edge","Value":"ok"}]}}}`), Resources{})
	v := a.Evaluate(get("/", ""), t0)
	want := [][2]string{{"x-amzn-waf-counted", "yes"}, {"x-amzn-waf-edge", "ok"}}
	if !reflect.DeepEqual(v.InsertHeaders, want) {
		t.Errorf("got %v, want %v", v.InsertHeaders, want)
	}
	b := mustCompile(t, aclJSON(rules, `{"Block":{}}`), Resources{})
	if v := b.Evaluate(get("/", ""), t0); len(v.InsertHeaders) != 0 {
		t.Errorf("got %v, want no inserted headers on BLOCK", v.InsertHeaders)
	}
}

func TestLabelFlow(t *testing.T) {
	uri := byteMatch("/a", `{"UriPath":{}}`, "STARTS_WITH")
	label := func(scope, key string) string {
		return `{"LabelMatchStatement":{"Scope":"` + scope + `","Key":"` + key + `"}}`
	}
	counter := `{"Name":"tag","Priority":1,"Statement":` + uri + `,"Action":{"Count":{}},"RuleLabels":[{"Name":"team:suspect"}],"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"tag"}}`
	cases := []struct {
		name, key, scope string
		prio             int
		want             string
	}{
		{"label after", "team:suspect", "LABEL", 2, "BLOCK"},
		{"label name only", "suspect", "LABEL", 2, "BLOCK"},
		{"fully qualified", "awswaf:123456789012:webacl:edge-acl:team:suspect", "LABEL", 2, "BLOCK"},
		{"namespace", "team:", "NAMESPACE", 2, "BLOCK"},
		{"namespace without colon", "team", "NAMESPACE", 2, "BLOCK"},
		{"other label", "team:other", "LABEL", 2, "ALLOW"},
		{"before the labelling rule", "team:suspect", "LABEL", 0, "ALLOW"},
		{"geo label", "awswaf:clientip:geo:country:FR", "LABEL", 3, "BLOCK"},
	}
	geo := ruleJSON("geo", 2, `{"GeoMatchStatement":{"CountryCodes":["US"]}}`, `{"Count":{}}`)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rules := "[" + counter + "," + geo[:0] + ruleJSON("lm", tc.prio+10*boolInt(tc.prio == 3), label(tc.scope, tc.key), `{"Block":{}}`)
			if tc.prio == 3 {
				rules += "," + geo
			}
			rules += "]"
			a := mustCompile(t, aclJSON(rules), Resources{})
			v := a.Evaluate(get("/a", ""), t0)
			if v.Action != tc.want {
				t.Errorf("got %v, want %v (labels %v)", v.Action, tc.want, v.Labels)
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestLabelsAndNonTerminating(t *testing.T) {
	rules := `[{"Name":"tag","Priority":0,"Statement":` + byteMatch("/", `{"UriPath":{}}`, "STARTS_WITH") + `,"Action":{"Count":{}},"RuleLabels":[{"Name":"a:b"}],"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"tag"}},` +
		ruleJSON("geo", 1, `{"GeoMatchStatement":{"CountryCodes":["US"]}}`, `{"Count":{}}`) + "]"
	a := mustCompile(t, aclJSON(rules), Resources{})
	v := a.Evaluate(get("/", ""), t0)
	wantLabels := []string{"awswaf:123456789012:webacl:edge-acl:a:b", "awswaf:clientip:geo:country:FR"}
	if !reflect.DeepEqual(v.Labels, wantLabels) {
		t.Errorf("got %v, want %v", v.Labels, wantLabels)
	}
	if len(v.NonTerminating) != 1 || v.NonTerminating[0].RuleID != "tag" || v.NonTerminating[0].Action != "COUNT" {
		t.Errorf("got %+v, want one COUNT match of tag", v.NonTerminating)
	}
}

func groupRule(name string, prio int, override string, extra string) string {
	return `{"Name":"` + name + `","Priority":` + itoa(prio) + `,"Statement":{"RuleGroupReferenceStatement":{"ARN":"` + groupARN + `"` + extra + `}},"OverrideAction":` + override +
		`,"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"g"}}`
}

func TestRuleGroups(t *testing.T) {
	res := testResources()
	cases := []struct {
		name, rule string
		uri        string
		wantAction string
		wantRule   string
		wantStatus int
		wantGroup  string // terminating group rule id
	}{
		{"group block", groupRule("shop", 0, `{"None":{}}`, ""), "/cart/admin", "BLOCK", "shop", 404, "g-block"},
		{"group no match", groupRule("shop", 0, `{"None":{}}`, ""), "/home", "ALLOW", "Default_Action", 0, ""},
		{"override action count", groupRule("shop", 0, `{"Count":{}}`, ""), "/cart/admin", "ALLOW", "Default_Action", 0, "g-block"},
		{"excluded rule", groupRule("shop", 0, `{"None":{}}`, `,"ExcludedRules":[{"Name":"g-block"}]`), "/cart/admin", "ALLOW", "Default_Action", 0, ""},
		{"rule action override", groupRule("shop", 0, `{"None":{}}`, `,"RuleActionOverrides":[{"Name":"g-block","ActionToUse":{"Captcha":{}}}]`), "/cart/admin", "CAPTCHA", "shop", 405, "g-block"},
		{"override to block", groupRule("shop", 0, `{"None":{}}`, `,"RuleActionOverrides":[{"Name":"g-count","ActionToUse":{"Block":{}}}]`), "/cart", "BLOCK", "shop", 0, "g-count"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := mustCompile(t, aclJSON("["+tc.rule+"]"), res)
			v := a.Evaluate(get(tc.uri, ""), t0)
			status := 0
			if v.CustomResponse != nil {
				status = v.CustomResponse.Status
			}
			if v.Action != tc.wantAction || v.TerminatingRuleID != tc.wantRule || status != tc.wantStatus {
				t.Errorf("got %v/%v/%v, want %v/%v/%v", v.Action, v.TerminatingRuleID, status, tc.wantAction, tc.wantRule, tc.wantStatus)
			}
			if len(v.RuleGroupList) != 1 {
				t.Fatalf("got %d rule groups, want 1", len(v.RuleGroupList))
			}
			got := ""
			if tr := v.RuleGroupList[0].TerminatingRule; tr != nil {
				got = tr.RuleID
			}
			if got != tc.wantGroup {
				t.Errorf("got group terminating rule %q, want %q", got, tc.wantGroup)
			}
		})
	}
}

func TestRuleGroupLabels(t *testing.T) {
	a := mustCompile(t, aclJSON("["+groupRule("shop", 0, `{"None":{}}`, "")+"]"), testResources())
	v := a.Evaluate(get("/cart", ""), t0)
	want := []string{"awswaf:123456789012:rulegroup:shop-rules:cart", "awswaf:123456789012:rulegroup:shop-rules:seen:cart"}
	if !reflect.DeepEqual(v.Labels, want) {
		t.Errorf("got %v, want %v", v.Labels, want)
	}
	if n := len(v.RuleGroupList[0].NonTerminating); n != 2 {
		t.Errorf("got %d group non-terminating matches, want 2", n)
	}
}
