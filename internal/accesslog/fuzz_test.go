package accesslog

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
)

func FuzzReader(f *testing.F) {
	good := string(AppendW3C(nil, sample()))
	f.Add([]byte(Header + good + good))
	f.Add([]byte(string(AppendJSON(nil, sample()))))
	f.Add([]byte("#Fields: date time c-ip\n2024-01-01\t00:00:00\t::1\n{\"a\":\"\\u00e9\\ud83d\\ude00\"}\n"))
	f.Add([]byte("\xff\xfe\t\r\n#Fields:\n\n{\n{}\n"))
	f.Add([]byte("#Fields: timestamp(ms) timestamp time-taken\n-1\t1.5\t99999999999999999999.1\n"))
	f.Add([]byte("#Fields: a b c d e\n1\t\t333\t4444\t\t\n\t\t\t\t\n"))
	f.Add([]byte("#Fields: a b c d\n1 22 333 4444\n1|2|3|4|\n1,2,,4\n1;2;3;4;\r\n x y z\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data))
		// Every call consumes at least one line or ends the input.
		for calls := 0; calls <= bytes.Count(data, []byte("\n"))+3; calls++ {
			raw, err := r.Scan()
			if err == io.EOF {
				return
			}
			if err != nil {
				continue
			}
			// Fields located lazily, in an order that exercises both ends
			// and going back, match the split line.
			n := len(raw.Names)
			got := make([]string, n)
			for i := (n - 1) &^ 1; i >= 0; i -= 2 { // even positions, backwards
				got[i] = string(raw.Field(i))
			}
			for i := 1; i < n; i += 2 { // odd positions, forwards
				got[i] = string(raw.Field(i))
			}
			for i := n - 1; i >= 0; i -= 3 {
				if v := string(raw.Field(i)); v != got[i] {
					t.Fatalf("line %d: field %d: got %q, then %q", raw.Num, i, got[i], v)
				}
			}
			if raw.Field(-1) != nil || raw.Field(n) != nil {
				t.Fatalf("line %d: a field out of range is not nil", raw.Num)
			}
			l := raw.Line()
			if l.Num != raw.Num || l.JSON != raw.JSON || (!l.JSON && l.Text != string(raw.Bytes)) {
				t.Fatalf("line %d: Line is %d %v %q", raw.Num, l.Num, l.JSON, l.Text)
			}
			if !slices.Equal(got, l.Fields) {
				t.Fatalf("line %d: got fields %q by Field, want %q", l.Num, got, l.Fields)
			}
			all := raw.AppendFields(nil)
			if len(all) != len(l.Fields) {
				t.Fatalf("line %d: AppendFields gave %d fields, want %d", l.Num, len(all), len(l.Fields))
			}
			for i, f := range all {
				if string(f) != l.Fields[i] {
					t.Fatalf("line %d: AppendFields: field %d is %q, want %q", l.Num, i, f, l.Fields[i])
				}
			}
			if len(l.Fields) != len(l.Names) {
				t.Fatalf("line %d: %d fields for %d names", l.Num, len(l.Fields), len(l.Names))
			}
			if !l.JSON {
				want := strings.Split(l.Text, "\t")
				if len(want) == len(l.Fields)+1 && want[len(want)-1] == "" {
					want = want[:len(want)-1]
				}
				if !slices.Equal(l.Fields, want) {
					t.Fatalf("line %d: got fields %q, want %q", l.Num, l.Fields, want)
				}
			}
			for _, name := range l.Names {
				l.Get(name)
			}
			ParseRecord(l)
		}
		t.Fatalf("Next did not reach io.EOF")
	})
}

func FuzzEscapeRoundTrip(f *testing.F) {
	for _, s := range []string{"", "a b", "bytes%3D0", "é", "\x00\x7f\xff", "%%41%4", "<>\"#%{}|\\^~[]`'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := string(Escape(nil, s))
		if got := Unescape(e); got != s {
			t.Fatalf("Unescape(Escape(%q)) = %q", s, got)
		}
		if got, want := string(AppendUnescaped([]byte("x"), []byte(s))), "x"+Unescape(s); got != want {
			t.Fatalf("AppendUnescaped(%q) = %q, want %q", s, got, want)
		}
		for i := 0; i < len(e); i++ {
			if c := e[i]; mustEscape[c] != 0 && c != '%' {
				t.Fatalf("Escape(%q) = %q: byte %#x not encoded", s, e, c)
			}
		}
		if strings.Count(e, "%") != countEscaped(s) {
			t.Fatalf("Escape(%q) = %q: wrong number of %%XX", s, e)
		}
	})
}

func countEscaped(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if mustEscape[s[i]] != 0 {
			n++
		}
	}
	return n
}
