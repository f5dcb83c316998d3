package hostroute

import "testing"

func TestNormalize(t *testing.T) {
	tests := []struct {
		host string
		want string
		ok   bool
	}{
		{"example.com", "example.com", true},
		{"Example.COM", "example.com", true},
		{"example.com:443", "example.com", true},
		{"example.com:", "example.com", true},
		{"example.com:0", "example.com", true},
		{"example.com:65535", "example.com", true},
		{"example.com:00443", "example.com", true},
		{"example.com.", "example.com", true},
		{"example.com.:80", "example.com", true},
		{"example.com..", "example.com.", true},
		{"[::1]", "[::1]", true},
		{"[::1]:443", "[::1]", true},
		{"[2001:DB8::1]:8443", "[2001:db8::1]", true},
		{"[::ffff:192.0.2.1]", "[::ffff:192.0.2.1]", true},
		{"[v1.fe80::a+en1]", "[v1.fe80::a+en1]", true},
		{"192.0.2.1:80", "192.0.2.1", true},
		{"_srv.example.com", "_srv.example.com", true},
		{"a%2Db.example", "a%2db.example", true},
		{"a~b!$&'()*+,;=.example", "a~b!$&'()*+,;=.example", true},
		{"", "", false},
		{".", "", false},
		{":443", "", false},
		{"example.com:65536", "", false},
		{"example.com:99999999999999999999", "", false},
		{"example.com:-1", "", false},
		{"example.com:44a", "", false},
		{"example.com:443:443", "", false},
		{"example .com", "", false},
		{" example.com", "", false},
		{"example.com\t", "", false},
		{"example.com\x00", "", false},
		{"example.com\x7f", "", false},
		{"example.com/", "", false},
		{"user@example.com", "", false},
		{"example.com?x", "", false},
		{"example.com#x", "", false},
		{"exa\"mple.com", "", false},
		{"bücher.example", "", false},
		{"a%2.example", "", false},
		{"a%zz.example", "", false},
		{"a%", "", false},
		{"[::1", "", false},
		{"[]", "", false},
		{"[::1]x", "", false},
		{"[::1]:x", "", false},
		{"[::g]", "", false},
		{"[1.2.3.4]", "", false},
		{"[v.x]", "", false},
		{"::1", "", false},
		{"a]b", "", false},
		{"a[b", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			got, ok := Normalize(tc.host)
			if got != tc.want || ok != tc.ok {
				t.Errorf("Normalize(%q) = %q, %v; want %q, %v", tc.host, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestNormalizeAllocs(t *testing.T) {
	if got := testing.AllocsPerRun(100, func() { Normalize("www.example.com:443") }); got != 0 {
		t.Errorf("got %v allocs, want %v", got, 0)
	}
}
