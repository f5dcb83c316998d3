package e2e

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestWebSocket: a WebSocket handshake is proxied and, on the origin's 101,
// the two connections are joined (distribution-working-with.websockets).
// CloudFront needs the behavior to forward Sec-WebSocket-Key and
// -Version (AllViewer does); without them the origin refuses the handshake.
func TestWebSocket(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "ws", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Sec-Websocket-Key") == "" || !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			w.Header().Set("Server", "test-origin")
			http.Error(w, "not a websocket handshake", http.StatusBadRequest)
			return
		}
		c, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer c.Close()
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
			"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nServer: test-origin\r\n\r\n")
		io.Copy(c, brw) // echo
	})
	cfg := distConfig([]obj{customOrigin("o", "127.0.0.1", o.port())}, behavior("", "o"),
		with(behavior("/ws/*", "o"), "OriginRequestPolicyId", allViewerExceptHostHeader))
	const id = "EWEBSOCK"
	host := defaultDomain(id)
	e := startEdge(t, docs1(id, cfg))

	handshake := func(t *testing.T, path string) (net.Conn, *bufio.Reader, *http.Response) {
		t.Helper()
		c, err := net.Dial("tcp", e.HTTP)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: "+host+"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		return c, br, resp
	}

	t.Run("forwarded handshake", func(t *testing.T) {
		c, br, resp := handshake(t, "/ws/chat")
		if resp.StatusCode != http.StatusSwitchingProtocols {
			t.Fatalf("status: got %d, want 101; origin saw %v", resp.StatusCode, o.requests())
		}
		for k, want := range map[string]string{"Upgrade": "websocket", "Server": "test-origin", "X-Cache": "Miss from cloudfront"} {
			if got := resp.Header.Get(k); got != want {
				t.Errorf("%s: got %q, want %q", k, got, want)
			}
		}
		rid := resp.Header.Get("X-Amz-Cf-Id")
		if rid == "" || resp.Header.Get("Via") == "" {
			t.Errorf("CloudFront's headers missing on the 101: %v", resp.Header)
		}
		for _, msg := range []string{"hello", "again"} {
			io.WriteString(c, msg)
			buf := make([]byte, len(msg))
			if _, err := io.ReadFull(br, buf); err != nil || string(buf) != msg {
				t.Fatalf("echo: got %q, %v; want %q", buf, err, msg)
			}
		}
		got := o.mustByID(t, rid)
		if got.Header.Get("Sec-Websocket-Key") == "" || got.Header.Get("Upgrade") != "websocket" {
			t.Errorf("origin handshake headers: %v", got.Header)
		}
		c.Close()
		l := e.waitLog(t, id+".*.gz", func(l logLine) bool { return l["x-edge-request-id"] == rid })
		checkLog(t, l, map[string]string{"sc-status": "101", "x-edge-result-type": "Miss", "cs-uri-stem": "/ws/chat"})
	})
	t.Run("headers not forwarded", func(t *testing.T) {
		_, _, resp := handshake(t, "/plain")
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Server") != "test-origin" {
			t.Fatalf("got %d from %q, want the origin's 400: the policy does not forward Sec-WebSocket-Key",
				resp.StatusCode, resp.Header.Get("Server"))
		}
	})
}
