package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/goccy/go-yaml"

	"github.com/openfront-edge/openfront/internal/edge"
	"github.com/openfront-edge/openfront/internal/geo"
	"github.com/openfront-edge/openfront/internal/origin"
	"github.com/openfront-edge/openfront/internal/resource"
	"github.com/openfront-edge/openfront/internal/tlsca"
	"github.com/openfront-edge/openfront/internal/waf"
)

// settings are the edge's own settings: not part of CloudFront's model.
// Each is a flag, mirrored by a key of the same name in the --settings file.
type settings struct {
	configs        listFlag
	settingsFile   string
	http, https    string
	admin          string
	logDir         string
	logFormat      string
	pop            string
	domain         string
	trustedProxies listFlag
	certs          listFlag
	selfSigned     bool
	stateDir       string
	originCAs      listFlag
	signerKeys     listFlag
	geoip          string
	asnDB          string
	wafSkipGroups  listFlag
	wafLogDir      string
	wafAllowRate   float64
	cacheSize      byteSize
	drain          time.Duration
	s3Endpoint     string
	s3Website      string
	s3Buckets      listFlag
	logDirSet      bool

	// asn is the --asn-db database, opened once (openASN) and kept across
	// reloads; nil without the flag.
	asn *geo.ASNDB

	// credentials are loaded from the AWS SDK's default chain the first
	// time a configuration signs an origin, then kept across reloads; the
	// SDK's credential cache refreshes them.
	credsOnce sync.Once
	creds     aws.CredentialsProvider
	credsErr  error
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func defaultStateDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "openfront")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "state", "openfront")
	}
	return ".openfront"
}

func (s *settings) register(fs *flag.FlagSet, serving bool) {
	fs.Var(&s.configs, "config", "file or folder of AWS-shaped JSON/YAML documents (repeatable)")
	fs.StringVar(&s.settingsFile, "settings", "", "YAML file with these settings (flags given on the command line win)")
	fs.StringVar(&s.domain, "domain", "cloudfront.localhost", "default-domain suffix: a distribution answers at <id in lowercase>.SUFFIX")
	fs.Var(&s.certs, "cert", "ARN=CERT.pem,KEY.pem: the files for a ViewerCertificate's ACMCertificateArn or IAMCertificateId (repeatable)")
	fs.BoolVar(&s.selfSigned, "self-signed", false, "mint certificates for every distribution from a local CA kept in --state-dir")
	fs.StringVar(&s.stateDir, "state-dir", defaultStateDir(), "folder for the local CA and other state")
	fs.StringVar(&s.s3Endpoint, "s3-endpoint", "", "URL of an S3-compatible server that origins at S3 REST endpoints (BUCKET.s3.REGION.amazonaws.com) are sent to instead: http://127.0.0.1:9000 path-style (/BUCKET/KEY), http://*.s3.local:9000 virtual-host style (Host BUCKET.s3.local:9000)")
	fs.StringVar(&s.s3Website, "s3-website-endpoint", "", "URL of an S3-compatible website server that origins at S3 website endpoints (BUCKET.s3-website-REGION.amazonaws.com) are sent to instead, with that domain as Host")
	fs.Var(&s.s3Buckets, "s3-bucket-endpoint", "BUCKET=URL: that bucket's REST and website origins go to URL (forms as --s3-endpoint), before --s3-endpoint and --s3-website-endpoint (repeatable)")
	fs.Var(&s.signerKeys, "trusted-signer-key", "KEY_PAIR_ID=PUBLIC.pem: a legacy CloudFront key pair's public key, for behaviors with TrustedSigners (repeatable)")
	fs.Var(&s.wafSkipGroups, "waf-skip-managed-group", "NAME or VENDOR/NAME: run web ACLs without their rules that use this managed rule group, with a warning, instead of refusing a group this edge does not emulate (repeatable)")
	fs.StringVar(&s.asnDB, "asn-db", "", "MaxMind-format ASN database (.mmdb: GeoLite2-ASN, DB-IP ASN, IPinfo) for AWS WAF AsnMatchStatements, reloaded when it changes; without it a web ACL using one is refused")
	if !serving {
		return
	}
	fs.StringVar(&s.http, "http", ":8080", "HTTP listener address (empty to disable)")
	fs.StringVar(&s.https, "https", ":8443", "HTTPS listener address (empty to disable)")
	fs.StringVar(&s.admin, "admin", "127.0.0.1:9901", "admin listener: /healthz, /status, /metrics (empty to disable)")
	fs.StringVar(&s.logDir, "log-dir", "./logs", "folder for standard access logs")
	fs.StringVar(&s.logFormat, "log-format", "w3c", "access log format: w3c (CloudFront's) or json")
	fs.StringVar(&s.pop, "pop", "LOC1-P1", "edge location code (X-Amz-Cf-Pop, x-edge-location)")
	fs.Var(&s.trustedProxies, "trusted-proxy", "CIDR of a proxy whose X-Forwarded-For is believed for the viewer address (repeatable)")
	fs.Var(&s.originCAs, "origin-ca", "PEM file of CA certificates trusted for HTTPS origins, besides the system's (repeatable)")
	fs.DurationVar(&s.drain, "drain-timeout", 10*time.Second, "how long shutdown waits for requests in flight")
	s.cacheSize = 256 << 20
	fs.Var(&s.cacheSize, "cache-size", "memory for cached objects, as behaviors' TTLs allow (a size in bytes, KiB, MiB or GiB; 0 caches nothing); objects above a sixteenth of it (at most 64MiB) pass uncached")
	fs.StringVar(&s.wafLogDir, "waf-log-dir", "", "folder for AWS WAF log records (JSON lines, gzip, hourly), one file set per web ACL")
	fs.Float64Var(&s.wafAllowRate, "waf-log-allow-rate", 1, "share of ALLOW records written to the WAF log (BLOCK, COUNT, CAPTCHA and CHALLENGE are always written)")
	fs.StringVar(&s.geoip, "geoip", "", "MaxMind-format country or city database (.mmdb: GeoLite2/GeoIP2, DB-IP, IPinfo), reloaded when it changes; default: the embedded IP2Location LITE data")
}

// parse parses flags, then fills the ones not given from the settings file.
func (s *settings) parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if s.settingsFile != "" {
		data, err := os.ReadFile(s.settingsFile)
		if err != nil {
			return fmt.Errorf("settings: %w", err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(data, &m); err != nil {
			return fmt.Errorf("%s: %v", s.settingsFile, err)
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			f := fs.Lookup(k)
			if f == nil || k == "settings" {
				return fmt.Errorf("%s: %s: unknown setting", s.settingsFile, k)
			}
			if given[k] {
				continue
			}
			vals := []any{m[k]}
			if l, ok := m[k].([]any); ok {
				vals = l
			}
			for _, v := range vals {
				if err := f.Value.Set(fmt.Sprint(v)); err != nil {
					return fmt.Errorf("%s: %s: %v", s.settingsFile, k, err)
				}
			}
			given[k] = true
		}
	}
	s.logDirSet = given["log-dir"]
	return nil
}

// loaded is a configuration read, validated and compiled.
type loaded struct {
	set      *resource.Set
	warnings []string
	snap     *edge.Snapshot
}

// certificates loads every --cert pair, keyed by ARN or IAM id.
func (s *settings) certificates() (map[string]*tls.Certificate, map[string][]string, error) {
	certs, names := map[string]*tls.Certificate{}, map[string][]string{}
	for _, c := range s.certs {
		arn, files, ok := strings.Cut(c, "=")
		certFile, keyFile, ok2 := strings.Cut(files, ",")
		if !ok || !ok2 || arn == "" {
			return nil, nil, fmt.Errorf("--cert %q: want ARN=CERT.pem,KEY.pem", c)
		}
		cert, n, err := tlsca.LoadPair(certFile, keyFile)
		if err != nil {
			return nil, nil, fmt.Errorf("--cert %s: %w", arn, err)
		}
		certs[arn], names[arn] = cert, n
	}
	return certs, names, nil
}

// trustedSignerKeys reads every --trusted-signer-key file.
func (s *settings) trustedSignerKeys() (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range s.signerKeys {
		id, file, ok := strings.Cut(kv, "=")
		if !ok || id == "" || file == "" {
			return nil, fmt.Errorf("--trusted-signer-key %q: want KEY_PAIR_ID=PUBLIC.pem", kv)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--trusted-signer-key %s: %w", id, err)
		}
		out[id] = string(b)
	}
	return out, nil
}

func (s *settings) trusted() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, c := range s.trustedProxies {
		p, err := netip.ParsePrefix(c)
		if err != nil {
			a, err2 := netip.ParseAddr(c)
			if err2 != nil {
				return nil, fmt.Errorf("--trusted-proxy %q: %v", c, err)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// s3Endpoints parses --s3-endpoint, --s3-website-endpoint and every
// --s3-bucket-endpoint into o.
func (s *settings) s3Endpoints(o *origin.Options) error {
	var err error
	for _, f := range []struct {
		name, value string
		dst         **origin.Endpoint
	}{{"--s3-endpoint", s.s3Endpoint, &o.S3Endpoint}, {"--s3-website-endpoint", s.s3Website, &o.S3WebsiteEndpoint}} {
		if f.value == "" {
			continue
		}
		if *f.dst, err = origin.ParseEndpoint(f.value); err != nil {
			return fmt.Errorf("%s %w", f.name, err)
		}
	}
	for _, kv := range s.s3Buckets {
		bucket, u, ok := strings.Cut(kv, "=")
		if !ok || bucket == "" || strings.ContainsAny(bucket, "/: ") {
			return fmt.Errorf("--s3-bucket-endpoint: want BUCKET=URL, got a value without a bucket name")
		}
		ep, err := origin.ParseEndpoint(u)
		if err != nil {
			return fmt.Errorf("--s3-bucket-endpoint %s=%w", bucket, err)
		}
		if o.S3Buckets == nil {
			o.S3Buckets = map[string]*origin.Endpoint{}
		}
		if o.S3Buckets[bucket] != nil {
			return fmt.Errorf("--s3-bucket-endpoint %s: given twice", bucket)
		}
		o.S3Buckets[bucket] = ep
	}
	return nil
}

// awsCredentials loads the SDK's default credential chain (environment,
// shared credentials and config files, profiles, SSO, web identity,
// container and instance roles) once. Nothing is fetched here; the
// provider is an aws.CredentialsCache that retrieves on first use and
// refreshes before expiry.
func (s *settings) awsCredentials() (aws.CredentialsProvider, error) {
	s.credsOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			s.credsErr = fmt.Errorf("loading the AWS configuration for origin access control: %w", err)
			return
		}
		s.creds = cfg.Credentials
	})
	return s.creds, s.credsErr
}

func (s *settings) originOptions(set *resource.Set) (origin.Options, error) {
	var o origin.Options
	if err := s.s3Endpoints(&o); err != nil {
		return origin.Options{}, err
	}
	if set.SignsOrigins() {
		var err error
		if o.Credentials, err = s.awsCredentials(); err != nil {
			return origin.Options{}, err
		}
	}
	if len(s.originCAs) == 0 {
		return o, nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	for _, f := range s.originCAs {
		b, err := os.ReadFile(f)
		if err != nil {
			return origin.Options{}, fmt.Errorf("--origin-ca: %w", err)
		}
		if !pool.AppendCertsFromPEM(b) {
			return origin.Options{}, fmt.Errorf("--origin-ca %s: no PEM certificates", f)
		}
	}
	o.RootCAs = pool
	return o, nil
}

// load reads, validates and compiles the configuration: the one code path
// shared by serve, reload and validate.
func (s *settings) load(srv *edge.Server, ca *tlsca.CA) (*loaded, error) {
	set, loadErr := resource.Load(s.configs)
	if set == nil {
		return nil, loadErr
	}
	certs, names, err := s.certificates()
	if err != nil {
		return nil, errors.Join(loadErr, err)
	}
	signers, err := s.trustedSignerKeys()
	if err != nil {
		return nil, errors.Join(loadErr, err)
	}
	// Validate what decoded even when some files did not: every error at once.
	warnings, err := resource.Validate(set, resource.Options{Certificates: names, SelfSigned: s.selfSigned,
		DomainSuffix: s.domain, TrustedSignerKeys: signers})
	if err = errors.Join(loadErr, err); err != nil {
		return nil, err
	}
	oo, err := s.originOptions(set)
	if err != nil {
		return nil, err
	}
	co := edge.CompileOptions{DomainSuffix: s.domain, LogAll: s.logDirSet, Origins: oo, TrustedSignerKeys: signers}
	if s.asn != nil {
		co.WAF = append(co.WAF, waf.WithASNDatabase(s.asn))
	}
	if len(s.wafSkipGroups) > 0 {
		co.WAF = append(co.WAF, waf.WithSkippedManagedGroups(s.wafSkipGroups...))
	}
	co.Certificate = func(d *resource.Distribution) (aliases, defaults *tls.Certificate, err error) {
		if ca == nil {
			return nil, nil, nil
		}
		names := []string{resource.DefaultDomain(d.ID, s.domain)}
		if d.DomainName != "" {
			names = append(names, d.DomainName)
		}
		if s.selfSigned {
			names = append(names, resource.Aliases(d.Config)...)
		}
		if defaults, err = ca.Mint(names); err != nil {
			return nil, nil, err
		}
		if s.selfSigned {
			return defaults, defaults, nil
		}
		if vc := d.Config.ViewerCertificate; vc != nil {
			for _, ref := range []*string{vc.ACMCertificateArn, vc.IAMCertificateId} {
				if ref != nil && certs[*ref] != nil {
					return certs[*ref], defaults, nil
				}
			}
		}
		return nil, defaults, nil
	}
	if srv != nil {
		co = srv.CompileOptions(co)
	}
	snap, err := edge.Compile(set, warnings, co)
	if err != nil {
		return nil, err
	}
	return &loaded{set: set, warnings: snap.Warnings, snap: snap}, nil
}

func portOf(addr string) int {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(p)
	return n
}

// openASN opens --asn-db, once; the caller closes s.asn.
func (s *settings) openASN(logger *slog.Logger) error {
	if s.asnDB == "" || s.asn != nil {
		return nil
	}
	db, err := geo.OpenASN(s.asnDB, logger)
	if err != nil {
		return fmt.Errorf("--asn-db: %w", err)
	}
	s.asn = db
	return nil
}

// byteSize is a size flag: bytes, or a number with KiB, MiB or GiB.
type byteSize int64

func (b *byteSize) String() string {
	if b == nil {
		return "0"
	}
	n := int64(*b)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.mult && n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

func (b *byteSize) Set(v string) error {
	v = strings.TrimSpace(v)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"B", 1}} {
		if n, ok := strings.CutSuffix(v, u.suffix); ok {
			v, mult = strings.TrimSpace(n), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return fmt.Errorf("%q: want a size such as 256MiB, 1GiB or 0", v)
	}
	*b = byteSize(n * mult)
	return nil
}
