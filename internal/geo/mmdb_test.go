package geo

import (
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

var (
	_ Locator   = (*MMDB)(nil)
	_ io.Closer = (*MMDB)(nil)
)

func openTestMMDB(t *testing.T, dbType string, nets []testNetwork) *MMDB {
	t.Helper()
	m, err := openMMDB(writeMMDB(t, t.TempDir(), dbType, nets), slog.New(slog.DiscardHandler), pollInterval)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestMMDBShapes(t *testing.T) {
	london := Location{
		Country: "GB", CountryName: "United Kingdom", Region: "ENG", RegionName: "England",
		City: "London", PostalCode: "EC1A", TimeZone: "Europe/London",
		Latitude: "51.51420", Longitude: "-0.09310",
	}
	milton := Location{
		Country: "US", CountryName: "United States", Region: "WA", RegionName: "Washington",
		City: "Milton", PostalCode: "98354", TimeZone: "America/Los_Angeles", MetroCode: "819",
		Latitude: "47.25130", Longitude: "-122.31490",
	}
	dbs := map[string][]testNetwork{
		"GeoIP2-Country": countryNetworks(),
		"GeoIP2-City":    cityNetworks(),
		"ipinfo lite.mmdb": {
			{"81.2.69.0/24", ipinfoLite("GB", "United Kingdom")},
			{"2001:218::/32", ipinfoLite("JP", "Japan")},
			{"89.160.20.112/28", ipinfoLite("", "")},
		},
		"DBIP-City-Lite": {{"89.160.20.112/28", dbipCityLite()}},
		"ipinfo location.mmdb": {
			{"216.160.83.56/29", ipinfoLocation()},
			{"81.2.69.0/24", mmdbtype.Map{"country": mmdbtype.String("GB"), "latitude": mmdbtype.Float64(51.5), "longitude": mmdbtype.Float32(-0.25)}},
			{"89.160.20.112/28", mmdbtype.Map{"country": mmdbtype.String("SE"), "lat": mmdbtype.String("north"), "lng": mmdbtype.Uint32(500)}},
		},
		"ipinfo country.mmdb": {
			{"81.2.69.0/24", ipinfoCountry("DE", "Germany")},
			{"89.160.20.112/28", ipinfoCountry("ZZ", "Unknown")},
		},
	}
	tests := []struct {
		db, ip string
		want   Location
	}{
		{"GeoIP2-Country", "81.2.69.160", Location{Country: "GB", CountryName: "United Kingdom"}},
		{"GeoIP2-Country", "::ffff:81.2.69.160", Location{Country: "GB", CountryName: "United Kingdom"}},
		{"GeoIP2-Country", "216.160.83.58", Location{Country: "US", CountryName: "United States"}},
		{"GeoIP2-Country", "2001:218:1::1", Location{Country: "JP", CountryName: "Japan"}},
		{"GeoIP2-Country", "89.160.20.120", Location{Country: "SE", CountryName: "Sweden"}},
		{"GeoIP2-Country", "67.43.156.1", Location{}},   // continent code "EU" is not a country
		{"GeoIP2-Country", "202.196.224.1", Location{}}, // registered country only
		{"GeoIP2-Country", "8.8.8.8", Location{}},       // not in the database
		{"GeoIP2-Country", "2001:db8::1", Location{}},   // not in the database
		{"GeoIP2-City", "81.2.69.170", london},          //
		{"GeoIP2-City", "216.160.83.60", milton},        //
		{"GeoIP2-City", "81.2.69.1", Location{}},        // outside 81.2.69.160/27
		{"GeoIP2-City", "2001:218::7", Location{Country: "JP", CountryName: "Japan"}},
		{"ipinfo lite.mmdb", "81.2.69.1", Location{Country: "GB", CountryName: "United Kingdom"}},
		{"ipinfo lite.mmdb", "2001:218::7", Location{Country: "JP", CountryName: "Japan"}},
		{"ipinfo lite.mmdb", "89.160.20.113", Location{}},
		{"DBIP-City-Lite", "89.160.20.113", Location{
			Country: "SE", CountryName: "Sweden", RegionName: "Östergötland County", City: "Linköping",
			Latitude: "58.41670", Longitude: "15.61670",
		}},
		{"ipinfo location.mmdb", "216.160.83.57", Location{
			Country: "US", CountryName: "United States", Region: "WA", RegionName: "Washington", City: "Milton",
			PostalCode: "98354", TimeZone: "America/Los_Angeles", Latitude: "47.25130", Longitude: "-122.31490",
		}},
		{"ipinfo location.mmdb", "81.2.69.1", Location{Country: "GB", CountryName: "United Kingdom", Latitude: "51.50000", Longitude: "-0.25000"}},
		// Unparsable or out-of-range coordinates are left out.
		{"ipinfo location.mmdb", "89.160.20.113", Location{Country: "SE", CountryName: "Sweden"}},
		{"ipinfo country.mmdb", "81.2.69.1", Location{Country: "DE", CountryName: "Germany"}},
		{"ipinfo country.mmdb", "89.160.20.113", Location{}},
	}
	open := map[string]*MMDB{}
	for name, nets := range dbs {
		open[name] = openTestMMDB(t, name, nets)
	}
	for _, tc := range tests {
		t.Run(tc.db+"/"+tc.ip, func(t *testing.T) {
			m, ip := open[tc.db], netip.MustParseAddr(tc.ip)
			if got := m.Country(ip); got != tc.want.Country {
				t.Errorf("Country(%s) = %q, want %q", ip, got, tc.want.Country)
			}
			if got := m.Lookup(ip); got != tc.want {
				t.Errorf("Lookup(%s) = %+v, want %+v", ip, got, tc.want)
			}
			for range 2 { // a miss, then the region cache
				if c, r := m.Region(ip); c != tc.want.Country || r != tc.want.Region {
					t.Errorf("Region(%s) = %q, %q, want %q, %q", ip, c, r, tc.want.Country, tc.want.Region)
				}
			}
		})
	}
	t.Run("invalid address", func(t *testing.T) {
		if got := open["GeoIP2-City"].Lookup(netip.Addr{}); got != (Location{}) {
			t.Errorf("Lookup(zero Addr) = %+v, want zero", got)
		}
	})
}

func TestMMDBIPv4Only(t *testing.T) {
	// An IPv4 database cannot answer IPv6 lookups; it must say "unknown".
	path := filepath.Join(t.TempDir(), "v4.mmdb")
	data := buildMMDBWith(t, mmdbwriter.Options{DatabaseType: "GeoIP2-Country", IPVersion: 4, RecordSize: 24}, []testNetwork{{"81.2.69.0/24", geoip2Country("GB", "United Kingdom")}})
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := OpenMMDB(path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for ip, want := range map[string]string{"81.2.69.1": "GB", "::ffff:81.2.69.1": "GB", "2001:218::1": "", "8.8.8.8": ""} {
		if got := m.Country(netip.MustParseAddr(ip)); got != want {
			t.Errorf("Country(%s) = %q, want %q", ip, got, want)
		}
	}
}

func TestOpenMMDBErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := buildMMDB(t, "GeoIP2-Country", countryNetworks())
	corrupt := append([]byte(nil), good...)
	for i := 100; i < 400; i++ { // damage the search tree
		corrupt[i] = 0xff
	}
	asn := buildMMDB(t, "GeoLite2-ASN", []testNetwork{{"81.2.69.0/24", ipinfoLite("", "")}})
	tests := []struct{ name, path string }{
		{"missing", filepath.Join(dir, "nope.mmdb")},
		{"empty", write("empty.mmdb", nil)},
		{"not an mmdb", write("text.mmdb", []byte("hello, world"))},
		{"truncated", write("truncated.mmdb", good[:len(good)/2])},
		{"corrupt tree", write("corrupt.mmdb", corrupt)},
		{"no countries", write("asn.mmdb", asn)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := OpenMMDB(tc.path, nil)
			if err == nil {
				m.Close()
				t.Fatalf("OpenMMDB(%s) succeeded, want an error", tc.name)
			}
			t.Log(err)
		})
	}
}

func TestMMDBStatus(t *testing.T) {
	m := openTestMMDB(t, "GeoIP2-City", cityNetworks())
	st := m.Status()
	if st.DatabaseType != "GeoIP2-City" || st.LastError != nil || st.BuildTime.IsZero() {
		t.Errorf("Status() = %+v, want type GeoIP2-City, a build time and no error", st)
	}
	if err := m.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close() = %v", err)
	}
	if got := m.Country(netip.MustParseAddr("81.2.69.170")); got != "GB" {
		t.Errorf("Country after Close = %q, want GB", got)
	}
}

// refRecord is the GeoIP2 City layout decoded with plain maps, independently
// of this package's record structs: the reference Lookup is checked against.
type refRecord struct {
	City struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"city"`
	Country struct {
		ISOCode string            `maxminddb:"iso_code"`
		Names   map[string]string `maxminddb:"names"`
	} `maxminddb:"country"`
	Location struct {
		Latitude  *float64 `maxminddb:"latitude"`
		Longitude *float64 `maxminddb:"longitude"`
		MetroCode uint     `maxminddb:"metro_code"`
		TimeZone  string   `maxminddb:"time_zone"`
	} `maxminddb:"location"`
	Postal struct {
		Code string `maxminddb:"code"`
	} `maxminddb:"postal"`
	Subdivisions []struct {
		ISOCode string            `maxminddb:"iso_code"`
		Names   map[string]string `maxminddb:"names"`
	} `maxminddb:"subdivisions"`
}

// want is what Lookup must make of r.
func (r refRecord) want() Location {
	clean := func(s string) string {
		if len(s) > maxTextLen || strings.ContainsFunc(s, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
			return ""
		}
		return s
	}
	coord := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', 5, 64)
	}
	l := Location{
		Country: canonicalCountry(r.Country.ISOCode), City: clean(r.City.Names["en"]),
		PostalCode: clean(r.Postal.Code), TimeZone: clean(r.Location.TimeZone),
		Latitude: coord(r.Location.Latitude), Longitude: coord(r.Location.Longitude),
	}
	if l.Country != "" {
		l.CountryName = clean(r.Country.Names["en"])
		if l.CountryName == "" {
			l.CountryName = CountryName(l.Country)
		}
	}
	if r.Location.MetroCode != 0 {
		l.MetroCode = strconv.Itoa(int(r.Location.MetroCode))
	}
	if len(r.Subdivisions) > 0 {
		l.Region, l.RegionName = clean(r.Subdivisions[0].ISOCode), clean(r.Subdivisions[0].Names["en"])
	}
	return l
}

// TestMMDBVariedRecords checks Country and Lookup on every network of a
// database of varied City records: long strings, shared values, missing
// fields, non-country codes and header-unsafe text.
func TestMMDBVariedRecords(t *testing.T) {
	m := openTestMMDB(t, "GeoIP2-City", variedNetworks(600))
	n := 0
	for res := range m.cur.Load().reader.Networks() {
		var ref refRecord
		if err := res.Decode(&ref); err != nil {
			t.Fatalf("%s: decode: %v", res.Prefix(), err)
		}
		ip, want := res.Prefix().Addr(), ref.want()
		if got := m.Lookup(ip); got != want {
			t.Errorf("Lookup(%s):\n got %+v\nwant %+v", ip, got, want)
		}
		if got := m.Country(ip); got != want.Country {
			t.Errorf("Country(%s) = %q, want %q", ip, got, want.Country)
		}
		if c, r := m.Region(ip); c != want.Country || r != want.Region {
			t.Errorf("Region(%s) = %q, %q, want %q, %q", ip, c, r, want.Country, want.Region)
		}
		n++
	}
	if n != 600 {
		t.Errorf("checked %d networks, want 600", n)
	}
}

func TestMMDBCountryNoAlloc(t *testing.T) {
	m := openTestMMDB(t, "GeoIP2-City", cityNetworks())
	// The IPv4-only database answers IPv6 addresses without the library's
	// error, which would allocate.
	v4db := buildMMDBWith(t, mmdbwriter.Options{DatabaseType: "GeoIP2-Country", IPVersion: 4, RecordSize: 24},
		[]testNetwork{{"81.2.69.0/24", geoip2Country("GB", "United Kingdom")}})
	path := filepath.Join(t.TempDir(), "v4.mmdb")
	if err := os.WriteFile(path, v4db, 0o644); err != nil {
		t.Fatal(err)
	}
	m4, err := openMMDB(path, slog.New(slog.DiscardHandler), pollInterval)
	if err != nil {
		t.Fatal(err)
	}
	defer m4.Close()
	v4, v6, mapped := mustAddr("81.2.69.170"), mustAddr("2001:218::1"), mustAddr("::ffff:81.2.69.170")
	absent := mustAddr("8.8.8.8")
	allocs := testing.AllocsPerRun(200, func() {
		if m.Country(v4) != "GB" || m.Country(v6) != "JP" || m.Country(mapped) != "GB" ||
			m.Country(absent) != "" || m.Country(netip.Addr{}) != "" ||
			m4.Country(v4) != "GB" || m4.Country(v6) != "" {
			t.Fatal("wrong country")
		}
	})
	if allocs != 0 {
		t.Errorf("Country allocates %v times per run, want 0", allocs)
	}
	// Nor does a cache miss, which decodes the record, in any layout.
	for _, tc := range []struct {
		name string
		rec  mmdbtype.Map
	}{
		{"GeoIP2-City", geoip2City(londonRecord)},
		{"ipinfo lite.mmdb", ipinfoLite("GB", "United Kingdom")},
		{"ipinfo country.mmdb", ipinfoCountry("GB", "United Kingdom")},
	} {
		m := openTestMMDB(t, tc.name, []testNetwork{{"81.2.69.0/24", tc.rec}})
		f := m.cur.Load()
		allocs := testing.AllocsPerRun(50, func() {
			// Miss both caches: the address cache (its maps keep their
			// memory when cleared) and the per-record one.
			for i := range f.addrs.shards {
				clear(f.addrs.shards[i].m)
			}
			*f.countries = countryCache{}
			if m.Country(v4) != "GB" {
				t.Fatal("wrong country")
			}
		})
		if allocs != 0 {
			t.Errorf("%s: Country on a cache miss allocates %v times per run, want 0", tc.name, allocs)
		}
	}
}

func TestMMDBRegionNoAlloc(t *testing.T) {
	m := openTestMMDB(t, "GeoIP2-City", cityNetworks())
	london, absent := mustAddr("81.2.69.170"), mustAddr("8.8.8.8")
	m.Region(london)
	allocs := testing.AllocsPerRun(200, func() {
		if c, r := m.Region(london); c != "GB" || r != "ENG" {
			t.Fatalf("Region = %q, %q, want GB, ENG", c, r)
		}
		if c, r := m.Region(absent); c != "" || r != "" {
			t.Fatalf("Region(absent) = %q, %q, want nothing", c, r)
		}
	})
	if allocs != 0 {
		t.Errorf("Region allocates %v times per run once cached, want 0", allocs)
	}
}
