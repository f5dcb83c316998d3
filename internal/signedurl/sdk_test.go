package signedurl

import (
	"crypto"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/cloudfront/sign"
)

// The reference signer is aws-sdk-go-v2's feature/cloudfront/sign: what it
// produces must verify, and for RSA with SHA-1 SignURL and SignCookies must
// produce the same bytes.

var sdkURLs = []string{
	"https://d111111abcdef8.cloudfront.net/images/horizon.jpg",
	"https://www.example.com/images/image.jpg?size=large&license=yes",
	"http://www.example.com/a%20b/c%2Ad.txt?q=%3Cscript%3E&x=a+b",
	"https://www.example.com/",
}

func sdkCustom(resource string, exp, notBefore time.Time, ip string) *sign.Policy {
	c := sign.Condition{DateLessThan: sign.NewAWSEpochTime(exp)}
	if !notBefore.IsZero() {
		c.DateGreaterThan = sign.NewAWSEpochTime(notBefore)
	}
	if ip != "" {
		c.IPAddress = &sign.IPAddress{SourceIP: ip}
	}
	return &sign.Policy{Statements: []sign.Statement{{Resource: resource, Condition: c}}}
}

func TestSDKParityURL(t *testing.T) {
	k := fixtureKeys(t)
	v := newTestVerifier(t, nil)
	exp := testNow.Add(90 * time.Minute)
	notBefore := testNow.Add(-time.Hour)
	rsaSDK := sign.NewURLSigner(rsaID, k.rsa)
	ecSDK := sign.NewURLSigner(ecID, k.ec)
	for _, raw := range sdkURLs {
		scheme, host, _, _ := splitURL(raw)
		resource := scheme + "://" + host + "/*"
		tests := []struct {
			name   string
			sdk    func() (string, error)
			ours   func() (string, error)
			byteEq bool
		}{
			{"rsa canned", func() (string, error) { return rsaSDK.Sign(raw, exp) },
				func() (string, error) {
					return SignURL(raw, rsaID, k.rsa, Policy{DateLessThan: exp, Canned: true}, crypto.SHA1)
				}, true},
			{"rsa custom", func() (string, error) {
				return rsaSDK.SignWithPolicy(raw, sdkCustom(resource, exp, notBefore, "192.0.2.0/24"))
			}, func() (string, error) {
				return SignURL(raw, rsaID, k.rsa, Policy{Resource: resource, DateLessThan: exp, DateGreaterThan: notBefore, IPAddress: "192.0.2.0/24"}, crypto.SHA1)
			}, true},
			{"rsa custom exact", func() (string, error) {
				return rsaSDK.SignWithPolicy(raw, sdkCustom(raw, exp, time.Time{}, ""))
			}, func() (string, error) {
				return SignURL(raw, rsaID, k.rsa, Policy{DateLessThan: exp}, crypto.SHA1)
			}, true},
			{"ecdsa canned", func() (string, error) { return ecSDK.Sign(raw, exp) }, nil, false},
			{"ecdsa custom", func() (string, error) {
				return ecSDK.SignWithPolicy(raw, sdkCustom(resource, exp, time.Time{}, "192.0.2.10/32"))
			}, nil, false},
		}
		for _, tc := range tests {
			t.Run(tc.name+" "+raw, func(t *testing.T) {
				sdkURL, err := tc.sdk()
				if err != nil {
					t.Fatal(err)
				}
				if got := v.Verify(urlRequest(sdkURL)); !got.OK {
					t.Errorf("SDK URL %s: got %+v, want OK", sdkURL, got)
				}
				if tc.ours == nil {
					return
				}
				ours, err := tc.ours()
				if err != nil {
					t.Fatal(err)
				}
				if ours != sdkURL {
					t.Errorf("got  %s\nwant %s", ours, sdkURL)
				}
			})
		}
	}
}

func TestSDKParityCookies(t *testing.T) {
	k := fixtureKeys(t)
	v := newTestVerifier(t, nil)
	exp := testNow.Add(time.Hour)
	sdk := sign.NewCookieSigner(rsaID, k.rsa)
	const page = "https://www.example.com/media/stream/index.m3u8?v=3"
	tests := []struct {
		name string
		sdk  func() ([]*http.Cookie, error)
		ours func() ([]*http.Cookie, error)
	}{
		{"canned-style expiry", func() ([]*http.Cookie, error) { return sdk.Sign(page, exp) },
			func() ([]*http.Cookie, error) {
				return SignCookies(page, rsaID, k.rsa, Policy{DateLessThan: exp}, crypto.SHA1)
			}},
		{"wildcard policy", func() ([]*http.Cookie, error) {
			return sdk.SignWithPolicy(sdkCustom("https://www.example.com/media/*", exp, testNow.Add(-time.Minute), "192.0.2.0/24"))
		}, func() ([]*http.Cookie, error) {
			return SignCookies("https://www.example.com/media/*", rsaID, k.rsa,
				Policy{DateLessThan: exp, DateGreaterThan: testNow.Add(-time.Minute), IPAddress: "192.0.2.0/24"}, crypto.SHA1)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sdkCookies, err := tc.sdk()
			if err != nil {
				t.Fatal(err)
			}
			if got := v.Verify(cookieRequest(page, sdkCookies)); !got.OK || got.Source != SourceCookie {
				t.Errorf("SDK cookies: got %+v, want OK from cookies", got)
			}
			ours, err := tc.ours()
			if err != nil {
				t.Fatal(err)
			}
			if len(ours) != len(sdkCookies) {
				t.Fatalf("got %d cookies, want %d", len(ours), len(sdkCookies))
			}
			for i := range ours {
				if got, want := ours[i].String(), sdkCookies[i].String(); got != want {
					t.Errorf("cookie %d: got %s, want %s", i, got, want)
				}
			}
		})
	}
}
