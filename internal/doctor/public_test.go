package doctor

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/openfront-edge/openfront/internal/cause"
)

// The request ids of the two real 403s in testdata/public/logs.
const (
	publicS3Denied      = "UAw6lE5FKgRBwe8idtg5JNkWOqTe_wWCtOkh5yvCiQrOFlnjiEdwHA=="
	publicMethodRefused = "WcPCNG0WyL4BbXhEXq4AQulhrqte2TPUHt1Uz-iqcSwtx1L6ORdTOA=="
)

// TestPublicSamples reads each real log file of testdata/public as it was
// published: its lines, what was skipped and why, and the 403s explained.
func TestPublicSamples(t *testing.T) {
	tests := []struct {
		file      string
		lines     int64
		malformed map[string]int64
		refused   map[string]want // by request id
		other     int64           // 4xx/5xx that are not refusals
	}{
		{file: "aws-accesslogs-example.log", lines: 6, other: 3},
		{file: "node-cloudfront-log-parser-web-1-0.txt", lines: 2},
		{file: "node-cloudfront-log-parser-web-1-0-2019-12.txt", lines: 3},
		{file: "node-cloudfront-log-parser-rtmp-1-0.txt", lines: 6, malformed: map[string]int64{"no sc-status field": 6}},
		{file: "node-cloudfront-log-parser-kinesis-1-0.txt", lines: 1},
		{file: "elastic-integrations-test-cloudfront.log", lines: 11, other: 3, malformed: map[string]int64{"wrong field count": 1}},
		{file: "datadog-pipeline-sample-401.log", lines: 1, other: 1},
		{file: "goaccess-issue-2901.log", lines: 1},
		{file: "waf-security-automations-issue-188.log", lines: 1, refused: map[string]want{
			publicS3Denied: {cause.S3Origin, "", Likely}}},
		{file: "ruby-benchmark-invalid-request-method.log", lines: 1, refused: map[string]want{
			publicMethodRefused: {cause.MethodNotAllowed, "POST", Certain}}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			rep := analyze(t, nil, nil, filepath.Join("testdata/public/logs", tc.file))
			checkPublic(t, rep, tc.lines, tc.malformed, tc.refused)
			var other int64
			for _, o := range rep.Summary.OtherErrors {
				other += o.Count
			}
			if other != tc.other {
				t.Errorf("other errors: got %v, want %v", rep.Summary.OtherErrors, tc.other)
			}
		})
	}
}

func checkPublic(t *testing.T, rep *LogReport, lines int64, malformed map[string]int64, refused map[string]want) {
	t.Helper()
	s := rep.Summary
	if s.Lines != lines {
		t.Errorf("lines: got %v, want %v", s.Lines, lines)
	}
	var bad int64
	for _, n := range malformed {
		bad += n
	}
	if s.Malformed != bad || len(s.MalformedReasons) != len(malformed) {
		t.Errorf("malformed: got %v %v, want %v", s.Malformed, s.MalformedReasons, malformed)
	}
	for reason, n := range malformed {
		if s.MalformedReasons[reason] != n {
			t.Errorf("malformed %q: got %v, want %v", reason, s.MalformedReasons[reason], n)
		}
	}
	if s.Refused != int64(len(refused)) {
		t.Errorf("refused: got %v, want %v", s.Refused, len(refused))
	}
	got := byID(rep)
	for id, w := range refused {
		r, ok := got[id]
		if !ok {
			t.Errorf("%s: not among the refused requests %v", id, rep.Requests)
			continue
		}
		if g := (want{cause.Cause(r.Cause), r.Detail, Confidence(r.Confidence)}); g != w {
			t.Errorf("%s: got %v, want %v (%q)", id, g, w, r.Evidence)
		}
	}
}

// publicRecords reads the header and lines of the two real 403 samples.
func publicRecords(t *testing.T) (names []string, recs []map[string]string) {
	t.Helper()
	for _, f := range []string{"waf-security-automations-issue-188.log", "ruby-benchmark-invalid-request-method.log"} {
		b, err := os.ReadFile(filepath.Join("testdata/public/logs", f))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			if rest, ok := strings.CutPrefix(l, "#Fields: "); ok {
				names = strings.Fields(rest)
				continue
			}
			if strings.HasPrefix(l, "#") {
				continue
			}
			rec := map[string]string{}
			for i, v := range strings.Split(l, "\t") {
				rec[names[i]] = v
			}
			recs = append(recs, rec)
		}
	}
	return names, recs
}

// TestPublicSampleShapes writes the two real 403s in every shape a real
// log arrives in, and the doctor explains them the same way each time.
func TestPublicSampleShapes(t *testing.T) {
	std, recs := publicRecords(t)
	extra := map[string]string{"c-country": "NL", "asn": "16509", "origin-fbl": "0.012", "origin-lbl": "0.013",
		"cache-behavior-path-pattern": "/plugin/*", "timestamp(ms)": "1760262779000", "distribution-tenant-id": "-",
		"connection-id": "-", "x-field-from-the-future": "x%20y"}
	w3c := func(names []string, nl string, last bool, head string) []byte {
		var b strings.Builder
		b.WriteString(head)
		b.WriteString("#Fields: " + strings.Join(names, " ") + nl)
		for i, r := range recs {
			vals := make([]string, len(names))
			for j, n := range names {
				v, ok := r[n]
				if !ok {
					v = extra[n]
				}
				vals[j] = v
			}
			b.WriteString(strings.Join(vals, "\t"))
			if last || i < len(recs)-1 {
				b.WriteString(nl)
			}
		}
		return []byte(b.String())
	}
	reversed := make([]string, len(std))
	for i, n := range std {
		reversed[len(std)-1-i] = n
	}
	middle := append(append(append(append([]string{}, std[:8]...), "c-country", "asn"), std[8:20]...), append([]string{"cache-behavior-path-pattern"}, std[20:]...)...)
	withExtra := append(append([]string{}, std...), "distribution-tenant-id", "connection-id", "c-country", "asn",
		"origin-fbl", "origin-lbl", "cache-behavior-path-pattern", "timestamp(ms)", "x-field-from-the-future")
	// A standard logging v2 selection: fewer fields, in another order.
	subset := []string{"timestamp(ms)", "c-ip", "cs-method", "cs(Host)", "cs-uri-stem", "sc-status", "x-edge-request-id",
		"x-host-header", "cs-protocol", "x-edge-detailed-result-type", "sc-content-type", "sc-content-len", "c-country"}
	var jsonLines [][]byte
	for _, r := range recs {
		obj := map[string]string{}
		for _, n := range subset {
			if v, ok := r[n]; ok {
				obj[n] = v
			} else {
				obj[n] = extra[n]
			}
		}
		obj["x-field-from-the-future"] = "1"
		b, _ := json.Marshal(obj) // keys sorted: another order again
		jsonLines = append(jsonLines, b)
	}
	noHeader := w3c(std, "\n", true, "")
	noHeader = noHeader[bytes.IndexByte(noHeader, '\n')+1:]

	shapes := []struct {
		name string
		data []byte
		gzip bool
	}{
		{"plain", w3c(std, "\n", true, "#Version: 1.0\n"), false},
		{"gzip", w3c(std, "\n", true, "#Version: 1.0\n"), true},
		{"crlf", w3c(std, "\r\n", true, "#Version: 1.0\r\n"), false},
		{"crlf-gzip-no-final-line-feed", w3c(std, "\r\n", false, "#Version: 1.0\r\n"), true},
		{"no-final-line-feed", w3c(std, "\n", false, "#Version: 1.0\n"), false},
		{"fields-reversed", w3c(reversed, "\n", true, "#Version: 1.0\n"), false},
		{"unknown-fields-in-the-middle", w3c(middle, "\n", true, "#Version: 1.0\n"), false},
		{"unknown-fields-at-the-end", w3c(withExtra, "\n", true, "#Version: 1.0\n"), true},
		{"v2-subset-without-version", w3c(subset, "\n", true, ""), false},
		{"fields-before-version-and-a-remark", w3c(std, "\n", true, "#Remark: delivered by hand\n"), false},
		{"no-header", noHeader, false},
		{"v2-space-delimited", bytes.ReplaceAll(w3c(subset, "\n", true, ""), []byte("\t"), []byte(" ")), false},
		{"v2-pipe-delimited-gzip", bytes.ReplaceAll(w3c(withExtra, "\n", true, "#Version: 1.0\n"), []byte("\t"), []byte("|")), true},
		{"cloudwatch-export-json", cloudWatchExport(jsonLines), true},
		{"cloudwatch-export-w3c", cloudWatchExport(bytes.Split(bytes.TrimSuffix(noHeader, []byte("\n")), []byte("\n"))), false},
		{"v2-json", append(bytes.Join(jsonLines, []byte("\n")), '\n'), false},
		{"v2-json-crlf-gzip", bytes.Join(jsonLines, []byte("\r\n")), true},
	}
	dir := t.TempDir()
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			data := sh.data
			if sh.gzip {
				var b bytes.Buffer
				zw := gzip.NewWriter(&b)
				zw.Write(data)
				zw.Close()
				data = b.Bytes()
			}
			path := filepath.Join(dir, sh.name+".log")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			rep := analyze(t, nil, nil, path)
			checkPublic(t, rep, 2, nil, map[string]want{
				publicS3Denied:      {cause.S3Origin, "", Likely},
				publicMethodRefused: {cause.MethodNotAllowed, "POST", Certain},
			})
		})
	}
}

// cloudWatchExport is lines as a CloudWatch Logs export to S3 writes its
// events: each after its timestamp and a space.
func cloudWatchExport(lines [][]byte) []byte {
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString("2025-10-12T09:52:59.000Z ")
		b.Write(l)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// TestPublicMalformedLines: the real 403s among lines no parser could
// read are still explained, and each bad line is counted with its reason.
func TestPublicMalformedLines(t *testing.T) {
	std, recs := publicRecords(t)
	var b strings.Builder
	b.WriteString("#Version: 1.0\n#Fields: " + strings.Join(std, " ") + "\n")
	for i, r := range recs {
		vals := make([]string, len(std))
		for j, n := range std {
			vals[j] = r[n]
		}
		b.WriteString(strings.Join(vals, "\t") + "\n")
		if i == 0 {
			b.WriteString(strings.Join(vals[:31], "\t") + "\n") // cut, as in Elastic's sample
			b.WriteString("\x00\x01\xff\xfe\n")                 // not UTF-8
			b.WriteString("{\"sc-status\":\"403\",\n")          // cut JSON
			b.WriteString("\n\n")
		}
	}
	path := filepath.Join(t.TempDir(), "bad.log")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := analyze(t, nil, nil, path)
	checkPublic(t, rep, 2, map[string]int64{"wrong field count": 1, "invalid UTF-8": 1, "malformed JSON": 1},
		map[string]want{
			publicS3Denied:      {cause.S3Origin, "", Likely},
			publicMethodRefused: {cause.MethodNotAllowed, "POST", Certain},
		})
}

// TestPublicWAFRecords reads the published WAF records: the AWS example as
// published (with "..." placeholders) is counted as malformed, never
// fatal; filled in, it is a rate-based block; Elastic's records keep the
// blocks, drop the ALLOW, and name a rule inside a customer rule group by
// the group's name rather than its ARN.
func TestPublicWAFRecords(t *testing.T) {
	w := NewWAFIndex()
	for _, f := range []string{"aws-logging-examples-rate-based-1.json", "elastic-integrations-test-waf.log"} {
		if err := w.ReadWAF(filepath.Join("testdata/public/waf", f)); err != nil {
			t.Fatal(err)
		}
	}
	if w.Records != 4 || w.Allowed != 1 || w.Malformed != 1 {
		t.Errorf("records, allowed, malformed: got %v %v %v, want 4 1 1", w.Records, w.Allowed, w.Malformed)
	}
	un := w.Unjoined()
	// Two blocks share requestId "rid": the later one, in a rule group, is kept.
	for _, d := range []string{"GROUP:hello-world/RuleA-XSS", "REGULAR:STMTest_SQLi_XSS"} {
		if un[d] != 1 {
			t.Errorf("unjoined %q: got %v, want 1", d, un)
		}
	}

	b, err := os.ReadFile("testdata/public/waf/aws-logging-examples-rate-based-1.json")
	if err != nil {
		t.Fatal(err)
	}
	filled := strings.Replace(string(b), `"webaclId": ...`, `"webaclId": "arn:aws:wafv2:us-east-1:111122223333:global/webacl/acl/1"`, 1)
	filled = strings.Replace(filled, `"rateBasedRuleId": ...`, `"rateBasedRuleId": "1"`, 1)
	path := filepath.Join(t.TempDir(), "filled.json")
	if err := os.WriteFile(path, []byte(filled), 0o644); err != nil {
		t.Fatal(err)
	}
	w = NewWAFIndex()
	if err := w.ReadWAF(path); err != nil {
		t.Fatal(err)
	}
	hit, ok := w.Lookup("Ed0AiHF_CGYF-DA=")
	if !ok || hit.Detail() != "RATE_BASED:RateBasedRule" || hit.Rate != "limit 100 per window by CUSTOMKEYS" || hit.Country != "FR" {
		t.Errorf("filled-in example: got %+v %v", hit, ok)
	}
}

// TestPublicWAFJoin joins a published WAF record to a real 403 line by its
// request id: the doctor then names the rule, with certainty.
func TestPublicWAFJoin(t *testing.T) {
	b, err := os.ReadFile("testdata/public/waf/elastic-integrations-test-waf.log")
	if err != nil {
		t.Fatal(err)
	}
	var group string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, `"terminatingRuleType":"GROUP"`) {
			group = strings.Replace(l, `"requestId":"rid"`, `"requestId":"`+publicS3Denied+`"`, 1)
		}
	}
	path := filepath.Join(t.TempDir(), "waf.log")
	if err := os.WriteFile(path, []byte(group+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w := NewWAFIndex()
	if err := w.ReadWAF(path); err != nil {
		t.Fatal(err)
	}
	rep := analyze(t, nil, w, "testdata/public/logs/waf-security-automations-issue-188.log")
	checkPublic(t, rep, 1, nil, map[string]want{publicS3Denied: {cause.WAFBlock, "GROUP:hello-world/RuleA-XSS", Certain}})
	// The fix points at the web ACL rule that references the customer group.
	const where = `add {"Name":"RuleA-XSS","ActionToUse":{"Count":{}}} to the RuleGroupReferenceStatement.RuleActionOverrides of the rule that uses hello-world`
	if len(rep.Findings) != 1 || !strings.Contains(strings.Join(rep.Findings[0].Fix.Commands, "\n"), where) {
		t.Errorf("fix: got %+v, want a command to %s", rep.Findings, where)
	}
}

// TestPublicWAFShapes reads Elastic's published WAF records in the shapes
// WAF delivers them: S3 (gzip JSON lines), CRLF line ends, Firehose's
// records run together, a CloudWatch Logs export with a timestamp before
// each record, and a CloudWatch Logs subscription envelope.
func TestPublicWAFShapes(t *testing.T) {
	b, err := os.ReadFile("testdata/public/waf/elastic-integrations-test-waf.log")
	if err != nil {
		t.Fatal(err)
	}
	recs := strings.Split(string(b), "\n")
	var events []map[string]any
	var exported strings.Builder
	for i, r := range recs {
		events = append(events, map[string]any{"id": strconv.Itoa(i), "timestamp": 1592357192516, "message": r})
		exported.WriteString("2020-06-17T01:26:32.516Z " + r + "\n")
	}
	envelope, _ := json.Marshal(map[string]any{"messageType": "DATA_MESSAGE", "owner": "123456789012",
		"logGroup": "aws-waf-logs-e2e", "logStream": "us-east-1_hello-world_0", "logEvents": events})
	shapes := []struct {
		name string
		data string
		gzip bool
	}{
		{"gzip-json-lines", strings.Join(recs, "\n") + "\n", true},
		{"crlf", strings.Join(recs, "\r\n") + "\r\n", false},
		{"firehose-run-together", strings.Join(recs, ""), true},
		{"cloudwatch-export", exported.String(), false},
		{"cloudwatch-subscription", string(envelope), true},
	}
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			data := []byte(sh.data)
			if sh.gzip {
				var buf bytes.Buffer
				zw := gzip.NewWriter(&buf)
				zw.Write(data)
				zw.Close()
				data = buf.Bytes()
			}
			path := filepath.Join(t.TempDir(), "waf.log")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			w := NewWAFIndex()
			if err := w.ReadWAF(path); err != nil {
				t.Fatal(err)
			}
			if w.Records != 4 || w.Allowed != 1 || w.Malformed != 0 {
				t.Errorf("records, allowed, malformed: got %v %v %v, want 4 1 0", w.Records, w.Allowed, w.Malformed)
			}
			if un := w.Unjoined(); un["GROUP:hello-world/RuleA-XSS"] != 1 || un["REGULAR:STMTest_SQLi_XSS"] != 1 {
				t.Errorf("unjoined: got %v", un)
			}
		})
	}
}

// TestRealTimeFieldNames: a real-time log under its own #Fields line (as
// node-cloudfront-log-parser's fixture has it) names the viewer's Host
// cs-host and the distribution's domain x-host-header, carries the query in
// cs-uri-stem too, and names its headers cs-user-agent, cs-referer and
// cs-cookie (spec §2.5). The doctor reads them by those names: a signed
// cookie in cs-cookie is found, the path has no query, the host is the
// viewer's.
func TestRealTimeFieldNames(t *testing.T) {
	b, err := os.ReadFile("testdata/public/logs/node-cloudfront-log-parser-kinesis-1-0.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	names := strings.Fields(strings.TrimPrefix(lines[1], "#Fields:"))
	vals := strings.Split(lines[2], "\t")
	rec := map[string]string{}
	for i, n := range names {
		rec[n] = vals[i]
	}
	// The fixture's record, refused for an expired signed cookie (the
	// cookie of testdata/logs/real's signed-cookie-expired case).
	const cookie = "session=1;%20CloudFront-Expires=1714557540;%20CloudFront-Signature=KHwom4xgGoU-D%7ElmCsxFjlDecWh61lKj8T1jV1alkC9da1bXzha0eDB1lBiLDHeDHpiGtY4UAD4KVvDz8-AmgOiNOo630zXotpv7ngzmPhN8r28fs6jqJuzqY-rFa-b%7E4cZUb7vmBZDkvP5FlXR-qclPosZ04jiAUDP3v0sWEdOaeB7QVImx7P0o1LYTkXZsxUcpApUNxI3LtFbpoff-%7EawInzkD-0HjO%7Ezf6LTK06jWyUQ8%7EZwizQUyFyRjRLe5gCKPHOEqaV2gfADJqL3uSe4Dm%7E9cB%7EpYrNsj556IMQZKViWLhqvNAwxVvKsi9zqckkHoN1rrWreuGLgfFkslLw__;%20CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F"
	for k, v := range map[string]string{
		"sc-status": "403", "x-edge-result-type": "Error", "x-edge-response-result-type": "Error",
		"x-edge-detailed-result-type": "Error", "sc-content-type": "text/xml", "sc-content-len": "110",
		"cs-host": "www.example.com", "x-host-header": "d111111abcdef8.cloudfront.net",
		"cs-cookie": cookie, "timestamp": "1714557600.541",
	} {
		rec[k] = v
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = rec[n]
	}
	path := filepath.Join(t.TempDir(), "realtime.log")
	if err := os.WriteFile(path, []byte(lines[0]+"\n"+lines[1]+"\n"+strings.Join(out, "\t")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := analyze(t, nil, nil, path)
	id := rec["x-edge-request-id"]
	checkPublic(t, rep, 1, nil, map[string]want{id: {cause.SignedCookie, cause.DetailExpired, Certain}})
	if r := byID(rep)[id]; r.Host != "www.example.com" || r.Path != "/i" {
		t.Errorf("host, path: got %q %q, want the viewer's Host and the path without its query", r.Host, r.Path)
	}
}

// TestFieldNamesAnyCase: JSON records whose keys were lowercased on the way
// (Firehose's OpenX JSON SerDe lowercases keys by default; Athena's JSON
// table for these logs names its columns cs(host), cs(user-agent),
// cs(cookie)) are read by the same names.
func TestFieldNamesAnyCase(t *testing.T) {
	const cookie = "session=1;%20CloudFront-Expires=1714557540;%20CloudFront-Signature=KHwom4xgGoU-D%7ElmCsxFjlDecWh61lKj8T1jV1alkC9da1bXzha0eDB1lBiLDHeDHpiGtY4UAD4KVvDz8-AmgOiNOo630zXotpv7ngzmPhN8r28fs6jqJuzqY-rFa-b%7E4cZUb7vmBZDkvP5FlXR-qclPosZ04jiAUDP3v0sWEdOaeB7QVImx7P0o1LYTkXZsxUcpApUNxI3LtFbpoff-%7EawInzkD-0HjO%7Ezf6LTK06jWyUQ8%7EZwizQUyFyRjRLe5gCKPHOEqaV2gfADJqL3uSe4Dm%7E9cB%7EpYrNsj556IMQZKViWLhqvNAwxVvKsi9zqckkHoN1rrWreuGLgfFkslLw__;%20CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F"
	rec := map[string]string{"date": "2024-05-01", "time": "10:00:00", "cs-method": "GET", "cs(host)": "d111111abcdef8.cloudfront.net",
		"cs-uri-stem": "/private/movie.mp4", "sc-status": "403", "cs(user-agent)": "curl/8.5.0", "cs(cookie)": cookie,
		"x-edge-result-type": "Error", "x-edge-request-id": "lowercased-keys", "x-host-header": "www.example.com",
		"x-edge-detailed-result-type": "Error", "sc-content-type": "text/xml", "sc-content-len": "110"}
	b, _ := json.Marshal(rec)
	path := filepath.Join(t.TempDir(), "lower.json")
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := analyze(t, nil, nil, path)
	checkPublic(t, rep, 1, nil, map[string]want{"lowercased-keys": {cause.SignedCookie, cause.DetailExpired, Certain}})
}
