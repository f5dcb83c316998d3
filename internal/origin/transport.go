package origin

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

// Transport is an origin's connection pool: an http.RoundTripper on
// fasthttp's HostClient, one client per scheme. net/http's Transport hands
// every request to two goroutines per connection (its read and write
// loops); on one core that costs more than the rest of the edge's work
// together, while HostClient writes and reads on the caller's goroutine
// (docs/decisions.md, "Origin connections").
//
// Timeouts are CloudFront's: the origin read timeout bounds every wait for
// origin bytes — for the first byte and between any two reads of a streamed
// body — rather than the whole exchange, so a long download is never cut.
type Transport struct {
	plain, secure *fasthttp.HostClient
	// upgrades carries protocol upgrades (WebSocket), which need the
	// connection handed over after the 101; made on first use.
	upgrades func() *http.Transport
}

// transportConfig is what shapes an origin's connections.
type transportConfig struct {
	httpAddr, httpsAddr string
	serverName          string
	attempts            int
	connTimeout, read   time.Duration
	keepalive           time.Duration
	minTLS              uint16
	opts                Options
}

func newTransport(c transportConfig) *Transport {
	d := &net.Dialer{Timeout: c.connTimeout, KeepAlive: 30 * time.Second}
	rawDial := func(ctx context.Context, addr string) (net.Conn, error) {
		if c.opts.Resolve != nil {
			addr = c.opts.Resolve(addr)
		}
		var err error
		for range max(c.attempts, 1) {
			var conn net.Conn
			if conn, err = d.DialContext(ctx, "tcp", addr); err == nil {
				return conn, nil
			}
			if ctx.Err() != nil || isDNS(err) {
				break
			}
		}
		return nil, &DialError{Attempts: c.attempts, Err: err}
	}
	dial := func(addr string) (net.Conn, error) {
		conn, err := rawDial(context.Background(), addr)
		if err != nil {
			return nil, err
		}
		return &idleConn{Conn: conn, timeout: c.read}, nil
	}
	client := func(addr string, secure bool) *fasthttp.HostClient {
		hc := &fasthttp.HostClient{
			Addr:                addr,
			Dial:                dial,
			MaxConns:            4096,
			MaxConnWaitTimeout:  c.connTimeout,
			MaxIdleConnDuration: c.keepalive,
			ReadBufferSize:      32 << 10,
			WriteBufferSize:     32 << 10,
			// CloudFront's origin request carries exactly what the edge
			// decided: no invented User-Agent, paths and header names
			// as given.
			NoDefaultUserAgentHeader:      true,
			DisablePathNormalizing:        true,
			DisableHeaderNamesNormalizing: false,
			StreamResponseBody:            true,
			RetryIfErr:                    retryStale,
		}
		if secure {
			hc.IsTLS = true
			hc.TLSConfig = &tls.Config{MinVersion: c.minTLS, RootCAs: c.opts.RootCAs, ServerName: c.serverName}
		}
		return hc
	}
	upgrades := sync.OnceValue(func() *http.Transport {
		return &http.Transport{
			// No idle timeout once upgraded: a quiet WebSocket stays.
			DialContext:           func(ctx context.Context, _, addr string) (net.Conn, error) { return rawDial(ctx, addr) },
			TLSClientConfig:       &tls.Config{MinVersion: c.minTLS, RootCAs: c.opts.RootCAs, ServerName: c.serverName},
			ResponseHeaderTimeout: c.read,
			DisableCompression:    true,
			MaxIdleConnsPerHost:   -1, // an upgraded connection is never reused
		}
	})
	return &Transport{plain: client(c.httpAddr, false), secure: client(c.httpsAddr, true), upgrades: upgrades}
}

// Upgrades returns the round tripper for requests that upgrade the
// connection (WebSocket): net/http's, which hands the origin connection
// over with the 101 response.
func (t *Transport) Upgrades() http.RoundTripper { return t.upgrades() }

// retryStale retries, once, an idempotent request whose pooled connection
// the origin had closed before anything came back: what net/http's
// Transport does for a connection that went stale while idle. A POST is
// never sent twice.
func retryStale(req *fasthttp.Request, attempts int, err error) (bool, bool) {
	switch string(req.Header.Method()) {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
	default:
		return false, false
	}
	return false, attempts < 2 && (errors.Is(err, fasthttp.ErrConnectionClosed) || errors.Is(err, io.EOF))
}

// CloseIdleConnections closes the pooled connections of a configuration
// that was replaced; requests in flight finish on theirs.
func (t *Transport) CloseIdleConnections() {
	t.plain.CloseIdleConnections()
	t.secure.CloseIdleConnections()
}

// hopByHop are the headers that never cross a hop (RFC 9110 §7.6.1), by
// canonical name.
var hopByHop = map[string]bool{"Connection": true, "Keep-Alive": true, "Proxy-Connection": true,
	"Transfer-Encoding": true, "Upgrade": true, "Te": true, "Trailer": true}

// IsHopByHop reports a canonical header name that never crosses a hop.
func IsHopByHop(canonical string) bool { return hopByHop[canonical] }

// RoundTrip sends r to the origin. The response body streams from the
// origin connection; closing it returns the connection to the pool.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	hc := t.plain
	if r.URL.Scheme == "https" {
		hc = t.secure
	}
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	resp.Header.SetNoDefaultContentType(true)
	req.Header.DisableSpecialHeader()
	req.Header.SetMethod(r.Method)
	req.Header.SetRequestURI(r.URL.RequestURI())
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	req.Header.Add("Host", host)
	req.UseHostHeader = true
	u := req.URI()
	u.DisablePathNormalizing = true
	if hc.IsTLS {
		u.SetScheme("https")
	}
	for k, vs := range r.Header {
		// The transport writes Host and the body's framing itself.
		if hopByHop[k] || k == "Host" || k == "Content-Length" {
			continue
		}
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if r.Body != nil && r.Body != http.NoBody {
		n := r.ContentLength
		if n < 0 {
			n = -1
		}
		// fasthttp writes the framing: Content-Length, or chunked.
		req.SetBodyStream(r.Body, int(n))
	}
	if r.Method == http.MethodHead {
		resp.SkipBody = true
	}
	// On the caller's goroutine. HostClient cannot be cancelled: a viewer
	// who leaves before the origin answers is noticed when the origin
	// answers or the read timeout ends (docs/decisions.md, "Origin
	// connections"). Handing the exchange to a goroutine of its own to
	// notice sooner cost 6 % of small-object throughput and quadrupled the
	// 99th-percentile latency on one core.
	err := hc.Do(req, resp)
	fasthttp.ReleaseRequest(req)
	if err != nil {
		fasthttp.ReleaseResponse(resp)
		return nil, err
	}
	out := &http.Response{
		Status:        strconv.Itoa(resp.StatusCode()),
		StatusCode:    resp.StatusCode(),
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        make(http.Header, 12),
		ContentLength: -1,
		Request:       r,
	}
	// All values in one string and one slice: a few allocations, not two
	// per header.
	size, count := 0, 0
	for _, v := range resp.Header.All() {
		size, count = size+len(v), count+1
	}
	all := make([]byte, 0, size)
	for _, v := range resp.Header.All() {
		all = append(all, v...)
	}
	text, values := string(all), make([]string, 0, count)
	var named []byte // headers the origin's Connection header names hop-by-hop
	off := 0
	for k, v := range resp.Header.All() {
		val := text[off : off+len(v)]
		off += len(v)
		key := headerKey(k)
		if key == "Connection" {
			named = append(append(named, v...), ',')
		}
		if hopByHop[key] {
			continue
		}
		if prior, ok := out.Header[key]; ok {
			out.Header[key] = append(prior, val)
			continue
		}
		values = append(values, val)
		out.Header[key] = values[len(values)-1 : len(values) : len(values)]
	}
	for f := range bytes.SplitSeq(named, []byte(",")) {
		if f = bytes.TrimSpace(f); len(f) > 0 && !bytes.EqualFold(f, []byte("close")) && !bytes.EqualFold(f, []byte("keep-alive")) {
			delete(out.Header, http.CanonicalHeaderKey(string(f)))
		}
	}
	if n := resp.Header.ContentLength(); n >= 0 {
		out.ContentLength = int64(n)
	}
	if r.Method == http.MethodHead {
		out.Body = &responseBody{resp: resp}
		return out, nil
	}
	if s := resp.BodyStream(); s != nil {
		b := &responseBody{resp: resp, stream: s}
		if out.ContentLength < 0 || out.ContentLength > 32<<10 {
			// A viewer who leaves mid-body frees the origin connection
			// at once, even while a read waits on a slow origin. (A
			// short body is read to its end, or to the read timeout.)
			b.stop = context.AfterFunc(r.Context(), b.closeStream)
		}
		out.Body = b
	} else {
		b := &responseBody{resp: resp}
		b.buf.Reset(resp.Body())
		out.Body = b
	}
	return out, nil
}

// headerKey returns the canonical key as a string, without allocating for
// the headers origins commonly send.
func headerKey(k []byte) string {
	if s, ok := commonKeys[string(k)]; ok {
		return s
	}
	return http.CanonicalHeaderKey(string(k))
}

var commonKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"Accept-Ranges", "Age", "Cache-Control", "Connection", "Content-Encoding",
		"Content-Language", "Content-Length", "Content-Range", "Content-Type", "Date", "Etag", "Expires",
		"Keep-Alive", "Last-Modified", "Location", "Server", "Set-Cookie", "Transfer-Encoding", "Vary",
		"X-Amz-Request-Id", "X-Amz-Id-2", "Access-Control-Allow-Origin", "Strict-Transport-Security"} {
		m[k] = k
	}
	return m
}()

// responseBody is an origin response's body: the stream from the origin
// connection, or the bytes fasthttp already read. Close releases both.
type responseBody struct {
	resp   *fasthttp.Response
	stream io.Reader
	buf    bytes.Reader
	stop   func() bool
	closed sync.Once
	err    error
}

func (b *responseBody) Read(p []byte) (int, error) {
	if b.stream != nil {
		return b.stream.Read(p)
	}
	return b.buf.Read(p)
}

// closeStream ends the stream once; a read in flight returns an error.
func (b *responseBody) closeStream() {
	b.closed.Do(func() {
		if b.stream != nil {
			b.err = b.resp.CloseBodyStream()
		}
	})
}

func (b *responseBody) Close() error {
	if b.stop != nil {
		b.stop()
	}
	b.closeStream()
	if b.resp != nil {
		fasthttp.ReleaseResponse(b.resp)
		b.resp = nil
	}
	return b.err
}

// idleConn bounds every wait for the peer: each read and write must make
// progress within the timeout (CloudFront's origin read timeout, which
// also spans the gaps between the packets of a response). A deadline is
// moved only when it would move by more than 1/16 of the timeout, so the
// timeout is kept to within that and most reads cost no timer update.
type idleConn struct {
	net.Conn
	timeout         time.Duration
	readBy, writeBy time.Time
}

func (c *idleConn) Read(p []byte) (int, error) {
	if c.timeout > 0 {
		if d := time.Now().Add(c.timeout); d.Sub(c.readBy) > c.timeout/16 {
			c.readBy = d
			c.Conn.SetReadDeadline(d)
		}
	}
	return c.Conn.Read(p)
}

func (c *idleConn) Write(p []byte) (int, error) {
	if c.timeout > 0 {
		if d := time.Now().Add(c.timeout); d.Sub(c.writeBy) > c.timeout/16 {
			c.writeBy = d
			c.Conn.SetWriteDeadline(d)
		}
	}
	return c.Conn.Write(p)
}
