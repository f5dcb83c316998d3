package waf

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

func FuzzTransformations(f *testing.F) {
	for _, tc := range transformCases {
		f.Add(tc.in)
	}
	f.Add("%u%%41\\u00\\x4&#x;&#99999999999;0x0/../..//\\")
	f.Fuzz(func(t *testing.T, in string) {
		for typ, fn := range transforms {
			if fn == nil {
				continue
			}
			out, changed := fn(nil, []byte(in))
			if !changed && string(out) != in {
				t.Fatalf("%s: unchanged output %q differs from input %q", typ, out, in)
			}
			// UTF8_TO_UNICODE grows at most 3x (2-byte sequence → 6
			// bytes); digests are 32 bytes at most.
			if len(out) > 3*len(in)+32 {
				t.Fatalf("%s: output of %d bytes for input of %d", typ, len(out), len(in))
			}
		}
	})
}

func FuzzCompile(f *testing.F) {
	f.Add(aclJSON("[]"))
	f.Add(aclJSON("[" + ruleJSON("r", 0, byteMatch("x", `{"UriPath":{}}`, "EXACTLY", "URL_DECODE"), `{"Block":{}}`) + "]"))
	f.Add(aclJSON("[" + groupRule("g", 0, `{"None":{}}`, `,"ExcludedRules":[{"Name":"g-block"}]`) + "]"))
	f.Add(aclJSON("[" + ruleJSON("r", 0, `{"RateBasedStatement":{"Limit":10,"AggregateKeyType":"CUSTOM_KEYS","CustomKeys":[{"LabelNamespace":{"Namespace":"a:"}}]}}`, `{"Block":{}}`) + "]"))
	f.Add(aclJSON("[" + ruleJSON("r", 0, `{"NotStatement":{"Statement":{"LabelMatchStatement":{"Scope":"NAMESPACE","Key":"x"}}}}`, `{"Captcha":{}}`) + "]"))
	res := testResources()
	f.Fuzz(func(t *testing.T, doc string) {
		var acl types.WebACL
		if json.Unmarshal([]byte(doc), &acl) != nil {
			return
		}
		a, err := Compile(&acl, res)
		if err != nil {
			return
		}
		// A web ACL that compiles must evaluate and log without panicking.
		r := benignRequest()
		v := a.Evaluate(r, t0)
		a.LogRecord(r, v, t0, a.ARN(), "E1")
	})
}
