package doctor

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openfront-edge/openfront/internal/accesslog"
	"github.com/openfront-edge/openfront/internal/cause"
	"github.com/openfront-edge/openfront/internal/resource"
)

// rid is the fixtures' request id for a case name (testdata/fixgen).
func rid(name string) string {
	s := strings.NewReplacer(".", "_", "/", "_").Replace(name)
	for len(s) < 54 {
		s += "x"
	}
	return s[:54] + "=="
}

func testModel(t testing.TB) *Model {
	t.Helper()
	set, err := resource.Load([]string{"testdata/config"})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return NewModel(set, "cloudfront.localhost")
}

func testWAF(t testing.TB) *WAFIndex {
	t.Helper()
	w := NewWAFIndex()
	files, err := ListFiles([]string{"testdata/waf"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := w.ReadWAF(f); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func analyze(t testing.TB, model *Model, waf *WAFIndex, paths ...string) *LogReport {
	t.Helper()
	rep, err := AnalyzeLogs(paths, LogOptions{Model: model, WAF: waf, MaxRequests: 1000, Workers: 2})
	if err != nil {
		t.Fatalf("AnalyzeLogs: %v", err)
	}
	return rep
}

func byID(rep *LogReport) map[string]Request {
	m := map[string]Request{}
	for _, r := range rep.Requests {
		m[r.RequestID] = r
	}
	return m
}

type want struct {
	cause  cause.Cause
	detail string
	conf   Confidence
}

// TestLogCauses classifies every fixture line, each written in real
// CloudFront's format, with and without the configuration.
func TestLogCauses(t *testing.T) {
	model, waf := testModel(t), testWAF(t)
	withConfig := byID(analyze(t, model, waf, "testdata/logs/real", "testdata/logs/edge"))
	without := byID(analyze(t, nil, nil, "testdata/logs/real", "testdata/logs/edge"))
	tests := []struct {
		name        string
		with, alone want
	}{
		{"geo-restriction", want{cause.GeoRestriction, cause.DetailGeoAllowList, Certain}, want{cause.GeoRestriction, "", Certain}},
		{"method-not-allowed", want{cause.MethodNotAllowed, "POST", Certain}, want{cause.MethodNotAllowed, "POST", Certain}},
		{"waf-block-managed", want{cause.WAFBlock, "MANAGED_RULE_GROUP:AWS#AWSManagedRulesCommonRuleSet/SizeRestrictions_BODY", Certain}, want{cause.WAFBlock, "", Likely}},
		{"waf-block-rate", want{cause.WAFBlock, "RATE_BASED:RateLimitPerIP", Certain}, want{cause.WAFBlock, "", Likely}},
		{"waf-block-nolog", want{cause.WAFBlock, "", Likely}, want{cause.WAFBlock, "", Likely}},
		{"signed-url-missing-key-pair-id", want{cause.SignedURL, cause.DetailMissingKeyPairID, Certain}, want{cause.SignedURL, cause.DetailMissingKeyPairID, Certain}},
		{"signed-url-unknown-key", want{cause.SignedURL, cause.DetailUnknownKey, Certain}, want{cause.SignedURL, "", Likely}},
		{"signed-url-malformed-signature", want{cause.SignedURL, cause.DetailMalformedSignature, Certain}, want{cause.SignedURL, cause.DetailMalformedSignature, Certain}},
		{"signed-url-malformed-policy", want{cause.SignedURL, cause.DetailMalformedPolicy, Certain}, want{cause.SignedURL, cause.DetailMalformedPolicy, Certain}},
		{"signed-url-expired", want{cause.SignedURL, cause.DetailExpired, Certain}, want{cause.SignedURL, cause.DetailExpired, Certain}},
		{"signed-url-not-yet-valid", want{cause.SignedURL, cause.DetailNotYetValid, Certain}, want{cause.SignedURL, cause.DetailNotYetValid, Certain}},
		{"signed-url-ip-mismatch", want{cause.SignedURL, cause.DetailIPMismatch, Certain}, want{cause.SignedURL, cause.DetailIPMismatch, Certain}},
		{"signed-url-resource-mismatch", want{cause.SignedURL, cause.DetailResourceMismatch, Certain}, want{cause.SignedURL, cause.DetailResourceMismatch, Certain}},
		{"signed-url-bad-signature", want{cause.SignedURL, cause.DetailBadSignature, Certain}, want{cause.SignedURL, "", Likely}},
		{"signed-url-query-added-after-signing", want{cause.SignedURL, cause.DetailQueryAddedAfterSigning, Certain}, want{cause.SignedURL, cause.DetailQueryAddedAfterSigning, Likely}},
		{"signed-url-s3-url-signed-instead", want{cause.SignedURL, cause.DetailS3URLSignedInstead, Certain}, want{cause.SignedURL, cause.DetailS3URLSignedInstead, Certain}},
		{"signed-url-signing-params-forwarded-to-s3", want{cause.SignedURL, cause.DetailSigningParamsToS3, Likely}, want{cause.SignedURL, cause.DetailSigningParamsToS3, Likely}},
		{"signed-url-wrong-hash-algorithm", want{cause.SignedURL, "wrong-hash-algorithm", Certain}, want{cause.SignedURL, "wrong-hash-algorithm", Certain}},
		{"signed-url-missing-nothing", want{cause.SignedURL, cause.DetailMissingKeyPairID, Likely}, want{cause.SignedURL, cause.DetailMissingKeyPairID, Likely}},
		{"signed-cookie-expired", want{cause.SignedCookie, cause.DetailExpired, Certain}, want{cause.SignedCookie, cause.DetailExpired, Certain}},
		{"signed-cookie-missing-key-pair-id", want{cause.SignedCookie, cause.DetailMissingKeyPairID, Certain}, want{cause.SignedCookie, cause.DetailMissingKeyPairID, Certain}},
		{"viewer-protocol-https-only", want{cause.ViewerProtocolHTTPSOnly, "", Certain}, want{cause.ViewerProtocolHTTPSOnly, "", Likely}},
		{"viewer-protocol-redirect-http10", want{cause.ViewerProtocolHTTPSOnly, cause.DetailRedirectBelowHTTP11, Certain}, want{cause.ViewerProtocolHTTPSOnly, "", Likely}},
		{"get-with-body", want{cause.GetWithBody, "", Likely}, want{cause.GetWithBody, "", Likely}},
		{"s3-no-default-root-object", want{cause.S3Origin, cause.DetailNoDefaultRootObject, Likely}, want{cause.S3Origin, "", Likely}},
		{"s3-missing-object", want{cause.S3Origin, cause.DetailMissingObjectWithoutList, Possible}, want{cause.S3Origin, "", Likely}},
		{"s3-no-origin-access", want{cause.S3Origin, cause.DetailNoOriginAccess, Likely}, want{cause.S3Origin, "", Likely}},
		{"s3-origin-access-not-in-bucket-policy", want{cause.S3Origin, cause.DetailOriginAccessNotInBucketPolicy, Possible}, want{cause.S3Origin, "", Likely}},
		{"s3-website-endpoint-private-object", want{cause.S3Origin, cause.DetailWebsiteEndpointPrivateObject, Likely}, want{cause.CustomOrigin, "", Likely}},
		{"s3-website-endpoint-as-rest-origin", want{cause.S3Origin, cause.DetailWebsiteEndpointAsRESTOrigin, Likely}, want{cause.S3Origin, "", Likely}},
		{"s3-rest-endpoint-as-custom-origin", want{cause.S3Origin, cause.DetailRESTEndpointAsCustomOrigin, Likely}, want{cause.S3Origin, "", Likely}},
		{"s3-host-header-forwarded", want{cause.S3Origin, cause.DetailHostHeaderForwarded, Likely}, want{cause.S3Origin, "", Likely}},
		{"custom-origin", want{cause.CustomOrigin, "", Likely}, want{cause.CustomOrigin, "", Likely}},
		{"custom-error-response", want{cause.CustomErrorResponse, cause.DetailMaskedAs200, Likely}, want{cause.CustomErrorResponse, cause.DetailMaskedAs200, Possible}},
		{"timing-edge", want{cause.WAFBlock, "", Possible}, want{cause.WAFBlock, "", Possible}},
		{"timing-origin", want{cause.S3Origin, cause.DetailMissingObjectWithoutList, Possible}, want{cause.CustomOrigin, "", Likely}},
		{"unknown-edge-function", want{cause.Unknown, cause.DetailEdgeFunction, Likely}, want{cause.Unknown, cause.DetailEdgeFunction, Likely}},
		{"unknown-no-config", want{cause.Unknown, "", Possible}, want{cause.Unknown, "", Possible}},
		// This edge's _unrouted log.
		{"alias-not-configured", want{cause.AliasNotConfigured, "", Certain}, want{cause.AliasNotConfigured, "", Likely}},
		{"distribution-disabled", want{cause.DistributionDisabled, "", Certain}, want{cause.DistributionDisabled, "", Likely}},
		{"invalid-request-url-too-long", want{cause.InvalidRequest, cause.DetailURLTooLong, Likely}, want{cause.InvalidRequest, cause.DetailURLTooLong, Likely}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range []struct {
				name string
				reqs map[string]Request
				w    want
			}{{"config", withConfig, tc.with}, {"no-config", without, tc.alone}} {
				r, ok := mode.reqs[rid(tc.name)]
				if !ok {
					t.Fatalf("%s: request not classified", mode.name)
				}
				got := want{cause.Cause(r.Cause), r.Detail, Confidence(r.Confidence)}
				if got != mode.w {
					t.Errorf("%s: got %v, want %v (evidence %q, candidates %q)", mode.name, got, mode.w, r.Evidence, r.Candidates)
				}
				if len(r.Evidence) == 0 {
					t.Errorf("%s: no evidence", mode.name)
				}
			}
		})
	}
	for _, name := range []string{"other-404", "other-502", "other-client-gone"} {
		if r, ok := withConfig[rid(name)]; ok {
			t.Errorf("%s: got cause %q, want none (not a refusal)", name, r.Cause)
		}
	}
}

// TestS3CandidatesRanked checks the S3 causes no log field shows: they are
// listed, ranked, behind the one named.
func TestS3CandidatesRanked(t *testing.T) {
	reqs := byID(analyze(t, testModel(t), nil, "testdata/logs/real"))
	r := reqs[rid("s3-missing-object")]
	for _, d := range []string{cause.DetailKMSEncrypted, cause.DetailRequesterPays, cause.DetailBucketPolicyDeny, cause.DetailObjectOwnedByOtherAccount, cause.DetailOriginAccessNotInBucketPolicy} {
		found := false
		for _, c := range r.Candidates {
			found = found || c == d
		}
		if !found {
			t.Errorf("candidate %s: got %v, want it listed", d, r.Candidates)
		}
	}
}

// TestCleanCorpus: traffic without refusals yields no finding.
func TestCleanCorpus(t *testing.T) {
	for _, model := range []*Model{nil, testModel(t)} {
		rep := analyze(t, model, nil, "testdata/logs/clean")
		if len(rep.Findings) != 0 {
			t.Errorf("findings: got %v, want none", rep.Findings)
		}
		if rep.Summary.Lines != 65 {
			t.Errorf("lines: got %v, want 65", rep.Summary.Lines)
		}
		if got := len(rep.Summary.OtherErrors); got != 2 {
			t.Errorf("other errors: got %v, want 2 (the 404 and the 502)", rep.Summary.OtherErrors)
		}
	}
}

// TestVariants reads the 35-field log, standard logging v2 JSON and a v2
// W3C subset.
func TestVariants(t *testing.T) {
	reqs := byID(analyze(t, testModel(t), nil, "testdata/logs/variants"))
	tests := []struct {
		name string
		want want
	}{
		{"v35-geo", want{cause.GeoRestriction, cause.DetailGeoAllowList, Certain}},
		{"v2-method-from-config", want{cause.MethodNotAllowed, "DELETE", Likely}},
		{"v2-geo-from-country", want{cause.GeoRestriction, cause.DetailGeoAllowList, Certain}},
		{"v2w3c-geo", want{cause.GeoRestriction, cause.DetailGeoAllowList, Certain}},
	}
	for _, tc := range tests {
		r := reqs[rid(tc.name)]
		got := want{cause.Cause(r.Cause), r.Detail, Confidence(r.Confidence)}
		if got != tc.want {
			t.Errorf("%s: got %v, want %v (%q)", tc.name, got, tc.want, r.Evidence)
		}
	}
}

// TestMalformed: bad lines, non-UTF-8, another version's header and a cut
// gzip file are counted and reported, never fatal.
func TestMalformed(t *testing.T) {
	rep := analyze(t, nil, nil, "testdata/logs/malformed")
	s := rep.Summary
	if s.Malformed < 2 {
		t.Errorf("malformed: got %v, want at least 2", s.Malformed)
	}
	if s.MalformedReasons["invalid UTF-8"] != 1 {
		t.Errorf("invalid UTF-8: got %v, want 1", s.MalformedReasons)
	}
	if len(s.ReadErrors) != 1 || !strings.Contains(s.ReadErrors[0], "TRUNCATE") {
		t.Errorf("read errors: got %v, want the truncated file", s.ReadErrors)
	}
	if s.Lines < 100 {
		t.Errorf("lines: got %v, want the lines before the cut too", s.Lines)
	}
}

// TestSinceUntil keeps only lines inside the window.
func TestSinceUntil(t *testing.T) {
	since, until := mustTime(t, "2024-05-01T10:01:40Z"), mustTime(t, "2024-05-01T10:01:42Z")
	rep, err := AnalyzeLogs([]string{"testdata/logs/real/EDFDVBD6EXAMPLE.2024-05-01-10.A1B2C3D4.gz"}, LogOptions{Since: since, Until: until, MaxRequests: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rep.Requests {
		got = append(got, r.RequestID)
	}
	if want := []string{rid("geo-restriction"), rid("method-not-allowed")}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v, want %v", got, want)
	}
	if rep.Summary.SkippedByTime == 0 {
		t.Errorf("skipped: got 0, want the lines outside")
	}
}

// TestSinceUntilTimestamps: lines without a date (v2 W3C subsets with
// timestamp(ms), real-time logs' timestamp, JSON) are kept by their
// timestamps.
func TestSinceUntilTimestamps(t *testing.T) {
	in := "#Fields: timestamp(ms) sc-status x-edge-result-type x-edge-request-id x-edge-detailed-result-type\n" +
		"1714557699000\t403\tError\tbefore\tClientGeoBlocked\n" +
		"1714557700000\t403\tError\tinside-ms\tClientGeoBlocked\n" +
		"1714557702000\t403\tError\tafter\tClientGeoBlocked\n" +
		"#Fields: timestamp sc-status x-edge-result-type x-edge-request-id x-edge-detailed-result-type\n" +
		"1714557701.5\t403\tError\tinside-secs\tClientGeoBlocked\n" +
		"1714557800.0\t403\tError\tlater\tClientGeoBlocked\n" +
		`{"timestamp(ms)":"1714557701900","sc-status":"403","x-edge-result-type":"Error","x-edge-request-id":"inside-json","x-edge-detailed-result-type":"ClientGeoBlocked"}` + "\n" +
		`{"timestamp(ms)":"1714557600000","sc-status":"403","x-edge-result-type":"Error","x-edge-request-id":"early-json","x-edge-detailed-result-type":"ClientGeoBlocked"}` + "\n"
	path := filepath.Join(t.TempDir(), "v2.log")
	if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	since, until := time.UnixMilli(1714557700000), time.UnixMilli(1714557702000)
	rep, err := AnalyzeLogs([]string{path}, LogOptions{Since: since, Until: until, MaxRequests: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rep.Requests {
		got = append(got, r.RequestID)
	}
	if want := "inside-ms,inside-secs,inside-json"; strings.Join(got, ",") != want {
		t.Errorf("got %v, want %v", got, want)
	}
	if rep.Summary.SkippedByTime != 4 {
		t.Errorf("skipped: got %v, want 4", rep.Summary.SkippedByTime)
	}
}

// TestMaxRequests keeps the earliest requests and counts all.
func TestMaxRequests(t *testing.T) {
	rep, err := AnalyzeLogs([]string{"testdata/logs/real"}, LogOptions{MaxRequests: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Requests) != 3 || rep.Summary.Requests.Total <= 3 {
		t.Fatalf("got %v requests of %v, want 3 of more", len(rep.Requests), rep.Summary.Requests.Total)
	}
	if rep.Requests[0].RequestID != rid("custom-error-response") && rep.Requests[0].Time > rep.Requests[1].Time {
		t.Errorf("requests not in time order: %v", rep.Requests)
	}
	var total int64
	for _, f := range rep.Findings {
		total += f.Count
	}
	if total != rep.Summary.Refused {
		t.Errorf("findings count %v requests, want %v", total, rep.Summary.Refused)
	}
}

// TestWAFFormats reads S3 JSON lines, Firehose's concatenated records and
// a CloudWatch export with a timestamp prefix and a cut record.
func TestWAFFormats(t *testing.T) {
	w := testWAF(t)
	if w.Records != 5 {
		t.Errorf("records: got %v, want 5", w.Records)
	}
	if w.Allowed != 1 {
		t.Errorf("allowed: got %v, want 1", w.Allowed)
	}
	if w.Malformed != 1 {
		t.Errorf("malformed: got %v, want 1 (the cut record)", w.Malformed)
	}
	hit, ok := w.Lookup(rid("waf-block-rate"))
	if !ok || hit.Detail() != "RATE_BASED:RateLimitPerIP" {
		t.Errorf("rate record: got %v %v", hit, ok)
	}
	if un := w.Unjoined(); un["REGULAR:BlockBadBots"] != 1 {
		t.Errorf("unjoined: got %v, want the record no log line has", un)
	}
}

// TestSameReportWhateverTheWorkers reads many files with 1 to 8 workers:
// the reports are identical, byte for byte. The files have enough distinct
// addresses and paths for the top lists to become approximate, more
// refusals than the requests kept, malformed lines and a cut gzip file.
func TestSameReportWhateverTheWorkers(t *testing.T) {
	ok, refused := fixtureLines(t)
	dir := t.TempDir()
	for f := range 12 {
		var b strings.Builder
		b.WriteString(accesslog.Header)
		for j := range 400 {
			line := ok[j%len(ok)]
			if j%5 == 0 {
				line = refused[(f+j)%len(refused)]
			}
			fields := strings.Split(line, "\t")
			fields[1] = fmt.Sprintf("10:%02d:%02d", (f*7+j)%60, j%60)
			fields[4] = fmt.Sprintf("198.51.%d.%d", f, j%250)
			if j%3 == 0 {
				fields[7] = fmt.Sprintf("/p/%d.jpg", (f*131+j)%300)
			}
			b.WriteString(strings.Join(fields, "\t"))
			b.WriteByte('\n')
			if j%97 == 0 {
				b.WriteString("a\tline\twith\ttoo\tfew\tfields\n")
			}
		}
		data := []byte(b.String())
		name := fmt.Sprintf("E%dEXAMPLE.2024-05-01-10.F%03d", f%3, f)
		if f%4 == 1 {
			var z bytes.Buffer
			zw := gzip.NewWriter(&z)
			zw.Write(data)
			zw.Close()
			data, name = z.Bytes(), name+".gz"
			if f == 5 {
				data = data[:len(data)*2/3]
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	model, waf := testModel(t), testWAF(t)
	report := func(workers int) string {
		rep, err := AnalyzeLogs([]string{dir}, LogOptions{Model: model, WAF: waf, MaxRequests: 25, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := rep.WriteJSON(&out); err != nil {
			t.Fatal(err)
		}
		if err := rep.WriteText(&out, Style{}); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	want := report(1)
	if !strings.Contains(want, "read") || !strings.Contains(want, "wrong field count") {
		t.Fatalf("the input lacks a read error or malformed lines:\n%s", want)
	}
	for _, workers := range []int{2, 3, 8, 1} {
		if got := report(workers); got != want {
			t.Errorf("%d workers: the report differs from 1 worker's:\n%s\nwant:\n%s", workers, got, want)
		}
	}
}
