package geo

import (
	"log/slog"
	"net/netip"
	"testing"
)

// validCountry reports whether c is "" or two upper-case letters.
func validCountry(c string) bool {
	return c == "" || (len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z')
}

func FuzzCountry(f *testing.F) {
	for _, s := range []string{"8.8.8.8", "1.1.1.1", "::ffff:81.2.69.1", "2001:218::1", "::1", "2001:4860:4860::8888", "fe80::1"} {
		b := netip.MustParseAddr(s).As16()
		f.Add(b[:])
	}
	m, err := openMMDB(writeMMDB(f, f.TempDir(), "GeoIP2-City", treeNetworks()), slog.New(slog.DiscardHandler), pollInterval)
	if err != nil {
		f.Fatal(err)
	}
	defer m.Close()
	reader := m.cur.Load().reader
	locators := map[string]Locator{"embedded": Embedded(), "mmdb": m}
	f.Fuzz(func(t *testing.T, b []byte) {
		var a [16]byte
		copy(a[:], b)
		v6 := netip.AddrFrom16(a)
		for _, ip := range []netip.Addr{v6, v6.Unmap(), netip.AddrFrom4([4]byte(a[:4]))} {
			// The cached answer must be the library's, asked plainly.
			var want string
			if err := reader.Lookup(ip.Unmap()).DecodePath(&want, "country", "iso_code"); err != nil {
				t.Fatalf("library lookup of %s: %v", ip, err)
			}
			if got := m.Country(ip); got != canonicalCountry(want) {
				t.Fatalf("mmdb: Country(%s) = %q, library says %q", ip, got, want)
			}
			for name, loc := range locators {
				c := loc.Country(ip)
				if !validCountry(c) {
					t.Fatalf("%s: Country(%s) = %q, want \"\" or two upper-case letters", name, ip, c)
				}
				l := loc.Lookup(ip)
				if l.Country != c || (c == "") != (l.CountryName == "") {
					t.Fatalf("%s: Lookup(%s) = %+v disagrees with Country = %q", name, ip, l, c)
				}
			}
		}
	})
}
