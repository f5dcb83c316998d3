package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReloadKeepsLateChanges: a file changed while a SIGHUP reload is
// running must still be picked up afterwards; the watcher may not mark the
// change as seen when the reload did not read it.
//
// To change a file at a known point inside the reload, one config entry is
// a symbolic link (its own size and time never change) to a named pipe: the
// reload blocks reading it until the test writes, and the test's open for
// writing returns exactly when the reload opened it.
func TestReloadKeepsLateChanges(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "app", nil)
	other := configDoc(reloadDist(o, "/zz"))
	otherJSON, _ := json.Marshal(other)
	e := startEdge(t, docs1("ERACE1", reloadDist(o, "/race")))
	target := filepath.Join(e.Dir, "zz-target.json")
	if err := os.WriteFile(target, otherJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	// Named EZZ1.json so that it is read after ERACE1.json (files are sorted).
	if err := os.Symlink(target, filepath.Join(e.ConfigDir, "EZZ1.json")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the linked distribution to serve", func() bool {
		return e.servedBy(t, defaultDomain("EZZ1")) == "200 app GET /zz/probe"
	})

	// Swap the link's target for a pipe; the link itself does not change.
	fifo := filepath.Join(e.Dir, "zz-fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if err := os.Rename(fifo, target); err != nil {
		t.Fatal(err)
	}
	e.cmd.Process.Signal(syscall.SIGHUP)
	opened := make(chan *os.File, 1)
	go func() {
		f, err := os.OpenFile(target, os.O_WRONLY, 0) // returns once the reload opens the pipe
		if err != nil {
			t.Error(err)
		}
		opened <- f
	}()
	var pipe *os.File
	select {
	case pipe = <-opened:
	case <-time.After(10 * time.Second):
		t.Fatal("the SIGHUP reload never read the linked file")
	}
	// The reload is now past listing the folder: add a distribution.
	e.writeConfig(t, "ELATE1.json", configDoc(reloadDist(o, "/late")))
	pipe.Write(otherJSON)
	pipe.Close()
	// Later reloads read a regular file again (the link is unchanged).
	tmp := filepath.Join(e.Dir, "zz-regular.json")
	os.WriteFile(tmp, otherJSON, 0o644)
	if err := os.Rename(tmp, target); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the SIGHUP reload to finish", func() bool {
		return strings.Contains(e.stderr.String(), "reason=SIGHUP")
	})
	deadline := time.Now().Add(5 * time.Second)
	for e.servedBy(t, defaultDomain("ELATE1")) != "200 app GET /late/probe" {
		if time.Now().After(deadline) {
			t.Fatalf("a distribution added while a SIGHUP reload ran was never loaded (5s; the watcher polls every 0.5s): " +
				"the watcher records the folder's fingerprint after the reload instead of before it, so the change counts as seen")
		}
		<-time.After(20 * time.Millisecond)
	}
}
