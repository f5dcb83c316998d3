package e2e

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

const tenMiB = 10 << 20

// pseudoRandom is a deterministic stream of n bytes.
func pseudoRandom(n int64, seed uint64) io.Reader {
	return io.LimitReader(rand.NewChaCha8([32]byte{byte(seed)}), n)
}

func sha256Of(r io.Reader) (string, int64) {
	h := sha256.New()
	n, _ := io.Copy(h, r)
	return hex.EncodeToString(h.Sum(nil)), n
}

// TestBodiesStream: 10 MiB request and response bodies pass intact, both
// ways, over HTTP/1.1 and HTTP/2.
func TestBodiesStream(t *testing.T) {
	t.Parallel()
	wantSHA, _ := sha256Of(pseudoRandom(tenMiB, 7))
	o := newOrigin(t, "big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "test-origin")
		if r.Method == http.MethodGet {
			w.Header().Set("Content-Length", strconv.Itoa(tenMiB))
			io.Copy(w, pseudoRandom(tenMiB, 7))
			return
		}
		sum, n := sha256Of(r.Body)
		io.WriteString(w, sum+" "+strconv.FormatInt(n, 10))
	})
	cfg := distConfig([]obj{customOrigin("o", "127.0.0.1", o.port())},
		with(behavior("", "o"), "AllowedMethods", methods("GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE")))
	const id = "ESTREAM1"
	e := startEdge(t, docs1(id, cfg))
	for _, proto := range []string{"http", "h2"} {
		t.Run("upload "+proto, func(t *testing.T) {
			t.Parallel()
			r := e.do(t, request{Proto: proto, Method: "POST", Host: defaultDomain(id), Target: "/upload", Body: pseudoRandom(tenMiB, 7)})
			if want := wantSHA + " " + strconv.Itoa(tenMiB); r.Status != 200 || string(r.Body) != want {
				t.Errorf("got %d %q, want 200 %q", r.Status, r.Body, want)
			}
			got := o.mustByID(t, r.ID())
			if got.BodyLen != tenMiB || got.BodySHA256 != wantSHA || got.BodyErr != nil {
				t.Errorf("origin body: %d bytes sha256 %s err %v, want %d bytes %s", got.BodyLen, got.BodySHA256, got.BodyErr, tenMiB, wantSHA)
			}
			l := e.waitLogID(t, id+".*.gz", r.ID())
			if n, _ := strconv.Atoi(l["cs-bytes"]); n < tenMiB {
				t.Errorf("log cs-bytes: got %s, want at least %d", l["cs-bytes"], tenMiB)
			}
		})
		t.Run("download "+proto, func(t *testing.T) {
			t.Parallel()
			r := e.do(t, request{Proto: proto, Host: defaultDomain(id), Target: "/download"})
			if sum := sha256.Sum256(r.Body); r.Status != 200 || hex.EncodeToString(sum[:]) != wantSHA {
				t.Errorf("got %d, %d bytes: want 200 and the origin's %d bytes", r.Status, len(r.Body), tenMiB)
			}
			l := e.waitLogID(t, id+".*.gz", r.ID())
			checkLog(t, l, map[string]string{"sc-status": "200", "x-edge-result-type": "Miss", "sc-content-len": strconv.Itoa(tenMiB)})
			if n, _ := strconv.Atoi(l["sc-bytes"]); n < tenMiB {
				t.Errorf("log sc-bytes: got %s, want at least %d", l["sc-bytes"], tenMiB)
			}
		})
	}
}

// TestStreaming: the edge holds neither body whole — the origin gets the
// first MiB of an upload while the viewer still holds back the rest, and
// the viewer gets the first MiB of a download while the origin holds back
// the rest.
func TestStreaming(t *testing.T) {
	t.Parallel()
	const part = 1 << 20
	originGotPart, viewerGotPart := make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			h := sha256.New()
			if _, err := io.CopyN(h, r.Body, part); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			close(originGotPart)
			n, _ := io.Copy(h, r.Body)
			io.WriteString(w, hex.EncodeToString(h.Sum(nil))+" "+strconv.FormatInt(n+part, 10))
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(tenMiB))
		src := pseudoRandom(tenMiB, 9)
		io.CopyN(w, src, part)
		w.(http.Flusher).Flush()
		select {
		case <-viewerGotPart:
		case <-time.After(10 * time.Second):
			return // the edge buffered: the viewer never saw the first part
		}
		io.Copy(w, src)
	}))
	t.Cleanup(srv.Close)
	port, _ := strconv.Atoi(srv.URL[strings.LastIndexByte(srv.URL, ':')+1:])
	cfg := distConfig([]obj{customOrigin("o", "127.0.0.1", port)},
		with(behavior("", "o"), "AllowedMethods", methods("GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE")))
	const id = "ESTREAMING1"
	e := startEdge(t, docs1(id, cfg))
	url := "http://" + defaultDomain(id) + "/stream"

	t.Run("upload", func(t *testing.T) {
		t.Parallel()
		pr, pw := io.Pipe()
		go func() {
			src := pseudoRandom(tenMiB, 9)
			io.CopyN(pw, src, part)
			select {
			case <-originGotPart:
			case <-time.After(10 * time.Second):
				pw.CloseWithError(errNotStreamed)
				return
			}
			io.Copy(pw, src)
			pw.Close()
		}()
		resp, err := e.client(t, "http").Post(url, "application/octet-stream", pr)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		want, _ := sha256Of(pseudoRandom(tenMiB, 9))
		if string(body) != want+" "+strconv.Itoa(tenMiB) {
			t.Errorf("got %d %q, want the origin to hash all %d bytes", resp.StatusCode, body, tenMiB)
		}
	})
	t.Run("download", func(t *testing.T) {
		t.Parallel()
		resp, err := e.client(t, "http").Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		h := sha256.New()
		if _, err := io.CopyN(h, resp.Body, part); err != nil {
			t.Fatalf("first MiB: %v", err)
		}
		close(viewerGotPart)
		n, _ := io.Copy(h, resp.Body)
		want, _ := sha256Of(pseudoRandom(tenMiB, 9))
		if n+part != tenMiB || hex.EncodeToString(h.Sum(nil)) != want {
			t.Errorf("got %d bytes, want the origin's %d", n+part, tenMiB)
		}
	})
}

var errNotStreamed = errors.New("the origin never saw the first MiB: the edge buffers request bodies")

// TestExpectContinue: a viewer that sends "Expect: 100-continue" (curl does
// for large bodies) gets the interim 100 before it sends the body.
func TestExpectContinue(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "app", nil)
	cfg := distConfig([]obj{customOrigin("o", "127.0.0.1", o.port())},
		with(behavior("", "o"), "AllowedMethods", methods("GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE")))
	const id = "EEXPECT1"
	e := startEdge(t, docs1(id, cfg))
	c, err := net.Dial("tcp", e.HTTP)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "PUT /up HTTP/1.1\r\nHost: "+defaultDomain(id)+"\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100 ") {
		t.Fatalf("before the body: got %q (%v), want HTTP/1.1 100 Continue", line, err)
	}
	for line != "\r\n" && err == nil {
		line, err = br.ReadString('\n')
	}
	io.WriteString(c, "hello")
	// More 1xx may follow (the origin's own 100 Continue, relayed): a
	// client must accept any number before the final answer (RFC 9110 §15.2).
	var resp *http.Response
	for resp == nil || resp.StatusCode < 200 {
		if resp, err = http.ReadResponse(br, nil); err != nil {
			t.Fatal(err)
		}
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != "app PUT /up" {
		t.Errorf("got %d %q, want 200 %q", resp.StatusCode, body, "app PUT /up")
	}
	if got := o.mustByID(t, resp.Header.Get("X-Amz-Cf-Id")); string(got.Body) != "hello" {
		t.Errorf("origin body: got %q, want hello", got.Body)
	}
}

// TestViewerHangsUp: a viewer gone mid-request-body is logged 000
// ClientHungUpRequest; one gone before the response (noticed when the
// origin answers or times out) is logged 000 ClientCommError, and one gone
// mid-response is logged Error with ClientCommError (spec §2.2, §2.3).
func TestViewerHangsUp(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "test-origin")
		w.Header().Set("Content-Length", strconv.Itoa(1<<30))
		if r.URL.Path == "/hangup-before" {
			<-r.Context().Done() // never answers
			return
		}
		if r.URL.Path == "/hangup-slow" {
			// A slow origin: some bytes, then nothing until the edge gives up,
			// so the viewer leaves while the edge waits on the origin.
			w.Write(make([]byte, 64<<10))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return
		}
		buf := make([]byte, 64<<10)
		for sent := 0; sent < 1<<30; sent += len(buf) {
			if _, err := w.Write(buf); err != nil {
				return // the edge went away: stop
			}
		}
	})
	// The origin that never answers has a short read timeout: the edge
	// waits for it even after the viewer left (docs/decisions.md,
	// "Origin connections").
	quick := customOrigin("quick", "127.0.0.1", o.port())
	quick["CustomOriginConfig"].(obj)["OriginReadTimeout"] = 2
	cfg := distConfig([]obj{customOrigin("o", "127.0.0.1", o.port()), quick},
		with(behavior("", "o"), "AllowedMethods", methods("GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE")),
		behavior("/hangup-before", "quick"))
	const id = "EHANGUP1"
	e := startEdge(t, docs1(id, cfg))
	host := defaultDomain(id)

	t.Run("mid request body", func(t *testing.T) {
		t.Parallel()
		c, err := net.Dial("tcp", e.HTTP)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, "POST /hangup-request HTTP/1.1\r\nHost: "+host+"\r\nContent-Length: 1000000\r\n\r\n0123456789")
		// Let the edge start forwarding before the viewer disappears.
		waitFor(t, 10*time.Second, "the request to reach the origin", func() bool { return o.arrivals.Load() > 0 })
		c.Close()
		l := e.waitLog(t, id+".*.gz", func(l logLine) bool { return l["cs-uri-stem"] == "/hangup-request" })
		checkLog(t, l, map[string]string{
			"sc-status": "000", "x-edge-result-type": "Error", "x-edge-detailed-result-type": "ClientHungUpRequest",
			"cs-method": "POST", "cs(Host)": host, "x-host-header": host, "cs-protocol": "http",
		})
	})
	t.Run("before the response", func(t *testing.T) {
		t.Parallel()
		c, err := net.Dial("tcp", e.HTTP)
		if err != nil {
			t.Fatal(err)
		}
		before := o.arrivals.Load()
		io.WriteString(c, "GET /hangup-before HTTP/1.1\r\nHost: "+host+"\r\n\r\n")
		waitFor(t, 10*time.Second, "the request to reach the origin", func() bool { return o.arrivals.Load() > before })
		c.Close()
		l := e.waitLog(t, id+".*.gz", func(l logLine) bool { return l["cs-uri-stem"] == "/hangup-before" })
		checkLog(t, l, map[string]string{
			"sc-status": "000", "x-edge-result-type": "Error", "x-edge-detailed-result-type": "ClientCommError",
		})
	})
	for _, path := range []string{"/hangup-response", "/hangup-slow"} {
		t.Run("mid response "+path, func(t *testing.T) {
			t.Parallel()
			c, err := net.Dial("tcp", e.HTTP)
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: "+host+"\r\n\r\n")
			buf := make([]byte, 4096)
			if _, err := io.ReadAtLeast(c, buf, len(buf)); err != nil {
				t.Fatal(err)
			}
			c.Close()
			l := e.waitLog(t, id+".*.gz", func(l logLine) bool { return l["cs-uri-stem"] == path })
			// The viewer left: ClientCommError, whether the edge was writing
			// to the viewer or waiting on the origin when it noticed.
			checkLog(t, l, map[string]string{
				"sc-status": "200", "x-edge-result-type": "Error", "x-edge-response-result-type": "Miss", "cs-method": "GET",
			})
			if got := l["x-edge-detailed-result-type"]; got != "ClientCommError" {
				t.Errorf("log x-edge-detailed-result-type: got %q, want ClientCommError: the viewer hung up, "+
					"yet the edge blames the origin (spec §2.3; docs/decisions.md \"Viewer hang-ups\")", got)
			}
			if n, _ := strconv.Atoi(l["sc-bytes"]); n <= 0 || n >= 1<<30 {
				t.Errorf("log sc-bytes: got %s, want some but not all of the body", l["sc-bytes"])
			}
		})
	}
	t.Cleanup(func() {
		if err := e.alive(); err != nil {
			t.Error(err)
		}
	})
}
