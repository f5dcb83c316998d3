package e2e

import (
	"encoding/json"
	"net/http"
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

	// Invalidate /app* through the admin listener: the next one is a Miss.
	resp, err := http.Post("http://"+e.Admin+"/invalidate?distribution="+id+"&path=/app*", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var inv struct{ Invalidated int }
	json.NewDecoder(resp.Body).Decode(&inv)
	resp.Body.Close()
	if resp.StatusCode != 200 || inv.Invalidated != 1 {
		t.Errorf("invalidate: %d, %d objects", resp.StatusCode, inv.Invalidated)
	}
	checkCloudFrontHeaders(t, e.do(t, request{Host: defaultDomain(id), Target: "/app.js"}), "Miss from cloudfront")

	off := startEdge(t, docs, "--cache-size", "0")
	for range 2 {
		checkCloudFrontHeaders(t, off.do(t, request{Host: defaultDomain(id), Target: "/index.html"}), "Miss from cloudfront")
	}
}
