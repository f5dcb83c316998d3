package e2e

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	proxyproto "github.com/pires/go-proxyproto"
)

// proxyHeader is a PROXY protocol header from src:port to 1.2.3.4:80
// (version 1 is text, version 2 binary).
func proxyHeader(t *testing.T, version byte, src string, port int) []byte {
	t.Helper()
	if version == 1 {
		return []byte("PROXY TCP4 " + src + " 1.2.3.4 " + strconv.Itoa(port) + " 80\r\n")
	}
	h := proxyproto.Header{
		Version: 2, Command: proxyproto.PROXY, TransportProtocol: proxyproto.TCPv4,
		SourceAddr:      &net.TCPAddr{IP: net.ParseIP(src), Port: port},
		DestinationAddr: &net.TCPAddr{IP: net.ParseIP("1.2.3.4"), Port: 80},
	}
	b, err := h.Format()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// proxyDist is a distribution blocking GB whose origin receives the
// CloudFront-Viewer-* headers.
func proxyDist(o *origin) obj {
	cfg := distConfig([]obj{customOrigin("o", "127.0.0.1", o.port())}, with(behavior("", "o"), "OriginRequestPolicyId", allViewerAndCloudFront))
	cfg["Restrictions"] = geoRestriction("blacklist", "GB")
	return cfg
}

// TestProxyProtocol: from a trusted proxy, a PROXY protocol header (v1 or
// v2, before HTTP or before the TLS handshake) gives the viewer's address
// and port: the log's c-ip and c-port, the geo decision and the
// CloudFront-Viewer-Address the origin receives (docs/decisions.md
// "Geographic restrictions").
func TestProxyProtocol(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "app", nil)
	const id = "EPROXY1"
	host := defaultDomain(id)
	e := startEdge(t, docs1(id, proxyDist(o)), "--trusted-proxy", "127.0.0.1/32")
	tlsConf := &tls.Config{ServerName: host, RootCAs: e.caPool(t), NextProtos: []string{"http/1.1"}}
	for _, tc := range []struct {
		version byte
		https   bool
		src     string
		port    int
		blocked bool
	}{
		{1, false, ipGB, 5555, true},
		{1, false, ipUS, 5556, false},
		{2, false, ipGB, 5557, true},
		{2, false, ipUS, 5558, false},
		{1, true, ipGB, 5559, true},
		{1, true, ipUS, 5560, false},
		{2, true, ipGB, 5561, true},
		{2, true, ipUS, 5562, false},
	} {
		proto, addr, conf := "http", e.HTTP, (*tls.Config)(nil)
		if tc.https {
			proto, addr, conf = "https", e.HTTPS, tlsConf
		}
		name := "v" + strconv.Itoa(int(tc.version)) + " " + proto + " " + tc.src
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r, err := proxied(t, addr, proxyHeader(t, tc.version, tc.src, tc.port), conf,
				"GET /pp HTTP/1.1\r\nHost: "+host+"\r\nConnection: close\r\n\r\n")
			if err != nil {
				t.Fatalf("request after a PROXY header: %v", err)
			}
			wantLog := map[string]string{"c-ip": tc.src, "c-port": strconv.Itoa(tc.port), "cs-protocol": proto}
			if tc.blocked {
				checkEdgePage(t, r, 403, causeGeo)
				wantLog["x-edge-detailed-result-type"] = "ClientGeoBlocked"
			} else {
				if r.Status != 200 {
					t.Fatalf("status: got %d, want 200; body %q", r.Status, r.Body)
				}
				got := o.mustByID(t, r.ID())
				for _, c := range []struct{ what, got, want string }{
					{"CloudFront-Viewer-Address", got.Header.Get("Cloudfront-Viewer-Address"), tc.src + ":" + strconv.Itoa(tc.port)},
					{"CloudFront-Viewer-Country", got.Header.Get("Cloudfront-Viewer-Country"), "US"},
					{"X-Forwarded-For", got.Header.Get("X-Forwarded-For"), tc.src},
				} {
					if c.got != c.want {
						t.Errorf("origin %s: got %q, want %q", c.what, c.got, c.want)
					}
				}
				wantLog["sc-status"] = "200"
			}
			checkLog(t, e.waitLogID(t, id+".*.gz", r.ID()), wantLog)
		})
	}
	t.Run("h2 after a PROXY header", func(t *testing.T) {
		t.Parallel()
		// An HTTP/2 client whose every connection starts with a v2 header.
		d := &net.Dialer{Timeout: 5 * time.Second}
		tr := &http.Transport{
			DialTLSContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				c, err := d.DialContext(ctx, network, e.HTTPS)
				if err != nil {
					return nil, err
				}
				if _, err := c.Write(proxyHeader(t, 2, ipUS, 6000)); err != nil {
					c.Close()
					return nil, err
				}
				tc := tls.Client(c, &tls.Config{ServerName: host, RootCAs: e.caPool(t), NextProtos: []string{"h2"}})
				if err := tc.HandshakeContext(ctx); err != nil {
					c.Close()
					return nil, err
				}
				return tc, nil
			},
			ForceAttemptHTTP2: true,
		}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr, Timeout: 15 * time.Second}).Get("https://" + host + "/pp-h2")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.ProtoMajor != 2 {
			t.Fatalf("got %d over %s, want 200 over HTTP/2", resp.StatusCode, resp.Proto)
		}
		id := resp.Header.Get("X-Amz-Cf-Id")
		if got := o.mustByID(t, id).Header.Get("Cloudfront-Viewer-Address"); got != ipUS+":6000" {
			t.Errorf("origin CloudFront-Viewer-Address: got %q, want %q", got, ipUS+":6000")
		}
		checkLog(t, e.waitLogID(t, "EPROXY1.*.gz", id), map[string]string{"c-ip": ipUS, "c-port": "6000", "cs-protocol-version": "HTTP/2.0"})
	})
	t.Run("trusted peer without a PROXY header", func(t *testing.T) {
		t.Parallel()
		r := e.do(t, request{Host: host, Target: "/plain"})
		if r.Status != 200 {
			t.Fatalf("status: got %d, want 200", r.Status)
		}
		checkLog(t, e.waitLogID(t, id+".*.gz", r.ID()), map[string]string{"c-ip": "127.0.0.1", "c-port": r.LocalPort})
	})
	t.Run("the proxied viewer's X-Forwarded-For is not believed", func(t *testing.T) {
		t.Parallel()
		// The viewer (8.8.8.8) is not a trusted proxy: its own header
		// cannot choose GB.
		r, err := proxied(t, e.HTTP, proxyHeader(t, 1, ipUS, 7000), nil,
			"GET /xff HTTP/1.1\r\nHost: "+host+"\r\nX-Forwarded-For: "+ipGB+"\r\nConnection: close\r\n\r\n")
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != 200 {
			t.Fatalf("status: got %d, want 200 (viewer %s); body %q", r.Status, ipUS, r.Body)
		}
		if got := o.mustByID(t, r.ID()).Header.Get("X-Forwarded-For"); got != ipGB+", "+ipUS {
			t.Errorf("origin X-Forwarded-For: got %q, want %q", got, ipGB+", "+ipUS)
		}
		checkLog(t, e.waitLogID(t, id+".*.gz", r.ID()), map[string]string{"c-ip": ipUS, "c-port": "7000"})
	})
	for _, tc := range []struct {
		name   string
		header func(t *testing.T) []byte
	}{
		{"v1 UNKNOWN keeps the peer", func(*testing.T) []byte { return []byte("PROXY UNKNOWN\r\n") }},
		{"v2 LOCAL keeps the peer", func(t *testing.T) []byte {
			b, err := (&proxyproto.Header{Version: 2, Command: proxyproto.LOCAL, TransportProtocol: proxyproto.UNSPEC}).Format()
			if err != nil {
				t.Fatal(err)
			}
			return b
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := proxied(t, e.HTTP, tc.header(t), nil, "GET /local HTTP/1.1\r\nHost: "+host+"\r\nConnection: close\r\n\r\n")
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != 200 {
				t.Fatalf("status: got %d, want 200", r.Status)
			}
			checkLog(t, e.waitLogID(t, id+".*.gz", r.ID()), map[string]string{"c-ip": "127.0.0.1", "c-port": r.LocalPort})
		})
	}
}

// TestProxyProtocolUntrusted: a PROXY header from a peer outside
// --trusted-proxy is not read as one, so nobody chooses their own address
// or country: the header is the start of an unparseable HTTP request.
func TestProxyProtocolUntrusted(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "app", nil)
	const id = "EPROXYU"
	host := defaultDomain(id)
	e := startEdge(t, docs1(id, proxyDist(o)), "--trusted-proxy", "10.0.0.0/8")
	for _, version := range []byte{1, 2} {
		t.Run("v"+strconv.Itoa(int(version)), func(t *testing.T) {
			t.Parallel()
			r, err := proxied(t, e.HTTP, proxyHeader(t, version, ipGB, 5555), nil,
				"GET /forged HTTP/1.1\r\nHost: "+host+"\r\nConnection: close\r\n\r\n")
			if err != nil {
				t.Fatalf("no answer to a forged PROXY header: %v", err)
			}
			if r.Status != 400 {
				t.Errorf("status: got %d, want 400 (the PROXY line is not HTTP); body %q", r.Status, r.Body)
			}
			if strings.Contains(string(r.Body), causeGeo) {
				t.Errorf("the forged country was used: %q", r.Body)
			}
			for _, got := range o.requests() {
				if got.Path == "/forged" {
					t.Errorf("origin received the request after a forged PROXY header (X-Forwarded-For %q)", got.Header.Get("X-Forwarded-For"))
				}
			}
		})
	}
	t.Run("TLS", func(t *testing.T) {
		t.Parallel()
		// Over TLS the PROXY bytes are not a ClientHello: no handshake.
		_, err := proxied(t, e.HTTPS, proxyHeader(t, 1, ipGB, 5555), &tls.Config{ServerName: host, RootCAs: e.caPool(t)},
			"GET /forged HTTP/1.1\r\nHost: "+host+"\r\nConnection: close\r\n\r\n")
		if err == nil {
			t.Error("TLS handshake after a forged PROXY header succeeded, want it to fail")
		}
	})
	t.Run("a plain request is served as 127.0.0.1", func(t *testing.T) {
		t.Parallel()
		r := e.do(t, request{Host: host, Target: "/plain", Header: http.Header{"X-Forwarded-For": {ipGB}}})
		if r.Status != 200 {
			t.Fatalf("status: got %d, want 200", r.Status)
		}
		checkLog(t, e.waitLogID(t, id+".*.gz", r.ID()), map[string]string{"c-ip": "127.0.0.1"})
	})
	t.Cleanup(func() {
		// Every logged request came from 127.0.0.1 (runs after the
		// subtests; the log is complete once the edge has stopped).
		e.stop(t, 15*time.Second)
		for _, l := range e.logs(t, "*.gz") {
			if l["c-ip"] != "127.0.0.1" {
				t.Errorf("log line with c-ip %s (%s %s), want 127.0.0.1 only", l["c-ip"], l["cs-method"], l["cs-uri-stem"])
			}
		}
	})
}
