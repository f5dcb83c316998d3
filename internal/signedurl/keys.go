package signedurl

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// ErrKeyType reports a public key CloudFront would not accept.
var ErrKeyType = errors.New("unsupported key type")

// ParsePublicKey parses the PEM text of a CloudFront public key
// (PublicKeyConfig.EncodedKey as get-public-key prints it, "-----BEGIN PUBLIC
// KEY-----…") for a trusted key group. CloudFront accepts only RSA 2048 and
// ECDSA P-256 ("prime256v1") keys in key groups ("Specify signers that can
// create signed URLs and signed cookies").
func ParsePublicKey(pemText string) (crypto.PublicKey, error) {
	k, err := parsePEMPublicKey(pemText, false)
	if err != nil {
		return nil, err
	}
	switch k := k.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() != 2048 {
			return nil, fmt.Errorf("%w: RSA key of %d bits; key groups take RSA 2048 or ECDSA P-256", ErrKeyType, k.N.BitLen())
		}
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("%w: ECDSA key on %s; key groups take RSA 2048 or ECDSA P-256", ErrKeyType, k.Curve.Params().Name)
		}
	default:
		return nil, fmt.Errorf("%w: %T; key groups take RSA 2048 or ECDSA P-256", ErrKeyType, k)
	}
	return k, nil
}

// ParseLegacyKey parses the PEM public key of a legacy CloudFront key pair
// (trusted signers, IDs like APKA…). Those are RSA keys of 1024, 2048 or 4096
// bits ("Create key pairs for your signers"). Both "PUBLIC KEY" (PKIX) and
// "RSA PUBLIC KEY" (PKCS #1) blocks are accepted.
func ParseLegacyKey(pemText string) (crypto.PublicKey, error) {
	k, err := parsePEMPublicKey(pemText, true)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: %T; legacy key pairs are RSA", ErrKeyType, k)
	}
	switch rk.N.BitLen() {
	case 1024, 2048, 4096:
		return rk, nil
	}
	return nil, fmt.Errorf("%w: RSA key of %d bits; legacy key pairs are RSA 1024, 2048 or 4096", ErrKeyType, rk.N.BitLen())
}

func parsePEMPublicKey(pemText string, pkcs1 bool) (crypto.PublicKey, error) {
	block, rest := pem.Decode([]byte(strings.TrimSpace(pemText)))
	if block == nil {
		return nil, errors.New("no PEM block found (expected -----BEGIN PUBLIC KEY-----)")
	}
	if strings.TrimSpace(string(rest)) != "" {
		return nil, errors.New("unexpected data after the PEM block")
	}
	switch {
	case block.Type == "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse public key: %w", err)
		}
		return k, nil
	case block.Type == "RSA PUBLIC KEY" && pkcs1:
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse RSA public key: %w", err)
		}
		return k, nil
	}
	return nil, fmt.Errorf("PEM block is %q, want \"PUBLIC KEY\"", block.Type)
}

// trustedKey is a public key prepared for verification.
type trustedKey struct {
	rsa   *rsa.PublicKey
	ecdsa *ecdsa.PublicKey
	// fp identifies the key material in cache keys, so two verifiers that
	// map one key ID to different keys (say, across a config reload) never
	// share a cached verdict.
	fp [32]byte
}

func newTrustedKey(k crypto.PublicKey) *trustedKey {
	t := &trustedKey{}
	switch k := k.(type) {
	case *rsa.PublicKey:
		if k == nil || k.N == nil {
			return t
		}
		t.rsa = k
	case *ecdsa.PublicKey:
		if k == nil || k.Curve == nil || k.X == nil || k.Y == nil {
			return t
		}
		t.ecdsa = k
	default:
		// Fail closed: a key of another type verifies nothing.
		return t
	}
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return &trustedKey{}
	}
	t.fp = sha256.Sum256(der)
	return t
}

// verify checks sig over digest, a hash of type h: RSA PKCS #1 v1.5, or
// ECDSA with an ASN.1 DER signature as the AWS SDKs produce.
func (k *trustedKey) verify(h crypto.Hash, digest, sig []byte) bool {
	switch {
	case k.rsa != nil:
		return rsa.VerifyPKCS1v15(k.rsa, h, digest, sig) == nil
	case k.ecdsa != nil:
		return ecdsa.VerifyASN1(k.ecdsa, digest, sig)
	}
	return false
}
