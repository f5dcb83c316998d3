package accesslog

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// ParseRecord converts a line into a Record: numbers and times are parsed,
// string fields are unescaped with [Unescape], "-" becomes empty (or -1 for
// sc-content-len and the ranges). Fields the line lacks stay empty. When the
// line has no date, a v2 "timestamp(ms)" or real-time "timestamp" field
// gives Time. On a bad value it returns the Record parsed so far and an
// error naming the field.
func ParseRecord(l *Line) (Record, error) {
	var rec Record
	rec.Reset()
	val := func(i int) string {
		if l.std {
			if v := l.Fields[i]; v != "-" {
				return v
			}
			return ""
		}
		return l.Get(fieldNames[i])
	}
	var errs []error
	bad := func(i int, err error) {
		errs = append(errs, fmt.Errorf("%s: %w", fieldNames[i], err))
	}
	str := func(i int) string { return Unescape(val(i)) }
	num := func(i int, dflt int64) int64 {
		v := val(i)
		if v == "" {
			return dflt
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			bad(i, err)
			return dflt
		}
		return n
	}
	secs := func(i int) time.Duration {
		d, err := parseSeconds(val(i))
		if err != nil {
			bad(i, err)
		}
		return d
	}

	t, err := parseTime(val(0), val(1), l.Get("timestamp(ms)"), l.Get("timestamp"))
	if err != nil {
		bad(0, err)
	}
	rec.Time = t
	rec.EdgeLocation = str(2)
	rec.SCBytes = num(3, 0)
	if v := val(4); v != "" {
		if rec.ClientIP, err = netip.ParseAddr(Unescape(v)); err != nil {
			bad(4, err)
		}
	}
	rec.Method = str(5)
	rec.Host = str(6)
	rec.URIStem = str(7)
	rec.Status = int(num(8, 0))
	rec.Referer = str(9)
	rec.UserAgent = str(10)
	rec.Query = str(11)
	rec.Cookie = str(12)
	rec.ResultType = str(13)
	rec.RequestID = str(14)
	rec.HostHeader = str(15)
	rec.Protocol = str(16)
	rec.CSBytes = num(17, 0)
	rec.TimeTaken = secs(18)
	rec.ForwardedFor = str(19)
	rec.SSLProtocol = str(20)
	rec.SSLCipher = str(21)
	rec.ResponseResultType = str(22)
	rec.ProtocolVersion = str(23)
	rec.FLEStatus = str(24)
	rec.FLEEncryptedFields = str(25)
	rec.ClientPort = int(num(26, 0))
	rec.TimeToFirstByte = secs(27)
	rec.DetailedResultType = str(28)
	rec.ContentType = str(29)
	rec.ContentLen = num(30, -1)
	rec.RangeStart = num(31, -1)
	rec.RangeEnd = num(32, -1)
	if len(errs) > 0 {
		return rec, fmt.Errorf("accesslog: line %d: %w", l.Num, errors.Join(errs...))
	}
	return rec, nil
}

// parseTime reads a W3C date and time (UTC), or else a timestamp in
// milliseconds (v2) or in seconds with decimals (real-time logs).
func parseTime(date, clock, ms, secs string) (time.Time, error) {
	switch {
	case date != "":
		t, err := time.Parse("2006-01-02 15:04:05", date+" "+clock)
		if err != nil {
			return time.Time{}, errors.New("invalid date or time")
		}
		return t, nil
	case ms != "":
		n, err := strconv.ParseInt(ms, 10, 64)
		if err != nil {
			return time.Time{}, errors.New("invalid timestamp(ms)")
		}
		return time.UnixMilli(n).UTC(), nil
	case secs != "":
		d, err := parseSeconds(secs)
		if err != nil {
			return time.Time{}, errors.New("invalid timestamp")
		}
		return time.Unix(0, 0).Add(d).UTC(), nil
	}
	return time.Time{}, nil
}

// parseSeconds reads "12.345" (any number of decimals, nanoseconds at most)
// into a Duration; "" is 0.
func parseSeconds(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || whole[0] == '-' || whole[0] == '+' || len(frac) > 9 {
		return 0, errors.New("invalid seconds")
	}
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || n > int64(1<<63-1)/int64(time.Second)-1 {
		return 0, errors.New("invalid seconds")
	}
	d := time.Duration(n) * time.Second
	scale := time.Duration(1e8)
	for i := 0; i < len(frac); i++ {
		c := frac[i]
		if c < '0' || c > '9' {
			return 0, errors.New("invalid seconds")
		}
		d += time.Duration(c-'0') * scale
		scale /= 10
	}
	return d, nil
}

// FileName is the parsed name of a standard log file,
// "<prefix><distribution-id>.YYYY-MM-DD-HH.<unique>.gz" (AccessLogs.md).
type FileName struct {
	Dir    string    // everything up to the last "/", with it; "" when none
	Key    string    // the distribution id (or "_unrouted")
	Hour   time.Time // the UTC hour the records belong to
	Unique string    // the unique id
}

// ParseFileName parses a log file name or path.
func ParseFileName(name string) (FileName, error) {
	var fn FileName
	base := name
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		fn.Dir, base = name[:i+1], name[i+1:]
	}
	base = strings.TrimSuffix(base, ".gz")
	parts := strings.Split(base, ".")
	if len(parts) < 3 || parts[0] == "" || parts[len(parts)-1] == "" {
		return fn, fmt.Errorf("accesslog: %q is not <id>.YYYY-MM-DD-HH.<unique>.gz", name)
	}
	n := len(parts)
	h, err := time.Parse("2006-01-02-15", parts[n-2])
	if err != nil {
		return fn, fmt.Errorf("accesslog: %q: bad hour %q", name, parts[n-2])
	}
	fn.Key, fn.Hour, fn.Unique = strings.Join(parts[:n-2], "."), h, parts[n-1]
	return fn, nil
}
