package doctor

import (
	"crypto"
	"fmt"
	"hash/maphash"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/openfront-edge/openfront/internal/cause"
	"github.com/openfront-edge/openfront/internal/signedurl"
)

// classification is a request's verdict, or — when only its timing can
// tell an edge-made answer from an origin's — three verdicts that the end
// of the run picks from, once the distribution's own timings are known.
type classification struct {
	Verdict
	dist *Dist
	beh  *Behavior
	// pending: ifNone applies when no origin round trip happened, ifOrigin
	// when one did, ifUnclear when timing cannot say.
	pending                     bool
	ifNone, ifOrigin, ifUnclear *Verdict
}

// classifier turns requests into verdicts. It is shared by the workers
// and safe for concurrent use.
type classifier struct {
	model *Model
	waf   *WAFIndex

	mu   sync.Mutex
	keys map[*Behavior]*behaviorKeys
	// sigCache remembers signature failures, which do not depend on the
	// request's time: a log repeats a broken signed URL (every Range GET
	// of a video), and each costs up to four RSA verifications.
	sigMu    sync.Mutex
	sigCache map[uint64]signCheck
	sigSeed  maphash.Seed
}

// behaviorKeys are the signers a behavior trusts.
type behaviorKeys struct {
	trusted  []string // key ids; nil when unknown (a key group not loaded, or legacy signers)
	keys     map[string]crypto.PublicKey
	verifier *signedurl.Verifier // nil without keys
}

const maxSigCache = 1 << 16

// verifyCache caches the time-independent results of checkSigning.
func (c *classifier) verifyCache(r *request, p signingParams, k *behaviorKeys) signCheck {
	if k == nil || k.verifier == nil {
		return checkSigning(r, p, nil, k.trustedOrNil(), nil)
	}
	var h maphash.Hash
	c.sigMu.Lock()
	if c.sigCache == nil {
		c.sigCache, c.sigSeed = map[uint64]signCheck{}, maphash.MakeSeed()
	}
	h.SetSeed(c.sigSeed)
	c.sigMu.Unlock()
	for _, s := range [...]string{r.Protocol, r.HostHeader, r.Path, r.Query, r.Cookie, r.Method} {
		h.WriteString(s)
		h.WriteByte(0)
	}
	h.WriteString(fmt.Sprintf("%p", k))
	key := h.Sum64()
	c.sigMu.Lock()
	sc, ok := c.sigCache[key]
	c.sigMu.Unlock()
	if ok {
		return sc
	}
	sc = checkSigning(r, p, k.keys, k.trusted, k.verifier)
	switch sc.detail {
	case cause.DetailBadSignature, cause.DetailQueryAddedAfterSigning, signedurl.DetailWrongHashAlgorithm,
		cause.DetailUnknownKey, cause.DetailMalformedSignature, cause.DetailMalformedPolicy:
		c.sigMu.Lock()
		if len(c.sigCache) >= maxSigCache {
			clear(c.sigCache)
		}
		c.sigCache[key] = sc
		c.sigMu.Unlock()
	}
	return sc
}

func (k *behaviorKeys) trustedOrNil() []string {
	if k == nil {
		return nil
	}
	return k.trusted
}

// sigSuccesses is shared by every verifier: signatures that verified.
var sigSuccesses = signedurl.NewCache(65536)

func (c *classifier) keysFor(b *Behavior) *behaviorKeys {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.keys[b]; ok {
		return k
	}
	k := &behaviorKeys{keys: map[string]crypto.PublicKey{}}
	ids, missing := c.model.KeyIDs(b)
	if len(missing) == 0 && len(b.Signers) == 0 {
		k.trusted = append([]string{}, ids...)
	}
	for _, id := range ids {
		pk := c.model.Set.PublicKeys[id]
		if pk == nil || pk.Config == nil {
			continue
		}
		if key, err := signedurl.ParsePublicKey(deref(pk.Config.EncodedKey)); err == nil {
			k.keys[id] = key
		}
	}
	if len(k.keys) > 0 {
		k.verifier = signedurl.NewVerifier(k.keys, sigSuccesses)
	}
	if c.keys == nil {
		c.keys = map[*Behavior]*behaviorKeys{}
	}
	c.keys[b] = k
	return k
}

func verdict(c cause.Cause, detail string, conf Confidence) *Verdict {
	return &Verdict{Cause: c, Detail: detail, Confidence: conf}
}

// classify explains one 4xx/5xx line, or a line whose status a custom
// error response may have rewritten. A zero Cause means the line is not a
// refusal (a 404, an origin's 5xx …).
func (c *classifier) classify(r *request) classification {
	var out classification
	set := func(v *Verdict) classification {
		out.Verdict = *v
		return out
	}
	if r.Unrouted {
		v, d := c.unrouted(r)
		out.dist = d
		return set(v)
	}

	// AWS WAF runs first (spec §12), and its log names the rule.
	if hit, ok := c.waf.Lookup(r.RequestID); ok {
		v := verdict(cause.WAFBlock, hit.Detail(), Certain)
		v.add("AWS WAF log record with the same request id", "action %s, rule %s (%s)", hit.Action, hit.RuleID, hit.RuleType)
		if hit.Rate != "" {
			v.add("rate-based rule", "%s", hit.Rate)
		}
		if r.Country == "" {
			r.Country = hit.Country
		}
		c.masked(r, v)
		out.dist = c.model.Route(r.DistKey, r.Host, r.HostHeader)
		return set(v)
	}

	d := c.model.Route(r.DistKey, r.Host, r.HostHeader)
	var b *Behavior
	if d != nil {
		if r.PathPattern != "" {
			b = d.BehaviorByPattern(r.PathPattern)
		}
		if b == nil {
			b = d.Behavior(r.DecodedPath)
		}
	}
	out.dist, out.beh = d, b

	switch r.Detailed {
	case "ClientGeoBlocked":
		v := verdict(cause.GeoRestriction, "", Certain)
		v.add("x-edge-detailed-result-type is ClientGeoBlocked", "")
		c.geoDetail(r, d, v)
		c.masked(r, v)
		return set(v)
	case "InvalidRequestMethod":
		v := verdict(cause.MethodNotAllowed, r.Method, Certain)
		v.add("x-edge-detailed-result-type is InvalidRequestMethod", "%s", r.Method)
		if b != nil {
			v.add("the matched cache behavior's AllowedMethods", "%s allows %s", b.Path, b.Methods)
		}
		c.masked(r, v)
		return set(v)
	}
	if isFunctionResult(r) {
		v := verdict(cause.Unknown, cause.DetailEdgeFunction, Likely)
		v.add("a CloudFront Function or Lambda@Edge generated the answer", "result type %s/%s", r.Result, r.Detailed)
		if b != nil && b.Raw != nil && b.Raw.FunctionAssociations != nil {
			for i, a := range b.Raw.FunctionAssociations.Items {
				if a.EventType == types.EventTypeViewerRequest {
					v.Confidence = Certain
					v.add("the matched cache behavior's viewer-request function", "%s (%s.FunctionAssociations.Items[%d]); try it with aws cloudfront test-function",
						deref(a.FunctionARN), b.Path, i)
				}
			}
		}
		v.Candidates = []string{"a viewer-request function returning 403"}
		return set(v)
	}

	status := r.Status
	edgeXML := hasPrefixFold(r.ContentType, "text/xml")
	page := edgePage(r.ContentType, r.ContentLen)
	rewritten := status != 403 && r.Result == "Error" && (r.RespResult == "" || r.RespResult == "Error") && !clientSide(r.Detailed)
	if status != 403 && !rewritten {
		// Not a refusal: an origin's 404, a 5xx, a viewer that hung up.
		// The edge's own 400/414 refusals are the exception.
		if (status == 400 || status == 414) && strings.HasPrefix(r.Detailed, "InvalidRequest") {
			return set(invalidRequest(r))
		}
		if status == 405 && page == SentenceWAF {
			v := verdict(cause.WAFBlock, "", Likely)
			v.add("CloudFront's \"Request blocked.\" page", "%d bytes of text/html", r.ContentLen)
			return set(v)
		}
		return out
	}

	// Signed URLs and cookies.
	sp, signedReq := findSigning(r.Query, r.Cookie)
	if v := c.signing(r, d, b, sp, signedReq, edgeXML, rewritten); v != nil {
		c.masked(r, v)
		return set(v)
	}

	if rewritten {
		return c.customErrorResponse(r, d, b)
	}

	// Viewer protocol policy (spec §6).
	if r.Protocol == "http" || r.Protocol == "ws" {
		if v := c.protocol(r, b, page); v != nil {
			return set(v)
		}
	}
	// GET with a body (spec §11).
	if v := getWithBody(r, page); v != nil {
		return set(v)
	}
	// Without a detailed result type (v2 logs with a subset of fields),
	// the configuration still tells methods and geo.
	if r.Detailed == "" && b != nil && !b.Methods.Allows(r.Method) {
		v := verdict(cause.MethodNotAllowed, r.Method, Likely)
		v.add("the matched cache behavior does not allow the method", "%s allows %s, request used %s", b.Path, b.Methods, r.Method)
		return set(v)
	}
	if r.Detailed == "" && d != nil && r.Country != "" && geoBlocks(d.Geo, r.Country) {
		v := verdict(cause.GeoRestriction, "", Likely)
		v.add("the distribution's geo restriction refuses the viewer's country", "c-country %s", r.Country)
		c.geoDetail(r, d, v)
		return set(v)
	}

	// CloudFront's own pages, recognised by size.
	switch page {
	case SentenceWAF:
		v := verdict(cause.WAFBlock, "", Likely)
		v.add("CloudFront's \"Request blocked.\" page (AWS WAF's default block)", "%d bytes of text/html", r.ContentLen)
		if d != nil && d.WebACLID == "" {
			v.Confidence = Possible
			v.add("but the configuration names no web ACL", "%s.WebACLId is empty", d.Path)
		}
		v.Candidates = []string{"give --waf-logs to name the rule"}
		return set(v)
	case SentenceGeo:
		v := verdict(cause.GeoRestriction, "", Likely)
		v.add("CloudFront's geo-restriction page", "%d bytes of text/html", r.ContentLen)
		c.geoDetail(r, d, v)
		return set(v)
	case SentenceMethod:
		v := verdict(cause.MethodNotAllowed, r.Method, Likely)
		v.add("CloudFront's method-not-allowed page", "%d bytes of text/html", r.ContentLen)
		return set(v)
	}
	if edgeXML {
		// CloudFront's signing XML, with no signing parameter in the URL
		// (and none in the cookies, when they are logged).
		v := verdict(cause.SignedURL, cause.DetailMissingKeyPairID, Likely)
		v.add("text/xml 403: CloudFront's signed URL/cookie error (S3 answers application/xml)", "%s, %d bytes", r.ContentType, r.ContentLen)
		v.add("no signing parameter in the query string", "")
		if !r.CookieLogged {
			v.Candidates = []string{string(cause.SignedCookie)}
			v.add("cookies are not logged, so signed cookies cannot be checked", "")
		}
		return set(v)
	}

	// What is left: an origin's 403, or an edge answer the fields do not
	// name (WAF without a WAF log, a cached error). The content type says
	// which when there is one; otherwise timing decides.
	origin := c.originVerdict(r, d, b)
	if originAnswered(r) {
		if hasPrefixFold(r.ContentType, "text/html") {
			// CloudFront's own pages are text/html too, but of known sizes.
			origin.add("a text/html answer that is none of CloudFront's own pages (their sizes are known); a WAF custom response or a custom error page would look the same", "%s, %d bytes", r.ContentType, r.ContentLen)
		} else {
			origin.add("the answer's content type is not one CloudFront makes", "%s", orDash(r.ContentType))
		}
		return set(origin)
	}
	edge := verdict(cause.WAFBlock, "", Possible)
	edge.Candidates = []string{"a cached origin 403", string(cause.SignedCookie)}
	edge.add("a 403 with x-edge-detailed-result-type Error and no origin round trip: AWS WAF, or a cached error", "")
	if d != nil && d.WebACLID == "" {
		edge = verdict(cause.Unknown, "", Possible)
		edge.add("no origin round trip, and the configuration names no web ACL", "")
		edge.Candidates = []string{"a cached origin 403", string(cause.SignedCookie), string(cause.WAFBlock)}
	}
	if b != nil && b.Signed() {
		edge = c.signedWithoutParams(r, b)
	}
	unclear := c.unknown(r, d, b)
	out.pending = true
	out.ifNone, out.ifOrigin, out.ifUnclear = edge, origin, unclear
	out.Verdict = *unclear
	return out
}
