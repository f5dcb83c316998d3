package e2e

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// Helpers for the geo restriction, PROXY protocol and signed URL tests.

// causeGeo is the geo restriction's cause sentence (spec §1.2, §4).
const causeGeo = "The Amazon CloudFront distribution is configured to block access from your country."

// allViewerAndCloudFront is the managed origin request policy
// AllViewerAndCloudFrontHeaders-2022-06.
const allViewerAndCloudFront = "33f36d7e-f396-46d9-90e0-52428a34d9dc"

// Addresses whose country the embedded IP2Location LITE data knows.
const (
	ipGB = "81.2.69.160"
	ipUS = "8.8.8.8"
	ipJP = "202.12.27.33"
)

// geoRestriction is a Restrictions value.
func geoRestriction(kind string, countries ...string) obj {
	g := list(countries...)
	g["RestrictionType"] = kind
	if len(countries) == 0 {
		delete(g, "Items")
	}
	return obj{"GeoRestriction": g}
}

// legacyHeaders is a behavior with legacy ForwardedValues naming headers.
func legacyHeaders(b obj, headers ...string) obj {
	return with(b, "CachePolicyId", nil, "MinTTL", 0, "DefaultTTL", 0, "MaxTTL", 0,
		"ForwardedValues", obj{
			"QueryString": false, "Cookies": obj{"Forward": "none"},
			"Headers": list(headers...), "QueryStringCacheKeys": list[string](),
		})
}

// cloudFrontHeaders returns the CloudFront-* headers of a recorded request.
func cloudFrontHeaders(h http.Header) http.Header {
	out := http.Header{}
	for k, vs := range h {
		if strings.HasPrefix(strings.ToLower(k), "cloudfront-") {
			out[k] = vs
		}
	}
	return out
}

// waitMetric polls /metrics until the sample with these labels has value
// want; it fails the test with the last value seen.
func (e *edge) waitMetric(t *testing.T, name string, labels map[string]string, want float64) {
	t.Helper()
	var got float64
	var found bool
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, text := e.admin(t, "/metrics")
		if got, found = metricValue(text, name, labels); found && got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%s%v: got %v (found %v), want %v", name, labels, got, found, want)
			return
		}
		<-time.After(50 * time.Millisecond)
	}
}

// --- geo databases ---

// countryRecord is a record in GeoIP2-Country shape.
func countryRecord(iso, name string) mmdbtype.Map {
	return mmdbtype.Map{
		"continent": mmdbtype.Map{"code": mmdbtype.String("EU"), "names": mmdbtype.Map{"en": mmdbtype.String("Europe")}},
		"country": mmdbtype.Map{
			"iso_code": mmdbtype.String(iso), "names": mmdbtype.Map{"en": mmdbtype.String(name)},
		},
		"registered_country": mmdbtype.Map{
			"iso_code": mmdbtype.String(iso), "names": mmdbtype.Map{"en": mmdbtype.String(name)},
		},
	}
}

// writeMMDB writes a GeoIP2-Country database mapping each CIDR to a
// country to path, atomically: a temporary file renamed over path.
func writeMMDB(t *testing.T, path string, nets map[string][2]string) {
	t.Helper()
	w, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoIP2-Country", RecordSize: 28})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, c := range nets {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Insert(n, countryRecord(c[0], c[1])); err != nil {
			t.Fatalf("insert %s: %v", cidr, err)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".geo-*.mmdb")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteTo(tmp); err != nil {
		t.Fatal(err)
	}
	if err := tmp.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		t.Fatal(err)
	}
}

// --- PROXY protocol ---

// proxied opens a TCP connection to addr, writes header (a PROXY protocol
// header, or nothing), then — over TLS when tlsConf is set — the raw HTTP
// request, and reads one response.
func proxied(t *testing.T, addr string, header []byte, tlsConf *tls.Config, req string) (*response, error) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(15 * time.Second))
	var conn net.Conn = c
	if tlsConf != nil {
		if _, err := c.Write(header); err != nil {
			return nil, err
		}
		tc := tls.Client(c, tlsConf)
		if err := tc.Handshake(); err != nil {
			return nil, err
		}
		conn = tc
		header = nil
	}
	// In clear, header and request go in one write: a server that answers
	// 400 to the first line and closes then has read everything, so the
	// close is not a reset racing with the answer.
	if _, err := conn.Write(append(header[:len(header):len(header)], req...)); err != nil {
		return nil, err
	}
	method, _, _ := strings.Cut(req, " ")
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := &response{Status: resp.StatusCode, Proto: resp.Proto, Header: resp.Header}
	_, out.LocalPort, _ = net.SplitHostPort(c.LocalAddr().String())
	out.Body, err = io.ReadAll(resp.Body)
	return out, err
}

// --- signing keys and documents ---

// signingKeys are the test's key pairs, generated once per run.
type signingKeys struct {
	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey
}

var (
	signKeysOnce sync.Once
	signKeys     signingKeys
	signKeysErr  error
)

// Key IDs and key group id of the signed-URL tests.
const (
	keyRSA   = "K2E2ERSA2048AB"
	keyEC    = "K2E2EECP256ABC"
	keyGroup = "e2e0b1c2-3d4e-5f60-7182-93a4b5c6d7e8"
)

// testKeys returns the RSA-2048 and ECDSA P-256 keys.
func testKeys(t *testing.T) signingKeys {
	t.Helper()
	signKeysOnce.Do(func() {
		if signKeys.rsa, signKeysErr = rsa.GenerateKey(rand.Reader, 2048); signKeysErr != nil {
			return
		}
		signKeys.ec, signKeysErr = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	})
	if signKeysErr != nil {
		t.Fatal(signKeysErr)
	}
	return signKeys
}

// privateKeyFile writes k as a PKCS #8 PEM file for openfront sign.
func privateKeyFile(t *testing.T, k any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// publicKeyDoc is the get-public-key shape.
func publicKeyDoc(t *testing.T, id string, pub any) obj {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return obj{"ETag": "E" + id, "PublicKey": obj{
		"Id": id, "CreatedTime": "2024-04-01T00:00:00.000Z",
		"PublicKeyConfig": obj{
			"CallerReference": "e2e-" + strings.ToLower(id), "Name": "e2e-" + strings.ToLower(id), "Comment": "",
			"EncodedKey": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
		},
	}}
}

// keyGroupDoc is the get-key-group shape.
func keyGroupDoc(id string, keyIDs ...string) obj {
	return obj{"ETag": "EKG" + strings.ToUpper(id[:4]), "KeyGroup": obj{
		"Id": id, "LastModifiedTime": "2024-04-01T00:00:00.000Z",
		"KeyGroupConfig": obj{"Name": "e2e-signers", "Comment": "", "Items": keyIDs},
	}}
}

// signingDocs are the PublicKey and KeyGroup documents of the test keys.
func signingDocs(t *testing.T) map[string]any {
	t.Helper()
	k := testKeys(t)
	return map[string]any{
		"public-key-rsa.json": publicKeyDoc(t, keyRSA, &k.rsa.PublicKey),
		"public-key-ec.json":  publicKeyDoc(t, keyEC, &k.ec.PublicKey),
		"key-group.json":      keyGroupDoc(keyGroup, keyRSA, keyEC),
	}
}

// signedBehavior is a behavior requiring signatures from the test key
// group; it forwards every query string and allows OPTIONS.
func signedBehavior(pattern, originID string) obj {
	return with(behavior(pattern, originID),
		"TrustedKeyGroups", obj{"Enabled": true, "Quantity": 1, "Items": []string{keyGroup}},
		"AllowedMethods", methods("GET", "HEAD", "OPTIONS"),
		"OriginRequestPolicyId", allViewer)
}

// signingErrorBody is CloudFront's one-line XML body (spec §1.3).
func signingErrorBody(code, message string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + code + `</Code><Message>` + message + `</Message></Error>`
}

// Signing error codes and messages (spec §1.3).
var signingMessages = map[string]string{
	"MissingKey":         "Missing Key-Pair-Id query parameter or cookie value",
	"InvalidKey":         "Unknown Key",
	"MalformedSignature": "Could not unencode Signature",
	"MalformedPolicy":    "Malformed Policy",
	"AccessDenied":       "Access denied",
}

// checkSigningError checks a signed URL or cookie refusal: 403, text/xml,
// Server: CloudFront, Error from cloudfront and the exact body.
func checkSigningError(t *testing.T, r *response, code string) {
	t.Helper()
	if r.Status != 403 {
		t.Errorf("status: got %d, want 403; body %q", r.Status, r.Body)
	}
	if got := r.Header.Get("Server"); got != "CloudFront" {
		t.Errorf("Server: got %q, want CloudFront", got)
	}
	if got := r.Header.Get("Content-Type"); got != "text/xml" {
		t.Errorf("Content-Type: got %q, want text/xml", got)
	}
	checkCloudFrontHeaders(t, r, "Error from cloudfront")
	if want := signingErrorBody(code, signingMessages[code]); string(r.Body) != want {
		t.Errorf("body: got %q, want %q", r.Body, want)
	}
	if got := r.Header.Get("Content-Length"); got != strconv.Itoa(len(r.Body)) {
		t.Errorf("Content-Length: got %q, want %d", got, len(r.Body))
	}
}
