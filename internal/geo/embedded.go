package geo

import (
	"net/netip"

	"github.com/phuslu/iploc"
)

// EmbeddedDB is the country database compiled into the binary: IP2Location
// LITE DB1 as packaged by github.com/phuslu/iploc. It knows countries only, so
// Lookup fills Country and CountryName. Its zero value is ready to use.
type EmbeddedDB struct{}

// Embedded returns the built-in database. The first IPv6 lookup unpacks the
// IPv6 table (about 11 MB, tens of milliseconds); call [EmbeddedDB.Warm] at
// start-up to pay that before serving.
func Embedded() *EmbeddedDB { return &EmbeddedDB{} }

// EmbeddedVersion is the release of the embedded data (its IP2Location LITE
// refresh date).
const EmbeddedVersion = iploc.Version

// warmAddr is any IPv6 address: looking it up unpacks the IPv6 table.
var warmAddr = netip.MustParseAddr("2001:4860:4860::8888")

// Warm unpacks the IPv6 table now rather than on the first IPv6 lookup. It is
// safe to call concurrently with lookups and more than once: iploc unpacks
// under a sync.Once, so concurrent first lookups wait for one unpack. With
// IPLOC_IPV4ONLY set in the environment iploc never unpacks it, and every
// IPv6 address is unknown.
func (*EmbeddedDB) Warm() {
	iploc.IPCountry(warmAddr)
}

// Country returns the address's country or "". Private, loopback and other
// addresses the data marks "ZZ" are unknown.
func (*EmbeddedDB) Country(ip netip.Addr) string {
	ip = ip.Unmap()
	if !ip.IsValid() {
		return ""
	}
	return canonicalCountry(iploc.IPCountry(ip))
}

// Region returns the address's country; the embedded data has no regions.
func (db *EmbeddedDB) Region(ip netip.Addr) (country, region string) {
	return db.Country(ip), ""
}

// Lookup returns the address's country and its English name.
func (db *EmbeddedDB) Lookup(ip netip.Addr) Location {
	c := db.Country(ip)
	return Location{Country: c, CountryName: CountryName(c)}
}
