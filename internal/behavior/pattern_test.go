package behavior

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPatternMatch(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		// Examples from distribution-web-values-specify.html.
		{"images/*.jpg", "/images/a.jpg", true},
		{"images/*.jpg", "/images/a/b.jpg", true},
		{"images/*.jpg", "/images/a.png", false},
		{"*.doc?", "/x.docx", true},
		{"*.doc?", "/x.doc", false},
		{"*.doc?", "/dir/x.docm", true},
		{"*.jpg", "/LOGO.JPG", false},
		{"*.jpg", "/logo.jpg", true},
		{"*.jpg", "/a/b/logo.jpg", true},
		{"/images/*", "/images/a.png", true},
		{"images/*", "/images/a.png", true},
		{"images/*", "/images/", true},
		{"images/*", "/images", false},
		{"images/*", "/img/images/a.png", false},
		{"/images/*", "/Images/a.png", false},
		{"*", "/", true},
		{"*", "/anything/at/all.html", true},
		{"/*", "/x", true},
		{"**", "/x", true},
		{"?", "/", false},
		{"?", "/a", true},
		{"?", "/ab", false},
		{"/?", "/a", true},
		{"a?c", "/abc", true},
		{"a?c", "/a/c", true},
		{"a?c", "/ac", false},
		{"a?c", "/abbc", false},
		{"/a?c", "/aéc", true},
		{"/a??c", "/aéc", false},
		{"/index.html", "/index.html", true},
		{"index.html", "/index.html", true},
		{"/index.html", "/index.htm", false},
		{"/index.html", "/index.html/", false},
		{"/", "/", true},
		{"/", "/x", false},
		{"/api/*/v1", "/api/x/y/v1", true},
		{"/api/*/v1", "/api//v1", true},
		{"/api/*/v1", "/api/v1", false},
		{"/a*b*c", "/aXbYc", true},
		{"/a*b*c", "/abc", true},
		{"/a*b*c", "/acb", false},
		{"/a*b*c", "/abcbc", true},
		{"*a*a*a*a*a*b", "/" + strings.Repeat("a", 10) + "b", true},
		{"*a*a*a*a*a*b", "/" + strings.Repeat("a", 10), false},
		{"&amp;x", "/&x", true},
		{"&x", "/&x", true},
		{"&amp;x", "/&amp;x", false},
		{"$v~\"'@:+_-.", "/$v~\"'@:+_-.", true},
		{"*", "", false},
		{"*.jpg", "x.jpg", false},
		{"/*.jpg", "/x.jpg?y=1", false}, // the caller strips the query
	}
	for _, tc := range tests {
		t.Run(tc.pattern+" "+tc.path, func(t *testing.T) {
			p, err := Compile(tc.pattern)
			if err != nil {
				t.Fatalf("Compile(%q): %v", tc.pattern, err)
			}
			if got := p.Match(tc.path); got != tc.want {
				t.Errorf("Compile(%q).Match(%q): got %v, want %v", tc.pattern, tc.path, got, tc.want)
			}
			if got, want := p.Match(tc.path), refMatch(p.pat, tc.path); got != want {
				t.Errorf("Match vs reference for %q on %q: got %v, want %v", tc.pattern, tc.path, got, want)
			}
		})
	}
}

func TestZeroPatternMatchesNothing(t *testing.T) {
	var p Pattern
	for _, path := range []string{"", "/", "/x"} {
		if got := p.Match(path); got {
			t.Errorf("Pattern{}.Match(%q): got %v, want %v", path, got, false)
		}
	}
}

// TestPathological checks that patterns built to blow up a backtracking
// matcher stay fast on long paths. The deadline is generous; an exponential
// matcher would not finish at all.
func TestPathological(t *testing.T) {
	long := "/" + strings.Repeat("a", 8192)
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"*a*a*a*a*a*b", long, false},
		{"*a*a*a*a*a*b", long + "b", true},
		{"*a*a*a*a*a*ab", long + "ba", false},
		{strings.Repeat("*a", 120) + "*b", long, false},
		{strings.Repeat("*?", 120) + "b", long, false},
		{"/" + strings.Repeat("a*", 120) + "b", long, false},
	}
	for _, tc := range tests {
		t.Run(tc.pattern[:12], func(t *testing.T) {
			p, err := Compile(tc.pattern)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			start := time.Now()
			got := p.Match(tc.path)
			if got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("got %v, want well under 2s", d)
			}
		})
	}
}

func TestCompile(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		wantErr string // "" means valid
		canon   string
	}{
		{"leading slash added", "images/*", "", "/images/*"},
		{"leading slash kept", "/images/*", "", "/images/*"},
		{"stars collapsed", "/a**b***", "", "/a*b*"},
		{"amp entity", "a&amp;b", "", "/a&b"},
		{"bare amp", "a&b", "", "/a&b"},
		{"amp without semicolon", "a&ampb", "", "/a&ampb"},
		{"all allowed", "AZaz09_-.*$/~\"'@:+&?", "", "/AZaz09_-.*$/~\"'@:+&?"},
		{"max length", strings.Repeat("a", 255), "", "/" + strings.Repeat("a", 255)},
		{"empty", "", "empty", ""},
		{"too long", strings.Repeat("a", 256), "256 characters, longer than 255", ""},
		{"space", "/a b", `character ' ' at position 3`, ""},
		{"semicolon after entity", "&amp;amp;", `character ';' at position 9`, ""},
		{"percent", "/a%20b", `character '%' at position 3`, ""},
		{"query", "/a?b=c", `character '=' at position 5`, ""},
		{"hash", "#", `character '#' at position 1`, ""},
		{"backslash", `a\b`, `character '\\' at position 2`, ""},
		{"non-ascii", "/bücher/*", `character 'ü' at position 3`, ""},
		{"control", "/a\x00", `character '\x00' at position 3`, ""},
		{"brackets", "/[a]", `character '[' at position 2`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Compile(tc.pattern)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("got %v, want %v", err, nil)
				}
				if p.pat != tc.canon {
					t.Errorf("canonical form: got %q, want %q", p.pat, tc.canon)
				}
				if p.String() != tc.pattern {
					t.Errorf("String: got %q, want %q", p.String(), tc.pattern)
				}
				return
			}
			if err == nil {
				t.Fatalf("got %v, want an error containing %q", err, tc.wantErr)
			}
			if !errors.Is(err, ErrInvalidPattern) {
				t.Errorf("got %v, want errors.Is %v", err, ErrInvalidPattern)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("got %q, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestSlashOptional(t *testing.T) {
	paths := []string{"/", "/images", "/images/", "/images/a.jpg", "/x/images/a", "/?x", "/ax"}
	for _, pair := range [][2]string{{"images/*", "/images/*"}, {"?x", "/?x"}, {"*", "/*"}, {"a", "/a"}} {
		a, b := MustCompile(pair[0]), MustCompile(pair[1])
		for _, path := range paths {
			if got, want := a.Match(path), b.Match(path); got != want {
				t.Errorf("%q vs %q on %q: got %v, want %v", pair[0], pair[1], path, got, want)
			}
		}
	}
}

func TestMatchAllocs(t *testing.T) {
	for _, pat := range []string{"/index.html", "/images/*", "*.jpg", "*", "/a*b?c*d"} {
		p := MustCompile(pat)
		if got := testing.AllocsPerRun(100, func() { p.Match("/images/a/b/c/logo.jpg") }); got != 0 {
			t.Errorf("%q: got %v allocs, want %v", pat, got, 0)
		}
	}
}

func BenchmarkPatternMatch(b *testing.B) {
	path := "/static/assets/2024/10/hero-banner.large.jpg"
	for _, c := range []struct{ name, pattern string }{
		{"literal", "/static/assets/2024/10/hero-banner.large.jpg"},
		{"prefix", "/static/*"},
		{"suffix", "*.jpg"},
		{"general", "/static/*/hero-*.jp?"},
		{"adversarial", "*a*a*a*a*a*b"},
	} {
		p := MustCompile(c.pattern)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.Match(path)
			}
		})
	}
	long := "/" + strings.Repeat("a", 8192)
	for _, c := range []struct{ name, pattern, path string }{
		{"pathological_8k", "*a*a*a*a*a*b", long},
		{"pathological_8k_noskip", "*a*a*a*a*a*ab", long + "ba"},
		{"pathological_8k_question", strings.Repeat("*?", 120) + "b", long},
	} {
		p := MustCompile(c.pattern)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.Match(c.path)
			}
		})
	}
}
