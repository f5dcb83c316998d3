package accesslog

import (
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s:\ngot  %q\nwant %q", name, got, want)
	}
}

// sample is a representative record: a TLS request that was a cache hit.
func sample() *Record {
	return &Record{
		Time:               time.Date(2019, 12, 4, 21, 2, 31, 700e6, time.UTC),
		EdgeLocation:       "LAX1",
		SCBytes:            392,
		ClientIP:           netip.MustParseAddr("192.0.2.100"),
		Method:             "GET",
		Host:               "d111111abcdef8.cloudfront.net",
		URIStem:            "/images/my cat.jpg",
		Status:             200,
		Referer:            "https://www.example.com/a?b=c",
		UserAgent:          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36",
		Query:              "range=bytes%3D0-1023&x=\"y\"",
		Cookie:             "session=abc; theme=dark",
		ResultType:         "Hit",
		RequestID:          "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==",
		HostHeader:         "www.example.com",
		Protocol:           "https",
		CSBytes:            23,
		TimeTaken:          1500 * time.Microsecond,
		ForwardedFor:       "",
		SSLProtocol:        "TLSv1.3",
		SSLCipher:          "TLS_AES_128_GCM_SHA256",
		ResponseResultType: "Hit",
		ProtocolVersion:    "HTTP/2.0",
		ClientPort:         11040,
		TimeToFirstByte:    999 * time.Microsecond,
		DetailedResultType: "Hit",
		ContentType:        "image/jpeg",
		ContentLen:         78,
		RangeStart:         -1,
		RangeEnd:           -1,
	}
}

func TestGolden(t *testing.T) {
	golden(t, "header.golden", []byte(Header))
	golden(t, "line.w3c.golden", AppendW3C(nil, sample()))
	golden(t, "line.json.golden", AppendJSON(nil, sample()))
}

func TestFieldsLine(t *testing.T) {
	if got := len(FieldNames()); got != NumFields {
		t.Errorf("got %v fields, want %v", got, NumFields)
	}
	line := AppendW3C(nil, sample())
	if got := strings.Count(string(line), "\t") + 1; got != NumFields {
		t.Errorf("got %v values in the line, want %v", got, NumFields)
	}
}

// TestAppendW3CFields checks each encoding rule on the field it applies to.
func TestAppendW3CFields(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(r *Record)
		field string
		want  string
	}{
		{"date in UTC", func(r *Record) { r.Time = time.Date(2024, 1, 1, 1, 30, 0, 0, time.FixedZone("X", 3*3600)) }, "date", "2023-12-31"},
		{"time in UTC", func(r *Record) { r.Time = time.Date(2024, 1, 1, 1, 30, 5, 0, time.FixedZone("X", 3*3600)) }, "time", "22:30:05"},
		{"status 0", func(r *Record) { r.Status = 0 }, "sc-status", "000"},
		{"status 403", func(r *Record) { r.Status = 403 }, "sc-status", "403"},
		{"empty string", func(r *Record) { r.Referer = "" }, "cs(Referer)", "-"},
		{"empty cookie", func(r *Record) { r.Cookie = "" }, "cs(Cookie)", "-"},
		{"no client ip", func(r *Record) { r.ClientIP = netip.Addr{} }, "c-ip", "-"},
		{"IPv4-mapped", func(r *Record) { r.ClientIP = netip.MustParseAddr("::ffff:192.0.2.1") }, "c-ip", "192.0.2.1"},
		{"IPv6", func(r *Record) { r.ClientIP = netip.MustParseAddr("2001:db8::1") }, "c-ip", "2001:db8::1"},
		{"zone dropped", func(r *Record) { r.ClientIP = netip.MustParseAddr("fe80::1%eth0") }, "c-ip", "fe80::1"},
		{"port 0", func(r *Record) { r.ClientPort = 0 }, "c-port", "-"},
		{"time-taken 0", func(r *Record) { r.TimeTaken = 0 }, "time-taken", "0.000"},
		{"time-taken 2ms", func(r *Record) { r.TimeTaken = 2 * time.Millisecond }, "time-taken", "0.002"},
		{"time-taken rounds", func(r *Record) { r.TimeTaken = 1999600 * time.Microsecond }, "time-taken", "2.000"},
		{"time-taken negative", func(r *Record) { r.TimeTaken = -time.Second }, "time-taken", "0.000"},
		{"ttfb 12.345s", func(r *Record) { r.TimeToFirstByte = 12345 * time.Millisecond }, "time-to-first-byte", "12.345"},
		{"content-len unknown", func(r *Record) { r.ContentLen = -1 }, "sc-content-len", "-"},
		{"content-len 0", func(r *Record) { r.ContentLen = 0 }, "sc-content-len", "0"},
		{"range start", func(r *Record) { r.RangeStart = 0 }, "sc-range-start", "0"},
		{"range end", func(r *Record) { r.RangeEnd = 1023 }, "sc-range-end", "1023"},
		{"query double-encoded", func(r *Record) { r.Query = "bytes%3D0" }, "cs-uri-query", "bytes%253D0"},
		{"tab in header", func(r *Record) { r.HostHeader = "a\tb" }, "x-host-header", "a%09b"},
		{"x-forwarded-for list", func(r *Record) { r.ForwardedFor = "192.0.2.1, 192.0.2.2" }, "x-forwarded-for", "192.0.2.1,%20192.0.2.2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := sample()
			tc.edit(r)
			fields := strings.Split(strings.TrimSuffix(string(AppendW3C(nil, r)), "\n"), "\t")
			if len(fields) != NumFields {
				t.Fatalf("got %v fields, want %v", len(fields), NumFields)
			}
			for i, name := range fieldNames {
				if name == tc.field {
					if got := fields[i]; got != tc.want {
						t.Errorf("%s: got %v, want %v", name, got, tc.want)
					}
					return
				}
			}
			t.Fatalf("no field %q", tc.field)
		})
	}
}

func TestEmptyRecord(t *testing.T) {
	var r Record
	r.Reset()
	got := string(AppendW3C(nil, &r))
	want := "0001-01-01\t00:00:00\t-\t0\t-\t-\t-\t-\t000\t-\t-\t-\t-\t-\t-\t-\t-\t0\t0.000\t-\t-\t-\t-\t-\t-\t-\t-\t0.000\t-\t-\t-\t-\t-\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAppendAllocs(t *testing.T) {
	r := sample()
	buf := make([]byte, 0, 4096)
	for _, tc := range []struct {
		name string
		fn   func([]byte, *Record) []byte
	}{{"AppendW3C", AppendW3C}, {"AppendJSON", AppendJSON}} {
		if got := testing.AllocsPerRun(100, func() { buf = tc.fn(buf[:0], r) }); got != 0 {
			t.Errorf("%s: got %v allocs, want 0", tc.name, got)
		}
	}
}
