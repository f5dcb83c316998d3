package e2e

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestShutdownUnderLoad: SIGTERM while workers send requests drains them,
// exits 0 within the drain timeout, and leaves exactly one log line per
// response a viewer received — no more, no fewer.
func TestShutdownUnderLoad(t *testing.T) {
	t.Parallel()
	// Some origin latency, so that requests are in flight at SIGTERM.
	o := newOrigin(t, "app", func(w http.ResponseWriter, r *http.Request) {
		<-time.After(5 * time.Millisecond)
		w.Write([]byte("ok"))
	})
	const id = "ESTOP1"
	host := defaultDomain(id)
	e := startEdge(t, docs1(id, simpleDist(o)), "--drain-timeout", "5s")
	var responses, attempts atomic.Int64
	e.client(t, "h2") // made here: a worker goroutine may not fail the test
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-e.exited:
					return
				default:
				}
				attempts.Add(1)
				proto := []string{"http", "h2"}[w%2]
				if _, err := e.try(t, request{Proto: proto, Host: host, Target: fmt.Sprintf("/stop/%d/%d", w, i)}); err == nil {
					responses.Add(1)
				}
			}
		}()
	}
	waitFor(t, 20*time.Second, "some traffic", func() bool { return responses.Load() >= 300 })
	sent := time.Now()
	e.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-e.exited:
	case <-time.After(5*time.Second + 3*time.Second):
		t.Fatalf("openfront still running %v after SIGTERM with --drain-timeout 5s", time.Since(sent))
	}
	took := time.Since(sent)
	wg.Wait()
	if e.exitErr != nil {
		t.Fatalf("exit after SIGTERM: %v, want status 0; stderr:\n%s", e.exitErr, e.stderr)
	}
	lines := countLogLines(t, e.LogDir)
	if got := int64(lines); got != responses.Load() {
		t.Errorf("log lines after exit: got %d, want %d (one per response received; %d attempts)", got, responses.Load(), attempts.Load())
	}
	t.Logf("exited %v after SIGTERM; %d responses, %d attempts, %d log lines", took, responses.Load(), attempts.Load(), lines)
}

// TestShutdownDrains: a request in flight at SIGTERM is answered and
// logged while new connections are refused; one that outlives
// --drain-timeout does not hold the process.
func TestShutdownDrains(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		release bool // let the origin answer once the edge is shutting down
	}{
		{"in flight", true},
		{"past the drain timeout", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			o := newOrigin(t, "slow", func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-release:
					w.Write([]byte("done"))
				case <-r.Context().Done():
				}
			})
			id := "EDRAIN" + map[bool]string{true: "A", false: "B"}[tc.release]
			e := startEdge(t, docs1(id, simpleDist(o)), "--drain-timeout", "1s")
			type result struct {
				r   *response
				err error
			}
			done := make(chan result, 1)
			before := o.arrivals.Load()
			go func() {
				r, err := e.try(t, request{Host: defaultDomain(id), Target: "/slow-" + id})
				done <- result{r, err}
			}()
			waitFor(t, 10*time.Second, "the request to reach the origin", func() bool { return o.arrivals.Load() > before })
			sent := time.Now()
			e.cmd.Process.Signal(syscall.SIGTERM)
			waitFor(t, 10*time.Second, "the edge to start shutting down", func() bool {
				return strings.Contains(e.stderr.String(), "shutting down")
			})
			waitFor(t, 10*time.Second, "new connections to be refused", func() bool {
				c, err := net.Dial("tcp", e.HTTP)
				if err == nil {
					c.Close()
				}
				return err != nil
			})
			if tc.release {
				close(release)
				res := <-done
				if res.err != nil || res.r.Status != 200 || string(res.r.Body) != "done" {
					t.Fatalf("in-flight request: %v, want 200 done", res.err)
				}
			}
			select {
			case <-e.exited:
			case <-time.After(5 * time.Second):
				t.Fatalf("still running %v after SIGTERM with --drain-timeout 1s", time.Since(sent))
			}
			took := time.Since(sent)
			if !tc.release && took < time.Second {
				t.Errorf("exited %v after SIGTERM with a request in flight, want it to wait the 1s drain timeout", took)
			}
			if e.exitErr != nil {
				t.Errorf("exit: %v, want status 0", e.exitErr)
			}
			if tc.release {
				lines := 0
				for _, l := range e.logs(t, id+".*.gz") {
					if l["cs-uri-stem"] == "/slow-"+id && l["sc-status"] == "200" {
						lines++
					}
				}
				if lines != 1 {
					t.Errorf("log lines for the drained request: got %d, want 1", lines)
				}
			}
		})
	}
}
