package doctor

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"hash/maphash"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openfront-edge/openfront/internal/cause"
	"github.com/openfront-edge/openfront/internal/signedurl"
)

// Signed URLs and cookies (spec §5). The parsing that decides what
// CloudFront would call malformed is internal/signedurl's, the edge's own:
// the doctor runs its Verifier. With the public keys the matched behavior
// trusts (from --config), that is the whole verdict. Without them, the
// doctor runs it with a placeholder key for the presented Key-Pair-Id, which
// answers every question up to the signature itself (missing key,
// malformed signature or policy, a bad Hash-Algorithm, duplicated
// parameters), and then reads the policy's conditions here to check
// expiry, start, IP and Resource against the logged request.

// signingParams is what a request carried for signing.
type signingParams struct {
	source                                string // signedurl.SourceURL or SourceCookie
	keyPairID, signature, policy, expires string
	hashAlg                               string
	hasKey, hasSig, hasPolicy, hasExpires bool
	paramsAfterSigning                    []string // non-signing query parameters after the first signing one
}

var queryParamNames = [...]string{"Expires", "Policy", "Signature", "Key-Pair-Id", "Hash-Algorithm"}

// findSigning reads the signing parameters from a raw query (as the viewer
// sent it) or, when the query has none, from a Cookie header.
func findSigning(rawQuery, cookie string) (signingParams, bool) {
	var p signingParams
	found := false
	seenSigning := false
	for _, seg := range strings.Split(rawQuery, "&") {
		if seg == "" {
			continue
		}
		name, value, _ := strings.Cut(seg, "=")
		if v, err := urlUnescape(value); err == nil {
			value = v
		}
		known := true
		switch name {
		case "Expires":
			p.expires, p.hasExpires = value, true
		case "Policy":
			p.policy, p.hasPolicy = value, true
		case "Signature":
			p.signature, p.hasSig = value, true
		case "Key-Pair-Id":
			p.keyPairID, p.hasKey = value, value != ""
		case "Hash-Algorithm":
			p.hashAlg = value
		default:
			known = false
			if seenSigning {
				p.paramsAfterSigning = append(p.paramsAfterSigning, name)
			}
		}
		if known && name != "Hash-Algorithm" {
			found, seenSigning = true, true
		}
	}
	if found {
		p.source = signedurl.SourceURL
		return p, true
	}
	for _, pair := range strings.Split(cookie, ";") {
		name, value, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || !strings.HasPrefix(name, "CloudFront-") {
			continue
		}
		value = strings.Trim(strings.TrimSpace(value), `"`)
		switch name {
		case "CloudFront-Expires":
			p.expires, p.hasExpires = value, true
		case "CloudFront-Policy":
			p.policy, p.hasPolicy = value, true
		case "CloudFront-Signature":
			p.signature, p.hasSig = value, true
		case "CloudFront-Key-Pair-Id":
			p.keyPairID, p.hasKey = value, value != ""
		case "CloudFront-Hash-Algorithm":
			p.hashAlg = value
		default:
			continue
		}
		found = true
	}
	if found {
		p.source = signedurl.SourceCookie
	}
	return p, found
}

func urlUnescape(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 {
		return s, nil
	}
	return unescapePercent(s)
}

func unescapePercent(s string) (string, error) {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 >= len(s) {
				return "", fmt.Errorf("bad escape")
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return "", fmt.Errorf("bad escape")
			}
			b = append(b, byte(v))
			i += 2
			continue
		}
		b = append(b, c)
	}
	return string(b), nil
}

// signCheck is the outcome of checking a request's signing parameters.
type signCheck struct {
	detail string
	// sure: the detail follows from the parameters and the request alone
	// (or from the configured keys), not from a guess.
	sure bool
	// ok: the parameters pass every check the doctor could run; the 403
	// came from something else.
	ok         bool
	candidates []string
	evidence   []Evidence
}

var (
	placeholderOnce sync.Once
	placeholderKey  crypto.PublicKey
)

// placeholder returns a key that verifies nothing, standing in for a key
// the doctor does not have.
func placeholder() crypto.PublicKey {
	placeholderOnce.Do(func() {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err == nil {
			placeholderKey = &k.PublicKey
		}
	})
	return placeholderKey
}

// structure is what the signing parameters say before any key is needed:
// a final verdict (malformed), or the policy's conditions.
type structure struct {
	final *signCheck
	facts policyFacts
	err   error
}

var (
	structMu    sync.Mutex
	structSeed  = maphash.MakeSeed()
	structCache = map[uint64]structure{}
)

const maxStructCache = 1 << 16

// structureOf checks the parameters' structure with the edge's parser (a
// placeholder stands in for the key) and reads the policy. The result
// depends on the parameters alone, so it is cached: logs repeat signed URLs.
func structureOf(sreq *signedurl.Request, p signingParams) structure {
	var h maphash.Hash
	h.SetSeed(structSeed)
	h.WriteString(p.source)
	h.WriteByte(0)
	h.WriteString(sreq.RawQuery)
	h.WriteByte(0)
	for _, c := range sreq.Cookies {
		h.WriteString(c)
	}
	key := h.Sum64()
	structMu.Lock()
	st, ok := structCache[key]
	structMu.Unlock()
	if ok {
		return st
	}
	if pv := placeholderVerifier(p.keyPairID); pv != nil {
		res := pv.Verify(sreq)
		switch res.Detail {
		case cause.DetailMissingKeyPairID, cause.DetailMalformedSignature, cause.DetailMalformedPolicy,
			signedurl.DetailWrongHashAlgorithm, signedurl.DetailDuplicateParameter:
			c := signCheck{detail: res.Detail, sure: true}
			c.evidence = append(c.evidence, ev("signing parameters CloudFront cannot parse", "%s %s (%s)", res.Code, res.Message, res.Detail))
			if res.Detail == cause.DetailMalformedSignature && looksURLSafeBase64(p.signature) {
				c.evidence = append(c.evidence, ev("Signature uses RFC 4648 URL-safe base64, not CloudFront's -_~ alphabet", ""))
			}
			if res.Detail == cause.DetailMalformedPolicy {
				c.evidence = append(c.evidence, policyProblem(p)...)
			}
			st.final = &c
		}
	}
	if st.final == nil {
		st.facts, st.err = readPolicy(p)
	}
	structMu.Lock()
	if len(structCache) >= maxStructCache {
		clear(structCache)
	}
	structCache[key] = st
	structMu.Unlock()
	return st
}

var (
	placeholderMu        sync.Mutex
	placeholderVerifiers = map[string]*signedurl.Verifier{}
)

// placeholderVerifier returns a verifier that trusts a placeholder key
// under keyID, built once per key id.
func placeholderVerifier(keyID string) *signedurl.Verifier {
	pk := placeholder()
	if pk == nil {
		return nil
	}
	placeholderMu.Lock()
	defer placeholderMu.Unlock()
	v := placeholderVerifiers[keyID]
	if v == nil {
		if len(placeholderVerifiers) >= 1024 {
			clear(placeholderVerifiers)
		}
		v = signedurl.NewVerifier(map[string]crypto.PublicKey{keyID: pk}, nil)
		placeholderVerifiers[strings.Clone(keyID)] = v
	}
	return v
}

// checkSigning explains a signed request's refusal. keys are the public
// keys the matched behavior trusts, when the configuration has them (nil
// otherwise); trusted lists the trusted key ids even when their PEM is not
// loaded (nil when unknown).
func checkSigning(r *request, p signingParams, keys map[string]crypto.PublicKey, trusted []string, verifier *signedurl.Verifier) signCheck {
	var c signCheck
	name := func(s string) string {
		if p.source == signedurl.SourceCookie {
			return "CloudFront-" + s
		}
		return s
	}
	sreq := &signedurl.Request{
		Scheme: schemeOf(r.Protocol), Host: r.HostHeader, Path: r.Path, RawQuery: r.Query,
		Method: r.Method, Now: r.Arrival(),
	}
	if r.Cookie != "" {
		sreq.Cookies = []string{r.Cookie}
	}
	sreq.Viewer, _ = netip.ParseAddr(r.ClientIP)

	if !p.hasKey {
		c.detail, c.sure = cause.DetailMissingKeyPairID, true
		c.evidence = append(c.evidence, ev("no Key-Pair-Id in the signed request", "%s missing or empty", name("Key-Pair-Id")))
		return c
	}
	if trusted != nil && !contains(trusted, p.keyPairID) {
		c.detail, c.sure = cause.DetailUnknownKey, true
		c.evidence = append(c.evidence, ev("Key-Pair-Id is not trusted by the matched cache behavior",
			"%s=%s; trusted keys: %s", name("Key-Pair-Id"), p.keyPairID, orNone(trusted)))
		return c
	}
	if k, ok := keys[p.keyPairID]; ok {
		if verifier == nil {
			verifier = signedurl.NewVerifier(map[string]crypto.PublicKey{p.keyPairID: k}, nil)
		}
		res := verifier.Verify(sreq)
		if res.OK {
			c.ok = true
			c.evidence = append(c.evidence, ev("the signature verifies with the configured public key", "%s=%s", name("Key-Pair-Id"), p.keyPairID))
			return c
		}
		c.detail, c.sure = res.Detail, true
		c.evidence = append(c.evidence, ev("re-verified with the configured public key", "%s %s (%s)", res.Code, res.Message, res.Detail))
		if !res.Expires.IsZero() && res.Detail == cause.DetailExpired {
			c.evidence = append(c.evidence, expiryEvidence(res.Expires, r))
			c.sure = !nearly(res.Expires, r)
		}
		return c
	}
	st := structureOf(sreq, p)
	if st.final != nil {
		return *st.final
	}
	pol, err := st.facts, st.err
	if err != nil {
		c.detail, c.sure = cause.DetailMalformedPolicy, true
		c.evidence = append(c.evidence, ev("policy cannot be used", "%v", err))
		return c
	}
	now := r.Arrival()
	switch {
	case !now.Before(pol.expires):
		c.detail, c.sure = cause.DetailExpired, !nearly(pol.expires, r)
		c.evidence = append(c.evidence, expiryEvidence(pol.expires, r))
		return c
	case pol.hasStart && !now.After(pol.start):
		c.detail, c.sure = cause.DetailNotYetValid, !nearly(pol.start, r)
		c.evidence = append(c.evidence, ev("DateGreaterThan is after the request",
			"valid from %s, requested %s (%s early)", pol.start.Format(time.RFC3339), now.Format(time.RFC3339), pol.start.Sub(now)))
		return c
	case pol.sourceIP.IsValid():
		a, err := netip.ParseAddr(r.ClientIP)
		if err == nil && (!a.Unmap().Is4() || !pol.sourceIP.Contains(a.Unmap())) {
			c.detail, c.sure = cause.DetailIPMismatch, true
			why := "not in"
			if !a.Unmap().Is4() {
				why = "IPv6 never matches (CloudFront policies take IPv4 only);"
			}
			c.evidence = append(c.evidence, ev("viewer address outside the policy's AWS:SourceIp", "c-ip %s %s %s", r.ClientIP, why, pol.sourceIP))
			return c
		}
	}
	if pol.resource != "" {
		if h := resourceHost(pol.resource); h != "" && ParseOriginDomain(h).Kind != OriginCustom {
			c.detail, c.sure = cause.DetailS3URLSignedInstead, true
			c.evidence = append(c.evidence, ev("the policy's Resource is an S3 URL, not the CloudFront URL", "Resource %s", pol.resource))
			return c
		}
		full := requestURL(r, originQuery(r.Query))
		if !globMatch(pol.resource, full) {
			for _, q := range []string{beforeSigning(r.Query), ""} {
				if globMatch(pol.resource, requestURL(r, q)) {
					c.detail, c.sure = cause.DetailQueryAddedAfterSigning, true
					c.evidence = append(c.evidence, ev("the policy's Resource matches the URL without the parameters added after signing",
						"Resource %s, requested %s", pol.resource, full))
					return c
				}
			}
			c.detail, c.sure = cause.DetailResourceMismatch, true
			c.evidence = append(c.evidence, ev("the policy's Resource does not match the requested URL", "Resource %s, requested %s", pol.resource, full))
			return c
		}
	}
	// Only the signature itself is left, which needs the public key.
	c.evidence = append(c.evidence, ev("signing parameters parse and the policy's conditions hold", "expires %s", pol.expires.Format(time.RFC3339)))
	if p.source == signedurl.SourceURL && len(p.paramsAfterSigning) > 0 {
		c.detail = cause.DetailQueryAddedAfterSigning
		c.candidates = []string{cause.DetailBadSignature, cause.DetailResourceMismatch}
		c.evidence = append(c.evidence, ev("query parameters follow the signing parameters (signers append those last)", "%s", strings.Join(p.paramsAfterSigning, ", ")))
		return c
	}
	c.candidates = []string{cause.DetailBadSignature, cause.DetailResourceMismatch, cause.DetailUnknownKey}
	if pol.canned {
		c.evidence = append(c.evidence, ev("a canned policy's resource and signature can only be checked with the public key", "give --config with the PublicKey document of %s", p.keyPairID))
	}
	return c
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func schemeOf(protocol string) string {
	switch protocol {
	case "https", "wss", "grpcs":
		return "https"
	}
	return "http"
}

// nearly reports whether t is within the log's one-second resolution of
// the request, where the verdict could go either way.
func nearly(t time.Time, r *request) bool {
	d := t.Sub(r.Arrival())
	return d > -2*time.Second && d < 2*time.Second
}

func expiryEvidence(exp time.Time, r *request) Evidence {
	now := r.Arrival()
	return ev("the signed URL or cookie had expired at the request",
		"expired %s, requested %s (%s later)", exp.Format(time.RFC3339), now.Format(time.RFC3339), now.Sub(exp).Round(time.Second))
}

func looksURLSafeBase64(s string) bool {
	if strings.ContainsAny(s, "~+/=") {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "_="))
	return err == nil && strings.ContainsAny(s, "_-")
}

// policyProblem says what is wrong with a malformed policy, when it can.
func policyProblem(p signingParams) []Evidence {
	if _, err := readPolicy(p); err != nil {
		return []Evidence{ev("policy problem", "%v", err)}
	}
	return nil
}
