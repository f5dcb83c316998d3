package doctor

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
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
	// Origin is where S3 origins are (its S3 endpoint fields, set as the
	// edge's flags of the same names set them): the origin probe goes
	// there instead of AWS.
	Origin origin.Options
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
	// Age is the Age header: set when an edge answered from its cache.
	Age string `json:"age,omitempty"`
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
	a.ContentType, a.Age = resp.Header.Get("Content-Type"), resp.Header.Get("Age")
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
		if a.Age != "" && !edgeMade(a) {
			// HTTPStatusCodes.md: an origin error kept for its max-age
			// (at least ErrorCachingMinTTL) is served again until then.
			v.add("served from the edge's cache, not fetched now", "Age %s s: a fix at the origin shows only after it expires or an invalidation (aws cloudfront create-invalidation --distribution-id ID --paths '%s')",
				a.Age, u.Path)
		}
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
