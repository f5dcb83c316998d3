package hostroute

import "testing"

func TestCertificateCovers(t *testing.T) {
	tests := []struct {
		cert, host string
		want       bool
	}{
		// The examples from CNAMEs.html: "*.example.com" on the
		// certificate allows marketing.example.com, not example.com or a
		// second level.
		{"*.example.com", "marketing.example.com", true},
		{"*.example.com", "example.com", false},
		{"*.example.com", "product-name.marketing.example.com", false},
		{"*.example.com", "MARKETING.Example.com", true},
		{"*.Example.COM", "marketing.example.com", true},
		{"*.example.com", "*.example.com", true},
		{"*.example.com", "*.a.example.com", false},
		{"*.example.com", ".example.com", false},
		{"*.example.com", "marketing.example.org", false},
		{"*.example.com", "marketingexample.com", false},
		{"example.com", "example.com", true},
		{"Example.com", "example.COM", true},
		{"example.com", "www.example.com", false},
		{"www.example.com", "*.example.com", false},
		{"a.*.example.com", "a.b.example.com", false},
		{"f*.example.com", "foo.example.com", false},
		{"*", "example", false},
		{"*.", "a.", false},
		{"", "", false},
		{"example.com", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.cert+" "+tc.host, func(t *testing.T) {
			if got := CertificateCovers(tc.cert, tc.host); got != tc.want {
				t.Errorf("CertificateCovers(%q, %q): got %v, want %v", tc.cert, tc.host, got, tc.want)
			}
		})
	}
}
