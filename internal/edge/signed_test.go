package edge

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openfront-edge/openfront/internal/signedurl"
)

func signedDocs(t *testing.T, o *recordingOrigin) (map[string]string, *rsa.PrivateKey) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	encoded, _ := json.Marshal(string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})))
	behaviors := `{"PathPattern": "/private/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
	  "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3",
	  "AllowedMethods": {"Quantity": 3, "Items": ["GET", "HEAD", "OPTIONS"]},
	  "TrustedKeyGroups": {"Enabled": true, "Quantity": 1, "Items": ["kg1"]}}`
	return map[string]string{
		"E1.json":  distConfig(o, behaviors, ""),
		"key.json": `{"ETag": "X", "PublicKey": {"Id": "K2JCJMDEHXQW5F", "CreatedTime": "2024-01-01T00:00:00Z", "PublicKeyConfig": {"CallerReference": "c", "Name": "k", "EncodedKey": ` + string(encoded) + `}}}`,
		"kg.json":  `{"ETag": "X", "KeyGroup": {"Id": "kg1", "LastModifiedTime": "2024-01-01T00:00:00Z", "KeyGroupConfig": {"Name": "g", "Items": ["K2JCJMDEHXQW5F"]}}}`,
	}, key
}

func TestSignedURLs(t *testing.T) {
	o := newOrigin(t, nil)
	docs, key := signedDocs(t, o)
	s := newTestServer(t, docs)
	sign := func(u string, exp time.Time) string {
		t.Helper()
		out, err := signedurl.SignURL(u, "K2JCJMDEHXQW5F", key, signedurl.Policy{DateLessThan: exp, Canned: true}, crypto.SHA1)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	valid := sign("http://www.example.com/private/a.txt?x=1", time.Now().Add(time.Hour))
	expired := sign("http://www.example.com/private/a.txt", time.Now().Add(-time.Hour))
	cookies, err := signedurl.SignCookies("http://www.example.com/private/*", "K2JCJMDEHXQW5F", key,
		signedurl.Policy{DateLessThan: time.Now().Add(time.Hour)}, crypto.SHA1)
	if err != nil {
		t.Fatal(err)
	}
	var cookieHeader []string
	for _, c := range cookies {
		cookieHeader = append(cookieHeader, c.Name+"="+c.Value)
	}
	xml := func(code, msg string) string {
		return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + code + `</Code><Message>` + msg + `</Message></Error>`
	}
	tests := []struct {
		name, method, target, cookie string
		status                       int
		body                         string
	}{
		{"no signature", "GET", "/private/a.txt", "", 403, xml("MissingKey", "Missing Key-Pair-Id query parameter or cookie value")},
		{"valid signed URL", "GET", strings.TrimPrefix(valid, "http://www.example.com"), "", 200, "origin:/base/private/a.txt"},
		{"expired", "GET", strings.TrimPrefix(expired, "http://www.example.com"), "", 403, xml("AccessDenied", "Access denied")},
		{"tampered path", "GET", strings.Replace(strings.TrimPrefix(valid, "http://www.example.com"), "a.txt", "b.txt", 1), "", 403, xml("AccessDenied", "Access denied")},
		{"unknown key", "GET", strings.Replace(strings.TrimPrefix(valid, "http://www.example.com"), "K2JCJMDEHXQW5F", "KUNKNOWN", 1), "", 403, xml("InvalidKey", "Unknown Key")},
		{"valid cookie", "GET", "/private/c.txt", strings.Join(cookieHeader, "; "), 200, "origin:/base/private/c.txt"},
		{"OPTIONS unchecked", "OPTIONS", "/private/a.txt", "", 200, "origin:/base/private/a.txt"},
		{"unsigned behavior", "GET", "/public/a.txt", "", 200, "origin:/base/public/a.txt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, nil)
			r.Host = "www.example.com"
			if tc.cookie != "" {
				r.Header.Set("Cookie", tc.cookie)
			}
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if w.Code != tc.status || w.Body.String() != tc.body {
				t.Fatalf("got %d %q, want %d %q", w.Code, w.Body.String(), tc.status, tc.body)
			}
			if tc.status == 403 {
				if got := w.Header().Get("Content-Type"); got != "text/xml" {
					t.Errorf("Content-Type: got %q, want text/xml", got)
				}
				if got := w.Header().Get("Server"); got != "CloudFront" {
					t.Errorf("Server: got %q", got)
				}
				checkCloudFrontHeaders(t, w, "Error from cloudfront")
			}
		})
	}
	// The signing parameters never reach the origin; the viewer's own do.
	r := httptest.NewRequest("GET", strings.TrimPrefix(valid, "http://www.example.com"), nil)
	r.Host = "www.example.com"
	s.ServeHTTP(httptest.NewRecorder(), r)
	if got := o.last(t).URL.RawQuery; got != "x=1" {
		t.Errorf("origin query: got %q, want x=1", got)
	}
}
