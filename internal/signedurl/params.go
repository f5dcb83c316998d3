package signedurl

import (
	"net/url"
	"strings"
)

// param indexes the signing parameters.
type param int

const (
	pExpires param = iota
	pPolicy
	pSignature
	pKeyPairID
	pHashAlgorithm
	numParams
)

// queryNames are the signed-URL query parameters ("Create a signed URL using a
// canned policy" / "… a custom policy"). Decision: names are matched
// byte-exactly and case-sensitively, without percent-decoding, because the
// docs say parameter names must be exact and no signer escapes them.
var queryNames = [numParams]string{"Expires", "Policy", "Signature", "Key-Pair-Id", "Hash-Algorithm"}

// cookieNames are the signed-cookie names ("Set signed cookies using a canned
// policy" / "… a custom policy"); cookie names are case-sensitive.
var cookieNames = [numParams]string{
	"CloudFront-Expires", "CloudFront-Policy", "CloudFront-Signature", "CloudFront-Key-Pair-Id", "CloudFront-Hash-Algorithm",
}

// params holds the signing parameters found in a query or in cookies.
type params struct {
	val  [numParams]string
	seen [numParams]bool
	dup  [numParams]bool
}

func (p *params) set(i param, v string, collapseSame bool) {
	if p.seen[i] {
		if !collapseSame || p.val[i] != v {
			p.dup[i] = true
		}
		return
	}
	p.seen[i], p.val[i] = true, v
}

// signedURL reports whether the query makes this a signed URL: CloudFront
// then ignores signed cookies entirely ("Choose between signed URLs and signed
// cookies": a signed URL takes precedence). Hash-Algorithm alone does not
// count; the docs list only these four.
func (p *params) signedURL() bool {
	return p.seen[pExpires] || p.seen[pPolicy] || p.seen[pSignature] || p.seen[pKeyPairID]
}

func (p *params) any() bool {
	return p.signedURL() || p.seen[pHashAlgorithm]
}

func lookup(names *[numParams]string, name string) (param, bool) {
	for i, n := range names {
		if n == name {
			return param(i), true
		}
	}
	return 0, false
}

// queryScan is the signing-relevant view of a raw query.
type queryScan struct {
	params
	// origin is the query without the signing parameters, in order.
	origin string
	// beforeSigning is origin restricted to the parameters that came before
	// the first signing parameter. SDKs append the signing parameters, so
	// anything after them was most likely added after signing.
	beforeSigning string
}

// scanQuery finds the signing parameters in raw. Decision: a signing
// parameter that appears twice in a URL is refused (Detail
// duplicate-parameter), whatever the values: no signer produces that, and
// picking one would make the URL mean different things to different readers.
// Values are percent-decoded ('+' stays '+', so a raw '+' in a Signature is
// refused as CloudFront does); names are not.
func scanQuery(raw string) queryScan {
	var q queryScan
	if raw == "" {
		return q
	}
	var kept []string
	removed, firstSigning := false, -1
	for i, rest := 0, raw; ; i++ {
		seg, tail, more := strings.Cut(rest, "&")
		name, value, _ := strings.Cut(seg, "=")
		if p, ok := lookup(&queryNames, name); ok {
			if strings.IndexByte(value, '%') >= 0 {
				if v, err := url.PathUnescape(value); err == nil {
					value = v
				}
			}
			q.set(p, value, false)
			if !removed {
				removed, firstSigning = true, len(kept)
			}
		} else {
			kept = append(kept, seg)
		}
		if !more {
			break
		}
		rest = tail
	}
	if !removed {
		q.origin, q.beforeSigning = raw, raw
		return q
	}
	q.origin = strings.Join(kept, "&")
	q.beforeSigning = strings.Join(kept[:firstSigning], "&")
	return q
}

// scanCookies finds the signed-cookie values in Cookie header lines.
// Decision: browsers send two cookies of one name when they were set with
// different Path or Domain attributes; identical values are harmless and
// collapse, different values are refused (duplicate-parameter) because no
// rule can pair the right Policy with the right Signature. Values are used as
// sent, without percent-decoding (RFC 6265 values are opaque), minus
// surrounding double quotes.
func scanCookies(lines []string) params {
	var p params
	for _, line := range lines {
		for line != "" {
			var pair string
			pair, line, _ = strings.Cut(line, ";")
			name, value, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok || !strings.HasPrefix(name, "CloudFront-") {
				continue
			}
			i, known := lookup(&cookieNames, name)
			if !known {
				continue
			}
			value = strings.TrimSpace(value)
			if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
				value = value[1 : len(value)-1]
			}
			p.set(i, value, true)
		}
	}
	return p
}
