// Package geo maps viewer IP addresses to countries (and, where the database
// has them, regions, cities and coordinates) for CloudFront's geographic
// restrictions and its CloudFront-Viewer-* headers.
//
// Two sources implement [Locator]:
//
//   - [Embedded], a country-only database compiled into the binary, and
//   - [OpenMMDB], a MaxMind-format file (GeoIP2/GeoLite2 Country or City,
//     DB-IP, IPinfo) that is reloaded when it changes on disk.
//
// Country is the fast path used by geo restrictions: it does not allocate.
//
// [ASNDB] maps addresses to autonomous system numbers from a MaxMind-format
// ASN database (GeoLite2-ASN, DB-IP ASN, IPinfo), for AWS WAF's ASN match.
//
// A country is an upper-case ISO 3166-1 alpha-2 code (plus XK for Kosovo, as
// MaxMind returns it) or "" when unknown; placeholder answers such as "ZZ",
// "EU" or "??" are reported as "". CloudFront serves viewers whose country
// cannot be determined, and [Restriction.Allows] does the same.
//
// Attribution: the embedded database is IP2Location LITE data, licensed under
// CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/). This product
// includes IP2Location LITE data available from https://lite.ip2location.com.
// The data is embedded through github.com/phuslu/iploc (MIT licence); see the
// NOTICE file at the repository root.
package geo

import (
	"net/netip"
	"strings"
)

// Location is what a database knows about an address. Every field is "" when
// unknown; strings are exactly what the CloudFront-Viewer-* headers carry.
type Location struct {
	Country     string // ISO 3166-1 alpha-2, upper case
	CountryName string // English name
	Region      string // first-level ISO 3166-2 subdivision code, without the country prefix ("WA")
	RegionName  string
	City        string
	PostalCode  string
	TimeZone    string // IANA time zone name
	MetroCode   string // US metro (DMA) code
	Latitude    string // decimal degrees, five places ("37.92490")
	Longitude   string
}

// Locator answers geographic questions about addresses. Implementations are
// safe for concurrent use.
type Locator interface {
	// Country returns the address's country code or "" when unknown. It does
	// not allocate.
	Country(ip netip.Addr) string
	// Lookup returns everything the database knows about the address.
	Lookup(ip netip.Addr) Location
	// Region returns the address's country and its Location.Region (the
	// first-level subdivision), "" when unknown, without decoding the rest
	// of the record. Once an address's record was seen it does not
	// allocate (AWS WAF's geo match labels every request with both).
	Region(ip netip.Addr) (country, region string)
}

// The CloudFront viewer-location headers, as CloudFront spells them. CloudFront
// adds them only when an origin request or cache policy asks for them.
const (
	HeaderCountry           = "CloudFront-Viewer-Country"
	HeaderCountryName       = "CloudFront-Viewer-Country-Name"
	HeaderCountryRegion     = "CloudFront-Viewer-Country-Region"
	HeaderCountryRegionName = "CloudFront-Viewer-Country-Region-Name"
	HeaderCity              = "CloudFront-Viewer-City"
	HeaderPostalCode        = "CloudFront-Viewer-Postal-Code"
	HeaderTimeZone          = "CloudFront-Viewer-Time-Zone"
	HeaderLatitude          = "CloudFront-Viewer-Latitude"
	HeaderLongitude         = "CloudFront-Viewer-Longitude"
	HeaderMetroCode         = "CloudFront-Viewer-Metro-Code"
)

const headerPrefix = "CloudFront-Viewer-"

// Header returns the value of a CloudFront viewer-location header for this
// location. name is matched case-insensitively. ok is false when name is not a
// location header or when the database does not know the value, in which case
// CloudFront omits the header.
func (l Location) Header(name string) (value string, ok bool) {
	if len(name) <= len(headerPrefix) || !strings.EqualFold(name[:len(headerPrefix)], headerPrefix) {
		return "", false
	}
	switch suffix := name[len(headerPrefix):]; {
	case strings.EqualFold(suffix, "Country"):
		value = l.Country
	case strings.EqualFold(suffix, "Country-Name"):
		value = l.CountryName
	case strings.EqualFold(suffix, "Country-Region"):
		value = l.Region
	case strings.EqualFold(suffix, "Country-Region-Name"):
		value = l.RegionName
	case strings.EqualFold(suffix, "City"):
		value = l.City
	case strings.EqualFold(suffix, "Postal-Code"):
		value = l.PostalCode
	case strings.EqualFold(suffix, "Time-Zone"):
		value = l.TimeZone
	case strings.EqualFold(suffix, "Latitude"):
		value = l.Latitude
	case strings.EqualFold(suffix, "Longitude"):
		value = l.Longitude
	case strings.EqualFold(suffix, "Metro-Code"):
		value = l.MetroCode
	}
	return value, value != ""
}
