package waf

import (
	"encoding/base64"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3"
	"github.com/goccy/go-yaml"
)

// The CRS oracle: every request of the CRS regression corpus
// (/work/shared/crs-regression, or $CRS_REGRESSION_DIR) is evaluated twice,
// by a web ACL whose only rule is the openfront/OWASP-CRS managed group and
// by a standalone Coraza WAF built from the same directives and fed
// straight from the YAML. Both must agree on the verdict (blocked or not)
// and on the set of detecting rule ids (CRS's initialisation, paranoia
// markers, 949 blocking and 980 reporting rules are left out on both
// sides: isCRSMarker). The corpus's own expectations assume paranoia level
// 4 and are not used.
//
// Without -short and without -race every stage runs; with either, a fixed
// sample (every oracleSampleEvery-th stage) keeps the package test well
// under two minutes on two cores.

const oracleSampleEvery = 10

type ftwFile struct {
	RuleID any       `yaml:"rule_id"`
	Tests  []ftwTest `yaml:"tests"`
}

type ftwTest struct {
	TestID any        `yaml:"test_id"`
	Stages []ftwStage `yaml:"stages"`
}

type ftwStage struct {
	Input ftwInput `yaml:"input"`
}

type ftwInput struct {
	Method              *string       `yaml:"method"`
	URI                 *string       `yaml:"uri"`
	Version             *string       `yaml:"version"`
	Headers             yaml.MapSlice `yaml:"headers"`
	Data                *string       `yaml:"data"`
	EncodedRequest      string        `yaml:"encoded_request"`
	AutocompleteHeaders *bool         `yaml:"autocomplete_headers"`
}

// oracleReq is one stage's request, as the harness can express it.
type oracleReq struct {
	name                  string
	method, uri, version  string
	headers               []Header
	body                  string
	hasQuestionMarkNoArgs bool
}

func corpusDir() string {
	if d := os.Getenv("CRS_REGRESSION_DIR"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "crs-regression", "tests")
}

// embeddedRuleIDs is every rule id in the embedded REQUEST-* files.
func embeddedRuleIDs(t testing.TB) map[int]bool {
	ids := map[int]bool{}
	names, err := fs.Glob(coreruleset.FS, "@owasp_crs/REQUEST-*.conf")
	if err != nil || len(names) == 0 {
		t.Fatalf("embedded CRS: %v (%d files)", err, len(names))
	}
	for _, n := range names {
		b, err := fs.ReadFile(coreruleset.FS, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ruleIDRx.FindAllSubmatch(b, -1) {
			id, _ := strconv.Atoi(string(m[1]))
			ids[id] = true
		}
	}
	return ids
}

type corpusCounts struct {
	files, tests, stages int
	missingRule          int // stages of tests whose rule the embedded CRS lacks
	inexpressible        int // stages the harness cannot express
	sampledOut           int
	run                  int
	reasons              map[string]int
}

// loadCorpus reads the corpus into requests, counting what it skips.
func loadCorpus(t *testing.T, sample bool) ([]oracleReq, corpusCounts) {
	dir := corpusDir()
	files, _ := filepath.Glob(filepath.Join(dir, "REQUEST-*", "*.yaml"))
	if len(files) == 0 {
		t.Skipf("no CRS regression corpus under %s", dir)
	}
	slices.Sort(files)
	have := embeddedRuleIDs(t)
	cnt := corpusCounts{reasons: map[string]int{}}
	var out []oracleReq
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc ftwFile
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		cnt.files++
		rid, _ := strconv.Atoi(fmt.Sprint(doc.RuleID))
		for _, tc := range doc.Tests {
			cnt.tests++
			for si, st := range tc.Stages {
				cnt.stages++
				name := fmt.Sprintf("%d-%v/%d", rid, tc.TestID, si)
				if !have[rid] {
					cnt.missingRule++
					continue
				}
				n++
				if sample && n%oracleSampleEvery != 0 {
					cnt.sampledOut++
					continue
				}
				req, why := buildOracleReq(name, st.Input)
				if why != "" {
					cnt.inexpressible++
					cnt.reasons[why]++
					continue
				}
				out = append(out, req)
			}
		}
	}
	cnt.run = len(out)
	return out, cnt
}

func buildOracleReq(name string, in ftwInput) (oracleReq, string) {
	r := oracleReq{name: name, method: "GET", uri: "/", version: "HTTP/1.1"}
	if in.EncodedRequest != "" {
		return parseEncodedRequest(name, in.EncodedRequest)
	}
	if in.Method != nil {
		r.method = *in.Method
	}
	if in.URI != nil {
		r.uri = *in.URI
	}
	if in.Version != nil {
		r.version = *in.Version
	}
	hasCL := false
	for _, it := range in.Headers {
		k := fmt.Sprint(it.Key)
		v := ""
		if it.Value != nil {
			v = fmt.Sprint(it.Value)
		}
		hasCL = hasCL || strings.EqualFold(k, "content-length")
		r.headers = append(r.headers, Header{k, v})
	}
	if in.Data != nil {
		r.body = *in.Data
		// go-ftw completes Content-Length unless told not to.
		if !hasCL && (in.AutocompleteHeaders == nil || *in.AutocompleteHeaders) && r.body != "" {
			r.headers = append(r.headers, Header{"Content-Length", strconv.Itoa(len(r.body))})
		}
	}
	return r.check()
}

// check refuses what a waf.Request cannot carry: a '?' with an empty
// query (Request keeps path and query apart, and an empty RawQuery means
// no '?').
func (r oracleReq) check() (oracleReq, string) {
	if strings.HasSuffix(r.uri, "?") && strings.Count(r.uri, "?") == 1 {
		return r, "URI ends with an empty query ('?'), which Request cannot express"
	}
	if r.method == "" || strings.ContainsAny(r.method, " \r\n") {
		return r, "method is empty or contains white space"
	}
	return r, ""
}

var requestLineRx = regexp.MustCompile(`^(\S+) (\S+) (\S+)$`)

// parseEncodedRequest accepts a simple raw request: request line, headers
// with CRLF or LF endings, optional body.
func parseEncodedRequest(name, enc string) (oracleReq, string) {
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return oracleReq{}, "encoded_request is not base64"
	}
	s := strings.ReplaceAll(string(raw), "\r\n", "\n")
	head, body, _ := strings.Cut(s, "\n\n")
	lines := strings.Split(head, "\n")
	m := requestLineRx.FindStringSubmatch(lines[0])
	if m == nil {
		return oracleReq{}, "encoded_request has a request line the harness cannot parse"
	}
	r := oracleReq{name: name, method: m[1], uri: m[2], version: m[3], body: body}
	for _, l := range lines[1:] {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			return oracleReq{}, "encoded_request has a header line without a colon"
		}
		r.headers = append(r.headers, Header{k, strings.TrimLeft(v, " \t")})
	}
	return r.check()
}

var oracleClient = netip.MustParseAddr("192.0.2.10")

const oracleClientPort = 40123

// oracleEval runs the stage directly against Coraza, as a connector would.
func oracleEval(w coraza.WAF, r oracleReq) (blocked bool, ids []int, modelOK bool) {
	tx := w.NewTransaction()
	defer tx.Close()
	tx.ProcessConnection(oracleClient.String(), oracleClientPort, "", 0)
	tx.ProcessURI(r.uri, r.method, r.version)
	host := ""
	for _, h := range r.headers {
		tx.AddRequestHeader(h.Name, h.Value)
		if host == "" && strings.EqualFold(h.Name, "host") {
			host = h.Value
		}
	}
	if host != "" {
		tx.SetServerName(hostOnly(host))
	}
	if tx.ProcessRequestHeaders() == nil {
		body := r.body[:min(len(r.body), 16<<10)]
		it, _, _ := tx.WriteRequestBody([]byte(body))
		if it == nil {
			_, _ = tx.ProcessRequestBody()
		}
	}
	sum := 0
	for _, d := range detections(tx, nil) {
		ids = append(ids, d.id)
		sum += d.score
	}
	got, _ := strconv.Atoi(txVar(tx, "blocking_inbound_anomaly_score"))
	return tx.Interruption() != nil, uniqSorted(ids), got == sum
}

func uniqSorted(ids []int) []int {
	slices.Sort(ids)
	return slices.Compact(ids)
}

func (r oracleReq) request() *Request {
	path, query, _ := strings.Cut(r.uri, "?")
	return &Request{Method: r.method, URI: path, RawQuery: query, Headers: r.headers, Body: []byte(r.body),
		BodySize: int64(len(r.body)), ClientIP: oracleClient, ClientPort: oracleClientPort, HTTPVersion: r.version}
}

func crsACL(t testing.TB, extra string) *ACL {
	t.Helper()
	return mustCompile(t, aclJSON(`[`+managedRuleJSON("crs", 0, "openfront", "OWASP-CRS", extra, `{"None":{}}`)+`]`), Resources{})
}

func managedRuleJSON(name string, prio int, vendor, group, extra, override string) string {
	return `{"Name":"` + name + `","Priority":` + itoa(prio) + `,"Statement":{"ManagedRuleGroupStatement":{"VendorName":"` + vendor +
		`","Name":"` + group + `"` + extra + `}},"OverrideAction":` + override +
		`,"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"` + name + `"}}`
}

func verdictIDs(v Verdict) []int {
	var ids []int
	for _, g := range v.RuleGroupList {
		if g.TerminatingRule != nil {
			id, _ := strconv.Atoi(g.TerminatingRule.RuleID)
			ids = append(ids, id)
		}
		for _, m := range g.NonTerminating {
			id, _ := strconv.Atoi(m.RuleID)
			ids = append(ids, id)
		}
	}
	return uniqSorted(ids)
}

func TestCRSOracle(t *testing.T) {
	sample := testing.Short() || raceEnabled
	reqs, cnt := loadCorpus(t, sample)
	acl := crsACL(t, "")
	dirs := findCRSGroup("openfront", "OWASP-CRS").directives(nil)
	oracle, err := coraza.NewWAF(coraza.NewWAFConfig().WithRootFS(coreruleset.FS).WithDirectives(dirs))
	if err != nil {
		t.Fatal(err)
	}
	blockedN, modelBad := 0, 0
	var v Verdict
	for _, r := range reqs {
		wantBlock, wantIDs, modelOK := oracleEval(oracle, r)
		acl.EvaluateInto(r.request(), t0, &v)
		gotBlock, gotIDs := v.Action == ActionBlock, verdictIDs(v)
		if gotBlock != wantBlock || !slices.Equal(gotIDs, wantIDs) {
			t.Errorf("%s %s %q: got blocked=%v ids=%v, want blocked=%v ids=%v", r.name, r.method, r.uri, gotBlock, gotIDs, wantBlock, wantIDs)
		}
		if wantBlock {
			blockedN++
		}
		if !modelOK {
			modelBad++
			t.Errorf("%s: the anomaly score model (severity × matched variables) disagrees with Coraza's", r.name)
		}
	}
	t.Logf("corpus: %d files, %d tests, %d stages; run %d (%d blocked by the oracle); skipped: %d for rules the embedded CRS lacks, %d sampled out (sample=%v), %d inexpressible %v; score model mismatches %d",
		cnt.files, cnt.tests, cnt.stages, cnt.run, blockedN, cnt.missingRule, cnt.sampledOut, sample, cnt.inexpressible, cnt.reasons, modelBad)
}
