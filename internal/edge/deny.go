package edge

import (
	"net/http"
	"strconv"

	"github.com/openfront-edge/openfront/internal/cause"
)

// Denial is a stage's refusal: a value, turned into CloudFront's response and
// exactly one access-log line in one place (deny). Stages never write
// responses themselves.
type Denial struct {
	Cause  cause.Cause
	Detail string
	Status int
	// Sentence is the cause line of the HTML error page. When XMLCode is set
	// the answer is the signed-URL XML body instead.
	Sentence            string
	XMLCode, XMLMessage string
	// Detailed is the log's x-edge-detailed-result-type.
	Detailed string
}

// The edge's own denials. Result types follow spec §2.3 where documented;
// the rest are recorded in docs/decisions.md.
var (
	denyAlias           = Denial{Cause: cause.AliasNotConfigured, Status: 403, Sentence: causeBadRequest, Detailed: "Error"}
	denyDisabled        = Denial{Cause: cause.DistributionDisabled, Status: 403, Sentence: causeBadRequest, Detailed: "Error"}
	denyHTTPSOnly       = Denial{Cause: cause.ViewerProtocolHTTPSOnly, Status: 403, Sentence: causeBadRequest, Detailed: "Error"}
	denyMethod          = Denial{Cause: cause.MethodNotAllowed, Status: 403, Sentence: causeMethod, Detailed: "InvalidRequestMethod"}
	denyGetBody         = Denial{Cause: cause.GetWithBody, Status: 403, Sentence: causeBadRequest, Detailed: "InvalidRequest"}
	denyGeoAllowList    = Denial{Cause: cause.GeoRestriction, Detail: cause.DetailGeoAllowList, Status: 403, Sentence: causeGeoBlocked, Detailed: "ClientGeoBlocked"}
	denyGeoBlockList    = Denial{Cause: cause.GeoRestriction, Detail: cause.DetailGeoBlockList, Status: 403, Sentence: causeGeoBlocked, Detailed: "ClientGeoBlocked"}
	denyURLTooLong      = Denial{Cause: cause.InvalidRequest, Detail: "url-too-long", Status: 414, Sentence: causeBadRequest, Detailed: "InvalidRequest"}
	denyHeadersTooLarge = Denial{Cause: cause.InvalidRequest, Detail: "headers-too-large", Status: 400, Sentence: causeBadRequest, Detailed: "InvalidRequestHeader"}
	denyBadPath         = Denial{Cause: cause.InvalidRequest, Detail: "invalid-path", Status: 400, Sentence: causeBadRequest, Detailed: "InvalidRequest"}
)

// Shared header values; never mutated.
var (
	serverCloudFront  = []string{"CloudFront"}
	xCacheError       = []string{"Error from cloudfront"}
	xCacheMiss        = []string{"Miss from cloudfront"}
	xCacheRedirect    = []string{"Redirect from cloudfront"}
	contentTypeHTML   = []string{"text/html"}
	contentTypeXML    = []string{"text/xml"}
	connectionClose   = []string{"close"}
	contentTypeByName = map[string][]string{"text/html": contentTypeHTML, "text/xml": contentTypeXML}
)

// deny answers a Denial: the distribution's custom error response for its
// status when there is one (CloudFront serves those for edge errors too),
// else CloudFront's own page.
func (s *Server) deny(x *exchange, d *Denial) {
	x.denial = d
	x.resultType, x.detailed = "Error", d.Detailed
	if x.dist != nil && x.dist.enabled {
		if p, ok := x.dist.errorPages[d.Status]; ok && s.serveErrorPage(x, p, d.Status) {
			return
		}
	}
	x.buf = x.buf[:0]
	ct := "text/html"
	if d.XMLCode != "" {
		ct = "text/xml"
		x.buf = appendSigningError(x.buf, d.XMLCode, d.XMLMessage)
	} else {
		x.buf = appendErrorPage(x.buf, d.Status, d.Sentence, x.id)
	}
	if d.Cause == cause.InvalidRequest {
		// The request could not be parsed as CloudFront would; don't
		// keep a connection whose framing we no longer trust.
		x.w.Header()["Connection"] = connectionClose
	}
	s.writeEdge(x, d.Status, ct, x.buf, xCacheError)
}

// writeEdge writes an answer the edge made itself: Server: CloudFront and
// CloudFront's identifying headers.
func (s *Server) writeEdge(x *exchange, status int, contentType string, body []byte, xcache []string) {
	h := x.w.Header()
	h["Server"] = serverCloudFront
	h["Content-Type"] = contentTypeByName[contentType]
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	s.cloudFrontHeaders(x, h, xcache)
	x.w.WriteHeader(status)
	if x.r.Method != http.MethodHead {
		x.w.Write(body)
	}
}

// cloudFrontHeaders adds the headers CloudFront puts on every response.
func (s *Server) cloudFrontHeaders(x *exchange, h http.Header, xcache []string) {
	h["X-Cache"] = xcache
	h["Via"] = s.via
	h["X-Amz-Cf-Pop"] = s.pop
	// A fresh slice: the header map may be read after x is recycled.
	h["X-Amz-Cf-Id"] = []string{x.id}
}
