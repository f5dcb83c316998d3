package signedurl

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

func FuzzPolicyParse(f *testing.F) {
	for _, s := range []string{
		`{"Statement":[{"Resource":"https://example.com/*","Condition":{"DateLessThan":{"AWS:EpochTime":1767290400}}}]}`,
		`{"Statement":[{"Condition":{"IpAddress":{"AWS:SourceIp":"192.0.2.0/24"},"DateGreaterThan":{"AWS:EpochTime":1},"DateLessThan":{"AWS:EpochTime":2}}}]}`,
		"{ \"Statement\": [{ \r\n \"Resource\":\"*\", \"Condition\":{ \"DateLessThan\":{\"AWS:EpochTime\":1296860226} } }] }\r\n",
		`{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":"1"}}}]}`,
		`{"Statement":[{},{}]}`,
		`{"Statement":[{"Resource":"*example.com","Condition":{"DateLessThan":{"AWS:EpochTime":9223372036}}}]}`,
		`[`, `{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1e3}}}]}`, "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parsePolicy(b)
		if err != nil {
			return
		}
		// Whatever parses is one valid JSON statement with a bounded expiry.
		var doc struct {
			Statement []map[string]any
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("parsePolicy accepted invalid JSON %q: %v", b, err)
		}
		if len(doc.Statement) != 1 {
			t.Fatalf("parsePolicy accepted %d statements in %q", len(doc.Statement), b)
		}
		if p.dateLessThan < 0 || p.dateLessThan > maxEpoch || p.dateGreaterThan < 0 || p.dateGreaterThan > maxEpoch {
			t.Fatalf("epoch out of range in %+v", p)
		}
		if p.hasSourceIP && !p.sourceIP.Addr().Is4() {
			t.Fatalf("non-IPv4 source %v", p.sourceIP)
		}
		// Re-serialized in the SDK layout, it parses to the same policy.
		if p.resource != nil {
			ip := ""
			if p.hasSourceIP {
				ip = p.sourceIP.String()
			}
			again, err := parsePolicy(appendCustom(nil, p.resource.raw, ip, p.dateGreaterThan, p.dateLessThan, p.hasNotBefore))
			if err != nil {
				t.Fatalf("re-serialized %q does not parse: %v", b, err)
			}
			if again.resource.raw != p.resource.raw || again.dateLessThan != p.dateLessThan ||
				again.dateGreaterThan != p.dateGreaterThan || again.sourceIP != p.sourceIP {
				t.Fatalf("got %+v, want %+v", again, p)
			}
		}
	})
}

func FuzzBase64(f *testing.F) {
	for _, s := range []string{
		"", "AAAA", "QQ__", "QUI_", "-_~A", "ab+c", "ab/c", "ab==", "YWJj", "YW~j", "Y", "YWJjZA", "YWJjZA==", "YWJjZA__", "A_AA",
		encodeCF(bytes.Repeat([]byte{0xfb, 0xff}, 40)),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := decodeCF(nil, s)
		// The reference: only CloudFront's alphabet, mapped back, then
		// MIME base64 with padding.
		want, err := []byte(nil), error(nil)
		if strings.ContainsFunc(s, func(r rune) bool {
			return !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_~", r)
		}) ||
			len(s) > maxEncodedPolicy || s == "" {
			err = base64.CorruptInputError(0)
		} else {
			want, err = base64.StdEncoding.DecodeString(toStd(s))
		}
		if ok != (err == nil) {
			t.Fatalf("decodeCF(%q): got ok %v, want %v (%v)", s, ok, err == nil, err)
		}
		if !ok {
			return
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("decodeCF(%q): got %x, want %x", s, got, want)
		}
		again, ok := decodeCF(nil, encodeCF(got))
		if !ok || !bytes.Equal(again, got) {
			t.Fatalf("round trip of %x failed", got)
		}
		if e := encodeCF(got); strings.ContainsAny(e, "+/=") {
			t.Fatalf("encodeCF(%x) = %q has a URL-unsafe character", got, e)
		}
	})
}

func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"https://example.com/a?b=1&c=<2>", "\"\\\x00\u2028\xff", "日本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendJSONString(nil, []byte(s))), jsonEncode(t, s); got != want {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}

// FuzzGlob holds glob to a regular expression (RE2, linear time) oracle.
func FuzzGlob(f *testing.F) {
	for _, s := range [][2]string{{"a*b?c", "axxbyc"}, {"*", ""}, {"**a", "a"}, {"?*?", "ab"}, {"*a*a*b", "aaaaaab"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, p, s string) {
		var re strings.Builder
		re.WriteString(`^(?s)`)
		for _, c := range []byte(p) {
			switch c {
			case '*':
				re.WriteString(`.*`)
			case '?':
				re.WriteString(`.`)
			default:
				re.WriteString(regexp.QuoteMeta(string([]byte{c})))
			}
		}
		re.WriteString(`$`)
		// Compare on bytes: map every byte to a rune so '.' means one byte.
		want := regexp.MustCompile(latin1(re.String())).MatchString(latin1(s))
		if got := glob(p, s); got != want {
			t.Fatalf("glob(%q, %q): got %v, want %v", p, s, got, want)
		}
		if rp, err := parseResource(p); err == nil {
			scheme, host, path, query := splitURL(s)
			rp.match(scheme, host, path, query) // must not panic
		}
	})
}

func latin1(s string) string {
	r := make([]rune, len(s))
	for i := range len(s) {
		r[i] = rune(s[i])
	}
	return string(r)
}

// FuzzVerify feeds arbitrary queries and cookies to Verify. It must never
// panic, and it must never pass a request unless the test itself signed
// that exact URL with a trusted key.
func FuzzVerify(f *testing.F) {
	k := fixtureKeys(f)
	v := newTestVerifier(f, NewCache(64))
	const page = "https://example.com/f/a.txt"
	exp := testNow.Add(time.Hour)
	signed := map[string]bool{}
	addURL := func(u string) {
		_, _, _, q := splitURL(u)
		f.Add(q, "")
	}
	for _, tc := range []struct {
		url  string
		id   string
		key  crypto.Signer
		p    Policy
		hash crypto.Hash
	}{
		{page, rsaID, k.rsa, Policy{DateLessThan: exp, Canned: true}, crypto.SHA1},
		{page + "?x=1", rsaID, k.rsa, Policy{DateLessThan: exp, Canned: true}, crypto.SHA256},
		{page + "?x=1&y=2", ecID, k.ec, Policy{DateLessThan: exp}, crypto.SHA256},
		{page + "?z", ecID, k.ec, Policy{DateLessThan: exp, IPAddress: "192.0.2.0/24", DateGreaterThan: testNow.Add(-time.Hour)}, crypto.SHA1},
	} {
		signed[tc.url] = true
		addURL(mustSignURL(f, tc.url, tc.id, tc.key, tc.p, tc.hash))
		cookies, err := SignCookies(tc.url, tc.id, tc.key, tc.p, tc.hash)
		if err != nil {
			f.Fatal(err)
		}
		_, _, _, q := splitURL(tc.url)
		f.Add(q, cookieRequest(tc.url, cookies).Cookies[0])
	}
	f.Add("Expires=1&Signature=AAAA&Key-Pair-Id="+rsaID, "")
	f.Add("Policy=e30_&Signature=AAAA&Key-Pair-Id="+rsaID+"&Hash-Algorithm=SHA256", "")
	f.Add("", "CloudFront-Policy=e30_; CloudFront-Signature=AAAA; CloudFront-Key-Pair-Id="+ecID)
	f.Add("Key-Pair-Id=%ZZ&Signature=%", `CloudFront-Key-Pair-Id="`)

	f.Fuzz(func(t *testing.T, query, cookie string) {
		r := urlRequest(page)
		r.RawQuery = query
		r.Cookies = []string{cookie}
		got := v.Verify(r)
		if got.OK {
			u := page
			if got.OriginQuery != "" {
				u += "?" + got.OriginQuery
			}
			if !signed[u] {
				t.Fatalf("passed %s (query %q, cookie %q), which the test never signed", u, query, cookie)
			}
			return
		}
		if got.Message != Message(got.Code) || got.Code == "" || got.Detail == "" {
			t.Fatalf("incomplete denial %+v", got)
		}
	})
}
