package behavior

import (
	"strings"
	"testing"
)

// refMatch is a straightforward recursive wildcard matcher over runes, the
// reference for Match. It memoizes (pattern index, path index) pairs so
// star-heavy fuzz inputs stay polynomial; it is still slow and is fed short
// inputs only.
func refMatch(pat, path string) bool {
	p, s := []rune(pat), []rune(path)
	memo := make(map[[2]int]bool)
	var rec func(i, j int) bool
	rec = func(i, j int) bool {
		key := [2]int{i, j}
		if v, ok := memo[key]; ok {
			return v
		}
		var v bool
		switch {
		case i == len(p):
			v = j == len(s)
		case p[i] == '*':
			v = rec(i+1, j) || (j < len(s) && rec(i, j+1))
		case p[i] == '?':
			v = j < len(s) && rec(i+1, j+1)
		default:
			v = j < len(s) && s[j] == p[i] && rec(i+1, j+1)
		}
		memo[key] = v
		return v
	}
	return rec(0, 0)
}

// refCanonical is the pattern text the reference matches: "&amp;" as "&"
// and a leading "/".
func refCanonical(p string) string {
	p = strings.ReplaceAll(p, "&amp;", "&")
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p
}

func FuzzPatternMatch(f *testing.F) {
	for _, s := range [][2]string{
		{"images/*.jpg", "/images/a/b.jpg"},
		{"*.doc?", "/x.doc"},
		{"*.doc?", "/x.docx"},
		{"*.jpg", "/LOGO.JPG"},
		{"*", "/"},
		{"?", "/é"},
		{"*a*a*b", "/aaaaaaab"},
		{"&amp;*", "/&x"},
		{"/a*", "/a\xff"},
		{"**?*", ""},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, path string) {
		p, err := Compile(pattern)
		if err != nil {
			return
		}
		got := p.Match(path)
		// The fast paths must agree with the general algorithm.
		if general := match(p.pat, path); got != general {
			t.Fatalf("Compile(%q).Match(%q): got %v, want %v (general algorithm)", pattern, path, got, general)
		}
		if len(pattern) > 64 || len(path) > 256 {
			return // keep the reference fast
		}
		if want := refMatch(refCanonical(pattern), path); got != want {
			t.Fatalf("Compile(%q).Match(%q): got %v, want %v", pattern, path, got, want)
		}
	})
}
