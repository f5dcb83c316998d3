package clienthello

import (
	"bytes"
	"io"
	"regexp"
	"testing"
)

var fuzzJA4 = regexp.MustCompile(`^t(1[0-3]|s[23]|d[123]|00)[di]\d{4}[0-9A-Za-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$`)

// FuzzParse: no message makes the parser or the fingerprints panic, and
// every ClientHello that parses gets well-formed fingerprints.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"chrome", "curl", "firefox"} {
		f.Add(readCapture(f, name))
	}
	f.Add(specHello(true))
	f.Add(buildHello(0x0303, nil, nil))
	f.Add(buildHello(0x0303, []uint16{0x1301}, []ext{{extALPN, alpnData("\xab")}, {extSupportedVersions, u16s(1, 0x0304)}}))
	f.Fuzz(func(t *testing.T, msg []byte) {
		h, ok := parseHello(msg)
		if !ok {
			return
		}
		_, j3 := ja3(&h)
		_, j4 := ja4(&h)
		if !wellFormedJA3.MatchString(j3) || !fuzzJA4.MatchString(j4) {
			t.Fatalf("JA3 %q, JA4 %q: not well-formed", j3, j4)
		}
	})
}

// FuzzRecord: whatever the first bytes of a connection and however they
// are cut into reads, the Conn passes them through unchanged, keeps at
// most MaxRecorded bytes, and never panics computing fingerprints.
func FuzzRecord(f *testing.F) {
	msg := readCapture(f, "chrome")
	f.Add(records(msg, 1<<14), uint8(0))
	f.Add(records(msg, 9), uint8(3))
	f.Add(records(msg, 100)[:250], uint8(17))
	f.Add([]byte{22, 3, 1, 0, 4, 1, 0, 0, 0}, uint8(1))
	f.Add([]byte{22, 3, 1, 0, 0, 22, 3, 1, 0, 0}, uint8(1))
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"), uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		c := &Conn{Conn: &chunkConn{r: bytes.NewReader(data), chunk: int(chunk) + 1}, recording: true}
		got, err := io.ReadAll(c)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read %d bytes, %v; want the %d bytes unchanged", len(got), err, len(data))
		}
		if len(c.rec) > MaxRecorded || len(c.hello.msg) > MaxRecorded {
			t.Fatalf("kept %d and %d bytes, more than MaxRecorded", len(c.rec), len(c.hello.msg))
		}
		j3, ok3 := c.Hello().JA3()
		j4, ok4 := c.Hello().JA4()
		if ok3 != ok4 || ok3 && (!wellFormedJA3.MatchString(j3) || !fuzzJA4.MatchString(j4)) {
			t.Fatalf("JA3 %q %v, JA4 %q %v", j3, ok3, j4, ok4)
		}
	})
}
