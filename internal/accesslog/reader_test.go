package accesslog

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// readAll reads r to the end and describes each result as "<line> ok" or
// "<line> error: <reason>"; a read error is "read error".
func readAll(t *testing.T, r *Reader) []string {
	t.Helper()
	var got []string
	for i := 0; i < 1000; i++ {
		l, err := r.Next()
		var le *LineError
		switch {
		case err == io.EOF:
			return got
		case errors.As(err, &le):
			got = append(got, fmt.Sprintf("%d error: %s", le.Line, le.Reason))
		case err != nil:
			got = append(got, "read error")
		default:
			got = append(got, fmt.Sprintf("%d ok", l.Num))
		}
	}
	t.Fatal("Next did not reach io.EOF")
	return nil
}

func TestReaderAWSExample(t *testing.T) {
	f, err := os.Open("testdata/aws-example.log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := NewReader(f)
	var lines []Record
	for {
		l, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("got %v, want no error", err)
		}
		if l.Num == 3 {
			if got, want := l.Get("x-edge-request-id"), "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ=="; got != want {
				t.Errorf("x-edge-request-id: got %v, want %v", got, want)
			}
			if got := l.Get("cs(Referer)"); got != "" {
				t.Errorf(`cs(Referer) "-": got %q, want ""`, got)
			}
		}
		rec, err := ParseRecord(l)
		if err != nil {
			t.Fatalf("ParseRecord: got %v, want no error", err)
		}
		lines = append(lines, rec)
	}
	if len(lines) != 6 {
		t.Fatalf("got %v records, want 6", len(lines))
	}
	want := Record{
		Time:               time.Date(2019, 12, 13, 22, 36, 27, 0, time.UTC),
		EdgeLocation:       "SEA19-C1",
		SCBytes:            900,
		ClientIP:           netip.MustParseAddr("192.0.2.200"),
		Method:             "GET",
		Host:               "d111111abcdef8.cloudfront.net",
		URIStem:            "/favicon.ico",
		Status:             502,
		Referer:            "http://www.example.com/",
		UserAgent:          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36",
		ResultType:         "Error",
		RequestID:          "1pkpNfBQ39sYMnjjUQjmH2w1wdJnbHYTbag21o_3OfcQgPzdL2RSSQ==",
		HostHeader:         "www.example.com",
		Protocol:           "http",
		CSBytes:            675,
		TimeTaken:          102 * time.Millisecond,
		ResponseResultType: "Error",
		ProtocolVersion:    "HTTP/1.1",
		ClientPort:         25260,
		TimeToFirstByte:    102 * time.Millisecond,
		DetailedResultType: "OriginDnsError",
		ContentType:        "text/html",
		ContentLen:         507,
		RangeStart:         -1,
		RangeEnd:           -1,
	}
	if !reflect.DeepEqual(lines[3], want) {
		t.Errorf("line 6:\ngot  %+v\nwant %+v", lines[3], want)
	}
}

func TestReaderHeaders(t *testing.T) {
	std := strings.TrimSuffix(string(AppendW3C(nil, sample())), "\n")
	fields35 := FieldsLine + " distribution-tenant-id connection-id"
	line35 := std + "\tdt_2abc\t1234567890"
	v2 := "#Fields: date time c-ip sc-status cs-uri-stem x-edge-detailed-result-type c-country"
	v2line := "2024-11-15\t19:45:51\t192.0.2.9\t403\t/private/a.txt\tClientGeoBlocked\tRU"

	r := NewReader(strings.NewReader(std + "\n" +
		fields35 + "\n" + line35 + "\n" +
		v2 + "\n" + v2line + "\n" +
		std + "\n")) // 33 fields under the v2 header: malformed
	tests := []struct {
		name   string
		field  string
		want   string
		errMsg string
	}{
		{name: "standard, no header", field: "x-edge-location", want: "LAX1"},
		{name: "35 fields", field: "connection-id", want: "1234567890"},
		{name: "v2 subset", field: "c-country", want: "RU"},
		{name: "old line under v2 header", errMsg: "line 6: got 33 fields, want 7"},
	}
	for _, tc := range tests {
		l, err := r.Next()
		if tc.errMsg != "" {
			if err == nil || !strings.HasSuffix(err.Error(), tc.errMsg) {
				t.Errorf("%s: got %v, want %v", tc.name, err, tc.errMsg)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: got %v, want no error", tc.name, err)
		}
		if got := l.Get(tc.field); got != tc.want {
			t.Errorf("%s: %s: got %v, want %v", tc.name, tc.field, got, tc.want)
		}
		if got := l.Get("no-such-field"); got != "" {
			t.Errorf("%s: absent field: got %q, want empty", tc.name, got)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("got %v, want io.EOF", err)
	}
}

func TestReaderV2Record(t *testing.T) {
	in := "#Fields: timestamp(ms) c-ip sc-status cs-uri-stem\n1731699951183\t2001:db8::7\t403\t/a%20b\n"
	r := NewReader(strings.NewReader(in))
	l, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	rec, err := ParseRecord(l)
	if err != nil {
		t.Fatal(err)
	}
	want := Record{Time: time.UnixMilli(1731699951183).UTC(), ClientIP: netip.MustParseAddr("2001:db8::7"),
		Status: 403, URIStem: "/a b", ContentLen: -1, RangeStart: -1, RangeEnd: -1}
	if !reflect.DeepEqual(rec, want) {
		t.Errorf("got %+v, want %+v", rec, want)
	}
}

func TestReaderJSON(t *testing.T) {
	in := `{"date":"2024-11-15","time":"19:45:51","x-edge-location":"SOF50-P2","asn":"16509","timestamp(ms)":"1731699951183","sc-status":"403","cs(User-Agent)":"curl/8.0%20x","cs-uri-stem":"/a\"b\u00e9","c-port":null, "sc-bytes": 512 }` + "\n" +
		std33(t) + "\n" +
		`{}` + "\n"
	r := NewReader(strings.NewReader(in))
	l, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ field, want string }{
		{"x-edge-location", "SOF50-P2"},
		{"asn", "16509"},
		{"cs-uri-stem", `/a"bé`},
		{"c-port", ""},
		{"sc-bytes", "512"},
		{"x-edge-request-id", ""},
	} {
		if got := l.Get(tc.field); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.field, got, tc.want)
		}
	}
	if !l.JSON {
		t.Errorf("JSON: got false, want true")
	}
	rec, err := ParseRecord(l)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rec.UserAgent, "curl/8.0 x"; got != want {
		t.Errorf("UserAgent: got %q, want %q", got, want)
	}
	if got, want := rec.Time, time.Date(2024, 11, 15, 19, 45, 51, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Time: got %v, want %v", got, want)
	}
	// A W3C line after a JSON one still uses the standard names.
	if l, err = r.Next(); err != nil || l.Get("x-edge-location") != "LAX1" || l.JSON {
		t.Errorf("W3C after JSON: got %v, %v", l, err)
	}
	if l, err = r.Next(); err != nil || len(l.Fields) != 0 {
		t.Errorf("empty object: got %v, %v", l, err)
	}
}

// std33 is a standard line without its line feed.
func std33(t *testing.T) string {
	t.Helper()
	return strings.TrimSuffix(string(AppendW3C(nil, sample())), "\n")
}

func TestReaderMalformed(t *testing.T) {
	good := std33(t)
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty input", "", nil},
		{"no final line feed", good, []string{"1 ok"}},
		{"CRLF and blank lines", good + "\r\n\r\n\n" + good + "\r\n", []string{"1 ok", "4 ok"}},
		{"comments skipped", "#Version: 1.0\n# a comment\n" + good + "\n", []string{"3 ok"}},
		{"too few fields", "a\tb\n" + good + "\n", []string{"1 error: got 2 fields, want 33", "2 ok"}},
		{"too many fields", good + "\tx\tz\n" + good, []string{"1 error: got 35 fields, want 33", "2 ok"}},
		{"trailing tab tolerated", good + "\t\n", []string{"1 ok"}},
		{"invalid UTF-8", good + "\n\xff\xfe\t" + good + "\n" + good + "\n", []string{"1 ok", "2 error: invalid UTF-8", "3 ok"}},
		{"bad JSON", "{\"a\":\n{\"a\":\"b\"}x\n{\"a\":[1]}\n{\"a\" \"b\"}\n{\"a\":\"b\",}\n" + good, []string{
			"1 error: JSON: bad value for a", "2 error: JSON: text after the object", "3 error: JSON: bad value for a",
			"4 error: JSON: want :", "5 error: JSON: want a string key", "6 ok"}},
		{"empty Fields header", "#Fields:\n" + good + "\n", []string{"2 error: got 33 fields, want 0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := readAll(t, NewReader(strings.NewReader(tc.in)))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReaderLongLine(t *testing.T) {
	good := std33(t)
	in := good + "\n" + strings.Repeat("x", MaxLineBytes+10) + "\n" + good + "\n"
	r := NewReader(strings.NewReader(in))
	got := readAll(t, r)
	want := []string{"1 ok", fmt.Sprintf("2 error: line longer than %d bytes", MaxLineBytes), "3 ok"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := r.Malformed(); got != 1 {
		t.Errorf("Malformed: got %v, want 1", got)
	}
	// A line just under the limit is read whole.
	long := strings.Replace(good, "LAX1", strings.Repeat("L", readBufSize*2), 1)
	got = readAll(t, NewReader(strings.NewReader(long+"\n"+good)))
	if want := []string{"1 ok", "2 ok"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// oneByteReader returns one byte per Read, to exercise block boundaries.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) { return o.r.Read(p[:1]) }

func TestReaderSmallReads(t *testing.T) {
	data, err := os.ReadFile("testdata/aws-example.log")
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, NewReader(oneByteReader{bytes.NewReader(data)}))
	want := []string{"3 ok", "4 ok", "5 ok", "6 ok", "7 ok", "8 ok"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestOpen(t *testing.T) {
	data, err := os.ReadFile("testdata/aws-example.log")
	if err != nil {
		t.Fatal(err)
	}
	half := bytes.Index(data, []byte("2019-12-13"))
	var multi bytes.Buffer // two gzip members, as the Writer makes them
	for _, part := range [][]byte{data[:half], data[half:]} {
		zw := gzip.NewWriter(&multi)
		zw.Write(part)
		zw.Close()
	}
	gz := multi.Bytes()
	dir := t.TempDir()
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"plain", data, []string{"3 ok", "4 ok", "5 ok", "6 ok", "7 ok", "8 ok"}},
		{"multi-member gzip", gz, []string{"3 ok", "4 ok", "5 ok", "6 ok", "7 ok", "8 ok"}},
		{"gzip without its trailer", gz[:len(gz)-8], []string{"3 ok", "4 ok", "5 ok", "6 ok", "7 ok", "8 ok", "read error"}},
		// Where the inflater stops depends on the deflate stream; what
		// matters is that the damage is reported after the good lines.
		{"gzip cut in its first member", gz[:len(gz)/3], nil},
		{"empty file", nil, nil},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprint(i))
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			r, c, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			got := readAll(t, r)
			if tc.want == nil && tc.data != nil {
				if len(got) == 0 || got[len(got)-1] != "read error" {
					t.Errorf("got %q, want a read error at the end", got)
				}
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if _, _, err := Open(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v, want os.ErrNotExist", err)
	}
}

// failingReader returns its data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestReaderReadError(t *testing.T) {
	good := std33(t)
	in := good + "\n" + good[:40]
	r := NewReader(&failingReader{[]byte(in), io.ErrUnexpectedEOF})
	got := readAll(t, r)
	want := []string{"1 ok", "2 error: got 5 fields, want 33", "read error"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestTruncatedGzipError(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(std33(t) + "\n"))
	zw.Close()
	path := filepath.Join(t.TempDir(), "t.gz")
	os.WriteFile(path, buf.Bytes()[:buf.Len()-4], 0o644)
	r, c, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := r.Next(); err != nil {
		t.Fatalf("line 1: got %v, want no error", err)
	}
	if _, err := r.Next(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("got %v, want io.ErrUnexpectedEOF", err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the error: got %v, want io.EOF", err)
	}
}

func TestRoundTrip(t *testing.T) {
	in := sample()
	var buf []byte
	buf = append(buf, Header...)
	buf = AppendW3C(buf, in)
	buf = AppendJSON(buf, in)
	r := NewReader(bytes.NewReader(buf))
	want := *in
	want.Time = in.Time.Truncate(time.Second)
	want.TimeTaken = 2 * time.Millisecond
	want.TimeToFirstByte = time.Millisecond
	for _, format := range []string{"w3c", "json"} {
		l, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseRecord(l)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", format, got, want)
		}
	}
}

func TestParseRecordErrors(t *testing.T) {
	good := strings.Split(std33(t), "\t")
	tests := []struct {
		name  string
		field int
		value string
		want  string
	}{
		{"bad date", 0, "2019-13-01", "date: invalid date or time"},
		{"bad bytes", 3, "12a", "sc-bytes: "},
		{"bad ip", 4, "300.1.1.1", "c-ip: "},
		{"bad seconds", 18, "0.0x1", "time-taken: invalid seconds"},
		{"negative seconds", 27, "-1.000", "time-to-first-byte: invalid seconds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := append([]string(nil), good...)
			f[tc.field] = tc.value
			r := NewReader(strings.NewReader(strings.Join(f, "\t")))
			l, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			_, err = ParseRecord(l)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestParseFileName(t *testing.T) {
	tests := []struct {
		in      string
		want    FileName
		wantErr bool
	}{
		{in: "example-prefix/EMLARXS9EXAMPLE.2019-11-14-20.RT4KCN4SGK9.gz",
			want: FileName{Dir: "example-prefix/", Key: "EMLARXS9EXAMPLE", Hour: time.Date(2019, 11, 14, 20, 0, 0, 0, time.UTC), Unique: "RT4KCN4SGK9"}},
		{in: "E2QWRUHAPOMQZL.2024-02-29-00.AB12CD34.gz",
			want: FileName{Key: "E2QWRUHAPOMQZL", Hour: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), Unique: "AB12CD34"}},
		{in: "E2QWRUHAPOMQZL.2024-02-30-00.AB12CD34.gz", wantErr: true},
		{in: "notes.txt", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseFileName(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("got error %v, want error %v", err, tc.wantErr)
			}
			if err == nil && got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestScanFields(t *testing.T) {
	std := std33(t)
	names := FieldNames()
	tests := []struct {
		name  string
		in    string
		order []int // positions asked for, in this order
	}{
		{"standard, forwards", std + "\n", []int{0, 8, 13, 14, 16, 17, 27, 28, 32}},
		{"standard, backwards", std + "\n", []int{32, 27, 18, 17, 16, 15, 8, 0}},
		{"standard, back and forth", std + "\n", []int{13, 8, 27, 28, 26, 6, 13, 18, 32, 0, 31}},
		{"trailing tab", std + "\t\n", []int{32, 31, 0}},
		{"35 fields", FieldsLine + " distribution-tenant-id connection-id\n" + std + "\tdt_2abc\t1234567890\n", []int{34, 33, 8, 27}},
		{"v2 subset", "#Fields: date time c-ip sc-status cs-uri-stem x-edge-detailed-result-type c-country\n" +
			"2024-11-15\t19:45:51\t192.0.2.9\t403\t/private/a.txt\tClientGeoBlocked\tRU\n", []int{3, 6, 5, 0, 4}},
		{"empty fields", "#Fields: a b c d e f g h i j\n\t\t\t\t\tx\t\t\t\t\n", []int{9, 5, 0, 4, 6}},
		{"JSON", `{"sc-status":"403","x-edge-result-type":"Error","c-port":null}` + "\n", []int{2, 0, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tc.in))
			raw, err := r.Scan()
			if err != nil {
				t.Fatal(err)
			}
			got := make([]string, len(tc.order))
			for k, i := range tc.order {
				got[k] = string(raw.Field(i))
			}
			l := raw.Line()
			want := make([]string, len(tc.order))
			for k, i := range tc.order {
				want[k] = l.Fields[i]
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
			if !l.JSON && len(l.Names) == NumFields && !reflect.DeepEqual(l.Names, names) {
				t.Errorf("Names: got %q, want the standard ones", l.Names)
			}
			if _, err := r.Scan(); err != io.EOF {
				t.Errorf("got %v, want io.EOF", err)
			}
		})
	}
}

// TestScanDoesNotAllocate: Scan and Field cost no allocation per line.
func TestScanDoesNotAllocate(t *testing.T) {
	line := std33(t) + "\n"
	data := []byte(Header + strings.Repeat(line, 2000))
	r := NewReader(bytes.NewReader(data))
	allocs := testing.AllocsPerRun(3, func() {
		r.src, r.eof, r.pos, r.lim, r.end = bytes.NewReader(data), false, 0, 0, 0
		for {
			raw, err := r.Scan()
			if err != nil {
				break
			}
			raw.Field(8)
			raw.Field(13)
			raw.Field(27)
		}
	})
	if allocs > 20 { // the input reader and the #Fields header
		t.Errorf("got %v allocations for 2,000 lines, want at most 20", allocs)
	}
}

// TestReaderFieldDelimiter: standard logging v2 lets a delivery choose its
// field delimiter (CloudWatch Logs CreateDelivery fieldDelimiter, for the
// Plain and W3C formats), and space-separated v2 files are reported. A
// line without a tab whose count of one other delimiter fits the header is
// read with that delimiter; a count that does not fit stays malformed.
func TestReaderFieldDelimiter(t *testing.T) {
	v2 := "#Fields: date time c-ip sc-status cs-uri-stem x-edge-detailed-result-type cs(User-Agent)\n"
	row := []string{"2024-11-15", "19:45:51", "192.0.2.9", "403", "/private/a.txt", "ClientGeoBlocked", "Mozilla/5.0%20(X11;%20Linux)"}
	for _, tc := range []struct {
		name, delim string
		ok          bool
	}{
		{"space", " ", true},
		{"pipe", "|", true},
		{"comma", ",", true},
		{"semicolon, which the user agent holds too", ";", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := v2 + strings.Join(row, tc.delim) + "\r\n" + strings.Join(row, "\t") + "\n"
			r := NewReader(strings.NewReader(in))
			l, err := r.Next()
			if !tc.ok {
				if err == nil {
					t.Fatalf("got %v, want a malformed line", l.Fields)
				}
			} else if err != nil {
				t.Fatalf("got %v, want the line", err)
			} else if !reflect.DeepEqual(l.Fields, row) {
				t.Errorf("fields: got %q, want %q", l.Fields, row)
			}
			if l, err := r.Next(); err != nil || l.Get("cs(User-Agent)") != row[6] {
				t.Errorf("the tab line after it: got %v, %v", l, err)
			}
		})
	}
	// Scan's lazy Field finds the fields of such a line too.
	r := NewReader(strings.NewReader(v2 + strings.Join(row, " ") + "\n"))
	raw, err := r.Scan()
	if err != nil {
		t.Fatal(err)
	}
	for i := len(row) - 1; i >= 0; i-- {
		if got := string(raw.Field(i)); got != row[i] {
			t.Errorf("Field(%d): got %q, want %q", i, got, row[i])
		}
	}
}

// TestReaderFieldDelimiterJunk: a line of delimiters, or with an empty
// field, is not taken for a record.
func TestReaderFieldDelimiterJunk(t *testing.T) {
	for _, line := range []string{"   ", "a  b c", " a b c", "a,,b,c", "a b c ", "a b c  ", "|||", `"w":"1","x":"2","y":"3"}`, "a<,b,c,d"} {
		r := NewReader(strings.NewReader("#Fields: w x y z\n" + line + "\n"))
		if l, err := r.Next(); err == nil {
			t.Errorf("%q: got %q, want a malformed line", line, l.Fields)
		}
	}
}

// TestOpenParquet: a Parquet file is refused by name, not read as lines of
// invalid UTF-8.
func TestOpenParquet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "EDFDVBD6EXAMPLE.2024-05-01-10.parquet")
	if err := os.WriteFile(path, []byte("PAR1\x15\x04\x15\x00\xff\xfePAR1"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(path); !errors.Is(err, ErrParquet) {
		t.Errorf("got %v, want ErrParquet", err)
	}
}

// TestReaderCloudWatchExport: standard logging v2 delivered to CloudWatch
// Logs and exported to S3 puts the event's timestamp and a space before
// each record (the shape doctor reads WAF logs in too). The prefix is cut:
// a W3C line never holds a space, so it cannot be part of one.
func TestReaderCloudWatchExport(t *testing.T) {
	json := `{"date":"2024-11-15","time":"19:45:51","sc-status":"403","x-edge-request-id":"cw-json"}`
	in := "#Fields: date time sc-status x-edge-request-id\n" +
		"2024-11-15T19:45:51.183Z " + json + "\n" +
		"2024-11-15T19:45:52.000Z 2024-11-15\t19:45:52\t403\tcw-w3c\r\n" +
		"2024-11-15T19:45:53Z 2024-11-15\t19:45:53\t403\tcw-no-millis\n" +
		"2024-11-15\t19:45:54\t403\tplain\n"
	r := NewReader(strings.NewReader(in))
	for _, want := range []struct{ id, date string }{
		{"cw-json", "2024-11-15"}, {"cw-w3c", "2024-11-15"}, {"cw-no-millis", "2024-11-15"}, {"plain", "2024-11-15"},
	} {
		l, err := r.Next()
		if err != nil {
			t.Fatalf("%s: %v", want.id, err)
		}
		if l.Get("x-edge-request-id") != want.id || l.Get("date") != want.date || l.Get("sc-status") != "403" {
			t.Errorf("%s: got %q", want.id, l.Fields)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("got %v, want io.EOF", err)
	}
}
