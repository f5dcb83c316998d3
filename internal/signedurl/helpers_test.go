package signedurl

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	rsaID   = "K2JCJMDEHXQW5F"
	ecID    = "K3ECDSAP256EXA"
	otherID = "K1OTHERBEHAVIO" // trusted by another behavior only
)

// testNow is the clock of every test: Verify never reads the real one.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type testKeys struct {
	rsa, other *rsa.PrivateKey
	ec         *ecdsa.PrivateKey
}

var (
	keysOnce sync.Once
	keysVal  testKeys
)

func fixtureKeys(t testing.TB) testKeys {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if keysVal.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if keysVal.other, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if keysVal.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
	})
	return keysVal
}

// pemOf returns the PEM text get-public-key would print for k.
func pemOf(t testing.TB, k crypto.PublicKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// newTestVerifier trusts the RSA and ECDSA fixture keys, parsed from PEM the
// way the edge loads them.
func newTestVerifier(t testing.TB, cache *Cache) *Verifier {
	t.Helper()
	k := fixtureKeys(t)
	keys := map[string]crypto.PublicKey{}
	for id, pub := range map[string]crypto.PublicKey{rsaID: &k.rsa.PublicKey, ecID: &k.ec.PublicKey} {
		parsed, err := ParsePublicKey(pemOf(t, pub))
		if err != nil {
			t.Fatal(err)
		}
		keys[id] = parsed
	}
	return NewVerifier(keys, cache)
}

// splitURL splits scheme://host/path?query byte-exactly, as an edge would
// see the request.
func splitURL(raw string) (scheme, host, path, query string) {
	scheme, rest, _ := strings.Cut(raw, "://")
	i := strings.IndexByte(rest, '/')
	if i < 0 {
		return scheme, rest, "/", ""
	}
	host, rest = rest[:i], rest[i:]
	path, query, _ = strings.Cut(rest, "?")
	return scheme, host, path, query
}

// urlRequest is a GET of raw from 192.0.2.10 at testNow.
func urlRequest(raw string) *Request {
	scheme, host, path, query := splitURL(raw)
	return &Request{
		Scheme: scheme, Host: host, Path: path, RawQuery: query,
		Viewer: netip.MustParseAddr("192.0.2.10"), Method: "GET", Now: testNow,
	}
}

// cookieRequest is a GET of raw carrying cookies in one Cookie header.
func cookieRequest(raw string, cookies []*http.Cookie) *Request {
	r := urlRequest(raw)
	parts := make([]string, len(cookies))
	for i, c := range cookies {
		parts[i] = c.Name + "=" + c.Value
	}
	r.Cookies = []string{strings.Join(parts, "; ")}
	return r
}

// rawSign signs b without any validation, for tests that need signed
// garbage.
func rawSign(t testing.TB, key crypto.Signer, h crypto.Hash, b []byte) string {
	t.Helper()
	var d []byte
	if h == crypto.SHA256 {
		s := sha256.Sum256(b)
		d = s[:]
	} else {
		s := sha1.Sum(b)
		d = s[:]
	}
	sig, err := key.Sign(rand.Reader, d, h)
	if err != nil {
		t.Fatal(err)
	}
	return encodeCF(sig)
}

// customURL returns base signed with the exact policy bytes pol.
func customURL(t testing.TB, base, keyID string, key crypto.Signer, h crypto.Hash, pol []byte) string {
	t.Helper()
	u := base + sep(base) + "Policy=" + encodeCF(pol) + "&Signature=" + rawSign(t, key, h, pol) + "&Key-Pair-Id=" + keyID
	if h == crypto.SHA256 {
		u += "&Hash-Algorithm=SHA256"
	}
	return u
}

func sep(u string) string {
	if strings.Contains(u, "?") {
		return "&"
	}
	return "?"
}

// mustSignURL signs or fails the test.
func mustSignURL(t testing.TB, raw, keyID string, key crypto.Signer, p Policy, h crypto.Hash) string {
	t.Helper()
	s, err := SignURL(raw, keyID, key, p, h)
	if err != nil {
		t.Fatalf("SignURL(%q): %v", raw, err)
	}
	return s
}

// verdict is the comparable part of a Result.
type verdict struct{ Code, Message, Detail string }

func verdictOf(r Result) verdict { return verdict{r.Code, r.Message, r.Detail} }

func denied(code, detail string) verdict { return verdict{code, Message(code), detail} }

var okVerdict = verdict{}

// replaceParam replaces the value of the first name= parameter in u.
func replaceParam(u, name, value string) string {
	i := strings.Index(u, name+"=")
	if i < 0 {
		panic("no " + name + " in " + u)
	}
	j := i + len(name) + 1
	k := strings.IndexByte(u[j:], '&')
	if k < 0 {
		k = len(u) - j
	}
	return u[:j] + value + u[j+k:]
}

// paramValue returns the value of the first name= parameter in u.
func paramValue(u, name string) string {
	i := strings.Index(u, name+"=")
	v := u[i+len(name)+1:]
	v, _, _ = strings.Cut(v, "&")
	return v
}

func netipOrZero(s string) netip.Addr {
	if s == "" {
		return netip.Addr{}
	}
	return netip.MustParseAddr(s)
}
