package geo

import (
	"slices"
	"strings"
	"testing"
)

func TestRestrictionAllows(t *testing.T) {
	tests := []struct {
		name    string
		kind    string
		items   []string
		country string
		want    bool
	}{
		{"none serves everyone", "none", nil, "US", true},
		{"none serves unknown", "none", nil, "", true},
		{"whitelist allows listed", "whitelist", []string{"US", "GB"}, "GB", true},
		{"whitelist blocks unlisted", "whitelist", []string{"US", "GB"}, "FR", false},
		{"whitelist serves unknown", "whitelist", []string{"US"}, "", true},
		{"blacklist blocks listed", "blacklist", []string{"CN", "RU"}, "RU", false},
		{"blacklist allows unlisted", "blacklist", []string{"CN", "RU"}, "US", true},
		{"blacklist serves unknown", "blacklist", []string{"CN"}, "", true},
		{"blacklist with duplicates", "blacklist", []string{"CN", "CN"}, "CN", false},
		{"kosovo can be listed", "blacklist", []string{"XK"}, "XK", false},
		{"first slot", "whitelist", []string{"AD"}, "AD", true},
		{"last slot", "whitelist", []string{"ZW"}, "ZW", true},
		// Not countries: treated as unknown, so served, like CloudFront.
		{"placeholder ZZ is unknown", "whitelist", []string{"US"}, "ZZ", true},
		{"lower case is unknown", "whitelist", []string{"US"}, "fr", true},
		{"long value is unknown", "whitelist", []string{"US"}, "FRA", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewRestriction(tc.kind, tc.items)
			if err != nil {
				t.Fatalf("NewRestriction(%q, %q) error: %v", tc.kind, tc.items, err)
			}
			if got := r.Allows(tc.country); got != tc.want {
				t.Errorf("Allows(%q) = %v, want %v", tc.country, got, tc.want)
			}
		})
	}
	var nilR *Restriction
	if !nilR.Allows("US") || nilR.Type() != "none" {
		t.Errorf("nil Restriction must allow everyone and report type none")
	}
}

func TestNewRestrictionErrors(t *testing.T) {
	tests := []struct {
		name  string
		kind  string
		items []string
		want  []string // substrings of the error
	}{
		{"unknown type", "allowlist", []string{"US"}, []string{`"allowlist"`, `"whitelist"`}},
		{"type is case sensitive", "Whitelist", []string{"US"}, []string{`"Whitelist"`}},
		{"none with items", "none", []string{"US"}, []string{"takes no items"}},
		{"empty whitelist", "whitelist", nil, []string{"at least one"}},
		{"empty blacklist", "blacklist", []string{}, []string{"at least one"}},
		{"lower case", "whitelist", []string{"US", "gb"}, []string{`items[1]: "gb" must be upper case ("GB")`}},
		{"unassigned", "blacklist", []string{"ZZ"}, []string{`items[0]: "ZZ" is not an ISO 3166-1 alpha-2`}},
		{"alpha-3", "blacklist", []string{"USA"}, []string{`items[0]: "USA"`}},
		{"empty item", "blacklist", []string{""}, []string{`items[0]: ""`}},
		{"all bad items reported", "whitelist", []string{"EU", "US", "uk", " FR"},
			[]string{`items[0]: "EU"`, `items[2]: "uk"`, `items[3]: " FR"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewRestriction(tc.kind, tc.items)
			if err == nil {
				t.Fatalf("NewRestriction(%q, %q) = %+v, want an error", tc.kind, tc.items, r)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestRestrictionCountries(t *testing.T) {
	r, err := NewRestriction("blacklist", []string{"RU", "CN", "RU"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Countries(), []string{"CN", "RU"}; !slices.Equal(got, want) {
		t.Errorf("Countries() = %q, want %q", got, want)
	}
	if got := r.Type(); got != "blacklist" {
		t.Errorf("Type() = %q, want blacklist", got)
	}
}

func TestRestrictionAllowsNoAlloc(t *testing.T) {
	r, err := NewRestriction("whitelist", []string{"US", "GB"})
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		_ = r.Allows("US") && r.Allows("") && !r.Allows("FR")
	})
	if allocs != 0 {
		t.Errorf("Allows allocates %v times per run, want 0", allocs)
	}
}
