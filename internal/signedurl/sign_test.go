package signedurl

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"testing"
	"time"
)

func TestSignURLErrors(t *testing.T) {
	k := fixtureKeys(t)
	exp := testNow.Add(time.Hour)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		url     string
		id      string
		key     crypto.Signer
		p       Policy
		hash    crypto.Hash
		wantErr string
	}{
		{"ok canned", "https://example.com/a", rsaID, k.rsa, Policy{DateLessThan: exp, Canned: true}, crypto.SHA1, ""},
		{"ok hash zero means SHA1", "https://example.com/a", rsaID, k.rsa, Policy{DateLessThan: exp}, 0, ""},
		{"no expiry", "https://example.com/a", rsaID, k.rsa, Policy{}, crypto.SHA1, "DateLessThan is required"},
		{"expiry before 1970", "https://example.com/a", rsaID, k.rsa, Policy{DateLessThan: time.Unix(-5, 0)}, crypto.SHA1, "outside"},
		{"expiry after 2262", "https://example.com/a", rsaID, k.rsa, Policy{DateLessThan: time.Unix(maxEpoch+1, 0)}, crypto.SHA1, "outside"},
		{"not before after expiry", "https://example.com/a", rsaID, k.rsa, Policy{DateLessThan: exp, DateGreaterThan: exp}, crypto.SHA1, "before DateLessThan"},
		{"canned with IP", "https://example.com/a", rsaID, k.rsa, Policy{DateLessThan: exp, IPAddress: "192.0.2.1", Canned: true}, crypto.SHA1, "canned"},
		{"canned with other resource", "https://example.com/a", rsaID, k.rsa, Policy{Resource: "https://example.com/*", DateLessThan: exp, Canned: true}, crypto.SHA1, "canned"},
		{"IPv6", "https://example.com/a", rsaID, k.rsa, Policy{DateLessThan: exp, IPAddress: "2001:db8::1"}, crypto.SHA1, "not IPv4"},
		{"bad resource", "https://example.com/a", rsaID, k.rsa, Policy{Resource: "example.com/*", DateLessThan: exp}, crypto.SHA1, "must begin with"},
		{"MD5", "https://example.com/a", rsaID, k.rsa, Policy{DateLessThan: exp}, crypto.MD5, "want SHA1 or SHA256"},
		{"ftp", "ftp://example.com/a", rsaID, k.rsa, Policy{DateLessThan: exp}, crypto.SHA1, "scheme"},
		{"no host", "https:///a", rsaID, k.rsa, Policy{DateLessThan: exp}, crypto.SHA1, "no host"},
		{"fragment", "https://example.com/a#top", rsaID, k.rsa, Policy{DateLessThan: exp}, crypto.SHA1, "fragment"},
		{"non-ASCII", "https://example.com/café", rsaID, k.rsa, Policy{DateLessThan: exp}, crypto.SHA1, "ASCII"},
		// Clients percent-encode what RFC 3986 does not allow in a URL, so
		// a signature over the raw character never verifies.
		{"space in the path", "https://example.com/a b.txt", rsaID, k.rsa, Policy{DateLessThan: exp}, crypto.SHA1, "%20"},
		{"space in the query", "https://example.com/a?q=a b", rsaID, k.rsa, Policy{DateLessThan: exp}, crypto.SHA1, "%20"},
		{"quote", `https://example.com/"a"`, rsaID, k.rsa, Policy{DateLessThan: exp}, crypto.SHA1, "%22"},
		{"angle bracket in the query", "https://example.com/a?b=1&c=<2>", rsaID, k.rsa, Policy{DateLessThan: exp}, crypto.SHA1, "%3C"},
		{"brace", "https://example.com/{a}", rsaID, k.rsa, Policy{DateLessThan: exp}, crypto.SHA1, "%7B"},
		{"backslash", `https://example.com/a\b`, rsaID, k.rsa, Policy{DateLessThan: exp}, crypto.SHA1, "%5C"},
		{"tab", "https://example.com/a\tb", rsaID, k.rsa, Policy{DateLessThan: exp}, crypto.SHA1, "%09"},
		{"encoded forms sign", "https://example.com/a%20b/%22%3C%7B%7C%7D%5E%60%5C?q=a%20b+c&r='x'", rsaID, k.rsa, Policy{DateLessThan: exp}, crypto.SHA1, ""},
		{"already signed", "https://example.com/a?Expires=1", rsaID, k.rsa, Policy{DateLessThan: exp}, crypto.SHA1, "already has"},
		{"Hash-Algorithm in URL", "https://example.com/a?x=1&Hash-Algorithm=SHA1", rsaID, k.rsa, Policy{DateLessThan: exp}, crypto.SHA1, "already has"},
		{"empty key ID", "https://example.com/a", "", k.rsa, Policy{DateLessThan: exp}, crypto.SHA1, "key pair ID"},
		{"key ID with &", "https://example.com/a", "K1&x=2", k.rsa, Policy{DateLessThan: exp}, crypto.SHA1, "key pair ID"},
		{"P-384", "https://example.com/a", rsaID, p384, Policy{DateLessThan: exp}, crypto.SHA1, "P-256"},
		{"Ed25519", "https://example.com/a", rsaID, ed, Policy{DateLessThan: exp}, crypto.SHA1, "RSA or ECDSA"},
		{"nil key", "https://example.com/a", rsaID, nil, Policy{DateLessThan: exp}, crypto.SHA1, "no private key"},
		{"raw and fields", "https://example.com/a", rsaID, k.rsa, Policy{DateLessThan: exp, Raw: []byte(`{}`)}, crypto.SHA1, "cannot be combined"},
		{"raw malformed", "https://example.com/a", rsaID, k.rsa, Policy{Raw: []byte(`{"Statement":[]}`)}, crypto.SHA1, "malformed policy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SignURL(tc.url, tc.id, tc.key, tc.p, tc.hash)
			if tc.wantErr == "" {
				if err != nil {
					t.Errorf("got %v, want no error", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("got %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestSignURLForms(t *testing.T) {
	k := fixtureKeys(t)
	exp := time.Unix(1767290400, 0)
	tests := []struct {
		name, url string
		p         Policy
		hash      crypto.Hash
		wantParts []string
	}{
		{"canned", "https://example.com/a", Policy{DateLessThan: exp, Canned: true}, crypto.SHA1,
			[]string{"https://example.com/a?Expires=1767290400&Signature=", "&Key-Pair-Id=" + rsaID}},
		{"canned sha256 with query", "https://example.com/a?b=1", Policy{DateLessThan: exp, Canned: true}, crypto.SHA256,
			[]string{"https://example.com/a?b=1&Expires=1767290400&Signature=", "&Key-Pair-Id=" + rsaID + "&Hash-Algorithm=SHA256"}},
		{"trailing question mark dropped", "https://example.com/a?", Policy{DateLessThan: exp, Canned: true}, crypto.SHA1,
			[]string{"https://example.com/a?Expires="}},
		{"custom", "https://example.com/a", Policy{DateLessThan: exp}, crypto.SHA1,
			[]string{"https://example.com/a?Policy=eyJTdGF0ZW1lbnQiOlt7IlJlc291cmNlIjoiaHR0cHM6Ly9leGFtcGxlLmNvbS9hIiwiQ29uZGl0aW9uIjp7IkRhdGVMZXNzVGhhbiI6eyJBV1M6RXBvY2hUaW1lIjoxNzY3MjkwNDAwfX19XX0_&Signature="}},
		// "To allow access from a single IP address, you specify: "IPv4 IP
		// address/32"", as botocore, the AWS CLI and the JavaScript SDK do.
		{"single IP address gets /32", "https://example.com/a", Policy{DateLessThan: exp, IPAddress: "192.0.2.10"}, crypto.SHA1,
			[]string{"?Policy=" + encodeCF([]byte(`{"Statement":[{"Resource":"https://example.com/a","Condition":{"IpAddress":{"AWS:SourceIp":"192.0.2.10/32"},"DateLessThan":{"AWS:EpochTime":1767290400}}}]}`)) + "&Signature="}},
		{"CIDR kept", "https://example.com/a", Policy{DateLessThan: exp, IPAddress: "192.0.2.0/24"}, crypto.SHA1,
			[]string{"?Policy=" + encodeCF([]byte(`{"Statement":[{"Resource":"https://example.com/a","Condition":{"IpAddress":{"AWS:SourceIp":"192.0.2.0/24"},"DateLessThan":{"AWS:EpochTime":1767290400}}}]}`)) + "&Signature="}},
		{"raw policy", "https://example.com/a", Policy{Raw: []byte("{\"Statement\":[{\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":1767290400}}}]}\n")}, crypto.SHA1,
			[]string{"?Policy=" + encodeCF([]byte("{\"Statement\":[{\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":1767290400}}}]}\n")) + "&Signature="}},
	}
	for _, tc := range tests {
		got := mustSignURL(t, tc.url, rsaID, k.rsa, tc.p, tc.hash)
		for _, part := range tc.wantParts {
			if !strings.Contains(got, part) {
				t.Errorf("%s: got %s, want it to contain %s", tc.name, got, part)
			}
		}
	}
}

// TestCannedCookies: the documented canned form (CloudFront-Expires) works
// for exactly the URL signed.
func TestCannedCookies(t *testing.T) {
	k := fixtureKeys(t)
	v := newTestVerifier(t, nil)
	const page = "https://example.com/a/b.html?lang=en"
	cookies, err := SignCookies(page, ecID, k.ec, Policy{DateLessThan: testNow.Add(time.Hour), Canned: true}, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cookies {
		names = append(names, c.Name)
		if !c.HttpOnly {
			t.Errorf("%s: got HttpOnly false, want true", c.Name)
		}
	}
	if got, want := strings.Join(names, ","), "CloudFront-Expires,CloudFront-Signature,CloudFront-Key-Pair-Id,CloudFront-Hash-Algorithm"; got != want {
		t.Errorf("got cookies %s, want %s", got, want)
	}
	tests := []struct {
		url  string
		want verdict
	}{
		{page, okVerdict},
		{"https://example.com/a/b.html", denied(CodeAccessDenied, DetailBadSignature)},
		// Only "all added parameters removed" and "those after the signing
		// parameters removed" are tried; cookies have no signing parameters
		// in the URL, so an added parameter after a signed one stays unexplained.
		{"https://example.com/a/b.html?lang=en&x=1", denied(CodeAccessDenied, DetailBadSignature)},
		{"https://example.com/a/b.html?lang=en", okVerdict},
		{"https://example.com/a/c.html?lang=en", denied(CodeAccessDenied, DetailBadSignature)},
	}
	for _, tc := range tests {
		if got := verdictOf(v.Verify(cookieRequest(tc.url, cookies))); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.url, got, tc.want)
		}
	}
	plain, err := SignCookies("https://example.com/c", rsaID, k.rsa, Policy{DateLessThan: testNow.Add(time.Hour), Canned: true}, crypto.SHA1)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := verdictOf(v.Verify(cookieRequest("https://example.com/c?utm=x", plain))), denied(CodeAccessDenied, DetailQueryAddedAfterSigning); got != want {
		t.Errorf("query added to a canned cookie URL: got %v, want %v", got, want)
	}
	if _, err := SignCookies("https://example.com/*", ecID, k.ec, Policy{DateLessThan: testNow.Add(time.Hour), Canned: true, Resource: "https://example.com/x"}, crypto.SHA1); err == nil {
		t.Error("canned cookies with another Resource: got nil error, want one")
	}
	if _, err := SignCookies("", ecID, k.ec, Policy{DateLessThan: testNow.Add(time.Hour)}, crypto.SHA1); err == nil {
		t.Error("custom cookies without a resource: got nil error, want one")
	}
}
