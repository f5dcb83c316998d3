package doctor

// The rules behind classify, one cause each, in the order classify asks them.

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	"github.com/openfront-edge/openfront/internal/cause"
	"github.com/openfront-edge/openfront/internal/hostroute"
	"github.com/openfront-edge/openfront/internal/signedurl"
)

// unrouted explains lines of this edge's _unrouted log: requests no
// distribution took (CloudFront logs those nowhere, spec §2.1).
func (c *classifier) unrouted(r *request) (*Verdict, *Dist) {
	if (r.Status == 400 || r.Status == 414) && strings.HasPrefix(r.Detailed, "InvalidRequest") {
		return invalidRequest(r), nil
	}
	if r.Status != 403 {
		return &Verdict{}, nil
	}
	if c.model != nil && len(c.model.Dists) > 0 {
		d := c.model.RouteHost(r.HostHeader)
		switch {
		case d == nil:
			v := verdict(cause.AliasNotConfigured, "", Certain)
			v.add("no distribution in the configuration answers for the Host", "%s", r.HostHeader)
			return v, nil
		case !d.Enabled:
			v := verdict(cause.DistributionDisabled, "", Certain)
			v.add("the Host routes to a disabled distribution", "%s → %s (%s.Enabled is false)", r.HostHeader, d.ID, d.Path)
			return v, d
		default:
			v := verdict(cause.DistributionDisabled, "", Possible)
			v.add("refused as unrouted, but the configuration now routes the Host to an enabled distribution", "%s → %s", r.HostHeader, d.ID)
			v.Candidates = []string{string(cause.AliasNotConfigured)}
			return v, d
		}
	}
	hh, _ := hostroute.Normalize(r.HostHeader)
	ch, _ := hostroute.Normalize(r.Host)
	if ch != "" && hh != ch {
		v := verdict(cause.DistributionDisabled, "", Likely)
		v.add("refused although the Host routed to a distribution: cs(Host) names it", "Host %s, distribution domain %s", r.HostHeader, r.Host)
		v.Candidates = []string{string(cause.AliasNotConfigured)}
		return v, nil
	}
	if isDefaultDomain(hh) {
		v := verdict(cause.DistributionDisabled, "", Possible)
		v.add("a distribution's default domain was refused: disabled or deleted", "%s", r.HostHeader)
		v.Candidates = []string{string(cause.AliasNotConfigured)}
		return v, nil
	}
	v := verdict(cause.AliasNotConfigured, "", Likely)
	v.add("in the _unrouted log: no distribution answered for the Host", "%s", r.HostHeader)
	v.Candidates = []string{string(cause.DistributionDisabled)}
	return v, nil
}

func isDefaultDomain(h string) bool {
	for _, suf := range []string{".cloudfront.net", ".cloudfront.localhost"} {
		if id, ok := strings.CutSuffix(h, suf); ok && id != "" && !strings.Contains(id, ".") {
			return true
		}
	}
	return false
}

func invalidRequest(r *request) *Verdict {
	detail := cause.DetailInvalidPath
	switch {
	case r.Status == 414:
		detail = cause.DetailURLTooLong
	case r.Detailed == "InvalidRequestHeader":
		detail = cause.DetailHeadersTooLarge
	}
	v := verdict(cause.InvalidRequest, detail, Likely)
	v.add("an edge refusal of a request it could not accept", "status %d, x-edge-detailed-result-type %s", r.Status, r.Detailed)
	return v
}

// clientSide reports detailed result types of viewers that went away: a
// 200 with result Error then means an interrupted download, not a rewrite
// (spec §2.2).
func clientSide(detailed string) bool {
	switch detailed {
	case "ClientCommError", "ClientHungUpRequest", "SlowReaderOriginError":
		return true
	}
	return strings.HasPrefix(detailed, "Origin") || detailed == "AbortedOrigin"
}

func isFunctionResult(r *request) bool {
	for _, s := range []string{r.Result, r.Detailed, r.RespResult} {
		switch s {
		case "FunctionGeneratedResponse", "LambdaGeneratedResponse", "MissGeneratedResponse":
			return r.Status == 403
		}
	}
	return false
}

// masked notes a status rewritten by a custom error response.
func (c *classifier) masked(r *request, v *Verdict) {
	if r.Status != 403 && r.Result == "Error" {
		v.add("the 403 was served with another status by CustomErrorResponses", "sc-status %d", r.Status)
	}
}

func (c *classifier) geoDetail(r *request, d *Dist, v *Verdict) {
	if d == nil {
		return
	}
	switch d.Geo.Type {
	case types.GeoRestrictionTypeWhitelist:
		v.Detail = cause.DetailGeoAllowList
		v.add("the distribution allows only listed countries", "%s.Restrictions.GeoRestriction allows %s", d.Path, orNone(d.Geo.Countries))
	case types.GeoRestrictionTypeBlacklist:
		v.Detail = cause.DetailGeoBlockList
		v.add("the distribution blocks listed countries", "%s.Restrictions.GeoRestriction blocks %s", d.Path, orNone(d.Geo.Countries))
	}
}

func geoBlocks(g GeoRestriction, country string) bool {
	switch g.Type {
	case types.GeoRestrictionTypeWhitelist:
		return !contains(g.Countries, country)
	case types.GeoRestrictionTypeBlacklist:
		return contains(g.Countries, country)
	}
	return false
}

// signing classifies a refusal of signed URLs or cookies, or returns nil
// when signing does not explain the line.
func (c *classifier) signing(r *request, d *Dist, b *Behavior, p signingParams, present, edgeXML, rewritten bool) *Verdict {
	if !present {
		return nil
	}
	cs := cause.SignedURL
	if p.source == signedurl.SourceCookie {
		cs = cause.SignedCookie
	}
	if b != nil && !b.Signed() {
		// CloudFront checks nothing here: the parameters go on to the
		// origin, where S3 takes them for its own query authentication.
		if p.source == signedurl.SourceURL && b.Origin != nil && b.Origin.Kind == OriginS3REST && b.ForwardsQS && r.Status == 403 {
			v := verdict(cs, cause.DetailSigningParamsToS3, Likely)
			v.add("the matched behavior does not restrict viewer access and forwards the query string to S3", "%s", b.Path)
			v.add("S3 then refuses Signature/Expires as its own query-string authentication", "%s", orDash(r.ContentType))
			return v
		}
		return nil
	}
	if !edgeXML && hasPrefixFold(r.ContentType, "application/xml") && p.source == signedurl.SourceURL && b == nil {
		v := verdict(cs, cause.DetailSigningParamsToS3, Likely)
		v.add("a signed URL answered with S3's application/xml: CloudFront did not check it and S3 refused the parameters", "")
		v.Candidates = []string{string(cause.S3Origin)}
		return v
	}
	var k *behaviorKeys
	if b != nil {
		k = c.keysFor(b)
	}
	sc := c.verifyCache(r, p, k)
	if sc.ok {
		return nil
	}
	v := &Verdict{Cause: cs, Detail: sc.detail, Evidence: sc.evidence, Candidates: sc.candidates}
	where := "query string"
	if p.source == signedurl.SourceCookie {
		where = "cookies"
	}
	v.Evidence = append([]Evidence{ev("signing parameters in the "+where, "Key-Pair-Id %s", orDash(p.keyPairID))}, v.Evidence...)
	proof := edgeXML || (b != nil && b.Signed())
	if edgeXML {
		v.add("text/xml 403: CloudFront's signed URL/cookie error", "%s, %d bytes", r.ContentType, r.ContentLen)
	} else if b != nil {
		v.add("the matched cache behavior requires signed URLs or cookies", "%s", b.Path)
	}
	switch {
	case sc.detail == "":
		v.Confidence = Possible
		if proof {
			v.Confidence = Likely
		}
	case sc.sure && proof:
		v.Confidence = Certain
	case sc.sure, proof:
		v.Confidence = Likely
	default:
		v.Confidence = Possible
	}
	if rewritten && v.Confidence == Certain {
		v.Confidence = Likely
	}
	return v
}

// signedWithoutParams explains an edge-made 403 on a behavior that
// requires signing when the request carried no signing parameter.
func (c *classifier) signedWithoutParams(r *request, b *Behavior) *Verdict {
	v := verdict(cause.SignedURL, cause.DetailMissingKeyPairID, Likely)
	v.add("the matched cache behavior requires signed URLs or cookies and the query string has no signing parameter", "%s", b.Path)
	if !r.CookieLogged {
		v.Confidence = Possible
		v.Candidates = []string{string(cause.SignedCookie)}
		v.add("cookies are not logged, so signed cookies cannot be checked", "")
	}
	return v
}

// protocol explains an HTTP request refused by the viewer protocol policy.
func (c *classifier) protocol(r *request, b *Behavior, page string) *Verdict {
	if b != nil {
		switch b.Viewer {
		case types.ViewerProtocolPolicyHttpsOnly:
			v := verdict(cause.ViewerProtocolHTTPSOnly, "", Certain)
			v.add("an HTTP request to an https-only cache behavior", "%s.ViewerProtocolPolicy is https-only", b.Path)
			return v
		case types.ViewerProtocolPolicyRedirectToHttps:
			if r.Method != "GET" && r.Method != "HEAD" && (r.ProtocolVersion == "HTTP/1.0" || r.ProtocolVersion == "HTTP/0.9") {
				v := verdict(cause.ViewerProtocolHTTPSOnly, cause.DetailRedirectBelowHTTP11, Certain)
				v.add("redirect-to-https refuses methods other than GET and HEAD below HTTP/1.1", "%s %s over HTTP", r.Method, r.ProtocolVersion)
				return v
			}
		}
		return nil
	}
	if page == SentenceBadRequest && r.Detailed != "InvalidRequest" {
		v := verdict(cause.ViewerProtocolHTTPSOnly, "", Likely)
		v.add("an HTTP request answered with CloudFront's \"Bad request.\" page (an https-only behavior; an unknown Host is never logged)", "%d bytes of text/html", r.ContentLen)
		return v
	}
	return nil
}

// getWithBody explains a GET refused for carrying a body (spec §11).
func getWithBody(r *request, page string) *Verdict {
	if r.Method != "GET" {
		return nil
	}
	excess := bodyExcess(r)
	if r.Detailed == "InvalidRequest" {
		v := verdict(cause.GetWithBody, "", Likely)
		v.add("a GET refused with x-edge-detailed-result-type InvalidRequest", "")
		if excess > 0 {
			v.add("cs-bytes exceed what the logged headers account for", "%d bytes, about %d more than the request line and headers", r.CSBytes, excess)
		}
		return v
	}
	if page == SentenceBadRequest && excess > 0 {
		v := verdict(cause.GetWithBody, "", Likely)
		v.add("a GET answered with CloudFront's \"Bad request.\" page", "%d bytes of text/html", r.ContentLen)
		v.add("cs-bytes exceed what the logged headers account for", "%d bytes, about %d more than the request line and headers", r.CSBytes, excess)
		return v
	}
	return nil
}

// bodyExcess estimates how many of cs-bytes the request line and headers
// cannot account for: the logged parts plus a generous allowance for the
// headers CloudFront does not log. Unlogged cookies are the blind spot.
func bodyExcess(r *request) int64 {
	if r.CSBytes < 0 {
		return 0
	}
	est := int64(len(r.Method)+len(r.Path)+len(r.Query)+len(" HTTP/1.1\r\n?")) +
		int64(len(r.HostHeader)+r.UALen+r.RefererLen+len(r.Cookie)) + 64 + 1024
	if !r.CookieLogged {
		est += 2048
	}
	if r.CSBytes > est {
		return r.CSBytes - est
	}
	return 0
}

// originAnswered reports an answer whose content type CloudFront never uses
// for its own errors (text/html pages, text/xml signing errors).
func originAnswered(r *request) bool {
	ct := r.ContentType
	switch {
	case ct == "":
		return false
	case hasPrefixFold(ct, "text/xml"):
		return false
	case hasPrefixFold(ct, "text/html"):
		// Not one of CloudFront's page sizes (and a size is known).
		return r.ContentLen > 0 && edgePage(ct, r.ContentLen) == ""
	}
	return true
}

// originVerdict explains a 403 the origin returned.
func (c *classifier) originVerdict(r *request, d *Dist, b *Behavior) *Verdict {
	var o *Origin
	if b != nil {
		o = b.Origin
	}
	s3xml := hasPrefixFold(r.ContentType, "application/xml")
	if o == nil {
		if s3xml {
			v := verdict(cause.S3Origin, "", Likely)
			v.add("an origin's application/xml 403: S3's error format", "")
			v.Candidates = rankS3(nil, nil)
			return v
		}
		v := verdict(cause.CustomOrigin, "", Likely)
		v.add("the origin answered 403", "")
		v.Candidates = []string{string(cause.S3Origin), string(cause.WAFBlock)}
		return v
	}
	where := fmt.Sprintf("%s (%s)", o.Domain, o.Path)
	switch {
	case o.Kind == OriginS3Website && o.S3Config:
		v := verdict(cause.S3Origin, cause.DetailWebsiteEndpointAsRESTOrigin, Likely)
		v.add("an S3 website endpoint configured as an S3 (REST) origin", "%s", where)
		return v
	case o.Kind == OriginS3Website:
		v := verdict(cause.S3Origin, cause.DetailWebsiteEndpointPrivateObject, Likely)
		v.add("the origin is an S3 website endpoint, which serves only public objects", "%s", where)
		v.Candidates = []string{cause.DetailMissingObjectWithoutList, cause.DetailKMSEncrypted, cause.DetailBucketPolicyDeny,
			cause.DetailObjectOwnedByOtherAccount, cause.DetailRequesterPays}
		return v
	case o.Kind == OriginS3REST && !o.S3Config:
		v := verdict(cause.S3Origin, cause.DetailRESTEndpointAsCustomOrigin, Likely)
		v.add("an S3 REST endpoint configured as a custom origin: requests reach S3 unsigned", "%s", where)
		return v
	case o.Kind == OriginS3REST:
		if b.ForwardsHost {
			v := verdict(cause.S3Origin, cause.DetailHostHeaderForwarded, Likely)
			v.add("the viewer's Host header is forwarded to S3, which then looks for a bucket of that name", "%s", b.HostVia)
			return v
		}
		if r.DecodedPath == "/" && d != nil && d.DefaultRootObject == "" {
			v := verdict(cause.S3Origin, cause.DetailNoDefaultRootObject, Likely)
			v.add("a request for / with no DefaultRootObject: S3 gets a bucket-listing request", "%s.DefaultRootObject is empty", d.Path)
			return v
		}
		if !o.HasOriginAccess() {
			v := verdict(cause.S3Origin, cause.DetailNoOriginAccess, Likely)
			v.add("an S3 REST origin without origin access control or identity: requests reach S3 anonymous", "%s", where)
			v.Candidates = []string{cause.DetailMissingObjectWithoutList, cause.DetailBucketPolicyDeny}
			return v
		}
		v := verdict(cause.S3Origin, "", Likely)
		access := "OAC " + o.OAC
		if o.OAC == "" {
			access = "OAI " + o.OAI
		}
		v.add("S3 refused the request signed with the origin's access", "%s, %s", where, access)
		v.Candidates = rankS3(o, nil) // ranked again with the distribution's statistics at the end
		return v
	}
	v := verdict(cause.CustomOrigin, "", Likely)
	v.add("the custom origin answered 403", "%s", where)
	return v
}

// rankS3 orders the S3 causes the logs cannot tell apart. If the origin
// serves other objects, its access works and a missing object (which S3
// reports as 403 without s3:ListBucket) is the usual culprit; if not, the
// bucket policy is. An origin without origin access that serves objects
// reads a public bucket: a missing object first again, then an object the
// public policy leaves out.
func rankS3(o *Origin, st *distStats) []string {
	if o != nil && !o.HasOriginAccess() {
		// Only with successful fetches (reranked): the bucket is public.
		return []string{cause.DetailMissingObjectWithoutList, cause.DetailNoOriginAccess, cause.DetailBucketPolicyDeny,
			cause.DetailKMSEncrypted, cause.DetailObjectOwnedByOtherAccount}
	}
	if o != nil && o.OAI != "" && o.OAC == "" {
		return []string{cause.DetailOriginAccessNotInBucketPolicy, cause.DetailMissingObjectWithoutList,
			cause.DetailKMSEncrypted, cause.DetailBucketPolicyDeny, cause.DetailObjectOwnedByOtherAccount, cause.DetailRequesterPays}
	}
	if st != nil && st.okMiss > 0 {
		return []string{cause.DetailMissingObjectWithoutList, cause.DetailBucketPolicyDeny, cause.DetailKMSEncrypted,
			cause.DetailObjectOwnedByOtherAccount, cause.DetailOriginAccessNotInBucketPolicy, cause.DetailRequesterPays}
	}
	return []string{cause.DetailOriginAccessNotInBucketPolicy, cause.DetailMissingObjectWithoutList, cause.DetailBucketPolicyDeny,
		cause.DetailKMSEncrypted, cause.DetailObjectOwnedByOtherAccount, cause.DetailRequesterPays}
}

// customErrorResponse explains an error whose status a custom error
// response rewrote, when nothing names the original cause.
func (c *classifier) customErrorResponse(r *request, d *Dist, b *Behavior) classification {
	out := classification{dist: d, beh: b}
	detail := cause.DetailMaskedOther
	if r.Status == 200 {
		detail = cause.DetailMaskedAs200
	}
	if d == nil {
		if r.Status != 200 {
			return out // without the configuration, a rewritten 404 is as likely
		}
		v := verdict(cause.CustomErrorResponse, detail, Possible)
		v.add("a 200 whose x-edge-result-type is Error: a custom error response served a page for an error", "")
		v.Candidates = []string{"a 404 rewritten the same way"}
		out.Verdict = *v
		return out
	}
	er := d.ErrorResponses[403]
	if er == nil || er.ResponseCode != r.Status {
		return out // not a rewritten 403
	}
	v := verdict(cause.CustomErrorResponse, detail, Likely)
	v.add("CustomErrorResponses rewrites 403", "%s: 403 → %d %s", er.Path, er.ResponseCode, er.PagePath)
	for code, other := range d.ErrorResponses {
		if code != 403 && other.ResponseCode == r.Status {
			v.Confidence = Possible
			v.Candidates = append(v.Candidates, fmt.Sprintf("a %d rewritten the same way", code))
		}
	}
	v.add("x-edge-result-type Error with sc-status", "%d", r.Status)
	out.Verdict = *v
	return out
}

// unknown lists everything known about a 403 no rule explains.
func (c *classifier) unknown(r *request, d *Dist, b *Behavior) *Verdict {
	v := verdict(cause.Unknown, "", Possible)
	v.add("fields", "status %d, result %s/%s/%s, content %s %d bytes, protocol %s", r.Status,
		orDash(r.Result), orDash(r.RespResult), orDash(r.Detailed), orDash(r.ContentType), r.ContentLen, orDash(r.Protocol))
	v.Candidates = []string{string(cause.WAFBlock), string(cause.S3Origin), string(cause.CustomOrigin), string(cause.SignedCookie)}
	if r.Method == "GET" && bodyExcess(r) > 0 {
		v.Candidates = append([]string{string(cause.GetWithBody)}, v.Candidates...)
	}
	if d == nil {
		v.add("no configuration for this distribution: give --config to check behaviors and origins", "")
	}
	return v
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// reranked reports an S3 refusal the distribution's statistics rank at the
// end of a run: one with origin access and no detail, or a no-origin-access
// one from an origin that served other objects without access (a public
// bucket, where a 403 is rather a missing key). The statistics are the
// distribution's, so the second needs the distribution's only origin.
func reranked(c cause.Cause, detail string, b *Behavior, st *distStats) bool {
	if c != cause.S3Origin || b == nil || b.Origin == nil {
		return false
	}
	if b.Origin.HasOriginAccess() {
		return detail == ""
	}
	return detail == cause.DetailNoOriginAccess && b.Origin.Sole && st != nil && st.okMiss > 0
}
