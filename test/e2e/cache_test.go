package e2e

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestCache: a behavior on the managed CachingOptimized policy keeps nginx's
// answer; the next viewer gets it as a Hit (Age, the log's Hit), over
// HTTP/1.1 and HTTP/2 alike, until an invalidation through the admin
// listener; --cache-size 0 turns the cache off.
func TestCache(t *testing.T) {
	t.Parallel()
	port := startNginx(t, map[string]string{"app.js": "console.log('v1')\n", "index.html": "home\n", "short/x.txt": "x\n"})
	const id = "ECACHE1"
	def := with(behavior("", "nginx"), "CachePolicyId", "658327ea-f89d-4fab-a63d-7e88639e58f6")
	short := with(behavior("/short/*", "nginx"), "CachePolicyId", "e2e-one-second")
	cfg := distConfig([]obj{customOrigin("nginx", "127.0.0.1", port)}, def, short)
	cfg["Logging"] = obj{"Enabled": true, "IncludeCookies": false, "Bucket": "logs.s3.amazonaws.com", "Prefix": ""}
	docs := docs1(id, cfg)
	docs["one-second.json"] = obj{"ETag": "E1", "CachePolicy": obj{"Id": "e2e-one-second",
		"LastModifiedTime": "2024-05-01T10:00:00+00:00", "CachePolicyConfig": obj{
			"Name": "one-second", "MinTTL": 0, "DefaultTTL": 1, "MaxTTL": 1,
			"ParametersInCacheKeyAndForwardedToOrigin": obj{
				"EnableAcceptEncodingGzip": false, "EnableAcceptEncodingBrotli": false,
				"HeadersConfig": obj{"HeaderBehavior": "none"}, "CookiesConfig": obj{"CookieBehavior": "none"},
				"QueryStringsConfig": obj{"QueryStringBehavior": "none"}}}}}
	e := startEdge(t, docs)

	// Expired after a second: nginx is asked with the ETag, answers 304,
	// and the object is served again (RefreshHit).
	checkCloudFrontHeaders(t, e.do(t, request{Host: defaultDomain(id), Target: "/short/x.txt"}), "Miss from cloudfront")
	time.Sleep(1100 * time.Millisecond)
	r := e.do(t, request{Host: defaultDomain(id), Target: "/short/x.txt"})
	checkCloudFrontHeaders(t, r, "RefreshHit from cloudfront")
	if r.Status != 200 || string(r.Body) != "x\n" {
		t.Errorf("refresh hit: %d %q", r.Status, r.Body)
	}
	checkLog(t, e.waitLogID(t, id+".*.gz", r.ID()), map[string]string{"x-edge-result-type": "RefreshHit",
		"x-edge-response-result-type": "RefreshHit", "x-edge-detailed-result-type": "RefreshHit"})

	first := e.do(t, request{Host: defaultDomain(id), Target: "/app.js"})
	checkCloudFrontHeaders(t, first, "Miss from cloudfront")
	for _, proto := range []string{"http", "h2"} {
		r := e.do(t, request{Proto: proto, Host: defaultDomain(id), Target: "/app.js?ignored=1"})
		checkCloudFrontHeaders(t, r, "Hit from cloudfront")
		if string(r.Body) != "console.log('v1')\n" || r.Header.Get("Age") == "" || !strings.HasPrefix(r.Header.Get("Server"), "nginx") ||
			r.Header.Get("Etag") != first.Header.Get("Etag") {
			t.Errorf("%s hit: body %q, Age %q, Server %q, ETag %q", proto, r.Body, r.Header.Get("Age"), r.Header.Get("Server"), r.Header.Get("Etag"))
		}
		l := e.waitLogID(t, id+".*.gz", r.ID())
		checkLog(t, l, map[string]string{"sc-status": "200", "x-edge-result-type": "Hit",
			"x-edge-response-result-type": "Hit", "x-edge-detailed-result-type": "Hit", "cs-uri-query": "ignored=1"})
	}
	l := e.waitLogID(t, id+".*.gz", first.ID())
	checkLog(t, l, map[string]string{"x-edge-result-type": "Miss"})

	// A conditional request on the cached object: 304 from the edge.
	h := http.Header{"If-None-Match": {first.Header.Get("Etag")}}
	if r := e.do(t, request{Host: defaultDomain(id), Target: "/app.js", Header: h}); r.Status != 304 || len(r.Body) != 0 {
		t.Errorf("conditional hit: %d, %q", r.Status, r.Body)
	}

	// Invalidate /app* with the AWS CLI pointed at the admin listener
	// (CloudFront's CreateInvalidation and GetInvalidation): the next one
	// is a Miss.
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI is not installed")
	}
	aws := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command("aws", append([]string{"cloudfront", "--endpoint-url", "http://" + e.Admin, "--output", "json"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret",
			"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		var v map[string]any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("aws %s printed %s", strings.Join(args, " "), out)
		}
		return v
	}
	created := aws("create-invalidation", "--distribution-id", id, "--paths", "/app*")
	inv, _ := created["Invalidation"].(map[string]any)
	if inv["Status"] != "Completed" || !strings.HasPrefix(created["Location"].(string), "https://cloudfront.amazonaws.com/") {
		t.Errorf("create-invalidation printed %v", created)
	}
	got := aws("get-invalidation", "--distribution-id", id, "--id", inv["Id"].(string))
	if g, _ := got["Invalidation"].(map[string]any); g["Id"] != inv["Id"] || g["Status"] != "Completed" {
		t.Errorf("get-invalidation printed %v", got)
	}
	checkCloudFrontHeaders(t, e.do(t, request{Host: defaultDomain(id), Target: "/app.js"}), "Miss from cloudfront")
	cmd := exec.Command("aws", "cloudfront", "--endpoint-url", "http://"+e.Admin, "create-invalidation", "--distribution-id", "ENOSUCH", "--paths", "/x")
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "NoSuchDistribution") {
		t.Errorf("an unknown distribution: %v\n%s", err, out)
	}

	// The plain form: POST /invalidate?distribution=ID&path=…
	checkCloudFrontHeaders(t, e.do(t, request{Host: defaultDomain(id), Target: "/index.html"}), "Miss from cloudfront")
	resp, err := http.Post("http://"+e.Admin+"/invalidate?distribution="+id+"&path=/index.html", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var plain struct{ Invalidated int }
	json.NewDecoder(resp.Body).Decode(&plain)
	resp.Body.Close()
	if resp.StatusCode != 200 || plain.Invalidated != 1 {
		t.Errorf("invalidate: %d, %d objects", resp.StatusCode, plain.Invalidated)
	}
	checkCloudFrontHeaders(t, e.do(t, request{Host: defaultDomain(id), Target: "/index.html"}), "Miss from cloudfront")

	off := startEdge(t, docs, "--cache-size", "0")
	for range 2 {
		checkCloudFrontHeaders(t, off.do(t, request{Host: defaultDomain(id), Target: "/index.html"}), "Miss from cloudfront")
	}
}

// TestDoctorCachedOrigin403: an origin 403 with a max-age is kept by the edge
// (HTTPStatusCodes.md); doctor url sees its Age and says a fix at the origin
// shows only after it expires or an invalidation.
func TestDoctorCachedOrigin403(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "o", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "test-origin")
		w.Header().Set("Cache-Control", "max-age=300")
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, "forbidden by the origin")
	})
	const id = "ECACHE403"
	def := with(behavior("", "o"), "CachePolicyId", "658327ea-f89d-4fab-a63d-7e88639e58f6")
	e := startEdge(t, docs1(id, distConfig([]obj{customOrigin("o", "127.0.0.1", o.port())}, def)))
	// Accept-Encoding as Go's client (the doctor's) sends it: the same
	// variant of the object.
	for range 2 {
		e.do(t, request{Host: defaultDomain(id), Target: "/private/report.pdf", Header: http.Header{"Accept-Encoding": {"gzip"}}})
	}
	if n := len(o.requests()); n != 1 {
		t.Fatalf("the origin saw %d requests, want 1 (the 403 cached)", n)
	}
	_, port, _ := net.SplitHostPort(e.HTTP)
	var rep doctorURLReport
	code := runDoctorJSON(t, &rep, "url", "--json", "--config", e.ConfigDir,
		"--resolve", defaultDomain(id)+":80:127.0.0.1:"+port, "http://"+defaultDomain(id)+"/private/report.pdf")
	if code != 1 || rep.Finding == nil || rep.Finding.Cause != "custom-origin" {
		t.Fatalf("doctor url: exit %d, finding %+v", code, rep.Finding)
	}
	if ev := strings.Join(rep.Finding.Evidence, "\n"); !strings.Contains(ev, "served from the edge's cache") || !strings.Contains(ev, "create-invalidation") {
		t.Errorf("evidence does not say the 403 came from the cache:\n%s", ev)
	}
}
