package geo

import (
	"math"
	"strconv"
	"sync"

	"github.com/oschwald/maxminddb-golang/v2"
)

// Record layouts this package reads, by vendor:
//
//	MaxMind GeoIP2/GeoLite2, DB-IP  country{iso_code, names{en}}, subdivisions[{iso_code, names{en}}],
//	                                city{names{en}}, postal{code},
//	                                location{time_zone, latitude, longitude, metro_code}
//	IPinfo lite                     country_code, country (the name)
//	IPinfo country (older)          country (the code), country_name
//	IPinfo location databases       city, region, region_code, postal_code, timezone,
//	                                latitude/lat, longitude/lng (strings or numbers)
//
// maxminddb-golang does all the decoding; unknown keys are skipped, so a
// database with more fields reads the same.

// A layout is where a database's records keep what this package reads. A
// database has one layout; the probe that refuses databases without
// countries learns which (findLayout), so a lookup decodes one path, never
// one that fails: a failed decode allocates its error.
type layout struct {
	country []any // the path to the country code
	region  []any // the path to the first-level subdivision code
	flat    bool  // IPinfo's flat record rather than MaxMind's nested one
	asn     []any // ASN databases: the path to the autonomous system number
	asnText bool  // the number is a string "AS64500" (IPinfo)
}

// layouts in the order the probe tries them. Asking country.iso_code of a
// record whose country is a string fails, and so does decoding country into
// a string where it is a map, so each path matches only its own layout.
var layouts = [...]layout{
	{country: []any{"country", "iso_code"}, region: []any{"subdivisions", 0, "iso_code"}}, // MaxMind, DB-IP
	{country: []any{"country_code"}, region: []any{"region_code"}, flat: true},            // IPinfo lite
	{country: []any{"country"}, region: []any{"region_code"}, flat: true},                 // IPinfo country and location
}

// findLayout returns the layout of the first of the first countryProbe
// networks that has a country, or nil.
func findLayout(r *maxminddb.Reader) *layout {
	return probeLayout(r, layouts[:], func(res maxminddb.Result, lo *layout) bool { return recordCountry(res, lo) != "" })
}

// probeLayout returns the first of candidates in which has finds what the
// database must hold, trying each of its first countryProbe networks in
// turn; nil when none does.
func probeLayout(r *maxminddb.Reader, candidates []layout, has func(maxminddb.Result, *layout) bool) *layout {
	n := 0
	for res := range r.Networks() {
		if res.Err() != nil || n == countryProbe {
			return nil
		}
		n++
		for i := range candidates {
			if has(res, &candidates[i]) {
				return &candidates[i]
			}
		}
	}
	return nil
}

// codePool holds destinations for recordCountry: a destination passed to the
// library's reflection escapes, and a new one per decode would make a
// country-cache miss allocate.
var codePool = sync.Pool{New: func() any { return new(string) }}

// recordCountry returns the country of a found record in layout lo, or "".
func recordCountry(res maxminddb.Result, lo *layout) string {
	code := codePool.Get().(*string)
	defer codePool.Put(code)
	*code = ""
	if err := res.DecodePath(code, lo.country...); err != nil {
		return ""
	}
	return canonicalCountry(*code) // the table's copy: nothing keeps *code
}

// recordRegion returns the first-level subdivision code of a found record
// in layout lo, as recordLocation reads it, or "".
func recordRegion(res maxminddb.Result, lo *layout) string {
	code := codePool.Get().(*string)
	defer codePool.Put(code)
	*code = ""
	if err := res.DecodePath(code, lo.region...); err != nil {
		return ""
	}
	return text(*code) // a string of its own: resetting *code does not change it
}

// englishName is a MaxMind names map, of which only English is read.
type englishName struct {
	EN string `maxminddb:"en"`
}

// maxmindRecord is the MaxMind GeoIP2/GeoLite2 layout, which DB-IP shares.
type maxmindRecord struct {
	Country struct {
		Names englishName `maxminddb:"names"`
	} `maxminddb:"country"`
	Subdivisions []struct {
		ISOCode string      `maxminddb:"iso_code"`
		Names   englishName `maxminddb:"names"`
	} `maxminddb:"subdivisions"`
	City struct {
		Names englishName `maxminddb:"names"`
	} `maxminddb:"city"`
	Postal struct {
		Code string `maxminddb:"code"`
	} `maxminddb:"postal"`
	Location struct {
		TimeZone  string `maxminddb:"time_zone"`
		Latitude  any    `maxminddb:"latitude"`
		Longitude any    `maxminddb:"longitude"`
		MetroCode uint64 `maxminddb:"metro_code"`
	} `maxminddb:"location"`
}

// ipinfoRecord is IPinfo's flat layout: every value is a string, though
// coordinates may be numbers.
type ipinfoRecord struct {
	Country     string `maxminddb:"country"` // the code or, in IPinfo lite, the name
	CountryName string `maxminddb:"country_name"`
	Region      string `maxminddb:"region"`
	RegionCode  string `maxminddb:"region_code"`
	City        string `maxminddb:"city"`
	PostalCode  string `maxminddb:"postal_code"`
	TimeZone    string `maxminddb:"timezone"`
	Latitude    any    `maxminddb:"latitude"`
	Lat         any    `maxminddb:"lat"`
	Longitude   any    `maxminddb:"longitude"`
	Lng         any    `maxminddb:"lng"`
}

// recordLocation returns everything a found record in layout lo says about
// a location. country is the record's country as the fast path answers it,
// so Country and the headers never disagree.
func recordLocation(res maxminddb.Result, lo *layout, country string) Location {
	l := Location{Country: country}
	if lo.flat {
		var r ipinfoRecord
		if err := res.Decode(&r); err == nil {
			l.CountryName = text(r.CountryName)
			if l.CountryName == "" && canonicalCountry(r.Country) == "" {
				l.CountryName = text(r.Country) // IPinfo lite: country holds the name
			}
			l.Region, l.RegionName = text(r.RegionCode), text(r.Region)
			l.City, l.PostalCode, l.TimeZone = text(r.City), text(r.PostalCode), text(r.TimeZone)
			l.Latitude = coordinate(firstSet(r.Latitude, r.Lat))
			l.Longitude = coordinate(firstSet(r.Longitude, r.Lng))
		}
	} else {
		var r maxmindRecord
		if err := res.Decode(&r); err == nil {
			l.CountryName = text(r.Country.Names.EN)
			if len(r.Subdivisions) > 0 {
				l.Region = text(r.Subdivisions[0].ISOCode)
				l.RegionName = text(r.Subdivisions[0].Names.EN)
			}
			l.City = text(r.City.Names.EN)
			l.PostalCode = text(r.Postal.Code)
			l.TimeZone = text(r.Location.TimeZone)
			l.Latitude = coordinate(r.Location.Latitude)
			l.Longitude = coordinate(r.Location.Longitude)
			if n := r.Location.MetroCode; n >= 1 && n < 1e6 {
				l.MetroCode = strconv.FormatUint(n, 10)
			}
		}
	}
	switch {
	case l.Country == "":
		// No country, no country name: "Europe" or "Anonymous Proxy" is not
		// a value CloudFront-Viewer-Country-Name can carry without the code.
		l.CountryName = ""
	case l.CountryName == "":
		l.CountryName = CountryName(l.Country)
	}
	return l
}

func firstSet(a, b any) any {
	if a != nil {
		return a
	}
	return b
}

// maxTextLen is the longest string accepted as a header value.
const maxTextLen = 512

// text returns s if a header may carry it: "" for over-long values and
// values with control characters, which no header may carry (RFC 9110,
// section 5.5).
func text(s string) string {
	if len(s) > maxTextLen {
		return ""
	}
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return ""
		}
	}
	return s
}

// coordinate formats a latitude or longitude the way CloudFront's headers
// carry it: five decimal places ("37.92490", "-122.51000"). v is what the
// library decoded: a number, or a string (IPinfo stores coordinates as
// strings), which is parsed and reformatted. Anything else is "".
func coordinate(v any) string {
	var f float64
	switch v := v.(type) {
	case float64:
		f = v
	case float32:
		f = float64(v)
	case uint64: // the library decodes every unsigned type into any as uint64
		f = float64(v)
	case int32:
		f = float64(v)
	case string:
		var err error
		if f, err = strconv.ParseFloat(text(v), 64); err != nil {
			return ""
		}
	default:
		return ""
	}
	if math.IsNaN(f) || f < -180 || f > 180 {
		return ""
	}
	return strconv.FormatFloat(f, 'f', 5, 64)
}
