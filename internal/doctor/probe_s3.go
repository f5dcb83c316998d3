package doctor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/openfront-edge/openfront/internal/cause"
	"github.com/openfront-edge/openfront/internal/origin"
)

// The S3 part of doctor url: S3's own refusals passed through CloudFront,
// and the requests to the origin itself that separate their causes.

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
	t := newOriginTarget(o, viewerScheme, p.o.Origin)
	if t != nil && p.o.OriginCredentials != nil && o.Kind == OriginS3REST && o.S3Config && o.HasOriginAccess() {
		t.signer, _ = origin.NewSigner(nil, p.o.OriginCredentials, o.S3.Region, origin.SignAlways)
	}
	return t
}

// newOriginTarget is where the edge sends o's requests for a viewer on
// viewerScheme, with these endpoint settings; nil when o does not compile.
func newOriginTarget(o *Origin, viewerScheme string, opts origin.Options) *originTarget {
	if o == nil || o.Raw == nil {
		return nil
	}
	oc, err := origin.New(o.Raw, origin.Access{}, opts)
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
