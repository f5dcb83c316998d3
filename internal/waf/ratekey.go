package waf

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// rateKey is one compiled RateBasedStatementCustomKey.
type rateKey struct {
	kind     string // as logged: HEADER, COOKIE, QUERY_ARGUMENT, QUERY_STRING, URI_PATH, HTTP_METHOD, IP, FORWARDED_IP, LABEL_NAMESPACE, JA3_FINGERPRINT, JA4_FINGERPRINT
	name     string // header, cookie or argument name; label namespace
	tx       chain
	fallback bool // JA3_FINGERPRINT, JA4_FINGERPRINT: FallbackBehavior MATCH
}

func (cp *compiler) rateKey(path string, k *types.RateBasedStatementCustomKey) rateKey {
	var set []rateKey
	named := func(kind, field string, name *string, tts []types.TextTransformation) {
		if deref(name) == "" {
			cp.errorf("%s.%s.Name: required", path, field)
		}
		tx, err := compileChain(path+"."+field+".TextTransformations", tts)
		cp.add(err)
		set = append(set, rateKey{kind: kind, name: deref(name), tx: tx})
	}
	if k.Header != nil {
		named("HEADER", "Header", k.Header.Name, k.Header.TextTransformations)
	}
	if k.Cookie != nil {
		named("COOKIE", "Cookie", k.Cookie.Name, k.Cookie.TextTransformations)
	}
	if k.QueryArgument != nil {
		named("QUERY_ARGUMENT", "QueryArgument", k.QueryArgument.Name, k.QueryArgument.TextTransformations)
	}
	if k.QueryString != nil {
		tx, err := compileChain(path+".QueryString.TextTransformations", k.QueryString.TextTransformations)
		cp.add(err)
		set = append(set, rateKey{kind: "QUERY_STRING", tx: tx})
	}
	if k.UriPath != nil {
		tx, err := compileChain(path+".UriPath.TextTransformations", k.UriPath.TextTransformations)
		cp.add(err)
		set = append(set, rateKey{kind: "URI_PATH", tx: tx})
	}
	if k.HTTPMethod != nil {
		set = append(set, rateKey{kind: "HTTP_METHOD"})
	}
	if k.IP != nil {
		set = append(set, rateKey{kind: "IP"})
	}
	if k.ForwardedIP != nil {
		set = append(set, rateKey{kind: "FORWARDED_IP"})
	}
	if k.LabelNamespace != nil {
		ns := deref(k.LabelNamespace.Namespace)
		if err := checkLabel(ns, true); err != nil || !strings.HasSuffix(ns, ":") {
			cp.errorf("%s.LabelNamespace.Namespace: %q must be a namespace ending with a colon", path, ns)
		}
		set = append(set, rateKey{kind: "LABEL_NAMESPACE", name: ns})
	}
	fingerprint := func(kind, field string, fb types.FallbackBehavior) {
		match, err := fallbackMatch(path+"."+field+".FallbackBehavior", fb)
		cp.add(err)
		cp.fingerprints = true
		set = append(set, rateKey{kind: kind, fallback: match})
	}
	if k.JA3Fingerprint != nil {
		fingerprint("JA3_FINGERPRINT", "JA3Fingerprint", k.JA3Fingerprint.FallbackBehavior)
	}
	if k.JA4Fingerprint != nil {
		fingerprint("JA4_FINGERPRINT", "JA4Fingerprint", k.JA4Fingerprint.FallbackBehavior)
	}
	// Refused by name: AWS derives the ASN "from the request's originating
	// or forwarded IP address" (API_RateBasedStatementCustomKey) without
	// saying which one when (docs/decisions.md).
	if k.ASN != nil {
		cp.errorf("%s.ASN: custom key ASN is not available at this edge", path)
		return rateKey{}
	}
	if len(set) != 1 {
		cp.errorf("%s: exactly one custom key is required", path)
		return rateKey{}
	}
	return set[0]
}

// value returns the key's value for the request; ok is false when the
// request lacks it (then AWS does not count the request, and a fingerprint
// key's FallbackBehavior decides the match). The result may live in
// scratch memory and is only valid until the next key.
func (k *rateKey) value(c *evalCtx, fwd *fwdConfig) ([]byte, bool) {
	r := c.r
	var v string
	found := false
	switch k.kind {
	case "HEADER":
		v, found = r.header(k.name)
	case "COOKIE":
		r.eachCookie(func(n, val string) bool {
			if n == k.name {
				v, found = val, true
			}
			return found
		})
	case "QUERY_ARGUMENT":
		r.eachQueryArg(func(n, val string) bool {
			if strings.EqualFold(n, k.name) {
				v, found = val, true
			}
			return found
		})
	case "QUERY_STRING":
		v, found = r.RawQuery, r.RawQuery != ""
	case "URI_PATH":
		v, found = r.URI, true
	case "HTTP_METHOD":
		v, found = r.Method, true
	case "JA3_FINGERPRINT", "JA4_FINGERPRINT":
		v, found = r.fingerprint(k.kind == "JA3_FINGERPRINT")
	case "IP", "FORWARDED_IP":
		a := r.ClientIP
		if k.kind == "FORWARDED_IP" {
			if fwd == nil {
				return nil, false
			}
			if a, found = fwd.addr(r); !found {
				return nil, false
			}
		}
		c.s.kbuf = a.Unmap().AppendTo(c.s.kbuf[:0])
		return c.s.kbuf, true
	case "LABEL_NAMESPACE":
		b := c.s.kbuf[:0]
		for _, l := range c.v.Labels {
			if strings.HasPrefix(l, k.name) {
				b = append(append(b, l...), '\n')
			}
		}
		c.s.kbuf = b
		return b, len(b) > 0
	}
	if !found {
		return nil, false
	}
	return k.tx.apply(c.s, bs(v)), true
}
