// Package accesslog writes and reads CloudFront standard access logs: the
// legacy W3C extended format with its 33 tab-separated fields, delivered as
// gzip files named <prefix><distribution-id>.YYYY-MM-DD-HH.<unique>.gz.
//
// The edge uses [Writer] on its hot path: [Writer.Log] encodes a [Record]
// into a pooled buffer and hands it to one goroutine that owns the files, so
// a request costs no syscall and no allocation. The doctor uses [Reader] on
// real CloudFront logs; it honours #Fields headers (so it also reads the
// 34–35 field logs and standard logging v2 subsets) and JSON-lines records.
// [Reader.Scan] hands out lines without splitting them, and [Raw.Field]
// finds only the fields a caller reads: the doctor counts most lines from
// two or three fields, and decodes only the refused ones.
//
// The format facts come from the CloudFront Developer Guide, "Standard log
// file fields" (AccessLogs.md) and "Standard logging (v2)".
package accesslog

import (
	"net/netip"
	"strings"
	"time"
)

// FieldsLine is the exact #Fields header of CloudFront standard logs
// (AccessLogs.md), without its line feed.
const FieldsLine = "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end"

// VersionLine is the first header line of every W3C log file.
const VersionLine = "#Version: 1.0"

// NumFields is the number of fields in a standard log line.
const NumFields = 33

// Header is the two header lines that start every W3C file, line feeds included.
const Header = VersionLine + "\n" + FieldsLine + "\n"

// fieldNames are the 33 field names in log order, parsed once from FieldsLine.
var fieldNames = strings.Fields(strings.TrimPrefix(FieldsLine, "#Fields:"))

// FieldNames returns the 33 standard field names in log order.
func FieldNames() []string {
	return append([]string(nil), fieldNames...)
}

// Record is one request, as the edge reports it. Zero and empty values are
// logged as "-" where CloudFront does; see [AppendW3C] for each encoding.
// ContentLen, RangeStart and RangeEnd log "-" only when negative: start
// from [Record.Reset], which sets them to -1.
//
// String fields are logged through [Escape]. URIStem and Query must be the
// raw bytes the viewer sent (the request-target, not a decoded path), so that
// a "%" already in the URL is encoded again, as CloudFront does
// ("bytes%3D0" is logged as "bytes%253D0").
type Record struct {
	Time               time.Time     // when the response finished; logged as UTC date and time fields
	EdgeLocation       string        // x-edge-location, e.g. "LOC1-P1"
	SCBytes            int64         // sc-bytes, headers included
	ClientIP           netip.Addr    // c-ip; the zero Addr is logged as "-"
	Method             string        // cs-method
	Host               string        // cs(Host): the distribution's domain name
	URIStem            string        // cs-uri-stem: path only, raw as sent
	Status             int           // sc-status; 0 is logged as "000"
	Referer            string        // cs(Referer)
	UserAgent          string        // cs(User-Agent)
	Query              string        // cs-uri-query without "?", raw as sent
	Cookie             string        // cs(Cookie)
	ResultType         string        // x-edge-result-type
	RequestID          string        // x-edge-request-id
	HostHeader         string        // x-host-header: Host as sent by the viewer
	Protocol           string        // cs-protocol: http | https | ws | wss
	CSBytes            int64         // cs-bytes, headers included
	TimeTaken          time.Duration // time-taken, seconds with 3 decimals
	ForwardedFor       string        // x-forwarded-for
	SSLProtocol        string        // ssl-protocol, e.g. "TLSv1.3"
	SSLCipher          string        // ssl-cipher, OpenSSL name
	ResponseResultType string        // x-edge-response-result-type
	ProtocolVersion    string        // cs-protocol-version: HTTP/1.1, HTTP/2.0 …
	FLEStatus          string        // fle-status
	FLEEncryptedFields string        // fle-encrypted-fields
	ClientPort         int           // c-port; 0 is logged as "-"
	TimeToFirstByte    time.Duration // time-to-first-byte, seconds with 3 decimals
	DetailedResultType string        // x-edge-detailed-result-type
	ContentType        string        // sc-content-type
	ContentLen         int64         // sc-content-len; -1 (unknown) is logged as "-"
	RangeStart         int64         // sc-range-start; -1 is logged as "-"
	RangeEnd           int64         // sc-range-end; -1 is logged as "-"
}

// Reset sets r to the empty record: every field zero except ContentLen,
// RangeStart and RangeEnd, which are -1 (logged as "-"). Callers that reuse
// Records call it before filling one in.
func (r *Record) Reset() {
	*r = Record{ContentLen: -1, RangeStart: -1, RangeEnd: -1}
}
