package edge

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openfront-edge/openfront/internal/geo"
)

// cacheOrigin answers /<status>/<name>?cc=…&exp=… with the Cache-Control
// or Expires asked for, counting what it serves per path.
func cacheOrigin(t *testing.T, served *atomic.Int64) *recordingOrigin {
	return newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/base/"), "/")
		status, _ := strconv.Atoi(parts[1])
		h := w.Header()
		h.Set("Content-Type", "text/plain")
		h.Set("ETag", `"v1"`)
		h.Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
		if cc := r.URL.Query().Get("cc"); cc != "" {
			h.Set("Cache-Control", cc)
		}
		if r.URL.Query().Get("cookie") != "" {
			h.Set("Set-Cookie", "s=1")
		}
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, "body of %s #%d (lang %s)", r.URL.Path, served.Load(), r.Header.Get("Accept-Language"))
	})
}

func TestCache(t *testing.T) {
	var served atomic.Int64
	o := cacheOrigin(t, &served)
	behaviors := `
	  {"PathPattern": "/opt/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
	   "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6", "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3"},
	  {"PathPattern": "/lang/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
	   "CachePolicyId": "cp-lang"},
	  {"PathPattern": "/legacy/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
	   "ForwardedValues": {"QueryString": true, "Cookies": {"Forward": "none"}}, "MinTTL": 5, "DefaultTTL": 60, "MaxTTL": 120}`
	policy := `{"ETag": "E1", "CachePolicy": {"Id": "cp-lang", "LastModifiedTime": "2024-05-01T10:00:00+00:00", "CachePolicyConfig": {
	  "Name": "by-language", "MinTTL": 0, "DefaultTTL": 60, "MaxTTL": 3600,
	  "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": false, "EnableAcceptEncodingBrotli": false,
	    "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": {"Quantity": 1, "Items": ["Accept-Language"]}},
	    "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "whitelist",
	      "QueryStrings": {"Quantity": 3, "Items": ["v", "cc", "cookie"]}}}}}}`
	extra := `, "CustomErrorResponses": {"Quantity": 1, "Items": [{"ErrorCode": 404, "ErrorCachingMinTTL": 30}]}`
	s := newTestServer(t, map[string]string{"E1.json": distConfig(o, behaviors, extra), "cp.json": policy})
	clock := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	s.opts.Cache = NewCache(64 << 20)
	s.opts.Cache.now = func() time.Time { return clock }
	get := func(method, target string, hdr ...string) *httptest.ResponseRecorder {
		return serveTo(s, method, target, hdr...)
	}
	expect := func(w *httptest.ResponseRecorder, xcache string, originCalls int64) {
		t.Helper()
		if got := w.Header().Get("X-Cache"); got != xcache {
			t.Errorf("X-Cache: got %q, want %q", got, xcache)
		}
		if n := served.Load(); n != originCalls {
			t.Errorf("origin served %d times, want %d", n, originCalls)
		}
	}

	// CachingOptimized: DefaultTTL a day without headers, then a Hit with
	// Age and the same body; HEAD from the GET's object; a conditional GET
	// answered 304 from it.
	w1 := get("GET", "/opt/200/a")
	expect(w1, "Miss from cloudfront", 1)
	clock = clock.Add(90 * time.Second)
	w2 := get("GET", "/opt/200/a")
	expect(w2, "Hit from cloudfront", 1)
	if w2.Body.String() != w1.Body.String() || w2.Header().Get("Age") != "90" || w2.Header().Get("Etag") != `"v1"` {
		t.Errorf("hit: body %q (miss had %q), Age %q, ETag %q", w2.Body, w1.Body, w2.Header().Get("Age"), w2.Header().Get("Etag"))
	}
	if w2.Header().Get("X-Amz-Cf-Id") == w1.Header().Get("X-Amz-Cf-Id") {
		t.Error("a hit repeats the miss's request id")
	}
	if w := get("HEAD", "/opt/200/a"); w.Code != 200 || w.Body.Len() != 0 {
		t.Errorf("HEAD hit: %d, %d body bytes", w.Code, w.Body.Len())
	}
	expect(get("GET", "/opt/200/a", "If-None-Match", `"v1"`), "Hit from cloudfront", 1)
	if w := get("GET", "/opt/200/a", "If-None-Match", `"v1"`); w.Code != 304 || w.Body.Len() != 0 {
		t.Errorf("conditional hit: %d, %q", w.Code, w.Body)
	}
	// The query is not in CachingOptimized's key; ranges come from the
	// cached object (RangeGETs.md), If-Range naming another version gets
	// it whole, and an unsatisfiable range is a 416.
	expect(get("GET", "/opt/200/a?x=1"), "Hit from cloudfront", 1)
	full := w1.Body.String()
	for _, c := range []struct {
		rng, ifRange string
		status       int
		body, cr     string
	}{
		{"bytes=0-3", "", 206, full[:4], fmt.Sprintf("bytes 0-3/%d", len(full))},
		{"bytes=5-", "", 206, full[5:], fmt.Sprintf("bytes 5-%d/%d", len(full)-1, len(full))},
		{"bytes=-4", "", 206, full[len(full)-4:], fmt.Sprintf("bytes %d-%d/%d", len(full)-4, len(full)-1, len(full))},
		{"bytes=0-3", `"v1"`, 206, full[:4], fmt.Sprintf("bytes 0-3/%d", len(full))},
		{"bytes=0-3", `"v0"`, 200, full, ""},
		{"bytes=0-1,4-5", "", 200, full, ""},
		{fmt.Sprintf("bytes=%d-", len(full)), "", 416, "", fmt.Sprintf("bytes */%d", len(full))},
	} {
		hdr := []string{"Range", c.rng}
		if c.ifRange != "" {
			hdr = append(hdr, "If-Range", c.ifRange)
		}
		w := get("GET", "/opt/200/a", hdr...)
		expect(w, "Hit from cloudfront", 1)
		if w.Code != c.status || w.Body.String() != c.body || w.Header().Get("Content-Range") != c.cr {
			t.Errorf("Range %s (If-Range %s): %d %q Content-Range %q, want %d %q %q", c.rng, c.ifRange,
				w.Code, w.Body, w.Header().Get("Content-Range"), c.status, c.body, c.cr)
		}
	}
	// One day later it has expired: the origin is asked with its ETag, and
	// its 304 keeps the object another day (RefreshHit).
	clock = clock.Add(24 * time.Hour)
	w3 := get("GET", "/opt/200/a")
	expect(w3, "RefreshHit from cloudfront", 2)
	if w3.Code != 200 || w3.Body.String() != w1.Body.String() || w3.Header().Get("Age") != "0" {
		t.Errorf("refresh hit: %d %q, Age %q", w3.Code, w3.Body, w3.Header().Get("Age"))
	}
	if got := o.last(t).Header.Get("If-None-Match"); got != `"v1"` {
		t.Errorf("revalidation sent If-None-Match %q", got)
	}
	expect(get("GET", "/opt/200/a"), "Hit from cloudfront", 2)

	// max-age within [MinTTL, MaxTTL]; no-store is kept for MinTTL
	// (CachingOptimized's is 1 s), not kept with MinTTL 0; Set-Cookie is
	// never kept.
	expect(get("GET", "/opt/200/b?cc=max-age%3D10"), "Miss from cloudfront", 3)
	clock = clock.Add(9 * time.Second)
	expect(get("GET", "/opt/200/b?cc=max-age%3D10"), "Hit from cloudfront", 3)
	clock = clock.Add(2 * time.Second)
	expect(get("GET", "/opt/200/b?cc=max-age%3D10"), "RefreshHit from cloudfront", 4)
	expect(get("GET", "/opt/200/c?cc=no-store"), "Miss from cloudfront", 5)
	expect(get("GET", "/opt/200/c?cc=no-store"), "Hit from cloudfront", 5)
	expect(get("GET", "/lang/200/c?cc=no-store"), "Miss from cloudfront", 6)
	expect(get("GET", "/lang/200/c?cc=no-store"), "Miss from cloudfront", 7)
	expect(get("GET", "/lang/200/d?cookie=1"), "Miss from cloudfront", 8)
	expect(get("GET", "/lang/200/d?cookie=1"), "Miss from cloudfront", 9)

	// Legacy MinTTL 5 keeps even no-cache for 5 s.
	expect(get("GET", "/legacy/200/e?cc=no-cache"), "Miss from cloudfront", 10)
	clock = clock.Add(4 * time.Second)
	expect(get("GET", "/legacy/200/e?cc=no-cache"), "Hit from cloudfront", 10)
	clock = clock.Add(2 * time.Second)
	expect(get("GET", "/legacy/200/e?cc=no-cache"), "RefreshHit from cloudfront", 11)

	// Errors: a 404 for its ErrorCachingMinTTL (30 s here), a 403 only
	// with a max-age; both still say Error.
	expect(get("GET", "/opt/404/f"), "Error from cloudfront", 12)
	clock = clock.Add(29 * time.Second)
	expect(get("GET", "/opt/404/f"), "Error from cloudfront", 12)
	clock = clock.Add(2 * time.Second)
	expect(get("GET", "/opt/404/f"), "Error from cloudfront", 13)
	expect(get("GET", "/opt/403/g"), "Error from cloudfront", 14)
	expect(get("GET", "/opt/403/g"), "Error from cloudfront", 15)
	expect(get("GET", "/opt/403/h?cc=max-age%3D60"), "Error from cloudfront", 16)
	expect(get("GET", "/opt/403/h?cc=max-age%3D60"), "Error from cloudfront", 16)

	// A cache policy's key: the whitelisted header and query string.
	expect(get("GET", "/lang/200/i?v=1", "Accept-Language", "fr"), "Miss from cloudfront", 17)
	expect(get("GET", "/lang/200/i?v=1&other=2", "Accept-Language", "fr"), "Hit from cloudfront", 17)
	expect(get("GET", "/lang/200/i?v=1", "Accept-Language", "de"), "Miss from cloudfront", 18)
	expect(get("GET", "/lang/200/i?v=2", "Accept-Language", "fr"), "Miss from cloudfront", 19)
	if w := get("GET", "/lang/200/i?v=1", "Accept-Language", "fr"); !strings.Contains(w.Body.String(), "lang fr") {
		t.Errorf("the fr object: %q", w.Body)
	}

	// CachingDisabled (the default behavior) never caches; POST neither.
	expect(get("GET", "/dflt/200/j"), "Miss from cloudfront", 20)
	expect(get("GET", "/dflt/200/j"), "Miss from cloudfront", 21)

	// Invalidation: a prefix with *, and an exact path.
	expect(get("GET", "/opt/200/k"), "Miss from cloudfront", 22)
	expect(get("GET", "/opt/200/k"), "Hit from cloudfront", 22)
	if n := s.opts.Cache.Invalidate("E1", []string{"/opt/200/*"}); n < 1 {
		t.Errorf("Invalidate removed %d objects", n)
	}
	expect(get("GET", "/opt/200/k"), "Miss from cloudfront", 23)
	if n := s.opts.Cache.Invalidate("E1", []string{"/opt/200/k"}); n != 1 {
		t.Errorf("exact Invalidate removed %d objects, want 1", n)
	}
	expect(get("GET", "/opt/200/k"), "Miss from cloudfront", 24)
}

func TestParseCacheControl(t *testing.T) {
	for in, want := range map[string]string{
		"max-age=60":                     "60 true",
		"public, max-age=60, s-maxage=5": "5 true",
		`max-age="30"`:                   "30 true",
		"no-cache":                       "0 false",
		"max-age=-3":                     "0 true",
	} {
		c := parseCacheControl([]string{in})
		n, ok := c.maxAge()
		if got := fmt.Sprint(n, ok); got != want {
			t.Errorf("%q: got %s, want %s", in, got, want)
		}
	}
}

// TestRequestCollapsing: identical requests arriving while the first is at
// the origin wait for it and are answered from what it cached.
func TestRequestCollapsing(t *testing.T) {
	var served atomic.Int64
	release := make(chan struct{})
	arrived := make(chan struct{}, 16)
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		arrived <- struct{}{}
		<-release
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("slow object"))
	})
	behaviors := `{"PathPattern": "/opt/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
	   "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}`
	s := newTestServer(t, map[string]string{"E1.json": distConfig(o, behaviors, "")})
	s.opts.Cache = NewCache(64 << 20)
	const n = 8
	results := make(chan *httptest.ResponseRecorder, n)
	go func() { results <- serveTo(s, "GET", "/opt/slow") }()
	<-arrived // the first is at the origin
	for range n - 1 {
		go func() { results <- serveTo(s, "GET", "/opt/slow") }()
	}
	time.Sleep(100 * time.Millisecond) // the others are waiting
	close(release)
	xcache := map[string]int{}
	for range n {
		w := <-results
		if w.Code != 200 || w.Body.String() != "slow object" {
			t.Errorf("got %d %q", w.Code, w.Body)
		}
		xcache[w.Header().Get("X-Cache")]++
	}
	if served.Load() != 1 || xcache["Miss from cloudfront"] != 1 || xcache["Hit from cloudfront"] != n-1 {
		t.Errorf("origin served %d; X-Cache %v", served.Load(), xcache)
	}
}

// TestCacheKeyViewerCountry: a cache policy with CloudFront-Viewer-Country
// keeps one object per country, as the edge computes it.
func TestCacheKeyViewerCountry(t *testing.T) {
	var served atomic.Int64
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "for "+r.Header.Get("Cloudfront-Viewer-Country"))
	})
	policy := `{"ETag": "E1", "CachePolicy": {"Id": "cp-country", "LastModifiedTime": "2024-05-01T10:00:00+00:00", "CachePolicyConfig": {
	  "Name": "by-country", "MinTTL": 0, "DefaultTTL": 60, "MaxTTL": 3600,
	  "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": false, "EnableAcceptEncodingBrotli": false,
	    "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": {"Quantity": 1, "Items": ["CloudFront-Viewer-Country"]}},
	    "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "none"}}}}}`
	behaviors := `{"PathPattern": "/c/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all", "CachePolicyId": "cp-country"}`
	s := newTestServerOpts(t, map[string]string{"E1.json": distConfig(o, behaviors, ""), "cp.json": policy},
		Options{POP: "TST1-P1", Geo: geo.Embedded(), Cache: NewCache(64 << 20)})
	get := func(remote string) string {
		r := httptest.NewRequest("GET", "/c/page", nil)
		r.Host, r.RemoteAddr = "www.example.com", remote
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		return w.Header().Get("X-Cache") + " " + w.Body.String()
	}
	for _, c := range []struct{ remote, want string }{
		{"81.2.69.160:1", "Miss from cloudfront for GB"},
		{"8.8.8.8:1", "Miss from cloudfront for US"},
		{"81.2.69.161:1", "Hit from cloudfront for GB"},
		{"8.8.4.4:1", "Hit from cloudfront for US"},
	} {
		if got := get(c.remote); got != c.want {
			t.Errorf("%s: got %q, want %q", c.remote, got, c.want)
		}
	}
	if served.Load() != 2 {
		t.Errorf("origin served %d, want 2", served.Load())
	}
}
