package edge

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
)

// respHeaders is a compiled response headers policy
// (understanding-response-headers-policies): headers removed from the
// origin's answer, then CORS, security and custom headers added, each
// replacing the origin's own only when its policy says override, and the
// Server-Timing header. Read-only once compiled.
type respHeaders struct {
	remove []string // canonical names
	// removesServer is set when remove names Server: CloudFront's own
	// then takes its place.
	removesServer bool
	set           []headerRule
	cors          *corsRule
	// timing is the Server-Timing sampling rate in percent; negative when
	// the policy does not enable the header.
	timing float64
}

// headerRule is one header the policy adds.
type headerRule struct {
	name     string // canonical
	value    []string
	override bool
}

// corsRule is a policy's CORS settings, values already joined.
type corsRule struct {
	anyOrigin   bool
	origins     []originPattern
	credentials bool
	allowHeads  string // preflight answers only
	allowMeths  string // preflight answers only
	maxAge      string // preflight answers only; "" when unset
	expose      string
	override    bool
}

// originPattern is one AccessControlAllowOrigins item: an optional scheme,
// a host that may start with "*." and an optional port.
type originPattern struct {
	scheme, host, port string
}

// allMethods is ALL, in the order of the managed CORS-With-Preflight policy.
var allMethods = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"

// compileRespHeaders compiles a response headers policy; nil for none.
func compileRespHeaders(p *types.ResponseHeadersPolicyConfig) (*respHeaders, error) {
	if p == nil {
		return nil, nil
	}
	rh := &respHeaders{timing: -1}
	if c := p.RemoveHeadersConfig; c != nil {
		for _, h := range c.Items {
			name := http.CanonicalHeaderKey(deref(h.Header))
			if !removable(name) {
				return nil, fmt.Errorf("RemoveHeadersConfig: %s cannot be removed by a response headers policy (CloudFront's API refuses it)", name)
			}
			rh.remove = append(rh.remove, name)
			rh.removesServer = rh.removesServer || name == "Server"
		}
	}
	add := func(name, value string, override *bool) {
		rh.set = append(rh.set, headerRule{name: http.CanonicalHeaderKey(name), value: []string{value}, override: deref(override)})
	}
	if s := p.SecurityHeadersConfig; s != nil {
		if c := s.ContentSecurityPolicy; c != nil {
			add("Content-Security-Policy", deref(c.ContentSecurityPolicy), c.Override)
		}
		if c := s.ContentTypeOptions; c != nil {
			add("X-Content-Type-Options", "nosniff", c.Override)
		}
		if c := s.FrameOptions; c != nil {
			add("X-Frame-Options", string(c.FrameOption), c.Override)
		}
		if c := s.ReferrerPolicy; c != nil {
			add("Referrer-Policy", string(c.ReferrerPolicy), c.Override)
		}
		if c := s.StrictTransportSecurity; c != nil {
			v := "max-age=" + strconv.Itoa(int(deref(c.AccessControlMaxAgeSec)))
			if deref(c.IncludeSubdomains) {
				v += "; includeSubDomains"
			}
			if deref(c.Preload) {
				v += "; preload"
			}
			add("Strict-Transport-Security", v, c.Override)
		}
		if c := s.XSSProtection; c != nil {
			v := "0"
			if deref(c.Protection) {
				v = "1"
				if deref(c.ModeBlock) {
					v += "; mode=block"
				} else if u := deref(c.ReportUri); u != "" {
					v += "; report=" + u
				}
			}
			add("X-XSS-Protection", v, c.Override)
		}
	}
	if c := p.CustomHeadersConfig; c != nil {
		for _, h := range c.Items {
			add(deref(h.Header), deref(h.Value), h.Override)
		}
	}
	if c := p.CorsConfig; c != nil {
		cr := &corsRule{credentials: deref(c.AccessControlAllowCredentials), override: deref(c.OriginOverride)}
		if o := c.AccessControlAllowOrigins; o != nil {
			for _, item := range o.Items {
				if item == "*" {
					cr.anyOrigin = true
					continue
				}
				op, err := parseOriginPattern(item)
				if err != nil {
					return nil, err
				}
				cr.origins = append(cr.origins, op)
			}
		}
		if h := c.AccessControlAllowHeaders; h != nil {
			cr.allowHeads = strings.Join(h.Items, ", ")
		}
		if m := c.AccessControlAllowMethods; m != nil {
			ms := make([]string, 0, len(m.Items))
			for _, v := range m.Items {
				if v == types.ResponseHeadersPolicyAccessControlAllowMethodsValuesAll {
					ms = []string{allMethods}
					break
				}
				ms = append(ms, string(v))
			}
			cr.allowMeths = strings.Join(ms, ", ")
		}
		if e := c.AccessControlExposeHeaders; e != nil {
			cr.expose = strings.Join(e.Items, ", ")
		}
		if c.AccessControlMaxAgeSec != nil {
			cr.maxAge = strconv.Itoa(int(*c.AccessControlMaxAgeSec))
		}
		rh.cors = cr
	}
	if c := p.ServerTimingHeadersConfig; c != nil && deref(c.Enabled) {
		rh.timing = deref(c.SamplingRate)
	}
	return rh, nil
}

// removable reports a header a policy may remove
// (understanding-response-headers-policies, "Headers that you can't remove").
func removable(name string) bool {
	switch name {
	case "Connection", "Content-Encoding", "Content-Length", "Expect", "Host", "Keep-Alive", "Proxy-Authenticate",
		"Proxy-Authorization", "Proxy-Connection", "Trailer", "Transfer-Encoding", "Upgrade", "Via", "Warning",
		"X-Accel-Buffering", "X-Accel-Charset", "X-Accel-Limit-Rate", "X-Accel-Redirect", "X-Amzn-Auth",
		"X-Amzn-Cf-Billing", "X-Amzn-Cf-Id", "X-Amzn-Cf-Xff", "X-Amzn-Errortype", "X-Amzn-Fle-Profile",
		"X-Amzn-Header-Count", "X-Amzn-Header-Order", "X-Amzn-Lambda-Integration-Tag", "X-Amzn-Requestid", "X-Cache",
		"X-Forwarded-Proto", "X-Real-Ip":
		return false
	}
	return !strings.HasPrefix(name, "X-Amz-Cf-") && !strings.HasPrefix(name, "X-Edge-")
}

// parseOriginPattern reads "https://*.example.org", "http://a.example:8080"
// or "*.example.org" (any scheme).
func parseOriginPattern(s string) (originPattern, error) {
	var op originPattern
	rest := strings.ToLower(s)
	if scheme, after, ok := strings.Cut(rest, "://"); ok {
		op.scheme, rest = scheme, after
	}
	if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		rest, op.port = rest[:i], rest[i+1:]
	}
	op.host = rest
	if strings.Contains(strings.TrimPrefix(rest, "*."), "*") || rest == "" {
		return op, fmt.Errorf("AccessControlAllowOrigins %q: a wildcard is allowed only as the leftmost label (*.example.org)", s)
	}
	return op, nil
}

// matches reports an Origin header value ("https://app.example.org") the
// pattern allows.
func (op originPattern) matches(origin string) bool {
	scheme, rest, ok := strings.Cut(strings.ToLower(origin), "://")
	if !ok || (op.scheme != "" && op.scheme != scheme) {
		return false
	}
	host, port := rest, ""
	if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		host, port = rest[:i], rest[i+1:]
	}
	if port != op.port {
		return false
	}
	if suffix, ok := strings.CutPrefix(op.host, "*"); ok {
		return len(host) > len(suffix) && strings.HasSuffix(host, suffix)
	}
	return host == op.host
}

// apply edits the header h of an origin answer to x's request, at edge
// location pop.
func (rh *respHeaders) apply(x *exchange, h http.Header, pop string) {
	for _, k := range rh.remove {
		delete(h, k)
	}
	if rh.removesServer {
		h["Server"] = serverCloudFront
	}
	if rh.cors != nil {
		rh.cors.apply(x.r, h)
	}
	for i := range rh.set {
		r := &rh.set[i]
		if _, present := h[r.name]; present && !r.override {
			continue
		}
		h[r.name] = r.value
	}
	if rh.timing >= 0 && (rh.timing >= 100 || rand.Float64()*100 < rh.timing || pragmaServerTiming(x.r)) {
		serverTiming(x, h, pop)
	}
}

// apply adds the CORS headers to the answer to a CORS request (one with
// an Origin header) whose origin the policy allows.
func (c *corsRule) apply(r *http.Request, h http.Header) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	allow := ""
	if c.anyOrigin {
		allow = "*"
	} else {
		for _, op := range c.origins {
			if op.matches(origin) {
				allow = origin
				break
			}
		}
	}
	if allow == "" {
		return
	}
	set := func(name, value string) {
		if value == "" {
			return
		}
		if _, present := h[name]; present && !c.override {
			return
		}
		h[name] = []string{value}
	}
	set("Access-Control-Allow-Origin", allow)
	if allow != "*" {
		addVary(h, "Origin")
	}
	if c.credentials {
		set("Access-Control-Allow-Credentials", "true")
	}
	set("Access-Control-Expose-Headers", c.expose)
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		set("Access-Control-Allow-Methods", c.allowMeths)
		set("Access-Control-Allow-Headers", c.allowHeads)
		set("Access-Control-Max-Age", c.maxAge)
	}
}

// addVary adds name to the Vary header unless it is there already (or *).
func addVary(h http.Header, name string) {
	for _, v := range h["Vary"] {
		for f := range strings.SplitSeq(v, ",") {
			if f = strings.TrimSpace(f); f == "*" || strings.EqualFold(f, name) {
				return
			}
		}
	}
	vs := h["Vary"]
	h["Vary"] = append(vs[:len(vs):len(vs)], name)
}

// pragmaServerTiming reports "Pragma: server-timing", which asks for the
// header whatever the sampling rate.
func pragmaServerTiming(r *http.Request) bool {
	for _, v := range r.Header["Pragma"] {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), "server-timing") {
				return true
			}
		}
	}
	return false
}

// serverTiming writes CloudFront's Server-Timing metrics for an origin
// answer, before the origin's own value. This edge measures no DNS or
// connect time apart from the wait for the origin's first byte, so it
// sends only the metrics it knows.
func serverTiming(x *exchange, h http.Header, pop string) {
	var b strings.Builder
	b.WriteString(`cdn-upstream-layer;desc="EDGE",cdn-upstream-fbl;dur=`)
	b.WriteString(strconv.FormatInt(x.originTime.Milliseconds(), 10))
	b.WriteString(`,cdn-cache-miss,cdn-pop;desc="`)
	b.WriteString(pop)
	b.WriteString(`",cdn-rid;desc="`)
	b.WriteString(x.id)
	b.WriteString(`",cdn-downstream-fbl;dur=`)
	b.WriteString(strconv.FormatInt(time.Since(x.start).Milliseconds(), 10))
	if own := h["Server-Timing"]; len(own) > 0 {
		b.WriteString(",")
		b.WriteString(strings.Join(own, ","))
	}
	h["Server-Timing"] = []string{b.String()}
}
