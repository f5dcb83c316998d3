// Package origin describes the origins a distribution forwards to — their
// address, protocol, timeouts and custom headers — builds the HTTP transport
// for each, decides what of the viewer's request is forwarded, and classifies
// origin failures into CloudFront's result types.
package origin

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/valyala/fasthttp"
)

// Protocol is the origin protocol policy.
type Protocol uint8

// Origin protocol policies (CustomOriginConfig.OriginProtocolPolicy).
const (
	HTTPOnly Protocol = iota
	HTTPSOnly
	MatchViewer
)

// Origin is one compiled origin. Immutable.
type Origin struct {
	ID       string
	Domain   string // the origin's DomainName, used as Host unless the viewer's Host is forwarded
	Path     string // OriginPath, prefixed to every request path
	Protocol Protocol
	// HTTPHost and HTTPSHost are "domain:port" for each scheme.
	HTTPHost, HTTPSHost string
	// CustomHeaders are added to (and override) every origin request.
	CustomHeaders [][2]string
	// HostHeader is the Host the origin receives unless the viewer's Host
	// is forwarded: Domain, or the --s3-endpoint's host for S3 origins sent
	// there.
	HostHeader string
	// S3 is true for S3OriginConfig origins (REST endpoints).
	S3 bool
	// Signed is true when origin requests are signed with SigV4 (origin
	// access control, or an origin access identity).
	Signed bool
	// Transport is the origin's connection pool.
	Transport *Transport
	// RoundTripper sends origin requests: Transport, wrapped in a Signer
	// for origins with origin access control.
	RoundTripper http.RoundTripper
}

// Defaults from CloudFront's documentation (distribution-web-values-specify).
const (
	DefaultConnectionAttempts = 3
	DefaultConnectionTimeout  = 10 * time.Second
	DefaultReadTimeout        = 30 * time.Second
	DefaultKeepaliveTimeout   = 5 * time.Second
)

// Options are edge settings that shape every origin's transport.
type Options struct {
	// RootCAs verifies HTTPS origins; nil means the system pool.
	RootCAs *x509.CertPool
	// Resolve maps "host:port" to another "host:port" (tests, --resolve-like
	// overrides); nil dials as given.
	Resolve func(hostport string) string
	// S3Endpoint, when set, is an S3-compatible server that origins whose
	// domain is an S3 REST endpoint are sent to instead of AWS.
	S3Endpoint *Endpoint
	// S3WebsiteEndpoint likewise takes origins whose domain is an S3
	// website endpoint.
	S3WebsiteEndpoint *Endpoint
	// S3Buckets are per-bucket endpoints: they take that bucket's REST and
	// website origins, before S3Endpoint and S3WebsiteEndpoint.
	S3Buckets map[string]*Endpoint
	// Credentials sign requests to origins with origin access control;
	// nil when the configuration needs none.
	Credentials aws.CredentialsProvider
}

// Access is how an S3 origin's requests are signed: the origin access
// control's SigningBehavior, or SignAlways for a legacy origin access
// identity.
type Access struct {
	Sign     bool
	Behavior SigningBehavior
}

// New compiles one origin of a distribution config; access says whether and
// how its requests are signed.
func New(o *types.Origin, access Access, opts Options) (*Origin, error) {
	c := &Origin{ID: deref(o.Id), Domain: strings.ToLower(deref(o.DomainName)), Path: deref(o.OriginPath)}
	c.HostHeader = c.Domain
	httpPort, httpsPort := int32(80), int32(443)
	minTLS := uint16(tls.VersionTLS12)
	read, keepalive := DefaultReadTimeout, DefaultKeepaliveTimeout
	switch {
	case o.CustomOriginConfig != nil:
		cc := o.CustomOriginConfig
		if cc.HTTPPort != nil {
			httpPort = *cc.HTTPPort
		}
		if cc.HTTPSPort != nil {
			httpsPort = *cc.HTTPSPort
		}
		switch cc.OriginProtocolPolicy {
		case types.OriginProtocolPolicyHttpOnly:
			c.Protocol = HTTPOnly
		case types.OriginProtocolPolicyHttpsOnly:
			c.Protocol = HTTPSOnly
		case types.OriginProtocolPolicyMatchViewer:
			c.Protocol = MatchViewer
		default:
			return nil, fmt.Errorf("origin %s: unknown OriginProtocolPolicy %q", c.ID, cc.OriginProtocolPolicy)
		}
		if cc.OriginReadTimeout != nil {
			read = time.Duration(*cc.OriginReadTimeout) * time.Second
		}
		if cc.OriginKeepaliveTimeout != nil {
			keepalive = time.Duration(*cc.OriginKeepaliveTimeout) * time.Second
		}
		if p := cc.OriginSslProtocols; p != nil && len(p.Items) > 0 {
			minTLS = lowestTLS(p.Items)
		}
	case o.S3OriginConfig != nil:
		// CloudFront talks to S3 REST endpoints over HTTPS.
		c.Protocol = HTTPSOnly
		c.S3 = true
		if t := o.S3OriginConfig.OriginReadTimeout; t != nil {
			read = time.Duration(*t) * time.Second
		}
	default:
		return nil, fmt.Errorf("origin %s: want S3OriginConfig or CustomOriginConfig", c.ID)
	}
	c.HTTPHost = net.JoinHostPort(c.Domain, strconv.Itoa(int(httpPort)))
	c.HTTPSHost = net.JoinHostPort(c.Domain, strconv.Itoa(int(httpsPort)))
	s3 := ParseS3Domain(c.Domain)
	// Whatever the origin type: an S3 REST endpoint set up as a custom
	// origin reaches the same S3 server, unsigned (a classic 403).
	if ep := opts.endpointFor(s3); ep != nil {
		c.useEndpoint(s3, ep)
	}
	if o.CustomHeaders != nil {
		for _, h := range o.CustomHeaders.Items {
			c.CustomHeaders = append(c.CustomHeaders, [2]string{http.CanonicalHeaderKey(deref(h.HeaderName)), deref(h.HeaderValue)})
		}
	}
	attempts, connTimeout := DefaultConnectionAttempts, DefaultConnectionTimeout
	if o.ConnectionAttempts != nil {
		attempts = int(*o.ConnectionAttempts)
	}
	if o.ConnectionTimeout != nil {
		connTimeout = time.Duration(*o.ConnectionTimeout) * time.Second
	}
	sni, _, _ := net.SplitHostPort(c.HTTPSHost)
	c.Transport = newTransport(transportConfig{httpAddr: c.HTTPHost, httpsAddr: c.HTTPSHost, serverName: sni,
		attempts: attempts, connTimeout: connTimeout, read: read, keepalive: keepalive, minTLS: minTLS, opts: opts})
	c.RoundTripper = c.Transport
	if access.Sign && access.Behavior != SignNever {
		if s3.Kind != S3REST {
			return nil, fmt.Errorf("origin %s: cannot sign for %s: want an S3 REST endpoint (BUCKET.s3.REGION.amazonaws.com)", c.ID, c.Domain)
		}
		sg, err := NewSigner(c.Transport, opts.Credentials, s3.Region, access.Behavior)
		if err != nil {
			return nil, fmt.Errorf("origin %s: %w", c.ID, err)
		}
		c.RoundTripper, c.Signed = sg, true
	}
	return c, nil
}

// lowestTLS maps OriginSslProtocols to the lowest version it allows. Go
// cannot speak SSLv3; TLSv1 and TLSv1.1 are honoured.
func lowestTLS(items []types.SslProtocol) uint16 {
	v := uint16(tls.VersionTLS13)
	for _, p := range items {
		switch p {
		case types.SslProtocolSSLv3, types.SslProtocolTLSv1:
			v = min(v, tls.VersionTLS10)
		case types.SslProtocolTLSv11:
			v = min(v, tls.VersionTLS11)
		case types.SslProtocolTLSv12:
			v = min(v, tls.VersionTLS12)
		}
	}
	return v
}

// DialError is a failure to connect after every connection attempt.
type DialError struct {
	Attempts int
	Err      error
}

func (e *DialError) Error() string {
	return fmt.Sprintf("connecting to origin failed after %d attempts: %v", e.Attempts, e.Err)
}

func (e *DialError) Unwrap() error { return e.Err }

func isDNS(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de)
}

// Failure is CloudFront's classification of an origin failure.
type Failure struct {
	Status   int    // 502 or 504
	Detailed string // x-edge-detailed-result-type
	Sentence string // cause line of the error page
}

// Sentences on CloudFront's 502 and 504 pages.
const (
	SentenceDNS     = "CloudFront wasn't able to resolve the origin domain name."
	SentenceConnect = "CloudFront wasn't able to connect to the origin."
	SentenceTimeout = "CloudFront attempted to establish a connection with the origin, but either the attempt failed or the origin closed the connection."
)

// Classify maps a transport error to CloudFront's status and result type
// (spec §2.3; choices recorded in docs/decisions.md).
func Classify(err error) Failure {
	var de *DialError
	dial := errors.As(err, &de)
	var ce *CredentialsError
	switch {
	case errors.As(err, &ce), errors.Is(err, ErrNoCredentials):
		// No request reached the origin: nothing could be signed.
		return Failure{502, "OriginConnectError", SentenceConnect}
	case isDNS(err):
		return Failure{502, "OriginDnsError", SentenceDNS}
	case isTimeout(err) && dial:
		return Failure{504, "OriginConnectError", SentenceTimeout}
	case isTimeout(err):
		return Failure{504, "OriginCommError", SentenceTimeout}
	case dial:
		return Failure{502, "OriginConnectError", SentenceConnect}
	case isTLS(err):
		return Failure{502, "OriginConnectError", SentenceConnect}
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return Failure{502, "OriginReadError", SentenceTimeout}
	}
	// An answer that is not HTTP, or whose header is larger than the
	// edge reads (fasthttp: "error when reading response headers").
	if msg := err.Error(); strings.Contains(msg, "malformed HTTP") || strings.Contains(msg, "invalid") ||
		strings.Contains(msg, "error when reading response headers") {
		return Failure{502, "OriginInvalidResponseError", SentenceConnect}
	}
	return Failure{502, "OriginReadError", SentenceTimeout}
}

func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, fasthttp.ErrTimeout) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isTLS(err error) bool {
	var ve *tls.CertificateVerificationError
	var re tls.RecordHeaderError
	var ae tls.AlertError
	var ue x509.UnknownAuthorityError
	var he x509.HostnameError
	return errors.As(err, &ve) || errors.As(err, &re) || errors.As(err, &ae) || errors.As(err, &ue) || errors.As(err, &he)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
