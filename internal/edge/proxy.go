package edge

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httputil"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openfront-edge/openfront/internal/cause"
	"github.com/openfront-edge/openfront/internal/geo"
	"github.com/openfront-edge/openfront/internal/origin"
)

// forward sends the request to the behavior's origin and streams the
// answer back: the origin request as CloudFront builds it (originRequest),
// CloudFront's headers and custom error responses on the answer
// (modifyResponse), and CloudFront's 502/504 when the origin fails.
func (s *Server) forward(x *exchange) {
	if isUpgrade(x.r) && !x.beh.origin.Signed {
		s.forwardUpgrade(x)
		return
	}
	out := s.originRequest(x)
	start := time.Now()
	resp, err := x.beh.origin.RoundTripper.RoundTrip(out)
	x.originTime = time.Since(start)
	if err != nil {
		s.proxyError(x, err)
		return
	}
	defer resp.Body.Close()
	if x.viewerLeft() {
		return
	}
	if s.refresh(x, resp) {
		return
	}
	s.modifyResponse(x, resp)
	h := x.w.Header()
	for k, v := range resp.Header {
		h[k] = v
	}
	if _, ok := h["Content-Type"]; !ok {
		// Pass the origin's answer as it came: no type sniffed by net/http.
		h["Content-Type"] = nil
	}
	status := resp.StatusCode
	enc := x.compression(x.beh, status, h)
	if enc != identity {
		encodeHeader(h, enc)
	}
	// What the cache keeps: the answer before the per-request parts (the
	// response headers policy, a viewer-response function).
	var keep *cachedObject
	if c := s.opts.Cache; c != nil && x.ckey != "" && x.r.Method == http.MethodGet && !x.originFailed {
		now := c.now()
		if ttl, ok := s.ttlFor(x, status, h, now); ok && (resp.ContentLength < 0 || resp.ContentLength <= c.maxObject) {
			keep = &cachedObject{status: status, header: storeable(h), stored: now, expires: now.Add(ttl),
				dist: x.dist.id, path: x.cachePath()}
		}
	}
	if body, replace, ok := s.perViewer(x, &status, h); !ok || replace {
		if replace {
			x.w.WriteHeader(status)
			if x.r.Method != http.MethodHead {
				x.w.Write(body)
			}
		}
		return
	}
	x.w.WriteHeader(status)
	var w bodyWriter = &x.w
	var cw *cacheWriter
	if keep != nil {
		cw = &cacheWriter{w: &x.w, max: s.opts.Cache.maxObject}
		w = cw
	}
	if enc != identity && x.r.Method != http.MethodHead {
		err = copyCompressed(w, resp.Body, enc)
	} else {
		err = copyBody(w, resp)
	}
	if err == nil && cw != nil && !cw.over && x.w.err == nil {
		keep.body = cw.buf.Bytes()
		s.opts.Cache.c.Set(x.ckey, keep)
	}
	if err != nil {
		// Drop the viewer's connection: the response is cut short, and
		// finish logs why (the viewer left, or the origin broke off).
		panic(http.ErrAbortHandler)
	}
}

// perViewer is what every answer from the origin or the cache gets per
// request: the response headers policy, then the viewer-response function,
// which never sees answers of 400 and above (functions-event-structure,
// "Status code and body"). It returns the body the function puts in place
// of the answer's (replace), and false when the function failed: the viewer
// then has CloudFront's 503.
func (s *Server) perViewer(x *exchange, status *int, h http.Header) (body []byte, replace, ok bool) {
	if rh := x.beh.headers; rh != nil {
		rh.apply(x, h, s.opts.POP)
	}
	if f := x.beh.viewerResponse; f != nil && *status < 400 {
		return s.viewerResponseFunction(x, f, status, h)
	}
	return nil, false, true
}

// viewerLeft reports a viewer who went away while the edge waited on the
// origin, and marks the request for its log line (ClientCommError).
func (x *exchange) viewerLeft() bool {
	err := x.r.Context().Err()
	if err == nil {
		return false
	}
	x.resultType, x.detailed = "Error", "ClientCommError"
	x.w.err = err
	return true
}

// isUpgrade reports an HTTP/1.1 request to switch protocols (WebSocket).
func isUpgrade(r *http.Request) bool {
	if r.ProtoMajor != 1 || r.Header.Get("Upgrade") == "" {
		return false
	}
	for _, v := range r.Header["Connection"] {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(textproto.TrimString(f), "upgrade") {
				return true
			}
		}
	}
	return false
}

// forwardUpgrade proxies a WebSocket handshake, and on the origin's 101
// joins the two connections until either side closes
// (distribution-working-with.websockets). What reaches the origin is built
// as for any request: the Sec-WebSocket-* headers only when the behavior's
// policies forward them, as CloudFront requires.
func (s *Server) forwardUpgrade(x *exchange) {
	out := s.originRequest(x)
	start := time.Now()
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL, pr.Out.Host, pr.Out.Header = out.URL, out.Host, out.Header
			// CloudFront carries the upgrade itself, whatever the policies.
			out.Header["Connection"] = []string{"Upgrade"}
			out.Header["Upgrade"] = pr.In.Header["Upgrade"]
		},
		Transport: x.beh.origin.Transport.Upgrades(),
		ModifyResponse: func(resp *http.Response) error {
			x.originTime = time.Since(start)
			s.modifyResponse(x, resp)
			if resp.StatusCode == http.StatusSwitchingProtocols {
				// The 101 goes out on the hijacked connection, past the
				// recorder: log it all the same.
				x.w.status = resp.StatusCode
			}
			return nil
		},
		ErrorHandler: func(_ http.ResponseWriter, _ *http.Request, err error) { s.proxyError(x, err) },
		ErrorLog:     log.New(io.Discard, "", 0),
	}
	rp.ServeHTTP(&x.w, x.r)
}

// copyBody streams the origin's body to the viewer. A body that fits one
// buffer goes out when the handler returns; a longer or open-ended one is
// flushed after every read, so the viewer gets bytes as the origin sends
// them (CloudFront streams).
// bodyWriter is where bodies are copied: the viewer's recorder, or a
// writer that also keeps a copy for the cache.
type bodyWriter interface {
	Write(p []byte) (int, error)
	Flush()
}

func copyBody(w bodyWriter, resp *http.Response) error {
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	buf := *bp
	flush := resp.ContentLength < 0 || resp.ContentLength > int64(len(buf))
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				return err
			}
			if flush {
				w.Flush()
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return rerr
		}
	}
}

// Headers CloudFront sends whatever the policies say: body framing and
// conditional requests (RequestAndResponseBehaviorCustomOrigin).
var alwaysForwarded = map[string]bool{
	"Content-Type": true, "Content-Length": true, "Content-Encoding": true, "Content-Md5": true,
	"If-Match": true, "If-None-Match": true, "If-Modified-Since": true, "If-Unmodified-Since": true,
	"If-Range": true, "Range": true, "Expect": true,
}

// originRequest builds the origin request as CloudFront does: the
// origin's host and path, only the headers, cookies and query strings the
// behavior's policies forward, X-Forwarded-For appended, Via, X-Amz-Cf-Id,
// and the origin's custom headers. It lives in x and shares the viewer's
// body and context (a viewer who leaves cancels it).
func (s *Server) originRequest(x *exchange) *http.Request {
	in, o, fwd := x.r, x.beh.origin, x.beh.fwd
	if x.fnReq != nil {
		in = x.fnReq
	}
	out, u := &x.out, &x.outURL
	*out = *in
	*u = url.URL{Scheme: "http", Host: o.HTTPHost}
	if o.Protocol == origin.HTTPSOnly || (o.Protocol == origin.MatchViewer && in.TLS != nil) {
		u.Scheme, u.Host = "https", o.HTTPSHost
	}
	path, raw := in.URL.Path, in.URL.RawPath
	if path == "/" && x.dist.rootObject != "" {
		// DefaultRootObject applies to the root only (DefaultRootObject.md).
		path, raw = "/"+x.dist.rootObject, ""
	}
	if o.Path != "" {
		path = o.Path + path
		if raw != "" {
			raw = o.Path + raw
		}
	}
	u.Path, u.RawPath = path, raw
	query := in.URL.RawQuery
	if x.signedChecked {
		// CloudFront removes the signing parameters before the origin request.
		query = x.originQuery
	}
	u.RawQuery = fwd.FilterQuery(query)
	out.URL, out.RequestURI, out.Close = u, "", false
	// Never the viewer's Host unless forwarded: S3 would take it for the
	// bucket name (http-403-permission-denied).
	out.Host = o.HostHeader
	if fwd.Headers.Has("host") {
		out.Host = in.Host
	}
	if x.outHeader == nil {
		x.outHeader = make(http.Header, 16)
	}
	h := x.outHeader
	out.Header = h
	if in.ContentLength == 0 {
		out.Body = nil
	}
	for k, v := range in.Header {
		if origin.IsHopByHop(k) || origin.IsCloudFrontHeader(k) {
			continue // only the edge sets CloudFront-* headers
		}
		if alwaysForwarded[k] || fwd.Headers.Has(lowerASCII(k)) ||
			(k == "Authorization" && in.Method != http.MethodGet && in.Method != http.MethodHead && in.Method != http.MethodOptions) {
			h[k] = v
		}
	}
	if c := in.Header["Connection"]; len(c) > 0 {
		// Headers the viewer named as hop-by-hop (RFC 9110 §7.6.1).
		for _, v := range c {
			for f := range strings.SplitSeq(v, ",") {
				if f = textproto.TrimString(f); f != "" {
					delete(h, http.CanonicalHeaderKey(f))
				}
			}
		}
	}
	if c := fwd.FilterCookies(in.Header); c != "" {
		h["Cookie"] = []string{c}
	} else {
		delete(h, "Cookie")
	}
	if !fwd.Headers.Has("accept-encoding") {
		if ae := fwd.AcceptEncoding(in.Header.Get("Accept-Encoding")); ae != "" {
			h["Accept-Encoding"] = []string{ae}
		}
	}
	if !fwd.Headers.Has("user-agent") {
		h["User-Agent"] = userAgentCloudFront
	}
	ip := x.viewer.Addr().String()
	if prior := in.Header.Values("X-Forwarded-For"); len(prior) > 0 {
		ip = joinComma(prior) + ", " + ip
	}
	h["X-Forwarded-For"] = []string{ip}
	h["Via"] = s.via
	h["X-Amz-Cf-Id"] = []string{x.id}
	if len(fwd.CloudFront) > 0 {
		s.addCloudFrontHeaders(x, h, fwd.CloudFront)
	}
	for _, kv := range x.waf.insert {
		h[http.CanonicalHeaderKey(kv[0])] = []string{kv[1]}
	}
	for _, ch := range o.CustomHeaders {
		h[ch[0]] = []string{ch[1]}
	}
	if st := x.stale; st != nil {
		// Revalidate the cached object (RefreshHit on a 304).
		if et := firstValue(st.header, "Etag"); et != "" {
			h["If-None-Match"] = []string{et}
		}
		if lm := firstValue(st.header, "Last-Modified"); lm != "" {
			h["If-Modified-Since"] = []string{lm}
		}
	}
	return out
}

// addCloudFrontHeaders adds the CloudFront-* headers the behavior's policies
// ask for (adding-cloudfront-headers); a value the edge cannot know is
// omitted, as CloudFront omits it.
func (s *Server) addCloudFrontHeaders(x *exchange, h http.Header, names []string) {
	var loc geo.Location
	looked := false
	for _, name := range names {
		var v string
		switch name {
		case "Cloudfront-Viewer-Address":
			// ip:port; a viewer known only from X-Forwarded-For has no
			// port, and an invented one would mislead.
			if x.viewer.Port() != 0 {
				v = x.viewer.String()
			}
		case "Cloudfront-Forwarded-Proto":
			v = "http"
			if x.r.TLS != nil {
				v = "https"
			}
		case "Cloudfront-Viewer-Http-Version":
			v = strings.TrimPrefix(x.r.Proto, "HTTP/")
		case "Cloudfront-Viewer-Country":
			v = s.country(x)
		default:
			if !looked && s.opts.Geo != nil {
				loc, looked = s.opts.Geo.Lookup(x.viewer.Addr()), true
			}
			v, _ = loc.Header(name)
		}
		if v != "" {
			h[name] = []string{v}
		}
	}
}

var userAgentCloudFront = []string{"Amazon CloudFront"}

func joinComma(vs []string) string {
	if len(vs) == 1 {
		return vs[0]
	}
	n := 0
	for _, v := range vs {
		n += len(v) + 2
	}
	b := make([]byte, 0, n)
	for i, v := range vs {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, v...)
	}
	return string(b)
}

// lowerASCII lower-cases a canonical header key, from a table for the
// common ones so the hot path does not allocate.
func lowerASCII(k string) string {
	if l, ok := lowerKeys[k]; ok {
		return l
	}
	return strings.ToLower(k)
}

var lowerKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"Accept", "Accept-Encoding", "Accept-Language", "Accept-Charset", "Authorization",
		"Cache-Control", "Connection", "Cookie", "Host", "Origin", "Pragma", "Referer", "User-Agent",
		"X-Forwarded-For", "Upgrade-Insecure-Requests", "Sec-Fetch-Dest", "Sec-Fetch-Mode", "Sec-Fetch-Site",
		"Sec-Fetch-User", "Sec-Ch-Ua", "Sec-Ch-Ua-Mobile", "Sec-Ch-Ua-Platform", "Dnt", "Priority", "Te"} {
		m[k] = strings.ToLower(k)
	}
	return m
}()

// modifyResponse adds CloudFront's headers to the origin's answer and
// applies custom error responses to origin errors. The origin's own Server
// header is kept, so an origin 403 can be told from an edge 403.
func (s *Server) modifyResponse(x *exchange, resp *http.Response) {
	x.resultType, x.detailed = "Miss", "Miss"
	xcache := xCacheMiss
	if resp.StatusCode >= 400 {
		x.resultType, x.detailed = "Error", "Error"
		xcache = xCacheError
		if p, ok := x.dist.errorPages[resp.StatusCode]; ok && p.path != "" {
			if page := s.fetchErrorPage(x, p); page != nil {
				resp.Body.Close()
				resp.Body, resp.Header, resp.ContentLength = page.Body, page.Header, page.ContentLength
				if p.status != 0 {
					resp.StatusCode, resp.Status = p.status, ""
				}
			}
		} else if ok && p.status != 0 {
			resp.StatusCode, resp.Status = p.status, ""
		}
	}
	h := resp.Header
	h["X-Cache"] = xcache
	h["Via"] = s.via
	h["X-Amz-Cf-Pop"] = s.pop
	h["X-Amz-Cf-Id"] = []string{x.id}
}

// proxyError maps a failed origin exchange to CloudFront's 502/504 page, or
// to a hang-up log line when the viewer is the one who went away.
func (s *Server) proxyError(x *exchange, err error) {
	switch {
	case x.body.err != nil && !errors.Is(x.body.err, io.EOF):
		return // logged as ClientHungUpRequest
	case x.viewerLeft():
		return
	}
	f := origin.Classify(err)
	s.opts.Logger.Debug("origin failed", "distribution", x.dist.id, "origin", x.beh.origin.ID, "err", err, "request_id", x.id)
	s.deny(x, &Denial{Cause: cause.CustomOrigin, Detail: f.Detailed, Status: f.Status, Sentence: f.Sentence, Detailed: f.Detailed})
}

// serveErrorPage answers with a custom error response for an edge denial:
// the page fetched from the origin, or just the replaced status code.
// It returns false when the page could not be fetched, so CloudFront's own
// page is sent instead.
func (s *Server) serveErrorPage(x *exchange, p *errorPage, status int) bool {
	if p.path == "" {
		return false
	}
	page := s.fetchErrorPage(x, p)
	if page == nil {
		return false
	}
	defer page.Body.Close()
	if p.status != 0 {
		status = p.status
	}
	h := x.w.Header()
	for k, vs := range page.Header {
		if !origin.IsHopByHop(k) {
			h[k] = vs
		}
	}
	s.cloudFrontHeaders(x, h, xCacheError)
	// A denial before the behavior was chosen (AWS WAF) answers under
	// the behavior of the request's path.
	b := x.beh
	if b == nil {
		b = x.dist.behaviorFor(x.r.URL.Path)
	}
	if b.headers != nil {
		b.headers.apply(x, h, s.opts.POP)
	}
	enc := x.compression(b, status, h)
	if enc != identity {
		encodeHeader(h, enc)
	}
	x.w.WriteHeader(status)
	switch {
	case x.r.Method == http.MethodHead:
	case enc != identity:
		copyCompressed(&x.w, page.Body, enc)
	default:
		io.Copy(&x.w, page.Body)
	}
	return true
}

// fetchErrorPage GETs a ResponsePagePath through the cache behavior that
// matches it, from that behavior's origin (HTTPStatusCodes.md). A failed
// fetch returns nil.
func (s *Server) fetchErrorPage(x *exchange, p *errorPage) *http.Response {
	b := x.dist.behaviorFor(p.path)
	o := b.origin
	scheme, host := "http", o.HTTPHost
	if o.Protocol == origin.HTTPSOnly || (o.Protocol == origin.MatchViewer && x.r.TLS != nil) {
		scheme, host = "https", o.HTTPSHost
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(x.r.Context()), origin.DefaultReadTimeout)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+host+o.Path+p.path, nil)
	if err != nil {
		cancel()
		return nil
	}
	req.Host = o.HostHeader
	req.Header["User-Agent"] = userAgentCloudFront
	req.Header["Via"] = s.via
	req.Header["X-Amz-Cf-Id"] = []string{x.id}
	for _, ch := range o.CustomHeaders {
		req.Header[ch[0]] = []string{ch[1]}
	}
	resp, err := o.RoundTripper.RoundTrip(req)
	if err != nil {
		cancel()
		return nil
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		cancel()
		return nil
	}
	resp.Body = cancelOnClose{resp.Body, cancel}
	resp.Header.Del("Content-Length")
	if resp.ContentLength >= 0 {
		resp.Header["Content-Length"] = []string{strconv.FormatInt(resp.ContentLength, 10)}
	}
	return resp
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// copyBuffers recycles the 32 KiB buffers bodies are copied through.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}
