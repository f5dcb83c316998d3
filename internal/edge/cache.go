package edge

import (
	"bytes"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/maypok86/otter/v2"
)

// Cache is the edge's object cache (Expiration.md, HTTPStatusCodes.md):
// answers to GET kept for the time the behavior's TTLs and the origin's
// Cache-Control or Expires give, under the cache key the behavior's cache
// policy makes. Bounded by bytes (otter, W-TinyLFU). Safe for concurrent
// use; it outlives configuration reloads, as CloudFront's caches outlive
// distribution updates.
type Cache struct {
	c *otter.Cache[string, *cachedObject]
	// inflight are the keys an origin request is filling, each with the
	// channel closed when it is done.
	mu       sync.Mutex
	inflight map[string]chan struct{}
	// maxObject is the largest body kept.
	maxObject int64
	now       func() time.Time
}

// cachedObject is one stored answer: its status, the header as the edge
// sends it before per-request additions (CloudFront's identifying headers,
// the response headers policy, functions) and its body (compressed when
// its variant is).
type cachedObject struct {
	status  int
	header  http.Header
	body    []byte
	stored  time.Time
	expires time.Time
	dist    string
	path    string // the URI path, for invalidations
}

// NewCache returns a cache of at most size bytes; objects above size/16
// (at most 64 MiB) are not kept.
func NewCache(size int64) *Cache {
	maxObject := min(size/16, 64<<20)
	c := otter.Must(&otter.Options[string, *cachedObject]{
		MaximumWeight: uint64(size),
		Weigher: func(k string, o *cachedObject) uint32 {
			n := len(k) + len(o.body) + 256
			for name, vs := range o.header {
				n += len(name)
				for _, v := range vs {
					n += len(v) + 16
				}
			}
			return uint32(n)
		},
		ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[string, *cachedObject]) time.Duration {
			// A stale object stays a while (memory allowing) so that
			// the origin can be asked to revalidate it.
			return time.Until(e.Value.expires) + staleKept
		}),
	})
	return &Cache{c: c, maxObject: maxObject, now: time.Now, inflight: map[string]chan struct{}{}}
}

// Invalidate removes the objects of distribution dist whose path a
// CloudFront invalidation path names: exact, or a prefix ending in "*"
// (Invalidation.md). It returns how many it removed.
func (c *Cache) Invalidate(dist string, paths []string) int {
	n := 0
	for k, o := range c.c.All() {
		if o.dist != dist {
			continue
		}
		for _, p := range paths {
			if !strings.HasPrefix(p, "/") {
				p = "/" + p
			}
			if prefix, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(o.path, prefix) || o.path == p {
				if _, ok := c.c.Invalidate(k); ok {
					n++
				}
				break
			}
		}
	}
	return n
}

// staleKept is how long an expired object is kept for revalidation.
const staleKept = time.Hour

// ttls are a behavior's MinTTL, DefaultTTL and MaxTTL in seconds.
type ttls struct{ min, def, max int64 }

// Legacy cache settings' defaults (API_CacheBehavior).
var legacyTTLs = ttls{0, 86400, 31536000}

// cacheKey builds x's cache key under behavior b, or "" when the request
// is not one the cache answers: only GET and HEAD, not with every header
// forwarded (CloudFront caches nothing then).
func (s *Server) cacheKey(x *exchange, b *cacheBehavior) string {
	r := x.r
	if b.ttl.max <= 0 || (r.Method != http.MethodGet && r.Method != http.MethodHead) || b.keyFwd.Headers.All() {
		return ""
	}
	in := r
	if x.fnReq != nil {
		in = x.fnReq
	}
	var k strings.Builder
	k.WriteString(x.dist.id)
	k.WriteByte('\n')
	k.WriteString(in.URL.EscapedPath())
	k.WriteByte('\n')
	query := in.URL.RawQuery
	if x.signedChecked {
		query = x.originQuery
	}
	k.WriteString(b.keyFwd.FilterQuery(query))
	k.WriteByte('\n')
	if b.keyFwd.Headers.Has("host") {
		k.WriteString("host:" + strings.ToLower(in.Host) + "\n")
	}
	names := make([]string, 0, 4)
	for name := range in.Header {
		if b.keyFwd.Headers.Has(lowerASCII(name)) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		k.WriteString(name + ":" + strings.Join(in.Header[name], ",") + "\n")
	}
	if len(b.keyFwd.CloudFront) > 0 {
		// CloudFront-Viewer-Country and the like, as the edge computes them.
		cf := make(http.Header, len(b.keyFwd.CloudFront))
		s.addCloudFrontHeaders(x, cf, b.keyFwd.CloudFront)
		for _, name := range b.keyFwd.CloudFront {
			k.WriteString(name + ":" + firstValue(cf, name) + "\n")
		}
	}
	k.WriteString(b.keyFwd.FilterCookies(in.Header))
	k.WriteByte('\n')
	// The variant: the normalised Accept-Encoding the policy puts in the
	// key, and the coding the edge would compress with.
	ae := in.Header.Get("Accept-Encoding")
	k.WriteString(b.keyFwd.AcceptEncoding(ae))
	if b.compress && (x.r.ProtoMajor > 1 || x.r.ProtoMinor > 0) {
		gz, br := acceptedCodings(in.Header["Accept-Encoding"])
		switch {
		case br && b.brotli:
			k.WriteString("|br")
		case gz:
			k.WriteString("|gzip")
		}
	}
	return k.String()
}

// serveFromCache answers x from the cache when it holds a fresh object for
// its key, and reports whether it did.
func (s *Server) serveFromCache(x *exchange) bool {
	c := s.opts.Cache
	if c == nil {
		return false
	}
	key := s.cacheKey(x, x.beh)
	if key == "" {
		return false
	}
	x.ckey = key
	o, ok := c.c.GetIfPresent(key)
	now := c.now()
	ranged := x.r.Header.Get("Range") != ""
	if !ok {
		if x.r.Method != http.MethodGet || ranged {
			// A range the cache lacks goes to the origin alone: its 206
			// is not kept.
			return false
		}
		// Request collapsing (RequestAndResponseBehaviorCustomOrigin,
		// "Simultaneous requests for the same object"): one request goes to
		// the origin, identical ones wait for it and take what it cached.
		if wait := c.lead(x, key); wait != nil {
			select {
			case <-wait:
			case <-time.After(collapseWait):
			}
			if o, ok := c.c.GetIfPresent(key); ok && c.now().Before(o.expires) {
				s.answerFromCache(x, o, c.now(), xCacheHit, "Hit")
				return true
			}
		}
		return false
	}
	if !now.Before(o.expires) {
		// Stale: ask the origin whether it changed, with the object's
		// validators (unless the viewer sent its own), and answer from it
		// on a 304 (RefreshHit).
		if o.status == http.StatusOK && x.r.Method == http.MethodGet && !conditional(x.r) && !ranged &&
			(firstValue(o.header, "Etag") != "" || firstValue(o.header, "Last-Modified") != "") {
			x.stale = o
		}
		return false
	}
	s.answerFromCache(x, o, now, xCacheHit, "Hit")
	return true
}

// collapseWait bounds how long a request waits on an identical one's
// origin fetch before going to the origin itself.
const collapseWait = 30 * time.Second

// lead makes x the request that fills key, or returns the channel of the
// one already filling it.
func (c *Cache) lead(x *exchange, key string) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch, ok := c.inflight[key]; ok {
		return ch
	}
	ch := make(chan struct{})
	c.inflight[key] = ch
	x.collapsed = func() {
		c.mu.Lock()
		delete(c.inflight, key)
		c.mu.Unlock()
		close(ch)
	}
	return nil
}

// conditional reports a viewer request with its own validators.
func conditional(r *http.Request) bool {
	return r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != ""
}

// refresh answers a stale object's revalidation: on the origin's 304 the
// object is kept again, for the TTL the 304's headers and the behavior
// give, with the headers the 304 updates, and x is answered from it. It
// reports whether it answered.
func (s *Server) refresh(x *exchange, resp *http.Response) bool {
	o, c := x.stale, s.opts.Cache
	if o == nil || resp.StatusCode != http.StatusNotModified {
		return false
	}
	now := c.now()
	h := o.header.Clone()
	for _, k := range []string{"Cache-Control", "Expires", "Etag", "Last-Modified", "Date"} {
		if v, ok := resp.Header[k]; ok {
			h[k] = v
		}
	}
	fresh := *o
	fresh.header, fresh.stored = h, now
	if ttl, ok := s.ttlFor(x, o.status, h, now); ok {
		fresh.expires = now.Add(ttl)
		c.c.Set(x.ckey, &fresh)
	}
	s.answerFromCache(x, &fresh, now, xCacheRefreshHit, "RefreshHit")
	return true
}

var xCacheRefreshHit = []string{"RefreshHit from cloudfront"}

// answerFromCache writes a cached object as x's answer: with Age, X-Cache
// and the log's result type (Error for an error, as CloudFront's fields
// say), a 304 for a conditional GET it satisfies, the response headers
// policy and the viewer-response function as on any answer.
func (s *Server) answerFromCache(x *exchange, o *cachedObject, now time.Time, xcache []string, result string) {
	h := x.w.Header()
	for k, vs := range o.header {
		h[k] = vs
	}
	h["Age"] = []string{strconv.FormatInt(int64(now.Sub(o.stored)/time.Second), 10)}
	status := o.status
	x.resultType, x.detailed = result, result
	if status >= 400 {
		xcache, x.resultType, x.detailed = xCacheError, "Error", "Error"
	}
	s.cloudFrontHeaders(x, h, xcache)
	if status == http.StatusOK && notModified(x.r, o.header) {
		for _, k := range []string{"Content-Length", "Content-Type", "Content-Encoding"} {
			delete(h, k)
		}
		status = http.StatusNotModified
	}
	body := o.body
	if status == http.StatusOK && x.r.Header.Get("Range") != "" && ifRangeHolds(x.r, o.header) {
		// RangeGETs.md: a range of a cached object is served from it.
		if start, end, ok := singleRange(x.r.Header.Get("Range"), int64(len(body))); ok {
			size := strconv.Itoa(len(body))
			if start < 0 {
				status, body = http.StatusRequestedRangeNotSatisfiable, nil
				h["Content-Range"] = []string{"bytes */" + size}
			} else {
				status, body = http.StatusPartialContent, body[start:end+1]
				h["Content-Range"] = []string{"bytes " + strconv.FormatInt(start, 10) + "-" + strconv.FormatInt(end, 10) + "/" + size}
			}
			h["Content-Length"] = []string{strconv.Itoa(len(body))}
		}
	}
	fnBody, replace, ok := s.perViewer(x, &status, h)
	if !ok {
		return
	}
	if replace {
		body = fnBody
	}
	x.w.WriteHeader(status)
	if x.r.Method != http.MethodHead && status != http.StatusNotModified {
		x.w.Write(body)
	}
}

// singleRange reads a Range header of one byte range against a body of
// size bytes: the first and last byte, or start -1 when it cannot be
// satisfied (416). ok is false for what the cache leaves alone (several
// ranges, another unit, a malformed value): the whole object is sent.
func singleRange(v string, size int64) (start, end int64, ok bool) {
	spec, found := strings.CutPrefix(v, "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false
	}
	first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, false
	}
	switch {
	case first == "":
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n < 0 {
			return 0, 0, false
		}
		if n == 0 || size == 0 {
			return -1, 0, true
		}
		return max(size-n, 0), size - 1, true
	default:
		a, err := strconv.ParseInt(first, 10, 64)
		if err != nil || a < 0 {
			return 0, 0, false
		}
		b := size - 1
		if last != "" {
			if b, err = strconv.ParseInt(last, 10, 64); err != nil || b < a {
				return 0, 0, false
			}
			b = min(b, size-1)
		}
		if a >= size {
			return -1, 0, true
		}
		return a, b, true
	}
}

// ifRangeHolds reports whether a range may be served: no If-Range, or one
// naming the object's strong ETag or its Last-Modified date.
func ifRangeHolds(r *http.Request, h http.Header) bool {
	ir := r.Header.Get("If-Range")
	if ir == "" {
		return true
	}
	if strings.HasPrefix(ir, `"`) {
		return ir == firstValue(h, "Etag")
	}
	return ir == firstValue(h, "Last-Modified")
}

var xCacheHit = []string{"Hit from cloudfront"}

// notModified reports a conditional GET the cached object satisfies.
func notModified(r *http.Request, h http.Header) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		et := strings.TrimPrefix(firstValue(h, "Etag"), "W/")
		if et == "" {
			return false
		}
		for tag := range strings.SplitSeq(inm, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == "*" || tag == et {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		lm, err1 := http.ParseTime(firstValue(h, "Last-Modified"))
		since, err2 := http.ParseTime(ims)
		return err1 == nil && err2 == nil && !lm.After(since)
	}
	return false
}

func firstValue(h http.Header, k string) string {
	if vs := h[k]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// ttlFor is how long an origin answer may be kept under behavior b
// (Expiration.md; HTTPStatusCodes.md for errors), and whether it may.
func (s *Server) ttlFor(x *exchange, status int, h http.Header, now time.Time) (time.Duration, bool) {
	t := x.beh.ttl
	if _, ok := h["Set-Cookie"]; ok {
		return 0, false // never one viewer's cookie to another
	}
	cc := parseCacheControl(h["Cache-Control"])
	hdr, hasHdr := cc.maxAge()
	if !hasHdr {
		if exp := firstValue(h, "Expires"); exp != "" {
			if e, err := http.ParseTime(exp); err == nil {
				hdr, hasHdr = max(int64(e.Sub(now)/time.Second), 0), true
			} else {
				hdr, hasHdr = 0, true // an invalid Expires means already expired
			}
		}
	}
	switch status {
	case 200, 203, 300, 301, 302, 303, 410:
	case 307, 308:
		if len(h["Cache-Control"]) == 0 {
			return 0, false
		}
	case 404, 414, 500, 501, 502, 503, 504, 400, 403, 405, 412, 415:
		// Errors: the larger of the header's and ErrorCachingMinTTL
		// (10 s unless a custom error response says), capped at MaxTTL;
		// 400, 403, 405, 412 and 415 only with a max-age or s-maxage.
		if status == 400 || status == 403 || status == 405 || status == 412 || status == 415 {
			if _, ok := cc.maxAge(); !ok {
				return 0, false
			}
		}
		errMin := int64(10)
		if p, ok := x.dist.errorPages[status]; ok && p.cacheTTL >= 0 {
			errMin = p.cacheTTL
		}
		ttl := errMin
		if hasHdr && hdr > ttl {
			ttl = hdr
		}
		ttl = min(ttl, t.max)
		return time.Duration(ttl) * time.Second, ttl > 0
	default:
		return 0, false
	}
	if cc.noStore || cc.noCache || cc.private {
		if t.min > 0 {
			return time.Duration(t.min) * time.Second, true
		}
		return 0, false
	}
	ttl := t.def
	if hasHdr {
		ttl = hdr
	}
	ttl = min(max(ttl, t.min), t.max)
	return time.Duration(ttl) * time.Second, ttl > 0
}

// cacheControl is the parts of Cache-Control that set a TTL.
type cacheControl struct {
	sMaxAge, maxAgeV          int64
	hasSMaxAge, hasMaxAge     bool
	noStore, noCache, private bool
}

func (c cacheControl) maxAge() (int64, bool) {
	if c.hasSMaxAge {
		return c.sMaxAge, true
	}
	return c.maxAgeV, c.hasMaxAge
}

func parseCacheControl(vs []string) cacheControl {
	var c cacheControl
	for _, v := range vs {
		for d := range strings.SplitSeq(v, ",") {
			name, arg, _ := strings.Cut(strings.TrimSpace(d), "=")
			arg = strings.Trim(strings.TrimSpace(arg), `"`)
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "s-maxage":
				if n, err := strconv.ParseInt(arg, 10, 64); err == nil {
					c.sMaxAge, c.hasSMaxAge = max(n, 0), true
				}
			case "max-age":
				if n, err := strconv.ParseInt(arg, 10, 64); err == nil {
					c.maxAgeV, c.hasMaxAge = max(n, 0), true
				}
			case "no-store":
				c.noStore = true
			case "no-cache":
				c.noCache = true
			case "private":
				c.private = true
			}
		}
	}
	return c
}

// cacheWriter is the viewer's writer, keeping a copy of what goes through
// (up to the cache's object limit) for the cache.
type cacheWriter struct {
	w    *recorder
	buf  bytes.Buffer
	max  int64
	over bool
}

func (c *cacheWriter) Write(p []byte) (int, error) {
	if !c.over {
		if int64(c.buf.Len()+len(p)) > c.max {
			c.over = true
			c.buf = bytes.Buffer{}
		} else {
			c.buf.Write(p)
		}
	}
	return c.w.Write(p)
}

func (c *cacheWriter) Flush() { c.w.Flush() }

// storeable is the header a cached object keeps: without what the edge
// adds per request.
func storeable(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		if !cloudFrontOwn(k) && k != "Age" {
			out[k] = vs
		}
	}
	return out
}

// cachePath is the path a cached object is filed under for invalidations.
func (x *exchange) cachePath() string {
	if x.fnReq != nil {
		return x.fnReq.URL.Path
	}
	return x.r.URL.Path
}
