package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// Helpers of the AWS WAF end-to-end tests (waf_test.go). Every name has
// "waf" or "WAF" in it so they never collide with other files' helpers.

// causeWAFBlocked is CloudFront's cause sentence for an AWS WAF block (spec §1.2).
const causeWAFBlocked = "Request blocked."

// wafAccount is the AWS account of every WAF resource in these tests.
const wafAccount = "123456789012"

// wafARN is a CloudFront-scope (global, us-east-1) wafv2 ARN, as
// get-web-acl, get-ip-set, get-regex-pattern-set and get-rule-group print it.
func wafARN(kind, name, id string) string {
	return "arn:aws:wafv2:us-east-1:" + wafAccount + ":global/" + kind + "/" + name + "/" + id
}

// wafVisibility is a rule's (or a web ACL's) VisibilityConfig.
func wafVisibility(metric string) obj {
	return obj{"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": metric}
}

// wafRule is a Rule with an Action.
func wafRule(name string, priority int, action, stmt obj) obj {
	return obj{"Name": name, "Priority": priority, "Action": action, "Statement": stmt, "VisibilityConfig": wafVisibility(name)}
}

// wafGroupRule is a Rule referencing a rule group, with an OverrideAction.
func wafGroupRule(name string, priority int, stmt obj) obj {
	return obj{"Name": name, "Priority": priority, "OverrideAction": obj{"None": obj{}}, "Statement": stmt, "VisibilityConfig": wafVisibility(name)}
}

// Rule actions.
var (
	wafBlock = obj{"Block": obj{}}
	wafCount = obj{"Count": obj{}}
)

// wafTransforms is a TextTransformations list, in priority order.
func wafTransforms(types ...string) []obj {
	if len(types) == 0 {
		types = []string{"NONE"}
	}
	out := make([]obj, len(types))
	for i, ty := range types {
		out[i] = obj{"Priority": i, "Type": ty}
	}
	return out
}

// FieldToMatch values.
func wafHeaderField(name string) obj { return obj{"SingleHeader": obj{"Name": name}} }
func wafQueryArgField(name string) obj {
	return obj{"SingleQueryArgument": obj{"Name": name}}
}

var (
	wafURIPath = obj{"UriPath": obj{}}
	wafBody    = obj{"Body": obj{"OversizeHandling": "CONTINUE"}}
)

// wafByteMatch is a ByteMatchStatement; SearchString is base64, as the AWS
// CLI prints blobs.
func wafByteMatch(field obj, search, position string, transforms ...string) obj {
	return obj{"ByteMatchStatement": obj{
		"SearchString": base64.StdEncoding.EncodeToString([]byte(search)), "FieldToMatch": field,
		"TextTransformations": wafTransforms(transforms...), "PositionalConstraint": position,
	}}
}

// wafPathPrefix matches URIs starting with prefix.
func wafPathPrefix(prefix string) obj { return wafByteMatch(wafURIPath, prefix, "STARTS_WITH") }

// wafWebACLDoc is the "aws wafv2 get-web-acl" output.
func wafWebACLDoc(name, id string, defaultAction obj, bodies obj, rules ...obj) obj {
	acl := obj{
		"Name": name, "Id": id, "ARN": wafARN("webacl", name, id),
		"DefaultAction": defaultAction, "Description": "openfront e2e", "Rules": rules,
		"VisibilityConfig": wafVisibility(name), "Capacity": 200, "ManagedByFirewallManager": false,
		"LabelNamespace": "awswaf:" + wafAccount + ":webacl:" + name + ":", "RetrofittedByFirewallManager": false,
	}
	if bodies != nil {
		acl["CustomResponseBodies"] = bodies
	}
	return obj{"WebACL": acl, "LockToken": "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"}
}

// wafIPSetDoc is the "aws wafv2 get-ip-set" output.
func wafIPSetDoc(name, id, version string, addrs ...string) obj {
	if addrs == nil {
		addrs = []string{}
	}
	return obj{"IPSet": obj{
		"Name": name, "Id": id, "ARN": wafARN("ipset", name, id), "Description": "",
		"IPAddressVersion": version, "Addresses": addrs,
	}, "LockToken": "1a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"}
}

// wafRegexSetDoc is the "aws wafv2 get-regex-pattern-set" output.
func wafRegexSetDoc(name, id string, regexes ...string) obj {
	list := make([]obj, len(regexes))
	for i, r := range regexes {
		list[i] = obj{"RegexString": r}
	}
	return obj{"RegexPatternSet": obj{
		"Name": name, "Id": id, "ARN": wafARN("regexpatternset", name, id), "Description": "",
		"RegularExpressionList": list,
	}, "LockToken": "2a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"}
}

// wafRuleGroupDoc is the "aws wafv2 get-rule-group" output.
func wafRuleGroupDoc(name, id string, rules ...obj) obj {
	return obj{"RuleGroup": obj{
		"Name": name, "Id": id, "Capacity": 50, "ARN": wafARN("rulegroup", name, id), "Description": "",
		"Rules": rules, "VisibilityConfig": wafVisibility(name),
		"LabelNamespace": "awswaf:" + wafAccount + ":rulegroup:" + name + ":",
	}, "LockToken": "3a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"}
}

// wafDist is a distribution protected by the web ACL arn, allowing every
// method so that the WAF, not the behavior, decides about POSTs, and
// forwarding the viewer's headers and query string to the origin.
func wafDist(o *origin, arn string) obj {
	b := with(behavior("", "o"), "AllowedMethods", methods("GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"),
		"OriginRequestPolicyId", allViewerExceptHostHeader)
	return with(distConfig([]obj{customOrigin("o", "127.0.0.1", o.port())}, b), "WebACLId", arn)
}

// --- requests through the protected edge ---

// wafCase is one request through the protected edge and everything it
// must produce: the answer, the access-log line and the WAF log record.
type wafCase struct {
	name           string
	dist           string // default wafMain
	method, target string
	proto          string // "http" (default) or "h2"
	ip             string // X-Forwarded-For; "" leaves the viewer at 127.0.0.1
	from           string // the connection's source address, when not 127.0.0.1 (the trusted proxy)
	header         http.Header
	body           string
	chunked        bool // send the body without a Content-Length

	// answer: "origin" (forwarded), "page" (CloudFront's Request blocked.),
	// "custom" (the rule's CustomResponse), "cer" (the distribution's
	// custom error page), "token" (CAPTCHA or Challenge without a token),
	// "geo" (allowed by AWS WAF, then refused by the geo restriction).
	answer     string
	status     int
	customBody string
	respHeader map[string]string // answer headers (custom and token answers)
	inserted   map[string]string // headers the origin must see (origin answers)

	// the WAF log record
	action, rule, ruleType string
	labels                 []string
	counted                []string // nonTerminatingMatchingRules, "ruleId:ACTION"
	country                string
	condition              string   // terminatingRuleMatchDetails[0].conditionType
	oversize               []string // oversizeFields
	group                  func(t *testing.T, g []wafGroupResult)
	doctorDetail           string // waf-block detail, when not "<type>:<rule>"
}

// wafSent is a request whose doctor verdict is checked after the edge stopped.
type wafSent struct {
	id, name, dist, answer, action, detail string
}

// wafEnv is a running protected edge and what its tests record.
type wafEnv struct {
	e          *edge
	dir        string // --waf-log-dir
	app, pages *origin
	tally      wafTally
	mu         sync.Mutex
	sent       []wafSent
}

// send sends the case's request (tc with its defaults filled in).
func (w *wafEnv) send(t *testing.T, tc *wafCase) *response {
	t.Helper()
	if tc.dist == "" {
		tc.dist = wafMain
	}
	if tc.method == "" {
		tc.method = http.MethodGet
	}
	h := http.Header{}
	for k, v := range tc.header {
		h[k] = v
	}
	if tc.ip != "" {
		h.Set("X-Forwarded-For", tc.ip)
	}
	rq := request{Proto: tc.proto, Method: tc.method, Host: defaultDomain(tc.dist), Target: tc.target, Header: h}
	if tc.body != "" {
		rq.Body = strings.NewReader(tc.body)
		if tc.chunked {
			rq.Body = io.MultiReader(rq.Body) // hides the length: Go sends it chunked
		}
	}
	if tc.from != "" {
		return wafDoFrom(t, w.e, tc.from, rq)
	}
	return w.e.do(t, rq)
}

// run sends the case's request and checks everything it produced.
func (w *wafEnv) run(t *testing.T, tc wafCase) wafRecord {
	t.Helper()
	r := w.send(t, &tc)
	return w.check(t, tc, r)
}

// check checks the answer, the access-log line, the WAF log record and
// the origin's view of a request sent with send.
func (w *wafEnv) check(t *testing.T, tc wafCase, r *response) wafRecord {
	t.Helper()
	e, app, pages := w.e, w.app, w.pages
	id := r.ID()
	path, query, _ := strings.Cut(tc.target, "?")
	viewer := tc.ip
	if i := strings.LastIndex(viewer, ", 127.0.0.1"); i >= 0 {
		viewer = viewer[:i] // the trusted proxy's own hop is skipped
	}
	if viewer == "" {
		viewer = "127.0.0.1"
	}
	if tc.from != "" {
		viewer = tc.from // an untrusted peer's X-Forwarded-For is not believed
	}
	version := "HTTP/1.1"
	if tc.proto == "h2" {
		version = "HTTP/2.0"
	}

	// The answer.
	got, reached := app.byID(id)
	wantLog := map[string]string{"sc-status": strconv.Itoa(tc.status), "c-ip": viewer, "cs-method": tc.method, "cs-protocol-version": version,
		"cs-uri-stem": path, "x-edge-result-type": "Error", "x-edge-response-result-type": "Error", "x-edge-detailed-result-type": "Error"}
	switch tc.answer {
	case "origin":
		wantBody := "app " + tc.method + " " + tc.target
		if r.Status != tc.status || string(r.Body) != wantBody {
			t.Errorf("answer: got %d %q, want %d %q from the origin", r.Status, r.Body, tc.status, wantBody)
		}
		if s := r.Header.Get("Server"); s != "test-origin" {
			t.Errorf("Server: got %q, want the origin's test-origin", s)
		}
		checkCloudFrontHeaders(t, r, "Miss from cloudfront")
		if !reached {
			t.Fatalf("the origin never received allowed request %s", id)
		}
		if got.BodyLen != int64(len(tc.body)) || string(got.Body) != tc.body {
			t.Errorf("origin received a %d-byte body, want the viewer's %d bytes intact", got.BodyLen, len(tc.body))
		}
		for k, v := range tc.inserted {
			if vs := got.Header.Values(k); len(vs) != 1 || vs[0] != v {
				t.Errorf("origin header %s: got %q, want exactly [%q] (AWS WAF overwrites a viewer's header of that name)", k, vs, v)
			}
		}
		for k := range got.Header {
			if strings.HasPrefix(strings.ToLower(k), "x-amzn-waf-") && tc.inserted[k] == "" && tc.header.Get(k) == "" {
				t.Errorf("origin received %s: %q, which no matching rule inserts", k, got.Header.Values(k))
			}
		}
		wantLog["x-edge-result-type"], wantLog["x-edge-response-result-type"], wantLog["x-edge-detailed-result-type"] = "Miss", "Miss", "Miss"
	case "page":
		checkEdgePage(t, r, tc.status, causeWAFBlocked)
	case "custom", "token":
		if r.Status != tc.status || string(r.Body) != tc.customBody {
			t.Errorf("answer: got %d %q, want %d %q", r.Status, r.Body, tc.status, tc.customBody)
		}
		if s := r.Header.Get("Server"); s != "CloudFront" {
			t.Errorf("Server: got %q, want CloudFront", s)
		}
		checkCloudFrontHeaders(t, r, "Error from cloudfront")
		if cl := r.Header.Get("Content-Length"); cl != strconv.Itoa(len(r.Body)) {
			t.Errorf("Content-Length: got %q, want %d", cl, len(r.Body))
		}
	case "geo":
		checkEdgePage(t, r, tc.status, causeGeo)
		wantLog["x-edge-detailed-result-type"] = "ClientGeoBlocked"
	case "cer":
		if r.Status != tc.status || string(r.Body) != wafCERPage {
			t.Errorf("answer: got %d %q, want %d and the distribution's custom error page %q", r.Status, r.Body, tc.status, wafCERPage)
		}
		checkCloudFrontHeaders(t, r, "Error from cloudfront")
		if p, ok := pages.byID(id); !ok || p.Path != "/errors/403.html" {
			t.Errorf("pages origin: got %v %q, want a GET of /errors/403.html", ok, p.Path)
		}
	default:
		t.Fatalf("unknown answer %q", tc.answer)
	}
	for k, v := range tc.respHeader {
		if got := r.Header.Values(k); len(got) != 1 || got[0] != v {
			t.Errorf("answer header %s: got %q, want [%q]", k, got, v)
		}
	}
	if tc.answer != "origin" && reached {
		t.Errorf("the origin received request %s, which AWS WAF answered (%s)", id, tc.action)
	}
	if tc.answer != "cer" {
		if _, ok := pages.byID(id); ok {
			t.Errorf("the custom error page was fetched for request %s, answered %s", id, tc.answer)
		}
	}

	// The access-log line.
	checkLog(t, e.waitLogID(t, tc.dist+".*.gz", id), wantLog)

	// The WAF log record, joined by request id.
	rec := waitWAFRecord(t, w.dir, id)
	check := func(field string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("WAF record %s: got %v, want %v\nrecord: %s", field, got, want, rec.raw)
		}
	}
	check("formatVersion", rec.FormatVersion, 1)
	check("webaclId", rec.WebACLID, wafACLARN)
	check("httpSourceName", rec.HTTPSourceName, "CF")
	check("httpSourceId", rec.HTTPSourceID, tc.dist)
	check("action", rec.Action, tc.action)
	check("terminatingRuleId", rec.TerminatingRuleID, tc.rule)
	check("terminatingRuleType", rec.TerminatingRuleType, tc.ruleType)
	check("labels", rec.labels(), append([]string{}, tc.labels...))
	check("nonTerminatingMatchingRules", wafRuleList(rec.NonTerminatingMatchingRules), append([]string{}, tc.counted...))
	check("httpRequest.clientIp", rec.HTTPRequest.ClientIP, viewer)
	check("httpRequest.uri", rec.HTTPRequest.URI, path)
	check("httpRequest.args", rec.HTTPRequest.Args, query)
	check("httpRequest.httpMethod", rec.HTTPRequest.HTTPMethod, tc.method)
	check("httpRequest.httpVersion", rec.HTTPRequest.HTTPVersion, version)
	check("oversizeFields", append([]string{}, rec.OversizeFields...), append([]string{}, tc.oversize...))
	if tc.country != "" {
		check("httpRequest.country", rec.HTTPRequest.Country, tc.country)
	}
	if ts := time.UnixMilli(rec.Timestamp); time.Since(ts).Abs() > time.Minute {
		t.Errorf("WAF record timestamp: got %v, want about now", ts)
	}
	hostSeen := false
	for _, hd := range rec.HTTPRequest.Headers {
		hostSeen = hostSeen || (strings.EqualFold(hd.Name, "host") && hd.Value == defaultDomain(tc.dist))
	}
	if !hostSeen {
		t.Errorf("WAF record httpRequest.headers: no Host %s: %v", defaultDomain(tc.dist), rec.HTTPRequest.Headers)
	}
	wantSent := "<nil>"
	if tc.answer == "custom" {
		wantSent = strconv.Itoa(tc.status)
	}
	gotSent := "<nil>"
	if rec.ResponseCodeSent != nil {
		gotSent = strconv.Itoa(*rec.ResponseCodeSent)
	}
	check("responseCodeSent", gotSent, wantSent)
	var inserted []string
	for _, hd := range rec.RequestHeadersInserted {
		inserted = append(inserted, strings.ToLower(hd.Name)+": "+hd.Value)
	}
	var wantInserted []string
	for k, v := range tc.inserted {
		wantInserted = append(wantInserted, strings.ToLower(k)+": "+v)
	}
	slices.Sort(inserted)
	slices.Sort(wantInserted)
	check("requestHeadersInserted", inserted, wantInserted)
	if tc.condition != "" {
		if len(rec.TerminatingRuleMatchDetails) == 0 {
			t.Errorf("WAF record terminatingRuleMatchDetails: empty, want a %s match\nrecord: %s", tc.condition, rec.raw)
		} else {
			check("terminatingRuleMatchDetails[0].conditionType", rec.TerminatingRuleMatchDetails[0].ConditionType, tc.condition)
		}
	} else {
		check("terminatingRuleMatchDetails", len(rec.TerminatingRuleMatchDetails), 0)
	}
	if tc.group != nil {
		tc.group(t, rec.RuleGroupList)
	} else {
		for _, g := range rec.RuleGroupList {
			if g.TerminatingRule != nil || len(g.NonTerminatingMatchingRules) > 0 {
				t.Errorf("WAF record ruleGroupList: %s matched, want no group rule to match\nrecord: %s", g.RuleGroupID, rec.raw)
			}
		}
	}
	if tc.rule != "rate-limit" {
		check("rateBasedRuleList", len(rec.RateBasedRuleList), 0)
	}

	var counted []string
	for _, c := range tc.counted {
		name, _, _ := strings.Cut(c, ":")
		counted = append(counted, name)
	}
	w.tally.verdict(tc.dist, tc.action, tc.rule, counted...)
	detail := tc.doctorDetail
	if detail == "" {
		detail = tc.ruleType + ":" + tc.rule
	}
	w.mu.Lock()
	w.sent = append(w.sent, wafSent{id: id, name: tc.name, dist: tc.dist, answer: tc.answer, action: tc.action, detail: detail})
	w.mu.Unlock()
	return rec
}

// wafCondition sets the expected terminatingRuleMatchDetails condition.
func wafCondition(tc wafCase, condition string) wafCase {
	tc.condition = condition
	return tc
}

// wafDoctorReport is the part of "doctor logs --json" the WAF tests read.
type wafDoctorReport struct {
	Summary struct {
		ByCause map[string]int64 `json:"by_cause"`
		WAF     *struct {
			Files     int            `json:"files"`
			Records   int            `json:"records"`
			Allowed   int            `json:"allowed"`
			Kept      int            `json:"kept"`
			Malformed int            `json:"malformed"`
			Unjoined  map[string]int `json:"unjoined"`
			Errors    []string       `json:"errors"`
		} `json:"waf"`
	} `json:"summary"`
	Requests []doctorRequest `json:"requests"`
}

// --- WAF log records ---

// wafRecord is an AWS WAF log record (spec §7.2), as the tests read it.
type wafRecord struct {
	Timestamp                   int64            `json:"timestamp"`
	FormatVersion               int              `json:"formatVersion"`
	WebACLID                    string           `json:"webaclId"`
	TerminatingRuleID           string           `json:"terminatingRuleId"`
	TerminatingRuleType         string           `json:"terminatingRuleType"`
	Action                      string           `json:"action"`
	TerminatingRuleMatchDetails []wafMatchDetail `json:"terminatingRuleMatchDetails"`
	HTTPSourceName              string           `json:"httpSourceName"`
	HTTPSourceID                string           `json:"httpSourceId"`
	RuleGroupList               []wafGroupResult `json:"ruleGroupList"`
	RateBasedRuleList           []wafRateResult  `json:"rateBasedRuleList"`
	NonTerminatingMatchingRules []wafRuleMatch   `json:"nonTerminatingMatchingRules"`
	RequestHeadersInserted      []wafHeader      `json:"requestHeadersInserted"`
	ResponseCodeSent            *int             `json:"responseCodeSent"`
	HTTPRequest                 struct {
		ClientIP    string      `json:"clientIp"`
		Country     string      `json:"country"`
		Headers     []wafHeader `json:"headers"`
		URI         string      `json:"uri"`
		Args        string      `json:"args"`
		HTTPVersion string      `json:"httpVersion"`
		HTTPMethod  string      `json:"httpMethod"`
		RequestID   string      `json:"requestId"`
	} `json:"httpRequest"`
	Labels []struct {
		Name string `json:"name"`
	} `json:"labels"`
	OversizeFields []string        `json:"oversizeFields"`
	JA3Fingerprint string          `json:"ja3Fingerprint"`
	JA4Fingerprint string          `json:"ja4Fingerprint"`
	ClientASN      json.RawMessage `json:"clientAsn"`
	ForwardedASN   json.RawMessage `json:"forwardedAsn"`
	raw            string
}

type wafMatchDetail struct {
	ConditionType    string   `json:"conditionType"`
	SensitivityLevel string   `json:"sensitivityLevel"`
	Location         string   `json:"location"`
	MatchedData      []string `json:"matchedData"`
}

type wafRuleMatch struct {
	RuleID           string           `json:"ruleId"`
	Action           string           `json:"action"`
	OverriddenAction string           `json:"overriddenAction"`
	ExclusionType    string           `json:"exclusionType"`
	RuleMatchDetails []wafMatchDetail `json:"ruleMatchDetails"`
}

type wafGroupResult struct {
	RuleGroupID                 string          `json:"ruleGroupId"`
	TerminatingRule             *wafRuleMatch   `json:"terminatingRule"`
	NonTerminatingMatchingRules []wafRuleMatch  `json:"nonTerminatingMatchingRules"`
	ExcludedRules               json.RawMessage `json:"excludedRules"`
}

type wafRateResult struct {
	RateBasedRuleID     string `json:"rateBasedRuleId"`
	RateBasedRuleName   string `json:"rateBasedRuleName"`
	LimitKey            string `json:"limitKey"`
	LimitValue          string `json:"limitValue"`
	MaxRateAllowed      int64  `json:"maxRateAllowed"`
	EvaluationWindowSec string `json:"evaluationWindowSec"`
}

type wafHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// labels returns the record's label names.
func (r *wafRecord) labels() []string {
	out := []string{}
	for _, l := range r.Labels {
		out = append(out, l.Name)
	}
	return out
}

// wafRuleList renders nonTerminatingMatchingRules as "ruleId:ACTION",
// with "(was ACTION)" for an overridden action.
func wafRuleList(ms []wafRuleMatch) []string {
	out := []string{}
	for _, m := range ms {
		s := m.RuleID + ":" + m.Action
		if m.OverriddenAction != "" {
			s += "(was " + m.OverriddenAction + ")"
		}
		out = append(out, s)
	}
	return out
}

// wafFileName is how the edge names WAF log files:
// <web-acl-name>.YYYY-MM-DD-HH.<unique>.gz.
var wafFileName = regexp.MustCompile(`^[\w-]+\.\d{4}-\d{2}-\d{2}-\d{2}\.[A-Za-z0-9]+\.gz$`)

// readWAFLogs reads every record under dir. A file still being written
// may end in a partial gzip member; the records before it are returned.
// strict (after the edge exited) requires complete files whose every line
// is a JSON record, named like AWS's S3 delivery.
func readWAFLogs(t *testing.T, dir string, strict bool) []wafRecord {
	t.Helper()
	var out []wafRecord
	files, err := filepath.Glob(filepath.Join(dir, "*.gz"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	for _, f := range files {
		if strict && !wafFileName.MatchString(filepath.Base(f)) {
			t.Errorf("WAF log file %s: name does not match <web-acl-name>.YYYY-MM-DD-HH.<unique>.gz", filepath.Base(f))
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) == 0 {
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			if strict {
				t.Fatalf("%s: %v", f, err)
			}
			continue
		}
		text, err := io.ReadAll(zr)
		if err != nil && (strict || !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF)) {
			t.Fatalf("%s: %v", f, err)
		}
		if i := bytes.LastIndexByte(text, '\n'); i >= 0 {
			text = text[:i+1]
		} else {
			text = nil
		}
		sc := bufio.NewScanner(bytes.NewReader(text))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var r wafRecord
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatalf("%s: a line is not a JSON WAF record: %v\n%s", f, err, sc.Text())
			}
			r.raw = sc.Text()
			out = append(out, r)
		}
	}
	return out
}

// waitWAFRecord polls the WAF logs under dir until the record of request
// id appears (the edge flushes its logs once a second).
func waitWAFRecord(t *testing.T, dir, id string) wafRecord {
	t.Helper()
	var found wafRecord
	waitFor(t, 10*time.Second, "the WAF log record of request "+id, func() bool {
		for _, r := range readWAFLogs(t, dir, false) {
			if r.HTTPRequest.RequestID == id {
				found = r
				return true
			}
		}
		return false
	})
	return found
}

// wafDoFrom sends rq to the edge's HTTP listener over a connection from
// the local address from (e.g. 127.0.0.2, which --trusted-proxy
// 127.0.0.1/32 does not trust).
func wafDoFrom(t *testing.T, e *edge, from string, rq request) *response {
	t.Helper()
	d := &net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, e.HTTP)
	}, DisableCompression: true}
	defer tr.CloseIdleConnections()
	method := rq.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, "http://"+rq.Host+rq.Target, rq.Body)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range rq.Header {
		req.Header[k] = vs
	}
	resp, err := (&http.Client{Transport: tr, Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s%s from %s: %v", method, rq.Host, rq.Target, from, err)
	}
	defer resp.Body.Close()
	out := &response{Status: resp.StatusCode, Proto: resp.Proto, Header: resp.Header}
	if out.Body, err = io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	return out
}

// wafTally counts what the edge should have counted per metric series:
// distribution|rule|metric → requests.
type wafTally struct {
	mu sync.Mutex
	n  map[string]float64
}

func (w *wafTally) add(dist, rule, metric string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n == nil {
		w.n = map[string]float64{}
	}
	w.n[dist+"|"+rule+"|"+metric]++
}

// wafMetricName is CloudWatch's AWS/WAFV2 metric for an action.
var wafMetricName = map[string]string{
	"ALLOW": "AllowedRequests", "BLOCK": "BlockedRequests", "COUNT": "CountedRequests",
	"CAPTCHA": "CaptchaRequests", "CHALLENGE": "ChallengeRequests",
}

// verdict counts one request as AWS WAF's metrics do: the web ACL (ALL)
// and the terminating rule under the action's metric, and each counting
// rule under CountedRequests.
func (w *wafTally) verdict(dist, action, rule string, counted ...string) {
	w.add(dist, "ALL", wafMetricName[action])
	w.add(dist, rule, wafMetricName[action])
	for _, c := range counted {
		w.add(dist, c, "CountedRequests")
	}
}

// writeWAFMMDB writes a MaxMind-format database of type dbType mapping
// each CIDR to its record to path, atomically (a temporary file renamed
// over path).
func writeWAFMMDB(t *testing.T, path, dbType string, nets map[string]mmdbtype.Map) {
	t.Helper()
	w, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: dbType, RecordSize: 28})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, rec := range nets {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Insert(n, rec); err != nil {
			t.Fatalf("insert %s: %v", cidr, err)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".waf-*.mmdb")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteTo(tmp); err != nil {
		t.Fatal(err)
	}
	if err := tmp.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		t.Fatal(err)
	}
}

// wafCityRecord is a GeoIP2-City shaped record; region "" leaves out the
// subdivisions.
func wafCityRecord(iso, name, region string) mmdbtype.Map {
	rec := countryRecord(iso, name)
	if region != "" {
		rec["subdivisions"] = mmdbtype.Slice{mmdbtype.Map{"iso_code": mmdbtype.String(region), "names": mmdbtype.Map{"en": mmdbtype.String(region)}}}
	}
	return rec
}
