package cause

import "testing"

func TestVocabulary(t *testing.T) {
	seen := map[Cause]bool{}
	for _, c := range All {
		if c == None || seen[c] {
			t.Errorf("cause %q: empty or listed twice", c)
		}
		seen[c] = true
		if !Known(c) {
			t.Errorf("Known(%q): got false, want true", c)
		}
	}
	if Known("teapot") {
		t.Errorf("Known(teapot): got true, want false")
	}
	for c, ds := range Details {
		if !seen[c] {
			t.Errorf("details of unknown cause %q", c)
		}
		dup := map[string]bool{}
		for _, d := range ds {
			if d == "" || dup[d] {
				t.Errorf("cause %q: detail %q empty or listed twice", c, d)
			}
			dup[d] = true
		}
	}
}
