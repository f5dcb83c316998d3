package geo

import (
	"net/netip"
	"strings"
	"testing"
)

func TestCountryTable(t *testing.T) {
	// 249 officially assigned ISO 3166-1 alpha-2 codes, plus XK.
	if got := len(countries); got != 250 {
		t.Errorf("len(countries) = %d, want 250", got)
	}
	for i, c := range countries {
		if i > 0 && countries[i-1].code >= c.code {
			t.Errorf("countries not in code order at %q", c.code)
		}
		if canonicalCountry(c.code) != c.code || CountryName(c.code) != c.name || c.name == "" {
			t.Errorf("table entry %q/%q does not round-trip", c.code, c.name)
		}
	}
	for _, code := range []string{"", "U", "USA", "us", "ZZ", "EU", "AP", "A1", "??", "U\x00"} {
		if got := canonicalCountry(code); got != "" {
			t.Errorf("canonicalCountry(%q) = %q, want \"\"", code, got)
		}
	}
}

func TestLocationHeader(t *testing.T) {
	l := Location{
		Country: "US", CountryName: "United States", Region: "WA", RegionName: "Washington",
		City: "Milton", PostalCode: "98354", TimeZone: "America/Los_Angeles", MetroCode: "819",
		Latitude: "47.25130", Longitude: "-122.31490",
	}
	tests := []struct {
		name, want string
		ok         bool
	}{
		{HeaderCountry, "US", true},
		{HeaderCountryName, "United States", true},
		{HeaderCountryRegion, "WA", true},
		{HeaderCountryRegionName, "Washington", true},
		{HeaderCity, "Milton", true},
		{HeaderPostalCode, "98354", true},
		{HeaderTimeZone, "America/Los_Angeles", true},
		{HeaderLatitude, "47.25130", true},
		{HeaderLongitude, "-122.31490", true},
		{HeaderMetroCode, "819", true},
		{strings.ToLower(HeaderCountry), "US", true},
		{strings.ToUpper(HeaderCountryRegionName), "Washington", true},
		{"cloudfront-viewer-time-zone", "America/Los_Angeles", true},
		{"CloudFront-Viewer-Address", "", false}, // not a location header
		{"CloudFront-Viewer-", "", false},
		{"CloudFront-Viewer", "", false},
		{"X-CloudFront-Viewer-Country", "", false},
		{"Country", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := l.Header(tc.name)
			if got != tc.want || ok != tc.ok {
				t.Errorf("Header(%q) = %q, %v, want %q, %v", tc.name, got, ok, tc.want, tc.ok)
			}
		})
	}
	// A country-only database lacks the rest: those headers are absent.
	country := Location{Country: "FR", CountryName: "France"}
	for _, name := range []string{HeaderCity, HeaderCountryRegion, HeaderLatitude, HeaderMetroCode} {
		if v, ok := country.Header(name); ok {
			t.Errorf("Header(%q) = %q, true on a country-only location, want false", name, v)
		}
	}
	if v, ok := (Location{}).Header(HeaderCountry); ok {
		t.Errorf("Header(Country) of an unknown location = %q, true, want false", v)
	}
}

func TestHeaderNoAlloc(t *testing.T) {
	l := Location{Country: "US"}
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = l.Header("cloudfront-viewer-country")
	})
	if allocs != 0 {
		t.Errorf("Header allocates %v times per run, want 0", allocs)
	}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
