package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/cloudfront/sign"

	"github.com/openfront-edge/openfront/internal/signedurl"
)

var signTestNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type signKeys struct {
	dir                                        string
	rsa                                        *rsa.PrivateKey
	ec                                         *ecdsa.PrivateKey
	pkcs1, pkcs8RSA, pkcs8EC, sec1, sec1Params string // file paths
}

func newSignKeys(t *testing.T) signKeys {
	t.Helper()
	k := signKeys{dir: t.TempDir()}
	var err error
	if k.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if k.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	write := func(name string, blocks ...*pem.Block) string {
		var b bytes.Buffer
		for _, bl := range blocks {
			if err := pem.Encode(&b, bl); err != nil {
				t.Fatal(err)
			}
		}
		p := filepath.Join(k.dir, name)
		if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p8rsa, _ := x509.MarshalPKCS8PrivateKey(k.rsa)
	p8ec, _ := x509.MarshalPKCS8PrivateKey(k.ec)
	sec1, _ := x509.MarshalECPrivateKey(k.ec)
	k.pkcs1 = write("rsa.pem", &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k.rsa)})
	k.pkcs8RSA = write("rsa8.pem", &pem.Block{Type: "PRIVATE KEY", Bytes: p8rsa})
	k.pkcs8EC = write("ec8.pem", &pem.Block{Type: "PRIVATE KEY", Bytes: p8ec})
	k.sec1 = write("ec.pem", &pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1})
	// openssl ecparam -genkey writes the curve parameters first.
	k.sec1Params = write("ecparams.pem", &pem.Block{Type: "EC PARAMETERS", Bytes: []byte{6, 8, 42, 134, 72, 206, 61, 3, 1, 7}},
		&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1})
	return k
}

func (k signKeys) verifier() *signedurl.Verifier {
	return signedurl.NewVerifier(map[string]crypto.PublicKey{"KRSA": &k.rsa.PublicKey, "KEC": &k.ec.PublicKey}, nil)
}

func runSignTest(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := runSign(args, &out, &errOut, signTestNow)
	return strings.TrimSuffix(out.String(), "\n"), err
}

// requestOf splits a URL the way the edge sees the request.
func requestOf(u string) *signedurl.Request {
	scheme, rest, _ := strings.Cut(u, "://")
	host, rest, _ := strings.Cut(rest, "/")
	path, query, _ := strings.Cut("/"+rest, "?")
	return &signedurl.Request{Scheme: scheme, Host: host, Path: path, RawQuery: query, Method: "GET",
		Viewer: netip.MustParseAddr("192.0.2.10"), Now: signTestNow}
}

// TestSignURLMatchesSDK: the printed URL verifies, and for RSA with SHA-1 it
// is byte for byte what aws-sdk-go-v2 prints.
func TestSignURLMatchesSDK(t *testing.T) {
	k := newSignKeys(t)
	v := k.verifier()
	const target = "https://d111111abcdef8.cloudfront.net/private/report.pdf?lang=en"
	exp := time.Unix(1772370000, 0) // 2026-03-01T13:00:00Z
	sdk := sign.NewURLSigner("KRSA", k.rsa)
	tests := []struct {
		name string
		args []string
		sdk  func() (string, error)
	}{
		{"canned", []string{"url", target, "--key-pair-id", "KRSA", "--private-key", k.pkcs1, "--expires", "1772370000"},
			func() (string, error) { return sdk.Sign(target, exp) }},
		{"canned, flags first, RFC 3339, PKCS #8", []string{"url", "--key-pair-id=KRSA", "--private-key", k.pkcs8RSA, "--expires", "2026-03-01T13:00:00Z", target},
			func() (string, error) { return sdk.Sign(target, exp) }},
		{"canned, duration", []string{"url", target, "--key-pair-id", "KRSA", "--private-key", k.pkcs1, "--expires", "1h"},
			func() (string, error) { return sdk.Sign(target, exp) }},
		{"custom", []string{"url", target, "--key-pair-id", "KRSA", "--private-key", k.pkcs1, "--expires", "1h",
			"--ip", "192.0.2.0/24", "--not-before", "-10m", "--resource", "https://d111111abcdef8.cloudfront.net/private/*"},
			func() (string, error) {
				return sdk.SignWithPolicy(target, &sign.Policy{Statements: []sign.Statement{{
					Resource: "https://d111111abcdef8.cloudfront.net/private/*",
					Condition: sign.Condition{
						IPAddress:       &sign.IPAddress{SourceIP: "192.0.2.0/24"},
						DateGreaterThan: sign.NewAWSEpochTime(signTestNow.Add(-10 * time.Minute)),
						DateLessThan:    sign.NewAWSEpochTime(exp),
					},
				}}})
			}},
		{"custom by policy type", []string{"url", target, "--key-pair-id", "KRSA", "--private-key", k.pkcs1, "--expires", "1h", "--policy-type", "custom"},
			func() (string, error) {
				return sdk.SignWithPolicy(target, sign.NewCannedPolicy(target, exp))
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := runSignTest(t, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if res := v.Verify(requestOf(got)); !res.OK {
				t.Errorf("printed URL does not verify: %+v", res)
			}
			want, err := tc.sdk()
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

// TestSignKeysAndHashes: every key format signs, with either hash.
func TestSignKeysAndHashes(t *testing.T) {
	k := newSignKeys(t)
	v := k.verifier()
	const target = "https://example.com/a.mp4"
	for _, tc := range []struct{ id, file string }{
		{"KRSA", k.pkcs1}, {"KRSA", k.pkcs8RSA}, {"KEC", k.pkcs8EC}, {"KEC", k.sec1}, {"KEC", k.sec1Params},
	} {
		for _, hash := range []string{"sha1", "SHA256"} {
			got, err := runSignTest(t, "url", target, "--key-pair-id", tc.id, "--private-key", tc.file, "--expires", "30m", "--hash", hash)
			if err != nil {
				t.Fatalf("%s %s: %v", filepath.Base(tc.file), hash, err)
			}
			if res := v.Verify(requestOf(got)); !res.OK {
				t.Errorf("%s %s: got %+v, want OK", filepath.Base(tc.file), hash, res)
			}
			if want := strings.EqualFold(hash, "sha256"); strings.HasSuffix(got, "&Hash-Algorithm=SHA256") != want {
				t.Errorf("%s %s: got %s, want Hash-Algorithm=SHA256 %v", filepath.Base(tc.file), hash, got, want)
			}
		}
	}
}

func TestSignCookies(t *testing.T) {
	k := newSignKeys(t)
	v := k.verifier()
	out, err := runSignTest(t, "cookies", "https://example.com/videos/*", "--key-pair-id", "KEC", "--private-key", k.sec1,
		"--expires", "2h", "--hash", "sha256", "--cookie-domain", "example.com")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out, "\n")
	var pairs []string
	for _, l := range lines {
		c, ok := strings.CutPrefix(l, "Set-Cookie: ")
		if !ok || !strings.Contains(c, "; Path=/; Domain=example.com; HttpOnly; Secure") {
			t.Errorf("got line %q, want a Set-Cookie with Path, Domain, HttpOnly and Secure", l)
		}
		pair, _, _ := strings.Cut(c, ";")
		pairs = append(pairs, pair)
	}
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "Set-Cookie: CloudFront-Policy=") {
		t.Fatalf("got %q, want Policy, Signature, Key-Pair-Id and Hash-Algorithm cookies", lines)
	}
	r := requestOf("https://example.com/videos/a/seg-1.ts")
	r.Cookies = []string{strings.Join(pairs, "; ")}
	if res := v.Verify(r); !res.OK || res.Source != signedurl.SourceCookie {
		t.Errorf("got %+v, want OK from cookies", res)
	}

	js, err := runSignTest(t, "cookies", "https://example.com/a", "--key-pair-id", "KRSA", "--private-key", k.pkcs1,
		"--expires", "1h", "--policy-type", "canned", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cookies []struct{ Name, Value, SetCookie string }
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatalf("--json: %v in %s", err, js)
	}
	if len(doc.Cookies) != 3 || doc.Cookies[0].Name != "CloudFront-Expires" {
		t.Errorf("got %+v, want the canned cookies", doc.Cookies)
	}
}

func TestSignPolicyFile(t *testing.T) {
	k := newSignKeys(t)
	v := k.verifier()
	policy := "{\n  \"Statement\": [{\n    \"Condition\": {\"DateLessThan\": {\"AWS:EpochTime\": 1772370000}}\n  }]\n}\n"
	file := filepath.Join(k.dir, "policy.json")
	if err := os.WriteFile(file, []byte(policy), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := runSignTest(t, "url", "https://example.com/any", "--key-pair-id", "KRSA", "--private-key", k.pkcs1, "--policy", file, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ URL string }
	if err := json.Unmarshal([]byte(got), &doc); err != nil {
		t.Fatal(err)
	}
	if res := v.Verify(requestOf(doc.URL)); !res.OK {
		t.Errorf("got %+v, want OK", res)
	}
}

func TestSignErrors(t *testing.T) {
	k := newSignKeys(t)
	bad := filepath.Join(k.dir, "bad.pem")
	if err := os.WriteFile(bad, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"--key-pair-id", "KRSA", "--private-key", k.pkcs1}
	tests := []struct {
		name    string
		args    []string
		wantErr string // "" means errUsage
	}{
		{"no subcommand", nil, ""},
		{"unknown subcommand", []string{"token"}, ""},
		{"no URL", append([]string{"url"}, append(base, "--expires", "1h")...), ""},
		{"two URLs", append([]string{"url", "https://a/", "https://b/"}, append(base, "--expires", "1h")...), ""},
		{"unknown flag", []string{"url", "https://a/", "--expiry", "1h"}, ""},
		{"no expiry", append([]string{"url", "https://a/"}, base...), "--expires or --policy is required"},
		{"no key ID", []string{"url", "https://a/", "--private-key", k.pkcs1, "--expires", "1h"}, "--key-pair-id is required"},
		{"no key", []string{"url", "https://a/", "--key-pair-id", "K", "--expires", "1h"}, "--private-key is required"},
		{"bad time", append([]string{"url", "https://a/", "--expires", "soon"}, base...), "want RFC 3339"},
		{"bad hash", append([]string{"url", "https://a/", "--expires", "1h", "--hash", "md5"}, base...), "want sha1 or sha256"},
		{"bad policy type", append([]string{"url", "https://a/", "--expires", "1h", "--policy-type", "x"}, base...), "want auto, canned or custom"},
		{"policy and expires", append([]string{"url", "https://a/", "--expires", "1h", "--policy", "p.json"}, base...), "cannot be combined"},
		{"canned with ip", append([]string{"url", "https://a/", "--expires", "1h", "--ip", "192.0.2.1", "--policy-type", "canned"}, base...), "canned"},
		{"expired before 1970", append([]string{"url", "https://a/", "--expires", "-5"}, base...), "outside"},
		{"missing key file", []string{"url", "https://a/", "--key-pair-id", "K", "--private-key", filepath.Join(k.dir, "none.pem"), "--expires", "1h"}, "no such file"},
		{"not a key", []string{"url", "https://a/", "--key-pair-id", "K", "--private-key", bad, "--expires", "1h"}, "no private key found"},
		{"URL with a space", append([]string{"url", "https://a/b c.txt", "--expires", "1h"}, base...), "write it as %20"},
		{"canned cookies with a quote", append([]string{"cookies", `https://a/"b"`, "--expires", "1h", "--policy-type", "canned"}, base...), "write it as %22"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runSignTest(t, tc.args...)
			switch {
			case tc.wantErr == "" && !errors.Is(err, errUsage):
				t.Errorf("got %v, want errUsage", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("got %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
	for _, args := range [][]string{{"--help"}, {"url", "--help"}, {"cookies", "-h"}} {
		if _, err := runSignTest(t, args...); !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%v: got %v, want flag.ErrHelp", args, err)
		}
	}
}

func TestSignParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"1772370000", time.Unix(1772370000, 0)},
		{"2026-03-01T13:00:00Z", signTestNow.Add(time.Hour)},
		{"2026-03-01T14:00:00+01:00", signTestNow.Add(time.Hour)},
		{"90m", signTestNow.Add(90 * time.Minute)},
		{"1h30m", signTestNow.Add(90 * time.Minute)},
		{"7d", signTestNow.Add(7 * 24 * time.Hour)},
		{"-10m", signTestNow.Add(-10 * time.Minute)},
	}
	for _, tc := range tests {
		got, err := signParseTime(tc.in, signTestNow)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("%q: got %v, %v, want %v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "tomorrow", "2026-03-01", "1.5d"} {
		if _, err := signParseTime(in, signTestNow); err == nil {
			t.Errorf("%q: got nil error, want one", in)
		}
	}
}
