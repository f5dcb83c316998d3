package e2e

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/cloudfront/sign"
)

// signersDir holds the third-party signers' keys, vectors and the script
// that makes them (testdata/signers/gen.py, which names each signer).
const signersDir = "testdata/signers"

// signerVectors is vectors.json as gen.py writes it.
type signerVectors struct {
	Host    string            `json:"host"`
	Keys    map[string]string `json:"keys"`
	Signers map[string]string `json:"signers"`
	Missing []string          `json:"missing"`
	Cases   []signerCase      `json:"cases"`
}

// signerCase is one request signed by a third-party signer and what
// CloudFront documents as its answer: "200", or the XML error code.
type signerCase struct {
	Name    string   `json:"name"`
	Signer  string   `json:"signer"`
	Scheme  string   `json:"scheme"`
	Host    string   `json:"host"`
	Target  string   `json:"target"`
	Cookies []string `json:"cookies"`
	Viewer  string   `json:"viewer"` // sent as X-Forwarded-For through a trusted proxy; "" is 127.0.0.1
	Want    string   `json:"want"`
}

// The key groups of gen.py: A and B are trusted by /private/*, C (holding
// the account's other key) is not.
var signerKeyGroups = []struct{ id, name string }{
	{"5a1e0c2d-aaaa-4b3c-8d9e-0f1a2b3c4d5e", "A"},
	{"5a1e0c2d-bbbb-4b3c-8d9e-0f1a2b3c4d5e", "B"},
	{"5a1e0c2d-cccc-4b3c-8d9e-0f1a2b3c4d5e", "C"},
}

// signersDocs is the configuration the vectors were made for: the public
// keys as get-public-key prints them, key groups A, B and C, and a
// distribution for the vectors' host whose /private/* trusts A and B.
func signersDocs(t *testing.T, o *origin) map[string]any {
	t.Helper()
	var meta struct {
		Keys      map[string]string   `json:"keys"`
		KeyGroups map[string][]string `json:"key_groups"`
		Untrusted map[string][]string `json:"untrusted_key_group"`
		Host      string              `json:"host"`
	}
	readJSON(t, filepath.Join(signersDir, "vectors.json"), &meta)
	docs := map[string]any{}
	for id, file := range meta.Keys {
		pem, err := os.ReadFile(filepath.Join(signersDir, "keys", file))
		if err != nil {
			t.Fatal(err)
		}
		docs["public-key-"+id+".json"] = obj{"ETag": "E" + id, "PublicKey": obj{
			"Id": id, "CreatedTime": "2024-04-01T00:00:00.000Z",
			"PublicKeyConfig": obj{"CallerReference": "signers-" + id, "Name": "signers-" + strings.ToLower(id),
				"Comment": "", "EncodedKey": string(pem)},
		}}
	}
	var trusted []string
	for _, g := range signerKeyGroups {
		items, ok := meta.KeyGroups[g.name]
		if !ok {
			items = meta.Untrusted[g.name]
		} else {
			trusted = append(trusted, g.id)
		}
		docs["key-group-"+g.name+".json"] = obj{"ETag": "EKG" + g.name, "KeyGroup": obj{
			"Id": g.id, "LastModifiedTime": "2024-04-01T00:00:00.000Z",
			"KeyGroupConfig": obj{"Name": "signers-" + g.name, "Comment": "", "Items": items},
		}}
	}
	private := with(behavior("/private/*", "o"),
		"TrustedKeyGroups", obj{"Enabled": true, "Quantity": len(trusted), "Items": trusted},
		"AllowedMethods", methods("GET", "HEAD", "OPTIONS"),
		"OriginRequestPolicyId", allViewer)
	legacy := with(behavior("/legacy/*", "o"),
		"TrustedSigners", obj{"Enabled": true, "Quantity": 1, "Items": []string{"self"}},
		"OriginRequestPolicyId", allViewer)
	cfg := distConfig([]obj{customOrigin("o", "127.0.0.1", o.port())}, behavior("", "o"), private, legacy)
	cfg["Aliases"] = list(meta.Host)
	docs["ESIGNERS.json"] = configDoc(cfg)
	return docs
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// signersFlags are the openfront serve flags the vectors need: the legacy
// key pairs' public keys, which /legacy/* trusts.
func signersFlags(t *testing.T) []string {
	t.Helper()
	var meta struct {
		Legacy map[string]string `json:"legacy_keys"`
	}
	readJSON(t, filepath.Join(signersDir, "vectors.json"), &meta)
	var out []string
	for id, file := range meta.Legacy {
		path, err := filepath.Abs(filepath.Join(signersDir, "keys", file))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, "--trusted-signer-key", id+"="+path)
	}
	return out
}

// thirdPartySigners are gen.py's signers, with how to get each one.
var thirdPartySigners = []struct{ name, install string }{
	{"botocore", "pip install botocore cryptography (or apt-get install python3-botocore python3-cryptography)"},
	{"awscli1", "pip install awscli (AWS CLI v1, the aws on PATH)"},
	{"awscli2", "apt-get install awscli (Debian's AWS CLI v2 at /usr/bin/aws)"},
	{"openssl", "apt-get install openssl"},
	{"node", "node and npm, then `npm ci` in test/e2e/testdata/signers"},
}

// TestSignedThirdPartySigners: signed URLs and cookies made by real
// third-party signers — botocore, AWS CLI v1 and v2, the OpenSSL recipe of
// the CloudFront Developer Guide, @aws-sdk/cloudfront-signer, the AWS SDK
// for Go — with key groups and legacy key pairs, are served exactly when
// CloudFront documents it, and every refusal is CloudFront's 403 XML answer
// with its access-log line (spec §1.3, §2.1, §5). It runs the committed
// vectors (testdata/signers/vectors.json, no network needed) and the same
// script live with each signer found on the machine.
func TestSignedThirdPartySigners(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "app", nil)
	e := startEdge(t, signersDocs(t, o), append(signersFlags(t), "--trusted-proxy", "127.0.0.1/32")...)

	t.Run("vectors", func(t *testing.T) {
		t.Parallel()
		var v signerVectors
		readJSON(t, filepath.Join(signersDir, "vectors.json"), &v)
		for _, s := range thirdPartySigners {
			if v.Signers[s.name] == "" {
				t.Errorf("vectors.json has no vectors from %s; regenerate with gen.py where it is installed", s.name)
			}
		}
		runSignerCases(t, e, o, v.Cases)
	})
	t.Run("live/go-sdk", func(t *testing.T) {
		t.Parallel()
		runSignerCases(t, e, o, goSDKCases(t))
	})
	for _, s := range thirdPartySigners {
		t.Run("live/"+s.name, func(t *testing.T) {
			t.Parallel()
			if _, err := exec.LookPath("python3"); err != nil {
				t.Skip("python3 is not installed; it runs gen.py")
			}
			dir := t.TempDir()
			cmd := exec.Command("python3", "gen.py", "--only", s.name, "--out", dir)
			cmd.Dir = signersDir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("gen.py --only %s: %v\n%s", s.name, err, out)
			}
			var v signerVectors
			readJSON(t, filepath.Join(dir, "vectors.json"), &v)
			if len(v.Missing) > 0 {
				t.Skipf("%s is not installed here; to run it: %s", s.name, s.install)
			}
			t.Logf("signer: %s", v.Signers[s.name])
			runSignerCases(t, e, o, v.Cases)
		})
	}
}

// runSignerCases sends each case and checks the answer, the origin and the
// access-log line. An https case is sent over HTTP/1.1 and again over
// HTTP/2, where the client splits cookies into one field each (RFC 9113
// §8.2.3).
func runSignerCases(t *testing.T, e *edge, o *origin, cases []signerCase) {
	t.Helper()
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, tc := range cases {
		protos := []string{tc.Scheme}
		if tc.Scheme == "https" {
			protos = append(protos, "h2")
		}
		for _, proto := range protos {
			name := tc.Name
			if proto == "h2" {
				name += " (HTTP/2)"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				runSignerCase(t, e, o, tc, proto)
			})
		}
	}
}

// runSignerCase sends one case over proto and checks it.
func runSignerCase(t *testing.T, e *edge, o *origin, tc signerCase, proto string) {
	t.Helper()
	rq := request{Proto: proto, Host: tc.Host, Target: tc.Target, Header: http.Header{}}
	if len(tc.Cookies) > 0 {
		rq.Header["Cookie"] = tc.Cookies // one header line each
	}
	viewer := "127.0.0.1"
	if tc.Viewer != "" {
		viewer = tc.Viewer
		rq.Header.Set("X-Forwarded-For", tc.Viewer)
	}
	r := e.do(t, rq)
	path, query, _ := strings.Cut(tc.Target, "?")
	want := map[string]string{
		"c-ip": viewer, "cs-method": "GET", "x-host-header": tc.Host, "cs-protocol": tc.Scheme,
		"cs(Host)": defaultDomain("ESIGNERS"), "x-edge-location": "TST1-P1",
		"cs-uri-stem": logEncode(path), "cs-uri-query": logEncode(query),
	}
	if query == "" {
		want["cs-uri-query"] = "-"
	}
	if want["cs-protocol-version"] = "HTTP/1.1"; proto == "h2" {
		want["cs-protocol-version"] = "HTTP/2.0"
	}
	if tc.Want == "200" {
		checkServedSigned(t, e, o, r, "ESIGNERS", withoutSigningParams(query))
		if got := o.mustByID(t, r.ID()).RequestURI; !strings.HasPrefix(got, path) {
			t.Errorf("origin request-target: got %q, want the path %q as sent", got, path)
		}
	} else {
		checkSigningError(t, r, tc.Want)
		if _, ok := o.byID(r.ID()); ok {
			t.Error("the origin received a refused request")
		}
		want["sc-status"], want["sc-content-type"], want["sc-content-len"] = "403", "text/xml", strconv.Itoa(len(r.Body))
		want["x-edge-result-type"], want["x-edge-response-result-type"], want["x-edge-detailed-result-type"] = "Error", "Error", "Error"
	}
	checkLog(t, e.waitLogID(t, "ESIGNERS.*.gz", r.ID()), want)
}

// withoutSigningParams is a raw query less the parameters CloudFront
// consumes (Expires, Policy, Signature, Key-Pair-Id, Hash-Algorithm), in
// order: what the origin should receive.
func withoutSigningParams(query string) string {
	if query == "" {
		return ""
	}
	var kept []string
outer:
	for _, kv := range strings.Split(query, "&") {
		k, _, _ := strings.Cut(kv, "=")
		for _, p := range signingParams {
			if k == p {
				continue outer
			}
		}
		kept = append(kept, kv)
	}
	return strings.Join(kept, "&")
}

// logEncode encodes a value as CloudFront's standard log does (spec §2.1):
// bytes 0–32 and 127 and above, and < > " # % { } | \ ^ ~ [ ] ` ' as %XX.
func logEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 32 || c >= 127 || strings.IndexByte(`<>"#%{}|\^~[]`+"`'", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// goSDKCases are gen.py's kind of cases made live by the AWS SDK for Go v2
// (feature/cloudfront/sign, pinned in go.mod) with the same keys and times.
func goSDKCases(t *testing.T) []signerCase {
	t.Helper()
	const host = "signers.example.com"
	base := "http://" + host
	far, past, later := time.Unix(4102444800, 0), time.Unix(978307200, 0), time.Unix(4070908800, 0)
	key := func(file string) crypto.Signer {
		b, err := os.ReadFile(filepath.Join(signersDir, "keys", file))
		if err != nil {
			t.Fatal(err)
		}
		block, _ := pem.Decode(b)
		var k crypto.Signer
		switch block.Type {
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(block.Bytes)
		}
		if err != nil || k == nil {
			t.Fatalf("%s: %v", file, err)
		}
		return k
	}
	rsaA, ec, untrusted := key("rsa-a.pem"), key("ec.pem"), key("rsa-untrusted.pem")
	const idA, idEC, idUntrusted = "KSGNRSAA000001", "KSGNECP2560001", "KSGNUNTRUST001"
	signer := "aws-sdk-go-v2 feature/cloudfront/sign"
	var out []signerCase
	url := func(name, want, viewer, keyID string, k crypto.Signer, u string, p *sign.Policy) {
		out = append(out, signerCase{Name: "go-sdk: " + name, Signer: signer, Scheme: "http", Host: host,
			Target: sdkURL(t, keyID, k, u, far, p), Viewer: viewer, Want: want})
	}
	cookies := func(name, want, target string, split bool, p *sign.Policy) {
		cs, err := sign.NewCookieSigner(idA, rsaA.(*rsa.PrivateKey)).SignWithPolicy(p)
		if err != nil {
			t.Fatal(err)
		}
		lines := []string{cookieHeader(cs)}
		if split {
			lines = []string{"a=b; " + cookieHeader(cs[:1]), cookieHeader(cs[1:]) + "; c=d"}
		}
		out = append(out, signerCase{Name: "go-sdk: " + name, Signer: signer, Scheme: "http", Host: host,
			Target: target, Cookies: lines, Want: want})
	}
	url("canned, RSA, own query", "200", "", idA, rsaA, base+"/private/go/a.txt?color=red&size=medium", nil)
	url("canned, ECDSA", "200", "", idEC, ec, base+"/private/go/ec.txt", nil)
	url("canned, encoded space, plus, %2F and UTF-8", "200", "", idA, rsaA, base+"/private/odd/a%20b/c+d%2Be%2Ff/%C3%BCber.txt?q=a%20b+c", nil)
	url("custom, Resource *, IPv6 viewer, no IpAddress", "200", "2001:db8::3", idEC, ec, base+"/private/go/star.txt",
		customPolicy("*", time.Time{}, far, ""))
	url("custom, wildcard, DateGreaterThan, CIDR, IPv4 viewer inside", "200", "203.0.113.5", idA, rsaA, base+"/private/go/dir/x.txt?k=1",
		customPolicy(base+"/private/go/dir/*", past, far, "203.0.113.0/24"))
	url("custom, CIDR, IPv6 viewer", "AccessDenied", "2001:db8::4", idA, rsaA, base+"/private/go/dir/y.txt",
		customPolicy(base+"/private/go/dir/*", time.Time{}, far, "203.0.113.0/24"))
	url("custom, DateGreaterThan not reached", "AccessDenied", "", idA, rsaA, base+"/private/go/soon.txt",
		customPolicy(base+"/private/go/*", later, far, ""))
	url("custom, expired", "AccessDenied", "", idA, rsaA, base+"/private/go/old.txt",
		customPolicy(base+"/private/go/*", time.Time{}, past, ""))
	url("canned, key not in a trusted key group", "InvalidKey", "", idUntrusted, untrusted, base+"/private/go/u.txt", nil)
	cookies("policy cookies for one URL (its canned form), two Cookie headers", "200", "/private/go/c.txt", true,
		sign.NewCannedPolicy(base+"/private/go/c.txt", far))
	cookies("policy cookies, wildcard Resource", "200", "/private/go/jar/a/b.txt?z=9", false,
		customPolicy(base+"/private/go/jar/*", time.Time{}, far, ""))
	cookies("policy cookies, expired", "AccessDenied", "/private/go/jar/old.txt", false,
		customPolicy(base+"/private/go/jar/*", time.Time{}, past, ""))
	return out
}

// TestSignedThirdPartyIPv6Viewer: a viewer connected over IPv6 (not named by
// X-Forwarded-For) is served by a signature without IpAddress and refused by
// one with an IPv4 IpAddress, even the loopback's: CloudFront policies take
// IPv4 only (spec §5.4).
func TestSignedThirdPartyIPv6Viewer(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "app", nil)
	e := startEdge(t, signersDocs(t, o), append(signersFlags(t), "--http", "[::1]:0")...)
	if !strings.HasPrefix(e.HTTP, "[::1]:") {
		t.Fatalf("http listener %s, want [::1]", e.HTTP)
	}
	var v signerVectors
	readJSON(t, filepath.Join(signersDir, "vectors.json"), &v)
	byName := map[string]signerCase{}
	for _, c := range v.Cases {
		byName[c.Name] = c
	}
	for name, want := range map[string]string{
		"botocore: canned, RSA, own query":                                  "200",
		"botocore: custom, ECDSA, Resource *":                               "200",
		"node: canned cookies (CloudFront-Expires), one Cookie header":      "200",
		"botocore: custom, wildcard Resource, DateGreaterThan, single IP":   "AccessDenied", // 127.0.0.1/32
		"awscli1: custom, DateGreaterThan and single IP":                    "AccessDenied", // 127.0.0.1/32
		"openssl: custom, the guide's layout with CRLFs, wildcard Resource": "AccessDenied", // 127.0.0.0/8
		"node: policy cookies, DateGreaterThan and CIDR":                    "AccessDenied", // 127.0.0.0/8
		"botocore: canned, key not in a trusted key group":                  "InvalidKey",
	} {
		tc, ok := byName[name]
		if !ok {
			t.Fatalf("vectors.json has no case %q", name)
		}
		tc.Want = want
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rq := request{Host: tc.Host, Target: tc.Target, Header: http.Header{"Cookie": tc.Cookies}}
			r := e.do(t, rq)
			if _, query, _ := strings.Cut(tc.Target, "?"); want == "200" {
				checkServedSigned(t, e, o, r, "ESIGNERS", withoutSigningParams(query))
			} else {
				checkSigningError(t, r, want)
			}
			checkLog(t, e.waitLogID(t, "ESIGNERS.*.gz", r.ID()), map[string]string{"c-ip": "::1"})
		})
	}
}
