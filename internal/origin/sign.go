package origin

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// SigningBehavior is an origin access control's SigningBehavior.
type SigningBehavior uint8

// Signing behaviors (API_OriginAccessControlConfig; spec §8.4).
const (
	// SignNever sends requests unsigned, in effect turning OAC off.
	SignNever SigningBehavior = iota
	// SignAlways signs every request, replacing a viewer's Authorization.
	SignAlways
	// SignNoOverride signs only requests without a viewer Authorization.
	SignNoOverride
)

// ParseSigningBehavior maps "always", "never" and "no-override".
func ParseSigningBehavior(s string) (SigningBehavior, error) {
	switch s {
	case "always":
		return SignAlways, nil
	case "never":
		return SignNever, nil
	case "no-override":
		return SignNoOverride, nil
	}
	return 0, fmt.Errorf("signing behavior %q: want always, never or no-override", s)
}

// ErrNoCredentials means an origin must be signed but the edge has no AWS
// credentials to sign with.
var ErrNoCredentials = errors.New("origin access control needs AWS credentials (environment, shared credentials file or profile)")

// Hashes S3 takes in X-Amz-Content-Sha256 (sig-v4-header-based-auth).
const (
	unsignedPayload = "UNSIGNED-PAYLOAD"
	emptySHA256     = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// Signer is an http.RoundTripper that signs each origin request with
// SigV4 for service "s3" in one Region, as CloudFront does for an origin
// with origin access control, then sends it on Next. Immutable; safe for
// concurrent use. Credentials are fetched per request from the provider,
// which is expected to cache them (aws.CredentialsCache refreshes before
// expiry); they never appear in errors.
type Signer struct {
	Next        http.RoundTripper
	Credentials aws.CredentialsProvider
	Region      string
	Behavior    SigningBehavior
	// Now is the signing clock; nil means time.Now.
	Now    func() time.Time
	signer *v4.Signer
}

// NewSigner returns a Signer for one origin.
func NewSigner(next http.RoundTripper, creds aws.CredentialsProvider, region string, b SigningBehavior) (*Signer, error) {
	if creds == nil && b != SignNever {
		return nil, ErrNoCredentials
	}
	if region == "" {
		return nil, errors.New("signing needs the bucket's region")
	}
	return &Signer{Next: next, Credentials: creds, Region: region, Behavior: b,
		// S3 signs the path as sent, not escaped a second time.
		signer: v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })}, nil
}

// CredentialsError is a failure to obtain credentials for signing. Its
// message is the SDK's, which names the source, never a secret.
type CredentialsError struct{ Err error }

func (e *CredentialsError) Error() string { return "retrieving AWS credentials: " + e.Err.Error() }
func (e *CredentialsError) Unwrap() error { return e.Err }

// RoundTrip signs r (a copy of it: a RoundTripper must not change its
// request) and sends it.
func (s *Signer) RoundTrip(r *http.Request) (*http.Response, error) {
	if s.Behavior == SignNever || (s.Behavior == SignNoOverride && r.Header.Get("Authorization") != "") {
		return s.Next.RoundTrip(r)
	}
	out, err := s.Sign(r)
	if err != nil {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, err
	}
	return s.Next.RoundTrip(out)
}

// Sign returns a signed shallow copy of r with its own header and URL.
//
// Only the headers the signature covers are handed to the SDK's signer;
// the others join the copy afterwards. That keeps the signer's canonical
// request short, and the header map is built once, at its final size.
func (s *Signer) Sign(r *http.Request) (*http.Request, error) {
	creds, err := s.Credentials.Retrieve(r.Context())
	if err != nil {
		return nil, &CredentialsError{err}
	}
	out := new(http.Request)
	*out = *r
	u := *r.URL
	out.URL = &u
	// Send and sign the path in S3's canonical form, so the signature
	// matches whatever form the viewer used (a+b, a%2Bb, %c3%a9, %C3%A9).
	if escaped := u.EscapedPath(); !isS3Clean(escaped) {
		u.RawPath = s3EscapePath(escaped)
		if p, err := url.PathUnescape(u.RawPath); err == nil {
			u.Path = p
		}
		if u.RawPath == u.Path {
			u.RawPath = ""
		}
	}
	hash := emptyHashValue
	if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
		hash = unsignedPayloadValue
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	// Sign only what S3 requires (host and every x-amz-* header) and the
	// headers that select content: fewer bytes to hash, and headers an
	// intermediary may rewrite (Via, X-Forwarded-For) stay out of the
	// signature. A viewer's own signature parts are dropped: they would
	// otherwise be mixed into ours.
	h := make(http.Header, len(r.Header)+3)
	for k, vs := range r.Header {
		if signedHeader(k) && !viewerSigning(k) {
			h[k] = vs
		}
	}
	h["X-Amz-Content-Sha256"] = hash
	out.Header = h
	if err := s.signer.SignHTTP(r.Context(), creds, out, hash[0], "s3", s.Region, now().UTC()); err != nil {
		return nil, fmt.Errorf("signing origin request: %w", err)
	}
	for k, vs := range r.Header {
		if !signedHeader(k) && !viewerSigning(k) {
			h[k] = vs
		}
	}
	return out, nil
}

// X-Amz-Content-Sha256 values, shared read-only: nothing appends to them.
var (
	emptyHashValue       = []string{emptySHA256}
	unsignedPayloadValue = []string{unsignedPayload}
)

// viewerSigning reports the headers of a viewer's own SigV4 signature,
// which the edge's signature replaces.
func viewerSigning(k string) bool {
	switch k {
	case "Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256":
		return true
	}
	return false
}

// signedHeader reports a canonical header name the signature covers.
func signedHeader(k string) bool {
	switch k {
	case "Content-Type", "Content-Md5", "Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since":
		return true
	}
	return len(k) > 6 && k[:6] == "X-Amz-"
}

// s3EscapePath re-encodes an escaped path the way the AWS SDK's S3 client
// sends keys: decoded, then every byte but RFC 3986's unreserved ones and
// "/" percent-encoded. An encoded slash (%2F) is sent as "/": S3 reads
// both as the same key, and servers differ on which form they sign.
func s3EscapePath(escaped string) string {
	if isS3Clean(escaped) {
		return escaped
	}
	raw, err := url.PathUnescape(escaped)
	if err != nil {
		raw = escaped
	}
	var b strings.Builder
	b.Grow(len(raw) + 16)
	for j := 0; j < len(raw); j++ {
		c := raw[j]
		if c == '/' || unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
	}
	return b.String()
}

const upperHex = "0123456789ABCDEF"

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

// isS3Clean reports a path that is already canonical: only unreserved
// characters and "/" (the common case, kept without allocating).
func isS3Clean(p string) bool {
	for i := 0; i < len(p); i++ {
		if c := p[i]; c != '/' && !unreserved(c) {
			return false
		}
	}
	return true
}
