package e2e

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// statusInComment is a status the demo's comment announces ("…: 403 …").
var statusInComment = regexp.MustCompile(`: ([1-5][0-9][0-9])\b`)

// contentEncodingInComment is a coding the comment announces.
var contentEncodingInComment = regexp.MustCompile(`Content-Encoding: ([a-z]+)`)

// TestDemo: openfront demo starts on OS-chosen ports, prints curl lines
// that do what their comments say, and exits 0 on SIGINT.
func TestDemo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cmd := exec.Command(binary, "demo", "--http", "127.0.0.1:0", "--https", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--dir", dir)
	stdout, stderr := newOutput(), newOutput()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var exitErr error
	go func() { exitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	waitFor(t, 20*time.Second, "the demo to print its curl lines", func() bool {
		select {
		case <-exited:
			t.Fatalf("demo exited: %v\nstdout:\n%s\nstderr:\n%s", exitErr, stdout, stderr)
		default:
		}
		return strings.Contains(stdout.String(), "Press Ctrl-C to stop.")
	})

	// What the brief asks of the demo, plus what comments without a status
	// number promise; other lines are checked against "…: NNN" in their
	// comment.
	expect := []struct {
		about  string
		status int
		server string
	}{
		{"Served over HTTPS", 200, "demo-origin"},
		{"HTTP to a redirect-to-https behavior", 301, "CloudFront"},
		{"What the origin receives", 200, "demo-origin"},
		{"An origin that answers 403 itself", 403, "demo-origin"},
		{"A dead origin", 502, "CloudFront"},
		{"CustomErrorResponse page", 404, ""},
		{"The default domain", 200, "demo-origin"},
	}
	lines := strings.Split(stdout.String(), "\n")
	ran := map[string]bool{}
	for i := 1; i < len(lines); i++ {
		line, about := lines[i], strings.TrimPrefix(lines[i-1], "# ")
		if !strings.HasPrefix(line, "curl ") || !strings.HasPrefix(lines[i-1], "# ") {
			continue
		}
		rq, e, err := translateCurl(t, line)
		if err != nil {
			t.Errorf("cannot translate %q: %v", line, err)
			continue
		}
		t.Run(about, func(t *testing.T) {
			r := e.do(t, *rq)
			want, server := 0, ""
			if m := statusInComment.FindStringSubmatch(about); m != nil {
				want, _ = strconv.Atoi(m[1])
			}
			for _, x := range expect {
				if strings.Contains(about, x.about) {
					ran[x.about] = true
					want, server = x.status, x.server
				}
			}
			if want != 0 && r.Status != want {
				t.Errorf("%s: status got %d, want %d", line, r.Status, want)
			}
			if server != "" && r.Header.Get("Server") != server {
				t.Errorf("%s: Server got %q, want %q", line, r.Header.Get("Server"), server)
			}
			if m := contentEncodingInComment.FindStringSubmatch(about); m != nil && r.Header.Get("Content-Encoding") != m[1] {
				t.Errorf("%s: Content-Encoding got %q, want %q", line, r.Header.Get("Content-Encoding"), m[1])
			}
		})
	}
	for _, x := range expect {
		if !ran[x.about] {
			t.Errorf("the demo printed no curl line about %q", x.about)
		}
	}

	cmd.Process.Signal(os.Interrupt)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Fatal("demo still running 10s after SIGINT")
	}
	if exitErr != nil {
		t.Errorf("demo exit after SIGINT: %v, want status 0; stderr:\n%s", exitErr, stderr)
	}
	if strings.Contains(strings.ToLower(stderr.String()), "panic") {
		t.Errorf("demo stderr mentions a panic:\n%s", stderr)
	}
}

// shellWords splits a command line as a POSIX shell would for the simple
// quoting the demo prints: single and double quotes, no escapes.
func shellWords(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, c := range line {
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(c)
		case c == '\'' || c == '"':
			quote, inWord = c, true
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// translateCurl turns one of the demo's curl lines into a request and an
// edge handle that dials the address the line names.
func translateCurl(t *testing.T, line string) (*request, *edge, error) {
	words, err := shellWords(line)
	if err != nil {
		return nil, nil, err
	}
	rq := request{Header: http.Header{}}
	e := &edge{clients: map[string]*http.Client{}}
	t.Cleanup(e.closeClients)
	var target, resolve string
	for i := 1; i < len(words); i++ {
		w, next := words[i], ""
		if i+1 < len(words) {
			next = words[i+1]
		}
		switch w {
		case "-i", "-N", "-s":
		case "-o", "-D":
			i++ // where curl writes the body or the headers
		case "--compressed":
			// What curl built with Brotli sends (and decodes).
			rq.Header.Set("Accept-Encoding", "deflate, gzip, br, zstd")
		case "-H":
			k, v, _ := strings.Cut(next, ":")
			if v = strings.TrimSpace(v); strings.EqualFold(k, "Host") {
				rq.Host = v
			} else {
				rq.Header.Add(k, v)
			}
			i++
		case "-X":
			rq.Method = next
			i++
		case "-d":
			if rq.Method == "" {
				rq.Method = "POST"
			}
			rq.Body = strings.NewReader(next)
			rq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			i++
		case "--cacert":
			e.StateDir = filepath.Dir(next)
			i++
		case "--resolve":
			resolve = next
			i++
		default:
			if strings.HasPrefix(w, "-") || target != "" {
				return nil, nil, fmt.Errorf("unexpected %q", w)
			}
			target = w
		}
	}
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return nil, nil, fmt.Errorf("no URL")
	}
	rq.Target = u.RequestURI()
	switch u.Scheme {
	case "http":
		rq.Proto, e.HTTP = "http", u.Host
	case "https":
		parts := strings.Split(resolve, ":")
		if len(parts) != 3 || parts[0] != u.Hostname() {
			return nil, nil, fmt.Errorf("https without a matching --resolve")
		}
		rq.Proto, rq.Host, e.HTTPS = "https", u.Hostname(), net.JoinHostPort(parts[2], parts[1])
	default:
		return nil, nil, fmt.Errorf("scheme %q", u.Scheme)
	}
	return &rq, e, nil
}

// TestDemoRerun: the demo starts again in the folder an earlier run left
// (its S3 bucket included) and prints its curl lines.
func TestDemoRerun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for run := 1; run <= 2; run++ {
		cmd := exec.Command(binary, "demo", "--http", "127.0.0.1:0", "--https", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--dir", dir)
		stdout, stderr := newOutput(), newOutput()
		cmd.Stdout, cmd.Stderr = stdout, stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		waitFor(t, 20*time.Second, "the demo to print its curl lines", func() bool {
			select {
			case err := <-exited:
				t.Fatalf("run %d: demo exited: %v\nstderr:\n%s", run, err, stderr)
			default:
			}
			return strings.Contains(stdout.String(), "Press Ctrl-C to stop.")
		})
		cmd.Process.Signal(os.Interrupt)
		if err := <-exited; err != nil {
			t.Fatalf("run %d: exit after SIGINT: %v\nstderr:\n%s", run, err, stderr)
		}
	}
}
