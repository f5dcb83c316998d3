package accesslog

import (
	"strconv"
	"time"
)

// jsonKeys[i] opens field i of a JSON line: `{"date":"` for the first field,
// `","name":"` (closing the previous value) for the others.
var jsonKeys = func() (k [NumFields]string) {
	for i, name := range fieldNames {
		if i == 0 {
			k[i] = `{"` + name + `":"`
		} else {
			k[i] = `","` + name + `":"`
		}
	}
	return k
}()

// AppendW3C appends r to dst as one W3C log line, in FieldsLine order, tab
// separated, with its trailing line feed. It does not allocate when dst has
// room for the line.
//
// Encodings (AccessLogs.md): date YYYY-MM-DD and time HH:MM:SS in UTC;
// sc-status as 3 digits ("000" for 0); time-taken and time-to-first-byte as
// seconds with exactly 3 decimals, rounded to the millisecond; c-port "-"
// when 0; sc-content-len, sc-range-start and sc-range-end "-" when negative;
// c-ip "-" when invalid (IPv4-mapped IPv6 is logged as IPv4); string fields
// through [Escape], "-" when empty.
func AppendW3C(dst []byte, r *Record) []byte {
	return appendRecord(dst, r, false)
}

// AppendJSON appends r to dst as one JSON object and a line feed, the shape
// of CloudFront's standard logging v2 JSON output: the keys are the field
// names of FieldsLine in that order and every value is a string, encoded
// exactly as in [AppendW3C]. Because [Escape] encodes '"', '\' and every
// control byte, no value needs JSON escaping. It does not allocate when dst
// has room for the line.
func AppendJSON(dst []byte, r *Record) []byte {
	return appendRecord(dst, r, true)
}

func appendRecord(dst []byte, r *Record, json bool) []byte {
	sep := func(i int) {
		switch {
		case json:
			dst = append(dst, jsonKeys[i]...)
		case i > 0:
			dst = append(dst, '\t')
		}
	}
	t := r.Time.UTC()
	year, month, day := t.Date()
	hour, min, sec := t.Clock()

	sep(0)
	dst = appendPad(dst, year, 4)
	dst = append(dst, '-')
	dst = appendPad(dst, int(month), 2)
	dst = append(dst, '-')
	dst = appendPad(dst, day, 2)
	sep(1)
	dst = appendPad(dst, hour, 2)
	dst = append(dst, ':')
	dst = appendPad(dst, min, 2)
	dst = append(dst, ':')
	dst = appendPad(dst, sec, 2)
	sep(2)
	dst = appendString(dst, r.EdgeLocation)
	sep(3)
	dst = strconv.AppendInt(dst, r.SCBytes, 10)
	sep(4)
	if ip := r.ClientIP.Unmap().WithZone(""); ip.IsValid() {
		dst = ip.AppendTo(dst)
	} else {
		dst = append(dst, '-')
	}
	sep(5)
	dst = appendString(dst, r.Method)
	sep(6)
	dst = appendString(dst, r.Host)
	sep(7)
	dst = appendString(dst, r.URIStem)
	sep(8)
	dst = appendPad(dst, r.Status, 3)
	sep(9)
	dst = appendString(dst, r.Referer)
	sep(10)
	dst = appendString(dst, r.UserAgent)
	sep(11)
	dst = appendString(dst, r.Query)
	sep(12)
	dst = appendString(dst, r.Cookie)
	sep(13)
	dst = appendString(dst, r.ResultType)
	sep(14)
	dst = appendString(dst, r.RequestID)
	sep(15)
	dst = appendString(dst, r.HostHeader)
	sep(16)
	dst = appendString(dst, r.Protocol)
	sep(17)
	dst = strconv.AppendInt(dst, r.CSBytes, 10)
	sep(18)
	dst = appendSeconds(dst, r.TimeTaken)
	sep(19)
	dst = appendString(dst, r.ForwardedFor)
	sep(20)
	dst = appendString(dst, r.SSLProtocol)
	sep(21)
	dst = appendString(dst, r.SSLCipher)
	sep(22)
	dst = appendString(dst, r.ResponseResultType)
	sep(23)
	dst = appendString(dst, r.ProtocolVersion)
	sep(24)
	dst = appendString(dst, r.FLEStatus)
	sep(25)
	dst = appendString(dst, r.FLEEncryptedFields)
	sep(26)
	dst = appendOptInt(dst, int64(r.ClientPort), 1)
	sep(27)
	dst = appendSeconds(dst, r.TimeToFirstByte)
	sep(28)
	dst = appendString(dst, r.DetailedResultType)
	sep(29)
	dst = appendString(dst, r.ContentType)
	sep(30)
	dst = appendOptInt(dst, r.ContentLen, 0)
	sep(31)
	dst = appendOptInt(dst, r.RangeStart, 0)
	sep(32)
	dst = appendOptInt(dst, r.RangeEnd, 0)
	if json {
		dst = append(dst, '"', '}')
	}
	return append(dst, '\n')
}

// appendString appends an escaped string field, "-" when empty
// (AccessLogs.md: "If a field has no value, a hyphen (-) is used").
func appendString(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, '-')
	}
	return Escape(dst, s)
}

// appendOptInt appends n, or "-" when n is below min.
func appendOptInt(dst []byte, n, min int64) []byte {
	if n < min {
		return append(dst, '-')
	}
	return strconv.AppendInt(dst, n, 10)
}

// appendPad appends a non-negative n with at least width digits.
func appendPad(dst []byte, n, width int) []byte {
	if n < 0 {
		n = 0
	}
	for w, p := width, 1; w > 1; w-- {
		p *= 10
		if n < p {
			for ; w > 1; w-- {
				dst = append(dst, '0')
			}
			break
		}
	}
	return strconv.AppendInt(dst, int64(n), 10)
}

// appendSeconds appends d as seconds with exactly 3 decimals ("0.002"),
// rounded to the nearest millisecond; negative durations are logged as 0.
func appendSeconds(dst []byte, d time.Duration) []byte {
	if d < 0 {
		d = 0
	}
	ms := int64((d + time.Millisecond/2) / time.Millisecond)
	dst = strconv.AppendInt(dst, ms/1000, 10)
	dst = append(dst, '.')
	return appendPad(dst, int(ms%1000), 3)
}
