package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/openfront-edge/openfront/internal/signedurl"
)

const signUsage = `Usage:
  openfront sign url     URL --key-pair-id ID --private-key FILE (--expires TIME | --policy FILE) [flags]
  openfront sign cookies URL --key-pair-id ID --private-key FILE (--expires TIME | --policy FILE) [flags]

Signs a URL, or makes signed cookies, exactly as CloudFront's signers do
(for RSA with SHA-1, byte for byte what the AWS SDK for Go v2 produces).
"url" prints the signed URL; "cookies" prints Set-Cookie lines.

TIME is RFC 3339 (2026-01-02T15:04:05Z), Unix seconds (1767290400) or a
duration from now (90m, 12h, 7d). FILE holds a PEM private key: PKCS #1 RSA,
PKCS #8 RSA or ECDSA P-256, or SEC 1 EC. A URL signature uses a canned policy
unless --not-before, --ip or --resource ask for a custom one; cookies always
carry a custom policy (CloudFront-Policy) unless --policy-type canned.

Flags:
`

// cmdSign implements "openfront sign url|cookies".
func cmdSign(args []string) error {
	return runSign(args, os.Stdout, os.Stderr, time.Now())
}

type signFlags struct {
	keyID, keyFile, expires, policyFile, notBefore, ip, resource, policyType, hash string
	cookiePath, cookieDomain                                                       string
	asJSON                                                                         bool
}

func runSign(args []string, stdout, stderr io.Writer, now time.Time) error {
	if len(args) == 0 || (args[0] != "url" && args[0] != "cookies") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, signUsage)
			return flag.ErrHelp
		}
		fmt.Fprint(stderr, signUsage)
		return errUsage
	}
	kind := args[0]
	var f signFlags
	fs := flag.NewFlagSet("sign "+kind, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), signUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&f.keyID, "key-pair-id", "", "ID of the CloudFront public key (K…) or legacy key pair (APKA…)")
	fs.StringVar(&f.keyFile, "private-key", "", "PEM file of the private key")
	fs.StringVar(&f.expires, "expires", "", "TIME the signature stops working (DateLessThan)")
	fs.StringVar(&f.policyFile, "policy", "", "file holding the exact custom policy JSON to sign, instead of the policy flags")
	fs.StringVar(&f.notBefore, "not-before", "", "TIME the signature starts working (DateGreaterThan); makes the policy custom")
	fs.StringVar(&f.ip, "ip", "", "IPv4 address or CIDR the viewer must come from (IpAddress); makes the policy custom")
	fs.StringVar(&f.resource, "resource", "", "URL pattern the policy covers, with * and ? wildcards (default: URL); makes the policy custom")
	fs.StringVar(&f.policyType, "policy-type", "auto", "auto, canned or custom")
	fs.StringVar(&f.hash, "hash", "sha1", "sha1 or sha256 (sha256 adds Hash-Algorithm=SHA256)")
	fs.BoolVar(&f.asJSON, "json", false, "print JSON instead of text")
	if kind == "cookies" {
		fs.StringVar(&f.cookiePath, "cookie-path", "/", "Path attribute of the cookies")
		fs.StringVar(&f.cookieDomain, "cookie-domain", "", "Domain attribute of the cookies (default: none, the host only)")
	}
	positional, err := signParseArgs(fs, args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if len(positional) != 1 {
		fmt.Fprintf(stderr, "openfront sign %s: want exactly one URL, got %d arguments\n", kind, len(positional))
		return errUsage
	}
	target := positional[0]

	policy, hash, err := f.policy(now)
	if err != nil {
		return err
	}
	key, err := signLoadKey(f.keyFile)
	if err != nil {
		return err
	}
	if kind == "url" {
		if f.policyType == "auto" {
			policy.Canned = policy.Raw == nil && policy.IPAddress == "" && policy.DateGreaterThan.IsZero() && policy.Resource == ""
		}
		signed, err := signedurl.SignURL(target, f.keyID, key, policy, hash)
		if err != nil {
			return err
		}
		return signPrint(stdout, f.asJSON, map[string]string{"url": signed}, signed)
	}
	cookies, err := signedurl.SignCookies(target, f.keyID, key, policy, hash)
	if err != nil {
		return err
	}
	type jsonCookie struct {
		Name      string `json:"name"`
		Value     string `json:"value"`
		SetCookie string `json:"set_cookie"`
	}
	var lines []string
	var out []jsonCookie
	for _, c := range cookies {
		c.Path, c.Domain = f.cookiePath, f.cookieDomain
		c.Secure = strings.HasPrefix(strings.ToLower(target), "https:")
		lines = append(lines, "Set-Cookie: "+c.String())
		out = append(out, jsonCookie{c.Name, c.Value, c.String()})
	}
	return signPrint(stdout, f.asJSON, map[string]any{"cookies": out}, strings.Join(lines, "\n"))
}

// policy turns the flags into a signedurl.Policy and hash.
func (f *signFlags) policy(now time.Time) (signedurl.Policy, crypto.Hash, error) {
	var p signedurl.Policy
	var hash crypto.Hash
	switch strings.ToLower(f.hash) {
	case "sha1":
		hash = crypto.SHA1
	case "sha256":
		hash = crypto.SHA256
	default:
		return p, 0, fmt.Errorf("--hash %q: want sha1 or sha256", f.hash)
	}
	switch {
	case f.keyID == "":
		return p, 0, errors.New("--key-pair-id is required")
	case f.keyFile == "":
		return p, 0, errors.New("--private-key is required")
	case f.policyType != "auto" && f.policyType != "canned" && f.policyType != "custom":
		return p, 0, fmt.Errorf("--policy-type %q: want auto, canned or custom", f.policyType)
	}
	if f.policyFile != "" {
		if f.expires != "" || f.notBefore != "" || f.ip != "" || f.resource != "" || f.policyType == "canned" {
			return p, 0, errors.New("--policy cannot be combined with --expires, --not-before, --ip, --resource or --policy-type canned")
		}
		raw, err := os.ReadFile(f.policyFile)
		if err != nil {
			return p, 0, fmt.Errorf("--policy: %w", err)
		}
		// Decision: the file is signed byte for byte, whitespace included;
		// CloudFront verifies the exact bytes, so nothing is reformatted.
		p.Raw = raw
		return p, hash, nil
	}
	if f.expires == "" {
		return p, 0, errors.New("--expires or --policy is required")
	}
	var err error
	if p.DateLessThan, err = signParseTime(f.expires, now); err != nil {
		return p, 0, fmt.Errorf("--expires: %w", err)
	}
	if f.notBefore != "" {
		if p.DateGreaterThan, err = signParseTime(f.notBefore, now); err != nil {
			return p, 0, fmt.Errorf("--not-before: %w", err)
		}
	}
	p.IPAddress, p.Resource = f.ip, f.resource
	p.Canned = f.policyType == "canned"
	return p, hash, nil
}

// signParseArgs parses flags placed before and after the positional
// arguments (the flag package stops at the first positional one).
func signParseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional, args = append(positional, args[0]), args[1:]
	}
}

// signParseTime reads RFC 3339, Unix seconds, or a duration from now (Go
// syntax, plus whole days as "7d").
func signParseTime(s string, now time.Time) (time.Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil {
			return now.Add(time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q: want RFC 3339 (2026-01-02T15:04:05Z), Unix seconds or a duration like 1h", s)
}

// signLoadKey reads a PEM private key. Errors never quote the file's content.
func signLoadKey(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--private-key: %w", err)
	}
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, fmt.Errorf("--private-key %s: no private key found (want a PEM RSA PRIVATE KEY, PRIVATE KEY or EC PRIVATE KEY)", path)
		}
		if block.Headers["Proc-Type"] == "4,ENCRYPTED" || block.Type == "ENCRYPTED PRIVATE KEY" {
			return nil, fmt.Errorf("--private-key %s: the key is encrypted; decrypt it first (openssl pkey -in FILE -out PLAIN)", path)
		}
		var key any
		switch block.Type {
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		default:
			continue // EC PARAMETERS, certificates and the like
		}
		if err != nil {
			return nil, fmt.Errorf("--private-key %s: %s block: %w", path, block.Type, err)
		}
		switch k := key.(type) {
		case *rsa.PrivateKey:
			return k, nil
		case *ecdsa.PrivateKey:
			return k, nil
		}
		return nil, fmt.Errorf("--private-key %s: %T keys cannot sign for CloudFront (want RSA or ECDSA P-256)", path, key)
	}
}

func signPrint(w io.Writer, asJSON bool, v any, text string) error {
	if asJSON {
		e := json.NewEncoder(w)
		e.SetEscapeHTML(false)
		return e.Encode(v)
	}
	_, err := fmt.Fprintln(w, text)
	return err
}
