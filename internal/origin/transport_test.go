package origin

import (
	"bufio"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
)

// testOrigin compiles a custom origin pointing at srv.
func testOrigin(t *testing.T, srv *httptest.Server, policy types.OriginProtocolPolicy, read int32) *Origin {
	t.Helper()
	u, _ := url.Parse(srv.URL)
	_, port, _ := net.SplitHostPort(u.Host)
	p := int32(atoi(port))
	opts := Options{Resolve: func(hp string) string { return u.Host }}
	if srv.TLS != nil {
		pool := x509.NewCertPool()
		pool.AddCert(srv.Certificate())
		opts.RootCAs = pool
	}
	o, err := New(&types.Origin{Id: aws.String("o"), DomainName: aws.String("example.com"),
		CustomOriginConfig: &types.CustomOriginConfig{HTTPPort: &p, HTTPSPort: &p, OriginProtocolPolicy: policy,
			OriginReadTimeout: &read}}, Access{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(o.Transport.CloseIdleConnections)
	return o
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func do(t *testing.T, o *Origin, scheme, method, target string, body io.Reader, n int64, h http.Header) (*http.Response, string, error) {
	t.Helper()
	req, _ := http.NewRequest(method, scheme+"://"+o.HTTPHost+target, body)
	req.ContentLength = n
	if body == nil {
		req.Body = nil
	}
	req.Host = "viewer.example"
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := o.RoundTripper.RoundTrip(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return resp, string(b), nil
}

func TestTransportExchange(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header()["X-Amz-Request-Id"] = []string{"ID1"}
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		w.Header().Set("Server", "test-origin")
		w.Header().Set("Connection", "X-Hop")
		w.Header().Set("X-Hop", "dropped")
		io.WriteString(w, r.Method+" "+r.Host+" "+r.RequestURI+" cookie="+r.Header.Get("Cookie")+
			" ua="+r.Header.Get("User-Agent")+" te="+strings.Join(r.TransferEncoding, ",")+" len="+itoa64(r.ContentLength)+" body="+string(b))
	}))
	defer srv.Close()
	o := testOrigin(t, srv, types.OriginProtocolPolicyHttpOnly, 30)
	cases := []struct {
		name, method, target string
		body                 string
		n                    int64
		want                 string
	}{
		{"get keeps path bytes and cookie", "GET", "/a/../%2Fb//c?x=1&y=%20", "", 0,
			"GET viewer.example /a/../%2Fb//c?x=1&y=%20 cookie=k=v; odd ua= te= len=0 body="},
		{"post with length", "POST", "/up", "hello", 5, "POST viewer.example /up cookie=k=v; odd ua= te= len=5 body=hello"},
		{"post chunked", "POST", "/up", "chunked body", -1, "POST viewer.example /up cookie=k=v; odd ua= te=chunked len=-1 body=chunked body"},
		{"empty post", "POST", "/up", "", 0, "POST viewer.example /up cookie=k=v; odd ua= te= len=0 body="},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			resp, got, err := do(t, o, "http", tc.method, tc.target, body, tc.n, http.Header{"Cookie": {"k=v; odd"}})
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("origin saw %q\nwant        %q", got, tc.want)
			}
			if resp.Header.Get("X-Amz-Request-Id") != "ID1" || resp.Header.Get("Server") != "test-origin" ||
				strings.Join(resp.Header["Set-Cookie"], "|") != "a=1|b=2" || resp.Header["X-Hop"] != nil || resp.Header["Connection"] != nil {
				t.Errorf("response headers %v", resp.Header)
			}
			if resp.ContentLength != int64(len(got)) {
				t.Errorf("ContentLength %d, body %d bytes", resp.ContentLength, len(got))
			}
		})
	}
	t.Run("expect 100-continue", func(t *testing.T) {
		// The origin's interim 100 must not be taken for the answer.
		resp, got, err := do(t, o, "http", "POST", "/up", strings.NewReader("hello"), 5, http.Header{"Expect": {"100-continue"}})
		if err != nil || resp.StatusCode != 200 || !strings.HasSuffix(got, "len=5 body=hello") {
			t.Fatalf("got %v %q, %v", resp, got, err)
		}
	})
	t.Run("head", func(t *testing.T) {
		resp, got, err := do(t, o, "http", "HEAD", "/h", nil, 0, nil)
		if err != nil || got != "" || resp.StatusCode != 200 {
			t.Fatalf("HEAD: %v %q %v", resp, got, err)
		}
		// The same connection must still be usable.
		if _, got, err := do(t, o, "http", "GET", "/after", nil, 0, nil); err != nil || !strings.HasPrefix(got, "GET viewer.example /after") {
			t.Fatalf("after HEAD: %q %v", got, err)
		}
	})
}

func itoa64(n int64) string {
	if n < 0 {
		return "-" + itoa64(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa64(n/10) + string(rune('0'+n%10))
}

func TestTransportHTTPS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "tls "+r.TLS.ServerName)
	}))
	defer srv.Close()
	o := testOrigin(t, srv, types.OriginProtocolPolicyHttpsOnly, 30)
	_, got, err := do(t, o, "https", "GET", "/", nil, 0, nil)
	if err != nil || got != "tls example.com" {
		t.Fatalf("got %q, %v", got, err)
	}
	// A certificate the edge does not trust is a connect error.
	o.Transport.CloseIdleConnections()
	o2 := testOrigin(t, srv, types.OriginProtocolPolicyHttpsOnly, 30)
	o2.Transport.secure.TLSConfig.RootCAs = x509.NewCertPool()
	_, _, err = do(t, o2, "https", "GET", "/", nil, 0, nil)
	if f := Classify(err); err == nil || f.Detailed != "OriginConnectError" {
		t.Fatalf("untrusted certificate: %v → %+v", err, f)
	}
}

func TestTransportFailures(t *testing.T) {
	// An origin that accepts and never answers: the read timeout.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(io.Discard, c) }()
		}
	}()
	srv := &httptest.Server{URL: "http://" + ln.Addr().String()}
	o := testOrigin(t, srv, types.OriginProtocolPolicyHttpOnly, 1)
	start := time.Now()
	_, _, err := do(t, o, "http", "GET", "/", nil, 0, nil)
	if f := Classify(err); f.Status != 504 || f.Detailed != "OriginCommError" {
		t.Fatalf("silent origin: %v → %+v", err, f)
	}
	if d := time.Since(start); d > 2500*time.Millisecond {
		t.Fatalf("silent origin took %v with a 1 s read timeout: retried?", d)
	}

	// An origin that answers garbage.
	ln2, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln2.Close()
	go func() {
		for {
			c, err := ln2.Accept()
			if err != nil {
				return
			}
			go func() {
				bufio.NewReader(c).ReadString('\n')
				io.WriteString(c, "NOT HTTP AT ALL\r\n\r\n")
				c.Close()
			}()
		}
	}()
	o = testOrigin(t, &httptest.Server{URL: "http://" + ln2.Addr().String()}, types.OriginProtocolPolicyHttpOnly, 5)
	_, _, err = do(t, o, "http", "GET", "/", nil, 0, nil)
	if f := Classify(err); f.Status != 502 || f.Detailed != "OriginInvalidResponseError" {
		t.Fatalf("garbage: %v → %+v", err, f)
	}
}

// TestTransportRetry: a connection the origin closes before answering is
// retried once for an idempotent request, never for a POST.
func TestTransportRetry(t *testing.T) {
	for _, tc := range []struct {
		method    string
		wantTries int32
		wantOK    bool
	}{{"GET", 2, true}, {"POST", 1, false}} {
		t.Run(tc.method, func(t *testing.T) {
			ln, _ := net.Listen("tcp", "127.0.0.1:0")
			defer ln.Close()
			var tries atomic.Int32
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					go func() {
						defer c.Close()
						br := bufio.NewReader(c)
						req, err := http.ReadRequest(br)
						if err != nil {
							return
						}
						io.Copy(io.Discard, req.Body)
						if tries.Add(1) == 1 {
							return // hang up without an answer
						}
						io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
					}()
				}
			}()
			o := testOrigin(t, &httptest.Server{URL: "http://" + ln.Addr().String()}, types.OriginProtocolPolicyHttpOnly, 5)
			_, got, err := do(t, o, "http", tc.method, "/", nil, 0, nil)
			if (err == nil) != tc.wantOK || (tc.wantOK && got != "ok") {
				t.Fatalf("got %q, %v", got, err)
			}
			if n := tries.Load(); n != tc.wantTries {
				t.Fatalf("origin saw %d requests, want %d", n, tc.wantTries)
			}
		})
	}
}

// rawOrigin answers every request with the given bytes, then closes.
func rawOrigin(t *testing.T, answer string) *httptest.Server {
	t.Helper()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if _, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
					io.WriteString(c, answer)
				}
			}()
		}
	}()
	return &httptest.Server{URL: "http://" + ln.Addr().String()}
}

// TestTransportOddAnswers: answers net/http's Transport took that a
// proxy must take too, and one it must refuse.
func TestTransportOddAnswers(t *testing.T) {
	t.Run("HTTP/1.0 body until close", func(t *testing.T) {
		o := testOrigin(t, rawOrigin(t, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end"), types.OriginProtocolPolicyHttpOnly, 5)
		resp, got, err := do(t, o, "http", "GET", "/", nil, 0, nil)
		if err != nil || resp.StatusCode != 200 || got != "until the end" || resp.ContentLength != -1 {
			t.Fatalf("got %v %q, %v", resp, got, err)
		}
	})
	t.Run("chunked with a trailer", func(t *testing.T) {
		o := testOrigin(t, rawOrigin(t, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n5\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n"), types.OriginProtocolPolicyHttpOnly, 5)
		resp, got, err := do(t, o, "http", "GET", "/", nil, 0, nil)
		if err != nil || resp.StatusCode != 200 || got != "hello" || resp.Header["Transfer-Encoding"] != nil {
			t.Fatalf("got %v %q, %v", resp, got, err)
		}
	})
	t.Run("headers over the read buffer", func(t *testing.T) {
		o := testOrigin(t, rawOrigin(t, "HTTP/1.1 200 OK\r\nX-Big: "+strings.Repeat("a", 40<<10)+"\r\nContent-Length: 0\r\n\r\n"), types.OriginProtocolPolicyHttpOnly, 5)
		_, _, err := do(t, o, "http", "GET", "/", nil, 0, nil)
		if f := Classify(err); err == nil || f.Status != 502 || f.Detailed != "OriginInvalidResponseError" {
			t.Fatalf("got %v → %+v, want a 502 OriginInvalidResponseError", err, f)
		}
	})
}
