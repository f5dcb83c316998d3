package e2e

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"
)

// response is a fully read answer from the edge.
type response struct {
	Status    int
	Proto     string
	Header    http.Header
	Body      []byte
	LocalPort string // the viewer's source port, for the log's c-port
}

// ID is the response's X-Amz-Cf-Id.
func (r *response) ID() string { return r.Header.Get("X-Amz-Cf-Id") }

// client returns a keep-alive client whose connections all go to the edge:
// "http" (HTTP/1.1 in clear), "https" (HTTP/1.1 over TLS, SNI from the
// URL's host) or "h2" (HTTP/2 over TLS). Redirects are not followed.
func (e *edge) client(t *testing.T, proto string) *http.Client {
	e.clientsMu.Lock()
	defer e.clientsMu.Unlock()
	if c, ok := e.clients[proto]; ok {
		return c
	}
	addr := e.HTTP
	if proto != "http" {
		addr = e.HTTPS
	}
	d := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
		DisableCompression:  true,
		MaxIdleConnsPerHost: 16,
	}
	switch proto {
	case "https":
		tr.TLSClientConfig = &tls.Config{RootCAs: e.caPool(t)}
		tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	case "h2":
		tr.TLSClientConfig = &tls.Config{RootCAs: e.caPool(t)}
		tr.ForceAttemptHTTP2 = true
	}
	c := &http.Client{
		Transport:     tr,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	e.clients[proto] = c
	return c
}

func (e *edge) closeClients() {
	e.clientsMu.Lock()
	defer e.clientsMu.Unlock()
	for _, c := range e.clients {
		c.CloseIdleConnections()
	}
}

// request is one request for do.
type request struct {
	Proto  string // "http" (default), "https" or "h2"
	Method string // default GET
	Host   string // Host header and, over TLS, SNI; may carry a port
	Target string // path and query, default "/"
	// HostHeader, when set, is sent as Host instead of Host (which then
	// only names the TLS server).
	HostHeader string
	Header     http.Header
	Body       io.Reader
}

// do sends rq to the edge and reads the whole answer.
func (e *edge) do(t *testing.T, rq request) *response {
	t.Helper()
	r, err := e.try(t, rq)
	if err != nil {
		t.Fatalf("%s %s%s over %s: %v", rq.Method, rq.Host, rq.Target, rq.Proto, err)
	}
	return r
}

// try is do without failing the test on a transport error.
func (e *edge) try(t *testing.T, rq request) (*response, error) {
	if rq.Proto == "" {
		rq.Proto = "http"
	}
	if rq.Method == "" {
		rq.Method = http.MethodGet
	}
	if rq.Target == "" {
		rq.Target = "/"
	}
	scheme := "https"
	if rq.Proto == "http" {
		scheme = "http"
	}
	req, err := http.NewRequest(rq.Method, scheme+"://"+rq.Host+rq.Target, rq.Body)
	if err != nil {
		return nil, err
	}
	if rq.HostHeader != "" {
		req.Host = rq.HostHeader
	}
	for k, vs := range rq.Header {
		req.Header[k] = vs
	}
	out := &response{}
	trace := &httptrace.ClientTrace{GotConn: func(ci httptrace.GotConnInfo) {
		_, out.LocalPort, _ = net.SplitHostPort(ci.Conn.LocalAddr().String())
	}}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	resp, err := e.client(t, rq.Proto).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out.Status, out.Proto, out.Header = resp.StatusCode, resp.Proto, resp.Header
	out.Body, err = io.ReadAll(resp.Body)
	return out, err
}

// raw sends bytes as they are on a new TCP connection to addr and reads
// one response (nil and the error if none arrives).
func raw(t *testing.T, addr, req string) (*response, error) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(15 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		return nil, err
	}
	method, _, _ := strings.Cut(req, " ")
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := &response{Status: resp.StatusCode, Proto: resp.Proto, Header: resp.Header}
	_, out.LocalPort, _ = net.SplitHostPort(c.LocalAddr().String())
	out.Body, err = io.ReadAll(resp.Body)
	return out, err
}

// mustRaw is raw that fails the test when no full response arrives.
func mustRaw(t *testing.T, addr, req string) *response {
	t.Helper()
	r, err := raw(t, addr, req)
	if err != nil {
		t.Fatalf("raw request %q: %v", firstLine(req), err)
	}
	return r
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\r\n")
	if len(l) > 80 {
		l = l[:80] + "…"
	}
	return l
}
