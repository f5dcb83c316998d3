package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// interopLog starts an edge, sends it a mix of requests (served, refused by
// the edge, refused by the origin, redirected, a dead origin; odd query
// strings, UTF-8 paths, user agents with spaces, quotes and tabs, cookies)
// and returns the text of its gzip logs, as zcat would print them, and
// how many requests it sent.
func interopLog(t *testing.T) (text []byte, sent int) {
	t.Helper()
	o := newOrigin(t, "app", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/forbidden") {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, "<Error><Code>AccessDenied</Code></Error>")
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "ok")
	})
	// Port 1, as TestOriginFailures: a port freed here could be taken by a
	// test running beside this one.
	const deadPort = 1
	if c, err := net.Dial("tcp", "127.0.0.1:1"); err == nil {
		c.Close()
		t.Skip("something listens on 127.0.0.1:1; no dead port to point at")
	}
	viewer := func(pattern, policy string) obj {
		return with(behavior(pattern, "o"), "ViewerProtocolPolicy", policy)
	}
	logging := obj{"Enabled": true, "IncludeCookies": true, "Bucket": "logs.s3.amazonaws.com", "Prefix": ""}
	app := with(distConfig([]obj{customOrigin("o", "127.0.0.1", o.port())}, behavior("", "o"),
		viewer("/secure/*", "https-only"), viewer("/redir/*", "redirect-to-https")), "Logging", logging)
	dead := with(distConfig([]obj{customOrigin("d", "127.0.0.1", deadPort)}, behavior("", "d")), "Logging", logging)
	e := startEdge(t, map[string]any{"EINTEROP1.json": configDoc(app), "EINTEROPDEAD.json": configDoc(dead)})

	host := defaultDomain("EINTEROP1")
	browser := "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
	tests := []struct {
		request
		status int
	}{
		{request{Host: host, Target: "/index.html", Header: http.Header{"User-Agent": {browser}}}, 200},
		{request{Host: host, Target: "/api/items?q=a%20b&pct=%25&eq=%3D1&plus=1+2&sym=<>\"'{}|^~[]`&u=%E2%9C%93&empty="}, 200},
		{request{Host: host, Target: "/caf%C3%A9/%E6%97%A5%E6%9C%AC.txt?x=%C3%A9"}, 200},
		{request{Host: host, Target: "/a,b;c=d/e%20f/%25/", Header: http.Header{
			"User-Agent": {"Tool \"quoted\" \\back\\slash\ttab ü"}, "Referer": {"https://ref.example.com/a b?c=%41#frag"},
			"Cookie": {"session=abc def; other=\"x\"; pct=%22"}}}, 200},
		{request{Host: host, Target: "/forbidden/report.pdf", Header: http.Header{"User-Agent": {browser}}}, 403},
		{request{Host: host, Target: "/secure/account?id=7"}, 403},
		{request{Host: host, Method: http.MethodDelete, Target: "/index.html"}, 403},
		{request{Host: host, Target: "/redir/page?from=http"}, 301},
		{request{Host: defaultDomain("EINTEROPDEAD"), Target: "/down", Header: http.Header{"User-Agent": {browser}}}, 502},
		{request{Proto: "https", Host: host, Target: "/secure/account?id=8", Header: http.Header{"Cookie": {"a=1; b=2"}}}, 200},
		{request{Proto: "h2", Host: host, Target: "/h2/%F0%9F%98%80?emoji=%F0%9F%98%80"}, 200},
	}
	ids := map[string]bool{}
	for i, tc := range tests {
		r := e.do(t, tc.request)
		if r.Status != tc.status {
			t.Fatalf("%s %s: got %d, want %d", tc.Method, tc.Target, r.Status, tc.status)
		}
		ids[r.ID()] = true
		if i == 0 {
			// Flushed before the others: the file then holds several gzip members.
			e.waitLogID(t, "EINTEROP1.*.gz", r.ID())
		}
	}
	// Raw UTF-8 bytes in the request target, as some clients send them.
	r := mustRaw(t, e.HTTP, "GET /raw/ünï/日本 HTTP/1.1\r\nHost: "+host+"\r\nUser-Agent: raw client/1.0\r\n\r\n")
	ids[r.ID()] = true
	sent = len(tests) + 1

	waitFor(t, 15*time.Second, "every request in the logs", func() bool {
		n := 0
		for _, l := range e.logs(t, "EINTEROP*.gz") {
			if ids[l["x-edge-request-id"]] {
				n++
			}
		}
		return n == len(ids)
	})
	e.stop(t, 15*time.Second) // flush and close the files: complete gzip members
	files, err := filepath.Glob(filepath.Join(e.LogDir, "EINTEROP*.gz"))
	if err != nil {
		t.Fatal(err)
	}
	var all bytes.Buffer
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		one, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		// Athena's table skips two header lines a file
		// (skip.header.line.count=2): a file has its two, first, and no other.
		if !bytes.HasPrefix(one, []byte("#Version: 1.0\n#Fields: ")) || bytes.Count(one, []byte("\n#")) != 1 {
			t.Errorf("%s: want #Version and #Fields as its first two lines and no other directive:\n%s", f, one)
		}
		all.Write(one)
	}
	return all.Bytes(), sent
}

// dataLines are the log lines that are not # directives, split into fields.
func dataLines(text []byte) [][]string {
	var out [][]string
	for _, l := range strings.Split(strings.TrimSuffix(string(text), "\n"), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, strings.Split(l, "\t"))
		}
	}
	return out
}

// unescapeLog undoes CloudFront's log encoding once, as readers do.
func unescapeLog(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// TestLogsReadByGoAccess: GoAccess's own CLOUDFRONT format parses every
// line this edge writes, and counts the statuses and paths the log holds.
func TestLogsReadByGoAccess(t *testing.T) {
	t.Parallel()
	goaccess, err := exec.LookPath("goaccess")
	if err != nil {
		t.Skip("goaccess is not installed (.ci/run installs it)")
	}
	text, sent := interopLog(t)
	lines := dataLines(text)
	if len(lines) != sent {
		t.Fatalf("log has %d lines, want %d", len(lines), sent)
	}
	in := filepath.Join(t.TempDir(), "access.log")
	if err := os.WriteFile(in, text, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "report.json")
	// GoAccess's predefined CLOUDFRONT log, date and time formats (goaccess(1)).
	cmd := exec.Command(goaccess, in, "--log-format=CLOUDFRONT", "--date-format=CLOUDFRONT",
		"--time-format=CLOUDFRONT", "--no-global-config", "-o", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("goaccess: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	type item struct {
		Hits struct {
			Count int `json:"count"`
		} `json:"hits"`
		Data  string `json:"data"`
		Items []item `json:"items"`
	}
	type panel struct {
		Data []item `json:"data"`
	}
	var rep struct {
		General struct {
			Total  int `json:"total_requests"`
			Valid  int `json:"valid_requests"`
			Failed int `json:"failed_requests"`
		} `json:"general"`
		Status   panel `json:"status_codes"`
		Requests panel `json:"requests"`
		Static   panel `json:"static_requests"`
		NotFound panel `json:"not_found"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("goaccess JSON: %v", err)
	}
	if g := rep.General; g.Total != sent || g.Valid != sent || g.Failed != 0 {
		t.Errorf("goaccess total, valid, failed: got %d %d %d, want %d %d 0", g.Total, g.Valid, g.Failed, sent, sent)
	}

	wantStatus, wantPath := map[string]int{}, map[string]int{}
	for _, f := range lines {
		wantStatus[f[8]]++
		// GoAccess decodes the request once and appends the query ("-" too).
		wantPath[unescapeLog(f[7])+"?"+unescapeLog(f[11])]++
	}
	gotStatus := map[string]int{}
	for _, class := range rep.Status.Data {
		for _, it := range class.Items {
			code, _, _ := strings.Cut(it.Data, " ")
			gotStatus[code] += it.Hits.Count
		}
	}
	if !equalCounts(gotStatus, wantStatus) {
		t.Errorf("goaccess statuses: got %v, want %v", gotStatus, wantStatus)
	}
	gotPath := map[string]int{}
	for _, p := range []panel{rep.Requests, rep.Static, rep.NotFound} {
		for _, it := range p.Data {
			gotPath[it.Data] += it.Hits.Count
		}
	}
	if !equalCounts(gotPath, wantPath) {
		t.Errorf("goaccess paths:\n got %v\nwant %v", gotPath, wantPath)
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// athenaColumns are the column types of Athena's documented table for
// CloudFront standard logs (Athena User Guide, "Create a table for
// CloudFront standard logs (legacy)": ROW FORMAT DELIMITED FIELDS
// TERMINATED BY '\t'), by position; the others are STRING. A value that
// does not parse as its type reads as NULL, which for "-" is the intent;
// required columns are never "-" in CloudFront's logs.
var athenaColumns = map[int]struct {
	typ      string
	required bool
}{
	0: {"DATE", true}, 3: {"BIGINT", true}, 8: {"INT", true}, 17: {"BIGINT", true}, 18: {"FLOAT", true},
	25: {"INT", false}, 26: {"INT", true}, 27: {"FLOAT", true}, 30: {"BIGINT", false}, 31: {"BIGINT", false}, 32: {"BIGINT", false},
}

// athenaRegex is the example RegexSerDe of the Athena User Guide ("Regex
// SerDe"), which reads date … status and the user agent's OS and browser;
// Go's RE2 has no (?!#), so directives are skipped before matching.
var athenaRegex = regexp.MustCompile(`^([^ ]+)\s+([^ ]+)\s+([^ ]+)\s+([^ ]+)\s+([^ ]+)\s+([^ ]+)\s+([^ ]+)\s+([^ ]+)\s+([^ ]+)\s+([^ ]+)\s+[^\(]+[\(]([^\;]+).*\%20([^\/]+)[\/](.*)$`)

// athenaFields is the 33-group \S+ pattern of the RegexSerDe tables people
// write for these logs: it holds only when no field has a space in it.
var athenaFields = regexp.MustCompile(`^` + strings.Repeat(`(\S+)\s+`, 32) + `(\S+)$`)

// TestLogsReadByAthena: every line this edge writes fits Athena's
// documented CloudFront tables: 33 tab-separated columns, each parsing as
// its column type, and the RegexSerDe patterns match.
func TestLogsReadByAthena(t *testing.T) {
	t.Parallel()
	text, sent := interopLog(t)
	lines := dataLines(text)
	if len(lines) != sent {
		t.Fatalf("log has %d lines, want %d", len(lines), sent)
	}
	browsers := 0
	for _, f := range lines {
		line := strings.Join(f, "\t")
		if len(f) != 33 {
			t.Errorf("%d columns, want 33: %q", len(f), line)
			continue
		}
		for i, c := range athenaColumns {
			v := f[i]
			if v == "-" {
				if c.required {
					t.Errorf("column %d (%s) is -: %q", i, c.typ, line)
				}
				continue
			}
			var err error
			switch c.typ {
			case "DATE":
				_, err = time.Parse("2006-01-02", v)
			case "INT":
				_, err = strconv.ParseInt(v, 10, 32)
			case "BIGINT":
				_, err = strconv.ParseInt(v, 10, 64)
			case "FLOAT":
				_, err = strconv.ParseFloat(v, 32)
			}
			if err != nil {
				t.Errorf("column %d %q is not a %s: %v", i, v, c.typ, err)
			}
		}
		if _, err := time.Parse("15:04:05", f[1]); err != nil {
			t.Errorf("time %q: %v", f[1], err)
		}
		if !athenaFields.MatchString(line) {
			t.Errorf("the 33-column \\S+ pattern does not match: %q", line)
		}
		if strings.Contains(f[10], "(") {
			m := athenaRegex.FindStringSubmatch(line)
			if m == nil || m[9] != f[8] || m[8] != f[7] {
				t.Errorf("Athena's example RegexSerDe: got %q for %q", m, line)
				continue
			}
			browsers++
		}
	}
	if browsers < 3 {
		t.Errorf("%d browser lines matched the example RegexSerDe, want 3", browsers)
	}
}

// TestDoctorPublicSamples runs the binary's doctor on the real CloudFront
// lines and WAF records of internal/doctor/testdata/public (copied from
// public sources, see its README), gzip-compressed with CRLF line ends as
// a Windows download of S3 might leave them: the two real 403s are
// explained, the lines of other schemas and the cut ones are counted as
// malformed, the published WAF example with placeholders as a malformed
// record, and the exit status says causes were found.
func TestDoctorPublicSamples(t *testing.T) {
	t.Parallel()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	public := filepath.Join(root, "internal", "doctor", "testdata", "public")
	src, err := filepath.Glob(filepath.Join(public, "logs", "*"))
	if err != nil || len(src) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	dir := t.TempDir()
	for _, f := range src {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(b)
		zw.Close()
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)+".gz"), z.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var rep doctorPublicReport
	code := runDoctorJSON(t, &rep, "logs", "--json", "--no-progress", "--waf-logs", filepath.Join(public, "waf"), dir)
	if code != 1 {
		t.Errorf("exit status: got %d, want 1 (causes found)", code)
	}
	s := rep.Summary
	if s.Files != len(src) || s.Refused != 2 || s.Malformed != 7 || len(s.ReadErrors) != 0 {
		t.Errorf("files, refused, malformed, read errors: got %d %d %d %v, want %d 2 7 none", s.Files, s.Refused, s.Malformed, s.ReadErrors, len(src))
	}
	if s.ByCause["s3-origin"] != 1 || s.ByCause["method-not-allowed"] != 1 {
		t.Errorf("causes: got %v, want s3-origin and method-not-allowed", s.ByCause)
	}
	if s.WAF == nil || s.WAF.Records != 4 || s.WAF.Malformed != 1 {
		t.Errorf("WAF: got %+v, want 4 records and 1 malformed", s.WAF)
	}
	for _, r := range rep.Requests {
		if r.Cause == "method-not-allowed" && (r.Detail != "POST" || r.Confidence != "certain") {
			t.Errorf("the InvalidRequestMethod line: got %+v", r)
		}
	}
}

type doctorPublicReport struct {
	Summary struct {
		Files      int                               `json:"files"`
		Malformed  int                               `json:"malformed"`
		ReadErrors []string                          `json:"read_errors"`
		Refused    int                               `json:"refused"`
		ByCause    map[string]int                    `json:"by_cause"`
		WAF        *struct{ Records, Malformed int } `json:"waf"`
	} `json:"summary"`
	Requests []struct {
		Cause, Detail, Confidence string
	} `json:"requests"`
}
