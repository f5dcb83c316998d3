package waf

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

func TestCompileErrors(t *testing.T) {
	block := `{"Block":{}}`
	uri := byteMatch("/", `{"UriPath":{}}`, "STARTS_WITH")
	res := testResources()
	cases := []struct {
		name  string
		rules string
		want  []string
	}{
		{"unknown statement", "[" + ruleJSON("r", 0, `{}`, block) + "]", []string{"Rules[0].Statement: exactly one statement is required"}},
		{"duplicate priority", "[" + ruleJSON("a", 1, uri, block) + "," + ruleJSON("b", 1, uri, block) + "]", []string{"Rules[1].Priority: duplicate priority 1 (also Rules[0])"}},
		{"bad regex", "[" + ruleJSON("r", 0, `{"RegexMatchStatement":{"RegexString":"a(b","FieldToMatch":{"UriPath":{}},"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}`, block) + "]",
			[]string{"Rules[0].Statement.RegexMatchStatement.RegexString: error parsing regexp: missing closing )"}},
		{"unknown ip set", "[" + ruleJSON("r", 0, `{"IPSetReferenceStatement":{"ARN":"nope"}}`, block) + "]", []string{`Rules[0].Statement.IPSetReferenceStatement.ARN: unknown IP set "nope"`}},
		{"unknown regex set", "[" + ruleJSON("r", 0, `{"RegexPatternSetReferenceStatement":{"ARN":"nope","FieldToMatch":{"UriPath":{}},"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}`, block) + "]", []string{`unknown regex pattern set "nope"`}},
		{"unknown group", "[" + groupRule("g", 0, `{"None":{}}`, "")[:0] + `{"Name":"g","Priority":0,"Statement":{"RuleGroupReferenceStatement":{"ARN":"nope"}},"OverrideAction":{"None":{}},"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"g"}}]`, []string{`Rules[0].Statement.RuleGroupReferenceStatement.ARN: unknown rule group "nope"`}},
		{"managed group", `[{"Name":"m","Priority":0,"Statement":{"ManagedRuleGroupStatement":{"VendorName":"AWS","Name":"AWSManagedRulesLinuxRuleSet"}},"OverrideAction":{"None":{}},"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"m"}}]`,
			[]string{"Rules[0].Statement.ManagedRuleGroupStatement: managed rule group AWS/AWSManagedRulesLinuxRuleSet is not supported by this edge"}},
		{"ja3 fallback required", "[" + ruleJSON("r", 0, byteMatch("x", `{"JA3Fingerprint":{}}`, "EXACTLY"), block) + "]",
			[]string{"Rules[0].Statement.ByteMatchStatement.FieldToMatch.JA3Fingerprint.FallbackBehavior: required (MATCH or NO_MATCH)"}},
		{"ja4 unknown fallback", "[" + ruleJSON("r", 0, byteMatch("x", `{"JA4Fingerprint":{"FallbackBehavior":"MAYBE"}}`, "EXACTLY"), block) + "]",
			[]string{`Rules[0].Statement.ByteMatchStatement.FieldToMatch.JA4Fingerprint.FallbackBehavior: must be MATCH or NO_MATCH, got "MAYBE"`}},
		{"ja3 in sqli refused", "[" + ruleJSON("r", 0, `{"SqliMatchStatement":{"FieldToMatch":{"JA3Fingerprint":{"FallbackBehavior":"NO_MATCH"}},"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}`, block) + "]",
			[]string{"Rules[0].Statement.SqliMatchStatement.FieldToMatch.JA3Fingerprint: AWS WAF inspects TLS fingerprints in string match, regex, regex pattern set and size constraint statements only, not in SqliMatchStatement"}},
		{"ja4 in xss refused", "[" + ruleJSON("r", 0, `{"XssMatchStatement":{"FieldToMatch":{"JA4Fingerprint":{"FallbackBehavior":"NO_MATCH"}},"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}`, block) + "]",
			[]string{"Rules[0].Statement.XssMatchStatement.FieldToMatch.JA4Fingerprint: AWS WAF inspects TLS fingerprints in string match, regex, regex pattern set and size constraint statements only, not in XssMatchStatement"}},
		{"two fields", "[" + ruleJSON("r", 0, byteMatch("x", `{"JA3Fingerprint":{"FallbackBehavior":"MATCH"},"UriPath":{}}`, "EXACTLY"), block) + "]",
			[]string{"FieldToMatch: exactly one field to match is allowed, got UriPath, JA3Fingerprint"}},
		{"uri fragment refused", "[" + ruleJSON("r", 0, byteMatch("x", `{"UriFragment":{"FallbackBehavior":"MATCH"}}`, "EXACTLY"), block) + "]",
			[]string{"Rules[0].Statement.ByteMatchStatement.FieldToMatch.UriFragment: field to match UriFragment is not available at this edge"}},
		{"fingerprint rate key fallback", "[" + ruleJSON("r", 0, `{"RateBasedStatement":{"Limit":100,"AggregateKeyType":"CUSTOM_KEYS","CustomKeys":[{"JA3Fingerprint":{}},{"JA4Fingerprint":{"FallbackBehavior":"SOMETIMES"}}]}}`, block) + "]",
			[]string{"CustomKeys[0].JA3Fingerprint.FallbackBehavior: required", `CustomKeys[1].JA4Fingerprint.FallbackBehavior: must be MATCH or NO_MATCH, got "SOMETIMES"`}},
		{"asn rate key refused", "[" + ruleJSON("r", 0, `{"RateBasedStatement":{"Limit":100,"AggregateKeyType":"CUSTOM_KEYS","CustomKeys":[{"JA3Fingerprint":{"FallbackBehavior":"MATCH"}},{"ASN":{}}]}}`, block) + "]",
			[]string{"CustomKeys[1].ASN: custom key ASN is not available at this edge"}},
		{"asn without a database", "[" + ruleJSON("r", 0, `{"AsnMatchStatement":{"AsnList":[64496]}}`, block) + "]", []string{"Rules[0].Statement.AsnMatchStatement: needs an ASN database", "--asn-db"}},
		{"unknown transformation", "[" + ruleJSON("r", 0, byteMatch("x", `{"UriPath":{}}`, "EXACTLY", "ROT13"), block) + "]", []string{`Rules[0].Statement.ByteMatchStatement.TextTransformations[0].Type: unknown text transformation "ROT13"`}},
		{"unsupported transformation", "[" + ruleJSON("r", 0, byteMatch("x", `{"UriPath":{}}`, "EXACTLY", "CMD_LINE_WIN"), block) + "]", []string{"TextTransformations[0].Type: text transformation CMD_LINE_WIN is not supported by this edge"}},
		{"malformed label key", "[" + ruleJSON("r", 0, `{"LabelMatchStatement":{"Scope":"LABEL","Key":"a::b"}}`, block) + "]", []string{`Rules[0].Statement.LabelMatchStatement.Key: label "a::b" has an empty component`}},
		{"label key ends with colon", "[" + ruleJSON("r", 0, `{"LabelMatchStatement":{"Scope":"LABEL","Key":"a:"}}`, block) + "]", []string{"Rules[0].Statement.LabelMatchStatement.Key: label key"}},
		{"nested rate", "[" + ruleJSON("r", 0, `{"NotStatement":{"Statement":{"RateBasedStatement":{"Limit":100,"AggregateKeyType":"IP"}}}}`, block) + "]", []string{"Rules[0].Statement.NotStatement.Statement.RateBasedStatement: RateBasedStatement cannot be nested"}},
		{"bad status", "[" + ruleJSON("r", 0, uri, `{"Block":{"CustomResponse":{"ResponseCode":418}}}`) + "]", []string{"Rules[0].Action.Block.CustomResponse.ResponseCode: 418"}},
		{"unknown body key", "[" + ruleJSON("r", 0, uri, `{"Block":{"CustomResponse":{"ResponseCode":403,"CustomResponseBodyKey":"nope"}}}`) + "]", []string{`no custom response body "nope"`}},
		{"all errors together", "[" + ruleJSON("a", 0, `{}`, block) + "," + ruleJSON("b", 0, `{"IPSetReferenceStatement":{"ARN":"nope"}}`, block) + "]",
			[]string{"Rules[0].Statement: exactly one", "Rules[1].Priority: duplicate", "Rules[1].Statement.IPSetReferenceStatement.ARN"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(decodeACL(t, aclJSON(tc.rules)), res)
			if err == nil {
				t.Fatalf("got nil error, want %v", tc.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("got %v, want it to wrap ErrInvalid", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %v, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestCompileGroupCycle(t *testing.T) {
	mk := func(name, target string) *types.RuleGroup {
		var g types.RuleGroup
		doc := `{"Name":"` + name + `","ARN":"arn:aws:wafv2:us-east-1:123456789012:global/rulegroup/` + name + `/x","Rules":[{"Name":"ref","Priority":0,"Statement":{"RuleGroupReferenceStatement":{"ARN":"` + target + `"}},"OverrideAction":{"None":{}},"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"m"}}]}`
		if err := decodeInto(doc, &g); err != nil {
			t.Fatal(err)
		}
		return &g
	}
	res := Resources{RuleGroups: map[string]*types.RuleGroup{"a": mk("a", "b"), "b": mk("b", "a")}}
	doc := aclJSON(`[{"Name":"g","Priority":0,"Statement":{"RuleGroupReferenceStatement":{"ARN":"a"}},"OverrideAction":{"None":{}},"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"g"}}]`)
	_, err := Compile(decodeACL(t, doc), res)
	want := "Rules[0].Statement.RuleGroupReferenceStatement.ARN→Rules[0].Statement.RuleGroupReferenceStatement: cycle between rule groups: " +
		"arn:aws:wafv2:us-east-1:123456789012:global/rulegroup/a/x → arn:aws:wafv2:us-east-1:123456789012:global/rulegroup/b/x → arn:aws:wafv2:us-east-1:123456789012:global/rulegroup/a/x"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want it to contain %q", err, want)
	}
}
