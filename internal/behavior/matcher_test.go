package behavior

import (
	"errors"
	"strings"
	"testing"
)

func TestMatcher(t *testing.T) {
	m, err := NewMatcher([]string{
		"/images/private/*", // 0
		"images/*",          // 1: broader, later
		"*.jpg",             // 2
		"/api/v?/*",         // 3
		"/index.html",       // 4
	})
	if err != nil {
		t.Fatalf("NewMatcher: %v", err)
	}
	tests := []struct {
		path string
		want int
	}{
		{"/images/private/a.jpg", 0},
		{"/images/public/a.jpg", 1}, // first match wins over *.jpg
		{"/photos/a.jpg", 2},
		{"/api/v1/users", 3},
		{"/api/v10/users", -1},
		{"/index.html", 4},
		{"/", -1},
		{"/IMAGES/a.jpg", 2},
		{"/other", -1},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			if got := m.Match(tc.path); got != tc.want {
				t.Errorf("Match(%q): got %v, want %v", tc.path, got, tc.want)
			}
		})
	}
	if got, want := m.Len(), 5; got != want {
		t.Errorf("Len: got %v, want %v", got, want)
	}
	if got, want := m.Pattern(1).String(), "images/*"; got != want {
		t.Errorf("Pattern(1): got %v, want %v", got, want)
	}
}

func TestMatcherOrderMatters(t *testing.T) {
	// A broad unsigned behavior listed before a narrow one shadows it
	// (distribution-web-values-specify.html, "Path pattern").
	m, err := NewMatcher([]string{"*", "/private/*"})
	if err != nil {
		t.Fatalf("NewMatcher: %v", err)
	}
	if got, want := m.Match("/private/x"), 0; got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestNewMatcherErrors(t *testing.T) {
	_, err := NewMatcher([]string{"/ok/*", "/bad pattern", "/also#bad", strings.Repeat("x", 256)})
	if err == nil {
		t.Fatalf("got %v, want an error", err)
	}
	if !errors.Is(err, ErrInvalidPattern) {
		t.Errorf("got %v, want errors.Is %v", err, ErrInvalidPattern)
	}
	for _, sub := range []string{"cache behavior 1", "cache behavior 2", "cache behavior 3"} {
		if !strings.Contains(err.Error(), sub) {
			t.Errorf("got %q, want it to contain %q", err, sub)
		}
	}
	if strings.Contains(err.Error(), "cache behavior 0") {
		t.Errorf("got %q, want no error for behavior 0", err)
	}
}

func TestEmptyMatcher(t *testing.T) {
	m, err := NewMatcher(nil)
	if err != nil {
		t.Fatalf("NewMatcher: %v", err)
	}
	if got, want := m.Match("/x"), -1; got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

func BenchmarkMatcher(b *testing.B) {
	m, err := NewMatcher([]string{
		"/api/*", "/static/*.css", "/static/*.js", "*.jpg", "*.png", "/img/*/thumb-??.webp",
		"/downloads/*", "/private/*", "/v?/*", "/index.html",
	})
	if err != nil {
		b.Fatalf("NewMatcher: %v", err)
	}
	for _, c := range []struct{ name, path string }{
		{"first", "/api/users/42"},
		{"middle", "/photos/2024/cat.jpg"},
		{"miss", "/about/team/index.htm"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m.Match(c.path)
			}
		})
	}
}
