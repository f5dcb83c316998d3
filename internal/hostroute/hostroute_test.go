package hostroute

import (
	"errors"
	"strings"
	"testing"
)

// testEntries is a small fleet: distribution 0 owns exact aliases, 1 the
// broad wildcard, 2 the narrower wildcard, 3 and 4 only default domains.
var testEntries = []Entry{
	{Name: "shop.example.com", Index: 0},
	{Name: "example.com", Index: 0},
	{Name: "*.example.com", Index: 1},
	{Name: "*.shop.example.com", Index: 2},
	{Name: "d111111abcdef8.cloudfront.net", Index: 3},
	{Name: "e2qwruhapomqzl.cloudfront.localhost", Index: 4},
	{Name: "WWW.Mixed-Case.Example.ORG", Index: 4},
	{Name: "_acme.example.net", Index: 3},
}

func mustNew(t testing.TB, entries []Entry) *Table {
	t.Helper()
	tbl, err := New(entries)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return tbl
}

func TestLookup(t *testing.T) {
	tbl := mustNew(t, testEntries)
	tests := []struct {
		name    string
		host    string
		index   int
		matched string
		ok      bool
	}{
		{"exact alias", "shop.example.com", 0, "shop.example.com", true},
		{"exact beats wildcard", "shop.example.com", 0, "shop.example.com", true},
		{"apex is exact, not wildcard", "example.com", 0, "example.com", true},
		{"wildcard one label", "www.example.com", 1, "*.example.com", true},
		{"wildcard several labels", "a.b.c.example.com", 1, "*.example.com", true},
		{"most specific wildcard", "cart.shop.example.com", 2, "*.shop.example.com", true},
		{"most specific wildcard deep", "x.cart.shop.example.com", 2, "*.shop.example.com", true},
		{"sibling of narrower wildcard uses broad one", "cart.shopx.example.com", 1, "*.example.com", true},
		{"default domain", "d111111abcdef8.cloudfront.net", 3, "d111111abcdef8.cloudfront.net", true},
		{"local default domain", "e2qwruhapomqzl.cloudfront.localhost", 4, "e2qwruhapomqzl.cloudfront.localhost", true},
		{"other cloudfront.net id", "d222222abcdef8.cloudfront.net", -1, "", false},
		{"port", "shop.example.com:443", 0, "shop.example.com", true},
		{"port on wildcard", "www.example.com:8080", 1, "*.example.com", true},
		{"empty port", "shop.example.com:", 0, "shop.example.com", true},
		{"upper case host", "SHOP.Example.COM", 0, "shop.example.com", true},
		{"upper case wildcard host", "CART.SHOP.EXAMPLE.COM:443", 2, "*.shop.example.com", true},
		{"upper case alias folded at New", "www.mixed-case.example.org", 4, "www.mixed-case.example.org", true},
		{"trailing dot", "shop.example.com.", 0, "shop.example.com", true},
		{"trailing dot and port", "www.example.com.:443", 1, "*.example.com", true},
		{"two trailing dots", "shop.example.com..", -1, "", false},
		{"underscore", "_acme.example.net", 3, "_acme.example.net", true},
		{"leading dot does not match wildcard", ".example.com", -1, "", false},
		{"suffix without dot boundary", "notexample.com", -1, "", false},
		{"unknown", "example.org", -1, "", false},
		{"ipv4 literal", "192.0.2.1", -1, "", false},
		{"ipv6 literal", "[::1]", -1, "", false},
		{"ipv6 literal with port", "[2001:db8::1]:443", -1, "", false},
		{"empty", "", -1, "", false},
		{"space", "shop.example.com ", -1, "", false},
		{"userinfo", "user@shop.example.com", -1, "", false},
		{"path", "shop.example.com/x", -1, "", false},
		{"bad port", "shop.example.com:https", -1, "", false},
		{"port too big", "shop.example.com:65536", -1, "", false},
		{"longer than a DNS name", strings.Repeat("a", 250) + ".example.com", 1, "*.example.com", true},
		{"longer than a DNS name upper", strings.Repeat("A", 250) + ".Shop.example.com", 2, "*.shop.example.com", true},
		{"longer than a DNS name miss", strings.Repeat("A", 250) + ".example.org", -1, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			index, matched, ok := tbl.Lookup(tc.host)
			if index != tc.index || matched != tc.matched || ok != tc.ok {
				t.Errorf("Lookup(%q) = %v, %q, %v; want %v, %q, %v",
					tc.host, index, matched, ok, tc.index, tc.matched, tc.ok)
			}
		})
	}
}

func TestLookupEmptyTable(t *testing.T) {
	tbl := mustNew(t, nil)
	if _, _, ok := tbl.Lookup("example.com"); ok {
		t.Errorf("got %v, want %v", ok, false)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		entries []Entry
		wantIs  error    // nil means New must succeed
		wantSub []string // substrings the error must contain
	}{
		{"valid", testEntries, nil, nil},
		{"exact and wildcard may overlap across distributions",
			[]Entry{{"example.com", 0}, {"*.example.com", 1}, {"a.example.com", 2}}, nil, nil},
		{"max label and name length",
			[]Entry{{strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 61), 0}}, nil, nil},
		{"duplicate exact", []Entry{{"a.example.com", 0}, {"a.example.com", 5}},
			ErrDuplicate, []string{`"a.example.com"`, "distribution 0", "distribution 5"}},
		{"duplicate exact case-insensitive", []Entry{{"a.example.com", 1}, {"A.Example.COM", 2}},
			ErrDuplicate, []string{"distribution 1", "distribution 2"}},
		{"duplicate wildcard", []Entry{{"*.example.com", 3}, {"*.EXAMPLE.com", 4}},
			ErrDuplicate, []string{`"*.example.com"`, "distribution 3", "distribution 4"}},
		{"duplicate within one distribution", []Entry{{"a.example.com", 0}, {"a.example.com", 0}},
			ErrDuplicate, nil},
		{"partial-label wildcard", []Entry{{"*foo.example.com", 0}}, ErrInvalidName, []string{"*."}},
		{"mid-name wildcard", []Entry{{"a.*.example.com", 0}}, ErrInvalidName, []string{"first label"}},
		{"double wildcard", []Entry{{"*.*.example.com", 0}}, ErrInvalidName, nil},
		{"trailing wildcard", []Entry{{"example.*", 0}}, ErrInvalidName, nil},
		{"bare star", []Entry{{"*", 0}}, ErrInvalidName, nil},
		{"bare star dot", []Entry{{"*.", 0}}, ErrInvalidName, nil},
		{"empty", []Entry{{"", 0}}, ErrInvalidName, nil},
		{"empty label", []Entry{{"a..example.com", 0}}, ErrInvalidName, []string{"empty label"}},
		{"trailing dot", []Entry{{"example.com.", 0}}, ErrInvalidName, []string{"empty label"}},
		{"label too long", []Entry{{strings.Repeat("a", 64) + ".com", 0}}, ErrInvalidName, []string{"longer than 63"}},
		{"name too long", []Entry{{strings.Repeat("abcdefghi.", 25) + "abcd", 0}}, ErrInvalidName, []string{"longer than 253"}},
		{"space", []Entry{{"a b.example.com", 0}}, ErrInvalidName, []string{"' '"}},
		{"port", []Entry{{"example.com:443", 0}}, ErrInvalidName, nil},
		{"ipv6", []Entry{{"[::1]", 0}}, ErrInvalidName, nil},
		{"non-ascii", []Entry{{"bücher.example", 0}}, ErrInvalidName, nil},
		{"negative index", []Entry{{"a.example.com", -1}}, nil, []string{"negative distribution index"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.entries)
			if tc.wantIs == nil && tc.wantSub == nil {
				if err != nil {
					t.Fatalf("got %v, want %v", err, nil)
				}
				return
			}
			if err == nil {
				t.Fatalf("got %v, want an error", err)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("got %v, want errors.Is %v", err, tc.wantIs)
			}
			for _, sub := range tc.wantSub {
				if !strings.Contains(err.Error(), sub) {
					t.Errorf("got %q, want it to contain %q", err, sub)
				}
			}
		})
	}
}

func TestNewCollectsAllErrors(t *testing.T) {
	_, err := New([]Entry{
		{"a.example.com", 0},
		{"*bad.example.com", 1},
		{"a.example.com", 2},
		{"x y", 3},
	})
	if err == nil {
		t.Fatalf("got %v, want an error", err)
	}
	if got, want := strings.Count(err.Error(), "\n")+1, 3; got != want {
		t.Errorf("got %v errors, want %v: %v", got, want, err)
	}
	for _, sub := range []string{"entry 1", "entry 2", "entry 3"} {
		if !strings.Contains(err.Error(), sub) {
			t.Errorf("got %q, want it to contain %q", err, sub)
		}
	}
}

func TestLookupAllocs(t *testing.T) {
	tbl := mustNew(t, testEntries)
	for _, host := range []string{
		"shop.example.com", "x.cart.shop.example.com:443", "d111111abcdef8.cloudfront.net",
		"nowhere.example.org", "SHOP.EXAMPLE.COM", "X.CART.SHOP.EXAMPLE.COM.", "[::1]:443",
	} {
		if got := testing.AllocsPerRun(100, func() { tbl.Lookup(host) }); got != 0 {
			t.Errorf("Lookup(%q): got %v allocs, want %v", host, got, 0)
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	// A fleet-sized table: many exact aliases and wildcards.
	var entries []Entry
	for i := range 1000 {
		entries = append(entries,
			Entry{Name: "www" + itoa(i) + ".example.com", Index: i},
			Entry{Name: "*.tenant" + itoa(i) + ".example.net", Index: i},
		)
	}
	entries = append(entries, Entry{Name: "*.example.net", Index: 1000})
	tbl := mustNew(b, entries)
	cases := []struct{ name, host string }{
		{"exact", "www42.example.com"},
		{"exact_port", "www42.example.com:443"},
		{"exact_upper", "WWW42.Example.com"},
		{"wildcard", "a.b.tenant42.example.net"},
		{"wildcard_broad", "a.b.other.example.net"},
		{"miss", "nowhere.example.org"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, ok := tbl.Lookup(c.host); ok == (c.name == "miss") {
					b.Fatalf("Lookup(%q): got ok %v", c.host, ok)
				}
			}
		})
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}
