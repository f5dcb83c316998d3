package e2e

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// metricValue finds a sample in Prometheus text output by name and labels
// (a subset of the sample's labels).
func metricValue(text, name string, labels map[string]string) (float64, bool) {
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		sample, value, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		n, rest, _ := strings.Cut(sample, "{")
		if n != name {
			continue
		}
		got := map[string]string{}
		for _, pair := range strings.Split(strings.TrimSuffix(rest, "}"), ",") {
			if k, v, ok := strings.Cut(pair, "="); ok {
				got[k], _ = strconv.Unquote(v)
			}
		}
		match := true
		for k, v := range labels {
			if got[k] != v {
				match = false
			}
		}
		if match {
			f, err := strconv.ParseFloat(value, 64)
			return f, err == nil
		}
	}
	return 0, false
}

func (e *edge) admin(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + e.Admin + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestAdmin: /healthz, /status and /metrics describe what the edge did.
func TestAdmin(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "app", nil)
	const id = "EADMIN1"
	e := startEdge(t, docs1(id, with(simpleDist(o), "Aliases", list("admin.example.com"))))
	if code, body := e.admin(t, "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: got %d %q, want 200 %q", code, body, "ok\n")
	}
	st := e.status(t)
	if len(st.Distributions) != 1 || st.Distributions[0].ID != id || st.Distributions[0].Domain != defaultDomain(id) ||
		!st.Distributions[0].Enabled || strings.Join(st.Distributions[0].Aliases, ",") != "admin.example.com" {
		t.Errorf("/status distributions: got %+v", st.Distributions)
	}
	if len(st.Files) != 1 || !strings.HasSuffix(st.Files[0], id+".json") {
		t.Errorf("/status files: got %q", st.Files)
	}

	if r := e.do(t, request{Host: "admin.example.com", Target: "/ok"}); r.Status != 200 {
		t.Fatalf("served request: got %d", r.Status)
	}
	for range 2 {
		if r := e.do(t, request{Method: "DELETE", Host: "admin.example.com", Target: "/no"}); r.Status != 403 {
			t.Fatalf("DELETE: got %d, want 403", r.Status)
		}
	}
	if r := e.do(t, request{Host: "nobody.example.com"}); r.Status != 403 {
		t.Fatalf("unknown host: got %d, want 403", r.Status)
	}
	code, metrics := e.admin(t, "/metrics")
	if code != 200 {
		t.Fatalf("/metrics: status %d", code)
	}
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"openfront_requests_total", map[string]string{"distribution": id, "status": "200", "result_type": "Miss"}, 1},
		{"openfront_requests_total", map[string]string{"distribution": id, "status": "403", "result_type": "Error"}, 2},
		{"openfront_denials_total", map[string]string{"distribution": id, "cause": "method-not-allowed"}, 2},
		{"openfront_requests_total", map[string]string{"distribution": "_unrouted", "status": "403", "result_type": "Error"}, 1},
		{"openfront_denials_total", map[string]string{"distribution": "_unrouted", "cause": "alias-not-configured"}, 1},
		{"openfront_origin_latency_seconds_count", map[string]string{"distribution": id}, 1},
	} {
		got, ok := metricValue(metrics, tc.name, tc.labels)
		if !ok || got != tc.want {
			t.Errorf("%s%v: got %v (found %v), want %v", tc.name, tc.labels, got, ok, tc.want)
		}
	}
	if _, ok := metricValue(metrics, "openfront_origin_latency_seconds_bucket", map[string]string{"distribution": id, "le": "+Inf"}); !ok {
		t.Errorf("openfront_origin_latency_seconds has no +Inf bucket for %s", id)
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", metrics)
	}
}
