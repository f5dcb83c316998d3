package signedurl

import (
	"crypto"
	"strings"
	"testing"
	"time"
)

// TestResourceMatch holds CloudFront's section rules, with the examples from
// "Values that you specify in the policy statement for a signed URL that
// uses a custom policy".
func TestResourceMatch(t *testing.T) {
	tests := []struct {
		resource string
		url      string
		want     bool
	}{
		// '*' alone.
		{"*", "https://anything.example/x?y=z", true},
		{"*", "http://a/", true},

		// Exact URLs.
		{"https://example.com/a.jpg", "https://example.com/a.jpg", true},
		{"https://example.com/a.jpg", "https://example.com/a.jpg?x=1", false},
		{"https://example.com/a.jpg", "http://example.com/a.jpg", false},
		{"https://example.com/a.jpg", "https://example.com/A.jpg", false},
		{"https://example.com/a.jpg", "https://EXAMPLE.com/a.jpg", true},
		{"HTTPS://Example.COM/a.jpg", "https://example.com/a.jpg", true},
		{"https://example.com/a.jpg?size=large&license=yes", "https://example.com/a.jpg?size=large&license=yes", true},
		{"https://example.com/a.jpg?size=large&license=yes", "https://example.com/a.jpg?license=yes&size=large", false},
		{"https://example.com", "https://example.com/", true},
		{"https://example.com", "https://example.com/a", false},
		{"https://example.com:8443/a", "https://example.com:8443/a", true},
		{"https://example.com:8443/a", "https://example.com/a", false},

		// '*' and '?' stay in their section.
		{"https://www.example.com/hello*world", "https://www.example.com/helloworld", true},
		{"https://www.example.com/hello*world", "https://www.example.com/hello-world", true},
		{"https://www.example.com/hello*world", "https://www.example.com/hello/big/world", true},
		{"https://www.example.com/hello*world", "https://www.example.com/hello?world", false},
		{"https://www.example.com/hello*world", "https://www.example.net/hello?world", false},
		{"https://www.example.com/a*b", "https://www.example.com/a?x=b", false},
		{"https://*.example.com/a", "https://cdn.example.com/a", true},
		{"https://*.example.com/a", "https://a.b.example.com/a", true},
		{"https://*.example.com/a", "https://example.com/a", false},
		{"https://*.example.com/a", "https://evil.com/x.example.com/a", false},
		{"https://ex*ple.com/a", "https://example.com/a", true},
		{"https://example.com/a?b", "https://example.com/a?b", true},
		{"https://example.com/a\\?b", "https://example.com/a?b", true},
		{"https://example.com/file?.jpg\\?*", "https://example.com/file1.jpg?x", true},
		{"https://example.com/file?.jpg\\?*", "https://example.com/file.jpg?x", false},
		{"https://example.com/file?.jpg\\?*", "https://example.com/file12.jpg", false},
		{"https://example.com/a?x=?", "https://example.com/a?x=1", true},
		{"https://example.com/a?x=?", "https://example.com/a?x=12", false},
		{"https://example.com/a?x=*", "https://example.com/a?x=", true},
		{"https://example.com/a?x=*", "https://example.com/a?x=1&y=2", true},
		{"https://example.com/a?*", "https://example.com/a", true},
		{"https://example.com/a?*", "https://example.com/ab", false},
		{"https://example.co?/a", "https://example.com/a", true},
		{"https://example.co?/a", "https://example.co/a", false},
		{"http?://example.com/a", "https://example.com/a", true},
		{"http?://example.com/a", "http://example.com/a", false},
		{"http*://example.com/a", "http://example.com/a", true},

		// A trailing '*' in the path also covers the query.
		{"http://example.com/hello*", "http://example.com/hello", true},
		{"http://example.com/hello*", "http://example.com/hello/world?a=1&b=2", true},
		{"http://example.com/hello*", "http://example.com/hell", false},
		{"https://example.com/*", "https://example.com/?x", true},
		{"https://example.com/*", "https://other.com/", false},
		{"https://example.com/*?v=1", "https://example.com/a?v=1", true},
		{"https://example.com/*?v=1", "https://example.com/a?v=2", false},
		{"https://example.com/videos/*.mp4", "https://example.com/videos/a.mp4", true},
		{"https://example.com/videos/*.mp4", "https://example.com/videos/a.mp4?t=1", false},
		{"https://d111111abcdef8.cloudfront.net/*game_download.zip*", "https://d111111abcdef8.cloudfront.net/game_download.zip", true},
		{"https://d111111abcdef8.cloudfront.net/*game_download.zip*", "https://d111111abcdef8.cloudfront.net/example_game_download.zip?license=yes", true},
		{"https://d111111abcdef8.cloudfront.net/*game_download.zip*", "https://d111111abcdef8.cloudfront.net/test_game_download.zip?license=temp", true},
		{"https://d111111abcdef8.cloudfront.net/*game_download.zip*", "https://d111111abcdef8.cloudfront.net/game.zip", false},

		// A trailing '*' in the domain covers path and query.
		{"http://example.com*", "http://example.com/a/b?c=d", true},
		{"http://example.com*", "http://example.com.evil.org/a", true},
		{"http://example.com*", "http://example.org/a", false},
		{"http://example.com*", "https://example.com/a", false},
		{"https://example.com*/a", "https://example.com:8443/a", true},
		{"https://example.com*/a", "https://example.com/a/b", false},

		// No protocol, leading '*': protocol '*'.
		{"*example.com", "https://www.example.com/", true},
		{"*example.com", "http://example.com/", true},
		{"*example.com", "http://example.com/a", false},
		{"*example.com/*", "http://cdn.example.com/a?b", true},
		{"*://example.com/*", "http://example.com/a", true},
		{"*://example.com/*", "https://example.com/a", true},
		{"*.example.com/r?u=http://x", "https://a.example.com/r?u=http://x", true},

		// Escaped characters compare as they are.
		{"https://example.com/a%2Ab", "https://example.com/a%2Ab", true},
		{"https://example.com/a%2Ab", "https://example.com/a*b", false},
		{"https://example.com/a%20b", "https://example.com/a b", false},
	}
	for _, tc := range tests {
		t.Run(tc.resource+" "+tc.url, func(t *testing.T) {
			rp, err := parseResource(tc.resource)
			if err != nil {
				t.Fatalf("parseResource: %v", err)
			}
			scheme, host, path, query := splitURL(tc.url)
			if got := rp.match(scheme, host, path, query); got != tc.want {
				t.Errorf("got %v, want %v (sections %+v)", got, tc.want, *rp)
			}
		})
	}
}

func TestParseResourceErrors(t *testing.T) {
	for _, s := range []string{"", "example.com/a", "/a", "ftp+x://example.com/a", "://example.com", "a.b://example.com"} {
		if _, err := parseResource(s); err == nil {
			t.Errorf("parseResource(%q): got nil error, want one", s)
		}
	}
}

// TestResourceEndToEnd checks one wildcard rule through signing and Verify.
func TestResourceEndToEnd(t *testing.T) {
	k := fixtureKeys(t)
	v := newTestVerifier(t, nil)
	const resource = "https://example.com/videos/*"
	for _, tc := range []struct {
		url  string
		want verdict
	}{
		{"https://example.com/videos/a.mp4?t=3", okVerdict},
		{"https://example.com/videos/", okVerdict},
		{"https://example.com/audio/a.mp3", denied(CodeAccessDenied, DetailResourceMismatch)},
		{"http://example.com/videos/a.mp4", denied(CodeAccessDenied, DetailResourceMismatch)},
	} {
		u := mustSignURL(t, tc.url, ecID, k.ec, Policy{Resource: resource, DateLessThan: testNow.Add(time.Hour)}, crypto.SHA256)
		if got := verdictOf(v.Verify(urlRequest(u))); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.url, got, tc.want)
		}
	}
}

// TestGlobLinear runs an adversarial text through a many-star pattern; a
// backtracking matcher would not finish.
func TestGlobLinear(t *testing.T) {
	p := strings.Repeat("a*", 40) + "b"
	s := strings.Repeat("a", 8000)
	start := time.Now()
	if glob(p, s) {
		t.Fatal("got match, want none")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("glob took %v", d)
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"", "", true}, {"", "a", false}, {"*", "", true}, {"**", "abc", true},
		{"a*", "a", true}, {"*a", "ba", true}, {"*a", "ab", false}, {"a*b*c", "abc", true},
		{"a*b*c", "axxbyyc", true}, {"a*b*c", "acb", false}, {"?", "", false}, {"?", "x", true},
		{"a?c", "abc", true}, {"a*?c", "ac", false}, {"a*?c", "abc", true}, {"*ab*ab*", "abab", true},
		{"*aab", "aaab", true}, {"*a?b*", "xxaxb", true}, {"*?*?*", "a", false}, {"ab*ba", "aba", false},
	}
	for _, tc := range tests {
		if got := glob(tc.p, tc.s); got != tc.want {
			t.Errorf("glob(%q, %q): got %v, want %v", tc.p, tc.s, got, tc.want)
		}
	}
}
