package doctor

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openfront-edge/openfront/internal/accesslog"
)

// cols maps the fields the doctor reads to their positions under one
// #Fields header, so the per-line work indexes a slice instead of looking
// names up. -1 is a field the header lacks.
type cols struct {
	date, time, cip, method, host, stem, status, referer, ua, query, cookie, result,
	reqID, hostHeader, proto, csBytes, timeTaken, respResult, protoVer, ttfb, detailed,
	ctype, clen, country, pattern, tsMillis, ts int
	cookieField bool
	// stemQuery: cs-uri-stem may end in "?" and the query (real-time logs).
	stemQuery bool
	// fetch lists the fields newRequest reads and the slots it reads them
	// into: the ones this header has.
	fetch []slotCol
}

// The values newRequest reads, by slot.
const (
	sMethod = iota
	sHost
	sHostHeader
	sStem
	sQuery
	sCookie
	sContentType
	sClientIP
	sPattern // the unescaped ones end here
	sResult
	sRespResult
	sDetailed
	sProto
	sProtoVer
	sCountry
	sReqID
	sContentLen
	sCSBytes
	sTimeTaken
	sTTFB
	sUA
	sReferer
	sDate
	sTime
	sTsMillis
	sTs
	nSlots
)

const (
	nUnescaped = sPattern + 1 // the first slots are URL-decoded strings
	nStrSlots  = sReqID + 1   // the first slots are strings
)

type slotCol struct{ slot, col int }

func newCols(names []string) *cols {
	c := &cols{}
	idx := func(n string) int {
		for i, v := range names {
			if v == n {
				return i
			}
		}
		// Keys lowercased on the way (Firehose's OpenX JSON SerDe does it
		// by default) still name the field: no two differ only in case.
		for i, v := range names {
			if strings.EqualFold(v, n) {
				return i
			}
		}
		return -1
	}
	c.date, c.time, c.cip = idx("date"), idx("time"), idx("c-ip")
	c.method, c.host, c.stem, c.status = idx("cs-method"), idx("cs(Host)"), idx("cs-uri-stem"), idx("sc-status")
	c.referer, c.ua, c.query, c.cookie = idx("cs(Referer)"), idx("cs(User-Agent)"), idx("cs-uri-query"), idx("cs(Cookie)")
	c.result, c.reqID, c.hostHeader, c.proto = idx("x-edge-result-type"), idx("x-edge-request-id"), idx("x-host-header"), idx("cs-protocol")
	c.csBytes, c.timeTaken, c.respResult = idx("cs-bytes"), idx("time-taken"), idx("x-edge-response-result-type")
	c.protoVer, c.ttfb, c.detailed = idx("cs-protocol-version"), idx("time-to-first-byte"), idx("x-edge-detailed-result-type")
	c.ctype, c.clen, c.country, c.pattern = idx("sc-content-type"), idx("sc-content-len"), idx("c-country"), idx("cache-behavior-path-pattern")
	c.tsMillis, c.ts = idx("timestamp(ms)"), idx("timestamp")
	if c.stem < 0 {
		// Real-time logs name it cs-uri-stem too, but v2 JSON may use
		// "cs-uri-stem" only; nothing else to try.
		c.stem = idx("cs-uri")
	}
	// Real-time logs (spec §2.5; real-time-logs.md) name the viewer's Host
	// cs-host and put the distribution's domain in x-host-header, the other
	// way round from standard logs; their cs-uri-stem carries the query
	// string too; their headers are cs-user-agent, cs-referer and
	// cs-cookie. A header with cs-host and no cs(Host) is one of theirs.
	if c.host < 0 {
		if h := idx("cs-host"); h >= 0 {
			c.host, c.hostHeader, c.stemQuery = c.hostHeader, h, true
		}
	}
	if c.ua < 0 {
		c.ua = idx("cs-user-agent")
	}
	if c.referer < 0 {
		c.referer = idx("cs-referer")
	}
	if c.cookie < 0 {
		c.cookie = idx("cs-cookie")
	}
	c.cookieField = c.cookie >= 0
	slots := [nSlots]int{
		sMethod: c.method, sHost: c.host, sHostHeader: c.hostHeader, sStem: c.stem, sQuery: c.query,
		sCookie: c.cookie, sContentType: c.ctype, sClientIP: c.cip, sPattern: c.pattern, sResult: c.result,
		sRespResult: c.respResult, sDetailed: c.detailed, sProto: c.proto, sProtoVer: c.protoVer,
		sCountry: c.country, sReqID: c.reqID, sContentLen: c.clen, sCSBytes: c.csBytes,
		sTimeTaken: c.timeTaken, sTTFB: c.ttfb, sUA: c.ua, sReferer: c.referer, sDate: c.date, sTime: c.time,
		sTsMillis: c.tsMillis, sTs: c.ts,
	}
	for slot, col := range slots {
		if col >= 0 {
			c.fetch = append(c.fetch, slotCol{slot, col})
		}
	}
	return c
}

// field returns field i of a scanned line, nil when absent or "-".
func field(l *accesslog.Raw, i int) []byte {
	v := l.Field(i)
	if len(v) == 1 && v[0] == '-' {
		return nil
	}
	return v
}

// parseStatus reads a 3-digit status without allocating; -1 if malformed.
func parseStatus(s []byte) int {
	if len(s) != 3 {
		return -1
	}
	n := 0
	for i := 0; i < 3; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// request is one 4xx/5xx (or rewritten) log line, decoded: the slow path.
type request struct {
	DistKey  string // the log file's distribution id, "_unrouted", or ""
	Unrouted bool
	Time     time.Time
	Status   int
	Method   string
	Host     string // cs(Host): the distribution's domain
	// HostHeader is the Host the viewer sent (x-host-header).
	HostHeader string
	// Path is cs-uri-stem as the viewer sent it (still percent-encoded);
	// DecodedPath is what cache behaviors match.
	Path, DecodedPath string
	Query, Cookie     string // raw as sent
	CookieLogged      bool   // the log carries a cs(Cookie) field
	Result            string
	RespResult        string
	Detailed          string
	Protocol          string
	ProtocolVersion   string
	ContentType       string
	ContentLen        int64 // -1 unknown
	CSBytes           int64 // -1 unknown
	TimeTakenMs       int64 // -1 unknown
	TTFBMs            int64 // -1 unknown
	ClientIP          string
	Country           string
	RequestID         string
	UALen, RefererLen int // as logged (still URL-encoded): only their size matters
	PathPattern       string
}

// Arrival is when the request arrived: the logged time is when the answer
// finished (AccessLogs.md), so time-taken is subtracted.
func (r *request) Arrival() time.Time {
	if r.TimeTakenMs > 0 {
		return r.Time.Add(-time.Duration(r.TimeTakenMs) * time.Millisecond)
	}
	return r.Time
}

// num reads a logged integer as strconv.ParseInt does, without
// allocating; -1 when empty or malformed.
func num(b []byte) int64 {
	neg := len(b) > 0 && b[0] == '-'
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		b = b[1:]
	}
	if len(b) == 0 {
		return -1
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' || n > (1<<63)/10 {
			return -1
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case neg && n <= 1<<63:
		return -int64(n)
	case !neg && n < 1<<63:
		return int64(n)
	}
	return -1
}

// decoder is one reader's scratch space for newRequest.
type decoder struct {
	fields [][]byte // views into the reader's buffer
	buf    []byte
	req    request // reused: classify and tally.add keep no pointer to a request
}

// newRequest decodes the fields the classifier reads from a refused line,
// split in one pass, and copies their values into one string: a kept
// request, a top-list key or an example id then holds no reference to the
// reader's buffer. The request is d's, valid until the next call.
func newRequest(l *accesslog.Raw, c *cols, key string, status int, d *decoder) *request {
	f := l.AppendFields(d.fields[:0])
	d.fields = f
	var v [nSlots][]byte
	for _, sc := range c.fetch {
		if x := f[sc.col]; len(x) != 1 || x[0] != '-' {
			v[sc.slot] = x
		}
	}
	var ends [nStrSlots]int
	buf := d.buf[:0]
	for i := range nStrSlots {
		if i < nUnescaped {
			buf = accesslog.AppendUnescaped(buf, v[i])
		} else {
			buf = append(buf, v[i]...)
		}
		ends[i] = len(buf)
	}
	d.buf = buf
	all := string(buf)
	var str [nStrSlots]string
	for i := range str {
		from := 0
		if i > 0 {
			from = ends[i-1]
		}
		str[i] = all[from:ends[i]]
	}
	r := &d.req
	*r = request{
		DistKey: key, Unrouted: key == unroutedKey, Status: status,
		Method: str[sMethod], Host: str[sHost], HostHeader: str[sHostHeader], Path: str[sStem], Query: str[sQuery],
		Cookie: str[sCookie], CookieLogged: c.cookieField, Result: str[sResult], RespResult: str[sRespResult],
		Detailed: str[sDetailed], Protocol: str[sProto], ProtocolVersion: str[sProtoVer], ContentType: str[sContentType],
		ClientIP: str[sClientIP], Country: str[sCountry], RequestID: str[sReqID], PathPattern: str[sPattern],
		ContentLen: num(v[sContentLen]), CSBytes: num(v[sCSBytes]),
		TimeTakenMs: parseMillis(v[sTimeTaken]), TTFBMs: parseMillis(v[sTTFB]),
		UALen: len(v[sUA]), RefererLen: len(v[sReferer]),
	}
	if r.HostHeader == "" {
		r.HostHeader = r.Host
	}
	if c.stemQuery {
		if p, q, ok := strings.Cut(r.Path, "?"); ok {
			if r.Query == "" {
				r.Query = q
			}
			r.Path = p
		}
	}
	r.DecodedPath = r.Path
	if strings.IndexByte(r.Path, '%') >= 0 {
		if p, err := url.PathUnescape(r.Path); err == nil {
			r.DecodedPath = p
		}
	}
	r.Query = strings.TrimPrefix(r.Query, "?")
	if len(v[sDate]) > 0 {
		r.Time = parseDateTime(v[sDate], v[sTime])
	} else {
		r.Time = timestamp(v[sTsMillis], v[sTs])
	}
	return r
}

const unroutedKey = "_unrouted"

// rawTime reads a scanned line's date and time, or v2's timestamp(ms), or
// real-time logs' timestamp (seconds with decimals), without allocating.
func rawTime(l *accesslog.Raw, c *cols) time.Time {
	if d, t := field(l, c.date), field(l, c.time); len(d) > 0 {
		return parseDateTime(d, t)
	}
	return timestamp(field(l, c.tsMillis), field(l, c.ts))
}

// timestamp reads v2's timestamp(ms) or else real-time logs' timestamp.
func timestamp(ms, secs []byte) time.Time {
	if len(ms) > 0 {
		if n, err := strconv.ParseInt(string(ms), 10, 64); err == nil {
			return time.UnixMilli(n).UTC()
		}
	}
	if len(secs) > 0 {
		if v, err := strconv.ParseFloat(string(secs), 64); err == nil {
			return time.UnixMilli(int64(v * 1000)).UTC()
		}
	}
	return time.Time{}
}

// parseDateTime reads "2006-01-02" and "15:04:05" without allocating; the
// zero Time when either is malformed.
func parseDateTime(d, t []byte) time.Time {
	if len(d) != 10 || len(t) != 8 || d[4] != '-' || d[7] != '-' || t[2] != ':' || t[5] != ':' {
		return time.Time{}
	}
	n := func(s []byte) int {
		v := 0
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, mo, dd, h, mi, se := n(d[:4]), n(d[5:7]), n(d[8:]), n(t[:2]), n(t[3:5]), n(t[6:])
	if y < 0 || mo < 1 || mo > 12 || dd < 1 || dd > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60 {
		return time.Time{}
	}
	return time.Date(y, time.Month(mo), dd, h, mi, se, 0, time.UTC)
}
