package geo

import (
	"log/slog"
	"net/netip"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter/mmdbtype"
)

var _ interface{ ASN(netip.Addr) uint32 } = (*ASNDB)(nil)

// geoLite2ASN is a record in GeoLite2-ASN shape (DB-IP ASN shares it).
func geoLite2ASN(n uint32, org string) mmdbtype.Map {
	return mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(n), "autonomous_system_organization": mmdbtype.String(org)}
}

func openTestASN(t *testing.T, dbType string, nets []testNetwork) *ASNDB {
	t.Helper()
	d, err := OpenASN(writeMMDB(t, t.TempDir(), dbType, nets), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestASN(t *testing.T) {
	dbs := map[string]*ASNDB{
		"GeoLite2-ASN": openTestASN(t, "GeoLite2-ASN", []testNetwork{
			{"81.2.69.0/24", geoLite2ASN(64500, "Example Net")},
			{"2001:218::/32", geoLite2ASN(4200000000, "Four-byte AS")},
			{"89.160.20.112/28", mmdbtype.Map{"autonomous_system_organization": mmdbtype.String("no number")}},
		}),
		"ipinfo lite": openTestASN(t, "ipinfo lite", []testNetwork{
			{"81.2.69.0/24", ipinfoLite("GB", "United Kingdom")}, // asn AS64500
			{"89.160.20.112/28", mmdbtype.Map{"asn": mmdbtype.String("64501"), "country_code": mmdbtype.String("SE")}},
			{"216.160.83.56/29", mmdbtype.Map{"asn": mmdbtype.String("AS99999999999"), "country_code": mmdbtype.String("US")}},
		}),
	}
	for _, tc := range []struct {
		db, ip string
		want   uint32
	}{
		{"GeoLite2-ASN", "81.2.69.160", 64500},
		{"GeoLite2-ASN", "::ffff:81.2.69.160", 64500},
		{"GeoLite2-ASN", "2001:218::1", 4200000000},
		{"GeoLite2-ASN", "89.160.20.113", 0}, // a record without a number
		{"GeoLite2-ASN", "8.8.8.8", 0},       // not in the database
		{"GeoLite2-ASN", "", 0},              // the zero Addr
		{"ipinfo lite", "81.2.69.1", 64500},
		{"ipinfo lite", "89.160.20.113", 0}, // not "AS…"
		{"ipinfo lite", "216.160.83.57", 0}, // does not fit 32 bits
	} {
		t.Run(tc.db+"/"+tc.ip, func(t *testing.T) {
			var ip netip.Addr
			if tc.ip != "" {
				ip = netip.MustParseAddr(tc.ip)
			}
			for range 2 { // a decode, then the cache
				if got := dbs[tc.db].ASN(ip); got != tc.want {
					t.Errorf("ASN(%s) = %d, want %d", tc.ip, got, tc.want)
				}
			}
		})
	}
}

// TestASNRefusesOtherDatabases: a country database is not an ASN database,
// and an ASN database is not a country database.
func TestASNRefusesOtherDatabases(t *testing.T) {
	country := writeMMDB(t, t.TempDir(), "GeoIP2-Country", countryNetworks())
	if _, err := OpenASN(country, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "not an ASN database") {
		t.Errorf("OpenASN(a country database) = %v, want an error saying it is not an ASN database", err)
	}
	asn := writeMMDB(t, t.TempDir(), "GeoLite2-ASN", []testNetwork{{"81.2.69.0/24", geoLite2ASN(64500, "Example Net")}})
	if _, err := OpenMMDB(asn, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "no country") {
		t.Errorf("OpenMMDB(an ASN database) = %v, want an error saying it has no country", err)
	}
}

func TestASNNoAlloc(t *testing.T) {
	d := openTestASN(t, "GeoLite2-ASN", []testNetwork{{"81.2.69.0/24", geoLite2ASN(64500, "Example Net")}})
	in, out := mustAddr("81.2.69.170"), mustAddr("8.8.8.8")
	d.ASN(in)
	allocs := testing.AllocsPerRun(200, func() {
		if d.ASN(in) != 64500 || d.ASN(out) != 0 {
			t.Fatal("wrong ASN")
		}
	})
	if allocs != 0 {
		t.Errorf("ASN allocates %v times per run once cached, want 0", allocs)
	}
}
