package edge

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

const sampleID = "yia7SgmDLKgrUODBR2ImtCXBCzBdoHAQa-f02L2iuaK5JQGumDzkWA=="

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s: got\n%s\nwant\n%s", name, got, want)
	}
}

func TestErrorPages(t *testing.T) {
	tests := []struct {
		file   string
		status int
		cause  string
		size   int
	}{
		// 1053 bytes is the Content-Length CloudFront sent for this page (spec §1.1).
		{"page_403_method.golden", 403, causeMethod, 1053},
		{"page_403_bad_request.golden", 403, causeBadRequest, 915},
		{"page_403_blocked.golden", 403, causeRequestBlocked, 919},
		{"page_403_geo.golden", 403, causeGeoBlocked, 986},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got := appendErrorPage(nil, tc.status, tc.cause, sampleID)
			if len(got) != tc.size {
				t.Errorf("got %d bytes, want %d", len(got), tc.size)
			}
			golden(t, tc.file, got)
		})
	}
}

func TestSigningErrorBody(t *testing.T) {
	got := string(appendSigningError(nil, "AccessDenied", "Access denied"))
	want := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access denied</Message></Error>`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestRedirectBody(t *testing.T) {
	if got := len(redirectBody(301)); got != 167 {
		t.Errorf("got %d bytes, want 167 (spec §1.5)", got)
	}
}

func TestPageAllocs(t *testing.T) {
	buf := make([]byte, 0, 2048)
	if n := testing.AllocsPerRun(100, func() { buf = appendErrorPage(buf[:0], 403, causeMethod, sampleID) }); n != 0 {
		t.Errorf("got %v allocs, want 0", n)
	}
}
