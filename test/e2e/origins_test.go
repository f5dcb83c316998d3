package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// recorded is what an origin received.
type recorded struct {
	Method, Host, Proto        string
	Path, RawQuery, RequestURI string
	Header                     http.Header
	Body                       []byte
	BodyLen                    int64
	BodySHA256                 string
	BodyErr                    error
}

// origin is a Go origin server that records every request before its
// handler answers. The default handler answers 200 with
// "Server: test-origin" and a body naming the origin and the request URI.
type origin struct {
	name    string
	srv     *httptest.Server
	mu      sync.Mutex
	reqs    []recorded
	handler http.HandlerFunc
	// arrivals counts requests whose headers arrived, before their bodies.
	arrivals atomic.Int64
}

func newOrigin(t *testing.T, name string, h http.HandlerFunc) *origin {
	t.Helper()
	o := &origin{name: name, handler: h}
	if o.handler == nil {
		o.handler = func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Server", "test-origin")
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprintf(w, "%s %s %s", name, r.Method, r.RequestURI)
		}
	}
	o.srv = httptest.NewServer(http.HandlerFunc(o.serve))
	t.Cleanup(o.srv.Close)
	return o
}

func (o *origin) serve(w http.ResponseWriter, r *http.Request) {
	o.arrivals.Add(1)
	rec := recorded{
		Method: r.Method, Host: r.Host, Proto: r.Proto, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		RequestURI: r.RequestURI, Header: r.Header.Clone(),
	}
	h := sha256.New()
	var buf bytes.Buffer
	rec.BodyLen, rec.BodyErr = io.Copy(io.MultiWriter(h, &buf), r.Body)
	rec.Body, rec.BodySHA256 = buf.Bytes(), hex.EncodeToString(h.Sum(nil))
	o.mu.Lock()
	o.reqs = append(o.reqs, rec)
	o.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(rec.Body))
	o.handler(w, r)
}

// port is the origin's TCP port on 127.0.0.1.
func (o *origin) port() int {
	_, p, _ := net.SplitHostPort(o.srv.Listener.Addr().String())
	n, _ := strconv.Atoi(p)
	return n
}

// requests returns a copy of what the origin received so far.
func (o *origin) requests() []recorded {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]recorded(nil), o.reqs...)
}

// byID returns the request the origin received with this X-Amz-Cf-Id.
func (o *origin) byID(id string) (recorded, bool) {
	for _, r := range o.requests() {
		if r.Header.Get("X-Amz-Cf-Id") == id {
			return r, true
		}
	}
	return recorded{}, false
}

// mustByID is byID failing the test when the origin never saw the request.
func (o *origin) mustByID(t *testing.T, id string) recorded {
	t.Helper()
	r, ok := o.byID(id)
	if !ok {
		t.Fatalf("origin %s never received request %s (received %d requests)", o.name, id, len(o.requests()))
	}
	return r
}

// freePort returns a loopback port nobody listens on (now).
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startNginx runs Debian's nginx on a loopback port with files (path →
// content) under its root and "location /private/ { return 403; }". It
// skips the test when nginx is not installed.
func startNginx(t *testing.T, files map[string]string) int {
	t.Helper()
	bin := "/usr/sbin/nginx"
	if _, err := os.Stat(bin); err != nil {
		if bin, err = exec.LookPath("nginx"); err != nil {
			t.Skip("nginx is not installed (apt-get install nginx-light)")
		}
	}
	dir := t.TempDir()
	for p, content := range files {
		full := filepath.Join(dir, "www", p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The port is free when chosen but may be taken before nginx binds it:
	// try a few.
	for attempt := 1; ; attempt++ {
		port, err := runNginx(t, bin, dir)
		if err == nil {
			return port
		}
		if attempt == 3 {
			t.Fatal(err)
		}
	}
}

// runNginx starts nginx on a fresh port with dir's www root; it returns an
// error when nginx exits before listening.
func runNginx(t *testing.T, bin, dir string) (int, error) {
	port := freePort(t)
	conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 64; }
http {
  access_log off;
  default_type text/plain;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  server {
    listen 127.0.0.1:%[2]d;
    root %[1]s/www;
    location /private/ { return 403; }
  }
}
`, dir, port)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		return 0, err
	}
	cmd := exec.Command(bin, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"))
	out := newOutput()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			return 0, fmt.Errorf("nginx exited: %s\n%s", out, log)
		default:
		}
		// It is nginx that answers, not whoever else took the port.
		if resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/private/", port)); err == nil {
			resp.Body.Close()
			if strings.HasPrefix(resp.Header.Get("Server"), "nginx") {
				return port, nil
			}
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("nginx not listening on %d after 10s", port)
		}
		<-time.After(20 * time.Millisecond)
	}

}
