package accesslog

import (
	"fmt"
	"testing"
)

func TestEscape(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain", "/images/cat.jpg", "/images/cat.jpg"},
		{"kept punctuation", "a=b&c;d,e(f)g:h@i!j$k*l+m/n?o", "a=b&c;d,e(f)g:h@i!j$k*l+m/n?o"},
		{"space", "a b", "a%20b"},
		{"less", "<", "%3C"},
		{"greater", ">", "%3E"},
		{"quote", `"`, "%22"},
		{"hash", "#", "%23"},
		{"percent", "%", "%25"},
		{"left brace", "{", "%7B"},
		{"right brace", "}", "%7D"},
		{"pipe", "|", "%7C"},
		{"backslash", `\`, "%5C"},
		{"caret", "^", "%5E"},
		{"tilde", "~", "%7E"},
		{"left bracket", "[", "%5B"},
		{"right bracket", "]", "%5D"},
		{"backtick", "`", "%60"},
		{"apostrophe", "'", "%27"},
		{"NUL", "\x00", "%00"},
		{"tab", "\t", "%09"},
		{"line feed", "\n", "%0A"},
		{"carriage return", "\r", "%0D"},
		{"unit separator", "\x1f", "%1F"},
		{"DEL", "\x7f", "%7F"},
		{"byte 255", "\xff", "%FF"},
		{"UTF-8", "é", "%C3%A9"},
		{"UTF-8 word", "café crème", "caf%C3%A9%20cr%C3%A8me"},
		{"double encoding", "bytes%3D0-1023", "bytes%253D0-1023"},
		{"user agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)"},
		{"unchanged hyphen", "-", "-"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(Escape(nil, tc.in)); got != tc.want {
				t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if got := Unescape(tc.want); got != tc.in {
				t.Errorf("Unescape(%q) = %q, want %q", tc.want, got, tc.in)
			}
		})
	}
}

func TestEscapeEveryByte(t *testing.T) {
	const special = "<>\"#%{}|\\^~[]`'"
	for c := 0; c < 256; c++ {
		s := string([]byte{byte(c)})
		got := string(Escape(nil, s))
		encoded := c <= 32 || c >= 127
		for i := 0; i < len(special); i++ {
			encoded = encoded || special[i] == byte(c)
		}
		want := s
		if encoded {
			want = fmt.Sprintf("%%%02X", c)
		}
		if got != want {
			t.Errorf("Escape(%#x) = %q, want %q", c, got, want)
		}
	}
}

func TestUnescape(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"lowercase hex", "%c3%a9", "é"},
		{"lone percent", "100%", "100%"},
		{"short sequence", "a%4", "a%4"},
		{"not hex", "%zz%20", "%zz "},
		{"percent at end of sequence", "%%41", "%A"},
		{"double encoded", "bytes%253D0", "bytes%3D0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Unescape(tc.in); got != tc.want {
				t.Errorf("Unescape(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
