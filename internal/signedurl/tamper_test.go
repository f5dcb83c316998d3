package signedurl

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestTamperSignatureBytes flips every byte of valid RSA and ECDSA
// signatures (decoded, flipped, re-encoded): each must be refused as a bad
// signature, never as malformed and never accepted.
func TestTamperSignatureBytes(t *testing.T) {
	k := fixtureKeys(t)
	v := newTestVerifier(t, NewCache(10))
	for _, s := range []struct {
		id  string
		key crypto.Signer
	}{{rsaID, k.rsa}, {ecID, k.ec}} {
		for _, canned := range []bool{true, false} {
			u := mustSignURL(t, "https://example.com/file.bin", s.id, s.key,
				Policy{DateLessThan: testNow.Add(time.Hour), Canned: canned}, crypto.SHA256)
			if got := v.Verify(urlRequest(u)); !got.OK {
				t.Fatalf("untampered %s: got %+v, want OK", s.id, got)
			}
			sig, ok := decodeCF(nil, paramValue(u, "Signature"))
			if !ok {
				t.Fatal("fixture signature does not decode")
			}
			want := denied(CodeAccessDenied, DetailBadSignature)
			for i := range sig {
				flipped := bytes.Clone(sig)
				flipped[i] ^= 0x01
				got := verdictOf(v.Verify(urlRequest(replaceParam(u, "Signature", encodeCF(flipped)))))
				if got != want {
					t.Errorf("%s canned=%v byte %d flipped: got %v, want %v", s.id, canned, i, got, want)
				}
			}
		}
	}
}

// TestTamperSignatureText changes every character of an encoded signature
// to every other character of CloudFront's alphabet, and to characters
// outside it. The expected verdict comes from encoding/base64 directly:
// undecodable → MalformedSignature; same bytes (only discarded trailing bits
// changed) → OK; other bytes → bad signature.
func TestTamperSignatureText(t *testing.T) {
	k := fixtureKeys(t)
	v := newTestVerifier(t, NewCache(1000))
	u := mustSignURL(t, "https://example.com/file.bin", rsaID, k.rsa, Policy{DateLessThan: testNow.Add(time.Hour), Canned: true}, crypto.SHA1)
	text := paramValue(u, "Signature")
	orig, _ := base64.StdEncoding.DecodeString(toStd(text))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_~"
	for i := range len(text) {
		// All alternatives at the last positions (padding and the bits
		// next to it); a sample elsewhere keeps the test fast.
		cands := alphabet + "+/=.!*"
		if i < len(text)-4 {
			cands = string(text[i]^0x01) + "A-_~+/="
		}
		for _, c := range []byte(cands) {
			if c == text[i] || (i < len(text)-4 && !strings.ContainsRune(alphabet+"+/=", rune(c))) {
				continue
			}
			mut := text[:i] + string(c) + text[i+1:]
			want := denied(CodeAccessDenied, DetailBadSignature)
			if !strings.ContainsRune(alphabet, rune(c)) {
				want = denied(CodeMalformedSignature, DetailMalformedSignature)
			} else if b, err := base64.StdEncoding.DecodeString(toStd(mut)); err != nil {
				want = denied(CodeMalformedSignature, DetailMalformedSignature)
			} else if bytes.Equal(b, orig) {
				want = okVerdict
			}
			if got := verdictOf(v.Verify(urlRequest(replaceParam(u, "Signature", mut)))); got != want {
				t.Errorf("char %d %q→%q: got %v, want %v", i, text[i], c, got, want)
			}
		}
	}
}

func toStd(s string) string {
	return strings.NewReplacer("-", "+", "_", "=", "~", "/").Replace(s)
}

// TestTamperMatrix covers every way a signed URL or cookie goes wrong, with
// CloudFront's exact code and message and our detail.
func TestTamperMatrix(t *testing.T) {
	k := fixtureKeys(t)
	v := newTestVerifier(t, NewCache(1000))
	const base = "https://d111111abcdef8.cloudfront.net/private/report.pdf"
	exp := testNow.Add(time.Hour)
	canned := mustSignURL(t, base, rsaID, k.rsa, Policy{DateLessThan: exp, Canned: true}, crypto.SHA1)
	canned256 := mustSignURL(t, base, rsaID, k.rsa, Policy{DateLessThan: exp, Canned: true}, crypto.SHA256)
	custom := mustSignURL(t, base, rsaID, k.rsa, Policy{DateLessThan: exp}, crypto.SHA1)
	withQuery := mustSignURL(t, base+"?v=2", rsaID, k.rsa, Policy{DateLessThan: exp, Canned: true}, crypto.SHA1)
	customQuery := mustSignURL(t, base+"?v=2", rsaID, k.rsa, Policy{DateLessThan: exp}, crypto.SHA1)
	sig := paramValue(canned, "Signature")
	rawSig, _ := decodeCF(nil, sig)
	cannedPolicy := appendCanned(nil, []byte(base), exp.Unix())
	signedPolicy := func(p string) string { return customURL(t, base, rsaID, k.rsa, crypto.SHA1, []byte(p)) }
	stmt := func(cond string) string {
		return `{"Statement":[{"Resource":"` + base + `","Condition":{` + cond + `}}]}`
	}
	dlt := fmt.Sprintf(`"DateLessThan":{"AWS:EpochTime":%d}`, exp.Unix())
	atResource := func(resource string) string {
		return signedPolicy(`{"Statement":[{"Resource":"` + resource + `","Condition":{` + dlt + `}}]}`)
	}
	malformedPolicy := denied(CodeMalformedPolicy, DetailMalformedPolicy)
	malformedSig := denied(CodeMalformedSignature, DetailMalformedSignature)
	badSig := denied(CodeAccessDenied, DetailBadSignature)

	tests := []struct {
		name string
		url  string
		want verdict
	}{
		{"valid canned", canned, okVerdict},
		{"valid custom", custom, okVerdict},

		// Policy or expiry edited after signing.
		{"canned Expires extended", replaceParam(canned, "Expires", fmt.Sprint(exp.Unix()+3600)), badSig},
		{"custom policy edited", replaceParam(custom, "Policy", encodeCF(bytes.Replace(
			mustDecode(t, paramValue(custom, "Policy")), []byte("report"), []byte("secret"), 1))), badSig},
		{"custom policy with a space added", replaceParam(custom, "Policy", encodeCF(bytes.Replace(
			mustDecode(t, paramValue(custom, "Policy")), []byte(`"Condition"`), []byte(` "Condition"`), 1))), badSig},
		{"canned path changed", strings.Replace(canned, "report.pdf", "report2.pdf", 1), badSig},
		{"canned host changed", strings.Replace(canned, "d111111abcdef8", "d222222abcdef8", 1), badSig},
		{"canned scheme changed", strings.Replace(canned, "https:", "http:", 1), badSig},

		// Each signing parameter duplicated (identical or not).
		{"Expires duplicated", canned + "&Expires=" + paramValue(canned, "Expires"), denied(CodeMalformedPolicy, DetailDuplicateParameter)},
		{"Policy duplicated", custom + "&Policy=" + paramValue(custom, "Policy"), denied(CodeMalformedPolicy, DetailDuplicateParameter)},
		{"Signature duplicated", canned + "&Signature=" + sig, denied(CodeMalformedSignature, DetailDuplicateParameter)},
		{"Key-Pair-Id duplicated", canned + "&Key-Pair-Id=" + ecID, denied(CodeInvalidKey, DetailDuplicateParameter)},
		{"Hash-Algorithm duplicated", canned256 + "&Hash-Algorithm=SHA256", denied(CodeMalformedPolicy, DetailDuplicateParameter)},
		{"Policy and Expires: Policy wins", custom + "&Expires=1", okVerdict},

		// Keys.
		{"unknown key", replaceParam(canned, "Key-Pair-Id", "K0NOSUCHKEY000"), denied(CodeInvalidKey, DetailUnknownKey)},
		{"key of another behavior", replaceParam(mustSignURL(t, base, otherID, k.other, Policy{DateLessThan: exp, Canned: true}, crypto.SHA1),
			"Key-Pair-Id", otherID), denied(CodeInvalidKey, DetailUnknownKey)},
		{"key ID case differs", replaceParam(canned, "Key-Pair-Id", strings.ToLower(rsaID)), denied(CodeInvalidKey, DetailUnknownKey)},
		{"signed by another trusted key", replaceParam(canned, "Key-Pair-Id", ecID), badSig},
		{"percent-encoded key ID", replaceParam(canned, "Key-Pair-Id", "%4B2JCJMDEHXQW5F"), okVerdict},

		// Hash-Algorithm.
		{"lower-case sha256", replaceParam(canned256, "Hash-Algorithm", "sha256"), denied(CodeMalformedPolicy, DetailWrongHashAlgorithm)},
		{"SHA-256 spelled with a dash", replaceParam(canned256, "Hash-Algorithm", "SHA-256"), denied(CodeMalformedPolicy, DetailWrongHashAlgorithm)},
		{"empty Hash-Algorithm", replaceParam(canned256, "Hash-Algorithm", ""), denied(CodeMalformedPolicy, DetailWrongHashAlgorithm)},
		{"MD5", canned + "&Hash-Algorithm=MD5", denied(CodeMalformedPolicy, DetailWrongHashAlgorithm)},
		{"SHA256 signature, marker missing", strings.TrimSuffix(canned256, "&Hash-Algorithm=SHA256"), denied(CodeAccessDenied, DetailWrongHashAlgorithm)},
		{"SHA1 signature, SHA256 marker", canned + "&Hash-Algorithm=SHA256", denied(CodeAccessDenied, DetailWrongHashAlgorithm)},
		{"explicit SHA1", canned + "&Hash-Algorithm=SHA1", okVerdict},
		{"custom SHA1 signature, SHA256 marker", custom + "&Hash-Algorithm=SHA256", denied(CodeAccessDenied, DetailWrongHashAlgorithm)},

		// Expires values.
		{"Expires in milliseconds", replaceParam(canned, "Expires", fmt.Sprint(exp.UnixMilli())), malformedPolicy},
		{"Expires negative", replaceParam(canned, "Expires", "-1"), malformedPolicy},
		{"Expires with plus", replaceParam(canned, "Expires", "+"+fmt.Sprint(exp.Unix())), malformedPolicy},
		{"Expires with %2B", replaceParam(canned, "Expires", "%2B"+fmt.Sprint(exp.Unix())), malformedPolicy},
		{"Expires beyond int64", replaceParam(canned, "Expires", "99999999999999999999"), malformedPolicy},
		{"Expires past 2262", replaceParam(canned, "Expires", "9223372037"), malformedPolicy},
		{"Expires at the 2262 limit", replaceParam(canned, "Expires", "9223372036"), badSig},
		{"Expires not numeric", replaceParam(canned, "Expires", "tomorrow"), malformedPolicy},
		{"Expires fractional", replaceParam(canned, "Expires", fmt.Sprint(exp.Unix())+".5"), malformedPolicy},
		{"Expires empty", replaceParam(canned, "Expires", ""), malformedPolicy},
		{"Expires with leading zero", replaceParam(canned, "Expires", "0"+fmt.Sprint(exp.Unix())), okVerdict},

		// Base64 alphabets and sizes.
		{"RFC 4648 URL-safe", replaceParam(canned, "Signature", base64.URLEncoding.EncodeToString(rawSig)), malformedSig},
		{"RFC 4648 URL-safe unpadded", replaceParam(canned, "Signature", base64.RawURLEncoding.EncodeToString(rawSig)), malformedSig},
		{"standard base64 with +/=", replaceParam(canned, "Signature", base64.StdEncoding.EncodeToString(rawSig)), malformedSig},
		{"standard base64, percent-encoded", replaceParam(canned, "Signature",
			strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(base64.StdEncoding.EncodeToString(rawSig))), malformedSig},
		{"CloudFront base64, percent-encoded ~", replaceParam(canned, "Signature", strings.ReplaceAll(sig, "~", "%7E")), okVerdict},
		{"signature with a space", replaceParam(canned, "Signature", sig[:10]+"%20"+sig[10:]), malformedSig},
		{"empty signature", replaceParam(canned, "Signature", ""), malformedSig},
		{"signature too long", replaceParam(canned, "Signature", strings.Repeat("A", 1028)), malformedSig},
		{"policy not base64", replaceParam(custom, "Policy", "e30+"), malformedPolicy},
		{"policy too long, though validly signed", atResource(base + "?" + strings.Repeat("x", 6200)), malformedPolicy},

		// Malformed policies, validly signed.
		{"two statements", signedPolicy(`{"Statement":[{"Condition":{` + dlt + `}},{"Condition":{` + dlt + `}}]}`), malformedPolicy},
		{"no statement", signedPolicy(`{"Statement":[]}`), malformedPolicy},
		{"unknown top-level key", signedPolicy(`{"Version":"2012-10-17","Statement":[{"Condition":{` + dlt + `}}]}`), malformedPolicy},
		{"unknown statement key", signedPolicy(`{"Statement":[{"Effect":"Allow","Condition":{` + dlt + `}}]}`), malformedPolicy},
		{"unknown condition", signedPolicy(stmt(dlt + `,"DateLessThanEquals":{"AWS:EpochTime":1}`)), malformedPolicy},
		{"lower-case key", signedPolicy(stmt(`"datelessthan":{"AWS:EpochTime":1}`)), malformedPolicy},
		{"missing DateLessThan", signedPolicy(stmt(`"DateGreaterThan":{"AWS:EpochTime":1}`)), malformedPolicy},
		{"missing Condition", signedPolicy(`{"Statement":[{"Resource":"` + base + `"}]}`), malformedPolicy},
		{"quoted epoch", signedPolicy(stmt(fmt.Sprintf(`"DateLessThan":{"AWS:EpochTime":"%d"}`, exp.Unix()))), malformedPolicy},
		{"epoch in milliseconds", signedPolicy(stmt(fmt.Sprintf(`"DateLessThan":{"AWS:EpochTime":%d}`, exp.UnixMilli()))), malformedPolicy},
		{"fractional epoch", signedPolicy(stmt(fmt.Sprintf(`"DateLessThan":{"AWS:EpochTime":%d.0}`, exp.Unix()))), malformedPolicy},
		{"repeated key", signedPolicy(stmt(dlt + `,"DateLessThan":{"AWS:EpochTime":1}`)), malformedPolicy},
		{"IPv6 SourceIp", signedPolicy(stmt(dlt + `,"IpAddress":{"AWS:SourceIp":"2001:db8::/32"}`)), malformedPolicy},
		{"not JSON", signedPolicy(`Statement: []`), malformedPolicy},
		{"trailing data", signedPolicy(stmt(dlt) + `x`), malformedPolicy},
		{"resource without protocol", atResource("d111111abcdef8.cloudfront.net/*"), malformedPolicy},
		{"canned JSON as a custom policy", customURL(t, base, rsaID, k.rsa, crypto.SHA1, cannedPolicy), okVerdict},
		{"whitespace and CRLFs", signedPolicy("{ \"Statement\" : [ {\r\n \"Resource\":\"" + base + "\",\r\n \"Condition\":{\t" + dlt + "} } ] }\r\n"), okVerdict},

		// Conditions.
		{"expired", mustSignURL(t, base, rsaID, k.rsa, Policy{DateLessThan: testNow, Canned: true}, crypto.SHA1), denied(CodeAccessDenied, DetailExpired)},
		{"DateGreaterThan in the future", mustSignURL(t, base, rsaID, k.rsa, Policy{DateLessThan: exp, DateGreaterThan: testNow.Add(time.Second)}, crypto.SHA1),
			denied(CodeAccessDenied, DetailNotYetValid)},
		{"DateGreaterThan now (on or before is denied)", mustSignURL(t, base, rsaID, k.rsa, Policy{DateLessThan: exp, DateGreaterThan: testNow}, crypto.SHA1),
			denied(CodeAccessDenied, DetailNotYetValid)},
		{"DateGreaterThan just past", mustSignURL(t, base, rsaID, k.rsa, Policy{DateLessThan: exp, DateGreaterThan: testNow.Add(-time.Second)}, crypto.SHA1), okVerdict},
		{"expired and not yet valid: expiry first", signedPolicy(stmt(`"DateLessThan":{"AWS:EpochTime":1},"DateGreaterThan":{"AWS:EpochTime":9000000000}`)),
			denied(CodeAccessDenied, DetailExpired)},
		{"IpAddress mismatch", mustSignURL(t, base, rsaID, k.rsa, Policy{DateLessThan: exp, IPAddress: "203.0.113.0/24"}, crypto.SHA1),
			denied(CodeAccessDenied, DetailIPMismatch)},
		{"IpAddress single address", mustSignURL(t, base, rsaID, k.rsa, Policy{DateLessThan: exp, IPAddress: "192.0.2.10"}, crypto.SHA1), okVerdict},
		{"IpAddress /32", mustSignURL(t, base, rsaID, k.rsa, Policy{DateLessThan: exp, IPAddress: "192.0.2.10/32"}, crypto.SHA1), okVerdict},
		{"IpAddress host bits set", mustSignURL(t, base, rsaID, k.rsa, Policy{DateLessThan: exp, IPAddress: "192.0.2.99/24"}, crypto.SHA1), okVerdict},

		// Resource.
		{"resource host differs", atResource("https://d222222abcdef8.cloudfront.net/private/report.pdf"), denied(CodeAccessDenied, DetailResourceMismatch)},
		{"resource path differs", atResource("https://d111111abcdef8.cloudfront.net/private/other.pdf"), denied(CodeAccessDenied, DetailResourceMismatch)},
		{"resource query differs", atResource(base + "?v=1"), denied(CodeAccessDenied, DetailResourceMismatch)},
		{"resource scheme differs", atResource("http://d111111abcdef8.cloudfront.net/private/report.pdf"), denied(CodeAccessDenied, DetailResourceMismatch)},
		{"resource omitted", signedPolicy(`{"Statement":[{"Condition":{` + dlt + `}}]}`), okVerdict},
		{"resource *", atResource("*"), okVerdict},
		{"resource S3 URL", atResource("https://my-bucket.s3.us-east-1.amazonaws.com/private/report.pdf"), denied(CodeAccessDenied, DetailS3URLSignedInstead)},
		{"resource legacy S3 URL", atResource("https://my-bucket.s3.amazonaws.com/private/*"), denied(CodeAccessDenied, DetailS3URLSignedInstead)},

		// Query parameters added after signing.
		{"canned, query added", canned + "&utm_source=mail", denied(CodeAccessDenied, DetailQueryAddedAfterSigning)},
		{"canned, query prepended", strings.Replace(canned, "?", "?utm_source=mail&", 1), denied(CodeAccessDenied, DetailQueryAddedAfterSigning)},
		{"canned with query, another added", withQuery + "&utm_source=mail", denied(CodeAccessDenied, DetailQueryAddedAfterSigning)},
		{"canned with query, query removed", strings.Replace(withQuery, "v=2&", "", 1), badSig},
		{"canned with query, reordered", strings.Replace(withQuery, "?v=2&", "?", 1) + "&v=2", okVerdict},
		{"custom exact, query added", custom + "&utm_source=mail", denied(CodeAccessDenied, DetailQueryAddedAfterSigning)},
		{"custom with query, another added", customQuery + "&utm_source=mail", denied(CodeAccessDenied, DetailQueryAddedAfterSigning)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := v.Verify(urlRequest(tc.url))
			if verdictOf(got) != tc.want || got.OK != (tc.want == okVerdict) {
				t.Errorf("got %v (OK=%v), want %v\nurl: %s", verdictOf(got), got.OK, tc.want, tc.url)
			}
			if tc.want != okVerdict && got.Source != SourceURL {
				t.Errorf("got Source %q, want %q", got.Source, SourceURL)
			}
		})
	}
}

// TestIPv6Viewer: an IPv6 viewer never matches an IPv4 condition, and an
// IPv4-mapped IPv6 address is its IPv4 address.
func TestIPv6Viewer(t *testing.T) {
	k := fixtureKeys(t)
	v := newTestVerifier(t, nil)
	u := mustSignURL(t, "https://example.com/a", rsaID, k.rsa, Policy{DateLessThan: testNow.Add(time.Hour), IPAddress: "0.0.0.0/0"}, crypto.SHA1)
	tests := []struct {
		viewer string
		want   verdict
	}{
		{"198.51.100.7", okVerdict},
		{"::ffff:198.51.100.7", okVerdict},
		{"2001:db8::1", denied(CodeAccessDenied, DetailIPMismatch)},
		{"::1", denied(CodeAccessDenied, DetailIPMismatch)},
		{"", denied(CodeAccessDenied, DetailIPMismatch)},
	}
	for _, tc := range tests {
		r := urlRequest(u)
		r.Viewer = netipOrZero(tc.viewer)
		if got := verdictOf(v.Verify(r)); got != tc.want {
			t.Errorf("viewer %q: got %v, want %v", tc.viewer, got, tc.want)
		}
	}
}

// TestCookieDuplicates: identical duplicates collapse; different ones are
// refused.
func TestCookieDuplicates(t *testing.T) {
	k := fixtureKeys(t)
	v := newTestVerifier(t, nil)
	const base = "https://example.com/a"
	cookies, err := SignCookies(base, rsaID, k.rsa, Policy{DateLessThan: testNow.Add(time.Hour)}, crypto.SHA1)
	if err != nil {
		t.Fatal(err)
	}
	other, err := SignCookies(base, rsaID, k.rsa, Policy{DateLessThan: testNow.Add(2 * time.Hour)}, crypto.SHA1)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cookies {
		same := cookieRequest(base, append(append([]*http.Cookie{}, cookies...), c))
		if got := v.Verify(same); !got.OK {
			t.Errorf("%s repeated with the same value: got %+v, want OK", c.Name, got)
		}
		if other[i].Value == c.Value {
			continue // the key ID
		}
		diff := cookieRequest(base, append(append([]*http.Cookie{}, cookies...), other[i]))
		want := map[string]verdict{
			"CloudFront-Policy":    denied(CodeMalformedPolicy, DetailDuplicateParameter),
			"CloudFront-Signature": denied(CodeMalformedSignature, DetailDuplicateParameter),
		}[c.Name]
		if got := v.Verify(diff); verdictOf(got) != want || got.Source != SourceCookie {
			t.Errorf("%s repeated with another value: got %+v, want %v", c.Name, got, want)
		}
	}
}

func mustDecode(t *testing.T, s string) []byte {
	t.Helper()
	b, ok := decodeCF(nil, s)
	if !ok {
		t.Fatalf("cannot decode %q", s)
	}
	return b
}
