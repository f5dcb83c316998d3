package clienthello

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
)

// ext is one extension of a test ClientHello.
type ext struct {
	typ  uint16
	data []byte
}

// buildHello builds a ClientHello handshake message. A nil exts leaves the
// extensions block out altogether (a pre-TLS-1.3 hello may).
func buildHello(version uint16, ciphers []uint16, exts []ext) []byte {
	var b cryptobyte.Builder
	b.AddUint8(typeClientHello)
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint16(version)
		b.AddBytes(make([]byte, 32)) // random
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {})
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, c := range ciphers {
				b.AddUint16(c)
			}
		})
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(0) })
		if exts == nil {
			return
		}
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, e := range exts {
				b.AddUint16(e.typ)
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(e.data) })
			}
		})
	})
	return b.BytesOrPanic()
}

// u16s encodes a 16-bit list with its length prefix of prefixLen bytes.
func u16s(prefixLen int, vs ...uint16) []byte {
	var b cryptobyte.Builder
	body := func(b *cryptobyte.Builder) {
		for _, v := range vs {
			b.AddUint16(v)
		}
	}
	if prefixLen == 1 {
		b.AddUint8LengthPrefixed(body)
	} else {
		b.AddUint16LengthPrefixed(body)
	}
	return b.BytesOrPanic()
}

// alpnData is an ALPN extension's body.
func alpnData(names ...string) []byte {
	var b cryptobyte.Builder
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, n := range names {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(n)) })
		}
	})
	return b.BytesOrPanic()
}

// sniData is a server_name extension's body naming host.
func sniData(host string) []byte {
	var b cryptobyte.Builder
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint8(0) // host_name
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(host)) })
	})
	return b.BytesOrPanic()
}

// fingerprints parses msg and returns its JA3 string and hash and its JA4
// raw string and fingerprint.
func fingerprints(t *testing.T, msg []byte) (ja3Raw, ja3Hash, ja4Raw, ja4FP string) {
	t.Helper()
	h, ok := parseHello(msg)
	if !ok {
		t.Fatalf("parseHello: not a ClientHello: %x", msg)
	}
	ja3Raw, ja3Hash = ja3(&h)
	ja4Raw, ja4FP = ja4(&h)
	return
}

// readCapture reads testdata/name.hex and adds the handshake header.
func readCapture(t testing.TB, name string) []byte {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("testdata", name+".hex"))
	if err != nil {
		t.Fatal(err)
	}
	body, err := hex.DecodeString(strings.Join(strings.Fields(string(text)), ""))
	if err != nil {
		t.Fatal(err)
	}
	n := len(body)
	return append([]byte{typeClientHello, byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

// TestCaptures: real ClientHellos (testdata/README.md) give the JA3 that
// was published with them, and the JA4 worked out by hand from FoxIO's
// specification.
func TestCaptures(t *testing.T) {
	for _, tc := range []struct {
		name, ja3Raw, ja3, ja4Raw, ja4 string
	}{
		{"chrome",
			"771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53-10,0-23-65281-10-11-35-16-5-13-18-51-45-43-27-21,29-23-24,0",
			"66918128f1b9b03303d77c6f2eefd128",
			"t13d1615h2_000a,002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_" +
				"0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,ff01_0403,0804,0401,0503,0805,0501,0806,0601,0201",
			"t13d1615h2_46e7e9700bed_45f260be83e2"},
		{"curl",
			"771,4866-4867-4865-49196-49200-159-52393-52392-52394-49195-49199-158-49188-49192-107-49187-49191-103-49162-49172-57-49161-49171-51-157-156-61-60-53-47-255,0-11-10-13172-16-22-23-13-43-45-51-21,29-23-30-25-24,0-1-2",
			"456523fc94726331a4d5a2e1d40b2cd7",
			"t13d3112h2_002f,0033,0035,0039,003c,003d,0067,006b,009c,009d,009e,009f,00ff,1301,1302,1303,c009,c00a,c013,c014,c023,c024,c027,c028,c02b,c02c,c02f,c030,cca8,cca9,ccaa_" +
				"000a,000b,000d,0015,0016,0017,002b,002d,0033,3374_0403,0503,0603,0807,0808,0809,080a,080b,0804,0805,0806,0401,0501,0601,0303,0203,0301,0201,0302,0202,0402,0502,0602",
			"t13d3112h2_e8f1e7e78f70_f4b9272caa35"},
		{"firefox",
			"771,49195-49199-52393-52392-49196-49200-49162-49161-49171-49172-51-57-47-53-10,0-23-65281-10-11-35-16-5-13-28,29-23-24-25,0",
			"839bbe3ed07fed922ded5aaf714d6842",
			"t12d1510h2_000a,002f,0033,0035,0039,c009,c00a,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_" +
				"0005,000a,000b,000d,0017,001c,0023,ff01_0403,0503,0603,0804,0805,0806,0401,0501,0601,0203,0201",
			"t12d1510h2_073e58a039a6_b5b8faed2b99"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ja3Raw, ja3Hash, ja4Raw, ja4FP := fingerprints(t, readCapture(t, tc.name))
			if ja3Raw != tc.ja3Raw {
				t.Errorf("JA3 string:\ngot  %s\nwant %s", ja3Raw, tc.ja3Raw)
			}
			if ja3Hash != tc.ja3 {
				t.Errorf("JA3: got %s, want %s", ja3Hash, tc.ja3)
			}
			if ja4Raw != tc.ja4Raw {
				t.Errorf("JA4_r:\ngot  %s\nwant %s", ja4Raw, tc.ja4Raw)
			}
			if ja4FP != tc.ja4 {
				t.Errorf("JA4: got %s, want %s", ja4FP, tc.ja4)
			}
		})
	}
}

// TestJA3Spec: the examples of the JA3 README (salesforce/ja3), built
// as ClientHellos.
func TestJA3Spec(t *testing.T) {
	for _, tc := range []struct {
		name    string
		msg     []byte
		raw, md string
	}{
		{"with extensions",
			buildHello(0x0301, []uint16{47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4}, []ext{
				{extServerName, sniData("example.com")},
				{extSupportedGroups, u16s(2, 23, 24, 25)},
				{extECPointFormats, []byte{1, 0}},
			}),
			"769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0", "ada70206e40642a3e4461f35503241d5"},
		{"no extensions: empty fields",
			buildHello(0x0301, []uint16{4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99}, nil),
			"769,4-5-10-9-100-98-3-6-19-18-99,,,", "de350869b8c85de67a350c8d186f11e6"},
		// aws/s2n-tls checks these two against its JA3 too.
		{"groups without point formats",
			buildHello(0x0302, []uint16{0xc02f}, []ext{{extSupportedGroups, u16s(2, 23)}}),
			"770,49199,10,23,", ""},
		{"an empty extensions block",
			buildHello(0x0301, []uint16{0xc02f}, []ext{}),
			"769,49199,,,", ""},
		{"GREASE left out of every list",
			buildHello(0x0303, []uint16{0x0a0a, 0x1301, 0xfafa, 0xc02f}, []ext{
				{0x2a2a, nil},
				{extSupportedGroups, u16s(2, 0x3a3a, 29, 23)},
				{extECPointFormats, []byte{1, 0}},
				{0xdada, []byte{0}},
			}),
			"771,4865-49199,10-11,29-23,0", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, md, _, _ := fingerprints(t, tc.msg)
			if raw != tc.raw {
				t.Errorf("JA3 string: got %q, want %q", raw, tc.raw)
			}
			if tc.md != "" && md != tc.md {
				t.Errorf("JA3: got %s, want %s", md, tc.md)
			}
			if len(md) != 32 || strings.ToLower(md) != md {
				t.Errorf("JA3 %q: want 32 lower-case hex characters", md)
			}
		})
	}
}

// specHello is the ClientHello of FoxIO's JA4 worked example
// (technical_details/JA4.md): its cipher suites, extensions and signature
// algorithms in the order given there, TLS 1.3, SNI and ALPN h2.
func specHello(grease bool) []byte {
	ciphers := []uint16{0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035}
	versions := []uint16{0x0304, 0x0303}
	sigalgs := []uint16{0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601}
	if grease {
		ciphers = append([]uint16{0x5a5a}, ciphers...)
		versions = append([]uint16{0xeaea}, versions...)
		sigalgs = append(sigalgs, 0x9a9a)
	}
	data := map[uint16][]byte{
		extServerName:          sniData("example.com"),
		extALPN:                alpnData("h2", "http/1.1"),
		extSignatureAlgorithms: u16s(2, sigalgs...),
		extSupportedVersions:   u16s(1, versions...),
		extSupportedGroups:     u16s(2, 29, 23, 24),
		extECPointFormats:      {1, 0},
	}
	var exts []ext
	if grease {
		exts = append(exts, ext{0x1a1a, nil})
	}
	for _, typ := range []uint16{0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015} {
		exts = append(exts, ext{typ, data[typ]})
	}
	if grease {
		exts = append(exts, ext{0xbaba, []byte{0}})
	}
	return buildHello(0x0303, ciphers, exts)
}

// TestJA4Spec: FoxIO's worked example, with and without GREASE values.
func TestJA4Spec(t *testing.T) {
	const (
		want    = "t13d1516h2_8daaf6152771_e5627efa2ab1"
		wantRaw = "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_" +
			"0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601"
	)
	for _, grease := range []bool{false, true} {
		_, _, raw, fp := fingerprints(t, specHello(grease))
		if raw != wantRaw {
			t.Errorf("GREASE %v: JA4_r:\ngot  %s\nwant %s", grease, raw, wantRaw)
		}
		if fp != want {
			t.Errorf("GREASE %v: JA4: got %s, want %s", grease, fp, want)
		}
	}
}

// TestJA4Parts: each rule of JA4_a, and the empty-list and
// no-signature-algorithm cases of JA4_b and JA4_c.
func TestJA4Parts(t *testing.T) {
	many := make([]uint16, 120)
	for i := range many {
		many[i] = uint16(0x0100 + i)
	}
	manyExts := make([]ext, 120)
	for i := range manyExts {
		manyExts[i] = ext{uint16(0x0100 + i), nil}
	}
	sigs := ext{extSignatureAlgorithms, u16s(2, 0x0403)}
	for _, tc := range []struct {
		name    string
		msg     []byte
		want    string // a prefix of the JA4, or all of it
		wantRaw string // all of JA4_r, when set
	}{
		{"supported_versions wins over legacy_version", buildHello(0x0303, []uint16{0x1301}, []ext{{extSupportedVersions, u16s(1, 0x0303, 0x0304)}}), "t13i0101", ""},
		{"its GREASE values are ignored", buildHello(0x0303, []uint16{0x1301}, []ext{{extSupportedVersions, u16s(1, 0xfafa, 0x0302)}}), "t11i0101", ""},
		{"legacy_version without supported_versions", buildHello(0x0303, []uint16{0xc02f}, []ext{}), "t12i0100", ""},
		{"TLS 1.0", buildHello(0x0301, []uint16{0xc02f}, nil), "t10i0100", ""},
		{"SSL 3.0", buildHello(0x0300, []uint16{0xc02f}, nil), "ts3i0100", ""},
		{"an unknown version", buildHello(0x0305, []uint16{0xc02f}, nil), "t00i0100", ""},
		{"SNI present", buildHello(0x0303, []uint16{0xc02f}, []ext{{extServerName, sniData("a.example")}}), "t12d0101", ""},
		{"counts stop at 99", buildHello(0x0303, many, manyExts), "t12i9999", ""},
		{"no cipher suites, no extensions", buildHello(0x0303, nil, nil), "t12i000000_000000000000_000000000000", ""},
		{"only SNI and ALPN: extension hash of nothing", buildHello(0x0303, []uint16{0xc02f}, []ext{{extServerName, sniData("a")}, {extALPN, alpnData("h2")}}),
			"t12d0102h2_f06271c2b022_000000000000", "t12d0102h2_c02f_"},
		{"no signature algorithms: no underscore", buildHello(0x0303, []uint16{0xc02f}, []ext{{0x0017, nil}}), "", "t12i010100_c02f_0017"},
		{"signature algorithms after an underscore", buildHello(0x0303, []uint16{0xc02f}, []ext{sigs, {0x0017, nil}}), "", "t12i010200_c02f_000d,0017_0403"},
		// The ALPN rules of JA4.md, "ALPN Extension Value".
		{"ALPN http/1.1", buildHello(0x0303, nil, []ext{{extALPN, alpnData("http/1.1", "h2")}}), "t12i0001h1", ""},
		{"ALPN of one character", buildHello(0x0303, nil, []ext{{extALPN, alpnData("h")}}), "t12i0001hh", ""},
		{"ALPN empty first value", buildHello(0x0303, nil, []ext{{extALPN, alpnData("", "h2")}}), "t12i000100", ""},
		{"ALPN without values", buildHello(0x0303, nil, []ext{{extALPN, alpnData()}}), "t12i000100", ""},
		{"ALPN 0xAB", buildHello(0x0303, nil, []ext{{extALPN, alpnData("\xab")}}), "t12i0001ab", ""},
		{"ALPN 0xAB 0xCD", buildHello(0x0303, nil, []ext{{extALPN, alpnData("\xab\xcd")}}), "t12i0001ad", ""},
		{"ALPN 0x30 0xAB", buildHello(0x0303, nil, []ext{{extALPN, alpnData("0\xab")}}), "t12i00013b", ""},
		{"ALPN 0x30 0x31 0xAB 0xCD", buildHello(0x0303, nil, []ext{{extALPN, alpnData("01\xab\xcd")}}), "t12i00013d", ""},
		{"ALPN 0x30 0xAB 0xCD 0x31", buildHello(0x0303, nil, []ext{{extALPN, alpnData("0\xab\xcd1")}}), "t12i000101", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, raw, fp := fingerprints(t, tc.msg)
			if !strings.HasPrefix(fp, tc.want) {
				t.Errorf("JA4: got %s, want it to start with %s", fp, tc.want)
			}
			if tc.wantRaw != "" && raw != tc.wantRaw {
				t.Errorf("JA4_r: got %s, want %s", raw, tc.wantRaw)
			}
			if len(fp) != 36 {
				t.Errorf("JA4 %q: %d characters, want 36", fp, len(fp))
			}
		})
	}
}

// TestGREASE: exactly the sixteen values of RFC 8701 §2.
func TestGREASE(t *testing.T) {
	n := 0
	for v := range 1 << 16 {
		if isGREASE(uint16(v)) {
			n++
			if want := uint16(v>>12)<<12 | 0x0a00 | uint16(v>>12)<<4 | 0x0a; uint16(v) != want {
				t.Errorf("%#04x is not a GREASE value", v)
			}
		}
	}
	if n != 16 {
		t.Errorf("%d GREASE values, want 16", n)
	}
}

// TestMalformed: messages that are not ClientHellos give no fingerprint;
// a malformed extension the fingerprints read counts, without values.
func TestMalformed(t *testing.T) {
	good := buildHello(0x0303, []uint16{0x1301}, []ext{{extSupportedVersions, u16s(1, 0x0304)}})
	for _, tc := range []struct {
		name string
		msg  []byte
	}{
		{"empty", nil},
		{"not a ClientHello", append([]byte{2}, good[1:]...)},
		{"length beyond the message", good[:len(good)-1]},
		{"odd cipher suites length", buildHello(0x0303, nil, nil)[:4+2+32+1]},
		{"truncated extension", func() []byte {
			m := buildHello(0x0303, []uint16{0x1301}, []ext{{0x0017, []byte{1, 2, 3}}})
			m = m[:len(m)-2]
			n := len(m) - 4
			m[1], m[2], m[3] = byte(n>>16), byte(n>>8), byte(n)
			return m
		}()},
	} {
		if _, ok := parseHello(tc.msg); ok {
			t.Errorf("%s: parsed as a ClientHello", tc.name)
		}
	}
	_, _, _, fp := fingerprints(t, buildHello(0x0303, []uint16{0x1301}, []ext{
		{extSupportedVersions, nil}, {extALPN, nil}, {extSignatureAlgorithms, nil}, {extSupportedGroups, []byte{0, 3, 1}}}))
	if !strings.HasPrefix(fp, "t12i010400_") {
		t.Errorf("malformed extensions: JA4 %s, want t12i010400_… (counted, legacy version, no ALPN)", fp)
	}
}
