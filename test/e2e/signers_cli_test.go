package e2e

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// signerKeyFiles maps gen.py's RSA key IDs to their private keys (ECDSA
// signatures are randomized, so only RSA ones can be compared).
var signerKeyFiles = map[string]string{"KSGNRSAA000001": "rsa-a.pem", "KSGNRSAB000001": "rsa-b.pem",
	"APKASIGNERS1024EXMPL": "legacy-rsa1024.pem", "APKASIGNERS4096EXMPL": "legacy-rsa4096.pem"}

// TestSignedCLIMatchesThirdPartySigners: for every RSA URL and cookie in the
// committed vectors that CloudFront serves, openfront sign, given the same
// URL, key, expiry or policy bytes and hash, makes the very signature (and
// Policy) the third-party signer made: RSA PKCS #1 v1.5 is deterministic,
// so any difference is a difference in the signed bytes.
func TestSignedCLIMatchesThirdPartySigners(t *testing.T) {
	t.Parallel()
	var v signerVectors
	readJSON(t, filepath.Join(signersDir, "vectors.json"), &v)
	compared := 0
	for _, tc := range v.Cases {
		if tc.Want != "200" {
			continue
		}
		params := map[string]string{}
		if len(tc.Cookies) > 0 {
			for _, line := range tc.Cookies {
				for _, kv := range strings.Split(line, "; ") {
					if k, val, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "CloudFront-") {
						params[strings.TrimPrefix(k, "CloudFront-")] = val
					}
				}
			}
		} else {
			_, q, _ := strings.Cut(tc.Target, "?")
			for _, kv := range strings.Split(q, "&") {
				k, val, _ := strings.Cut(kv, "=")
				if u, err := url.PathUnescape(val); err == nil {
					val = u // some clients escape '~'
				}
				params[k] = val
			}
		}
		keyFile, ok := signerKeyFiles[params["Key-Pair-Id"]]
		if !ok {
			continue
		}
		compared++
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			kind, u := "url", tc.Scheme+"://"+tc.Host+tc.Target
			if len(tc.Cookies) > 0 {
				kind = "cookies"
			} else {
				path, q, _ := strings.Cut(tc.Target, "?")
				u = tc.Scheme + "://" + tc.Host + path
				if q = withoutSigningParams(q); q != "" {
					u += "?" + q
				}
			}
			args := []string{kind, u, "--key-pair-id", params["Key-Pair-Id"], "--private-key", filepath.Join(signersDir, "keys", keyFile)}
			if params["Hash-Algorithm"] == "SHA256" {
				args = append(args, "--hash", "sha256")
			}
			if p, ok := params["Policy"]; ok {
				raw, err := base64.StdEncoding.DecodeString(strings.NewReplacer("-", "+", "_", "=", "~", "/").Replace(p))
				if err != nil {
					t.Fatalf("Policy %q: %v", p, err)
				}
				file := filepath.Join(t.TempDir(), "policy.json")
				if err := os.WriteFile(file, raw, 0o644); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--policy", file)
			} else {
				args = append(args, "--expires", params["Expires"], "--policy-type", "canned")
			}
			out := signCLI(t, args...)
			got := map[string]string{}
			if kind == "url" {
				var res struct{ URL string }
				if err := json.Unmarshal(out, &res); err != nil {
					t.Fatal(err)
				}
				_, q, _ := strings.Cut(res.URL, "?")
				for _, kv := range strings.Split(q, "&") {
					k, val, _ := strings.Cut(kv, "=")
					got[k] = val
				}
			} else {
				var res struct {
					Cookies []struct{ Name, Value string }
				}
				if err := json.Unmarshal(out, &res); err != nil {
					t.Fatal(err)
				}
				for _, c := range res.Cookies {
					got[strings.TrimPrefix(c.Name, "CloudFront-")] = c.Value
				}
			}
			for _, k := range signingParams {
				if got[k] != params[k] {
					t.Errorf("%s: openfront sign made %q, %s made %q", k, got[k], tc.Signer, params[k])
				}
			}
		})
	}
	if compared < 20 {
		t.Errorf("compared %d cases, want at least 20", compared)
	}
}

// TestSignedCLIVerifiedByOpenSSL: ECDSA signatures are randomized, so
// instead of comparing bytes, OpenSSL (`openssl dgst -verify`, as the
// Developer Guide's recipe reversed) verifies openfront sign's ECDSA and
// RSA signatures, SHA-1 and SHA-256, over the canned policy CloudFront
// rebuilds and over the Policy it carries.
func TestSignedCLIVerifiedByOpenSSL(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed (apt-get install openssl)")
	}
	const u = "http://signers.example.com/private/cli/a%20b.txt?x=1"
	for _, tc := range []struct{ name, keyID, key, pub, hash, kind string }{
		{"ECDSA, SHA-1, canned URL", "KSGNECP2560001", "ec.pem", "ec.pub.pem", "sha1", "canned"},
		{"ECDSA, SHA-256, canned URL", "KSGNECP2560001", "ec.pem", "ec.pub.pem", "sha256", "canned"},
		{"ECDSA, SHA-256, custom URL", "KSGNECP2560001", "ec.pem", "ec.pub.pem", "sha256", "custom"},
		{"RSA, SHA-256, custom URL", "KSGNRSAA000001", "rsa-a.pem", "rsa-a.pub.pem", "sha256", "custom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := []string{"url", u, "--key-pair-id", tc.keyID, "--private-key", filepath.Join(signersDir, "keys", tc.key),
				"--expires", "4102444800", "--hash", tc.hash}
			if tc.kind == "custom" {
				args = append(args, "--resource", "http://signers.example.com/private/cli/*")
			}
			var res struct{ URL string }
			if err := json.Unmarshal(signCLI(t, args...), &res); err != nil {
				t.Fatal(err)
			}
			params := map[string]string{}
			_, q, _ := strings.Cut(res.URL, "?")
			for _, kv := range strings.Split(q, "&") {
				k, val, _ := strings.Cut(kv, "=")
				params[k] = val
			}
			unCF := func(s string) []byte {
				b, err := base64.StdEncoding.DecodeString(strings.NewReplacer("-", "+", "_", "=", "~", "/").Replace(s))
				if err != nil {
					t.Fatalf("%q: %v", s, err)
				}
				return b
			}
			policy := []byte(`{"Statement":[{"Resource":"` + u + `","Condition":{"DateLessThan":{"AWS:EpochTime":4102444800}}}]}`)
			if tc.kind == "custom" {
				policy = unCF(params["Policy"])
			}
			dir := t.TempDir()
			pf, sf := filepath.Join(dir, "policy"), filepath.Join(dir, "sig")
			if err := os.WriteFile(pf, policy, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(sf, unCF(params["Signature"]), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("openssl", "dgst", "-"+tc.hash, "-verify", filepath.Join(signersDir, "keys", tc.pub),
				"-signature", sf, pf).CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != "Verified OK" {
				t.Errorf("openssl dgst -verify: %v: %s", err, out)
			}
		})
	}
}

// TestSignedCLIPolicyMatchesThirdPartySigners: from the same URL, dates and
// single IP address, openfront sign writes the same custom policy (as JSON,
// key order aside) as the AWS CLI and @aws-sdk/cloudfront-signer, the
// address included as address/32.
func TestSignedCLIPolicyMatchesThirdPartySigners(t *testing.T) {
	t.Parallel()
	var v signerVectors
	readJSON(t, filepath.Join(signersDir, "vectors.json"), &v)
	decode := func(t *testing.T, target string) any {
		t.Helper()
		_, q, _ := strings.Cut(target, "?")
		for _, kv := range strings.Split(q, "&") {
			if k, val, _ := strings.Cut(kv, "="); k == "Policy" {
				b, err := base64.StdEncoding.DecodeString(strings.NewReplacer("-", "+", "_", "=", "~", "/").Replace(val))
				if err != nil {
					t.Fatal(err)
				}
				var doc any
				if err := json.Unmarshal(b, &doc); err != nil {
					t.Fatal(err)
				}
				return doc
			}
		}
		t.Fatalf("no Policy in %q", target)
		return nil
	}
	compared := 0
	for _, tc := range v.Cases {
		if !strings.HasSuffix(tc.Name, ": custom, DateGreaterThan and single IP") {
			continue
		}
		compared++
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			path, q, _ := strings.Cut(tc.Target, "?")
			u := tc.Scheme + "://" + tc.Host + path
			if q = withoutSigningParams(q); q != "" {
				u += "?" + q
			}
			var res struct{ URL string }
			out := signCLI(t, "url", u, "--key-pair-id", "KSGNRSAA000001", "--private-key", filepath.Join(signersDir, "keys", "rsa-a.pem"),
				"--expires", "4102444800", "--not-before", "978307200", "--ip", "127.0.0.1")
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatal(err)
			}
			got, want := decode(t, targetOf(t, res.URL)), decode(t, tc.Target)
			if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
				t.Errorf("policy: openfront sign wrote %s, %s wrote %s", g, tc.Signer, w)
			}
		})
	}
	if compared < 3 {
		t.Errorf("compared %d signers, want the AWS CLI v1, v2 and Node", compared)
	}
}

// mustJSON marshals v with sorted keys.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
