package waf

import (
	"strings"
	"testing"
)

func TestOversize(t *testing.T) {
	big := strings.Repeat("a", 20<<10) + "secret"
	manyHeaders := get("/", "")
	for i := range 250 {
		manyHeaders.Headers = append(manyHeaders.Headers, Header{"X-H" + itoa(i), "v"})
	}
	cases := []struct {
		name  string
		field string
		req   *Request
		want  string
	}{
		{"body continue inspects the first 16 KB", `{"Body":{"OversizeHandling":"CONTINUE"}}`, post("/", big), "ALLOW"},
		{"body match", `{"Body":{"OversizeHandling":"MATCH"}}`, post("/", big), "BLOCK"},
		{"body no match", `{"Body":{"OversizeHandling":"NO_MATCH"}}`, post("/", big), "ALLOW"},
		{"body real size beyond the prefix", `{"Body":{"OversizeHandling":"MATCH"}}`, &Request{Method: "POST", Body: []byte("x"), BodySize: 1 << 20}, "BLOCK"},
		{"small body", `{"Body":{"OversizeHandling":"MATCH"}}`, post("/", "secret"), "BLOCK"},
		{"headers match", `{"Headers":{"MatchPattern":{"All":{}},"MatchScope":"VALUE","OversizeHandling":"MATCH"}}`, manyHeaders, "BLOCK"},
		{"headers no match", `{"Headers":{"MatchPattern":{"All":{}},"MatchScope":"VALUE","OversizeHandling":"NO_MATCH"}}`, manyHeaders, "ALLOW"},
		{"json body match", `{"JsonBody":{"MatchPattern":{"All":{}},"MatchScope":"VALUE","OversizeHandling":"MATCH"}}`, post("/", `{"a":"`+big+`"}`), "BLOCK"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := mustCompile(t, aclJSON("["+ruleJSON("r", 0, byteMatch("secret", tc.field, "CONTAINS"), `{"Block":{}}`)+"]"), Resources{})
			if got := a.Evaluate(tc.req, t0).Action; got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestBodyInspectionLimit(t *testing.T) {
	doc := strings.Replace(aclJSON("["+ruleJSON("r", 0, byteMatch("secret", `{"Body":{"OversizeHandling":"CONTINUE"}}`, "CONTAINS"), `{"Block":{}}`)+"]"),
		`"Rules"`, `"AssociationConfig":{"RequestBody":{"CLOUDFRONT":{"DefaultSizeInspectionLimit":"KB_32"}}},"Rules"`, 1)
	a := mustCompile(t, doc, Resources{})
	if got := a.Evaluate(post("/", strings.Repeat("a", 20<<10)+"secret"), t0).Action; got != "BLOCK" {
		t.Errorf("got %v, want %v", got, "BLOCK")
	}
}
