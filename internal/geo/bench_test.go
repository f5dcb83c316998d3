package geo

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
)

var sinkCountry string

func BenchmarkEmbeddedCountryV4(b *testing.B) {
	db := Embedded()
	ip := netip.MustParseAddr("8.8.8.8")
	b.ReportAllocs()
	for b.Loop() {
		sinkCountry = db.Country(ip)
	}
}

func BenchmarkEmbeddedCountryV6(b *testing.B) {
	db := Embedded()
	db.Warm()
	ip := netip.MustParseAddr("2001:4860:4860::8888")
	b.ReportAllocs()
	for b.Loop() {
		sinkCountry = db.Country(ip)
	}
}

// randomAddrs returns n pseudo-random public-looking addresses, so that a
// benchmark pays for cache misses the way real traffic does.
func randomAddrs(n int, v6 bool) []netip.Addr {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]netip.Addr, n)
	for i := range out {
		if v6 {
			var a [16]byte
			a[0], a[1] = 0x20, byte(r.IntN(16))
			for j := 2; j < 16; j++ {
				a[j] = byte(r.Uint32())
			}
			out[i] = netip.AddrFrom16(a)
		} else {
			out[i] = netip.AddrFrom4([4]byte{byte(1 + r.IntN(222)), byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())})
		}
	}
	return out
}

func BenchmarkEmbeddedCountryRandom(b *testing.B) {
	db := Embedded()
	db.Warm()
	for _, v6 := range []bool{false, true} {
		addrs := randomAddrs(1<<16, v6)
		b.Run(fmt.Sprintf("v6=%v", v6), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				sinkCountry = db.Country(addrs[i&(len(addrs)-1)])
				i++
			}
		})
	}
}

func BenchmarkMMDBCountry(b *testing.B) {
	dir := b.TempDir()
	cases := []struct {
		name, dbType, ip string
		nets             []testNetwork
	}{
		{"country/v4", "GeoIP2-Country", "81.2.69.160", countryNetworks()},
		{"country/v6", "GeoIP2-Country", "2001:218::1", countryNetworks()},
		{"city/v4", "GeoIP2-City", "81.2.69.160", cityNetworks()},
		{"city/v6", "GeoIP2-City", "2001:218::1", cityNetworks()},
		{"ipinfo/v4", "ipinfo lite.mmdb", "81.2.69.160", []testNetwork{{"81.2.69.0/24", ipinfoLite("GB", "United Kingdom")}}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			m, err := openMMDB(writeMMDB(b, dir, tc.dbType, tc.nets), slog.New(slog.DiscardHandler), pollInterval)
			if err != nil {
				b.Fatal(err)
			}
			defer m.Close()
			ip := netip.MustParseAddr(tc.ip)
			if m.Country(ip) == "" {
				b.Fatalf("no country for %s", ip)
			}
			b.ReportAllocs()
			for b.Loop() {
				sinkCountry = m.Country(ip)
			}
		})
	}
}

// BenchmarkMMDBCountryLarge uses a tree of realistic depth (60,000 City
// records spread over the IPv4 space) and 64Ki addresses inside those
// networks, visited in random order, so that it pays for cache misses in the
// tree and the country cache the way real traffic does.
func BenchmarkMMDBCountryLarge(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	var nets []testNetwork
	addrs := make([]netip.Addr, 0, 1<<16)
	for i := range 60000 {
		c := countries[r.IntN(len(countries))]
		rec := geoip2City(cityRecord{iso: c.code, country: c.name, sub: "S" + c.code, subName: "Region",
			city: fmt.Sprintf("City %d", i%5000), postal: "1", tz: "UTC", lat: 1, lon: 2})
		a := [4]byte{byte(1 + i%222), byte(i / 222), byte(r.IntN(256)), 0}
		nets = append(nets, testNetwork{fmt.Sprintf("%d.%d.%d.0/24", a[0], a[1], a[2]), rec})
		a[3] = byte(r.IntN(256))
		addrs = append(addrs, netip.AddrFrom4(a))
	}
	addrs = addrs[:1<<15]
	addrs = append(addrs, randomAddrs(1<<15, false)...) // and as many misses
	r.Shuffle(len(addrs), func(i, j int) { addrs[i], addrs[j] = addrs[j], addrs[i] })
	data := buildMMDBWith(b, mmdbwriter.Options{DatabaseType: "GeoIP2-City", RecordSize: 28, IncludeReservedNetworks: true}, nets)
	path := filepath.Join(b.TempDir(), "large.mmdb")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	m, err := openMMDB(path, slog.New(slog.DiscardHandler), pollInterval)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	b.Logf("database: %d bytes, %d networks", len(data), len(nets))
	b.Run("Country", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			sinkCountry = m.Country(addrs[i&(len(addrs)-1)])
			i++
		}
	})
	b.Run("Lookup", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			sinkCountry = m.Lookup(addrs[i&(len(addrs)-1)]).City
			i++
		}
	})
}

func BenchmarkMMDBLookupCity(b *testing.B) {
	m, err := openMMDB(writeMMDB(b, b.TempDir(), "GeoIP2-City", cityNetworks()), slog.New(slog.DiscardHandler), pollInterval)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	ip := netip.MustParseAddr("216.160.83.60")
	b.ReportAllocs()
	for b.Loop() {
		sinkCountry = m.Lookup(ip).City
	}
}

func BenchmarkRestrictionAllows(b *testing.B) {
	r, err := NewRestriction("blacklist", []string{"CN", "RU", "KP"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	ok := true
	for b.Loop() {
		ok = ok && r.Allows("US")
	}
	if !ok {
		b.Fatal("US blocked")
	}
}
