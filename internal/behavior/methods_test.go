package behavior

import (
	"errors"
	"strings"
	"testing"
)

func TestParseMethods(t *testing.T) {
	tests := []struct {
		name    string
		items   []string
		want    Methods
		wantErr string
	}{
		{"get head", []string{"GET", "HEAD"}, MethodsGetHead, ""},
		{"head get", []string{"HEAD", "GET"}, MethodsGetHead, ""},
		{"get head options", []string{"OPTIONS", "GET", "HEAD"}, MethodsGetHeadOptions, ""},
		{"all", []string{"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}, MethodsAll, ""},
		{"all shuffled", []string{"DELETE", "PATCH", "POST", "PUT", "OPTIONS", "HEAD", "GET"}, MethodsAll, ""},
		{"empty", nil, 0, "[]"},
		{"get only", []string{"GET"}, 0, "[GET]"},
		{"get post", []string{"GET", "HEAD", "POST"}, 0, "[GET HEAD POST]"},
		{"all but delete", []string{"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH"}, 0, "[GET HEAD OPTIONS PUT POST PATCH]"},
		{"duplicate", []string{"GET", "HEAD", "GET"}, 0, "GET listed twice"},
		{"lower case", []string{"get", "head"}, 0, `unknown method "get"`},
		{"unknown", []string{"GET", "HEAD", "TRACE"}, 0, `unknown method "TRACE"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMethods(tc.items)
			if tc.wantErr == "" {
				if err != nil || got != tc.want {
					t.Errorf("got %v, %v; want %v, %v", got, err, tc.want, nil)
				}
				return
			}
			if err == nil {
				t.Fatalf("got %v, want an error containing %q", got, tc.wantErr)
			}
			if !errors.Is(err, ErrInvalidMethods) {
				t.Errorf("got %v, want errors.Is %v", err, ErrInvalidMethods)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("got %q, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestMethodsAllows(t *testing.T) {
	tests := []struct {
		set    Methods
		method string
		want   bool
	}{
		{MethodsGetHead, "GET", true},
		{MethodsGetHead, "HEAD", true},
		{MethodsGetHead, "OPTIONS", false},
		{MethodsGetHead, "POST", false},
		{MethodsGetHeadOptions, "OPTIONS", true},
		{MethodsGetHeadOptions, "PUT", false},
		{MethodsAll, "PUT", true},
		{MethodsAll, "POST", true},
		{MethodsAll, "PATCH", true},
		{MethodsAll, "DELETE", true},
		{MethodsAll, "TRACE", false},
		{MethodsAll, "CONNECT", false},
		{MethodsAll, "PROPFIND", false},
		{MethodsAll, "get", false},
		{MethodsAll, "", false},
		{Methods(0xffff), "TRACE", false},
		{0, "GET", false},
	}
	for _, tc := range tests {
		t.Run(tc.set.String()+" "+tc.method, func(t *testing.T) {
			if got := tc.set.Allows(tc.method); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMethodsString(t *testing.T) {
	tests := []struct {
		set  Methods
		want string
	}{
		{0, ""},
		{MethodsGetHead, "GET, HEAD"},
		{MethodsGetHeadOptions, "GET, HEAD, OPTIONS"},
		{MethodsAll, "GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE"},
	}
	for _, tc := range tests {
		if got := tc.set.String(); got != tc.want {
			t.Errorf("got %v, want %v", got, tc.want)
		}
	}
}

func TestAllowsAllocs(t *testing.T) {
	if got := testing.AllocsPerRun(100, func() { MethodsAll.Allows("DELETE") }); got != 0 {
		t.Errorf("got %v allocs, want %v", got, 0)
	}
}

func BenchmarkAllows(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		MethodsGetHeadOptions.Allows("OPTIONS")
	}
}
