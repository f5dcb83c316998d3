package hostroute

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// refHost is RFC 3986's host [ ":" port ] written as one regular expression:
// IP-literal (IPv6-ish or IPvFuture) or reg-name, then an optional port.
// It is the reference for Normalize's validity decision.
var refHost = regexp.MustCompile(`^(?:` +
	`(\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\])|` +
	`(\[[vV][0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+\])|` +
	`((?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*)` +
	`)(?::([0-9]*))?$`)

// refNormalize is a slow, independent Normalize.
func refNormalize(host string) (string, bool) {
	m := refHost.FindStringSubmatch(host)
	if m == nil {
		return "", false
	}
	if p := m[4]; p != "" {
		if n, err := strconv.Atoi(strings.TrimLeft(p, "0")); p != strings.Repeat("0", len(p)) && (err != nil || n > 65535) {
			return "", false
		}
	}
	name := m[1] + m[2]
	if name == "" {
		name = strings.TrimSuffix(m[3], ".")
	}
	if name == "" {
		return "", false
	}
	return strings.ToLower(name), true
}

// refLookup is a slow, independent Lookup: a linear scan over the entries.
func refLookup(entries []Entry, host string) (int, string, bool) {
	name, ok := refNormalize(host)
	if !ok {
		return -1, "", false
	}
	for _, e := range entries {
		if n := strings.ToLower(e.Name); !strings.HasPrefix(n, "*.") && n == name {
			return e.Index, n, true
		}
	}
	best, bestName := -1, ""
	for _, e := range entries {
		n := strings.ToLower(e.Name)
		if !strings.HasPrefix(n, "*.") {
			continue
		}
		suffix := n[1:]
		if len(name) > len(suffix) && strings.HasSuffix(name, suffix) && len(n) > len(bestName) {
			best, bestName = e.Index, n
		}
	}
	return best, bestName, best >= 0
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"example.com", "Example.COM:443", "example.com.", "[::1]:443", "[V1.x]", "a%2Fb",
		"", ":", "example.com:65536", "a b", "user@host", "h/p", "\x00", "bücher.example",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		got, ok := Normalize(host)
		want, wantOK := refNormalize(host)
		if got != want || ok != wantOK {
			t.Fatalf("Normalize(%q) = %q, %v; want %q, %v", host, got, ok, want, wantOK)
		}
		if !ok {
			return
		}
		if got != strings.ToLower(got) {
			t.Fatalf("Normalize(%q) = %q: got upper case, want none", host, got)
		}
		// Normalizing is idempotent except that one more trailing dot
		// may go (and "." alone then becomes empty, which is invalid).
		again, ok := Normalize(got)
		if got == "." {
			return
		}
		if !ok || (again != got && again+"." != got) {
			t.Fatalf("Normalize(%q) = %q, %v; want %q, %v", got, again, ok, got, true)
		}
	})
}

func FuzzLookup(f *testing.F) {
	f.Add("shop.example.com,*.example.com,*.shop.example.com,example.com", "A.Shop.Example.com:443")
	f.Add("*.a.b,*.b,x.a.b", "x.a.b.")
	f.Add("d111111abcdef8.cloudfront.net", "D111111ABCDEF8.cloudfront.net")
	f.Add("*.example.com", "example.com")
	f.Add("*.example.com", "[::1]:443")
	f.Add("*.example.com,*.b.example.com", strings.Repeat("A.", 130)+"b.example.com")
	f.Fuzz(func(t *testing.T, names, host string) {
		var entries []Entry
		for i, n := range strings.Split(names, ",") {
			entries = append(entries, Entry{Name: n, Index: i})
		}
		tbl, err := New(entries)
		if err != nil {
			// Still exercise the host against a fixed table.
			entries = testEntries
			tbl = mustNew(t, entries)
		}
		index, matched, ok := tbl.Lookup(host)
		wIndex, wMatched, wOK := refLookup(entries, host)
		if index != wIndex || matched != wMatched || ok != wOK {
			t.Fatalf("Lookup(%q) in %q = %v, %q, %v; want %v, %q, %v",
				host, names, index, matched, ok, wIndex, wMatched, wOK)
		}
	})
}
