package doctor

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	"github.com/openfront-edge/openfront/internal/cause"
)

var zeroTime time.Time

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestParseOriginDomain(t *testing.T) {
	tests := []struct {
		domain string
		want   S3Host
	}{
		{"bucket.s3.amazonaws.com", S3Host{OriginS3REST, "bucket", "us-east-1"}},
		{"bucket.s3.us-east-2.amazonaws.com", S3Host{OriginS3REST, "bucket", "us-east-2"}},
		{"my.dotted.bucket.s3.eu-west-1.amazonaws.com", S3Host{OriginS3REST, "my.dotted.bucket", "eu-west-1"}},
		{"bucket.s3-us-west-2.amazonaws.com", S3Host{OriginS3REST, "bucket", "us-west-2"}},
		{"bucket.s3.dualstack.ap-south-1.amazonaws.com", S3Host{OriginS3REST, "bucket", "ap-south-1"}},
		{"bucket.s3-website-us-east-1.amazonaws.com", S3Host{OriginS3Website, "bucket", "us-east-1"}},
		{"bucket.s3-website.eu-west-2.amazonaws.com", S3Host{OriginS3Website, "bucket", "eu-west-2"}},
		{"bucket.s3.cn-north-1.amazonaws.com.cn", S3Host{OriginS3REST, "bucket", "cn-north-1"}},
		{"api.example.com", S3Host{Kind: OriginCustom}},
		{"elb.us-east-1.elb.amazonaws.com", S3Host{Kind: OriginCustom}},
		{"s3.amazonaws.com", S3Host{Kind: OriginCustom}},
	}
	for _, tc := range tests {
		if got := ParseOriginDomain(tc.domain); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.domain, got, tc.want)
		}
	}
}

func TestOverlap(t *testing.T) {
	tests := []struct {
		a, b    string
		overlap bool
	}{
		{"/private/*", "*.mp4", true},
		{"/private/*", "/public/*", false},
		{"images/*.jpg", "/images/a?.jpg", true},
		{"*.jpg", "*.png", false},
		{"/a/*", "/a/b", true},
		{"/a", "/b", false},
		{"/x?y", "/x*", true},
	}
	for _, tc := range tests {
		w, ok := overlap(tc.a, tc.b)
		if ok != tc.overlap {
			t.Errorf("%s vs %s: got %v (%q), want %v", tc.a, tc.b, ok, w, tc.overlap)
			continue
		}
		if ok && (!globPath(tc.a, w) || !globPath(tc.b, w)) {
			t.Errorf("%s vs %s: witness %q does not match both", tc.a, tc.b, w)
		}
	}
}

func globPath(p, s string) bool { return glob(canonPattern(p), s) }

func TestJudgeTrip(t *testing.T) {
	var d distStats
	for i := 0; i < 100; i++ {
		d.miss.add(int64(30 + i))
	}
	tests := []struct {
		ms     int64
		st     *distStats
		want   Trip
		strong bool
	}{
		{1, &d, TripNone, true},
		{80, &d, TripOrigin, true},
		{31, &d, TripUnclear, true},
		{1, nil, TripNone, false},
		{50, nil, TripOrigin, false},
		{9, nil, TripUnclear, false},
		{-1, &d, TripUnclear, false},
	}
	for _, tc := range tests {
		got, strong, _ := judgeTrip(tc.ms, tc.st)
		if got != tc.want || strong != tc.strong {
			t.Errorf("%d ms: got %v/%v, want %v/%v", tc.ms, got, strong, tc.want, tc.strong)
		}
	}
}

func TestParseMillis(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"0.001", 1}, {"12.345", 12345}, {"4", 4000}, {"0.5", 500}, {"-", -1}, {"", -1}, {"x", -1}, {".5", -1},
		{"1.2x", -1},
	}
	for _, tc := range tests {
		if got := parseMillis([]byte(tc.in)); got != tc.want {
			t.Errorf("%q: got %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestEdgePage(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{1053, SentenceMethod}, {919, SentenceWAF}, {915, SentenceBadRequest}, {986, SentenceGeo}, {556, SentenceBadRequest}, {243, ""},
	}
	for _, tc := range tests {
		if got := edgePage("text/html", tc.n); got != tc.want {
			t.Errorf("%d: got %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, url string
		want         bool
	}{
		{"https://www.example.com/private/*", "https://www.example.com/private/a.mp4?x=1", true},
		{"https://www.example.com/private/a.mp4", "https://www.example.com/private/b.mp4", false},
		{"*", "http://x/y", true},
		{"https://*.example.com/a?c", "https://WWW.example.com/abc", true},
	}
	for _, tc := range tests {
		if got := globMatch(tc.pattern, tc.url); got != tc.want {
			t.Errorf("%s ~ %s: got %v, want %v", tc.pattern, tc.url, got, tc.want)
		}
	}
}

// TestNum: num reads what strconv.ParseInt reads, -1 for the rest.
func TestNum(t *testing.T) {
	for _, s := range []string{"", "0", "507", "+5", "-5", "-", "+", "1_000", "12a", " 1",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
		"99999999999999999999", "00012"} {
		want, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			want = -1
		}
		if got := num([]byte(s)); got != want {
			t.Errorf("num(%q): got %v, want %v", s, got, want)
		}
	}
}

// TestRequestJSON: appendRequestJSON writes what json.MarshalIndent writes.
func TestRequestJSON(t *testing.T) {
	odd := []string{"", "plain", `quote " and \ backslash`, "<script>&amp;</script>", "tab\tnew\nline\r\b\f\x00\x1f\x7f",
		"é ü 中文 😀", "bad \xff\xfe utf-8", "\u2028\u2029", "/a%20b?c=d"}
	var reqs []Request
	for i, s := range odd {
		reqs = append(reqs, Request{
			RequestID: s, Time: "2024-05-01T10:00:00Z", Status: 400 + i, Method: s, Host: s, Path: s,
			Distribution: s, Cause: s, Detail: s, Confidence: s, Candidates: odd[:i], Evidence: odd[i:],
		})
	}
	reqs = append(reqs, Request{Status: -1}, Request{Candidates: []string{}, Evidence: nil})
	for _, r := range reqs {
		want, err := json.MarshalIndent(&r, "    ", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if got := appendRequestJSON(nil, &r); string(got) != string(want) {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
	}
}

// TestSelectBest: the half a purge keeps is the first half of the sorted
// table, for tables with many ties.
func TestSelectBest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var e []topEntry
		for i := range topKCap {
			v := fmt.Sprintf("v%d", rng.IntN(40+round))
			e = append(e, topEntry{count: int64(rng.IntN(1 + round%5)), hash: fnv1a(v) >> (round % 60), value: v + fmt.Sprint(i)})
		}
		want := slices.Clone(e)
		slices.SortFunc(want, func(a, b topEntry) int {
			if a.before(&b) {
				return -1
			}
			return 1
		})
		k := 1 + rng.IntN(len(e))
		selectBest(e, k)
		got := slices.Clone(e[:k])
		slices.SortFunc(got, func(a, b topEntry) int {
			if a.before(&b) {
				return -1
			}
			return 1
		})
		if !slices.Equal(got, want[:k]) {
			t.Fatalf("round %d, k %d: got %v, want %v", round, k, got, want[:k])
		}
	}
}

// TestGeoFixNamesTheCountry: a block list's fix names the country when the
// logs have none (standard logs carry no c-country): the only one listed,
// or the listed ones to choose from.
func TestGeoFixNamesTheCountry(t *testing.T) {
	for _, tc := range []struct {
		geo     GeoRestriction
		country string
		want    string
	}{
		{GeoRestriction{Type: types.GeoRestrictionTypeBlacklist, Countries: []string{"GB"}}, "", "remove GB from the block list"},
		{GeoRestriction{Type: types.GeoRestrictionTypeBlacklist, Countries: []string{"GB", "FR"}}, "", "remove the viewers' country (one of GB, FR) from the block list"},
		{GeoRestriction{Type: types.GeoRestrictionTypeBlacklist, Countries: []string{"GB", "FR"}}, "FR", "remove FR from the block list"},
		{GeoRestriction{Type: types.GeoRestrictionTypeWhitelist, Countries: []string{"US"}}, "", "add COUNTRY to the allow list"},
	} {
		f := fixFor(cause.GeoRestriction, "", &fixContext{dist: &Dist{Geo: tc.geo}, country: tc.country})
		if !strings.HasPrefix(f.Summary, tc.want) {
			t.Errorf("%v, country %q: fix %q, want it to start %q", tc.geo, tc.country, f.Summary, tc.want)
		}
	}
}

func TestWebACLNameID(t *testing.T) {
	for arn, want := range map[string][2]string{
		"arn:aws:wafv2:us-east-1:123456789012:global/webacl/demo-acl/d3m0":                                      {"demo-acl", "d3m0"},
		"arn:aws:wafv2:us-east-1:123456789012:global/webacl/ExampleWebACL/473e64fd-f30b-4765-81a0-62ad96dd167a": {"ExampleWebACL", "473e64fd-f30b-4765-81a0-62ad96dd167a"},
		"473e64fd-f30b-4765-81a0-62ad96dd167a":                                                                  {"", ""}, // a bare id names no ACL
		"arn:aws:wafv2:us-east-1:123456789012:regional/webacl/x/y":                                              {"", ""},
		"arn:aws:wafv2:us-east-1:123456789012:global/webacl/only-name":                                          {"", ""},
	} {
		name, id, ok := webACLNameID(arn)
		if ok != (want[0] != "") || name != want[0] || id != want[1] {
			t.Errorf("%s: got %q %q %v, want %q %q", arn, name, id, ok, want[0], want[1])
		}
	}
}

func TestOriginBase(t *testing.T) {
	port := func(p int32) *int32 { return &p }
	custom := func(policy types.OriginProtocolPolicy, http, https int32) *Origin {
		return &Origin{Raw: &types.Origin{Id: aws.String("o"), DomainName: aws.String("o.example"), CustomOriginConfig: &types.CustomOriginConfig{
			OriginProtocolPolicy: policy, HTTPPort: port(http), HTTPSPort: port(https)}}}
	}
	for _, tc := range []struct {
		o    *Origin
		want string
	}{
		{custom(types.OriginProtocolPolicyHttpOnly, 8080, 443), "http://o.example:8080"},
		{custom(types.OriginProtocolPolicyHttpOnly, 80, 443), "http://o.example"},
		{custom(types.OriginProtocolPolicyHttpsOnly, 80, 8443), "https://o.example:8443"},
		{custom(types.OriginProtocolPolicyMatchViewer, 80, 443), "https://o.example"},
		{nil, "https://o.example"},
	} {
		if got := originBase(tc.o, "o.example"); got != tc.want {
			t.Errorf("got %s, want %s", got, tc.want)
		}
	}
}

func TestRuleGroupName(t *testing.T) {
	tests := []struct{ id, want string }{
		{"AWS#AWSManagedRulesCommonRuleSet", "AWS#AWSManagedRulesCommonRuleSet"},
		{"arn:aws:wafv2:us-east-1:123456789012:global/rulegroup/hello-world/c05lb698-1f11-4m41-aef4-99a506d53f4b", "hello-world"},
		{"arn:aws:wafv2:eu-west-1:123456789012:regional/rulegroup/bots/abcd", "bots"},
		{"arn:aws:wafv2:us-east-1:123456789012:global/ipset/x/1", "arn:aws:wafv2:us-east-1:123456789012:global/ipset/x/1"},
		{"arn:aws:wafv2:us-east-1:1:global/rulegroup/", "arn:aws:wafv2:us-east-1:1:global/rulegroup/"},
	}
	for _, tc := range tests {
		if got := ruleGroupName(tc.id); got != tc.want {
			t.Errorf("ruleGroupName(%q): got %q, want %q", tc.id, got, tc.want)
		}
	}
}

func TestWAFCountCommand(t *testing.T) {
	tests := []struct{ typ, rule, want string }{
		{"MANAGED_RULE_GROUP", "AWS#AWSManagedRulesCommonRuleSet/SizeRestrictions_BODY",
			`add {"Name":"SizeRestrictions_BODY","ActionToUse":{"Count":{}}} to the ManagedRuleGroupStatement.RuleActionOverrides of the rule that uses AWS#AWSManagedRulesCommonRuleSet`},
		{"GROUP", "shop-rules/block-bots", `add {"Name":"block-bots","ActionToUse":{"Count":{}}} to the RuleGroupReferenceStatement.RuleActionOverrides of the rule that uses shop-rules`},
		{"REGULAR", "BlockBadBots", `set the Action of rule "BlockBadBots" to {"Count":{}}`},
		{"RATE_BASED", "RateLimitPerIP", `set the Action of rule "RateLimitPerIP" to {"Count":{}}`},
		{"", "RULE", `RuleGroupReferenceStatement.RuleActionOverrides; for a rule of the web ACL set its Action`},
	}
	for _, tc := range tests {
		if got := wafCountCommand(tc.typ, tc.rule); !strings.Contains(got, tc.want) {
			t.Errorf("wafCountCommand(%q, %q) = %q, want it to contain %q", tc.typ, tc.rule, got, tc.want)
		}
	}
}
