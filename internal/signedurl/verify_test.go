package signedurl

import (
	"crypto"
	"fmt"
	"net/http"
	"net/netip"
	"testing"
	"time"
)

// TestRoundTrip signs with every key type, hash, policy form and carrier and
// checks the edge accepts the result, with and without a cache.
func TestRoundTrip(t *testing.T) {
	k := fixtureKeys(t)
	const target = "https://d111111abcdef8.cloudfront.net/videos/intro.mp4?quality=hd&lang=en"
	type signerCase struct {
		name string
		id   string
		key  crypto.Signer
	}
	signers := []signerCase{{"rsa2048", rsaID, k.rsa}, {"ecdsa-p256", ecID, k.ec}}
	hashes := []crypto.Hash{crypto.SHA1, crypto.SHA256}
	policies := map[string]Policy{
		"canned": {DateLessThan: testNow.Add(time.Hour), Canned: true},
		"custom": {
			Resource:        "https://d111111abcdef8.cloudfront.net/videos/*",
			DateLessThan:    testNow.Add(time.Hour),
			DateGreaterThan: testNow.Add(-time.Minute),
			IPAddress:       "192.0.2.0/24",
		},
	}
	for _, cached := range []bool{false, true} {
		var cache *Cache
		if cached {
			cache = NewCache(100)
		}
		v := newTestVerifier(t, cache)
		for _, s := range signers {
			for _, h := range hashes {
				for pname, p := range policies {
					for _, carrier := range []string{SourceURL, SourceCookie} {
						name := fmt.Sprintf("%s/%v/%s/%s/cached=%v", s.name, h, pname, carrier, cached)
						t.Run(name, func(t *testing.T) {
							var r *Request
							if carrier == SourceURL {
								r = urlRequest(mustSignURL(t, target, s.id, s.key, p, h))
							} else {
								cookies, err := SignCookies(target, s.id, s.key, p, h)
								if err != nil {
									t.Fatal(err)
								}
								r = cookieRequest(target, cookies)
							}
							for i := range 2 { // the second time hits the cache, if any
								got := v.Verify(r)
								if !got.OK || got.Source != carrier || got.KeyID != s.id {
									t.Fatalf("pass %d: got %+v, want OK from %s with key %s", i, got, carrier, s.id)
								}
								if got.OriginQuery != "quality=hd&lang=en" {
									t.Errorf("got OriginQuery %q, want %q", got.OriginQuery, "quality=hd&lang=en")
								}
								if want := p.DateLessThan; !got.Expires.Equal(want) {
									t.Errorf("got Expires %v, want %v", got.Expires, want)
								}
							}
						})
					}
				}
			}
		}
	}
}

// TestVerifyIsPure checks that the verdict depends only on the Request: the
// same signed URL passes or expires according to Request.Now alone, with a
// warm cache in between.
func TestVerifyIsPure(t *testing.T) {
	k := fixtureKeys(t)
	v := newTestVerifier(t, NewCache(10))
	u := mustSignURL(t, "https://example.com/a", rsaID, k.rsa, Policy{DateLessThan: testNow.Add(time.Minute), Canned: true}, crypto.SHA1)
	tests := []struct {
		now  time.Time
		want verdict
	}{
		{testNow, okVerdict},
		{testNow.Add(time.Minute - time.Nanosecond), okVerdict},
		{testNow.Add(time.Minute), denied(CodeAccessDenied, DetailExpired)},
		{testNow.Add(-24 * time.Hour), okVerdict},
		{testNow.Add(time.Hour), denied(CodeAccessDenied, DetailExpired)},
	}
	for _, tc := range tests {
		r := urlRequest(u)
		r.Now = tc.now
		if got := verdictOf(v.Verify(r)); got != tc.want {
			t.Errorf("at %v: got %v, want %v", tc.now, got, tc.want)
		}
	}
}

// TestCacheRechecksConditions: a cached signature still expires and still
// checks the viewer's address on every request.
func TestCacheRechecksConditions(t *testing.T) {
	k := fixtureKeys(t)
	cache := NewCache(10)
	v := newTestVerifier(t, cache)
	u := mustSignURL(t, "https://example.com/a", ecID, k.ec, Policy{
		DateLessThan: testNow.Add(time.Minute), IPAddress: "192.0.2.10",
	}, crypto.SHA256)
	if got := v.Verify(urlRequest(u)); !got.OK {
		t.Fatalf("got %+v, want OK", got)
	}
	if got := cache.Len(); got != 1 {
		t.Fatalf("got %d cache entries, want 1", got)
	}
	r := urlRequest(u)
	r.Viewer = netip.MustParseAddr("198.51.100.1")
	if got, want := verdictOf(v.Verify(r)), denied(CodeAccessDenied, DetailIPMismatch); got != want {
		t.Errorf("other viewer: got %v, want %v", got, want)
	}
	r = urlRequest(u)
	r.Now = testNow.Add(2 * time.Minute)
	if got, want := verdictOf(v.Verify(r)), denied(CodeAccessDenied, DetailExpired); got != want {
		t.Errorf("later: got %v, want %v", got, want)
	}
	// Another verifier that maps the same ID to another key must not reuse
	// the cached verdict.
	other := NewVerifier(map[string]crypto.PublicKey{ecID: &k.rsa.PublicKey}, cache)
	if got, want := verdictOf(other.Verify(urlRequest(u))), denied(CodeAccessDenied, DetailBadSignature); got != want {
		t.Errorf("same ID, other key: got %v, want %v", got, want)
	}
}

func TestOptionsAndPrecedence(t *testing.T) {
	k := fixtureKeys(t)
	v := newTestVerifier(t, nil)
	const base = "https://example.com/media/a.m3u8"
	p := Policy{Resource: "https://example.com/media/*", DateLessThan: testNow.Add(time.Hour)}
	goodURL := mustSignURL(t, base, rsaID, k.rsa, p, crypto.SHA1)
	goodCookies, err := SignCookies(base, rsaID, k.rsa, p, crypto.SHA1)
	if err != nil {
		t.Fatal(err)
	}
	badURL := replaceParam(goodURL, "Key-Pair-Id", "KUNKNOWN")
	badCookies := []*http.Cookie{goodCookies[0], goodCookies[1], {Name: "CloudFront-Key-Pair-Id", Value: "KUNKNOWN"}}

	tests := []struct {
		name   string
		r      *Request
		want   verdict
		source string
	}{
		{"nothing present", urlRequest(base), denied(CodeMissingKey, DetailMissingKeyPairID), ""},
		{"options unchecked", func() *Request { r := urlRequest(badURL); r.Method = "OPTIONS"; return r }(), okVerdict, ""},
		{"options without anything", func() *Request { r := urlRequest(base); r.Method = "OPTIONS"; return r }(), okVerdict, ""},
		{"lower-case options is checked", func() *Request { r := urlRequest(base); r.Method = "options"; return r }(),
			denied(CodeMissingKey, DetailMissingKeyPairID), ""},
		{"valid URL, invalid cookies: URL wins", cookieRequest(goodURL, badCookies), okVerdict, SourceURL},
		{"invalid URL, valid cookies: URL wins", cookieRequest(badURL, goodCookies), denied(CodeInvalidKey, DetailUnknownKey), SourceURL},
		{"cookies only", cookieRequest(base, goodCookies), okVerdict, SourceCookie},
		{"Hash-Algorithm alone does not make a signed URL", cookieRequest(base+"?Hash-Algorithm=SHA1", goodCookies), okVerdict, SourceCookie},
		{"empty Key-Pair-Id", urlRequest(replaceParam(goodURL, "Key-Pair-Id", "")), denied(CodeMissingKey, DetailMissingKeyPairID), SourceURL},
		{"only Signature", urlRequest(base + "?Signature=abcd"), denied(CodeMissingKey, DetailMissingKeyPairID), SourceURL},
		{"only Key-Pair-Id", urlRequest(base + "?Key-Pair-Id=" + rsaID), denied(CodeMalformedSignature, DetailMalformedSignature), SourceURL},
		{"no Policy nor Expires", urlRequest(base + "?Signature=" + paramValue(goodURL, "Signature") + "&Key-Pair-Id=" + rsaID),
			denied(CodeMalformedPolicy, DetailMalformedPolicy), SourceURL},
		{"cookie without key", cookieRequest(base, goodCookies[:2]), denied(CodeMissingKey, DetailMissingKeyPairID), SourceCookie},
		{"cookie names are case-sensitive", func() *Request {
			r := urlRequest(base)
			r.Cookies = []string{"cloudfront-key-pair-id=" + rsaID}
			return r
		}(), denied(CodeMissingKey, DetailMissingKeyPairID), ""},
		{"quoted cookie values and two header lines", func() *Request {
			r := urlRequest(base)
			r.Cookies = []string{
				`session=x; CloudFront-Policy="` + goodCookies[0].Value + `"`,
				"CloudFront-Signature=" + goodCookies[1].Value + ";CloudFront-Key-Pair-Id=" + rsaID + "; theme=dark",
			}
			return r
		}(), okVerdict, SourceCookie},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := v.Verify(tc.r)
			if verdictOf(got) != tc.want || got.Source != tc.source || got.OK != (tc.want == okVerdict) {
				t.Errorf("got %+v, want %v from %q", got, tc.want, tc.source)
			}
		})
	}
}

func TestOriginQuery(t *testing.T) {
	v := newTestVerifier(t, nil)
	tests := []struct{ raw, want string }{
		{"", ""},
		{"a=1&b=2", "a=1&b=2"},
		{"a=1&Expires=1&Signature=x&Key-Pair-Id=K&b=2", "a=1&b=2"},
		{"Policy=x&Signature=y&Key-Pair-Id=K&Hash-Algorithm=SHA256", ""},
		{"a=1&&b=2&Expires=1", "a=1&&b=2"},
		{"expires=1&Expires=2", "expires=1"},
		{"Expires&Signature=&x", "x"},
	}
	for _, tc := range tests {
		r := urlRequest("https://example.com/p")
		r.RawQuery = tc.raw
		for _, m := range []string{"GET", "OPTIONS"} {
			r.Method = m
			if got := v.Verify(r).OriginQuery; got != tc.want {
				t.Errorf("%s %q: got %q, want %q", m, tc.raw, got, tc.want)
			}
		}
	}
}

func TestResultCause(t *testing.T) {
	tests := []struct {
		r    Result
		want string
	}{
		{Result{OK: true}, ""},
		{Result{Source: SourceURL, Code: CodeAccessDenied}, "signed-url"},
		{Result{Source: SourceCookie, Code: CodeAccessDenied}, "signed-cookie"},
		{Result{Code: CodeMissingKey}, "signed-url"},
	}
	for _, tc := range tests {
		if got := string(tc.r.Cause()); got != tc.want {
			t.Errorf("%+v: got %v, want %v", tc.r, got, tc.want)
		}
	}
}

func TestMessages(t *testing.T) {
	want := map[string]string{
		"MissingKey":         "Missing Key-Pair-Id query parameter or cookie value",
		"InvalidKey":         "Unknown Key",
		"MalformedSignature": "Could not unencode Signature",
		"MalformedPolicy":    "Malformed Policy",
		"AccessDenied":       "Access denied",
	}
	for code, msg := range want {
		if got := Message(code); got != msg {
			t.Errorf("Message(%q): got %q, want %q", code, got, msg)
		}
	}
}

// TestConcurrentVerify shares one verifier and cache between goroutines (run
// with -race).
func TestConcurrentVerify(t *testing.T) {
	k := fixtureKeys(t)
	v := newTestVerifier(t, NewCache(4))
	var urls []string
	for i := range 8 {
		urls = append(urls, mustSignURL(t, fmt.Sprintf("https://example.com/%d", i), ecID, k.ec,
			Policy{DateLessThan: testNow.Add(time.Hour)}, crypto.SHA256))
	}
	done := make(chan string)
	for g := range 4 {
		go func() {
			for i := range 50 {
				u := urls[(g+i)%len(urls)]
				if res := v.Verify(urlRequest(u)); !res.OK {
					done <- fmt.Sprintf("%s: %+v", u, res)
					return
				}
			}
			done <- ""
		}()
	}
	for range 4 {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
}
