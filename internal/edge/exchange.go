package edge

import (
	"crypto/tls"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openfront-edge/openfront/internal/accesslog"
)

// exchange is one request's state from arrival to its log line. Pooled.
type exchange struct {
	start      time.Time
	r          *http.Request
	w          recorder
	snap       *Snapshot
	dist       *dist
	beh        *cacheBehavior
	denial     *Denial
	resultType string
	detailed   string
	id         string
	viewer     netip.AddrPort
	body       countingBody
	buf        []byte
	rec        accesslog.Record
	originTime time.Duration
	// originFailed is set when the origin broke off mid-response.
	originFailed bool
	// originQuery replaces the viewer's query for the origin once the
	// signing parameters are removed (signedChecked).
	originQuery   string
	signedChecked bool
	// headerBytes is the request line and headers' size, measured once for
	// the size limit and the log's cs-bytes.
	headerBytes int64
	// country is the viewer's country, looked up at most once (countryKnown).
	country      string
	countryKnown bool
	waf          wafState
	// ckey is the request's cache key, "" when the cache does not answer it;
	// stale is the expired object the origin is asked to revalidate.
	ckey  string
	stale *cachedObject
	// collapsed releases the viewers whose identical requests wait for
	// this one to fill the cache (request collapsing).
	collapsed func()
	// fnReq is the request a viewer-request function returned, which the
	// origin gets instead of the viewer's (r stays for the log).
	fnReq *http.Request
	// out is the origin request, built in place (originRequest).
	out       http.Request
	outURL    url.URL
	outHeader http.Header
}

func (s *Server) begin(w http.ResponseWriter, r *http.Request) *exchange {
	x := s.pool.Get().(*exchange)
	x.start = s.opts.Now()
	x.r = r
	x.w.reset(w, x)
	x.snap = s.snap.Load()
	x.id = newRequestID()
	x.headerBytes = requestHeaderBytes(r)
	x.viewer = s.viewerAddr(r)
	if r.Body != nil && r.Body != http.NoBody {
		x.body = countingBody{rc: r.Body}
		r.Body = &x.body
	}
	return x
}

// finish writes the access-log line and the metrics, then recycles x. A
// viewer or origin that broke off mid-response surfaces here as
// http.ErrAbortHandler from the proxy: it is logged, then re-raised so the
// server drops the connection as it should.
func (s *Server) finish(x *exchange) {
	if x.collapsed != nil {
		// Viewers waiting on this request's cache fill go on, whether it
		// filled the cache or not.
		x.collapsed()
	}
	p := recover()
	if p != nil && p != http.ErrAbortHandler {
		panic(p)
	}
	if p == http.ErrAbortHandler && x.w.err == nil {
		if err := x.r.Context().Err(); err != nil {
			// The viewer went away while the origin's body was being
			// copied: the copy fails on the origin side, but the cause
			// is the viewer.
			x.w.err = err
		} else {
			x.originFailed = true
		}
	}
	s.record(x)
	x.reset()
	s.pool.Put(x)
	if p != nil {
		panic(p)
	}
}

func (x *exchange) reset() {
	buf, hdrs, verdict, outHeader := x.buf[:0], x.waf.req.Headers[:0], x.waf.verdict, x.outHeader
	*x = exchange{buf: buf}
	if len(outHeader) <= 64 {
		clear(outHeader)
		x.outHeader = outHeader
	}
	if cap(x.buf) > 64<<10 {
		x.buf = nil
	}
	// Keep the WAF's scratch slices; never the body prefix, which the
	// origin transport may still be reading.
	x.waf.req.Headers, x.waf.verdict = hdrs, verdict
}

// record fills the access-log record (spec §2.1) and counts the request.
func (s *Server) record(x *exchange) {
	r, rec := x.r, &x.rec
	now := s.opts.Now()
	status := x.w.status
	resp := x.resultType
	result := resp
	detailed := x.detailed
	switch {
	case x.body.err != nil && !errors.Is(x.body.err, io.EOF) && x.w.status == 0:
		status, result, resp, detailed = 0, "Error", "Error", "ClientHungUpRequest"
	case x.w.err != nil && x.w.bodyBytes == 0 && !x.w.wroteHeader:
		status, result, detailed = 0, "Error", "ClientCommError"
	case x.w.err != nil:
		result, detailed = "Error", "ClientCommError"
	case x.originFailed:
		result, detailed = "Error", "OriginReadError"
	}
	if result == "" {
		result, resp, detailed = "Error", "Error", "Error"
	}
	host := r.Host
	if x.dist != nil {
		host = x.dist.domain
	}
	*rec = accesslog.Record{
		Time:               now,
		EdgeLocation:       s.opts.POP,
		SCBytes:            x.w.headerBytes + x.w.bodyBytes,
		ClientIP:           x.viewer.Addr(),
		ClientPort:         int(x.viewer.Port()),
		Method:             r.Method,
		Host:               host,
		URIStem:            uriStem(r),
		Status:             status,
		Referer:            r.Header.Get("Referer"),
		UserAgent:          r.Header.Get("User-Agent"),
		Query:              r.URL.RawQuery,
		ResultType:         result,
		RequestID:          x.id,
		HostHeader:         r.Host,
		Protocol:           "http",
		CSBytes:            x.headerBytes + x.body.n,
		TimeTaken:          now.Sub(x.start),
		ForwardedFor:       r.Header.Get("X-Forwarded-For"),
		ResponseResultType: resp,
		ProtocolVersion:    r.Proto,
		DetailedResultType: detailed,
		ContentLen:         -1,
		RangeStart:         -1,
		RangeEnd:           -1,
	}
	if !x.w.firstByte.IsZero() {
		rec.TimeToFirstByte = x.w.firstByte.Sub(x.start)
	} else {
		rec.TimeToFirstByte = rec.TimeTaken
	}
	if x.dist != nil && x.dist.logCookies {
		rec.Cookie = r.Header.Get("Cookie")
	}
	if r.TLS != nil {
		rec.Protocol = "https"
		rec.SSLProtocol = tlsVersionName(r.TLS.Version)
		rec.SSLCipher = cipherName(r.TLS.CipherSuite)
	}
	if x.w.wroteHeader {
		h := x.w.Header()
		rec.ContentType = h.Get("Content-Type")
		if cl := h.Get("Content-Length"); cl != "" {
			rec.ContentLen, _ = strconv.ParseInt(cl, 10, 64)
		}
		if cr := h.Get("Content-Range"); cr != "" {
			rec.RangeStart, rec.RangeEnd = contentRange(cr)
		}
	}
	stats := s.unrout
	if x.dist != nil && x.denial != &denyDisabled {
		stats = x.dist.stats
	}
	stats.count(status, result, rec.SCBytes, rec.CSBytes, x.originTime, x.denialCause())
	if s.opts.Log == nil {
		return
	}
	switch {
	case x.dist == nil || x.denial == &denyDisabled:
		// CloudFront cannot log these anywhere; openfront keeps them apart.
		s.opts.Log.Log("", "_unrouted", rec)
	case x.dist.log:
		s.opts.Log.Log(x.dist.logPrefix, x.dist.id, rec)
	}
}

// uriStem is the path as the viewer sent it, without the query.
func uriStem(r *http.Request) string {
	u := r.RequestURI
	if u == "" || u[0] != '/' {
		return r.URL.EscapedPath()
	}
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}

// requestHeaderBytes approximates cs-bytes' header part: request line and
// header lines as they arrived.
func requestHeaderBytes(r *http.Request) int64 {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4 + len(r.Host) + 8
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return int64(n + 2)
}

func contentRange(v string) (int64, int64) {
	// "bytes 0-99/1234"
	v = strings.TrimPrefix(v, "bytes ")
	rng, _, _ := strings.Cut(v, "/")
	a, b, ok := strings.Cut(rng, "-")
	if !ok {
		return -1, -1
	}
	s, err1 := strconv.ParseInt(a, 10, 64)
	e, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil {
		return -1, -1
	}
	return s, e
}

// viewerAddr is the connecting peer, or — only when the peer is a trusted
// proxy — the right-most address of X-Forwarded-For that is not itself a
// trusted proxy. An untrusted viewer can never choose its own address.
func (s *Server) viewerAddr(r *http.Request) netip.AddrPort {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.AddrPort{}
	}
	ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	if len(s.opts.TrustedProxies) == 0 || !s.trusted(ap.Addr()) {
		return ap
	}
	xff := r.Header.Values("X-Forwarded-For")
	for i := len(xff) - 1; i >= 0; i-- {
		parts := strings.Split(xff[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
			if err != nil {
				return ap
			}
			a = a.Unmap()
			if !s.trusted(a) {
				return netip.AddrPortFrom(a, 0)
			}
		}
	}
	return ap
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.opts.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// newRequestID returns a 56-character id like CloudFront's: URL-safe base64
// of 40 random bytes, ending in "==".
func newRequestID() string {
	var b [40]byte
	for i := 0; i < 40; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], rand.Uint64())
	}
	return base64.URLEncoding.EncodeToString(b[:])
}

// viaHost is this process's 32-hex host name in Via, as CloudFront's.
func viaHost() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	return hex.EncodeToString(b[:]) + ".cloudfront.net"
}

func itoa(n int) string { return strconv.Itoa(n) }

// recorder is the viewer's ResponseWriter, counting what was sent.
type recorder struct {
	rw          http.ResponseWriter
	x           *exchange
	status      int
	wroteHeader bool
	headerBytes int64
	bodyBytes   int64
	firstByte   time.Time
	err         error
}

func (w *recorder) reset(rw http.ResponseWriter, x *exchange) {
	*w = recorder{rw: rw, x: x}
}

func (w *recorder) Header() http.Header { return w.rw.Header() }

func (w *recorder) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	if code >= 100 && code < 200 {
		w.rw.WriteHeader(code)
		return
	}
	w.wroteHeader, w.status = true, code
	n := int64(len("HTTP/1.1 200 OK\r\n") + len("Date: Mon, 02 Jan 2006 15:04:05 GMT\r\n") + 2)
	for k, vs := range w.rw.Header() {
		for _, v := range vs {
			n += int64(len(k) + len(v) + 4)
		}
	}
	w.headerBytes = n
	w.rw.WriteHeader(code)
}

func (w *recorder) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.firstByte.IsZero() {
		w.firstByte = time.Now()
	}
	n, err := w.rw.Write(p)
	w.bodyBytes += int64(n)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (Flush, deadlines).
func (w *recorder) Unwrap() http.ResponseWriter { return w.rw }

// Flush forwards flushes, for streamed origin responses.
func (w *recorder) Flush() {
	if f, ok := w.rw.(http.Flusher); ok {
		if !w.wroteHeader {
			w.WriteHeader(http.StatusOK)
		}
		f.Flush()
	}
}

// countingBody wraps the viewer's request body to count bytes and to notice
// a viewer that hangs up mid-request.
type countingBody struct {
	rc  io.ReadCloser
	n   int64
	err error
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.n += int64(n)
	if err != nil && b.err == nil {
		b.err = err
	}
	return n, err
}

func (b *countingBody) Close() error { return b.rc.Close() }

// tlsVersionName gives OpenSSL's protocol name, as CloudFront logs it.
func tlsVersionName(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "TLSv1.3"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS10:
		return "TLSv1"
	}
	return "-"
}

// cipherName gives OpenSSL's cipher name for a Go cipher suite.
func cipherName(id uint16) string {
	if n, ok := opensslCiphers[id]; ok {
		return n
	}
	return tls.CipherSuiteName(id)
}

var opensslCiphers = map[uint16]string{
	tls.TLS_AES_128_GCM_SHA256:                        "TLS_AES_128_GCM_SHA256",
	tls.TLS_AES_256_GCM_SHA384:                        "TLS_AES_256_GCM_SHA384",
	tls.TLS_CHACHA20_POLY1305_SHA256:                  "TLS_CHACHA20_POLY1305_SHA256",
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:         "ECDHE-RSA-AES128-GCM-SHA256",
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:         "ECDHE-RSA-AES256-GCM-SHA384",
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:       "ECDHE-ECDSA-AES128-GCM-SHA256",
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:       "ECDHE-ECDSA-AES256-GCM-SHA384",
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:   "ECDHE-RSA-CHACHA20-POLY1305",
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-ECDSA-CHACHA20-POLY1305",
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA:            "ECDHE-RSA-AES128-SHA",
	tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA:            "ECDHE-RSA-AES256-SHA",
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA:          "ECDHE-ECDSA-AES128-SHA",
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA:          "ECDHE-ECDSA-AES256-SHA",
	tls.TLS_RSA_WITH_AES_128_GCM_SHA256:               "AES128-GCM-SHA256",
	tls.TLS_RSA_WITH_AES_256_GCM_SHA384:               "AES256-GCM-SHA384",
	tls.TLS_RSA_WITH_AES_128_CBC_SHA:                  "AES128-SHA",
	tls.TLS_RSA_WITH_AES_256_CBC_SHA:                  "AES256-SHA",
}
