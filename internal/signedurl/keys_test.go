package signedurl

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func TestParsePublicKey(t *testing.T) {
	k := fixtureKeys(t)
	file := func(name string) string {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.rsa.PublicKey)}))
	tests := []struct {
		name             string
		pem              string
		keyGroup, legacy bool // accepted by ParsePublicKey, ParseLegacyKey
	}{
		{"rsa 2048", pemOf(t, &k.rsa.PublicKey), true, true},
		{"ecdsa p256", pemOf(t, &k.ec.PublicKey), true, false},
		{"rsa 1024", file("rsa1024.pub.pem"), false, true},
		{"rsa 3072", file("rsa3072.pub.pem"), false, false},
		{"rsa 4096", file("rsa4096.pub.pem"), false, true},
		{"ecdsa p384", file("ec384.pub.pem"), false, false},
		{"ed25519", file("ed25519.pub.pem"), false, false},
		{"rsa 2048 pkcs1 block", pkcs1, false, true},
		{"leading and trailing whitespace", "\n  " + pemOf(t, &k.rsa.PublicKey) + "\n\n", true, true},
		{"two blocks", pemOf(t, &k.rsa.PublicKey) + pemOf(t, &k.ec.PublicKey), false, false},
		{"escaped newlines", strings.ReplaceAll(pemOf(t, &k.rsa.PublicKey), "\n", `\n`), false, false},
		{"private key", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: mustPKCS8(t, k.rsa)})), false, false},
		{"garbage", "hello", false, false},
		{"empty", "", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParsePublicKey(tc.pem); (err == nil) != tc.keyGroup {
				t.Errorf("ParsePublicKey: got error %v, want accepted %v", err, tc.keyGroup)
			}
			if _, err := ParseLegacyKey(tc.pem); (err == nil) != tc.legacy {
				t.Errorf("ParseLegacyKey: got error %v, want accepted %v", err, tc.legacy)
			}
		})
	}
	if _, err := ParsePublicKey(file("ec384.pub.pem")); !errors.Is(err, ErrKeyType) {
		t.Errorf("P-384: got %v, want ErrKeyType", err)
	}
}

func mustPKCS8(t *testing.T, k crypto.PrivateKey) []byte {
	b, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLegacyKeyVerifies: a legacy RSA 1024 key pair still verifies.
func TestLegacyKeyVerifies(t *testing.T) {
	priv, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParseLegacyKey(pemOf(t, &priv.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	v := NewVerifier(map[string]crypto.PublicKey{"APKAEIBAERJR2EXAMPLE": pub}, nil)
	u := mustSignURL(t, "https://example.com/a", "APKAEIBAERJR2EXAMPLE", priv, Policy{DateLessThan: testNow.Add(time.Hour), Canned: true}, crypto.SHA1)
	if got := v.Verify(urlRequest(u)); !got.OK {
		t.Errorf("got %+v, want OK", got)
	}
}

// TestUnsupportedKeyFailsClosed: a key of an unexpected type verifies nothing.
func TestUnsupportedKeyFailsClosed(t *testing.T) {
	k := fixtureKeys(t)
	v := NewVerifier(map[string]crypto.PublicKey{rsaID: "not a key", ecID: (*ecdsa.PublicKey)(nil)}, nil)
	u := mustSignURL(t, "https://example.com/a", rsaID, k.rsa, Policy{DateLessThan: testNow.Add(time.Hour), Canned: true}, crypto.SHA1)
	if got, want := verdictOf(v.Verify(urlRequest(u))), denied(CodeAccessDenied, DetailBadSignature); got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}
