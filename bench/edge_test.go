// Package bench holds openfront's Go benchmarks and the scripts that compare
// it with nginx, HAProxy and Caddy (proxy.sh). Run:
//
//	go test -run '^$' -bench . -benchmem ./bench/
package bench

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/openfront-edge/openfront/internal/accesslog"
	"github.com/openfront-edge/openfront/internal/edge"
	"github.com/openfront-edge/openfront/internal/resource"
)

func newEdge(b *testing.B, originURL string) (*edge.Server, *accesslog.Writer) {
	b.Helper()
	u, _ := url.Parse(originURL)
	dir := b.TempDir()
	cfg := `{"ETag": "E1", "DistributionConfig": {"CallerReference": "b", "Enabled": true,
	  "Aliases": {"Quantity": 1, "Items": ["www.example.com"]},
	  "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "` + u.Hostname() + `",
	    "CustomOriginConfig": {"HTTPPort": ` + u.Port() + `, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
	  "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
	    "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"},
	  "Logging": {"Enabled": true, "IncludeCookies": false, "Bucket": "b", "Prefix": ""}}}`
	if err := os.WriteFile(filepath.Join(dir, "E1.json"), []byte(cfg), 0o644); err != nil {
		b.Fatal(err)
	}
	set, err := resource.Load([]string{dir})
	if err != nil {
		b.Fatal(err)
	}
	w, err := resource.Validate(set, resource.Options{SelfSigned: true, DomainSuffix: "cloudfront.localhost"})
	if err != nil {
		b.Fatal(err)
	}
	lw, err := accesslog.NewWriter(accesslog.Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	s := edge.New(edge.Options{Log: lw})
	snap, err := edge.Compile(set, w, s.CompileOptions(edge.CompileOptions{DomainSuffix: "cloudfront.localhost"}))
	if err != nil {
		b.Fatal(err)
	}
	s.Swap(snap)
	return s, lw
}

type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkDenial is the edge's own work for an edge-made 403 (routing,
// behavior, page, headers, log line), without network.
func BenchmarkDenial(b *testing.B) {
	s, lw := newEdge(b, "http://127.0.0.1:1")
	defer lw.Close()
	r := httptest.NewRequest("DELETE", "/x", nil)
	r.Host = "www.example.com"
	b.ReportAllocs()
	for b.Loop() {
		w := &discard{h: http.Header{}}
		s.ServeHTTP(w, r)
	}
}

// BenchmarkProxy1K is one proxied 1 KiB GET through a loopback origin.
func BenchmarkProxy1K(b *testing.B) {
	body := make([]byte, 1024)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer origin.Close()
	s, lw := newEdge(b, origin.URL)
	defer lw.Close()
	front := httptest.NewServer(s)
	defer front.Close()
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	req, _ := http.NewRequest("GET", front.URL+"/1k", nil)
	req.Host = "www.example.com"
	b.ReportAllocs()
	b.SetBytes(1024)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := c.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
}
