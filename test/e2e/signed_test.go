package e2e

import (
	"crypto"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/cloudfront/sign"
)

// The signing parameters CloudFront removes before the origin request.
var signingParams = []string{"Expires", "Policy", "Signature", "Key-Pair-Id", "Hash-Algorithm"}

// signedDist is a distribution with the aliases www.example.com and
// other.example.com: /private/* requires signatures from the test key
// group, /errors/* and the rest are public.
func signedDist(o *origin) obj {
	orig := []obj{customOrigin("o", "127.0.0.1", o.port())}
	cfg := distConfig(orig, behavior("", "o"), signedBehavior("/private/*", "o"))
	cfg["Aliases"] = list("www.example.com", "other.example.com")
	return cfg
}

// startSigned starts an edge with the test keys and the distributions.
func startSigned(t *testing.T, dists map[string]obj) *edge {
	t.Helper()
	docs := signingDocs(t)
	for id, cfg := range dists {
		docs[id+".json"] = configDoc(cfg)
	}
	return startEdge(t, docs)
}

// cfBase64 is CloudFront's base64: '+' → '-', '=' → '_', '/' → '~'.
func cfBase64(b []byte) string {
	return strings.NewReplacer("+", "-", "=", "_", "/", "~").Replace(base64.StdEncoding.EncodeToString(b))
}

// signRaw signs the exact bytes of a policy with key and hash.
func signRaw(t *testing.T, key crypto.Signer, h crypto.Hash, policy []byte) string {
	t.Helper()
	var digest []byte
	if h == crypto.SHA256 {
		d := sha256.Sum256(policy)
		digest = d[:]
	} else {
		d := sha1.Sum(policy)
		digest = d[:]
	}
	sig, err := key.Sign(rand.Reader, digest, h)
	if err != nil {
		t.Fatal(err)
	}
	return cfBase64(sig)
}

// customPolicy builds a policy document with the SDK's types.
func customPolicy(resource string, notBefore, expires time.Time, ip string) *sign.Policy {
	c := sign.Condition{DateLessThan: sign.NewAWSEpochTime(expires)}
	if !notBefore.IsZero() {
		c.DateGreaterThan = sign.NewAWSEpochTime(notBefore)
	}
	if ip != "" {
		c.IPAddress = &sign.IPAddress{SourceIP: ip}
	}
	return &sign.Policy{Statements: []sign.Statement{{Resource: resource, Condition: c}}}
}

// sdkURL signs u with the SDK (canned when p is nil) and returns the
// request target (path and query).
func sdkURL(t *testing.T, keyID string, key crypto.Signer, u string, expires time.Time, p *sign.Policy) string {
	t.Helper()
	s := sign.NewURLSigner(keyID, key)
	var signed string
	var err error
	if p == nil {
		signed, err = s.Sign(u, expires)
	} else {
		signed, err = s.SignWithPolicy(u, p)
	}
	if err != nil {
		t.Fatal(err)
	}
	return targetOf(t, signed)
}

// sdkCookies signs cookies with the SDK (its canned form when p is nil)
// and returns a Cookie header value.
func sdkCookies(t *testing.T, keyID string, u string, expires time.Time, p *sign.Policy) string {
	t.Helper()
	s := sign.NewCookieSigner(keyID, testKeys(t).rsa)
	var cs []*http.Cookie
	var err error
	if p == nil {
		cs, err = s.Sign(u, expires)
	} else {
		cs, err = s.SignWithPolicy(p)
	}
	if err != nil {
		t.Fatal(err)
	}
	return cookieHeader(cs)
}

func cookieHeader(cs []*http.Cookie) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// targetOf is the path and query of an absolute URL, as sent.
func targetOf(t *testing.T, u string) string {
	t.Helper()
	_, rest, ok := strings.Cut(u, "://")
	i := strings.IndexByte(rest, '/')
	if !ok || i < 0 {
		t.Fatalf("not an absolute URL: %q", u)
	}
	return rest[i:]
}

// queryParam returns a query parameter's raw value from a target.
func queryParam(target, name string) string {
	_, q, _ := strings.Cut(target, "?")
	for _, kv := range strings.Split(q, "&") {
		if k, v, _ := strings.Cut(kv, "="); k == name {
			return v
		}
	}
	return ""
}

// setQueryParam replaces a query parameter's raw value in a target.
func setQueryParam(target, name, value string) string {
	path, q, _ := strings.Cut(target, "?")
	parts := strings.Split(q, "&")
	for i, kv := range parts {
		if k, _, _ := strings.Cut(kv, "="); k == name {
			parts[i] = name + "=" + value
		}
	}
	return path + "?" + strings.Join(parts, "&")
}

// cookieValue returns a cookie's value from a Cookie header value.
func cookieValue(header, name string) string {
	for _, kv := range strings.Split(header, "; ") {
		if k, v, _ := strings.Cut(kv, "="); k == name {
			return v
		}
	}
	return ""
}

// tamper changes one character in the middle of a CloudFront-base64 value.
func tamper(s string) string {
	i := len(s) / 2
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

// checkServedSigned checks a signed request reached the origin with the
// viewer's own query parameters and none of the signing ones.
func checkServedSigned(t *testing.T, e *edge, o *origin, r *response, dist, wantQuery string) {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("status: got %d, want 200; body %q", r.Status, r.Body)
	}
	got := o.mustByID(t, r.ID())
	if got.RawQuery != wantQuery {
		t.Errorf("origin query: got %q, want %q", got.RawQuery, wantQuery)
	}
	for _, kv := range strings.Split(got.RawQuery, "&") {
		k, _, _ := strings.Cut(kv, "=")
		for _, p := range signingParams {
			if k == p {
				t.Errorf("origin received the signing parameter %s: %q", p, got.RawQuery)
			}
		}
	}
	checkLog(t, e.waitLogID(t, dist+".*.gz", r.ID()), map[string]string{"sc-status": "200", "x-edge-result-type": "Miss"})
}

// TestSignedSDK: URLs and cookies made by the AWS SDK for Go v2 signer
// (RSA and ECDSA, SHA-1, canned and custom) are served, and the origin
// receives the viewer's own query parameters only (spec §5).
func TestSignedSDK(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	o := newOrigin(t, "app", nil)
	const id = "ESIGNSDK"
	host := defaultDomain(id)
	e := startSigned(t, map[string]obj{id: signedDist(o)})
	exp, past := time.Now().Add(time.Hour), time.Now().Add(-time.Hour)
	for _, tc := range []struct {
		name, proto, target, cookie, query string
	}{
		{name: "RSA canned URL", target: sdkURL(t, keyRSA, k.rsa, "http://"+host+"/private/a?color=red&size=2", exp, nil), query: "color=red&size=2"},
		{name: "RSA canned URL without a query", target: sdkURL(t, keyRSA, k.rsa, "http://"+host+"/private/a", exp, nil)},
		{name: "RSA canned URL over https", proto: "https", target: sdkURL(t, keyRSA, k.rsa, "https://"+host+"/private/a?s=1", exp, nil), query: "s=1"},
		{name: "RSA canned URL over h2", proto: "h2", target: sdkURL(t, keyRSA, k.rsa, "https://"+host+"/private/a?s=2", exp, nil), query: "s=2"},
		{name: "RSA custom URL", target: sdkURL(t, keyRSA, k.rsa, "http://"+host+"/private/b?x=1&y=%2F",
			exp, customPolicy("http://"+host+"/private/*", past, exp, "127.0.0.0/8")), query: "x=1&y=%2F"},
		{name: "ECDSA canned URL", target: sdkURL(t, keyEC, k.ec, "http://"+host+"/private/c?q=%2F", exp, nil), query: "q=%2F"},
		{name: "ECDSA custom URL", target: sdkURL(t, keyEC, k.ec, "http://"+host+"/private/c2?q=1",
			exp, customPolicy("http://"+host+"/private/c2*", time.Time{}, exp, "127.0.0.1/32")), query: "q=1"},
		{name: "RSA cookies", target: "/private/d?v=1", cookie: sdkCookies(t, keyRSA, "http://"+host+"/private/*", exp, nil), query: "v=1"},
		{name: "RSA cookies, custom policy", target: "/private/e/f", cookie: sdkCookies(t, keyRSA, "", exp,
			customPolicy("http://"+host+"/private/e/*", past, exp, "127.0.0.1/32"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if tc.cookie != "" {
				h.Set("Cookie", tc.cookie)
			}
			r := e.do(t, request{Proto: tc.proto, Host: host, Target: tc.target, Header: h})
			checkServedSigned(t, e, o, r, id, tc.query)
		})
	}
	t.Run("expired SDK URL", func(t *testing.T) {
		t.Parallel()
		r := e.do(t, request{Host: host, Target: sdkURL(t, keyRSA, k.rsa, "http://"+host+"/private/a", past, nil)})
		checkSigningError(t, r, "AccessDenied")
	})
}

// signCLI runs openfront sign with --json and returns its output.
func signCLI(t *testing.T, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(binary, append([]string{"sign"}, append(args, "--json")...)...).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("openfront sign %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	return out
}

// TestSignedCLI: URLs and cookies made by openfront sign — SHA-256 and
// ECDSA included, which the SDK cannot make — are served.
func TestSignedCLI(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	rsaFile, ecFile := privateKeyFile(t, k.rsa), privateKeyFile(t, k.ec)
	o := newOrigin(t, "app", nil)
	const id = "ESIGNCLI"
	host := defaultDomain(id)
	e := startSigned(t, map[string]obj{id: signedDist(o)})
	base := "http://" + host
	notBefore := strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10)
	for _, tc := range []struct {
		name   string
		url    []string // openfront sign url arguments
		cookie []string // openfront sign cookies arguments
		target string   // for cookies
		sha256 bool
		query  string
	}{
		{name: "URL, RSA, SHA-256, canned", url: []string{base + "/private/cli?k=v", "--key-pair-id", keyRSA, "--private-key", rsaFile, "--expires", "1h", "--hash", "sha256"}, sha256: true, query: "k=v"},
		{name: "URL, ECDSA, SHA-256, canned", url: []string{base + "/private/cli?k=w", "--key-pair-id", keyEC, "--private-key", ecFile, "--expires", "1h", "--hash", "sha256"}, sha256: true, query: "k=w"},
		{name: "URL, ECDSA, SHA-1, custom", url: []string{base + "/private/cli2", "--key-pair-id", keyEC, "--private-key", ecFile, "--expires", "1h", "--not-before", notBefore, "--ip", "127.0.0.1/32"}},
		{name: "URL, RSA, SHA-256, custom resource", url: []string{base + "/private/cli3/x?a=b", "--key-pair-id", keyRSA, "--private-key", rsaFile, "--expires", "30m", "--resource", base + "/private/cli3/*", "--hash", "sha256"}, sha256: true, query: "a=b"},
		{name: "cookies, ECDSA, SHA-256", cookie: []string{base + "/private/*", "--key-pair-id", keyEC, "--private-key", ecFile, "--expires", "1h", "--hash", "sha256"}, target: "/private/cookie?x=1", sha256: true, query: "x=1"},
		{name: "cookies, RSA, SHA-1, canned", cookie: []string{base + "/private/exact", "--key-pair-id", keyRSA, "--private-key", rsaFile, "--expires", "1h", "--policy-type", "canned"}, target: "/private/exact"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rq := request{Host: host, Header: http.Header{}}
			if tc.url != nil {
				var out struct{ URL string }
				if err := json.Unmarshal(signCLI(t, append([]string{"url"}, tc.url...)...), &out); err != nil {
					t.Fatal(err)
				}
				rq.Target = targetOf(t, out.URL)
				if got := queryParam(rq.Target, "Hash-Algorithm"); (got == "SHA256") != tc.sha256 {
					t.Errorf("Hash-Algorithm: got %q, want SHA256: %v", got, tc.sha256)
				}
			} else {
				var out struct {
					Cookies []struct{ Name, Value string }
				}
				if err := json.Unmarshal(signCLI(t, append([]string{"cookies"}, tc.cookie...)...), &out); err != nil {
					t.Fatal(err)
				}
				var cs []*http.Cookie
				for _, c := range out.Cookies {
					cs = append(cs, &http.Cookie{Name: c.Name, Value: c.Value})
				}
				rq.Target = tc.target
				rq.Header.Set("Cookie", cookieHeader(cs))
				if got := cookieValue(cookieHeader(cs), "CloudFront-Hash-Algorithm"); (got == "SHA256") != tc.sha256 {
					t.Errorf("CloudFront-Hash-Algorithm: got %q, want SHA256: %v", got, tc.sha256)
				}
			}
			r := e.do(t, rq)
			checkServedSigned(t, e, o, r, id, tc.query)
		})
	}
}

// TestSignedFailures: every way a signed URL or cookie fails gives 403,
// CloudFront's one-line XML body with the right code, text/xml, Server:
// CloudFront, a log line with x-edge-detailed-result-type Error, and a
// denial counted by cause (spec §1.3, §5.5; docs/decisions.md).
func TestSignedFailures(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	o := newOrigin(t, "app", nil)
	const id = "ESIGNFAIL"
	host := defaultDomain(id)
	base := "http://" + host
	e := startSigned(t, map[string]obj{id: signedDist(o)})
	now := time.Now()
	exp, past, future := now.Add(time.Hour), now.Add(-time.Hour), now.Add(time.Hour)

	canned := sdkURL(t, keyRSA, k.rsa, base+"/private/x?a=1", exp, nil)
	sig := queryParam(canned, "Signature")
	rawSig, err := base64.StdEncoding.DecodeString(strings.NewReplacer("-", "+", "_", "=", "~", "/").Replace(sig))
	if err != nil {
		t.Fatal(err)
	}
	custom := func(p *sign.Policy, key crypto.Signer, keyID string) string {
		return sdkURL(t, keyID, key, base+"/private/x?a=1", exp, p)
	}
	// A policy with milliseconds, correctly signed.
	msPolicy := []byte(`{"Statement":[{"Resource":"` + base + `/private/*","Condition":{"DateLessThan":{"AWS:EpochTime":` +
		strconv.FormatInt(exp.UnixMilli(), 10) + `}}}]}`)
	goodCookie := sdkCookies(t, keyRSA, base+"/private/*", exp, nil)
	without := func(header, name string) string {
		var parts []string
		for _, kv := range strings.Split(header, "; ") {
			if !strings.HasPrefix(kv, name+"=") {
				parts = append(parts, kv)
			}
		}
		return strings.Join(parts, "; ")
	}
	replaceCookie := func(header, name, value string) string {
		return without(header, name) + "; " + name + "=" + value
	}

	cases := []struct {
		name, target, cookie, code string
		fromCookie                 bool
	}{
		{name: "no signature", target: "/private/x?a=1", code: "MissingKey"},
		{name: "empty Key-Pair-Id", target: setQueryParam(canned, "Key-Pair-Id", ""), code: "MissingKey"},
		{name: "unknown key id", target: sdkURL(t, "K2E2EUNKNOWN99", k.rsa, base+"/private/x?a=1", exp, nil), code: "InvalidKey"},
		{name: "RFC 4648 URL-safe signature", target: setQueryParam(canned, "Signature", base64.URLEncoding.EncodeToString(rawSig)), code: "MalformedSignature"},
		{name: "garbage Policy", target: "/private/x?a=1&Policy=" + cfBase64([]byte("this is not a policy")) + "&Signature=" + sig + "&Key-Pair-Id=" + keyRSA, code: "MalformedPolicy"},
		{name: "undecodable Policy", target: "/private/x?a=1&Policy=not~base64!&Signature=" + sig + "&Key-Pair-Id=" + keyRSA, code: "MalformedPolicy"},
		{name: "Policy in milliseconds", target: "/private/x?Policy=" + cfBase64(msPolicy) + "&Signature=" + signRaw(t, k.rsa, crypto.SHA1, msPolicy) + "&Key-Pair-Id=" + keyRSA, code: "MalformedPolicy"},
		{name: "Hash-Algorithm MD5", target: canned + "&Hash-Algorithm=MD5", code: "MalformedPolicy"},
		{name: "expired canned", target: sdkURL(t, keyRSA, k.rsa, base+"/private/x?a=1", past, nil), code: "AccessDenied"},
		{name: "expired custom", target: custom(customPolicy(base+"/private/*", time.Time{}, past, ""), k.rsa, keyRSA), code: "AccessDenied"},
		{name: "not yet valid", target: custom(customPolicy(base+"/private/*", future, future.Add(time.Hour), ""), k.rsa, keyRSA), code: "AccessDenied"},
		{name: "IP mismatch", target: custom(customPolicy(base+"/private/*", time.Time{}, exp, "203.0.113.0/24"), k.rsa, keyRSA), code: "AccessDenied"},
		{name: "resource mismatch (custom)", target: custom(customPolicy(base+"/private/other", time.Time{}, exp, ""), k.rsa, keyRSA), code: "AccessDenied"},
		{name: "signed for another path (canned)", target: "/private/x?" + strings.SplitN(sdkURL(t, keyRSA, k.rsa, base+"/private/other", exp, nil), "?", 2)[1], code: "AccessDenied"},
		{name: "query added after signing", target: canned + "&extra=1", code: "AccessDenied"},
		{name: "tampered signature", target: setQueryParam(canned, "Signature", tamper(sig)), code: "AccessDenied"},
		{name: "signed by the other key of the group", target: setQueryParam(sdkURL(t, keyEC, k.ec, base+"/private/x?a=1", exp, nil), "Key-Pair-Id", keyRSA), code: "AccessDenied"},
		{name: "SHA-1 signature marked SHA256", target: canned + "&Hash-Algorithm=SHA256", code: "AccessDenied"},
		{name: "invalid URL wins over a valid cookie", target: setQueryParam(canned, "Signature", tamper(sig)), cookie: goodCookie, code: "AccessDenied"},
		{name: "a lone Expires wins over a valid cookie", target: "/private/x?Expires=" + strconv.FormatInt(exp.Unix(), 10), cookie: goodCookie, code: "MissingKey"},
		{name: "cookie without key id", target: "/private/y", cookie: without(goodCookie, "CloudFront-Key-Pair-Id"), code: "MissingKey", fromCookie: true},
		{name: "cookie with unknown key id", target: "/private/y", cookie: replaceCookie(goodCookie, "CloudFront-Key-Pair-Id", "K2E2EUNKNOWN99"), code: "InvalidKey", fromCookie: true},
		{name: "cookie with tampered signature", target: "/private/y", cookie: replaceCookie(goodCookie, "CloudFront-Signature", tamper(cookieValue(goodCookie, "CloudFront-Signature"))), code: "AccessDenied", fromCookie: true},
		{name: "expired cookie", target: "/private/y", cookie: sdkCookies(t, keyRSA, base+"/private/*", past, nil), code: "AccessDenied", fromCookie: true},
		{name: "cookie for another path", target: "/private/y", cookie: sdkCookies(t, keyRSA, base+"/private/z/*", exp, nil), code: "AccessDenied", fromCookie: true},
		{name: "cookie with IP mismatch", target: "/private/y", cookie: sdkCookies(t, keyRSA, "", exp, customPolicy(base+"/private/*", time.Time{}, exp, "203.0.113.0/24")), code: "AccessDenied", fromCookie: true},
	}
	byCookie, byURL := 0, 0
	for _, tc := range cases {
		if tc.fromCookie {
			byCookie++
		} else {
			byURL++
		}
	}
	t.Run("refusals", func(t *testing.T) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				h := http.Header{}
				if tc.cookie != "" {
					h.Set("Cookie", tc.cookie)
				}
				r := e.do(t, request{Host: host, Target: tc.target, Header: h})
				checkSigningError(t, r, tc.code)
				if _, ok := o.byID(r.ID()); ok {
					t.Error("the origin received a refused request")
				}
				checkLog(t, e.waitLogID(t, id+".*.gz", r.ID()), map[string]string{
					"sc-status": "403", "x-edge-result-type": "Error", "x-edge-response-result-type": "Error",
					"x-edge-detailed-result-type": "Error", "sc-content-type": "text/xml",
					"sc-content-len": strconv.Itoa(len(r.Body)), "c-ip": "127.0.0.1",
				})
			})
		}
	})
	t.Run("OPTIONS is not checked", func(t *testing.T) {
		r := e.do(t, request{Method: "OPTIONS", Host: host, Target: "/private/x?a=1",
			Header: http.Header{"Origin": {"https://app.example"}, "Access-Control-Request-Method": {"GET"}}})
		if r.Status != 200 || string(r.Body) != "app OPTIONS /private/x?a=1" {
			t.Errorf("got %d %q, want 200 from the origin", r.Status, r.Body)
		}
	})
	t.Run("HEAD is checked", func(t *testing.T) {
		r := e.do(t, request{Method: "HEAD", Host: host, Target: "/private/x"})
		if r.Status != 403 || r.Header.Get("Content-Type") != "text/xml" || len(r.Body) != 0 {
			t.Errorf("got %d %q with %d body bytes, want 403 text/xml and no body", r.Status, r.Header.Get("Content-Type"), len(r.Body))
		}
		byURL++
	})
	t.Run("public paths need no signature", func(t *testing.T) {
		r := e.do(t, request{Host: host, Target: "/public?Signature=x"})
		if r.Status != 200 {
			t.Errorf("status: got %d, want 200", r.Status)
		}
	})
	// The parallel refusals are done: count them.
	e.waitMetric(t, "openfront_denials_total", map[string]string{"distribution": id, "cause": "signed-url"}, float64(byURL))
	e.waitMetric(t, "openfront_denials_total", map[string]string{"distribution": id, "cause": "signed-cookie"}, float64(byCookie))
	e.waitMetric(t, "openfront_requests_total", map[string]string{"distribution": id, "status": "403", "result_type": "Error"}, float64(byURL+byCookie))
}

// TestSignedHost: the canned policy is rebuilt with the Host the viewer
// sent, port included when it is not the default: a URL signed for
// https://www.example.com:PORT/… verifies there, and fails on another alias
// of the same distribution (docs/decisions.md).
func TestSignedHost(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	o := newOrigin(t, "app", nil)
	const id = "ESIGNHOST"
	e := startSigned(t, map[string]obj{id: signedDist(o)})
	_, port, _ := net.SplitHostPort(e.HTTPS)
	www, other := net.JoinHostPort("www.example.com", port), net.JoinHostPort("other.example.com", port)
	exp := time.Now().Add(time.Hour)
	canned := sdkURL(t, keyRSA, k.rsa, "https://"+www+"/private/x?y=1", exp, nil)
	custom := sdkURL(t, keyRSA, k.rsa, "https://"+www+"/private/x?y=1", exp, customPolicy("https://"+www+"/private/*", time.Time{}, exp, ""))
	noPort := sdkURL(t, keyRSA, k.rsa, "https://www.example.com/private/x?y=1", exp, nil)
	for _, tc := range []struct {
		name, proto, host, target string
		ok                        bool
	}{
		{"canned, signed host and port", "https", www, canned, true},
		{"canned, signed host and port over h2", "h2", www, canned, true},
		{"custom, signed host and port", "https", www, custom, true},
		{"canned, another alias", "https", other, canned, false},
		{"custom, another alias", "https", other, custom, false},
		{"canned, signed without the port", "https", www, noPort, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := e.do(t, request{Proto: tc.proto, Host: tc.host, Target: tc.target})
			if tc.ok {
				checkServedSigned(t, e, o, r, id, "y=1")
				if got := o.mustByID(t, r.ID()).Host; got != tc.host {
					t.Errorf("origin Host: got %q, want %q (AllViewer)", got, tc.host)
				}
				return
			}
			checkSigningError(t, r, "AccessDenied")
			checkLog(t, e.waitLogID(t, id+".*.gz", r.ID()), map[string]string{
				"sc-status": "403", "x-edge-detailed-result-type": "Error", "x-host-header": tc.host, "cs-protocol": "https",
			})
		})
	}
}

// TestSignedCustomErrorResponse: a CustomErrorResponse for 403 replaces the
// signed-URL XML body (docs/decisions.md, spec Open question 4).
func TestSignedCustomErrorResponse(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	o := newOrigin(t, "app", nil)
	pages := newOrigin(t, "pages", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "pages-origin")
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, "<h1>please sign in %s</h1>", r.URL.Path)
	})
	const id = "ESIGNCER"
	host := defaultDomain(id)
	cfg := distConfig([]obj{customOrigin("o", "127.0.0.1", o.port()), customOrigin("pages", "127.0.0.1", pages.port())},
		behavior("", "o"), signedBehavior("/private/*", "o"), behavior("/errors/*", "pages"))
	cfg["CustomErrorResponses"] = list(obj{"ErrorCode": 403, "ResponsePagePath": "/errors/signin.html", "ResponseCode": "403", "ErrorCachingMinTTL": 10})
	e := startSigned(t, map[string]obj{id: cfg})
	exp := time.Now().Add(time.Hour)
	canned := sdkURL(t, keyRSA, k.rsa, "http://"+host+"/private/x", exp, nil)
	t.Run("refusals", func(t *testing.T) {
		for _, tc := range []struct{ name, target string }{
			{"no signature", "/private/x"},
			{"tampered signature", setQueryParam(canned, "Signature", tamper(queryParam(canned, "Signature")))},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				r := e.do(t, request{Host: host, Target: tc.target})
				if r.Status != 403 {
					t.Errorf("status: got %d, want 403", r.Status)
				}
				if want := "<h1>please sign in /errors/signin.html</h1>"; string(r.Body) != want {
					t.Errorf("body: got %q, want %q", r.Body, want)
				}
				if got := r.Header.Get("Content-Type"); got != "text/html" {
					t.Errorf("Content-Type: got %q, want the page's text/html", got)
				}
				checkCloudFrontHeaders(t, r, "Error from cloudfront")
				if _, ok := o.byID(r.ID()); ok {
					t.Error("the app origin received a refused request")
				}
				checkLog(t, e.waitLogID(t, id+".*.gz", r.ID()), map[string]string{
					"sc-status": "403", "x-edge-result-type": "Error", "x-edge-detailed-result-type": "Error",
				})
			})
		}
	})
	t.Run("valid signature", func(t *testing.T) {
		r := e.do(t, request{Host: host, Target: canned})
		checkServedSigned(t, e, o, r, id, "")
	})
	e.waitMetric(t, "openfront_denials_total", map[string]string{"distribution": id, "cause": "signed-url"}, 2)
}
