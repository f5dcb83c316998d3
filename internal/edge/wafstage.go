package edge

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"

	"github.com/openfront-edge/openfront/internal/cause"
	"github.com/openfront-edge/openfront/internal/clienthello"
	"github.com/openfront-edge/openfront/internal/waf"
)

// wafState is the WAF part of a request's state, reused with the exchange.
type wafState struct {
	req     waf.Request
	verdict waf.Verdict
	body    []byte
	insert  [][2]string // CustomRequestHandling headers for the origin (ALLOW)
}

// checkWAF evaluates the distribution's web ACL (CloudFront runs AWS WAF
// first: spec §12). It writes the WAF log record and counts the metrics; a
// terminating BLOCK, CAPTCHA or CHALLENGE becomes the request's answer and
// true is returned.
func (s *Server) checkWAF(x *exchange, a *waf.ACL) bool {
	r, w := x.r, &x.waf
	now := s.opts.Now()
	w.req = waf.Request{
		Method: r.Method, URI: uriStem(r), RawQuery: r.URL.RawQuery, Headers: w.req.Headers[:0],
		BodySize: max(r.ContentLength, 0), ClientIP: x.viewer.Addr(), ClientPort: int(x.viewer.Port()), Country: s.country(x),
		HTTPVersion: r.Proto, RequestID: x.id,
	}
	if s.opts.Geo != nil {
		w.req.Geo = s.opts.Geo // regions and forwarded IPs, looked up only by geo match statements
	}
	if a.NeedsTLSFingerprints() || s.opts.WAFLog != nil {
		// The HTTPS listener's ClientHello; JA3 and JA4 are computed on
		// first use, once per connection.
		if h := clienthello.FromContext(r.Context()); h != nil {
			w.req.TLS = h
		}
	}
	// Go's server keeps headers in a map: their arrival order is lost, so
	// they are given in sorted order (docs/decisions.md).
	keys := make([]string, 0, len(r.Header)+1)
	for k := range r.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.req.Headers = append(w.req.Headers, waf.Header{Name: "Host", Value: r.Host})
	for _, k := range keys {
		for _, v := range r.Header[k] {
			w.req.Headers = append(w.req.Headers, waf.Header{Name: k, Value: v})
		}
	}
	if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
		s.readBodyPrefix(x, a.BodyLimit())
		w.req.Body = w.body
		if r.ContentLength < 0 {
			w.req.BodySize = int64(len(w.body))
		}
	}
	a.EvaluateInto(&w.req, now, &w.verdict)
	v := &w.verdict
	if x.dist.stats != nil {
		x.dist.stats.countWAF(a.Name(), v)
	}
	if l := s.opts.WAFLog; l != nil && (v.Action != "ALLOW" || s.opts.WAFAllowRate == 1 || rand.Float64() < s.opts.WAFAllowRate) {
		l.LogLine("", a.Name(), now, append(a.LogRecord(&w.req, *v, now, a.ARN(), x.dist.id), '\n'))
	}
	switch v.Action {
	case "ALLOW":
		w.insert = append(w.insert[:0], v.InsertHeaders...)
		return false
	case "BLOCK":
		d := &Denial{Cause: cause.WAFBlock, Detail: v.TerminatingRuleType + ":" + v.TerminatingRuleID,
			Status: http.StatusForbidden, Sentence: causeRequestBlocked, Detailed: "Error"}
		if cr := v.CustomResponse; cr != nil && cr.Custom {
			// Precedence (customizing-the-response-for-blocked-requests):
			// the rule's custom response, else the distribution's custom
			// error page for 403, else CloudFront's page.
			x.denial, x.resultType, x.detailed = d, "Error", "Error"
			s.writeWAFResponse(x, cr)
			return true
		}
		s.deny(x, d)
		return true
	case "CAPTCHA", "CHALLENGE":
		x.denial = &Denial{Cause: cause.WAFBlock, Detail: v.TerminatingRuleType + ":" + v.TerminatingRuleID,
			Status: v.CustomResponse.Status, Detailed: "Error"}
		x.resultType, x.detailed = "Error", "Error"
		s.writeWAFResponse(x, v.CustomResponse)
		return true
	}
	return false
}

// writeWAFResponse sends a WAF-made answer: a rule's custom response, or
// the CAPTCHA (405) and Challenge (202) answers with x-amzn-waf-action.
func (s *Server) writeWAFResponse(x *exchange, cr *waf.CustomResponse) {
	h := x.w.Header()
	for _, kv := range cr.Headers {
		h.Add(kv[0], kv[1])
	}
	h["Server"] = serverCloudFront
	if cr.ContentType != "" {
		h.Set("Content-Type", cr.ContentType)
	}
	h["Content-Length"] = []string{strconv.Itoa(len(cr.Body))}
	s.cloudFrontHeaders(x, h, xCacheError)
	x.w.WriteHeader(cr.Status)
	if x.r.Method != http.MethodHead {
		io.WriteString(&x.w, cr.Body)
	}
}

// readBodyPrefix reads up to limit bytes of the body for inspection and puts
// them back in front of the rest, which still streams to the origin.
func (s *Server) readBodyPrefix(x *exchange, limit int) {
	w := &x.waf
	if cap(w.body) < limit {
		w.body = make([]byte, limit)
	}
	n, _ := io.ReadFull(x.r.Body, w.body[:limit])
	w.body = w.body[:n]
	x.r.Body = &prefixedBody{prefix: bytes.NewReader(w.body), rest: x.r.Body}
}

// prefixedBody replays an inspected prefix, then the rest of the body.
type prefixedBody struct {
	prefix *bytes.Reader
	rest   io.ReadCloser
}

func (b *prefixedBody) Read(p []byte) (int, error) {
	if b.prefix.Len() > 0 {
		return b.prefix.Read(p)
	}
	return b.rest.Read(p)
}

func (b *prefixedBody) Close() error { return b.rest.Close() }
