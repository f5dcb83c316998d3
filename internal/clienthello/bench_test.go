package clienthello

import (
	"bytes"
	"testing"
)

// BenchmarkFingerprints is the first use on a connection: parse the
// recorded ClientHello (Chrome's, with GREASE), compute JA3 and JA4.
func BenchmarkFingerprints(b *testing.B) {
	msg := readCapture(b, "chrome")
	b.ReportAllocs()
	for b.Loop() {
		h := Hello{msg: msg}
		if _, ok := h.JA4(); !ok {
			b.Fatal("no fingerprint")
		}
		h.JA3()
	}
}

// BenchmarkFingerprintsKept is every later use on the connection.
func BenchmarkFingerprintsKept(b *testing.B) {
	h := Hello{msg: readCapture(b, "chrome")}
	h.JA4()
	b.ReportAllocs()
	for b.Loop() {
		h.JA3()
		h.JA4()
	}
}

// BenchmarkRecord is what recording adds to a TLS connection: reading the
// ClientHello record through a Conn, as crypto/tls does (a 5-byte header,
// then the rest).
func BenchmarkRecord(b *testing.B) {
	data := records(readCapture(b, "chrome"), 1<<14)
	buf := make([]byte, len(data))
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		c := &Conn{Conn: &chunkConn{r: bytes.NewReader(data), chunk: 1 << 16}, recording: true}
		if _, err := c.Read(buf[:5]); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Read(buf[5:]); err != nil {
			b.Fatal(err)
		}
		if c.recording {
			b.Fatal("still recording")
		}
	}
}
