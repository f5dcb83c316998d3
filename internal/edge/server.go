// Package edge is openfront's server: it holds the current configuration
// snapshot, runs each request through CloudFront's fixed order of checks,
// turns refusals (Denials) into CloudFront's exact responses, proxies the
// rest to origins, and writes one access-log line per request.
package edge

import (
	"crypto/tls"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openfront-edge/openfront/internal/accesslog"
	"github.com/openfront-edge/openfront/internal/cause"
	"github.com/openfront-edge/openfront/internal/geo"
	"github.com/openfront-edge/openfront/internal/signedurl"
)

// Options configure a Server. Zero values get documented defaults.
type Options struct {
	// POP is the edge location code (x-edge-location, X-Amz-Cf-Pop).
	POP string
	// HTTPSPort is the port the HTTPS listener uses, for redirect Locations
	// (omitted when 443). SetHTTPSPort updates it once the listener is bound.
	HTTPSPort int
	// TrustedProxies are the peers whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// Cache keeps answers for the behaviors whose TTLs allow it; nil
	// caches nothing.
	Cache *Cache
	// Geo finds the viewer's country for geographic restrictions and the
	// CloudFront-Viewer-* headers; nil means every country is unknown.
	Geo geo.Locator
	// WAFLog receives one AWS WAF log record per request a web ACL
	// evaluated; nil logs nothing.
	WAFLog *accesslog.Writer
	// WAFAllowRate is the share of ALLOW records written to WAFLog (0 < r ≤ 1;
	// 0 means 1): BLOCK, COUNT, CAPTCHA and CHALLENGE are always written.
	WAFAllowRate float64
	// Log receives one access-log record per request; nil logs nothing.
	Log    *accesslog.Writer
	Logger *slog.Logger
	Now    func() time.Time
}

// Server is an http.Handler serving CloudFront distributions.
type Server struct {
	opts Options
	snap atomic.Pointer[Snapshot]
	// via is this edge's Via value: "1.1 <32 hex>.cloudfront.net (CloudFront)".
	via    []string
	pop    []string
	stats  sync.Map // distribution id → *distStats, kept across reloads
	unrout *distStats
	pool   sync.Pool
	// signCache remembers verified signatures across requests and reloads.
	signCache *signedurl.Cache
	httpsPort atomic.Int32
}

// SetHTTPSPort sets the port redirect-to-https sends viewers to, for when
// the HTTPS listener's port is only known once it is bound.
func (s *Server) SetHTTPSPort(p int) { s.httpsPort.Store(int32(p)) }

// New returns a server with no configuration; call Swap before serving.
func New(o Options) *Server {
	if o.POP == "" {
		o.POP = "LOC1-P1"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.WAFAllowRate <= 0 || o.WAFAllowRate > 1 {
		o.WAFAllowRate = 1
	}
	s := &Server{opts: o, unrout: newDistStats(), signCache: signedurl.NewCache(65536)}
	s.via = []string{"1.1 " + viaHost() + " (CloudFront)"}
	s.pop = []string{o.POP}
	s.pool.New = func() any { return new(exchange) }
	s.httpsPort.Store(int32(o.HTTPSPort))
	return s
}

// Swap installs a new snapshot; requests already running keep theirs.
func (s *Server) Swap(snap *Snapshot) {
	if old := s.snap.Swap(snap); old != nil && old != snap {
		old.closeIdle()
	}
}

// Cache returns the edge's object cache, nil when it caches nothing.
func (s *Server) Cache() *Cache { return s.opts.Cache }

// Snapshot returns the current snapshot.
func (s *Server) Snapshot() *Snapshot { return s.snap.Load() }

// Certificate returns the certificate for a TLS server name from the
// current snapshot.
func (s *Server) Certificate(serverName string) (*tls.Certificate, error) {
	return s.snap.Load().Certificate(serverName)
}

// statsFor returns the metrics of a distribution, created on first use and
// kept across reloads. Pass it as CompileOptions' stats source.
func (s *Server) statsFor(id string) *distStats {
	if v, ok := s.stats.Load(id); ok {
		return v.(*distStats)
	}
	v, _ := s.stats.LoadOrStore(id, newDistStats())
	return v.(*distStats)
}

// CompileOptions returns o wired to this server's metrics.
func (s *Server) CompileOptions(o CompileOptions) CompileOptions {
	o.stats = s.statsFor
	o.signCache = s.signCache
	return o
}

// ServeHTTP runs one request through the edge.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x := s.begin(w, r)
	defer s.finish(x)
	s.serve(x)
}

// serve is the request's journey, in CloudFront's order (spec §12;
// docs/ARCHITECTURE.md): request sanity → Host → enabled → AWS WAF → geo →
// cache behavior → viewer protocol → allowed methods → GET with body →
// signed URL or cookies → viewer-request function → cache → origin.
func (s *Server) serve(x *exchange) {
	r := x.r
	if d := checkRequest(r, x.headerBytes); d != nil {
		s.deny(x, d)
		return
	}
	x.dist = x.snap.route(r.Host)
	if x.dist == nil {
		s.deny(x, &denyAlias)
		return
	}
	if !x.dist.enabled {
		s.deny(x, &denyDisabled)
		return
	}
	if a := x.dist.waf; a != nil && s.checkWAF(x, a) {
		return
	}
	if g := x.dist.geo; g != nil && !g.Allows(s.country(x)) {
		// The whole distribution; a viewer whose country is unknown is
		// served (georestrictions.md).
		s.deny(x, geoDenial(g))
		return
	}
	x.beh = x.dist.behaviorFor(r.URL.Path)
	if r.TLS == nil {
		switch x.beh.viewer {
		case httpsOnly:
			s.deny(x, &denyHTTPSOnly)
			return
		case redirectToHTTPS:
			s.redirect(x)
			return
		}
	}
	if !x.beh.methods.Allows(r.Method) {
		s.deny(x, &denyMethod)
		return
	}
	if r.Method == http.MethodGet && (r.ContentLength > 0 || r.ContentLength < 0) {
		s.deny(x, &denyGetBody)
		return
	}
	if x.beh.signed != nil {
		if d := s.checkSigned(x); d != nil {
			s.deny(x, d)
			return
		}
	}
	if f := x.beh.viewerRequest; f != nil && s.viewerRequestFunction(x, f) {
		return
	}
	if s.serveFromCache(x) {
		return
	}
	s.forward(x)
}

// country looks the viewer's country up once per request.
func (s *Server) country(x *exchange) string {
	if !x.countryKnown && s.opts.Geo != nil {
		x.country = s.opts.Geo.Country(x.viewer.Addr())
	}
	x.countryKnown = true
	return x.country
}

func geoDenial(g *geo.Restriction) *Denial {
	if g.Type() == geo.RestrictionWhitelist {
		return &denyGeoAllowList
	}
	return &denyGeoBlockList
}

// checkSigned verifies the signed URL or cookies of a behavior that
// restricts viewer access. The reason goes into the Denial (metrics, the
// doctor); the viewer sees only CloudFront's XML (spec §1.3, §5.5).
func (s *Server) checkSigned(x *exchange) *Denial {
	r := x.r
	req := signedurl.Request{
		Scheme: "http", Host: r.Host, Path: uriStem(r), RawQuery: r.URL.RawQuery,
		Cookies: r.Header["Cookie"], Viewer: x.viewer.Addr(), Method: r.Method, Now: s.opts.Now(),
	}
	if r.TLS != nil {
		req.Scheme = "https"
	}
	req.Host = strings.TrimSuffix(req.Host, defaultPort[req.Scheme])
	res := x.beh.signed.Verify(&req)
	x.originQuery, x.signedChecked = res.OriginQuery, true
	if res.OK {
		return nil
	}
	return &Denial{Cause: res.Cause(), Detail: res.Detail, Status: http.StatusForbidden,
		XMLCode: res.Code, XMLMessage: res.Message, Detailed: "Error"}
}

var defaultPort = map[string]string{"http": ":80", "https": ":443"}

// Request limits CloudFront documents (cloudfront-limits): URL 8,192 bytes,
// request line plus headers 20,480 bytes.
const (
	maxURL     = 8192
	maxHeaders = 20480
)

// checkRequest refuses requests CloudFront cannot parse or that no origin
// should ever see. Status codes are our choice where CloudFront's are not
// documented (docs/decisions.md). headerBytes is the request line and
// headers' size (requestHeaderBytes).
func checkRequest(r *http.Request, headerBytes int64) *Denial {
	if len(r.RequestURI) > maxURL {
		return &denyURLTooLong
	}
	if headerBytes > maxHeaders {
		return &denyHeadersTooLarge
	}
	p := r.URL.Path
	if p == "" || p[0] != '/' || strings.IndexByte(p, 0) >= 0 || hasDotSegment(p) {
		return &denyBadPath
	}
	if r.Host == "" {
		return &denyAlias
	}
	return nil
}

// hasDotSegment reports a "." or ".." path segment. Forwarding one would let
// the origin resolve a path that matched a different cache behavior here.
func hasDotSegment(p string) bool {
	for len(p) > 0 {
		i := strings.IndexByte(p[1:], '/')
		seg := p[1:]
		if i >= 0 {
			seg = p[1 : i+1]
		}
		if seg == "." || seg == ".." {
			return true
		}
		if i < 0 {
			return false
		}
		p = p[i+1:]
	}
	return false
}

// redirect answers redirect-to-https: 301 for GET and HEAD, 307 for other
// methods over HTTP/1.1 or later, 403 below (spec §6).
func (s *Server) redirect(x *exchange) {
	r := x.r
	status := http.StatusMovedPermanently
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if !r.ProtoAtLeast(1, 1) {
			s.deny(x, &denyHTTPSOnly)
			return
		}
		status = http.StatusTemporaryRedirect
	}
	host := r.Host
	if h, _, ok := strings.Cut(host, ":"); ok && !strings.HasPrefix(host, "[") {
		host = h
	}
	loc := "https://" + host
	if p := int(s.httpsPort.Load()); p != 0 && p != 443 {
		loc += ":" + itoa(p)
	}
	if uri := r.RequestURI; uri != "" && uri[0] == '/' {
		loc += uri
	} else {
		loc += r.URL.RequestURI() // absolute-form target: keep only path and query
	}
	x.resultType, x.detailed = "Redirect", "Redirect"
	h := x.w.Header()
	h["Location"] = []string{loc}
	s.writeEdge(x, status, "text/html", []byte(redirectBody(status)), xCacheRedirect)
}

// Cause of a denial for metrics; the zero value is no denial.
func (x *exchange) denialCause() cause.Cause {
	if x.denial == nil {
		return cause.None
	}
	return x.denial.Cause
}
