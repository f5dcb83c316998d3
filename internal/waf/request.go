package waf

import (
	"net/netip"
	"strings"
	"sync"
)

// Header is one request header as the client sent it.
type Header struct {
	Name, Value string
}

// Request is what the web ACL inspects. The edge fills it once per request;
// Evaluate never modifies it. Query arguments and cookies are not listed
// separately: they are parsed lazily, in order, from RawQuery and from the
// Cookie headers, so building a Request costs nothing beyond what the edge
// already has.
type Request struct {
	Method      string
	URI         string // the path as received: percent-encoding kept, no query
	RawQuery    string // without '?'
	Headers     []Header
	Body        []byte // the first bytes of the body (at least the inspection limit, when the body is that long)
	BodySize    int64  // the real total size of the body
	ClientIP    netip.Addr
	ClientPort  int     // the viewer's source port; 0 when unknown (managed rule groups see it as REMOTE_PORT)
	Country     string  // ISO code of ClientIP from the edge's geo lookup; "" when unknown
	Geo         Locator // the edge's geo database, for regions and forwarded IPs; nil when it has none
	HTTPVersion string  // "HTTP/1.1", "HTTP/2.0"
	RequestID   string  // the x-amz-cf-id of the response
	// TLS gives the fingerprints of the ClientHello of the request's
	// connection; nil for plain HTTP. The edge need only set it when
	// NeedsTLSFingerprints or when it writes the WAF log.
	TLS TLSFingerprints
}

// TLSFingerprints gives the JA3 and JA4 fingerprints of the TLS ClientHello
// that opened a request's connection, as AWS WAF computes them for
// CloudFront; ok is false when they cannot be computed. The edge's
// clienthello.Hello is one: it computes them on first use.
type TLSFingerprints interface {
	JA3() (string, bool)
	JA4() (string, bool)
}

// fingerprint returns the request's JA3 (ja3 true) or JA4 fingerprint.
func (r *Request) fingerprint(ja3 bool) (string, bool) {
	if r.TLS == nil {
		return "", false
	}
	if ja3 {
		return r.TLS.JA3()
	}
	return r.TLS.JA4()
}

// Locator finds where an address is: its country (ISO 3166-1 alpha-2) and
// first-level subdivision (the ISO 3166-2 code without the country prefix,
// "WA"), "" when unknown. The edge's geo.Locator is one. Geo match
// statements ask it lazily, at most once per evaluation for the client IP.
type Locator interface {
	Region(ip netip.Addr) (country, region string)
}

// header returns the first header named name (case-insensitive).
func (r *Request) header(name string) (string, bool) {
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value, true
		}
	}
	return "", false
}

// eachQueryArg calls fn for every name=value pair of the raw query string,
// in order, without decoding (AWS inspects arguments as sent; decode with
// the URL_DECODE transformation). It stops when fn returns true.
func (r *Request) eachQueryArg(fn func(name, value string) bool) bool {
	q := r.RawQuery
	for q != "" {
		var kv string
		kv, q, _ = strings.Cut(q, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		if fn(k, v) {
			return true
		}
	}
	return false
}

// eachCookie calls fn for every cookie of every Cookie header, in order.
func (r *Request) eachCookie(fn func(name, value string) bool) bool {
	for _, h := range r.Headers {
		if !strings.EqualFold(h.Name, "cookie") {
			continue
		}
		rest := h.Value
		for rest != "" {
			var c string
			c, rest, _ = strings.Cut(rest, ";")
			c = strings.TrimSpace(c)
			if c == "" {
				continue
			}
			k, v, _ := strings.Cut(c, "=")
			if fn(k, v) {
				return true
			}
		}
	}
	return false
}

// scratch is per-evaluation working memory, pooled so that evaluating a
// benign request allocates nothing once the pool is warm.
type scratch struct {
	tbuf    [2][]byte // transformation ping-pong buffers
	kbuf    []byte    // rate-limit keys, header order
	details []MatchDetail
	ctx     evalCtx // pooled so that it does not escape per request
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// maxScratch bounds what a pooled scratch keeps, so one huge request does
// not pin memory for ever.
const maxScratch = 256 << 10

func putScratch(s *scratch) {
	for i := range s.tbuf {
		if cap(s.tbuf[i]) > maxScratch {
			s.tbuf[i] = nil
		}
	}
	s.details = s.details[:0]
	s.ctx = evalCtx{}
	scratchPool.Put(s)
}
