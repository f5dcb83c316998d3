package clienthello

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// records splits a handshake message into TLS handshake records of at
// most size bytes each.
func records(msg []byte, size int) []byte {
	var out []byte
	for len(msg) > 0 {
		n := min(size, len(msg))
		out = append(out, recordTypeHandshake, 3, 1, byte(n>>8), byte(n))
		out = append(out, msg[:n]...)
		msg = msg[n:]
	}
	return out
}

// chunkConn is a net.Conn whose reads return at most chunk bytes of data.
type chunkConn struct {
	net.Conn
	r     io.Reader
	chunk int
}

func (c *chunkConn) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.chunk)]) }

// recordFrom reads all of data through a Conn in reads of chunk bytes and
// returns the Conn.
func recordFrom(t *testing.T, data []byte, chunk int) *Conn {
	t.Helper()
	c := &Conn{Conn: &chunkConn{r: bytes.NewReader(data), chunk: chunk}, recording: true}
	got, err := io.ReadAll(c)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("reads through the Conn: %d bytes, %v; want the %d bytes unchanged", len(got), err, len(data))
	}
	return c
}

// TestRecord: a ClientHello in one record or split over several, read in
// pieces of any size, is recorded and fingerprinted the same; what follows
// it is not recorded; what is not a ClientHello gets no fingerprint.
func TestRecord(t *testing.T) {
	msg := readCapture(t, "chrome")
	want := "t13d1615h2_46e7e9700bed_45f260be83e2"
	ccs := []byte{20, 3, 3, 0, 1, 1} // a ChangeCipherSpec record after it
	for _, size := range []int{1 << 14, 100, 7, 1} {
		for _, chunk := range []int{1, 3, 5, 512, 1 << 16} {
			t.Run(fmt.Sprintf("records of %d, reads of %d", size, chunk), func(t *testing.T) {
				c := recordFrom(t, append(records(msg, size), ccs...), chunk)
				if c.recording || c.rec != nil {
					t.Errorf("still recording after the ClientHello (%d bytes kept)", len(c.rec))
				}
				if !bytes.Equal(c.hello.msg, msg) {
					t.Fatalf("recorded %d bytes, want the %d-byte ClientHello", len(c.hello.msg), len(msg))
				}
				if got, ok := c.Hello().JA4(); !ok || got != want {
					t.Errorf("JA4: got %q %v, want %s", got, ok, want)
				}
				if got, ok := c.Hello().JA3(); !ok || got != "66918128f1b9b03303d77c6f2eefd128" {
					t.Errorf("JA3: got %q %v", got, ok)
				}
			})
		}
	}

	big := buildHello(0x0303, make([]uint16, 9000), nil) // 18 KB of cipher suites
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"nothing", nil},
		{"plain HTTP on the TLS port", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")},
		{"SSLv2-compatible hello", []byte{0x80, 0x2e, 0x01, 0x03, 0x01}},
		{"an alert first", append([]byte{21, 3, 3, 0, 2, 2, 40}, records(msg, 1<<14)...)},
		{"a ServerHello", records(append([]byte{2}, msg[1:]...), 1<<14)},
		{"cut short", records(msg, 100)[:300]},
		{"larger than MaxRecorded", records(big, 1<<14)},
		{"a record header only", []byte{22, 3, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := recordFrom(t, tc.data, 512)
			if len(c.rec) > MaxRecorded {
				t.Errorf("kept %d bytes, more than MaxRecorded", len(c.rec))
			}
			if fp, ok := c.Hello().JA3(); ok {
				t.Errorf("JA3 %q, want none", fp)
			}
			if fp, ok := c.Hello().JA4(); ok || fp != "" {
				t.Errorf("JA4 %q %v, want none", fp, ok)
			}
		})
	}
}

// fromInfo rebuilds what the fingerprints read from crypto/tls's own parse
// of a ClientHello. Go clients send legacy_version TLS 1.2 (RFC 8446
// §4.1.2) and no GREASE.
func fromInfo(hi *tls.ClientHelloInfo) hello {
	h := hello{version: tls.VersionTLS12, ciphers: hi.CipherSuites, extensions: hi.Extensions,
		points: hi.SupportedPoints, versions: hi.SupportedVersions, sni: hi.ServerName != ""}
	for _, c := range hi.SupportedCurves {
		h.groups = append(h.groups, uint16(c))
	}
	for _, s := range hi.SignatureSchemes {
		h.sigalgs = append(h.sigalgs, uint16(s))
	}
	if len(hi.SupportedProtos) > 0 {
		h.alpn = []byte(hi.SupportedProtos[0])
	}
	return h
}

var (
	wellFormedJA3 = regexp.MustCompile(`^[0-9a-f]{32}$`)
	wellFormedJA4 = regexp.MustCompile(`^t1[0-3][di]\d{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$`)
)

// TestGoClient: real handshakes of Go's tls.Client through a Listener
// under tls.NewListener, as the edge serves HTTPS. Each request sees its
// connection's fingerprints (HTTP/2 streams too); they are what crypto/tls's
// own parse of the same ClientHello gives, well-formed, and stable from one
// connection to the next.
func TestGoClient(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]hello{} // client address → crypto/tls's view of its ClientHello
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := FromContext(r.Context())
		if h == nil {
			fmt.Fprint(w, "none")
			return
		}
		ja3, ok3 := h.JA3()
		ja4, ok4 := h.JA4()
		fmt.Fprintf(w, "%s %v %s %v %s", r.Proto, ok3 && ok4, ja3, ja4, r.RemoteAddr)
	}))
	srv.Listener = NewListener(srv.Listener)
	srv.Config.ConnContext = ConnContext
	srv.EnableHTTP2 = true
	srv.TLS = &tls.Config{GetConfigForClient: func(hi *tls.ClientHelloInfo) (*tls.Config, error) {
		mu.Lock()
		defer mu.Unlock()
		seen[hi.Conn.RemoteAddr().String()] = fromInfo(hi)
		return nil, nil
	}}
	srv.StartTLS()
	defer srv.Close()

	h2 := srv.Client()
	tlsConf := h2.Transport.(*http.Transport).TLSClientConfig
	tlsConf.ServerName = "example.com" // httptest's certificate names it: SNI is sent
	h1 := &http.Client{Transport: &http.Transport{
		TLSClientConfig: tlsConf.Clone(),
		TLSNextProto:    map[string]func(string, *tls.Conn) http.RoundTripper{}, // HTTP/1.1 only, no ALPN
	}}
	get := func(c *http.Client) []string {
		t.Helper()
		resp, err := c.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return strings.Fields(string(body))
	}
	byClient := map[string][]string{}
	for _, tc := range []struct {
		name   string
		client *http.Client
		proto  string
		alpn   string
	}{
		{"HTTP/2", h2, "HTTP/2.0", "h2"},
		{"HTTP/1.1 without ALPN", h1, "HTTP/1.1", "00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var first []string
			for i := range 3 {
				if i == 2 {
					tc.client.CloseIdleConnections() // a new connection, a new handshake
				}
				got := get(tc.client)
				if len(got) != 5 || got[0] != tc.proto || got[1] != "true" {
					t.Fatalf("request %d: got %q, want %s and fingerprints", i, got, tc.proto)
				}
				ja3Hash, ja4FP := got[2], got[3]
				if !wellFormedJA3.MatchString(ja3Hash) || !wellFormedJA4.MatchString(ja4FP) {
					t.Errorf("request %d: JA3 %q, JA4 %q: not well-formed", i, ja3Hash, ja4FP)
				}
				if ja4FP[8:10] != tc.alpn || !strings.HasPrefix(ja4FP, "t13d") {
					t.Errorf("request %d: JA4 %s, want t13d… with ALPN %s", i, ja4FP, tc.alpn)
				}
				mu.Lock()
				want, ok := seen[got[4]]
				mu.Unlock()
				if !ok {
					t.Fatalf("request %d: no ClientHello seen from %s", i, got[4])
				}
				_, wantJA3 := ja3(&want)
				_, wantJA4 := ja4(&want)
				if ja3Hash != wantJA3 || ja4FP != wantJA4 {
					t.Errorf("request %d: got %s %s, want %s %s from crypto/tls's parse of the same ClientHello", i, ja3Hash, ja4FP, wantJA3, wantJA4)
				}
				if first == nil {
					first = got
				} else if got[2] != first[2] || got[3] != first[3] {
					t.Errorf("request %d: fingerprints %s %s changed from %s %s", i, got[2], got[3], first[2], first[3])
				}
			}
			byClient[tc.name] = first
		})
	}
	if a, b := byClient["HTTP/2"], byClient["HTTP/1.1 without ALPN"]; len(a) == 5 && len(b) == 5 && a[2] == b[2] {
		t.Errorf("JA3 %s for both clients, want the ALPN extension to tell them apart", a[2])
	}

	// Concurrent HTTP/2 streams of one new connection compute the
	// fingerprints once and all see them.
	h2.CloseIdleConnections()
	var wg sync.WaitGroup
	results := make([][]string, 8)
	for i := range results {
		wg.Go(func() {
			resp, err := h2.Get(srv.URL)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			results[i] = strings.Fields(string(body))
		})
	}
	wg.Wait()
	for i, got := range results {
		if a := byClient["HTTP/2"]; len(got) != 5 || len(a) != 5 || got[2] != a[2] || got[3] != a[3] {
			t.Errorf("concurrent stream %d: got %q, want the HTTP/2 client's fingerprints %q", i, got, a)
		}
	}
}

// TestPlainHTTP: a connection that did not come through a Listener has no
// Hello; neither has a context without one.
func TestPlainHTTP(t *testing.T) {
	if FromContext(context.Background()) != nil {
		t.Error("FromContext of an empty context: want nil")
	}
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if got := FromContext(ConnContext(context.Background(), a)); got != nil {
		t.Error("a plain connection has a Hello")
	}
	tc := tls.Server(a, &tls.Config{})
	if got := FromContext(ConnContext(context.Background(), tc)); got != nil {
		t.Error("a TLS connection over a plain one has a Hello")
	}
	wrapped := &Conn{Conn: a}
	if got := FromContext(ConnContext(context.Background(), tls.Server(wrapped, &tls.Config{}))); got != wrapped.Hello() {
		t.Error("a TLS connection over a Conn: want its Hello")
	}
}

// TestListener: Accept wraps, and passes errors through.
func TestListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := NewListener(ln)
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err == nil {
			c.Close()
		}
	}()
	c, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	if cc, ok := c.(*Conn); !ok || !cc.recording {
		t.Errorf("Accept: got %T, want a recording *Conn", c)
	}
	c.Close()
	l.Close()
	if _, err := l.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: got %v, want net.ErrClosed", err)
	}
}
