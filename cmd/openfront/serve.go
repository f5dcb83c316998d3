package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	proxyproto "github.com/pires/go-proxyproto"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/openfront-edge/openfront/internal/accesslog"
	"github.com/openfront-edge/openfront/internal/clienthello"
	"github.com/openfront-edge/openfront/internal/edge"
	"github.com/openfront-edge/openfront/internal/geo"
	"github.com/openfront-edge/openfront/internal/tlsca"
)

func cmdServe(args []string) error {
	var s settings
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: openfront serve --config PATH [flags]\n\n"+
			"Serves the distributions in PATH (AWS CLI JSON or YAML: get-distribution, get-distribution-config, …).\n"+
			"Reloads on SIGHUP and when a file under --config changes; a bad new configuration is refused and the old one keeps serving.\n\n")
		fs.PrintDefaults()
	}
	s.register(fs, true)
	if err := s.parse(fs, args); err != nil {
		return err
	}
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	e, err := start(ctx, &s, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err != nil {
		return err
	}
	<-ctx.Done()
	return e.shutdown()
}

// tuneGC trades memory the edge has for CPU it lacks: a proxy allocates
// short-lived garbage per request, so collect less often (GOGC 400), under a
// soft memory limit that keeps RSS bounded. GOGC and GOMEMLIMIT in the
// environment win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(96 << 20)
	}
}

// running is a started edge: listeners, reloader and log writer.
type running struct {
	s         *settings
	logger    *slog.Logger
	srv       *edge.Server
	ca        *tlsca.CA
	log       *accesslog.Writer
	wafLog    *accesslog.Writer
	servers   []*http.Server
	addrs     map[string]string // "http", "https", "admin" → bound address
	mu        sync.Mutex
	reloadAt  time.Time
	reloadErr error
	current   *loaded
	wg        sync.WaitGroup
	cancel    context.CancelFunc
	closeGeo  func() error
	hup       chan os.Signal
	fp        string // fingerprint of the config files before the first load
}

// locator opens --geoip, or warms the embedded database.
func (s *settings) locator(logger *slog.Logger) (geo.Locator, func() error, error) {
	if s.geoip == "" {
		db := geo.Embedded()
		db.Warm()
		return db, func() error { return nil }, nil
	}
	db, err := geo.OpenMMDB(s.geoip, logger)
	if err != nil {
		return nil, nil, fmt.Errorf("--geoip: %w", err)
	}
	return db, db.Close, nil
}

// start loads the configuration, opens the listeners and starts reloading.
// A bad configuration at start is an error.
func start(ctx context.Context, s *settings, logger *slog.Logger) (*running, error) {
	if len(s.configs) == 0 {
		return nil, errors.New("no configuration: pass --config FILE_OR_FOLDER (see openfront serve --help)")
	}
	trusted, err := s.trusted()
	if err != nil {
		return nil, err
	}
	// The local CA always signs the default-domain certificates; with
	// --self-signed it signs the aliases' too.
	ca, err := tlsca.LoadOrCreate(s.stateDir)
	if err != nil {
		return nil, err
	}
	e := &running{s: s, logger: logger, ca: ca, addrs: map[string]string{}}
	if err := e.open(trusted); err != nil {
		e.closeListeners()
		e.closeFiles()
		return nil, err
	}
	if s.selfSigned {
		logger.Info("certificates are minted by a local CA; trust it with curl --cacert", "ca", ca.CertPEM)
	}
	rctx, cancel := context.WithCancel(ctx)
	e.cancel = cancel
	e.wg.Add(1)
	go func() { defer e.wg.Done(); defer signal.Stop(e.hup); e.watch(rctx, e.hup, e.fp) }()
	return e, nil
}

// open opens the logs and the geo database, loads the configuration and
// binds the listeners. On error the caller closes what was opened.
func (e *running) open(trusted []netip.Prefix) error {
	s, logger := e.s, e.logger
	var err error
	if s.logDir != "" {
		if e.log, err = accesslog.NewWriter(accesslog.Options{Dir: s.logDir, Format: s.logFormat, Logger: logger}); err != nil {
			return fmt.Errorf("--log-dir: %w", err)
		}
	}
	if s.wafLogDir != "" {
		if e.wafLog, err = accesslog.NewWriter(accesslog.Options{Dir: s.wafLogDir, Format: accesslog.FormatJSON, Logger: logger}); err != nil {
			return fmt.Errorf("--waf-log-dir: %w", err)
		}
	}
	locator, closeGeo, err := s.locator(logger)
	if err != nil {
		return err
	}
	e.closeGeo = closeGeo
	if err := s.openASN(logger); err != nil {
		return err
	}
	// SIGHUP is caught from the start (never fatal), and the files are
	// fingerprinted before the first load so no change is missed.
	e.hup = make(chan os.Signal, 1)
	signal.Notify(e.hup, syscall.SIGHUP)
	e.fp = e.fingerprint()
	var cache *edge.Cache
	if s.cacheSize > 0 {
		cache = edge.NewCache(int64(s.cacheSize))
	}
	e.srv = edge.New(edge.Options{POP: s.pop, HTTPSPort: portOf(s.https), TrustedProxies: trusted, Logger: logger,
		Geo: locator, Log: e.log, WAFLog: e.wafLog, WAFAllowRate: s.wafAllowRate, Cache: cache})
	l, err := s.load(e.srv, e.ca)
	if err != nil {
		return err
	}
	for _, w := range l.warnings {
		logger.Warn(w)
	}
	e.current, e.reloadAt = l, time.Now()
	e.srv.Swap(l.snap)
	return e.listen()
}

// closeFiles closes the geo database and flushes and closes the logs.
func (e *running) closeFiles() {
	if e.hup != nil {
		signal.Stop(e.hup)
	}
	if e.closeGeo != nil {
		e.closeGeo()
	}
	if e.s.asn != nil {
		e.s.asn.Close()
	}
	for _, w := range []*accesslog.Writer{e.wafLog, e.log} {
		if w != nil {
			if err := w.Close(); err != nil {
				e.logger.Error("closing a log", "err", err)
			}
		}
	}
}

func (e *running) listen() error {
	h := e.srv
	srvFor := func(handler http.Handler) *http.Server {
		return &http.Server{
			Handler:           handler,
			ReadHeaderTimeout: 20 * time.Second,
			IdleTimeout:       60 * time.Second,
			// CloudFront's limits are enforced by the edge itself, with
			// its own answers; leave room above them.
			MaxHeaderBytes: 64 << 10,
			ErrorLog:       log.New(serverLog{e.logger}, "", 0),
		}
	}
	if a := e.s.http; a != "" {
		ln, err := e.viewerListener(a)
		if err != nil {
			return fmt.Errorf("--http: %w", err)
		}
		hs := srvFor(h)
		e.serve("http", hs, ln)
	}
	if a := e.s.https; a != "" {
		ln, err := e.viewerListener(a)
		if err != nil {
			return fmt.Errorf("--https: %w", err)
		}
		hs := srvFor(h)
		if _, p, err := net.SplitHostPort(ln.Addr().String()); err == nil {
			n, _ := strconv.Atoi(p)
			e.srv.SetHTTPSPort(n)
		}
		hs.TLSConfig = &tls.Config{
			MinVersion:     tls.VersionTLS12,
			NextProtos:     []string{"h2", "http/1.1"},
			GetCertificate: func(hi *tls.ClientHelloInfo) (*tls.Certificate, error) { return h.Certificate(hi.ServerName) },
		}
		// Below tls.Server (and above the PROXY protocol header), each
		// connection keeps its ClientHello for the JA3 and JA4 fingerprints
		// AWS WAF rules and logs use; its requests reach it through their
		// context.
		hs.ConnContext = clienthello.ConnContext
		e.serve("https", hs, tls.NewListener(clienthello.NewListener(ln), hs.TLSConfig))
	}
	if a := e.s.admin; a != "" {
		ln, err := net.Listen("tcp", a)
		if err != nil {
			return fmt.Errorf("--admin: %w", err)
		}
		e.serve("admin", srvFor(e.adminHandler()), ln)
	}
	return nil
}

// viewerListener listens for viewers. With --trusted-proxy, a connection
// from a trusted proxy may start with a PROXY protocol header (v1 or v2)
// whose source becomes the viewer's address; other peers' connections are
// passed through untouched, so nobody else can choose their own address.
func (e *running) viewerListener(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil || len(e.s.trustedProxies) == 0 {
		return ln, err
	}
	trusted, err := e.s.trusted()
	if err != nil {
		ln.Close()
		return nil, err
	}
	policy := func(o proxyproto.ConnPolicyOptions) (proxyproto.Policy, error) {
		if ap, err := netip.ParseAddrPort(o.Upstream.String()); err == nil {
			a := ap.Addr().Unmap()
			for _, p := range trusted {
				if p.Contains(a) {
					return proxyproto.USE, nil
				}
			}
		}
		return proxyproto.SKIP, nil
	}
	return &proxyproto.Listener{Listener: ln, ConnPolicy: policy, ReadHeaderTimeout: 5 * time.Second}, nil
}

// serverLog sends net/http's own messages to the logger: handler panics
// as errors, the routine ones (TLS handshakes of scanners, …) at debug.
type serverLog struct{ l *slog.Logger }

func (w serverLog) Write(p []byte) (int, error) {
	msg := strings.TrimSpace(string(p))
	if strings.Contains(msg, "panic") {
		w.l.Error(msg)
	} else {
		w.l.Debug(msg)
	}
	return len(p), nil
}

func (e *running) serve(name string, hs *http.Server, ln net.Listener) {
	e.addrs[name] = ln.Addr().String()
	e.servers = append(e.servers, hs)
	e.logger.Info("listening", "listener", name, "addr", ln.Addr().String())
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.logger.Error("listener stopped", "listener", name, "err", err)
		}
	}()
}

func (e *running) closeListeners() {
	for _, hs := range e.servers {
		hs.Close()
	}
}

// shutdown drains requests in flight (bounded by --drain-timeout), then
// closes the access log so every served request is in a valid .gz.
func (e *running) shutdown() error {
	e.logger.Info("shutting down", "drain_timeout", e.s.drain)
	if e.cancel != nil {
		e.cancel()
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.s.drain)
	defer cancel()
	var wg sync.WaitGroup
	for _, hs := range e.servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := hs.Shutdown(ctx); err != nil {
				hs.Close()
			}
		}()
	}
	wg.Wait()
	e.wg.Wait()
	e.closeFiles()
	return nil
}

// reload loads the configuration again and swaps it in atomically, or
// keeps the old one and records why.
func (e *running) reload(reason string) {
	l, err := e.s.load(e.srv, e.ca)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.reloadAt, e.reloadErr = time.Now(), err
	if err != nil {
		e.logger.Error("configuration refused; the previous one keeps serving", "reason", reason, "err", err)
		return
	}
	for _, w := range l.warnings {
		e.logger.Warn(w)
	}
	e.current = l
	e.srv.Swap(l.snap)
	e.logger.Info("configuration reloaded", "reason", reason, "distributions", len(l.set.Distributions))
}

// watch reloads on SIGHUP and when files under --config change (polled,
// debounced so an editor's several writes make one reload).
func (e *running) watch(ctx context.Context, hup <-chan os.Signal, last string) {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	var changedAt time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			// Fingerprint first: a change made while reloading is seen
			// as a change afterwards, not lost.
			last = e.fingerprint()
			e.reload("SIGHUP")
		case <-tick.C:
			fp := e.fingerprint()
			if fp != last {
				last, changedAt = fp, time.Now()
				continue
			}
			if !changedAt.IsZero() && time.Since(changedAt) >= 300*time.Millisecond {
				changedAt = time.Time{}
				last = e.fingerprint()
				e.reload("file change")
			}
		}
	}
}

// fingerprint summarises names, sizes and modification times of every
// file under --config.
func (e *running) fingerprint() string {
	var b []byte
	for _, root := range e.s.configs {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				b = append(b, p...)
				return nil
			}
			if info, err := d.Info(); err == nil && !d.IsDir() {
				b = fmt.Appendf(b, "%s|%d|%d\n", p, info.Size(), info.ModTime().UnixNano())
			}
			return nil
		})
	}
	return string(b)
}

func (e *running) adminHandler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(e.srv.Collector(), collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	e.registerInvalidations(mux)
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		cur, at, rerr := e.current, e.reloadAt, e.reloadErr
		e.mu.Unlock()
		st := struct {
			Distributions []edge.DistributionSummary `json:"distributions"`
			Files         []string                   `json:"files"`
			Warnings      []string                   `json:"warnings"`
			LastReload    time.Time                  `json:"last_reload"`
			LastError     []string                   `json:"last_reload_errors"`
			Listeners     map[string]string          `json:"listeners"`
			Version       string                     `json:"version"`
		}{cur.snap.Summaries(), cur.set.Files, cur.warnings, at, nil, e.addrs, version}
		if rerr != nil {
			for _, x := range splitErrors(rerr) {
				st.LastError = append(st.LastError, x.Error())
			}
		}
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(st)
	})
	return mux
}
