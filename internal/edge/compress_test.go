package edge

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
)

// compressOrigin answers /…/<status>/<type>/<size> with that many bytes of
// text; the query can add a Content-Encoding, an ETag or a Vary, or ask
// for no Content-Length (a streamed answer).
func compressOrigin(t *testing.T) *recordingOrigin {
	return newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/base/"), "/")
		status, _ := strconv.Atoi(parts[1])
		ct := strings.ReplaceAll(parts[2], "_", "/")
		size, _ := strconv.Atoi(parts[3])
		q := r.URL.Query()
		h := w.Header()
		h.Set("Content-Type", ct)
		if v := q.Get("ce"); v != "" {
			h.Set("Content-Encoding", v)
		}
		if v := q.Get("etag"); v != "" {
			h.Set("ETag", v)
		}
		if v := q.Get("vary"); v != "" {
			h.Set("Vary", v)
		}
		if q.Get("stream") == "" {
			h.Set("Content-Length", strconv.Itoa(size))
		}
		w.WriteHeader(status)
		w.Write(compressBody(size))
	})
}

func compressBody(n int) []byte {
	return bytes.Repeat([]byte("openfront compresses like CloudFront. "), n/38+1)[:n]
}

func TestCompression(t *testing.T) {
	o := compressOrigin(t)
	behaviors := `
	  {"PathPattern": "/opt/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all", "Compress": true,
	   "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6", "OriginRequestPolicyId": "775133bc-15f2-49f9-abea-afb2e0bf67d2"},
	  {"PathPattern": "/off/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all", "Compress": false,
	   "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6", "OriginRequestPolicyId": "775133bc-15f2-49f9-abea-afb2e0bf67d2"},
	  {"PathPattern": "/disabled/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all", "Compress": true,
	   "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3"},
	  {"PathPattern": "/legacy/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all", "Compress": true,
	   "ForwardedValues": {"QueryString": true, "Cookies": {"Forward": "none"}}, "MinTTL": 0}`
	s := newTestServer(t, map[string]string{"E1.json": distConfig(o, behaviors, "")})
	const both = "gzip, deflate, br, zstd"
	cases := []struct {
		name, target, accept string
		proto                string
		want                 string // Content-Encoding the viewer gets
	}{
		{"brotli preferred", "/opt/200/text_html/5000", both, "", "br"},
		{"gzip only accepted", "/opt/200/text_css/5000", "gzip", "", "gzip"},
		{"br refused by q=0", "/opt/200/text_css/5000", "br;q=0, gzip;q=0.8", "", "gzip"},
		{"nothing accepted", "/opt/200/text_css/5000", "deflate, identity", "", ""},
		{"no Accept-Encoding", "/opt/200/text_css/5000", "", "", ""},
		{"type with parameters", "/opt/200/application_json;%20charset=UTF-8/5000", both, "", "br"},
		{"type not compressed", "/opt/200/image_png/5000", both, "", ""},
		{"at 1,000 bytes", "/opt/200/text_plain/1000", both, "", "br"},
		{"below 1,000 bytes", "/opt/200/text_plain/999", both, "", ""},
		{"above 10,000,000 bytes", "/opt/200/text_plain/10000001", both, "", ""},
		{"403", "/opt/403/text_html/2000", both, "", "br"},
		{"404", "/opt/404/text_html/2000", both, "", "br"},
		{"500 is not compressed", "/opt/500/text_html/2000", both, "", ""},
		{"301 is not compressed", "/opt/301/text_html/2000", both, "", ""},
		{"already encoded", "/opt/200/text_html/2000?ce=gzip", both, "", "gzip"},
		{"identity encoding kept", "/opt/200/text_html/2000?ce=identity", both, "", "identity"},
		{"no Content-Length", "/opt/200/text_html/50000?stream=1", both, "", ""},
		{"HTTP/1.0 viewer", "/opt/200/text_html/5000", both, "HTTP/1.0", ""},
		{"Compress off", "/off/200/text_html/5000", both, "", ""},
		{"CachingDisabled: gzip only", "/disabled/200/text_html/5000", both, "", "gzip"},
		{"legacy settings: gzip only", "/legacy/200/text_html/5000", both, "", "gzip"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", c.target, nil)
			r.Host = "www.example.com"
			if c.accept != "" {
				r.Header.Set("Accept-Encoding", c.accept)
			}
			if c.proto == "HTTP/1.0" {
				r.Proto, r.ProtoMinor = c.proto, 0
			}
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if got := w.Header().Get("Content-Encoding"); got != c.want {
				t.Fatalf("Content-Encoding: got %q, want %q", got, c.want)
			}
			if c.want != "br" && c.want != "gzip" || strings.Contains(c.target, "ce=") {
				return
			}
			size, _ := strconv.Atoi(strings.Split(strings.Split(c.target, "/")[4], "?")[0])
			if cl := w.Header().Get("Content-Length"); cl != "" {
				t.Errorf("Content-Length %s sent with a compressed body", cl)
			}
			if got := w.Header().Get("Vary"); got != "Accept-Encoding" {
				t.Errorf("Vary: got %q, want Accept-Encoding", got)
			}
			if w.Body.Len() >= size {
				t.Errorf("compressed body is %d bytes for %d", w.Body.Len(), size)
			}
			var zr io.Reader
			if c.want == "br" {
				zr = brotli.NewReader(w.Body)
			} else {
				g, err := gzip.NewReader(w.Body)
				if err != nil {
					t.Fatal(err)
				}
				zr = g
			}
			got, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, compressBody(size)) {
				t.Errorf("decompressed body differs from the origin's (%d bytes, want %d)", len(got), size)
			}
		})
	}
}

func TestCompressionHeaders(t *testing.T) {
	o := compressOrigin(t)
	behaviors := `
	  {"PathPattern": "/opt/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all", "Compress": true,
	   "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6", "OriginRequestPolicyId": "775133bc-15f2-49f9-abea-afb2e0bf67d2"}`
	s := newTestServer(t, map[string]string{"E1.json": distConfig(o, behaviors, "")})
	get := func(method, query, accept string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, "/opt/200/text_html/4000?"+query, nil)
		r.Host = "www.example.com"
		if accept != "" {
			r.Header.Set("Accept-Encoding", accept)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		return w
	}
	// ETag conversion (ServingCompressedFiles, "ETag header conversion").
	for _, c := range []struct{ origin, want string }{
		{`"abc"`, `W/"abc"`},
		{`W/"abc"`, `W/"abc"`},
		{`abc`, ``},
	} {
		w := get("GET", "etag="+c.origin, "gzip")
		if got := w.Header().Get("Etag"); got != c.want {
			t.Errorf("ETag %s: got %q, want %q", c.origin, got, c.want)
		}
		if _, present := w.Header()["Etag"]; c.want == "" && present {
			t.Errorf("ETag %s: an invalid ETag must be removed", c.origin)
		}
		// Uncompressed answers keep the origin's ETag as it was.
		if got := get("GET", "etag="+c.origin, "").Header().Get("Etag"); got != c.origin {
			t.Errorf("ETag %s uncompressed: got %q", c.origin, got)
		}
	}
	// Vary: Accept-Encoding joins the origin's names once.
	if got := get("GET", "vary=Origin", "gzip").Header().Values("Vary"); strings.Join(got, "|") != "Origin|Accept-Encoding" {
		t.Errorf("Vary with the origin's Origin: got %q", got)
	}
	if got := get("GET", "vary=accept-encoding", "gzip").Header().Values("Vary"); strings.Join(got, "|") != "accept-encoding" {
		t.Errorf("Vary already naming it: got %q", got)
	}
	// HEAD: the headers a GET would get, no body.
	w := get("HEAD", "", "br")
	if w.Header().Get("Content-Encoding") != "br" || w.Header().Get("Content-Length") != "" || w.Body.Len() != 0 {
		t.Errorf("HEAD: Content-Encoding %q, Content-Length %q, %d body bytes",
			w.Header().Get("Content-Encoding"), w.Header().Get("Content-Length"), w.Body.Len())
	}
	// The origin still receives the normalised Accept-Encoding the policy
	// forwards, and CloudFront's headers are on the compressed answer.
	w = get("GET", "", "gzip, deflate, br")
	if got := o.last(t).Header.Get("Accept-Encoding"); got != "br,gzip" {
		t.Errorf("origin's Accept-Encoding: got %q, want br,gzip", got)
	}
	checkCloudFrontHeaders(t, w, "Miss from cloudfront")
}

func TestAcceptedCodings(t *testing.T) {
	for _, c := range []struct {
		in     string
		gz, br bool
	}{
		{"gzip, deflate, br", true, true},
		{"GZIP", true, false},
		{"br;q=1.0", false, true},
		{"br;q=0", false, false},
		{"br; q=0.000, gzip; q=0.001", true, false},
		{"x-gzip", false, false},
		{"*", false, false},
		{"", false, false},
	} {
		gz, br := acceptedCodings([]string{c.in})
		if gz != c.gz || br != c.br {
			t.Errorf("%q: got gzip %v br %v, want %v %v", c.in, gz, br, c.gz, c.br)
		}
	}
}
