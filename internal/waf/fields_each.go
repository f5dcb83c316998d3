package waf

import "strings"

// each calls fn with every value the field selects, in request order, and
// reports whether fn returned true for one of them. Oversize content
// follows the field's OversizeHandling: MATCH and NO_MATCH decide without
// inspecting, CONTINUE inspects what fits within AWS's limits.
func (f *field) each(c *evalCtx, fn func(v []byte) bool) bool {
	r := c.r
	switch f.kind {
	case fSingleHeader:
		for _, h := range r.Headers {
			if strings.EqualFold(h.Name, f.name) && fn(bs(h.Value)) {
				return true
			}
		}
		return false
	case fSingleQueryArg:
		return r.eachQueryArg(func(k, v string) bool { return strings.EqualFold(k, f.name) && fn(bs(v)) })
	case fAllQueryArgs:
		return r.eachQueryArg(func(_, v string) bool { return fn(bs(v)) })
	case fURIPath:
		return fn(bs(r.URI))
	case fQueryString:
		return fn(bs(r.RawQuery))
	case fMethod:
		return fn(bs(r.Method))
	case fJA3, fJA4:
		return f.eachFingerprint(r, fn)
	case fBody:
		body, over := c.bodyPrefix()
		if over {
			c.oversize("REQUEST_BODY")
			switch f.oversize {
			case ovMatch:
				return true
			case ovNoMatch:
				return false
			}
		}
		return fn(body)
	case fJSONBody:
		return f.eachJSON(c, fn)
	case fHeaders:
		return f.eachHeader(c, fn)
	case fCookies:
		return f.eachCookie(c, fn)
	case fHeaderOrder:
		if len(r.Headers) > maxMapItems {
			c.oversize("REQUEST_HEADERS")
			switch f.oversize {
			case ovMatch:
				return true
			case ovNoMatch:
				return false
			}
		}
		b := c.s.kbuf[:0]
		for i, h := range r.Headers {
			if i == maxMapItems {
				break
			}
			if i > 0 {
				b = append(b, ':')
			}
			for j := 0; j < len(h.Name); j++ {
				ch := h.Name[j]
				if ch >= 'A' && ch <= 'Z' {
					ch += 'a' - 'A'
				}
				b = append(b, ch)
			}
		}
		c.s.kbuf = b
		return fn(b)
	}
	return false
}

// eachFingerprint inspects the request's JA3 or JA4 fingerprint. Without
// one (plain HTTP, no ClientHello recorded), FallbackBehavior decides
// (API_JA3Fingerprint, API_JA4Fingerprint). Kept out of each, whose other
// cases are the hot path.
//
//go:noinline
func (f *field) eachFingerprint(r *Request, fn func(v []byte) bool) bool {
	v, ok := r.fingerprint(f.kind == fJA3)
	if !ok {
		return f.fallback
	}
	return fn(bs(v))
}

// bodyPrefix returns the inspectable body and whether the body is larger
// than the inspection limit (16 KB by default for CloudFront).
func (c *evalCtx) bodyPrefix() ([]byte, bool) {
	b, limit := c.r.Body, c.acl.bodyLimit
	if len(b) > limit {
		b = b[:limit]
	}
	return b, c.r.BodySize > int64(limit) || len(c.r.Body) > limit
}

func (f *field) eachHeader(c *evalCtx, fn func(v []byte) bool) bool {
	size, n := 0, 0
	for _, h := range c.r.Headers {
		size += len(h.Name) + len(h.Value) + 4 // "Name: Value\r\n"
		n++
	}
	if size > maxMapBytes || n > maxMapItems {
		c.oversize("REQUEST_HEADERS")
		switch f.oversize {
		case ovMatch:
			return true
		case ovNoMatch:
			return false
		}
	}
	size = 0
	for i, h := range c.r.Headers {
		size += len(h.Name) + len(h.Value) + 4
		if i >= maxMapItems || size > maxMapBytes {
			break
		}
		if f.wanted(h.Name) && f.inspectPair(h.Name, h.Value, fn) {
			return true
		}
	}
	return false
}

func (f *field) eachCookie(c *evalCtx, fn func(v []byte) bool) bool {
	size, n := 0, 0
	c.r.eachCookie(func(k, v string) bool { size += len(k) + len(v) + 2; n++; return false })
	if size > maxMapBytes || n > maxMapItems {
		c.oversize("REQUEST_COOKIES")
		switch f.oversize {
		case ovMatch:
			return true
		case ovNoMatch:
			return false
		}
	}
	size, n = 0, 0
	return c.r.eachCookie(func(k, v string) bool {
		size += len(k) + len(v) + 2
		n++
		if n > maxMapItems || size > maxMapBytes {
			return false
		}
		return f.wanted(k) && f.inspectPair(k, v, fn)
	})
}

// inspectPair applies the match scope: ALL matches when the key or the
// value matches (AWS: "All does not require a match to be found in the keys
// and a match to be found in the values").
func (f *field) inspectPair(k, v string, fn func(v []byte) bool) bool {
	switch f.scope {
	case scopeKey:
		return fn(bs(k))
	case scopeValue:
		return fn(bs(v))
	}
	return fn(bs(k)) || fn(bs(v))
}
