package e2e

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runCmd runs the binary to completion and returns its exit code and output.
func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("openfront %s did not exit within 30s", strings.Join(args, " "))
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// TestValidate: validate accepts a good folder with one line per
// distribution, and refuses a bad one with every error at once, each naming
// its file and JSON path; serve refuses the same folder the same way.
func TestValidate(t *testing.T) {
	t.Parallel()
	o := customOrigin("o", "127.0.0.1", 8081)
	good := distConfig([]obj{o}, behavior("", "o"))
	badEnum := with(o, "CustomOriginConfig", with(o["CustomOriginConfig"].(obj), "OriginProtocolPolicy", "htp-only"))

	t.Run("good", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		writeDocs(t, dir, map[string]any{
			"EGOODA.json": configDoc(with(good, "Aliases", list("a.example.com"))),
			"b.json":      distributionDoc("EGOODB", "d222222abcdef8.cloudfront.net", good),
		})
		code, stdout, stderr := runCmd(t, "validate", "--config", dir, "--self-signed", "--state-dir", t.TempDir())
		if code != 0 {
			t.Fatalf("exit code: got %d, want 0; stderr:\n%s", code, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "EGOODA") || !strings.HasPrefix(lines[1], "EGOODB") {
			t.Errorf("stdout: got %q, want one line for EGOODA then one for EGOODB", lines)
		}
	})

	// Each bad document and what the error must say: "<file>: <JSON path>"
	// and a fragment of the message. Alternatives are separated by " | ".
	type bad struct {
		file string
		doc  any
		want []string
		why  string // shown when the message is missing
	}
	decodeErrors := []bad{
		{"E2Q.json", configDoc(with(good, "Origins", list(badEnum))),
			[]string{`E2Q.json: DistributionConfig.Origins.Items[0].CustomOriginConfig.OriginProtocolPolicy: "htp-only" is not one of http-only, https-only, match-viewer`}, ""},
		{"EUNKNOWN.json", configDoc(with(good, "Bogus", true)), []string{"EUNKNOWN.json: DistributionConfig.Bogus: unknown field"}, ""},
	}
	validationErrors := []bad{
		{"EDUPA.json", configDoc(with(good, "Aliases", list("dup.example.com"))), nil, ""},
		{"EDUPB.json", configDoc(with(good, "Aliases", list("dup.example.com"))),
			[]string{"EDUPA.json: DistributionConfig.Aliases.Items[0] | EDUPB.json: DistributionConfig.Aliases.Items[0]", "dup.example.com"},
			"a duplicate alias (CNAMEAlreadyExists) must name the file and JSON path of the alias, not internal distribution indexes"},
		{"EROOT.json", configDoc(with(good, "DefaultRootObject", "/index.html")), []string{"EROOT.json: DistributionConfig.DefaultRootObject: "}, ""},
		{"EPATTERN.json", configDoc(distConfig([]obj{o}, behavior("", "o"), behavior("/images/<x>", "o"))),
			[]string{"EPATTERN.json: DistributionConfig.CacheBehaviors.Items[0].PathPattern: "}, ""},
		{"ECERT.json", configDoc(with(good, "Aliases", list("nocert.example.com"))),
			[]string{"ECERT.json: DistributionConfig.ViewerCertificate: ", "nocert.example.com"}, ""},
		{"EOPATH.json", configDoc(distConfig([]obj{with(o, "OriginPath", "/v1/")}, behavior("", "o"))),
			[]string{"EOPATH.json: DistributionConfig.Origins.Items[0].OriginPath: "},
			"the JSON path of a bad OriginPath must be DistributionConfig.Origins.Items[N].OriginPath, not the OriginPath value"},
	}
	for _, tc := range []struct {
		name string
		docs []bad
	}{
		{"decode errors", decodeErrors},
		{"validation errors", validationErrors},
		{"all at once", append(append([]bad{}, decodeErrors...), validationErrors...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			docs := map[string]any{"EFINE.json": configDoc(good)}
			for _, b := range tc.docs {
				docs[b.file] = b.doc
			}
			writeDocs(t, dir, docs)
			check := func(what string, code int, stderr string) {
				t.Helper()
				if code != 1 {
					t.Errorf("%s exit code: got %d, want 1", what, code)
				}
				for _, b := range tc.docs {
					for _, w := range b.want {
						found := false
						for _, alt := range strings.Split(w, " | ") {
							found = found || strings.Contains(stderr, alt)
						}
						if !found {
							t.Errorf("%s stderr lacks %q %s", what, w, b.why)
						}
					}
				}
				if t.Failed() {
					t.Logf("%s stderr:\n%s", what, stderr)
				}
			}
			code, stdout, stderr := runCmd(t, "validate", "--config", dir)
			check("validate", code, stderr)
			if stdout != "" {
				t.Errorf("validate stdout: got %q, want nothing", stdout)
			}
			state := t.TempDir()
			code, _, stderr = runCmd(t, "serve", "--config", dir, "--http", "127.0.0.1:0", "--https", "127.0.0.1:0",
				"--admin", "127.0.0.1:0", "--log-dir", filepath.Join(state, "logs"), "--state-dir", state)
			check("serve", code, stderr)
		})
	}
}
