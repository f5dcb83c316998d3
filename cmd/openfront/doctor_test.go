package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const doctorData = "../../internal/doctor/testdata"

// exitCode maps cmdDoctor's error to the exit status main gives it.
func exitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	return 1
}

// runDoctor runs cmdDoctor with stdout and stderr captured.
func runDoctor(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	dir := t.TempDir()
	outF, _ := os.Create(filepath.Join(dir, "out"))
	errF, _ := os.Create(filepath.Join(dir, "err"))
	oldOut, oldErr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = outF, errF
	err := cmdDoctor(args)
	os.Stdout, os.Stderr = oldOut, oldErr
	outF.Close()
	errF.Close()
	o, _ := os.ReadFile(outF.Name())
	e, _ := os.ReadFile(errF.Name())
	return exitCode(err), string(o), string(e)
}

func TestDoctorExitCodes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ok" {
			w.WriteHeader(200)
			return
		}
		w.Header().Set("Server", "CloudFront")
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("X-Cache", "Error from cloudfront")
		w.WriteHeader(403)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>MissingKey</Code><Message>Missing Key-Pair-Id query parameter or cookie value</Message></Error>`)
	}))
	defer srv.Close()
	cleanConfig := filepath.Join(t.TempDir(), "E9CLEAN.json")
	os.WriteFile(cleanConfig, []byte(`{"DistributionConfig": {"CallerReference": "c", "Comment": "", "Enabled": true,
		"Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "origin.example.com",
		"CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}]},
		"DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "redirect-to-https",
		"CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}}}`), 0o644)

	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no command", nil, 2},
		{"unknown command", []string{"sideways"}, 2},
		{"logs clean", []string{"logs", doctorData + "/logs/clean"}, 0},
		{"logs clean json", []string{"logs", "--json", doctorData + "/logs/clean"}, 0},
		{"logs findings", []string{"logs", doctorData + "/logs/real", "--config", doctorData + "/config", "--waf-logs", doctorData + "/waf"}, 1},
		{"logs missing path", []string{"logs", doctorData + "/logs/nope"}, 2},
		{"logs no path", []string{"logs", "--json"}, 2},
		{"logs bad since", []string{"logs", "--since", "yesterday-ish", doctorData + "/logs/clean"}, 2},
		{"logs bad flag", []string{"logs", "--frobnicate", doctorData + "/logs/clean"}, 2},
		{"logs bad config", []string{"logs", "--config", doctorData + "/logs", doctorData + "/logs/clean"}, 2},
		{"config findings", []string{"config", doctorData + "/config"}, 1},
		{"config clean", []string{"config", cleanConfig}, 0},
		{"config missing", []string{"config", doctorData + "/nope"}, 2},
		{"config bad cert", []string{"config", "--cert", "nonsense", cleanConfig}, 2},
		{"url refused", []string{"url", srv.URL + "/private/x"}, 1},
		{"url ok", []string{"url", srv.URL + "/ok"}, 0},
		{"url unreachable", []string{"url", "http://127.0.0.1:1/"}, 2},
		{"url two urls", []string{"url", srv.URL, srv.URL}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runDoctor(t, tc.args...)
			if code != tc.want {
				t.Errorf("exit: got %v, want %v\nstdout:\n%s\nstderr:\n%s", code, tc.want, out, errOut)
			}
		})
	}
}

func TestDoctorLogsJSON(t *testing.T) {
	code, out, _ := runDoctor(t, "logs", "--json", "--max-requests", "5", doctorData+"/logs/real", "--config", doctorData+"/config")
	if code != 1 {
		t.Fatalf("exit: got %v, want 1", code)
	}
	var doc struct {
		Summary  map[string]json.RawMessage `json:"summary"`
		Findings []map[string]json.RawMessage
		Requests []map[string]json.RawMessage
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"files", "lines", "malformed", "statuses", "errors", "refused", "by_cause", "requests"} {
		if _, ok := doc.Summary[k]; !ok {
			t.Errorf("summary.%s missing", k)
		}
	}
	if len(doc.Findings) == 0 {
		t.Fatalf("findings: got none")
	}
	for _, k := range []string{"cause", "detail", "confidence", "distribution", "count", "share", "first_seen", "last_seen",
		"top_hosts", "top_paths", "top_countries", "top_ips", "example_request_ids", "evidence", "candidates", "fix"} {
		if _, ok := doc.Findings[0][k]; !ok {
			t.Errorf("findings[0].%s missing", k)
		}
	}
	if len(doc.Requests) != 5 {
		t.Errorf("requests: got %d, want 5 (--max-requests)", len(doc.Requests))
	}
	for _, r := range doc.Requests {
		for _, k := range []string{"request_id", "time", "status", "host", "path", "cause", "detail", "confidence", "evidence"} {
			if _, ok := r[k]; !ok {
				t.Errorf("request.%s missing in %v", k, r)
			}
		}
		var conf string
		json.Unmarshal(r["confidence"], &conf)
		if conf != "certain" && conf != "likely" && conf != "possible" {
			t.Errorf("confidence: got %q", conf)
		}
	}
}

func TestDoctorURLAndConfigJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "CloudFront")
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(403)
		fmt.Fprint(w, "<H2>The request could not be satisfied.</H2>\n<HR noshade size=\"1px\">\nRequest blocked.\n<BR clear=\"all\">\nGenerated by cloudfront (CloudFront)")
	}))
	defer srv.Close()
	code, out, _ := runDoctor(t, "url", "--json", srv.URL+"/login")
	if code != 1 {
		t.Fatalf("exit: got %v, want 1", code)
	}
	var u struct {
		Response map[string]any
		Probes   []any
		Finding  map[string]any
	}
	if err := json.Unmarshal([]byte(out), &u); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if u.Finding["cause"] != "waf-block" || u.Response["body_shape"] != "cloudfront-page" {
		t.Errorf("got %v / %v, want waf-block from a cloudfront-page", u.Finding["cause"], u.Response["body_shape"])
	}
	code, out, _ = runDoctor(t, "config", "--json", doctorData+"/config")
	var c struct {
		Summary  map[string]any
		Findings []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil || code != 1 {
		t.Fatalf("config: exit %v, %v", code, err)
	}
	for _, f := range c.Findings {
		for _, k := range []string{"severity", "cause", "detail", "distribution", "file", "json_path", "message", "fix"} {
			if _, ok := f[k]; !ok {
				t.Errorf("config finding: %s missing", k)
			}
		}
	}
	if !strings.Contains(out, "host-header-forwarded") {
		t.Errorf("config: want the Host-forwarding finding")
	}
}

var zeroNow = time.Unix(1714557600, 0)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z"},
		{"2024-05-01 10:30", "2024-05-01T10:30:00Z"},
		{"2024-05-01", "2024-05-01T00:00:00Z"},
		{"2024-05-01T12:00:00+02:00", "2024-05-01T10:00:00Z"},
	}
	for _, tc := range tests {
		got, err := parseTime(tc.in, zeroNow)
		if err != nil || got.Format("2006-01-02T15:04:05Z07:00") != tc.want {
			t.Errorf("%s: got %v %v, want %v", tc.in, got, err, tc.want)
		}
	}
	if _, err := parseTime("soon", zeroNow); err == nil {
		t.Errorf("soon: got no error")
	}
}
