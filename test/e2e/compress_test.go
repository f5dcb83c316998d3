package e2e

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
)

// TestCompression: a behavior with Compress serves a real nginx origin's
// uncompressed files compressed, as CloudFront does (ServingCompressedFiles):
// Brotli under a cache policy that enables it, Gzip otherwise, only for the
// sizes CloudFront compresses (nginx here names every file text/plain; the
// types are the unit tests'), and the log counts the bytes sent.
func TestCompression(t *testing.T) {
	t.Parallel()
	page := strings.Repeat("<p>openfront serves compressed files as CloudFront does.</p>\n", 100)
	port := startNginx(t, map[string]string{
		"index.html": page, "small.html": page[:900], "legacy/index.html": page,
	})
	const id = "ECOMPRESS1"
	optimized := with(behavior("", "nginx"), "Compress", true, "CachePolicyId", "658327ea-f89d-4fab-a63d-7e88639e58f6")
	legacy := with(behavior("/legacy/*", "nginx"), "Compress", true, "CachePolicyId", nil,
		"ForwardedValues", obj{"QueryString": false, "Cookies": obj{"Forward": "none"}}, "MinTTL", 0)
	cfg := distConfig([]obj{customOrigin("nginx", "127.0.0.1", port)}, optimized, legacy)
	cfg["Logging"] = obj{"Enabled": true, "IncludeCookies": false, "Bucket": "logs.s3.amazonaws.com", "Prefix": ""}
	e := startEdge(t, docs1(id, cfg))
	for _, tc := range []struct {
		name, target, accept, proto, want, body string
	}{
		{"brotli over HTTP/1.1", "/index.html", "gzip, deflate, br", "http", "br", page},
		{"brotli over HTTP/2", "/index.html", "gzip, deflate, br", "h2", "br", page},
		{"gzip", "/index.html", "gzip", "https", "gzip", page},
		{"no Accept-Encoding", "/index.html", "", "http", "", page},
		{"under 1,000 bytes", "/small.html", "gzip, br", "http", "", page[:900]},
		{"legacy cache settings: gzip only", "/legacy/index.html", "gzip, br", "http", "gzip", page},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if tc.accept != "" {
				h.Set("Accept-Encoding", tc.accept)
			}
			r := e.do(t, request{Proto: tc.proto, Host: defaultDomain(id), Target: tc.target, Header: h})
			if r.Status != 200 {
				t.Fatalf("status: got %d", r.Status)
			}
			if got := r.Header.Get("Content-Encoding"); got != tc.want {
				t.Fatalf("Content-Encoding: got %q, want %q", got, tc.want)
			}
			// CachingOptimized: a variant another case fetched may be a Hit.
			xcache := "Miss from cloudfront"
			if r.Header.Get("X-Cache") == "Hit from cloudfront" {
				xcache = "Hit from cloudfront"
			}
			checkCloudFrontHeaders(t, r, xcache)
			body := r.Body
			switch tc.want {
			case "br":
				b, err := io.ReadAll(brotli.NewReader(bytes.NewReader(r.Body)))
				if err != nil {
					t.Fatal(err)
				}
				body = b
			case "gzip":
				zr, err := gzip.NewReader(bytes.NewReader(r.Body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if string(body) != tc.body {
				t.Errorf("body after decoding: %d bytes, want the file's %d", len(body), len(tc.body))
			}
			if tc.want != "" {
				if len(r.Body) >= len(body) {
					t.Errorf("sent %d bytes for %d: not compressed", len(r.Body), len(body))
				}
				if got := r.Header.Get("Etag"); !strings.HasPrefix(got, `W/"`) {
					t.Errorf("ETag: got %q, want nginx's made weak", got)
				}
				if got := r.Header.Get("Vary"); got != "Accept-Encoding" {
					t.Errorf("Vary: got %q", got)
				}
			}
			l := e.waitLogID(t, id+".*.gz", r.ID())
			sc, _ := strconv.Atoi(l["sc-bytes"])
			if sc <= len(r.Body) {
				t.Errorf("log sc-bytes %d, want more than the %d body bytes sent", sc, len(r.Body))
			}
			wantLen := strconv.Itoa(len(r.Body))
			if tc.want != "" {
				wantLen = "-" // streamed as compressed, with no length
			}
			checkLog(t, l, map[string]string{"sc-status": strconv.Itoa(r.Status), "sc-content-len": wantLen})
		})
	}
}
