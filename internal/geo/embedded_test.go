package geo

import (
	"net/netip"
	"sync"
	"testing"
)

var _ Locator = Embedded()

// TestEmbeddedConcurrentFirstIPv6 must stay the first test that looks up an
// IPv6 address in the embedded database: it checks, under -race, that
// concurrent first lookups share one unpack of the IPv6 table.
func TestEmbeddedConcurrentFirstIPv6(t *testing.T) {
	db := Embedded()
	ip := netip.MustParseAddr("2001:200::1")
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Go(func() {
			if i == 0 {
				db.Warm()
			}
			got[i] = db.Country(ip)
		})
	}
	wg.Wait()
	for i, c := range got {
		if c != "JP" {
			t.Errorf("goroutine %d: Country(%s) = %q, want JP", i, ip, c)
		}
	}
}

func TestEmbeddedCountry(t *testing.T) {
	tests := []struct {
		ip, want string
	}{
		{"8.8.8.8", "US"},
		{"9.9.9.9", "US"},
		// iploc's README says 1.1.1.1 is US; the IP2Location LITE data says AU
		// (APNIC's research network), and that is what is served.
		{"1.1.1.1", "AU"},
		{"81.2.69.160", "GB"},
		{"193.0.6.139", "NL"},
		{"202.12.27.33", "JP"},
		{"::ffff:8.8.8.8", "US"},
		{"2001:4860:4860::8888", "US"},
		{"2a00:1450:4001:80b::200e", "DE"},
		{"2001:200::1", "JP"},
		// The data marks these "ZZ": unknown, so "".
		{"10.0.0.1", ""},
		{"127.0.0.1", ""},
		{"192.168.1.1", ""},
		{"100.64.0.1", ""},
		{"0.0.0.0", ""},
		{"255.255.255.255", ""},
		{"::1", ""},
		{"::", ""},
		{"fe80::1%eth0", ""},
		{"fc00::1", ""},
		{"2001:db8::1", ""},
	}
	db := Embedded()
	for _, tc := range tests {
		t.Run(tc.ip, func(t *testing.T) {
			ip := netip.MustParseAddr(tc.ip)
			if got := db.Country(ip); got != tc.want {
				t.Errorf("Country(%s) = %q, want %q", ip, got, tc.want)
			}
			want := Location{Country: tc.want, CountryName: CountryName(tc.want)}
			if c, r := db.Region(ip); c != tc.want || r != "" {
				t.Errorf("Region(%s) = %q, %q, want %q and no region", ip, c, r, tc.want)
			}
			if got := db.Lookup(ip); got != want {
				t.Errorf("Lookup(%s) = %+v, want %+v", ip, got, want)
			}
		})
	}
	if got := db.Country(netip.Addr{}); got != "" {
		t.Errorf("Country(zero Addr) = %q, want \"\"", got)
	}
}
