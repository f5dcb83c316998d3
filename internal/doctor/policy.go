package doctor

// Reading a signed URL's policy and matching its Resource (spec §5.2, §5.4).

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// policyFacts are the conditions of a canned or custom policy.
type policyFacts struct {
	canned   bool
	resource string
	expires  time.Time
	start    time.Time
	hasStart bool
	sourceIP netip.Prefix
}

// epochLimit separates seconds from milliseconds: 10^11 seconds is the year
// 5138, while milliseconds since 1973 are above it. Millisecond epochs give
// MalformedPolicy (aws-sdk-js#2236).
const epochLimit = 100_000_000_000

func readPolicy(p signingParams) (policyFacts, error) {
	var f policyFacts
	if !p.hasPolicy {
		if !p.hasExpires {
			return f, fmt.Errorf("neither Expires nor Policy")
		}
		n, err := strconv.ParseInt(p.expires, 10, 64)
		if err != nil || n < 0 {
			return f, fmt.Errorf("Expires %q is not a number of seconds", p.expires)
		}
		if n >= epochLimit {
			return f, fmt.Errorf("Expires %d is in milliseconds; CloudFront wants seconds", n)
		}
		f.canned, f.expires = true, time.Unix(n, 0).UTC()
		return f, nil
	}
	raw, err := decodeCloudFrontBase64(p.policy)
	if err != nil {
		return f, fmt.Errorf("Policy is not CloudFront base64: %v", err)
	}
	var doc struct {
		Statement []struct {
			Resource  string `json:"Resource"`
			Condition struct {
				DateLessThan    map[string]json.Number `json:"DateLessThan"`
				DateGreaterThan map[string]json.Number `json:"DateGreaterThan"`
				IPAddress       map[string]string      `json:"IpAddress"`
			} `json:"Condition"`
		} `json:"Statement"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return f, fmt.Errorf("Policy is not JSON: %v", err)
	}
	if len(doc.Statement) != 1 {
		return f, fmt.Errorf("Policy has %d statements; CloudFront takes exactly one", len(doc.Statement))
	}
	st := doc.Statement[0]
	f.resource = st.Resource
	epoch := func(m map[string]json.Number, name string) (time.Time, bool, error) {
		v, ok := m["AWS:EpochTime"]
		if !ok {
			return time.Time{}, false, nil
		}
		n, err := v.Int64()
		if err != nil {
			return time.Time{}, true, fmt.Errorf("%s AWS:EpochTime %q is not an integer", name, v)
		}
		if n >= epochLimit {
			return time.Time{}, true, fmt.Errorf("%s AWS:EpochTime %d is in milliseconds; CloudFront wants seconds", name, n)
		}
		return time.Unix(n, 0).UTC(), true, nil
	}
	var ok bool
	if f.expires, ok, err = epoch(st.Condition.DateLessThan, "DateLessThan"); err != nil {
		return f, err
	} else if !ok {
		return f, fmt.Errorf("Policy has no DateLessThan, which CloudFront requires")
	}
	if f.start, f.hasStart, err = epoch(st.Condition.DateGreaterThan, "DateGreaterThan"); err != nil {
		return f, err
	}
	if ip := st.Condition.IPAddress["AWS:SourceIp"]; ip != "" {
		if pfx, err := netip.ParsePrefix(ip); err == nil {
			f.sourceIP = pfx
		} else if a, err := netip.ParseAddr(ip); err == nil {
			f.sourceIP = netip.PrefixFrom(a, a.BitLen())
		} else {
			return f, fmt.Errorf("AWS:SourceIp %q is not an IPv4 address or CIDR", ip)
		}
	}
	return f, nil
}

func decodeCloudFrontBase64(s string) ([]byte, error) {
	r := strings.NewReplacer("-", "+", "_", "=", "~", "/")
	return base64.StdEncoding.DecodeString(r.Replace(s))
}

// originQuery is the raw query without the signing parameters.
func originQuery(q string) string {
	var kept []string
	for _, seg := range strings.Split(q, "&") {
		name, _, _ := strings.Cut(seg, "=")
		if seg != "" && !isSigningName(name) {
			kept = append(kept, seg)
		}
	}
	return strings.Join(kept, "&")
}

// beforeSigning is originQuery limited to the parameters before the first
// signing parameter.
func beforeSigning(q string) string {
	var kept []string
	for _, seg := range strings.Split(q, "&") {
		name, _, _ := strings.Cut(seg, "=")
		if isSigningName(name) {
			break
		}
		if seg != "" {
			kept = append(kept, seg)
		}
	}
	return strings.Join(kept, "&")
}

func isSigningName(n string) bool {
	for _, s := range queryParamNames {
		if n == s {
			return true
		}
	}
	return false
}

func requestURL(r *request, query string) string {
	u := schemeOf(r.Protocol) + "://" + strings.ToLower(r.HostHeader) + r.Path
	if query != "" {
		u += "?" + query
	}
	return u
}

func resourceHost(res string) string {
	_, rest, ok := strings.Cut(res, "://")
	if !ok {
		return ""
	}
	h, _, _ := strings.Cut(rest, "/")
	if strings.ContainsAny(h, "*?") {
		return ""
	}
	return strings.ToLower(h)
}

// globMatch matches a policy Resource against a URL with "*" (any run) and
// "?" (one byte) anywhere. It is more permissive than CloudFront, whose
// wildcards stay inside their section, so a mismatch here is a mismatch
// there too. The scheme and host compare case-insensitively.
func globMatch(pattern, s string) bool {
	if pattern == "*" {
		return true
	}
	if i := strings.Index(pattern, "://"); i > 0 {
		j := strings.Index(s, "://")
		if j < 0 {
			return false
		}
		ph, pr := splitHost(pattern[i+3:])
		sh, sr := splitHost(s[j+3:])
		return glob(strings.ToLower(pattern[:i]), strings.ToLower(s[:j])) &&
			glob(strings.ToLower(ph)+pr, strings.ToLower(sh)+sr)
	}
	return glob(pattern, s)
}

func splitHost(s string) (host, rest string) {
	if i := strings.IndexByte(s, '/'); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// glob is the linear-time wildcard match.
func glob(p, s string) bool {
	p = strings.ReplaceAll(p, `\?`, "?")
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
