package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Helpers of the S3 cause tests (s3causes_test.go): one case is a request
// through the edge to an S3 origin, what must come back, what the log
// line says, and what "doctor url" and "doctor logs" must name.

// s3Case is one S3 refusal (or success) through the edge.
type s3Case struct {
	name, dist string
	host       string // Host sent; "" for the distribution's default domain
	target     string
	header     http.Header
	status     int
	server     string // the origin's Server header, passed through
	ctype      string // Content-Type prefix
	body       string // a substring of the body ("" to skip)
	exact      string // the whole body, when the origin's bytes are known
	// doctor url: the detail it must name, at least this confidence; when
	// detail is "", candidate must be among its ranked candidates.
	urlDetail, urlCandidate string
	urlCertain              bool
	// doctor logs, likewise (its evidence is the log line and the config).
	logsDetail, logsCandidate string

	id string // X-Amz-Cf-Id, set when sent
}

// websiteOrigin is an S3 website endpoint set up as CloudFront requires:
// a custom origin, HTTP only.
func websiteOrigin(id, bucket string) obj {
	return with(customOrigin(id, bucket+"."+s3WebsiteDomain, 80), "CustomOriginConfig", obj{
		"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only",
		"OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5, "OriginSslProtocols": list("TLSv1.2"),
	})
}

// restCustomOrigin is an S3 REST endpoint wrongly set up as a custom
// origin, HTTPS only as a user would write it.
func restCustomOrigin(id, bucket string) obj {
	return with(customOrigin(id, bucket+".s3.us-east-1.amazonaws.com", 80), "CustomOriginConfig", obj{
		"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only",
		"OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5, "OriginSslProtocols": list("TLSv1.2"),
	})
}

// forwardingHeaders is a legacy ForwardedValues behavior forwarding headers.
func forwardingHeaders(b obj, headers ...string) obj {
	return with(b, "CachePolicyId", nil, "MinTTL", 0, "DefaultTTL", 0, "MaxTTL", 0, "ForwardedValues", obj{
		"QueryString": false, "Cookies": obj{"Forward": "none"},
		"Headers": list(headers...), "QueryStringCacheKeys": list[string](),
	})
}

// sendS3Cases sends every case through the edge and checks the answer and
// its access-log line: the origin's own status, Server, body and headers
// with CloudFront's added (spec §8.3), and result types Error (Miss for a
// success).
func (e *edge) sendS3Cases(t *testing.T, cases []*s3Case) {
	t.Helper()
	for _, c := range cases {
		host := c.host
		if host == "" {
			host = defaultDomain(c.dist)
		}
		r := e.do(t, request{Host: host, Target: c.target, Header: c.header})
		c.id = r.ID()
		if r.Status != c.status {
			t.Errorf("%s: %s%s: got %d %q, want %d", c.name, host, c.target, r.Status, r.Body, c.status)
		}
		if got := r.Header.Get("Server"); got != c.server {
			t.Errorf("%s: Server %q, want %q (the origin's, passed through)", c.name, got, c.server)
		}
		if got := r.Header.Get("Content-Type"); !strings.HasPrefix(got, c.ctype) {
			t.Errorf("%s: Content-Type %q, want %s…", c.name, got, c.ctype)
		}
		if c.body != "" && !bytes.Contains(r.Body, []byte(c.body)) {
			t.Errorf("%s: body %q, want it to contain %q", c.name, r.Body, c.body)
		}
		if c.exact != "" && string(r.Body) != c.exact {
			t.Errorf("%s: body\n%q\nwant the origin's bytes\n%q", c.name, r.Body, c.exact)
		}
		xcache, result := "Miss from cloudfront", "Miss"
		if c.status >= 400 {
			xcache, result = "Error from cloudfront", "Error"
			if r.Header.Get("X-Amz-Request-Id") == "" {
				t.Errorf("%s: no x-amz-request-id: S3's headers must pass through (%v)", c.name, r.Header)
			}
		}
		if r.Header.Get("X-Cache") != xcache || r.Header.Get("X-Amz-Cf-Pop") != "TST1-P1" || c.id == "" || !strings.Contains(r.Header.Get("Via"), "CloudFront") {
			t.Errorf("%s: CloudFront's headers: X-Cache %q (want %q), X-Amz-Cf-Pop %q, X-Amz-Cf-Id %q, Via %q", c.name,
				r.Header.Get("X-Cache"), xcache, r.Header.Get("X-Amz-Cf-Pop"), c.id, r.Header.Get("Via"))
		}
		l := e.waitLogID(t, c.dist+".*.gz", c.id)
		checkLog(t, l, map[string]string{"sc-status": strconv.Itoa(c.status), "x-edge-result-type": result,
			"x-edge-response-result-type": result, "x-edge-detailed-result-type": result, "x-host-header": host})
		if !strings.HasPrefix(l["sc-content-type"], c.ctype) {
			t.Errorf("%s: log sc-content-type %q, want %s…", c.name, l["sc-content-type"], c.ctype)
		}
	}
}

// doctorURLCases runs "doctor url --json" on every refused case while the
// edge runs, with extra flags (the S3 endpoints, --sign-origin), and
// checks the finding.
func (e *edge) doctorURLCases(t *testing.T, cases []*s3Case, secret string, extra ...string) {
	t.Helper()
	_, port, _ := net.SplitHostPort(e.HTTP)
	for _, c := range cases {
		if c.status < 400 {
			continue
		}
		t.Run("doctor url/"+c.name, func(t *testing.T) {
			host := c.host
			if host == "" {
				host = defaultDomain(c.dist)
			}
			args := append([]string{"url", "--json", "--config", e.ConfigDir, "--resolve", host + ":80:127.0.0.1:" + port}, extra...)
			for k, vs := range c.header {
				for _, v := range vs {
					args = append(args, "--header", k+": "+v)
				}
			}
			var rep doctorURLReport
			code := runDoctorJSON(t, &rep, append(args, "http://"+host+c.target)...)
			if code != 1 || rep.Finding == nil {
				t.Fatalf("exit %d, finding %+v: want 1 and a finding (response %+v, probes %+v)", code, rep.Finding, rep.Response, rep.Probes)
			}
			f := rep.Finding
			if f.Cause != "s3-origin" || f.Detail != c.urlDetail || (c.urlCertain && f.Confidence != "certain") ||
				(c.urlCandidate != "" && !slices.Contains(f.Candidates, c.urlCandidate)) {
				t.Errorf("got %s/%q (%s, candidates %q), want s3-origin/%q (certain: %v, candidate %q)\nevidence: %q\nprobes: %+v",
					f.Cause, f.Detail, f.Confidence, f.Candidates, c.urlDetail, c.urlCertain, c.urlCandidate, f.Evidence, rep.Probes)
			}
			if secret != "" {
				_, stdout, stderr := runCmd(t, append([]string{"doctor"}, append(args, "http://"+host+c.target)...)...)
				noSecret(t, "doctor url output", stdout+stderr, secret)
			}
		})
	}
}

// doctorLogsCases stops the edge, runs "doctor logs --json" on its logs
// and checks each refused case's request.
func (e *edge) doctorLogsCases(t *testing.T, cases []*s3Case, secret string) {
	t.Helper()
	e.stop(t, 15*time.Second)
	var rep doctorLogsReport
	code, stdout, stderr := runCmd(t, "doctor", "logs", "--config", e.ConfigDir, "--json", "--no-progress", e.LogDir)
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("doctor logs --json: exit %d, stdout is not JSON: %v\nstderr:\n%s", code, err, stderr)
	}
	if code != 1 {
		t.Errorf("doctor logs exit status: got %d, want 1", code)
	}
	if !rep.Summary.Config || rep.Summary.Malformed != 0 || len(rep.Summary.ReadErrors) != 0 {
		t.Errorf("summary: got config %v, malformed %d, read errors %q", rep.Summary.Config, rep.Summary.Malformed, rep.Summary.ReadErrors)
	}
	got := map[string]doctorRequest{}
	for _, r := range rep.Requests {
		got[r.RequestID] = r
	}
	for _, c := range cases {
		r, listed := got[c.id]
		if c.status < 400 {
			if listed && r.Cause != "" {
				t.Errorf("%s: a %d is listed as %s/%s", c.name, c.status, r.Cause, r.Detail)
			}
			continue
		}
		t.Run("doctor logs/"+c.name, func(t *testing.T) {
			if !listed {
				t.Fatalf("request %s (%s %s) is not among doctor logs' %d requests", c.id, c.dist, c.target, len(rep.Requests))
			}
			if r.Cause != "s3-origin" || r.Detail != c.logsDetail || r.Distribution != c.dist ||
				(c.logsCandidate != "" && !slices.Contains(r.Candidates, c.logsCandidate)) {
				t.Errorf("got %s/%q in %s (%s, candidates %q), want s3-origin/%q in %s with candidate %q\nevidence: %q",
					r.Cause, r.Detail, r.Distribution, r.Confidence, r.Candidates, c.logsDetail, c.dist, c.logsCandidate, r.Evidence)
			}
		})
	}
	if secret != "" {
		noSecret(t, "doctor logs output", stdout+stderr, secret)
		noSecret(t, "the access logs", readLogFiles(t, e.LogDir), secret)
		noSecret(t, "the edge's stderr", e.stderr.String(), secret)
	}
}

// noSecret fails the test when text holds the secret (or its first half:
// a secret must not leak even cut).
func noSecret(t *testing.T, where, text, secret string) {
	t.Helper()
	if strings.Contains(text, secret) || strings.Contains(text, secret[:len(secret)/2]) {
		t.Errorf("%s shows the AWS secret key", where)
	}
}

// readLogFiles is every gzip log file under dir, decompressed.
func readLogFiles(t *testing.T, dir string) string {
	t.Helper()
	var all strings.Builder
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".gz") {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			t.Error(err)
			return nil
		}
		defer f.Close()
		if zr, err := gzip.NewReader(f); err == nil {
			b, _ := io.ReadAll(zr)
			all.Write(b)
		}
		return nil
	})
	return all.String()
}
