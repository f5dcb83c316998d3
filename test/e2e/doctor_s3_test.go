package e2e

import (
	"net"
	"net/http"
	"testing"
	"time"
)

// TestDoctorS3Origin: S3's own 403s, produced through the real edge in
// front of versitygw, are explained by "doctor logs" and "doctor url" with
// the details docs/doctor.md promises for that evidence.
func TestDoctorS3Origin(t *testing.T) {
	s3, bucket := newS3Bucket(t)
	e := startS3Edge(t, s3, bucket, s3.Creds.AccessKeyID, s3.Creds.SecretAccessKey)

	// A successful fetch first, so each distribution's log has Misses.
	if r := e.do(t, request{Host: defaultDomain("EOACALWAYS"), Target: "/private.txt"}); r.Status != 200 {
		t.Fatalf("GET /private.txt with OAC: got %d %s, want 200", r.Status, r.Body)
	}
	// The config docs/doctor.md's details depend on: a REST origin with no
	// OAC and no OAI (no-origin-access), an OAC that never signs (still no
	// access: the requests are unsigned), and "/" with no DefaultRootObject.
	cases := []struct {
		name, dist, target, detail string
		code                       string // S3's <Code>
		why                        string // what docs/doctor.md promises, for the failure message
	}{
		{name: "private object without OAC", dist: "ENOOAC", target: "/private.txt", detail: "no-origin-access", code: "AccessDenied",
			why: "an S3 REST origin without OAC/OAI is no-origin-access"},
		{name: "OAC never signs", dist: "EOACNEVER", target: "/private.txt", detail: "no-origin-access", code: "AccessDenied",
			why: "an OAC with SigningBehavior never sends requests unsigned, exactly like no OAC: no-origin-access " +
				"(the doctor must not claim the request was signed with the origin's access nor blame the bucket policy)"},
		{name: "root without DefaultRootObject", dist: "ENOOAC", target: "/", detail: "no-default-root-object", code: "AccessDenied",
			why: "path / with no DefaultRootObject is no-default-root-object"},
	}
	ids := make([]string, len(cases))
	for i, tc := range cases {
		r := e.do(t, request{Host: defaultDomain(tc.dist), Target: tc.target})
		checkS3Error(t, r, tc.code)
		ids[i] = r.ID()
	}

	// doctor url, while the edge runs: it names the cause from S3's answer
	// and the configuration, and with --s3-endpoint asks versitygw itself,
	// which refuses the same request: certain.
	t.Run("doctor url", func(t *testing.T) {
		_, port, _ := net.SplitHostPort(e.HTTP)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				host := defaultDomain(tc.dist)
				var rep doctorURLReport
				code := runDoctorJSON(t, &rep, "url", "--json", "--config", e.ConfigDir, "--s3-endpoint", s3.Endpoint,
					"--resolve", host+":80:127.0.0.1:"+port, "http://"+host+tc.target)
				if code != 1 {
					t.Errorf("exit status: got %d, want 1", code)
				}
				if rep.Response.Status != http.StatusForbidden || rep.Response.Shape != "s3-xml" {
					t.Errorf("response: got %d %s, want 403 s3-xml", rep.Response.Status, rep.Response.Shape)
				}
				if rep.Finding == nil {
					t.Fatalf("finding: got null, want s3-origin/%s (response %+v)", tc.detail, rep.Response)
				}
				if f := rep.Finding; f.Cause != "s3-origin" || f.Detail != tc.detail || f.Confidence != "certain" {
					t.Errorf("finding: got %s/%q (%s), want s3-origin/%q: docs/doctor.md: %s\nevidence: %q\nprobes: %+v",
						f.Cause, f.Detail, f.Confidence, tc.detail, tc.why, f.Evidence, rep.Probes)
				}
			})
		}
	})

	e.stop(t, 15*time.Second)
	var rep doctorLogsReport
	code := runDoctorJSON(t, &rep, "logs", "--config", e.ConfigDir, "--json", "--no-progress", e.LogDir)
	if code != 1 {
		t.Errorf("doctor logs exit status: got %d, want 1", code)
	}
	if !rep.Summary.Config || rep.Summary.Malformed != 0 || len(rep.Summary.ReadErrors) != 0 {
		t.Errorf("summary: got config %v, malformed %d, read errors %q; want true, 0, none",
			rep.Summary.Config, rep.Summary.Malformed, rep.Summary.ReadErrors)
	}
	got := map[string]doctorRequest{}
	for _, r := range rep.Requests {
		got[r.RequestID] = r
	}
	for i, tc := range cases {
		t.Run("doctor logs/"+tc.name, func(t *testing.T) {
			r, ok := got[ids[i]]
			if !ok {
				t.Fatalf("request %s (%s %s) is not in doctor logs' requests (%d listed)", ids[i], tc.dist, tc.target, len(rep.Requests))
			}
			if r.Cause != "s3-origin" || r.Detail != tc.detail {
				t.Errorf("%s %s: got %s/%q (%s, candidates %q), want s3-origin/%q: docs/doctor.md: %s\nevidence: %q",
					tc.dist, tc.target, r.Cause, r.Detail, r.Confidence, r.Candidates, tc.detail, tc.why, r.Evidence)
			}
			if r.Distribution != tc.dist {
				t.Errorf("distribution: got %q, want %q", r.Distribution, tc.dist)
			}
		})
	}
}
