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
	date, time, location, cip, method, host, stem, status, referer, ua, query, cookie, result,
	reqID, hostHeader, proto, csBytes, timeTaken, xff, respResult, protoVer, ttfb, detailed,
	ctype, clen, country, pattern, tsMillis, ts int
	cookieField bool
}

func newCols(names []string) *cols {
	c := &cols{}
	idx := func(n string) int {
		for i, v := range names {
			if v == n {
				return i
			}
		}
		return -1
	}
	c.date, c.time, c.location, c.cip = idx("date"), idx("time"), idx("x-edge-location"), idx("c-ip")
	c.method, c.host, c.stem, c.status = idx("cs-method"), idx("cs(Host)"), idx("cs-uri-stem"), idx("sc-status")
	c.referer, c.ua, c.query, c.cookie = idx("cs(Referer)"), idx("cs(User-Agent)"), idx("cs-uri-query"), idx("cs(Cookie)")
	c.result, c.reqID, c.hostHeader, c.proto = idx("x-edge-result-type"), idx("x-edge-request-id"), idx("x-host-header"), idx("cs-protocol")
	c.csBytes, c.timeTaken, c.xff, c.respResult = idx("cs-bytes"), idx("time-taken"), idx("x-forwarded-for"), idx("x-edge-response-result-type")
	c.protoVer, c.ttfb, c.detailed = idx("cs-protocol-version"), idx("time-to-first-byte"), idx("x-edge-detailed-result-type")
	c.ctype, c.clen, c.country, c.pattern = idx("sc-content-type"), idx("sc-content-len"), idx("c-country"), idx("cache-behavior-path-pattern")
	c.tsMillis, c.ts = idx("timestamp(ms)"), idx("timestamp")
	if c.stem < 0 {
		// Real-time logs name it cs-uri-stem too, but v2 JSON may use
		// "cs-uri-stem" only; nothing else to try.
		c.stem = idx("cs-uri")
	}
	c.cookieField = c.cookie >= 0
	return c
}

// get returns field i, "" when absent or "-".
func get(f []string, i int) string {
	if i < 0 || i >= len(f) {
		return ""
	}
	if v := f[i]; v != "-" {
		return v
	}
	return ""
}

// parseStatus reads a 3-digit status without allocating; -1 if malformed.
func parseStatus(s string) int {
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
	Location          string
}

// Arrival is when the request arrived: the logged time is when the answer
// finished (AccessLogs.md), so time-taken is subtracted.
func (r *request) Arrival() time.Time {
	if r.TimeTakenMs > 0 {
		return r.Time.Add(-time.Duration(r.TimeTakenMs) * time.Millisecond)
	}
	return r.Time
}

// TimeString formats the logged time as the report prints it.
func (r *request) TimeString() string {
	if r.Time.IsZero() {
		return ""
	}
	return r.Time.UTC().Format(time.RFC3339)
}

func num(s string) int64 {
	if s == "" {
		return -1
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// newRequest decodes the fields the classifier reads.
func newRequest(l *accesslog.Line, c *cols, key string, status int) *request {
	f := l.Fields
	u := accesslog.Unescape
	r := &request{
		DistKey: key, Unrouted: key == unroutedKey, Status: status,
		Method: u(get(f, c.method)), Host: u(get(f, c.host)), HostHeader: u(get(f, c.hostHeader)),
		Path: u(get(f, c.stem)), Query: u(get(f, c.query)), Cookie: u(get(f, c.cookie)), CookieLogged: c.cookieField,
		Result: get(f, c.result), RespResult: get(f, c.respResult), Detailed: get(f, c.detailed),
		Protocol: get(f, c.proto), ProtocolVersion: get(f, c.protoVer), ContentType: u(get(f, c.ctype)),
		ContentLen: num(get(f, c.clen)), CSBytes: num(get(f, c.csBytes)),
		TimeTakenMs: parseMillis(get(f, c.timeTaken)), TTFBMs: parseMillis(get(f, c.ttfb)),
		ClientIP: u(get(f, c.cip)), Country: get(f, c.country), RequestID: get(f, c.reqID),
		UALen: len(get(f, c.ua)), RefererLen: len(get(f, c.referer)), PathPattern: u(get(f, c.pattern)),
		Location: get(f, c.location),
	}
	if r.HostHeader == "" {
		r.HostHeader = r.Host
	}
	if r.Country == "-" {
		r.Country = ""
	}
	r.DecodedPath = r.Path
	if strings.IndexByte(r.Path, '%') >= 0 {
		if p, err := url.PathUnescape(r.Path); err == nil {
			r.DecodedPath = p
		}
	}
	if r.Query != "" && strings.HasPrefix(r.Query, "?") {
		r.Query = r.Query[1:]
	}
	r.Time = lineTime(f, c)
	r.detach()
	return r
}

// detach copies the strings out of the reader's block: a kept request, a
// top-list key or an example id that still pointed into it would keep the
// whole 256 KiB block alive.
func (r *request) detach() {
	fields := [...]*string{&r.Method, &r.Host, &r.HostHeader, &r.Path, &r.DecodedPath, &r.Query, &r.Cookie,
		&r.Result, &r.RespResult, &r.Detailed, &r.Protocol, &r.ProtocolVersion, &r.ContentType, &r.ClientIP,
		&r.Country, &r.RequestID, &r.PathPattern, &r.Location}
	n := 0
	for _, p := range fields {
		n += len(*p)
	}
	// One allocation for all of them.
	var b strings.Builder
	b.Grow(n)
	for _, p := range fields {
		b.WriteString(*p)
	}
	all := b.String()
	for _, p := range fields {
		l := len(*p)
		*p, all = all[:l], all[l:]
	}
}

const unroutedKey = "_unrouted"

// lineTime reads date and time, or v2's timestamp(ms), or real-time logs'
// timestamp (seconds with decimals).
func lineTime(f []string, c *cols) time.Time {
	if d, t := get(f, c.date), get(f, c.time); d != "" {
		return parseDateTime(d, t)
	}
	if ms := get(f, c.tsMillis); ms != "" {
		if n, err := strconv.ParseInt(ms, 10, 64); err == nil {
			return time.UnixMilli(n).UTC()
		}
	}
	if s := get(f, c.ts); s != "" {
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			return time.UnixMilli(int64(v * 1000)).UTC()
		}
	}
	return time.Time{}
}

// parseDateTime reads "2006-01-02" and "15:04:05" without allocating; the
// zero Time when either is malformed.
func parseDateTime(d, t string) time.Time {
	if len(d) != 10 || len(t) != 8 || d[4] != '-' || d[7] != '-' || t[2] != ':' || t[5] != ':' {
		return time.Time{}
	}
	n := func(s string) int {
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
