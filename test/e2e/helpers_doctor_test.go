package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Helpers of the doctor's end-to-end tests (doctor_test.go). Every name
// starts with "doctor" so they never collide with other files' helpers.

// doctorKey is a signing key pair: the private key as a PEM file for
// "openfront sign", the public key and a key group as configuration
// documents for the edge and the doctor.
type doctorKey struct {
	ID, GroupID, PrivateFile string
	Docs                     map[string]any // file name → get-public-key / get-key-group document
}

// newDoctorKey makes an RSA-2048 key pair (the key type CloudFront's
// console creates) under a new folder outside any config folder.
func newDoctorKey(t *testing.T, id, groupID string) *doctorKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "private.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return &doctorKey{ID: id, GroupID: groupID, PrivateFile: file, Docs: map[string]any{
		groupID + "-public-key.json": obj{"ETag": "E2KEY", "PublicKey": obj{
			"Id": id, "CreatedTime": "2026-01-01T00:00:00Z",
			"PublicKeyConfig": obj{"CallerReference": "e2e-doctor", "Name": "e2e-doctor",
				"EncodedKey": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))},
		}},
		groupID + ".json": obj{"ETag": "E2KEY", "KeyGroup": obj{
			"Id": groupID, "LastModifiedTime": "2026-01-01T00:00:00Z",
			"KeyGroupConfig": obj{"Name": "e2e-doctor", "Items": []string{id}, "Comment": "e2e doctor signing key"},
		}},
	}}
}

// signURL signs target with the binary's "openfront sign url" as keyID
// (which need not be the key's own id) and returns the signed URL.
func (k *doctorKey) signURL(t *testing.T, target, keyID string, flags ...string) string {
	t.Helper()
	args := append([]string{"sign", "url", target, "--key-pair-id", keyID, "--private-key", k.PrivateFile}, flags...)
	code, stdout, stderr := runCmd(t, args...)
	if code != 0 {
		t.Fatalf("openfront %s: exit %d, want 0; stderr:\n%s", strings.Join(args, " "), code, stderr)
	}
	return strings.TrimSpace(stdout)
}

// signCookies makes signed cookies for target with "openfront sign
// cookies --json" and returns them by name.
func (k *doctorKey) signCookies(t *testing.T, target string, flags ...string) map[string]string {
	t.Helper()
	args := append([]string{"sign", "cookies", target, "--key-pair-id", k.ID, "--private-key", k.PrivateFile, "--json"}, flags...)
	code, stdout, stderr := runCmd(t, args...)
	if code != 0 {
		t.Fatalf("openfront %s: exit %d, want 0; stderr:\n%s", strings.Join(args, " "), code, stderr)
	}
	var out struct {
		Cookies []struct{ Name, Value string }
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("openfront sign cookies --json: %v\n%s", err, stdout)
	}
	cookies := map[string]string{}
	for _, c := range out.Cookies {
		cookies[c.Name] = c.Value
	}
	if len(cookies) == 0 {
		t.Fatalf("openfront sign cookies --json printed no cookies:\n%s", stdout)
	}
	return cookies
}

// doctorCookie is a Cookie header of cookies, in name order.
func doctorCookie(cookies map[string]string) http.Header {
	var pairs []string
	for name, v := range cookies {
		pairs = append(pairs, name+"="+v)
	}
	sort.Strings(pairs)
	return http.Header{"Cookie": {strings.Join(pairs, "; ")}}
}

// doctorTarget is the path and query of an absolute http or https URL on host.
func doctorTarget(t *testing.T, u, host string) string {
	t.Helper()
	_, rest, _ := strings.Cut(u, "://")
	rest, ok := strings.CutPrefix(rest, host)
	if !ok || !strings.HasPrefix(rest, "/") {
		t.Fatalf("signed URL %q is not on %s", u, host)
	}
	return rest
}

// doctorParam sets a raw query parameter of target (path?query) to value
// in place, or removes it when remove is true. The other parameters keep
// their bytes and order.
func doctorParam(t *testing.T, target, name, value string, remove bool) string {
	t.Helper()
	path, query, _ := strings.Cut(target, "?")
	var out []string
	found := false
	for _, seg := range strings.Split(query, "&") {
		if k, _, _ := strings.Cut(seg, "="); k == name {
			found = true
			if remove {
				continue
			}
			seg = name + "=" + value
		}
		out = append(out, seg)
	}
	if !found {
		t.Fatalf("%q has no %s parameter", target, name)
	}
	return path + "?" + strings.Join(out, "&")
}

// doctorLogsReport is the part of "doctor logs --json" (docs/doctor.md)
// these tests read.
type doctorLogsReport struct {
	Summary struct {
		Files       int              `json:"files"`
		Lines       int64            `json:"lines"`
		Malformed   int64            `json:"malformed"`
		ReadErrors  []string         `json:"read_errors"`
		Errors      int64            `json:"errors"`
		Refused     int64            `json:"refused"`
		ByCause     map[string]int64 `json:"by_cause"`
		OtherErrors []struct {
			Status   int    `json:"status"`
			Detailed string `json:"detailed_result_type"`
			Count    int64  `json:"count"`
		} `json:"other_errors"`
		Requests struct {
			Max   int   `json:"max"`
			Kept  int   `json:"kept"`
			Total int64 `json:"total"`
		} `json:"requests"`
		Config bool `json:"config"`
	} `json:"summary"`
	Findings []struct {
		Cause        string   `json:"cause"`
		Detail       string   `json:"detail"`
		Confidence   string   `json:"confidence"`
		Distribution string   `json:"distribution"`
		Count        int64    `json:"count"`
		Examples     []string `json:"example_request_ids"`
	} `json:"findings"`
	Requests []doctorRequest `json:"requests"`
}

// doctorRequest is one entry of --json's requests array.
type doctorRequest struct {
	RequestID    string   `json:"request_id"`
	Status       int      `json:"status"`
	Method       string   `json:"method"`
	Host         string   `json:"host"`
	Path         string   `json:"path"`
	Distribution string   `json:"distribution"`
	Cause        string   `json:"cause"`
	Detail       string   `json:"detail"`
	Confidence   string   `json:"confidence"`
	Candidates   []string `json:"candidates"`
	Evidence     []string `json:"evidence"`
}

// doctorURLReport is the part of "doctor url --json" these tests read.
type doctorURLReport struct {
	Response doctorAnswer   `json:"response"`
	Probes   []doctorAnswer `json:"probes"`
	Finding  *struct {
		Cause      string   `json:"cause"`
		Detail     string   `json:"detail"`
		Confidence string   `json:"confidence"`
		Candidates []string `json:"candidates"`
		Evidence   []string `json:"evidence"`
	} `json:"finding"`
}

// doctorAnswer is one request of doctor url.
type doctorAnswer struct {
	Name   string `json:"name"`
	URL    string `json:"url"`
	Status int    `json:"status"`
	Server string `json:"server"`
	ID     string `json:"x_amz_cf_id"`
	Shape  string `json:"body_shape"`
	Error  string `json:"error"`
}

// doctorConfigReport is the part of "doctor config --json" these tests read.
type doctorConfigReport struct {
	Summary struct {
		Distributions int            `json:"distributions"`
		LoadErrors    []string       `json:"load_errors"`
		BySeverity    map[string]int `json:"by_severity"`
	} `json:"summary"`
	Findings []struct {
		Severity     string `json:"severity"`
		Cause        string `json:"cause"`
		Detail       string `json:"detail"`
		Distribution string `json:"distribution"`
		File         string `json:"file"`
		JSONPath     string `json:"json_path"`
	} `json:"findings"`
}

// runDoctorJSON runs "openfront doctor ARGS..." (which must include
// --json), decodes stdout into v and returns the exit status.
func runDoctorJSON(t *testing.T, v any, args ...string) int {
	t.Helper()
	args = append([]string{"doctor"}, args...)
	code, stdout, stderr := runCmd(t, args...)
	if err := json.Unmarshal([]byte(stdout), v); err != nil {
		t.Fatalf("openfront %s: exit %d, stdout is not JSON: %v\nstdout:\n%s\nstderr:\n%s",
			strings.Join(args, " "), code, err, stdout, stderr)
	}
	return code
}

// doctorGlob lists the files matching glob under dir, failing when none do.
func doctorGlob(t *testing.T, dir, glob string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, glob))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no log file matches %s under %s", glob, dir)
	}
	sort.Strings(files)
	return files
}
