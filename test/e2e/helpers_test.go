package e2e

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// edge is a running openfront serve process.
type edge struct {
	cmd                              *exec.Cmd
	Dir, ConfigDir, LogDir, StateDir string
	HTTP, HTTPS, Admin               string // bound addresses, from /status
	stderr                           *output
	exited                           chan struct{}
	exitErr                          error
	stopOnce                         sync.Once

	clientsMu sync.Mutex
	clients   map[string]*http.Client
}

// output collects a process's output and wakes waiters on every write.
type output struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newOutput() *output { return &output{changed: make(chan struct{}, 1)} }

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	o.buf.Write(p)
	o.mu.Unlock()
	select {
	case o.changed <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// writeDocs writes each document as indented JSON (or raw bytes) under dir.
func writeDocs(t *testing.T, dir string, docs map[string]any) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, doc := range docs {
		b, ok := doc.([]byte)
		if !ok {
			var err error
			if b, err = json.MarshalIndent(doc, "", "  "); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var adminLine = regexp.MustCompile(`level=INFO msg=listening listener=admin addr=(\S+)`)

// startEdge writes docs (file name → document) to a new config folder and
// starts openfront serve on ports the OS chooses. The process is stopped
// with SIGTERM at the end of the test, which also checks that it exits 0
// and never printed a panic.
func startEdge(t *testing.T, docs map[string]any, extra ...string) *edge {
	t.Helper()
	dir := t.TempDir()
	e := &edge{
		Dir: dir, ConfigDir: filepath.Join(dir, "config"), LogDir: filepath.Join(dir, "logs"),
		StateDir: filepath.Join(dir, "state"), stderr: newOutput(), exited: make(chan struct{}),
		clients: map[string]*http.Client{},
	}
	writeDocs(t, e.ConfigDir, docs)
	args := append([]string{"serve", "--config", e.ConfigDir,
		"--http", "127.0.0.1:0", "--https", "127.0.0.1:0", "--admin", "127.0.0.1:0",
		"--log-dir", e.LogDir, "--state-dir", e.StateDir, "--self-signed", "--pop", "TST1-P1"}, extra...)
	e.cmd = exec.Command(binary, args...)
	e.cmd.Stdout, e.cmd.Stderr = e.stderr, e.stderr
	if err := e.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { e.exitErr = e.cmd.Wait(); close(e.exited) }()
	t.Cleanup(func() { e.stop(t, 15*time.Second) })

	deadline := time.After(30 * time.Second)
	for e.Admin == "" {
		if m := adminLine.FindStringSubmatch(e.stderr.String()); m != nil {
			e.Admin = m[1]
			break
		}
		select {
		case <-e.stderr.changed:
		case <-e.exited:
			t.Fatalf("openfront serve exited before listening: %v\nstderr:\n%s", e.exitErr, e.stderr)
		case <-deadline:
			t.Fatalf("no admin listening line on stderr within 30s; stderr:\n%s", e.stderr)
		}
	}
	st := e.status(t)
	e.HTTP, e.HTTPS = st.Listeners["http"], st.Listeners["https"]
	if e.HTTP == "" || e.HTTPS == "" || st.Listeners["admin"] != e.Admin {
		t.Fatalf("/status listeners = %v, want http, https and admin %s", st.Listeners, e.Admin)
	}
	return e
}

// stop sends SIGTERM and waits for the process; it fails the test if the
// process does not exit 0 in time or printed a panic.
func (e *edge) stop(t *testing.T, timeout time.Duration) {
	e.stopOnce.Do(func() {
		e.closeClients()
		e.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-e.exited:
		case <-time.After(timeout):
			e.cmd.Process.Kill()
			<-e.exited
			t.Errorf("openfront did not exit within %v of SIGTERM", timeout)
		}
		if e.exitErr != nil {
			t.Errorf("openfront exit: %v, want status 0; stderr:\n%s", e.exitErr, e.stderr)
		}
		if s := e.stderr.String(); strings.Contains(strings.ToLower(s), "panic") {
			t.Errorf("openfront stderr mentions a panic:\n%s", s)
		}
	})
}

// status is the admin /status document.
type status struct {
	Distributions []struct {
		ID      string   `json:"id"`
		Domain  string   `json:"domain"`
		Enabled bool     `json:"enabled"`
		Aliases []string `json:"aliases"`
	} `json:"distributions"`
	Files      []string          `json:"files"`
	Warnings   []string          `json:"warnings"`
	LastReload time.Time         `json:"last_reload"`
	LastErrors []string          `json:"last_reload_errors"`
	Listeners  map[string]string `json:"listeners"`
}

func (e *edge) status(t *testing.T) status {
	t.Helper()
	resp, err := http.Get("http://" + e.Admin + "/status")
	if err != nil {
		t.Fatalf("GET /status: %v", err)
	}
	defer resp.Body.Close()
	var st status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatalf("decoding /status: %v", err)
	}
	return st
}

// alive reports whether the process still runs and answers /healthz.
func (e *edge) alive() error {
	select {
	case <-e.exited:
		return errors.New("openfront exited: " + e.stderr.String())
	default:
	}
	resp, err := http.Get("http://" + e.Admin + "/healthz")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return errors.New("/healthz: " + resp.Status)
	}
	return nil
}

// waitFor polls cond every 20 ms until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		<-tick.C
	}
}

// caPool is the local CA the edge minted its certificates from.
func (e *edge) caPool(t *testing.T) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(e.StateDir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("ca.pem holds no certificate")
	}
	return pool
}
