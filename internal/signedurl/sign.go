package signedurl

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Policy says what a signature grants ("Decide to use canned or custom
// policies for signed URLs").
type Policy struct {
	// Resource is the URL or wildcard pattern the policy covers; "" means
	// the URL being signed (SignURL) or the resource argument (SignCookies).
	Resource string
	// DateLessThan is when access ends. Required.
	DateLessThan time.Time
	// DateGreaterThan is when access starts; zero means no start.
	DateGreaterThan time.Time
	// IPAddress is one IPv4 address (signed as address/32, the documented
	// form) or IPv4 CIDR; "" means any viewer.
	IPAddress string
	// Canned asks for a canned policy: only DateLessThan, for exactly the
	// URL signed, and the policy itself never travels (Expires instead of
	// Policy). Otherwise the policy is custom.
	Canned bool
	// Raw, when set, is the exact custom policy document to sign, byte for
	// byte; every other field must then be zero. It must pass the same
	// strict parser the edge uses.
	Raw []byte
}

// SignURL signs rawURL as CloudFront's signers do ("Create a signed URL
// using a canned policy" / "… a custom policy"), appending Expires or
// Policy, then Signature and Key-Pair-Id, then Hash-Algorithm=SHA256 when
// hash is crypto.SHA256. hash may be crypto.SHA1 (the default, also for 0) or
// crypto.SHA256; key must be RSA or ECDSA P-256. For RSA with SHA-1 the
// output is byte for byte what aws-sdk-go-v2's feature/cloudfront/sign
// produces (URLSigner.Sign for canned, SignWithPolicy for custom), except
// that a single IPAddress gets its /32 (the SDK passes it as given).
func SignURL(rawURL string, keyID string, key crypto.Signer, p Policy, hash crypto.Hash) (string, error) {
	base := strings.TrimSuffix(rawURL, "?")
	if err := checkSendable(base); err != nil {
		return "", err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("parse URL: %w", err)
	}
	if err := checkURL(u, base); err != nil {
		return "", err
	}
	for _, seg := range strings.Split(u.RawQuery, "&") {
		name, _, _ := strings.Cut(seg, "=")
		if _, ok := lookup(&queryNames, name); ok {
			return "", fmt.Errorf("URL already has the signing parameter %s", name)
		}
	}
	enc, sig, canned, expires, hash, err := signPolicy(base, keyID, key, p, hash)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(base)
	if u.RawQuery != "" || strings.Contains(base, "?") {
		b.WriteByte('&')
	} else {
		b.WriteByte('?')
	}
	if canned {
		b.WriteString("Expires=" + strconv.FormatInt(expires, 10))
	} else {
		b.WriteString("Policy=" + enc)
	}
	b.WriteString("&Signature=" + sig + "&Key-Pair-Id=" + keyID)
	if hash == crypto.SHA256 {
		b.WriteString("&Hash-Algorithm=SHA256")
	}
	return b.String(), nil
}

// SignCookies returns the signed cookies for resource ("Set signed cookies
// using a canned policy" / "… a custom policy"): CloudFront-Policy (custom)
// or CloudFront-Expires (canned), CloudFront-Signature,
// CloudFront-Key-Pair-Id, and CloudFront-Hash-Algorithm=SHA256 when hash is
// crypto.SHA256. Cookies are HttpOnly and carry no Path, Domain or Secure;
// the caller sets those. For RSA with SHA-1 and a custom policy the values
// equal aws-sdk-go-v2's CookieSigner output (which always sends a Policy).
func SignCookies(resource string, keyID string, key crypto.Signer, p Policy, hash crypto.Hash) ([]*http.Cookie, error) {
	if p.Canned {
		if err := checkSendable(resource); err != nil {
			return nil, err
		}
		u, err := url.Parse(resource)
		if err != nil {
			return nil, fmt.Errorf("parse URL: %w", err)
		}
		if err := checkURL(u, resource); err != nil {
			return nil, err
		}
	}
	enc, sig, canned, expires, hash, err := signPolicy(resource, keyID, key, p, hash)
	if err != nil {
		return nil, err
	}
	first := &http.Cookie{Name: cookieNames[pPolicy], Value: enc}
	if canned {
		first = &http.Cookie{Name: cookieNames[pExpires], Value: strconv.FormatInt(expires, 10)}
	}
	cookies := []*http.Cookie{
		first,
		{Name: cookieNames[pSignature], Value: sig},
		{Name: cookieNames[pKeyPairID], Value: keyID},
	}
	if hash == crypto.SHA256 {
		cookies = append(cookies, &http.Cookie{Name: cookieNames[pHashAlgorithm], Value: "SHA256"})
	}
	for _, c := range cookies {
		c.HttpOnly = true
	}
	return cookies, nil
}

func checkURL(u *url.URL, raw string) error {
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("URL scheme %q: want http or https", u.Scheme)
	case u.Host == "":
		return errors.New("URL has no host")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return errors.New("URL has a #fragment, which browsers never send")
	}
	return nil
}

// checkSendable refuses a URL that viewers do not reliably send as written.
// A canned policy covers the URL byte for byte as the viewer's request
// carries it, and HTTP clients percent-encode what RFC 3986 does not allow
// in a URI (non-ASCII, controls, space, '"', '<', '>', '\', '^', '`', '{',
// '|', '}'): every client a space, Go's client each of these in the path,
// browsers '"', '<', '>', '`', '{' and '}' (and they turn '\' into '/'). A
// signature over the raw form then never verifies, or only from some
// clients. (The AWS CLI and botocore sign such URLs as given;
// @aws-sdk/cloudfront-signer encodes the path first.)
func checkSendable(raw string) error {
	if !isASCII(raw) {
		return errors.New("URL must be ASCII: percent-encode the path and query, Punycode the host")
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= ' ' || c == 0x7f || strings.IndexByte("\"<>\\^`{|}", c) >= 0 {
			return fmt.Errorf("URL has %q at byte %d, which HTTP clients percent-encode (RFC 3986 does not allow it in a URL), so a signature over it would not verify: write it as %%%02X", c, i, c)
		}
	}
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// signPolicy builds and signs the policy for p; defaultResource fills an
// empty Resource. It returns the encoded policy (custom only), the encoded
// signature, whether the policy is canned, the expiry and the hash used.
func signPolicy(defaultResource, keyID string, key crypto.Signer, p Policy, hash crypto.Hash) (enc, sig string, canned bool, expires int64, _ crypto.Hash, err error) {
	if hash == 0 {
		hash = crypto.SHA1
	}
	if hash != crypto.SHA1 && hash != crypto.SHA256 {
		return "", "", false, 0, 0, fmt.Errorf("hash %v: want SHA1 or SHA256", hash)
	}
	if keyID == "" || strings.IndexFunc(keyID, func(r rune) bool {
		return !('A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-' || r == '_')
	}) >= 0 {
		return "", "", false, 0, 0, fmt.Errorf("key pair ID %q: want letters and digits, like K2JCJMDEHXQW5F", keyID)
	}
	if err := checkSigner(key); err != nil {
		return "", "", false, 0, 0, err
	}
	signed, canned, expires, err := buildPolicy(defaultResource, p)
	if err != nil {
		return "", "", false, 0, 0, err
	}
	var digest []byte
	if hash == crypto.SHA256 {
		d := sha256.Sum256(signed)
		digest = d[:]
	} else {
		d := sha1.Sum(signed)
		digest = d[:]
	}
	raw, err := key.Sign(rand.Reader, digest, hash)
	if err != nil {
		return "", "", false, 0, 0, fmt.Errorf("sign policy: %w", err)
	}
	if !canned {
		enc = encodeCF(signed)
	}
	return enc, encodeCF(raw), canned, expires, hash, nil
}

func checkSigner(key crypto.Signer) error {
	if key == nil {
		return errors.New("no private key")
	}
	switch k := key.Public().(type) {
	case *rsa.PublicKey:
		return nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return fmt.Errorf("%w: ECDSA key on %s; CloudFront takes P-256", ErrKeyType, k.Curve.Params().Name)
		}
		return nil
	}
	return fmt.Errorf("%w: %T; CloudFront takes RSA or ECDSA P-256", ErrKeyType, key.Public())
}

// buildPolicy returns the exact bytes to sign.
func buildPolicy(defaultResource string, p Policy) (signed []byte, canned bool, expires int64, err error) {
	if p.Raw != nil {
		if p.Resource != "" || !p.DateLessThan.IsZero() || !p.DateGreaterThan.IsZero() || p.IPAddress != "" || p.Canned {
			return nil, false, 0, errors.New("a raw policy cannot be combined with other policy fields")
		}
		pol, err := parsePolicy(p.Raw)
		if err != nil {
			return nil, false, 0, err
		}
		return p.Raw, false, pol.dateLessThan, nil
	}
	resource := p.Resource
	if resource == "" {
		resource = defaultResource
	}
	expires, err = epochOf("DateLessThan", p.DateLessThan)
	if err != nil {
		return nil, false, 0, err
	}
	if p.Canned {
		if resource != defaultResource || !p.DateGreaterThan.IsZero() || p.IPAddress != "" {
			return nil, false, 0, errors.New("a canned policy has only DateLessThan, for exactly the URL signed")
		}
		return appendCanned(nil, []byte(resource), expires), true, expires, nil
	}
	if !isASCII(resource) {
		return nil, false, 0, errors.New("resource must be ASCII")
	}
	var notBefore int64
	if !p.DateGreaterThan.IsZero() {
		if notBefore, err = epochOf("DateGreaterThan", p.DateGreaterThan); err != nil {
			return nil, false, 0, err
		}
		if notBefore >= expires {
			return nil, false, 0, errors.New("DateGreaterThan must be before DateLessThan")
		}
	}
	ip := p.IPAddress
	if ip != "" && !strings.Contains(ip, "/") {
		// "To allow access from a single IP address, you specify: "IPv4 IP
		// address/32"" (custom-policy docs); botocore, the AWS CLI and the
		// JavaScript SDK add the /32 too.
		ip += "/32"
	}
	signed = appendCustom(nil, resource, ip, notBefore, expires, !p.DateGreaterThan.IsZero())
	// Refuse to sign what the edge would call malformed: this catches bad
	// Resource patterns and IPv6 or mistyped IpAddress values.
	if _, err := parsePolicy(signed); err != nil {
		return nil, false, 0, err
	}
	return signed, false, expires, nil
}

func epochOf(name string, t time.Time) (int64, error) {
	if t.IsZero() {
		return 0, fmt.Errorf("%s is required", name)
	}
	n := t.Unix()
	if n < 0 || n > maxEpoch {
		return 0, fmt.Errorf("%s %v is outside 1970 to 2262", name, t)
	}
	return n, nil
}
