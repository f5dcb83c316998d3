package waf

import (
	"net/netip"
	"testing"
)

func TestStatements(t *testing.T) {
	ipsets := map[string]string{}
	_ = ipsets
	res := testResources()
	block := `{"Block":{}}`
	cases := []struct {
		name string
		stmt string
		req  *Request
		want string
	}{
		{"byte exactly", byteMatch("/admin", `{"UriPath":{}}`, "EXACTLY"), get("/admin", ""), "BLOCK"},
		{"byte exactly miss", byteMatch("/admin", `{"UriPath":{}}`, "EXACTLY"), get("/admin/x", ""), "ALLOW"},
		{"byte starts", byteMatch("/admin", `{"UriPath":{}}`, "STARTS_WITH"), get("/admin/x", ""), "BLOCK"},
		{"byte ends", byteMatch(".php", `{"UriPath":{}}`, "ENDS_WITH"), get("/x.php", ""), "BLOCK"},
		{"byte contains", byteMatch("bot", `{"SingleHeader":{"Name":"user-agent"}}`, "CONTAINS"), get("/", "", "User-Agent", "evilbot/1"), "BLOCK"},
		{"byte case sensitive", byteMatch("bot", `{"SingleHeader":{"Name":"user-agent"}}`, "CONTAINS"), get("/", "", "User-Agent", "EVILBOT/1"), "ALLOW"},
		{"byte word", byteMatch("drop", `{"QueryString":{}}`, "CONTAINS_WORD"), get("/", "q=drop"), "BLOCK"},
		{"byte word inside", byteMatch("drop", `{"QueryString":{}}`, "CONTAINS_WORD"), get("/", "q=dropbox"), "ALLOW"},
		{"byte method", byteMatch("DELETE", `{"Method":{}}`, "EXACTLY"), &Request{Method: "DELETE"}, "BLOCK"},
		{"single query arg", byteMatch("1", `{"SingleQueryArgument":{"Name":"debug"}}`, "EXACTLY"), get("/", "a=2&DEBUG=1"), "BLOCK"},
		{"all query args", byteMatch("x", `{"AllQueryArguments":{}}`, "EXACTLY"), get("/", "a=2&b=x"), "BLOCK"},
		{"all query args miss", byteMatch("b", `{"AllQueryArguments":{}}`, "EXACTLY"), get("/", "a=2&b=x"), "ALLOW"},
		{"body", byteMatch("secret", `{"Body":{"OversizeHandling":"CONTINUE"}}`, "CONTAINS"), post("/", "a secret"), "BLOCK"},
		{"headers value", byteMatch("evil", `{"Headers":{"MatchPattern":{"All":{}},"MatchScope":"VALUE","OversizeHandling":"CONTINUE"}}`, "EXACTLY"), get("/", "", "X-A", "evil"), "BLOCK"},
		{"headers key scope", byteMatch("x-a", `{"Headers":{"MatchPattern":{"All":{}},"MatchScope":"KEY","OversizeHandling":"CONTINUE"}}`, "EXACTLY", "LOWERCASE"), get("/", "", "X-A", "1"), "BLOCK"},
		{"headers excluded", byteMatch("evil", `{"Headers":{"MatchPattern":{"ExcludedHeaders":["x-a"]},"MatchScope":"ALL","OversizeHandling":"CONTINUE"}}`, "EXACTLY"), get("/", "", "X-A", "evil"), "ALLOW"},
		{"headers included", byteMatch("evil", `{"Headers":{"MatchPattern":{"IncludedHeaders":["x-b"]},"MatchScope":"ALL","OversizeHandling":"CONTINUE"}}`, "EXACTLY"), get("/", "", "X-A", "1", "x-B", "evil"), "BLOCK"},
		{"cookies", byteMatch("admin", `{"Cookies":{"MatchPattern":{"IncludedCookies":["role"]},"MatchScope":"VALUE","OversizeHandling":"CONTINUE"}}`, "EXACTLY"), get("/", "", "Cookie", "a=1; role=admin"), "BLOCK"},
		{"cookies key", byteMatch("role", `{"Cookies":{"MatchPattern":{"All":{}},"MatchScope":"KEY","OversizeHandling":"CONTINUE"}}`, "EXACTLY"), get("/", "", "Cookie", "a=1; role=admin"), "BLOCK"},
		{"header order", byteMatch("host:user-agent", `{"HeaderOrder":{"OversizeHandling":"CONTINUE"}}`, "STARTS_WITH"), get("/", "", "Host", "h", "User-Agent", "u"), "BLOCK"},
		{"json value", byteMatch("root", `{"JsonBody":{"MatchPattern":{"IncludedPaths":["/user/name"]},"MatchScope":"VALUE","OversizeHandling":"CONTINUE"}}`, "EXACTLY"), post("/", `{"user":{"name":"root"},"x":"root2"}`), "BLOCK"},
		{"json path excluded", byteMatch("root", `{"JsonBody":{"MatchPattern":{"IncludedPaths":["/other"]},"MatchScope":"VALUE","OversizeHandling":"CONTINUE"}}`, "EXACTLY"), post("/", `{"user":{"name":"root"}}`), "ALLOW"},
		{"json key", byteMatch("isAdmin", `{"JsonBody":{"MatchPattern":{"All":{}},"MatchScope":"KEY","OversizeHandling":"CONTINUE"}}`, "EXACTLY"), post("/", `{"a":[1,{"isAdmin":true}]}`), "BLOCK"},
		{"json array value", byteMatch("true", `{"JsonBody":{"MatchPattern":{"IncludedPaths":["/a/1/isAdmin"]},"MatchScope":"VALUE","OversizeHandling":"CONTINUE"}}`, "EXACTLY"), post("/", `{"a":[1,{"isAdmin":true}]}`), "BLOCK"},
		{"json invalid match", byteMatch("zzz", `{"JsonBody":{"MatchPattern":{"All":{}},"MatchScope":"VALUE","InvalidFallbackBehavior":"MATCH","OversizeHandling":"CONTINUE"}}`, "EXACTLY"), post("/", `{"a":`), "BLOCK"},
		{"json invalid as string", byteMatch("{bad", `{"JsonBody":{"MatchPattern":{"All":{}},"MatchScope":"VALUE","InvalidFallbackBehavior":"EVALUATE_AS_STRING","OversizeHandling":"CONTINUE"}}`, "STARTS_WITH"), post("/", `{bad`), "BLOCK"},
		{"regex", `{"RegexMatchStatement":{"RegexString":"^/api/v[0-9]+/admin","FieldToMatch":{"UriPath":{}},"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}`, get("/api/v2/admin", ""), "BLOCK"},
		{"regex set", `{"RegexPatternSetReferenceStatement":{"ARN":"arn:aws:wafv2:us-east-1:123456789012:global/regexpatternset/bad-agents/r1","FieldToMatch":{"SingleHeader":{"Name":"user-agent"}},"TextTransformations":[{"Priority":0,"Type":"LOWERCASE"}]}}`, get("/", "", "User-Agent", "SQLMap/1.5"), "BLOCK"},
		{"size gt", `{"SizeConstraintStatement":{"FieldToMatch":{"QueryString":{}},"ComparisonOperator":"GT","Size":5,"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}`, get("/", "abcdef"), "BLOCK"},
		{"size le miss", `{"SizeConstraintStatement":{"FieldToMatch":{"QueryString":{}},"ComparisonOperator":"LE","Size":5,"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}`, get("/", "abcdef"), "ALLOW"},
		{"size eq", `{"SizeConstraintStatement":{"FieldToMatch":{"UriPath":{}},"ComparisonOperator":"EQ","Size":2,"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}`, get("/a", ""), "BLOCK"},
		{"size ne", `{"SizeConstraintStatement":{"FieldToMatch":{"UriPath":{}},"ComparisonOperator":"NE","Size":2,"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}`, get("/a", ""), "ALLOW"},
		{"size lt", `{"SizeConstraintStatement":{"FieldToMatch":{"UriPath":{}},"ComparisonOperator":"LT","Size":3,"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}`, get("/a", ""), "BLOCK"},
		{"size ge", `{"SizeConstraintStatement":{"FieldToMatch":{"UriPath":{}},"ComparisonOperator":"GE","Size":3,"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}`, get("/a", ""), "ALLOW"},
		{"sqli", `{"SqliMatchStatement":{"FieldToMatch":{"QueryString":{}},"TextTransformations":[{"Priority":0,"Type":"URL_DECODE"}]}}`, get("/", "id=1%27%20OR%20%271%27%3D%271%27--"), "BLOCK"},
		{"sqli benign", `{"SqliMatchStatement":{"FieldToMatch":{"QueryString":{}},"TextTransformations":[{"Priority":0,"Type":"URL_DECODE"}]}}`, get("/", "name=O%27Reilly"), "ALLOW"},
		{"sqli high", `{"SqliMatchStatement":{"FieldToMatch":{"SingleQueryArgument":{"Name":"q"}},"SensitivityLevel":"HIGH","TextTransformations":[{"Priority":0,"Type":"URL_DECODE"}]}}`, get("/", "q=x%20waitfor%20delay%20%270:0:5%27"), "BLOCK"},
		{"xss", `{"XssMatchStatement":{"FieldToMatch":{"Body":{"OversizeHandling":"CONTINUE"}},"TextTransformations":[{"Priority":0,"Type":"HTML_ENTITY_DECODE"}]}}`, post("/", "c=&lt;script&gt;alert(1)&lt;/script&gt;"), "BLOCK"},
		{"xss benign", `{"XssMatchStatement":{"FieldToMatch":{"Body":{"OversizeHandling":"CONTINUE"}},"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}`, post("/", "a < b and c > d"), "ALLOW"},
		{"ipset v4", `{"IPSetReferenceStatement":{"ARN":"arn:aws:wafv2:us-east-1:123456789012:global/ipset/bad/i1"}}`, get("/", ""), "BLOCK"},
		{"ipset by name", `{"IPSetReferenceStatement":{"ARN":"bad"}}`, get("/", ""), "BLOCK"},
		{"ipset v6", `{"IPSetReferenceStatement":{"ARN":"bad6"}}`, &Request{ClientIP: netip.MustParseAddr("2001:db8::1")}, "BLOCK"},
		{"ipset miss", `{"IPSetReferenceStatement":{"ARN":"bad"}}`, &Request{ClientIP: netip.MustParseAddr("203.0.113.1")}, "ALLOW"},
		{"ipset fwd first", `{"IPSetReferenceStatement":{"ARN":"bad","IPSetForwardedIPConfig":{"HeaderName":"X-Forwarded-For","FallbackBehavior":"NO_MATCH","Position":"FIRST"}}}`, get("/", "", "X-Forwarded-For", "198.51.100.9, 10.0.0.1"), "BLOCK"},
		{"ipset fwd last", `{"IPSetReferenceStatement":{"ARN":"bad","IPSetForwardedIPConfig":{"HeaderName":"X-Forwarded-For","FallbackBehavior":"NO_MATCH","Position":"LAST"}}}`, get("/", "", "X-Forwarded-For", "198.51.100.9, 10.0.0.1"), "ALLOW"},
		{"ipset fwd any", `{"IPSetReferenceStatement":{"ARN":"bad","IPSetForwardedIPConfig":{"HeaderName":"X-Forwarded-For","FallbackBehavior":"NO_MATCH","Position":"ANY"}}}`, get("/", "", "X-Forwarded-For", "10.0.0.1, 198.51.100.9"), "BLOCK"},
		{"ipset fwd fallback", `{"IPSetReferenceStatement":{"ARN":"bad","IPSetForwardedIPConfig":{"HeaderName":"X-Forwarded-For","FallbackBehavior":"MATCH","Position":"FIRST"}}}`, get("/", "", "X-Forwarded-For", "garbage"), "BLOCK"},
		{"geo", `{"GeoMatchStatement":{"CountryCodes":["FR","DE"]}}`, get("/", ""), "BLOCK"},
		{"geo miss", `{"GeoMatchStatement":{"CountryCodes":["US"]}}`, get("/", ""), "ALLOW"},
		{"geo fwd", `{"GeoMatchStatement":{"CountryCodes":["JP"],"ForwardedIPConfig":{"HeaderName":"X-Client-IP","FallbackBehavior":"NO_MATCH"}}}`, withGeo(get("/", "", "X-Client-IP", "192.0.2.1")), "BLOCK"},
		{"and", `{"AndStatement":{"Statements":[` + byteMatch("/a", `{"UriPath":{}}`, "EXACTLY") + `,` + byteMatch("POST", `{"Method":{}}`, "EXACTLY") + `]}}`, post("/a", ""), "BLOCK"},
		{"and miss", `{"AndStatement":{"Statements":[` + byteMatch("/a", `{"UriPath":{}}`, "EXACTLY") + `,` + byteMatch("POST", `{"Method":{}}`, "EXACTLY") + `]}}`, get("/a", ""), "ALLOW"},
		{"or", `{"OrStatement":{"Statements":[` + byteMatch("/b", `{"UriPath":{}}`, "EXACTLY") + `,` + byteMatch("GET", `{"Method":{}}`, "EXACTLY") + `]}}`, get("/a", ""), "BLOCK"},
		{"not", `{"NotStatement":{"Statement":` + byteMatch("/a", `{"UriPath":{}}`, "EXACTLY") + `}}`, get("/b", ""), "BLOCK"},
		{"not miss", `{"NotStatement":{"Statement":` + byteMatch("/a", `{"UriPath":{}}`, "EXACTLY") + `}}`, get("/a", ""), "ALLOW"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := mustCompile(t, aclJSON("["+ruleJSON("r", 0, tc.stmt, block)+"]"), res)
			if got := a.Evaluate(tc.req, t0).Action; got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func withGeo(r *Request) *Request {
	r.Geo = testLocator{"192.0.2.0/24": {"JP", "13"}}
	return r
}

// testLocator answers by network: "192.0.2.0/24" → {country, region}.
type testLocator map[string][2]string

func (l testLocator) Region(a netip.Addr) (string, string) {
	for p, loc := range l {
		if netip.MustParsePrefix(p).Contains(a) {
			return loc[0], loc[1]
		}
	}
	return "", ""
}
