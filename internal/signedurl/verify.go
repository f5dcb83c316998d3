package signedurl

import (
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"strings"
	"sync"
	"time"
)

// Verifier checks signed URLs and cookies for one cache behavior that
// restricts viewer access: only the signers trusted by the behavior that
// matched the path count ("Specify signers that can create signed URLs and
// signed cookies"). A Verifier is immutable and safe for concurrent use.
type Verifier struct {
	keys  map[string]*trustedKey
	cache *Cache
}

// NewVerifier returns a verifier trusting keys (key ID → public key, as
// returned by ParsePublicKey or ParseLegacyKey). cache may be nil. A key of
// any other type is kept but verifies nothing, so a mistake fails closed.
func NewVerifier(keys map[string]crypto.PublicKey, cache *Cache) *Verifier {
	v := &Verifier{keys: make(map[string]*trustedKey, len(keys)), cache: cache}
	for id, k := range keys {
		v.keys[id] = newTrustedKey(k)
	}
	return v
}

// scratch holds per-call buffers, pooled so a verification allocates little.
type scratch struct {
	url, signed, sig, policy []byte
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// Verify judges one request. The checks run in this order, each failure
// ending the check (the order CloudFront's errors imply; see the package's
// tests for every case):
//
//  1. OPTIONS is never checked, so CORS preflights work.
//  2. A Key-Pair-Id is present (MissingKey) and trusted (InvalidKey).
//  3. The Signature decodes (MalformedSignature).
//  4. Hash-Algorithm, Policy or Expires parse (MalformedPolicy).
//  5. The signature verifies (AccessDenied).
//  6. DateLessThan, DateGreaterThan, IpAddress, then Resource (AccessDenied).
//
// Signing parameters in the query make it a signed URL and cookies are then
// ignored; otherwise the CloudFront-* cookies are used.
func (v *Verifier) Verify(r *Request) Result {
	q := scanQuery(r.RawQuery)
	res := Result{OriginQuery: q.origin}
	if r.Method == "OPTIONS" {
		res.OK = true
		return res
	}
	p := &q.params
	if q.signedURL() {
		res.Source = SourceURL
	} else {
		c := scanCookies(r.Cookies)
		if c.any() {
			res.Source = SourceCookie
		}
		p = &c
	}
	s := scratchPool.Get().(*scratch)
	code, detail := v.check(r, p, &q, &res, s)
	scratchPool.Put(s)
	if code == "" {
		res.OK = true
		return res
	}
	res.Code, res.Message, res.Detail = code, messages[code], detail
	return res
}

func (v *Verifier) check(r *Request, p *params, q *queryScan, res *Result, s *scratch) (code, detail string) {
	id := p.val[pKeyPairID]
	res.KeyID = id[:min(len(id), maxKeyIDInResult)]
	switch {
	case p.dup[pKeyPairID]:
		// Decision: two key IDs name no single key: InvalidKey.
		return CodeInvalidKey, DetailDuplicateParameter
	case id == "":
		return CodeMissingKey, DetailMissingKeyPairID
	}
	key := v.keys[id]
	if key == nil {
		return CodeInvalidKey, DetailUnknownKey
	}

	if p.dup[pSignature] {
		return CodeMalformedSignature, DetailDuplicateParameter
	}
	text := p.val[pSignature]
	if len(text) > maxEncodedSignature {
		return CodeMalformedSignature, DetailMalformedSignature
	}
	sig, ok := decodeCF(s.sig, text)
	if !ok {
		return CodeMalformedSignature, DetailMalformedSignature
	}
	s.sig = sig

	// Decision: a Hash-Algorithm other than exactly SHA1 or SHA256 (the
	// only values the docs list; empty included) is MalformedPolicy, since
	// no signature could be checked against it.
	hash := crypto.SHA1
	switch {
	case p.dup[pHashAlgorithm]:
		return CodeMalformedPolicy, DetailDuplicateParameter
	case !p.seen[pHashAlgorithm], p.val[pHashAlgorithm] == "SHA1":
	case p.val[pHashAlgorithm] == "SHA256":
		hash = crypto.SHA256
	default:
		return CodeMalformedPolicy, DetailWrongHashAlgorithm
	}

	// Decision: when both Policy and Expires are present the Policy wins
	// and Expires is ignored. Some signers emit both (promaton/cloudfront-
	// sign-rs#12), and a browser may still hold an old CloudFront-Expires
	// cookie beside a new CloudFront-Policy one.
	switch {
	case p.seen[pPolicy]:
		return v.checkCustom(r, p, q, res, s, key, hash)
	case p.seen[pExpires]:
		return v.checkCanned(r, p, q, res, s, key, hash)
	}
	return CodeMalformedPolicy, DetailMalformedPolicy
}

func (v *Verifier) checkCanned(r *Request, p *params, q *queryScan, res *Result, s *scratch, key *trustedKey, hash crypto.Hash) (code, detail string) {
	if p.dup[pExpires] {
		return CodeMalformedPolicy, DetailDuplicateParameter
	}
	expires, ok := parseEpoch(p.val[pExpires])
	if !ok {
		return CodeMalformedPolicy, DetailMalformedPolicy
	}
	res.Expires = time.Unix(expires, 0).UTC()
	// The canned statement is rebuilt byte for byte from the request as
	// received: scheme, Host (not lower-cased), escaped path and the query
	// minus the signing parameters, in order.
	s.url = appendURL(s.url[:0], r.Scheme, r.Host, r.Path, q.origin)
	s.signed = appendCanned(s.signed[:0], s.url, expires)
	if id, _, hit := v.cache.get(key, hash, false, s.signed, s.sig); !hit {
		if !verifyWith(key, hash, s.signed, s.sig) {
			// Decision: a signature that decodes but does not verify is
			// AccessDenied (the spec's open question 1): the request is
			// well-formed, it just proves nothing.
			return CodeAccessDenied, v.cannedFailure(r, q, s, key, hash, expires)
		}
		v.cache.put(id, key, hash, false, s.signed, s.sig, nil)
	}
	// Decision: instants compare exactly, with the clock's sub-second part:
	// valid while Now < DateLessThan (and, for custom policies, Now >
	// DateGreaterThan).
	if !r.Now.Before(res.Expires) {
		return CodeAccessDenied, DetailExpired
	}
	return "", ""
}

// cannedFailure explains a canned signature that did not verify: signed
// with the other hash, or signed before query parameters were added (the
// parameters after the signing ones, or all of them, removed). That costs at
// most three more verifications, only on failures.
func (v *Verifier) cannedFailure(r *Request, q *queryScan, s *scratch, key *trustedKey, hash crypto.Hash, expires int64) string {
	if verifyWith(key, otherHash(hash), s.signed, s.sig) {
		return DetailWrongHashAlgorithm
	}
	tried := q.origin
	for _, query := range [...]string{q.beforeSigning, ""} {
		if query == tried {
			continue
		}
		tried = query
		s.url = appendURL(s.url[:0], r.Scheme, r.Host, r.Path, query)
		s.signed = appendCanned(s.signed[:0], s.url, expires)
		if verifyWith(key, hash, s.signed, s.sig) {
			return DetailQueryAddedAfterSigning
		}
	}
	return DetailBadSignature
}

func (v *Verifier) checkCustom(r *Request, p *params, q *queryScan, res *Result, s *scratch, key *trustedKey, hash crypto.Hash) (code, detail string) {
	if p.dup[pPolicy] {
		return CodeMalformedPolicy, DetailDuplicateParameter
	}
	text := p.val[pPolicy]
	if len(text) > maxEncodedPolicy {
		return CodeMalformedPolicy, DetailMalformedPolicy
	}
	raw, ok := decodeCF(s.policy, text)
	if !ok {
		return CodeMalformedPolicy, DetailMalformedPolicy
	}
	s.policy = raw
	id, pol, hit := v.cache.get(key, hash, true, raw, s.sig)
	if !hit {
		// The signature covers the exact decoded bytes; the policy is
		// never re-serialized (awscli and the SDKs order keys differently).
		// Decision: the policy is parsed before the signature is checked,
		// so a malformed policy says MalformedPolicy whoever signed it; the
		// parser is strict and bounded (8 KiB), so that is safe.
		var err error
		if pol, err = parsePolicy(raw); err != nil {
			return CodeMalformedPolicy, DetailMalformedPolicy
		}
		res.Expires = time.Unix(pol.dateLessThan, 0).UTC()
		if !verifyWith(key, hash, raw, s.sig) {
			if verifyWith(key, otherHash(hash), raw, s.sig) {
				return CodeAccessDenied, DetailWrongHashAlgorithm
			}
			return CodeAccessDenied, DetailBadSignature
		}
		v.cache.put(id, key, hash, true, raw, s.sig, pol)
	}
	res.Expires = time.Unix(pol.dateLessThan, 0).UTC()
	switch {
	case !r.Now.Before(res.Expires):
		return CodeAccessDenied, DetailExpired
	case pol.hasNotBefore && !r.Now.After(time.Unix(pol.dateGreaterThan, 0)):
		// "Users are not allowed to access the file on or before the
		// specified date and time."
		return CodeAccessDenied, DetailNotYetValid
	case pol.hasSourceIP:
		// Decision: an IPv4-mapped IPv6 viewer (a dual-stack socket) is
		// its IPv4 address; a real IPv6 viewer never matches, as
		// CloudFront does not support IPv6 in policies.
		a := r.Viewer.Unmap()
		if !a.Is4() || !pol.sourceIP.Contains(a) {
			return CodeAccessDenied, DetailIPMismatch
		}
	}
	if pol.resource != nil && !pol.resource.match(r.Scheme, r.Host, r.Path, q.origin) {
		return CodeAccessDenied, resourceFailure(pol.resource, r, q)
	}
	return "", ""
}

// resourceFailure explains a Resource that does not match the request.
func resourceFailure(rp *resourcePattern, r *Request, q *queryScan) string {
	for _, query := range [...]string{q.beforeSigning, ""} {
		if query != q.origin && rp.match(r.Scheme, r.Host, r.Path, query) {
			return DetailQueryAddedAfterSigning
		}
	}
	// "Do not specify the Amazon S3 URL for the file in a policy."
	h := rp.host()
	if strings.HasSuffix(h, ".amazonaws.com") && (strings.Contains(h, ".s3") || strings.HasPrefix(h, "s3")) &&
		!glob(h, lowerASCII(r.Host)) {
		return DetailS3URLSignedInstead
	}
	return DetailResourceMismatch
}

func otherHash(h crypto.Hash) crypto.Hash {
	if h == crypto.SHA256 {
		return crypto.SHA1
	}
	return crypto.SHA256
}

// verifyWith hashes signed with h and checks sig with key.
func verifyWith(key *trustedKey, h crypto.Hash, signed, sig []byte) bool {
	if h == crypto.SHA256 {
		d := sha256.Sum256(signed)
		return key.verify(h, d[:], sig)
	}
	d := sha1.Sum(signed)
	return key.verify(h, d[:], sig)
}
