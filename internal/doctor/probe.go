package doctor

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openfront-edge/openfront/internal/cause"
	"github.com/openfront-edge/openfront/internal/hostroute"
	"github.com/openfront-edge/openfront/internal/origin"
	"github.com/openfront-edge/openfront/internal/signedurl"
)

// ProbeOptions configure ProbeURL.
type ProbeOptions struct {
	URL     string
	Method  string   // default GET
	Headers []string // "Name: value"
	// Resolve maps HOST:PORT to an address, as curl's --resolve
	// (HOST:PORT:ADDR) or --connect-to (HOST:PORT:ADDR:PORT2).
	Resolve []string
	CACert  string // PEM file of extra trusted CAs (the edge's local CA)
	Model   *Model
	Timeout time.Duration // per request; default 10 s
	// Transport, when set, replaces the HTTP transport (tests).
	Transport http.RoundTripper
	Now       func() time.Time
	// S3Endpoint, S3WebsiteEndpoint and S3Buckets are where S3 origins
	// are, as the edge's flags of the same names: the origin probe goes
	// there instead of AWS.
	S3Endpoint, S3WebsiteEndpoint *origin.Endpoint
	S3Buckets                     map[string]*origin.Endpoint
	// OriginCredentials, when set, sign the probes of S3 origins with
	// origin access as this edge signs them (SigV4, SigningBehavior
	// always); otherwise they go anonymous.
	OriginCredentials aws.CredentialsProvider
}

// Answer is what one request got back.
type Answer struct {
	Name        string `json:"name"`
	Purpose     string `json:"purpose,omitempty"`
	Method      string `json:"method"`
	URL         string `json:"url"`
	Host        string `json:"host"`
	Status      int    `json:"status"`
	Server      string `json:"server"`
	XCache      string `json:"x_cache"`
	Pop         string `json:"x_amz_cf_pop"`
	RequestID   string `json:"x_amz_cf_id"`
	ContentType string `json:"content_type"`
	// Shape is the body's kind: cloudfront-page, cloudfront-signing-xml,
	// s3-xml, s3-website-html, other, empty.
	Shape    string `json:"body_shape"`
	Sentence string `json:"cause_sentence,omitempty"`
	Code     string `json:"xml_code,omitempty"`
	Message  string `json:"xml_message,omitempty"`
	Error    string `json:"error,omitempty"`
	// Signed is set on origin probes signed like the edge's origin
	// requests (the signature itself is never shown).
	Signed bool `json:"signed,omitempty"`
}

// Body shapes.
const (
	ShapeCloudFrontPage = "cloudfront-page"
	ShapeSigningXML     = "cloudfront-signing-xml"
	ShapeS3XML          = "s3-xml"
	ShapeS3Website      = "s3-website-html"
	ShapeOther          = "other"
	ShapeEmpty          = "empty"
)

// ProbeReport is the result of ProbeURL.
type ProbeReport struct {
	Response Answer      `json:"response"`
	Probes   []Answer    `json:"probes"`
	Finding  *URLFinding `json:"finding"`
}

// URLFinding is the diagnosis of a probed URL.
type URLFinding struct {
	Cause      string   `json:"cause"`
	Detail     string   `json:"detail"`
	Confidence string   `json:"confidence"`
	Candidates []string `json:"candidates"`
	Evidence   []string `json:"evidence"`
	Fix        Fix      `json:"fix"`
}

// ErrProbe marks a request that could not be made at all.
var ErrProbe = errors.New("request failed")

type prober struct {
	o      ProbeOptions
	client *http.Client
	hdr    http.Header
	host   string // Host sent
}

// ProbeURL requests the URL, reads what answered, and runs the follow-up
// requests that separate causes.
func ProbeURL(ctx context.Context, o ProbeOptions) (*ProbeReport, error) {
	if o.Method == "" {
		o.Method = http.MethodGet
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	u, err := url.Parse(o.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http:// or https:// URL", o.URL)
	}
	p := &prober{o: o, hdr: http.Header{}}
	for _, h := range o.Headers {
		k, v, ok := strings.Cut(h, ":")
		if !ok {
			return nil, fmt.Errorf("header %q: want \"Name: value\"", h)
		}
		p.hdr.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	p.host = u.Host
	if h := p.hdr.Get("Host"); h != "" {
		p.host = h
		p.hdr.Del("Host")
	}
	if p.client, err = p.newClient(); err != nil {
		return nil, err
	}
	rep := &ProbeReport{Probes: []Answer{}}
	rep.Response = p.do(ctx, "request", "", o.Method, u, p.host)
	if rep.Response.Error != "" {
		return rep, fmt.Errorf("%w: %s", ErrProbe, rep.Response.Error)
	}
	v := p.diagnose(ctx, u, rep)
	if v != nil {
		f := &URLFinding{Cause: string(v.Cause), Detail: v.Detail, Confidence: string(v.Confidence),
			Candidates: append([]string{}, v.Candidates...), Evidence: []string{}}
		for _, e := range v.Evidence {
			f.Evidence = append(f.Evidence, e.String())
		}
		d := o.Model.RouteHost(p.host)
		x := &fixContext{dist: d, host: hostOnly(p.host), method: o.Method}
		if d != nil {
			x.beh = d.Behavior(u.EscapedPath())
		}
		f.Fix = fixFor(v.Cause, v.Detail, x)
		rep.Finding = f
	}
	return rep, nil
}

func hostOnly(h string) string {
	if n, ok := hostroute.Normalize(h); ok {
		return n
	}
	return h
}

func (p *prober) newClient() (*http.Client, error) {
	if p.o.Transport != nil {
		return &http.Client{Transport: p.o.Transport, Timeout: p.o.Timeout, CheckRedirect: noRedirect}, nil
	}
	resolve := map[string]string{}
	for _, r := range p.o.Resolve {
		host, rest, ok := strings.Cut(r, ":")
		port, addr, ok2 := strings.Cut(rest, ":")
		if !ok || !ok2 || host == "" || port == "" || addr == "" {
			return nil, fmt.Errorf("--resolve %q: want HOST:PORT:ADDR or HOST:PORT:ADDR:PORT2", r)
		}
		if h, pt, err := net.SplitHostPort(addr); err == nil && !strings.Contains(pt, ":") {
			addr = net.JoinHostPort(strings.Trim(h, "[]"), pt)
		} else {
			addr = net.JoinHostPort(strings.Trim(addr, "[]"), port)
		}
		resolve[strings.ToLower(host)+":"+port] = addr
	}
	tc := &tls.Config{}
	if p.o.CACert != "" {
		pem, err := os.ReadFile(p.o.CACert)
		if err != nil {
			return nil, fmt.Errorf("--cacert: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--cacert %s: no PEM certificate", p.o.CACert)
		}
		tc.RootCAs = pool
	}
	dialer := &net.Dialer{Timeout: p.o.Timeout}
	tr := &http.Transport{
		TLSClientConfig:   tc,
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if to, ok := resolve[strings.ToLower(addr)]; ok {
				addr = to
			}
			return dialer.DialContext(ctx, network, addr)
		},
	}
	return &http.Client{Transport: tr, Timeout: p.o.Timeout, CheckRedirect: noRedirect}, nil
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// probeOpt changes one probe: headers added, or signed for an S3 origin.
type probeOpt struct {
	header http.Header
	sign   *origin.Signer
}

// probeFunc sends one follow-up request and records it in the report.
type probeFunc func(name, purpose, method string, u *url.URL, host string, opts ...probeOpt) *Answer

// do sends one request and reads the answer's shape.
func (p *prober) do(ctx context.Context, name, purpose, method string, u *url.URL, host string, opts ...probeOpt) Answer {
	a := Answer{Name: name, Purpose: purpose, Method: method, URL: u.String(), Host: host}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		a.Error = err.Error()
		return a
	}
	req.Header = p.hdr.Clone()
	req.Host = host
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "openfront-doctor")
	}
	for _, o := range opts {
		for k, vs := range o.header {
			req.Header[k] = vs
		}
		if o.sign != nil {
			if req, err = o.sign.Sign(req); err != nil {
				a.Error = err.Error() // the SDK's message: names a source, never a secret
				return a
			}
			a.Signed = true
		}
	}
	resp, err := p.client.Do(req)
	if err != nil {
		a.Error = err.Error()
		return a
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	a.Status = resp.StatusCode
	a.Server, a.XCache = resp.Header.Get("Server"), resp.Header.Get("X-Cache")
	a.Pop, a.RequestID = resp.Header.Get("X-Amz-Cf-Pop"), resp.Header.Get("X-Amz-Cf-Id")
	a.ContentType = resp.Header.Get("Content-Type")
	a.Shape, a.Sentence, a.Code, a.Message = bodyShape(a.ContentType, a.Server, body)
	return a
}

var (
	rePageSentence = regexp.MustCompile(`(?s)<H2>The request could not be satisfied\.</H2>\s*<HR noshade size="1px">\s*(.*?)\s*(?:\n|<BR)`)
	reXMLCode      = regexp.MustCompile(`<Code>([^<]*)</Code>`)
	reXMLMessage   = regexp.MustCompile(`<Message>([^<]*)</Message>`)
	reWebsiteCode  = regexp.MustCompile(`<li>Code: ([^<]*)</li>\s*<li>Message: ([^<]*)</li>`)
)

// bodyShape tells CloudFront's page, CloudFront's signing XML (text/xml,
// "Access denied" in lower case, no RequestId), S3's XML (RequestId and
// HostId) and S3's website HTML apart (spec §1, §8.1, §8.3, §9).
func bodyShape(ct, server string, body []byte) (shape, sentence, code, message string) {
	s := string(body)
	if len(body) == 0 {
		return ShapeEmpty, "", "", ""
	}
	if m := rePageSentence.FindStringSubmatch(s); m != nil && strings.Contains(s, "Generated by cloudfront (CloudFront)") {
		return ShapeCloudFrontPage, strings.TrimSpace(m[1]), "", ""
	}
	if strings.Contains(s, "<Error>") {
		if m := reXMLCode.FindStringSubmatch(s); m != nil {
			code = m[1]
		}
		if m := reXMLMessage.FindStringSubmatch(s); m != nil {
			message = m[1]
		}
		if strings.Contains(s, "<RequestId>") || strings.Contains(s, "<HostId>") || strings.EqualFold(server, "AmazonS3") {
			return ShapeS3XML, "", code, message
		}
		if hasPrefixFold(ct, "text/xml") {
			return ShapeSigningXML, "", code, message
		}
		return ShapeOther, "", code, message
	}
	if m := reWebsiteCode.FindStringSubmatch(s); m != nil {
		return ShapeS3Website, "", m[1], m[2]
	}
	return ShapeOther, "", "", ""
}

// edgeMade reports an answer CloudFront wrote itself (Server: CloudFront).
func edgeMade(a *Answer) bool { return strings.EqualFold(a.Server, "CloudFront") }

func (p *prober) diagnose(ctx context.Context, u *url.URL, rep *ProbeReport) *Verdict {
	a := &rep.Response
	probe := func(name, purpose, method string, pu *url.URL, host string, opts ...probeOpt) *Answer {
		rep.Probes = append(rep.Probes, p.do(ctx, name, purpose, method, pu, host, opts...))
		return &rep.Probes[len(rep.Probes)-1]
	}
	base := func(v *Verdict) *Verdict {
		v.Evidence = append([]Evidence{ev("answer", "%d, Server %s, X-Cache %s, %s", a.Status, orDash(a.Server), orDash(a.XCache), a.Shape)}, v.Evidence...)
		return v
	}
	m := p.o.Model
	d := m.RouteHost(p.host)
	var b *Behavior
	if d != nil {
		b = d.Behavior(u.Path)
	}
	if a.Status < 400 {
		if a.Status < 300 && strings.HasPrefix(a.XCache, "Error") {
			v := verdict(cause.CustomErrorResponse, cause.DetailMaskedAs200, Likely)
			v.add("a success status with X-Cache \"Error from cloudfront\": a custom error response served a page for an error", "")
			if d != nil {
				if er := d.ErrorResponses[403]; er != nil && er.ResponseCode == a.Status {
					v.add("CustomErrorResponses rewrites 403", "%s: 403 → %d %s", er.Path, er.ResponseCode, er.PagePath)
				} else {
					v.Confidence = Possible
					v.Candidates = []string{"another error code rewritten the same way"}
				}
			}
			return base(v)
		}
		return nil
	}
	switch a.Shape {
	case ShapeCloudFrontPage:
		return base(p.cloudFrontPage(ctx, u, a, d, b, probe))
	case ShapeSigningXML:
		return base(p.signingXML(u, a, b))
	case ShapeS3XML, ShapeS3Website:
		return base(p.s3Answer(ctx, u, a, d, b, probe))
	}
	if a.Status != 403 {
		return nil
	}
	if edgeMade(a) {
		v := verdict(cause.Unknown, "", Possible)
		v.add("CloudFront answered itself, in no format the doctor knows", "%s", orDash(a.ContentType))
		v.Candidates = []string{string(cause.WAFBlock) + " (a custom response body)", cause.DetailEdgeFunction}
		if strings.Contains(a.XCache, "FunctionGenerated") || strings.Contains(a.XCache, "LambdaGenerated") {
			v = verdict(cause.Unknown, cause.DetailEdgeFunction, Certain)
			v.add("X-Cache says an edge function generated the answer", "%s", a.XCache)
		}
		return base(v)
	}
	v := verdict(cause.CustomOrigin, "", Likely)
	v.add("the origin's own answer passed through (Server is not CloudFront)", "Server %s", orDash(a.Server))
	if o := originOf(b); o != nil {
		if o.Kind != OriginCustom {
			v.Cause = cause.S3Origin
		}
		if r := p.probeOrigin(ctx, u, p.originTarget(o, u.Scheme), probe); r != nil && r.Status == 403 && !edgeMade(r) {
			v.Confidence = Certain
			v.add("the origin refuses the same request directly", "%s → %d", r.URL, r.Status)
		}
	}
	return base(v)
}

func originOf(b *Behavior) *Origin {
	if b == nil {
		return nil
	}
	return b.Origin
}

func (p *prober) cloudFrontPage(ctx context.Context, u *url.URL, a *Answer, d *Dist, b *Behavior, probe probeFunc) *Verdict {
	switch a.Sentence {
	case SentenceGeo:
		v := verdict(cause.GeoRestriction, "", Certain)
		v.add("CloudFront's geo-restriction page", "%q", a.Sentence)
		return v
	case SentenceWAF:
		v := verdict(cause.WAFBlock, "", Certain)
		v.add("CloudFront's page for an AWS WAF block", "%q", a.Sentence)
		if a.RequestID != "" {
			v.add("the WAF log record with this request id names the rule", "httpRequest.requestId %s", a.RequestID)
		}
		return v
	case SentenceMethod:
		v := verdict(cause.MethodNotAllowed, p.o.Method, Certain)
		v.add("CloudFront's method-not-allowed page", "%s", p.o.Method)
		other := http.MethodGet
		if p.o.Method == http.MethodGet {
			other = http.MethodHead
		}
		if r := probe("method", "another method on the same URL", other, u, p.host); r.Error == "" && r.Sentence != SentenceMethod {
			v.add("another method is accepted", "%s → %d", other, r.Status)
		}
		return v
	case SentenceBadRequest:
	default:
		v := verdict(cause.Unknown, "", Possible)
		v.add("a CloudFront page with an unknown cause sentence", "%q", a.Sentence)
		return v
	}
	// "Bad request.": an unknown Host, a disabled distribution, an HTTP
	// request to an https-only behavior, or a GET with a body (spec §1.2).
	other := *u
	if u.Scheme == "http" {
		other.Scheme = "https"
	} else {
		other.Scheme = "http"
	}
	if other.Port() == "80" || other.Port() == "443" {
		other.Host = other.Hostname()
	}
	swapped := probe("scheme", "the same URL over "+strings.ToUpper(other.Scheme), p.o.Method, &other, p.host)
	if u.Scheme == "http" && swapped.Error == "" && swapped.Sentence != SentenceBadRequest {
		v := verdict(cause.ViewerProtocolHTTPSOnly, "", Certain)
		v.add("over HTTP: \"Bad request.\"; over HTTPS the same request gets another answer", "HTTPS → %d", swapped.Status)
		if b != nil && b.Viewer == "redirect-to-https" {
			v.Detail = cause.DetailRedirectBelowHTTP11
		}
		return v
	}
	if d != nil {
		if !d.Enabled {
			v := verdict(cause.DistributionDisabled, "", Certain)
			v.add("the Host routes to a disabled distribution", "%s → %s", p.host, d.ID)
			return v
		}
		if b != nil && b.Viewer == "https-only" && u.Scheme == "http" {
			v := verdict(cause.ViewerProtocolHTTPSOnly, "", Certain)
			v.add("an HTTP request to an https-only cache behavior", "%s", b.Path)
			return v
		}
	}
	if d == nil && p.o.Model != nil && len(p.o.Model.Dists) > 0 {
		v := verdict(cause.AliasNotConfigured, "", Certain)
		v.add("no distribution in the configuration answers for the Host", "%s", p.host)
		return v
	}
	if d != nil {
		dom := d.Domain
		if dom == "" {
			dom = d.DefaultDomain
		}
		if r := probe("default-domain", "the same path on the distribution's own domain", p.o.Method, u, dom); r.Error == "" {
			if r.Sentence == SentenceBadRequest {
				v := verdict(cause.DistributionDisabled, "", Likely)
				v.add("its own domain is refused the same way: the distribution does not serve", "%s → \"Bad request.\"", dom)
				return v
			}
			v := verdict(cause.AliasNotConfigured, "", Likely)
			v.add("the distribution answers on its own domain but not for this Host", "%s → %d", dom, r.Status)
			return v
		}
	}
	v := verdict(cause.AliasNotConfigured, "", Likely)
	v.add("CloudFront's \"Bad request.\" page over both schemes: no distribution serves this Host", "")
	v.Candidates = []string{string(cause.DistributionDisabled), string(cause.GetWithBody)}
	return v
}

// signingXML explains CloudFront's signed URL/cookie error (spec §1.3).
func (p *prober) signingXML(u *url.URL, a *Answer, b *Behavior) *Verdict {
	r := &request{Method: p.o.Method, HostHeader: p.host, Path: u.EscapedPath(), Query: u.RawQuery,
		Cookie: strings.Join(p.hdr.Values("Cookie"), "; "), CookieLogged: true, Protocol: u.Scheme, Time: p.o.Now().UTC(), TimeTakenMs: -1}
	sp, found := findSigning(r.Query, r.Cookie)
	cs := cause.SignedURL
	if found && sp.source == "cookie" {
		cs = cause.SignedCookie
	}
	v := verdict(cs, "", Likely)
	v.add("CloudFront's signing error", "%s: %s", a.Code, a.Message)
	switch a.Code {
	case "MissingKey":
		v.Detail, v.Confidence = cause.DetailMissingKeyPairID, Certain
		return v
	case "InvalidKey":
		v.Detail, v.Confidence = cause.DetailUnknownKey, Certain
		return v
	case "MalformedSignature":
		v.Detail, v.Confidence = cause.DetailMalformedSignature, Certain
		return v
	case "MalformedPolicy":
		v.Detail, v.Confidence = cause.DetailMalformedPolicy, Certain
		return v
	}
	if !found {
		return v
	}
	var keys map[string]crypto.PublicKey
	var trusted []string
	var verifier *signedurl.Verifier
	if b != nil && p.o.Model != nil {
		k := (&classifier{model: p.o.Model}).keysFor(b)
		keys, trusted, verifier = k.keys, k.trusted, k.verifier
	}
	sc := checkSigning(r, sp, keys, trusted, verifier)
	v.Detail, v.Candidates = sc.detail, sc.candidates
	v.Evidence = append(v.Evidence, sc.evidence...)
	if sc.sure {
		v.Confidence = Certain
	}
	if sc.detail == cause.DetailIPMismatch || sc.detail == "" {
		v.add("the viewer address CloudFront sees is not known here; AWS:SourceIp is not checked", "")
	}
	return v
}

// s3Answer explains S3's own refusal passed through CloudFront.
func (p *prober) s3Answer(ctx context.Context, u *url.URL, a *Answer, d *Dist, b *Behavior, probe probeFunc) *Verdict {
	msg := a.Code + ": " + a.Message
	// A viewer's own signature reaches S3 where a policy forwards
	// Authorization and the OAC's SigningBehavior is no-override; S3 then
	// refuses it, if only for CloudFront's X-Amz-Cf-Id, which it lacks.
	unsignedHeaders := strings.Contains(a.Message, "headers present in the request which were not signed")
	viewerSigned := (a.Code == "SignatureDoesNotMatch" || unsignedHeaders) && p.hdr.Get("Authorization") != ""
	switch {
	case strings.Contains(a.Message, "Query-string authentication requires"):
		v := verdict(cause.SignedURL, cause.DetailSigningParamsToS3, Certain)
		v.add("S3 took the signing parameters for its own query authentication", "%s", msg)
		return v
	case strings.Contains(a.Message, "KMS") || strings.Contains(a.Message, "ciphertext refers to a customer master key") || strings.HasPrefix(a.Code, "KMS"):
		v := verdict(cause.S3Origin, cause.DetailKMSEncrypted, Certain)
		v.add("S3 cannot decrypt the SSE-KMS object for CloudFront", "%s", msg)
		return v
	case strings.Contains(a.Message, "explicit deny"):
		v := verdict(cause.S3Origin, cause.DetailBucketPolicyDeny, Certain)
		v.add("S3 names an explicit deny", "%s", msg)
		return v
	case strings.Contains(a.Message, "requester") || strings.Contains(a.Message, "Requester"):
		v := verdict(cause.S3Origin, cause.DetailRequesterPays, Likely)
		v.add("S3 asks the requester to pay", "%s", msg)
		return v
	case (a.Code == "SignatureDoesNotMatch" && !viewerSigned) || a.Code == "NoSuchBucket" || a.Code == "InvalidBucketName":
		v := verdict(cause.S3Origin, cause.DetailHostHeaderForwarded, Likely)
		v.add("S3 looked for another bucket or signature: the viewer's Host reached it", "%s", msg)
		return v
	}
	var v *Verdict
	r := &request{Status: a.Status, ContentType: "application/xml", DecodedPath: u.Path, Path: u.EscapedPath()}
	if a.Shape == ShapeS3Website {
		r.ContentType = "text/html"
	}
	c := &classifier{model: p.o.Model}
	v = c.originVerdict(r, d, b)
	if a.Shape == ShapeS3Website && v.Cause != cause.S3Origin {
		v = verdict(cause.S3Origin, cause.DetailWebsiteEndpointPrivateObject, Likely)
	}
	v.add("S3's error passed through CloudFront", "%s", msg)
	if viewerSigned {
		v.Candidates = nil // S3 refused the viewer's signature, not the origin's access
		v.add("the request carried its own Authorization, which reaches S3 unchanged where a policy forwards it and the origin access control's SigningBehavior is no-override: S3 refused that signature", "")
		if unsignedHeaders {
			v.add("S3 refuses x-amz-* headers a signature does not cover, and CloudFront adds X-Amz-Cf-Id to every origin request: a viewer's own SigV4 header signature cannot pass through; let the origin access control sign (SigningBehavior always) or stop forwarding Authorization", "")
		}
	}
	if o := originOf(b); o != nil {
		t := p.originTarget(o, u.Scheme)
		r := p.probeOrigin(ctx, u, t, probe)
		switch {
		case r == nil:
		case r.Status == 404:
			v = verdict(cause.S3Origin, cause.DetailMissingObjectWithoutList, Certain)
			v.add("the bucket says the key does not exist when asked directly", "%s → 404 %s", r.URL, r.Code)
		case r.Status < 300 && b.ForwardsHost:
			v = verdict(cause.S3Origin, cause.DetailHostHeaderForwarded, Certain)
			v.add("the origin serves the same path asked with its own Host; through CloudFront it gets the viewer's", "%s → %d; Host forwarded by %s", r.URL, r.Status, b.HostVia)
		case r.Status == 403 && !o.HasOriginAccess() && (r.Shape == ShapeS3XML || r.Shape == ShapeS3Website):
			v.Confidence = Certain
			v.add("the bucket refuses the same request directly, and the origin has no origin access", "%s → 403", r.URL)
		case r.Status < 300 && viewerSigned:
			v.Confidence = Certain
			v.add("the origin serves the same request, the viewer's signature included, when it comes without CloudFront's headers", "%s → %d", r.URL, r.Status)
		case r.Status < 300 && o.HasOriginAccess() && !r.Signed:
			v.add("the object is readable directly: the bucket policy refuses the distribution's principal", "%s → %d", r.URL, r.Status)
			v.Detail, v.Confidence = cause.DetailOriginAccessNotInBucketPolicy, Likely
		}
		if r != nil && r.Status == 403 && o.Kind == OriginS3REST && u.Path != "/" && !b.ForwardsHost {
			p.refineS3(ctx, u, t, v, probe)
		}
	}
	return v
}

// refineS3 separates the refusals of an S3 REST origin's object with two
// more direct requests. Signed with x-amz-request-payer: a Requester Pays
// bucket serves only requests that say the requester pays
// (ObjectsinRequesterPaysBuckets). A key next to it that cannot exist: S3
// answers 404 for a missing key only to a principal that may list the
// bucket (GetObject's permissions; some S3-compatible servers, to one that
// may read that key), so a 404 there means the refused key is not simply
// missing: it is refused by name.
func (p *prober) refineS3(ctx context.Context, u *url.URL, t *originTarget, v *Verdict, probe probeFunc) {
	q := originQuery(u.RawQuery)
	if t.signer != nil {
		payer := http.Header{"X-Amz-Request-Payer": {"requester"}}
		r := probe("origin-request-payer", "the origin directly, signed, with x-amz-request-payer: requester", p.o.Method,
			t.url(u.Path, q), t.host, probeOpt{sign: t.signer, header: payer})
		if r.Error == "" && r.Status < 300 {
			*v = Verdict{Cause: cause.S3Origin, Detail: cause.DetailRequesterPays, Confidence: Certain, Evidence: v.Evidence}
			v.add("the bucket refuses the signed request, and serves it once it says the requester pays: Requester Pays is on", "%s → %d with x-amz-request-payer", r.URL, r.Status)
			return
		}
	} else if t.o.HasOriginAccess() {
		v.add("the origin probes went unsigned; give --sign-origin (with the edge's AWS credentials) to ask S3 as the edge does", "")
	}
	var rnd [8]byte
	rand.Read(rnd[:])
	missing := path.Join(path.Dir(u.Path), "openfront-doctor-no-such-key-"+hex.EncodeToString(rnd[:]))
	r := probe("origin-missing-key", "a key next to it that does not exist, from the origin directly", p.o.Method,
		t.url(missing, ""), t.host, probeOpt{sign: t.signer})
	if r.Error != "" || r.Status != 404 {
		return
	}
	ev := v.Evidence
	*v = Verdict{Cause: cause.S3Origin, Detail: cause.DetailBucketPolicyDeny, Confidence: Likely, Evidence: ev}
	v.add("the bucket tells this principal that a key next to it is missing, yet refuses this one: it is refused by name, not missing", "%s → 404 %s", r.URL, r.Code)
	v.Candidates = []string{cause.DetailKMSEncrypted, cause.DetailObjectOwnedByOtherAccount}
	if !t.o.HasOriginAccess() {
		// An allow list that leaves the key out refuses it the same way.
		v.Candidates = append([]string{cause.DetailNoOriginAccess}, v.Candidates...)
	}
}

// originTarget is how the doctor asks an origin directly: where the edge
// connects (the S3 endpoints given included), with the Host it sends, and
// signed as it signs when credentials were given.
type originTarget struct {
	o            *Origin
	scheme, addr string
	prefix       string // OriginPath, after /BUCKET on a path-style S3 endpoint
	host         string
	signer       *origin.Signer
}

func (t *originTarget) url(p, rawQuery string) *url.URL {
	return &url.URL{Scheme: t.scheme, Host: t.addr, Path: t.prefix + p, RawQuery: rawQuery}
}

// originTarget compiles o as the edge does; nil when it cannot.
func (p *prober) originTarget(o *Origin, viewerScheme string) *originTarget {
	if o.Raw == nil {
		return nil
	}
	oc, err := origin.New(o.Raw, origin.Access{}, origin.Options{S3Endpoint: p.o.S3Endpoint,
		S3WebsiteEndpoint: p.o.S3WebsiteEndpoint, S3Buckets: p.o.S3Buckets})
	if err != nil {
		return nil
	}
	oc.Transport.CloseIdleConnections() // never used: the doctor's own client sends
	t := &originTarget{o: o, scheme: "https", addr: oc.HTTPSHost, prefix: oc.Path, host: oc.HostHeader}
	if oc.Protocol == origin.HTTPOnly || (oc.Protocol == origin.MatchViewer && viewerScheme == "http") {
		t.scheme, t.addr = "http", oc.HTTPHost
	}
	// A default port is left out of the URL.
	if h, port, err := net.SplitHostPort(t.addr); err == nil && (t.scheme == "http" && port == "80" || t.scheme == "https" && port == "443") {
		t.addr = h
		if strings.Contains(h, ":") {
			t.addr = "[" + h + "]"
		}
	}
	if p.o.OriginCredentials != nil && o.Kind == OriginS3REST && o.S3Config && o.HasOriginAccess() {
		t.signer, _ = origin.NewSigner(nil, p.o.OriginCredentials, o.S3.Region, origin.SignAlways)
	}
	return t
}

// probeOrigin requests the path from the origin directly, when the
// configuration names it.
func (p *prober) probeOrigin(ctx context.Context, u *url.URL, t *originTarget, probe probeFunc) *Answer {
	if t == nil {
		return nil
	}
	purpose := "the origin directly (" + t.o.ID + ")"
	if t.signer != nil {
		purpose += ", signed as the edge signs"
	}
	r := probe("origin", purpose, p.o.Method, t.url(u.Path, originQuery(u.RawQuery)), t.host, probeOpt{sign: t.signer})
	if r.Error != "" {
		return nil
	}
	return r
}

// WriteJSON writes the report as one JSON document.
func (r *ProbeReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the human report.
func (r *ProbeReport) WriteText(w io.Writer, st Style) error {
	p := &printer{w: w}
	a := &r.Response
	p.f("%s %s (Host %s) → %d  Server %s · X-Cache %s · POP %s · %s\n", a.Method, a.URL, a.Host, a.Status,
		orDash(a.Server), orDash(a.XCache), orDash(a.Pop), a.Shape)
	if a.Sentence != "" {
		p.f("  %s %q\n", st.dim("page says"), a.Sentence)
	}
	if a.Code != "" {
		p.f("  %s %s: %s\n", st.dim("error    "), a.Code, a.Message)
	}
	for _, pr := range r.Probes {
		res := fmt.Sprintf("%d %s", pr.Status, pr.Shape)
		if pr.Signed {
			res += " (signed)"
		}
		if pr.Error != "" {
			res = "error: " + pr.Error
		}
		p.f("  %s %s: %s %s → %s\n", st.dim("probe"), pr.Purpose, pr.Method, pr.URL, res)
	}
	f := r.Finding
	if f == nil {
		p.f("\nno 403 cause: the request was not refused\n")
		return p.err
	}
	title := f.Cause
	if f.Detail != "" {
		title += "  " + f.Detail
	}
	p.f("\n%s  %s\n", st.bold(title), st.confidence(f.Confidence))
	for _, e := range f.Evidence {
		p.f("  %s %s\n", st.dim("evidence"), e)
	}
	if len(f.Candidates) > 0 {
		p.f("  %s %s\n", st.dim("or else "), strings.Join(f.Candidates, ", "))
	}
	f.Fix.writeText(p, st, nil)
	return p.err
}
