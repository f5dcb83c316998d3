// Package clienthello records the TLS ClientHello a viewer's connection
// opens with and computes its JA3 and JA4 fingerprints, as AWS WAF does for
// CloudFront (FieldToMatch JA3Fingerprint and JA4Fingerprint, the
// ja3Fingerprint and ja4Fingerprint of its log).
//
// crypto/tls does not give a server the ClientHello's bytes, and its
// ClientHelloInfo lacks the legacy_version that JA3 starts with, so a
// Listener sits below tls.Server and keeps a copy of the first handshake
// record bytes it reads (Conn). The fingerprints are computed from that copy
// on first use, once per connection: most requests never ask for them.
package clienthello

import (
	"golang.org/x/crypto/cryptobyte"
)

// TLS extension code points used by the fingerprints (IANA TLS
// ExtensionType Values).
const (
	extServerName          = 0x0000
	extSupportedGroups     = 0x000a
	extECPointFormats      = 0x000b
	extSignatureAlgorithms = 0x000d
	extALPN                = 0x0010
	extSupportedVersions   = 0x002b
)

// typeClientHello is the handshake message type of a ClientHello
// (RFC 8446 §4).
const typeClientHello = 1

// hello is what the fingerprints read from a ClientHello, in the order the
// client sent it. GREASE values are kept: each fingerprint drops them
// itself.
type hello struct {
	version    uint16   // legacy_version
	ciphers    []uint16 // cipher_suites
	extensions []uint16 // extension types
	groups     []uint16 // supported_groups (elliptic_curves)
	points     []uint8  // ec_point_formats
	sigalgs    []uint16 // signature_algorithms
	versions   []uint16 // supported_versions
	alpn       []byte   // the first ALPN protocol name; nil when none
	sni        bool     // a server_name extension is present
}

// parseHello parses a ClientHello handshake message (type, 24-bit length,
// body; RFC 8446 §4.1.2, RFC 5246 §7.4.1.2). It reports false when the
// message is not a well-formed ClientHello. The contents of the extensions
// the fingerprints read are parsed leniently: one that is malformed counts
// as present but contributes no values (crypto/tls refuses such a
// handshake anyway, so no request ever carries its fingerprint).
func parseHello(msg []byte) (hello, bool) {
	var h hello
	s := cryptobyte.String(msg)
	var typ uint8
	var body cryptobyte.String
	if !s.ReadUint8(&typ) || typ != typeClientHello || !s.ReadUint24LengthPrefixed(&body) {
		return h, false
	}
	var sessionID, ciphers, compression cryptobyte.String
	if !body.ReadUint16(&h.version) || !body.Skip(32) || // random
		!body.ReadUint8LengthPrefixed(&sessionID) ||
		!body.ReadUint16LengthPrefixed(&ciphers) ||
		!body.ReadUint8LengthPrefixed(&compression) {
		return h, false
	}
	if len(ciphers)%2 != 0 {
		return h, false
	}
	h.ciphers = readUint16s(ciphers)
	if body.Empty() {
		return h, true // no extensions (allowed before TLS 1.3)
	}
	var exts cryptobyte.String
	if !body.ReadUint16LengthPrefixed(&exts) {
		return h, false
	}
	for !exts.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) {
			return h, false
		}
		h.extensions = append(h.extensions, typ)
		h.extension(typ, data)
	}
	return h, true
}

// extension reads the contents of the extensions the fingerprints use.
func (h *hello) extension(typ uint16, data cryptobyte.String) {
	switch typ {
	case extServerName:
		h.sni = true
	case extSupportedGroups:
		var list cryptobyte.String
		if data.ReadUint16LengthPrefixed(&list) && len(list)%2 == 0 {
			h.groups = readUint16s(list)
		}
	case extECPointFormats:
		var list cryptobyte.String
		if data.ReadUint8LengthPrefixed(&list) {
			h.points = []uint8(list)
		}
	case extSignatureAlgorithms:
		var list cryptobyte.String
		if data.ReadUint16LengthPrefixed(&list) && len(list)%2 == 0 {
			h.sigalgs = readUint16s(list)
		}
	case extSupportedVersions:
		var list cryptobyte.String
		if data.ReadUint8LengthPrefixed(&list) && len(list)%2 == 0 {
			h.versions = readUint16s(list)
		}
	case extALPN:
		var list, name cryptobyte.String
		if data.ReadUint16LengthPrefixed(&list) && list.ReadUint8LengthPrefixed(&name) {
			h.alpn = []byte(name)
		}
	}
}

// readUint16s reads a list of big-endian 16-bit values; s has an even
// length.
func readUint16s(s cryptobyte.String) []uint16 {
	out := make([]uint16, 0, len(s)/2)
	var v uint16
	for s.ReadUint16(&v) {
		out = append(out, v)
	}
	return out
}

// isGREASE reports whether v is one of the reserved GREASE values
// 0x0A0A, 0x1A1A, …, 0xFAFA (RFC 8701 §2), which both fingerprints ignore.
func isGREASE(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}
