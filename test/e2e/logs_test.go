package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// logLine is one access-log record keyed by the #Fields: names.
type logLine map[string]string

// fieldsV1 is the #Fields: line of CloudFront's standard log (spec §2.1).
const fieldsV1 = "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end"

// readLog parses one multi-member gzip W3C log file. A file still being
// written may end in a partial member; the lines before it are returned.
func readLog(t *testing.T, path string) []logLine {
	t.Helper()
	return parseLog(t, path, false)
}

// parseLog reads a log file; strict also requires complete gzip members and
// a final newline, as after the writer closed the file.
func parseLog(t *testing.T, path string, strict bool) []logLine {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) == 0 {
		return nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		if strict {
			t.Fatalf("%s: %v", path, err)
		}
		return nil // the first member is not complete yet
	}
	text, err := io.ReadAll(zr)
	if err != nil && (strict || !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF)) {
		t.Fatalf("%s: %v", path, err)
	}
	if strict && len(text) > 0 && text[len(text)-1] != '\n' {
		t.Errorf("%s: does not end with a newline", path)
	}
	if i := bytes.LastIndexByte(text, '\n'); i >= 0 {
		text = text[:i+1]
	} else {
		text = nil
	}
	var fields []string
	var out []logLine
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "#Fields: "):
			fields = strings.Fields(strings.TrimPrefix(line, "#Fields: "))
			if got := strings.Join(fields, " "); got != fieldsV1 {
				t.Errorf("%s: #Fields: %s\nwant %s", path, got, fieldsV1)
			}
		case strings.HasPrefix(line, "#"):
		default:
			vals := strings.Split(line, "\t")
			if fields == nil || len(vals) != len(fields) {
				t.Fatalf("%s: line with %d values (fields %d): %q", path, len(vals), len(fields), line)
			}
			l := logLine{}
			for i, f := range fields {
				l[f] = vals[i]
			}
			out = append(out, l)
		}
	}
	return out
}

// logs reads every log file under the edge's log folder matching glob
// (relative to --log-dir, e.g. "EABC.*.gz" or "_unrouted.*.gz").
func (e *edge) logs(t *testing.T, glob string) []logLine {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(e.LogDir, glob))
	if err != nil {
		t.Fatal(err)
	}
	var out []logLine
	for _, f := range files {
		out = append(out, readLog(t, f)...)
	}
	return out
}

// waitLog polls the files matching glob until a line satisfies match.
func (e *edge) waitLog(t *testing.T, glob string, match func(logLine) bool) logLine {
	t.Helper()
	var found logLine
	waitFor(t, 10*time.Second, "access-log line in "+glob, func() bool {
		for _, l := range e.logs(t, glob) {
			if match(l) {
				found = l
				return true
			}
		}
		return false
	})
	return found
}

// waitLogID waits for the line of a request id in the files matching glob.
func (e *edge) waitLogID(t *testing.T, glob, id string) logLine {
	t.Helper()
	return e.waitLog(t, glob, func(l logLine) bool { return l["x-edge-request-id"] == id })
}

// checkLog compares the named fields of a log line.
func checkLog(t *testing.T, l logLine, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if l[k] != v {
			t.Errorf("log %s: got %q, want %q", k, l[k], v)
		}
	}
}

// countLogLines counts the records in every .gz file under dir.
func countLogLines(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".gz") {
			n += len(parseLog(t, p, true))
		}
		return nil
	})
	return n
}
