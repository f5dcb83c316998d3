package signedurl

import (
	"crypto"
	"testing"
	"time"
)

// benchVerify verifies one signed request b.N times.
func benchVerify(b *testing.B, id string, key crypto.Signer, p Policy, cookies bool, cache *Cache) {
	v := newTestVerifier(b, cache)
	const page = "https://d111111abcdef8.cloudfront.net/videos/2026/intro/segment-00042.ts?quality=1080p"
	var r *Request
	if cookies {
		cs, err := SignCookies(page, id, key, p, crypto.SHA256)
		if err != nil {
			b.Fatal(err)
		}
		r = cookieRequest(page, cs)
	} else {
		r = urlRequest(mustSignURL(b, page, id, key, p, crypto.SHA1))
	}
	if got := v.Verify(r); !got.OK {
		b.Fatalf("got %+v, want OK", got)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if !v.Verify(r).OK {
			b.Fatal("not OK")
		}
	}
}

func canned() Policy { return Policy{DateLessThan: testNow.Add(time.Hour), Canned: true} }

func wildcard() Policy {
	return Policy{Resource: "https://d111111abcdef8.cloudfront.net/videos/*", DateLessThan: testNow.Add(time.Hour), IPAddress: "192.0.2.0/24"}
}

// BenchmarkVerifyRSA2048 is a cold verification: no cache, one RSA-2048
// PKCS #1 v1.5 check per request.
func BenchmarkVerifyRSA2048(b *testing.B) {
	benchVerify(b, rsaID, fixtureKeys(b).rsa, canned(), false, nil)
}

// BenchmarkVerifyECDSAP256 is a cold verification with ECDSA P-256.
func BenchmarkVerifyECDSAP256(b *testing.B) {
	benchVerify(b, ecID, fixtureKeys(b).ec, canned(), false, nil)
}

// BenchmarkVerifyCached is a canned RSA URL whose signature is already in
// the cache: parsing, rebuilding the policy, hashing the cache key and
// re-checking the expiry.
func BenchmarkVerifyCached(b *testing.B) {
	benchVerify(b, rsaID, fixtureKeys(b).rsa, canned(), false, NewCache(1024))
}

// BenchmarkVerifyCachedCustomCookies is a wildcard custom policy sent as
// cookies, cached: the policy is decoded but not parsed again.
func BenchmarkVerifyCachedCustomCookies(b *testing.B) {
	benchVerify(b, ecID, fixtureKeys(b).ec, wildcard(), true, NewCache(1024))
}
