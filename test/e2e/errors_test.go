package e2e

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestOriginFailures: an origin that cannot be reached or does not answer
// gets CloudFront's 502/504 page and the matching detailed result type.
func TestOriginFailures(t *testing.T) {
	t.Parallel()
	// An origin that accepts connections and never answers.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	// An origin that sends headers and half of the body, then hangs up.
	broken := newOrigin(t, "broken", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		w.Write(make([]byte, 50000))
		panic(http.ErrAbortHandler)
	})
	// Port 1 (tcpmux) on loopback: refused, and no parallel test can take it.
	const dead = 1
	if c, err := net.Dial("tcp", "127.0.0.1:1"); err == nil {
		c.Close()
		t.Skip("something listens on 127.0.0.1:1; no dead port to point at")
	}
	one := func(id, domain string, port int) obj {
		o := with(customOrigin("o", domain, port), "ConnectionAttempts", 1, "ConnectionTimeout", 1)
		o["CustomOriginConfig"] = with(o["CustomOriginConfig"].(obj), "OriginReadTimeout", 1)
		return o
	}
	docs := map[string]any{
		"EDEAD.json":   configDoc(distConfig([]obj{one("o", "127.0.0.1", dead)}, behavior("", "o"))),
		"ESILENT.json": configDoc(distConfig([]obj{one("o", "127.0.0.1", silent.Addr().(*net.TCPAddr).Port)}, behavior("", "o"))),
		"ENODNS.json":  configDoc(distConfig([]obj{one("o", "nonexistent.invalid", 80)}, behavior("", "o"))),
		"EBROKEN.json": configDoc(distConfig([]obj{one("o", "127.0.0.1", broken.port())}, behavior("", "o"))),
	}
	e := startEdge(t, docs)
	for _, tc := range []struct {
		dist     string
		status   int
		detailed string
		cause    string // docs/decisions.md, "Failures"
	}{
		{"EDEAD", 502, "OriginConnectError", "CloudFront wasn't able to connect to the origin."},
		{"ESILENT", 504, "OriginCommError", "CloudFront attempted to establish a connection with the origin, but either the attempt failed or the origin closed the connection."},
		{"ENODNS", 502, "OriginDnsError", "CloudFront wasn't able to resolve the origin domain name."},
	} {
		for _, proto := range []string{"http", "h2"} {
			t.Run(tc.dist+" "+proto, func(t *testing.T) {
				t.Parallel()
				r := e.do(t, request{Proto: proto, Host: defaultDomain(tc.dist), Target: "/fail"})
				checkEdgePage(t, r, tc.status, tc.cause)
				l := e.waitLogID(t, tc.dist+".*.gz", r.ID())
				checkLog(t, l, map[string]string{
					"sc-status": strconv.Itoa(tc.status), "x-edge-result-type": "Error",
					"x-edge-response-result-type": "Error", "x-edge-detailed-result-type": tc.detailed,
					"cs(Host)": defaultDomain(tc.dist), "sc-content-type": "text/html",
					"sc-content-len": strconv.Itoa(len(r.Body)), "c-port": r.LocalPort,
				})
			})
		}
	}
	t.Run("origin breaks off mid-body", func(t *testing.T) {
		t.Parallel()
		_, err := e.try(t, request{Host: defaultDomain("EBROKEN"), Target: "/half"})
		if err == nil {
			t.Error("viewer read a complete response from an origin that broke off")
		}
		l := e.waitLog(t, "EBROKEN.*.gz", func(l logLine) bool { return l["cs-uri-stem"] == "/half" })
		checkLog(t, l, map[string]string{"sc-status": "200", "x-edge-result-type": "Error"})
		if l["x-edge-detailed-result-type"] == "Miss" {
			t.Errorf("log x-edge-detailed-result-type: got Miss, want an origin error")
		}
	})
}

// TestOriginForbidden: a 403 from a real nginx origin reaches the viewer as
// nginx sent it — its Server header and body — marked Error (spec §9).
func TestOriginForbidden(t *testing.T) {
	t.Parallel()
	port := startNginx(t, map[string]string{"index.html": "hello from nginx\n", "private/secret.txt": "secret\n"})
	direct, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/private/secret.txt", port))
	if err != nil {
		t.Fatal(err)
	}
	nginxPage, _ := io.ReadAll(direct.Body)
	direct.Body.Close()
	const id = "ENGINX1"
	e := startEdge(t, docs1(id, distConfig([]obj{customOrigin("nginx", "127.0.0.1", port)}, behavior("", "nginx"))))
	for _, tc := range []struct {
		path, xcache, result string
		status               int
		body                 string
	}{
		{"/index.html", "Miss from cloudfront", "Miss", 200, "hello from nginx\n"},
		{"/private/secret.txt", "Error from cloudfront", "Error", 403, string(nginxPage)},
		{"/nope.html", "Error from cloudfront", "Error", 404, ""},
	} {
		for _, proto := range []string{"http", "https"} {
			t.Run(proto+tc.path, func(t *testing.T) {
				t.Parallel()
				r := e.do(t, request{Proto: proto, Host: defaultDomain(id), Target: tc.path})
				if r.Status != tc.status {
					t.Errorf("status: got %d, want %d", r.Status, tc.status)
				}
				if got := r.Header.Get("Server"); !strings.HasPrefix(got, "nginx") {
					t.Errorf("Server: got %q, want nginx's own", got)
				}
				if tc.body != "" && string(r.Body) != tc.body {
					t.Errorf("body: got %q, want %q", r.Body, tc.body)
				}
				checkCloudFrontHeaders(t, r, tc.xcache)
				l := e.waitLogID(t, id+".*.gz", r.ID())
				checkLog(t, l, map[string]string{
					"sc-status": strconv.Itoa(tc.status), "x-edge-result-type": tc.result,
					"x-edge-response-result-type": tc.result, "x-edge-detailed-result-type": tc.result,
					"sc-content-len": strconv.Itoa(len(r.Body)),
				})
			})
		}
	}
}
