package clienthello

import (
	"context"
	"crypto/tls"
	"net"
	"sync"

	"golang.org/x/crypto/cryptobyte"
)

// MaxRecorded bounds the bytes a connection keeps while waiting for its
// ClientHello to be complete. Real ClientHellos take a few hundred bytes to
// about 2 KB (with a post-quantum key share); one that does not fit gets no
// fingerprint.
const MaxRecorded = 16 << 10

// recordTypeHandshake is the content type of a handshake record; a record
// header is the type, a 2-byte version and a 2-byte length (RFC 8446 §5.1).
const recordTypeHandshake = 22

// Listener wraps the listener below tls.NewListener so that every
// connection records its ClientHello.
type Listener struct {
	net.Listener
}

// NewListener returns l with each accepted connection wrapped in a Conn:
// tls.NewListener(NewListener(l), config), with l already past anything
// that strips a header first (PROXY protocol), so that a Conn sees the TLS
// bytes only.
func NewListener(l net.Listener) *Listener { return &Listener{Listener: l} }

// Accept waits for the next connection and wraps it.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &Conn{Conn: c, recording: true}, nil
}

// Conn is a connection that keeps a copy of the bytes of its first TLS
// handshake records until they hold a complete ClientHello, then stops
// recording. Reads are otherwise passed through untouched.
type Conn struct {
	net.Conn
	recording bool   // touched by the reading goroutine only
	rec       []byte // the bytes read while recording
	hello     Hello
}

// Read reads from the connection, recording what the TLS server reads
// until the ClientHello is complete.
func (c *Conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if c.recording && n > 0 {
		c.record(p[:n])
	}
	return n, err
}

// record appends b to the recording and stops once the ClientHello is
// complete, cannot be one, or does not fit in MaxRecorded bytes.
func (c *Conn) record(b []byte) {
	room := MaxRecorded - len(c.rec)
	c.rec = append(c.rec, b[:min(len(b), room)]...)
	msg, more := helloMessage(c.rec)
	switch {
	case msg != nil:
		c.hello.msg = msg
	case more && len(c.rec) < MaxRecorded:
		return
	}
	c.recording, c.rec = false, nil // msg, if any, keeps what it needs
}

// Hello returns the connection's ClientHello. Call it once the TLS
// handshake is done (from a request, for example); before that it may be
// incomplete.
func (c *Conn) Hello() *Hello { return &c.hello }

// helloMessage reassembles the first handshake message from the TLS
// records at the start of b, which may split it over several records
// (RFC 8446 §5.1). It returns the message, type and length included, once
// it is complete and is a ClientHello. more reports that b is a valid
// beginning that more bytes may complete.
func helloMessage(b []byte) (msg []byte, more bool) {
	s := cryptobyte.String(b)
	var payload []byte
	for {
		var typ uint8
		var version uint16
		var frag cryptobyte.String
		if !s.ReadUint8(&typ) {
			return nil, true
		}
		if typ != recordTypeHandshake {
			return nil, false
		}
		if !s.ReadUint16(&version) || !s.ReadUint16LengthPrefixed(&frag) {
			return nil, true
		}
		if payload == nil && len(frag) >= 4 {
			// The common case, the whole message in the first record: no copy.
			if n := int(frag[1])<<16 | int(frag[2])<<8 | int(frag[3]); frag[0] == typeClientHello && 4+n <= len(frag) {
				return frag[:4+n], false
			}
		}
		payload = append(payload, frag...)
		if len(payload) >= 1 && payload[0] != typeClientHello {
			return nil, false
		}
		if len(payload) >= 4 {
			n := int(payload[1])<<16 | int(payload[2])<<8 | int(payload[3])
			if 4+n > MaxRecorded {
				return nil, false
			}
			if 4+n <= len(payload) {
				return payload[:4+n], false
			}
		}
	}
}

// Hello is the ClientHello a connection opened with. Its fingerprints are
// computed from the recorded message on first use and kept.
type Hello struct {
	msg      []byte // the ClientHello handshake message; nil when none was recorded
	once     sync.Once
	ja3, ja4 string
	ok       bool
}

// JA3 returns the JA3 fingerprint (32 lower-case hex characters); ok is
// false when no complete, well-formed ClientHello was recorded.
func (h *Hello) JA3() (string, bool) {
	h.compute()
	return h.ja3, h.ok
}

// JA4 returns the JA4 fingerprint (36 characters, t13d1516h2_…_…); ok is
// false when no complete, well-formed ClientHello was recorded.
func (h *Hello) JA4() (string, bool) {
	h.compute()
	return h.ja4, h.ok
}

func (h *Hello) compute() {
	h.once.Do(func() {
		p, ok := parseHello(h.msg)
		h.msg = nil // the fingerprints are all that is needed from now on
		if !ok {
			return
		}
		_, h.ja3 = ja3(&p)
		_, h.ja4 = ja4(&p)
		h.ok = true
	})
}

type ctxKey struct{}

// ConnContext is an http.Server ConnContext: a connection accepted through
// a Listener (directly, or inside tls.NewListener) makes its Hello
// reachable from its requests' contexts, HTTP/2 streams included.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	if cc, ok := c.(*Conn); ok {
		return context.WithValue(ctx, ctxKey{}, cc.Hello())
	}
	return ctx
}

// FromContext returns the Hello of the connection a request came on, or
// nil when it did not come through a Listener (plain HTTP).
func FromContext(ctx context.Context) *Hello {
	h, _ := ctx.Value(ctxKey{}).(*Hello)
	return h
}
