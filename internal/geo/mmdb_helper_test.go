package geo

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// Test databases are built with mmdbwriter in the record shapes the vendors
// ship. Networks come from MaxMind's own test data (81.2.69.0/24,
// 216.160.83.56/29, 2001:218::/32, 89.160.20.112/28), which are not reserved,
// so the writer needs no IncludeReservedNetworks.

type testNetwork struct {
	cidr string
	rec  mmdbtype.Map
}

func names(en string) mmdbtype.Map {
	return mmdbtype.Map{"en": mmdbtype.String(en), "de": mmdbtype.String(en + " (de)"), "ja": mmdbtype.String("名前")}
}

// geoip2Country is a record in GeoIP2-Country shape.
func geoip2Country(iso, name string) mmdbtype.Map {
	return mmdbtype.Map{
		"continent": mmdbtype.Map{"code": mmdbtype.String("EU"), "geoname_id": mmdbtype.Uint32(6255148), "names": names("Europe")},
		"country": mmdbtype.Map{
			"geoname_id": mmdbtype.Uint32(2635167), "is_in_european_union": mmdbtype.Bool(false),
			"iso_code": mmdbtype.String(iso), "names": names(name),
		},
		"registered_country": mmdbtype.Map{"geoname_id": mmdbtype.Uint32(6252001), "iso_code": mmdbtype.String("US"), "names": names("United States")},
	}
}

// cityRecord describes a GeoIP2-City shaped record.
type cityRecord struct {
	iso, country, sub, subName, city, postal, tz string
	lat, lon                                     float64
	metro                                        uint16
}

func geoip2City(c cityRecord) mmdbtype.Map {
	rec := geoip2Country(c.iso, c.country)
	rec["city"] = mmdbtype.Map{"geoname_id": mmdbtype.Uint32(2643743), "names": names(c.city)}
	loc := mmdbtype.Map{
		"accuracy_radius": mmdbtype.Uint16(100), "latitude": mmdbtype.Float64(c.lat),
		"longitude": mmdbtype.Float64(c.lon), "time_zone": mmdbtype.String(c.tz),
	}
	if c.metro != 0 {
		loc["metro_code"] = mmdbtype.Uint16(c.metro)
	}
	rec["location"] = loc
	rec["postal"] = mmdbtype.Map{"code": mmdbtype.String(c.postal)}
	rec["subdivisions"] = mmdbtype.Slice{
		mmdbtype.Map{"geoname_id": mmdbtype.Uint32(6269131), "iso_code": mmdbtype.String(c.sub), "names": names(c.subName)},
		// A second level, which only the first-level lookups must skip.
		mmdbtype.Map{"geoname_id": mmdbtype.Uint32(1), "iso_code": mmdbtype.String("LV2"), "names": names("Second level")},
	}
	return rec
}

// ipinfoLite is a record in IPinfo lite shape: country is the name.
func ipinfoLite(code, name string) mmdbtype.Map {
	return mmdbtype.Map{
		"as_domain": mmdbtype.String("example.net"), "as_name": mmdbtype.String("Example Net"),
		"asn": mmdbtype.String("AS64500"), "continent": mmdbtype.String("Europe"),
		"continent_code": mmdbtype.String("EU"), "country": mmdbtype.String(name),
		"country_code": mmdbtype.String(code),
	}
}

// ipinfoCountry is a record in IPinfo's older country shape: country is the code.
func ipinfoCountry(code, name string) mmdbtype.Map {
	return mmdbtype.Map{
		"continent": mmdbtype.String("EU"), "continent_name": mmdbtype.String("Europe"),
		"country": mmdbtype.String(code), "country_name": mmdbtype.String(name),
	}
}

// dbipCityLite is a record in DB-IP's City Lite shape: MaxMind's layout,
// but subdivisions without codes and no postal code or time zone.
func dbipCityLite() mmdbtype.Map {
	rec := geoip2Country("SE", "Sweden")
	rec["city"] = mmdbtype.Map{"names": names("Linköping")}
	rec["location"] = mmdbtype.Map{"latitude": mmdbtype.Float64(58.4167), "longitude": mmdbtype.Float64(15.6167)}
	rec["subdivisions"] = mmdbtype.Slice{mmdbtype.Map{"names": names("Östergötland County")}}
	return rec
}

// ipinfoLocation is a record in the shape of IPinfo's location databases:
// flat strings, coordinates included.
func ipinfoLocation() mmdbtype.Map {
	return mmdbtype.Map{
		"city": mmdbtype.String("Milton"), "country": mmdbtype.String("US"),
		"lat": mmdbtype.String("47.2513"), "lng": mmdbtype.String("-122.3149"),
		"postal_code": mmdbtype.String("98354"), "region": mmdbtype.String("Washington"),
		"region_code": mmdbtype.String("WA"), "timezone": mmdbtype.String("America/Los_Angeles"),
	}
}

// buildMMDB returns an IPv6 database (IPv4 included) holding nets.
func buildMMDB(tb testing.TB, dbType string, nets []testNetwork) []byte {
	tb.Helper()
	return buildMMDBWith(tb, mmdbwriter.Options{DatabaseType: dbType, RecordSize: 28}, nets)
}

func buildMMDBWith(tb testing.TB, opts mmdbwriter.Options, nets []testNetwork) []byte {
	tb.Helper()
	w, err := mmdbwriter.New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	for _, n := range nets {
		_, ipnet, err := net.ParseCIDR(n.cidr)
		if err != nil {
			tb.Fatal(err)
		}
		if err := w.Insert(ipnet, n.rec); err != nil {
			tb.Fatalf("insert %s: %v", n.cidr, err)
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// writeMMDB writes a database into dir and returns its path.
func writeMMDB(tb testing.TB, dir, dbType string, nets []testNetwork) string {
	tb.Helper()
	path := filepath.Join(dir, dbType+".mmdb")
	if err := os.WriteFile(path, buildMMDB(tb, dbType, nets), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// replaceFile puts data at path the way a careful updater does: write a
// temporary file in the same directory, then rename it over the old one.
func replaceFile(tb testing.TB, path string, data []byte) {
	tb.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
}

var (
	londonRecord = cityRecord{
		iso: "GB", country: "United Kingdom", sub: "ENG", subName: "England", city: "London",
		postal: "EC1A", tz: "Europe/London", lat: 51.5142, lon: -0.0931,
	}
	miltonRecord = cityRecord{
		iso: "US", country: "United States", sub: "WA", subName: "Washington", city: "Milton",
		postal: "98354", tz: "America/Los_Angeles", lat: 47.2513, lon: -122.3149, metro: 819,
	}
)

func countryNetworks() []testNetwork {
	return []testNetwork{
		{"81.2.69.0/24", geoip2Country("GB", "United Kingdom")},
		{"216.160.83.56/29", geoip2Country("US", "United States")},
		{"2001:218::/32", geoip2Country("JP", "Japan")},
		{"89.160.20.112/28", geoip2Country("SE", "Sweden")},
		// MaxMind marks networks it can place only on a continent with the
		// continent code; it is not a country.
		{"67.43.156.0/24", geoip2Country("EU", "Europe")},
		{"202.196.224.0/20", mmdbtype.Map{"registered_country": mmdbtype.Map{"iso_code": mmdbtype.String("PH")}}},
	}
}

func cityNetworks() []testNetwork {
	return []testNetwork{
		{"81.2.69.160/27", geoip2City(londonRecord)},
		{"216.160.83.56/29", geoip2City(miltonRecord)},
		{"2001:218::/32", geoip2Country("JP", "Japan")},
	}
}

// variedNetworks returns n City-shaped records exercising long strings (the
// two- and three-byte size forms), shared values (pointers), missing fields,
// non-country codes and header-unsafe text.
func variedNetworks(n int) []testNetwork {
	var nets []testNetwork
	for i := range n {
		c := countries[i%len(countries)]
		rec := cityRecord{
			iso: c.code, country: c.name, sub: fmt.Sprintf("S%d", i%7), subName: "Region " + strconv.Itoa(i%13),
			city: strings.Repeat("City", i%150), postal: strconv.Itoa(10000 + i), tz: "Etc/GMT+" + strconv.Itoa(i%12),
			lat: float64(i%180) - 89.987654, lon: float64(i%360) - 179.5, metro: uint16(i % 3 * 500),
		}
		switch i % 10 {
		case 3:
			rec.iso = "EU"
		case 5:
			rec.city = "Bad\r\nCity"
		case 7:
			rec.iso = "xk"
		}
		m := geoip2City(rec)
		if i%9 == 4 {
			delete(m, "location")
			delete(m, "subdivisions")
		}
		if i%11 == 6 {
			m["country"] = mmdbtype.Map{"iso_code": mmdbtype.String(c.code)} // no names
		}
		nets = append(nets, testNetwork{fmt.Sprintf("81.%d.%d.0/24", 2+i/256, i%256), m})
	}
	return nets
}

// treeNetworks mixes IPv4 and IPv6 networks of many prefix lengths.
func treeNetworks() []testNetwork {
	nets := variedNetworks(300)
	for i, cidr := range []string{
		"2001:218::/32", "2a02:ff00::/24", "2c0f:f000::/20", "2400:cb00:2048:1::/64",
		"2001:470:1f0b:1::/64", "2600::/12", "2a00:1450:4001:80b::200e/128", "1.0.0.0/8",
		"5.6.7.8/32", "31.0.0.0/10", "202.12.27.0/25", "223.255.255.0/24",
	} {
		c := countries[(i*37)%len(countries)]
		nets = append(nets, testNetwork{cidr, geoip2Country(c.code, c.name)})
	}
	return nets
}
