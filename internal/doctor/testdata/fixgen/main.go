// Command fixgen writes the doctor's test fixtures: distribution configs in
// get-distribution(-config) shape, CloudFront standard logs in the format
// AccessLogs.md documents (33 tab-separated fields under #Version/#Fields
// headers; a 35-field variant; v2 JSON and W3C subsets), this edge's
// _unrouted log, and AWS WAF logs in the format of the WAF developer guide.
// Every line is built here field by field from those documents, not by the
// edge. Signatures are made with crypto/rsa from the documented canned and
// custom policy formats, independently of internal/signedurl.
//
// Run from the repository root: go run ./internal/doctor/testdata/fixgen
package main

import (
	"bytes"
	"compress/gzip"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
)

const dir = "internal/doctor/testdata"

const fields33 = "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end"

// Epoch of the log hour, 2024-05-01T10:00:00Z.
const hour = 1714557600

// line is one log record; zero values take the defaults in fill.
type line struct {
	t                                int // seconds after 10:00:00
	ip, method, host, stem, query    string
	cookie, result, id, hostHeader   string
	proto, protoVer, detailed, ctype string
	status, csBytes, clen            int
	taken, ttfb                      string
	resp                             string
}

// rid makes a 56-character request id from a readable name, in the shape
// of real ones (URL-safe base64 of 40 bytes, ending in "==").
func rid(name string) string {
	s := strings.NewReplacer(".", "_", "/", "_").Replace(name)
	for len(s) < 54 {
		s += "x"
	}
	return s[:54] + "=="
}

// escape applies CloudFront's log encoding (AccessLogs.md).
func escape(s string) string {
	if s == "" {
		return "-"
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 32 || c >= 127 || strings.IndexByte("<>\"#%{}|\\^~[]`'", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func or(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func (l line) w3c(extra ...string) string {
	if l.status == 0 {
		l.status = 200
	}
	if l.result == "" {
		l.result = "Hit"
	}
	resp := or(l.resp, l.result)
	det := or(l.detailed, l.result)
	proto := or(l.proto, "https")
	ssl, cipher := "TLSv1.3", "TLS_AES_128_GCM_SHA256"
	if proto == "http" {
		ssl, cipher = "-", "-"
	}
	clen := "-"
	if l.clen > 0 {
		clen = fmt.Sprint(l.clen)
	}
	cs := l.csBytes
	if cs == 0 {
		cs = 412
	}
	f := []string{
		"2024-05-01", fmt.Sprintf("10:%02d:%02d", l.t/60%60, l.t%60), "IAD89-P2", fmt.Sprint(300 + l.clen),
		or(l.ip, "203.0.113.10"), or(l.method, "GET"), or(l.host, "d111111abcdef8.cloudfront.net"), escape(or(l.stem, "/")),
		fmt.Sprint(l.status), "-", "Mozilla/5.0%20(X11;%20Linux%20x86_64)", escape(l.query), escape(l.cookie), l.result,
		or(l.id, rid(fmt.Sprintf("bg%d", l.t))), or(l.hostHeader, "www.example.com"), proto, fmt.Sprint(cs),
		or(l.taken, or(l.ttfb, "0.001")), "-", ssl, cipher, resp, or(l.protoVer, "HTTP/2.0"), "-", "-", "51234",
		or(l.ttfb, "0.001"), det, or(l.ctype, "text/html"), clen, "-", "-",
	}
	return strings.Join(append(f, extra...), "\t")
}

// --- keys and signatures ---------------------------------------------------

var key *rsa.PrivateKey

const keyID = "K2JCJMDEHXQW5F"

func loadKey() {
	p := filepath.Join(dir, "keys", "private_key.pem")
	if data, err := os.ReadFile(p); err == nil {
		b, _ := pem.Decode(data)
		k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
		if err != nil {
			log.Fatal(err)
		}
		key = k
		return
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		log.Fatal(err)
	}
	key = k
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}), 0o600)
}

// cf is CloudFront's base64: standard, then + → -, = → _, / → ~.
func cf(b []byte) string {
	return strings.NewReplacer("+", "-", "=", "_", "/", "~").Replace(base64.StdEncoding.EncodeToString(b))
}

func sign(policy string) string {
	h := sha1.Sum([]byte(policy))
	s, err := rsa.SignPKCS1v15(nil, key, crypto.SHA1, h[:])
	if err != nil {
		log.Fatal(err)
	}
	return cf(s)
}

// canned returns the query of a canned-policy signed URL.
func canned(url string, expires int) string {
	pol := fmt.Sprintf(`{"Statement":[{"Resource":"%s","Condition":{"DateLessThan":{"AWS:EpochTime":%d}}}]}`, url, expires)
	return fmt.Sprintf("Expires=%d&Signature=%s&Key-Pair-Id=%s", expires, sign(pol), keyID)
}

// custom returns the query of a custom-policy signed URL.
func custom(policy string) string {
	return fmt.Sprintf("Policy=%s&Signature=%s&Key-Pair-Id=%s", cf([]byte(policy)), sign(policy), keyID)
}

// --- files -----------------------------------------------------------------

func write(name string, data []byte) {
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		log.Fatal(err)
	}
}

func gz(data []byte) []byte {
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	w.Header.ModTime = w.Header.ModTime.UTC() // zero: reproducible bytes
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func lines(header string, ls []string) []byte {
	return []byte(header + strings.Join(ls, "\n") + "\n")
}

const header33 = "#Version: 1.0\n#Fields: " + fields33 + "\n"

func jsonDoc(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		log.Fatal(err)
	}
	return append(b, '\n')
}

func main() {
	loadKey()
	writeConfigs()
	writeRealLogs()
	writeEdgeLogs()
	writeWAFLogs()
	writeCleanLogs()
	writeVariants()
}

// background is ordinary traffic of E1: Hits at the edge's speed and Misses
// with an origin round trip, so timing has something to compare with.
func background(n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, line{t: i, stem: fmt.Sprintf("/img/%d.png", i), result: "Hit", ttfb: "0.001", clen: 5120, ctype: "image/png"}.w3c())
		out = append(out, line{t: i, id: rid(fmt.Sprintf("miss%d", i)), stem: fmt.Sprintf("/img/m%d.png", i), result: "Miss",
			ttfb: fmt.Sprintf("0.%03d", 40+i%60), clen: 5120, ctype: "image/png"}.w3c())
	}
	return out
}

func writeRealLogs() {
	xmlDenied := 110
	xmlMissing := 146
	var ls []string
	ls = append(ls, background(40)...)
	add := func(l line) { ls = append(ls, l.w3c()) }
	e := func(name string) string { return rid(name) }

	// Geo restriction (KC-403): ClientGeoBlocked, the geo page.
	add(line{t: 100, id: e("geo-restriction"), stem: "/index.html", status: 403, result: "Error", detailed: "ClientGeoBlocked", clen: 986, ip: "198.51.100.20"})
	// Method not in AllowedMethods: InvalidRequestMethod, the 1053-byte page.
	add(line{t: 101, id: e("method-not-allowed"), method: "POST", stem: "/index.html", status: 403, result: "Error", detailed: "InvalidRequestMethod", clen: 1053, csBytes: 900})
	// WAF blocks: Error/Error and the "Request blocked." page; the WAF log names the rule.
	add(line{t: 102, id: e("waf-block-managed"), stem: "/upload", method: "GET", status: 403, result: "Error", detailed: "Error", clen: 919, ip: "192.0.2.44"})
	add(line{t: 103, id: e("waf-block-rate"), stem: "/login", status: 403, result: "Error", detailed: "Error", clen: 919, ip: "192.0.2.45"})
	add(line{t: 104, id: e("waf-block-nolog"), stem: "/wp-admin", status: 403, result: "Error", detailed: "Error", clen: 919, ip: "192.0.2.46"})

	// Signed URLs on /private/* (trusted key group KG, key K2JCJMDEHXQW5F).
	base := "https://www.example.com/private/movie.mp4"
	future := hour + 7200
	add(line{t: 110, id: e("signed-url-missing-key-pair-id"), stem: "/private/movie.mp4", query: fmt.Sprintf("Expires=%d&Signature=abcd", future), status: 403, result: "Error", detailed: "Error", ctype: "text/xml", clen: xmlMissing})
	add(line{t: 111, id: e("signed-url-unknown-key"), stem: "/private/movie.mp4", query: strings.Replace(canned(base, future), keyID, "K3UNKNOWNKEY99", 1), status: 403, result: "Error", detailed: "Error", ctype: "text/xml", clen: 86})
	add(line{t: 112, id: e("signed-url-malformed-signature"), stem: "/private/movie.mp4", query: fmt.Sprintf("Expires=%d&Signature=dGhpcyBpcyBub3Qgc2ln_bmF0dXJl&Key-Pair-Id=%s", future, keyID), status: 403, result: "Error", detailed: "Error", ctype: "text/xml", clen: 126})
	add(line{t: 113, id: e("signed-url-malformed-policy"), stem: "/private/movie.mp4", query: fmt.Sprintf("Expires=%d000&Signature=%s&Key-Pair-Id=%s", future, cf([]byte("sig")), keyID), status: 403, result: "Error", detailed: "Error", ctype: "text/xml", clen: 108})
	add(line{t: 114, id: e("signed-url-expired"), stem: "/private/movie.mp4", query: canned(base, hour-3600), status: 403, result: "Error", detailed: "Error", ctype: "text/xml", clen: xmlDenied})
	add(line{t: 115, id: e("signed-url-not-yet-valid"), stem: "/private/movie.mp4",
		query:  custom(fmt.Sprintf(`{"Statement":[{"Resource":"%s","Condition":{"DateLessThan":{"AWS:EpochTime":%d},"DateGreaterThan":{"AWS:EpochTime":%d}}}]}`, base, future, hour+3600)),
		status: 403, result: "Error", detailed: "Error", ctype: "text/xml", clen: xmlDenied})
	add(line{t: 116, id: e("signed-url-ip-mismatch"), stem: "/private/movie.mp4", ip: "198.51.100.7",
		query:  custom(fmt.Sprintf(`{"Statement":[{"Resource":"%s","Condition":{"DateLessThan":{"AWS:EpochTime":%d},"IpAddress":{"AWS:SourceIp":"192.0.2.0/24"}}}]}`, base, future)),
		status: 403, result: "Error", detailed: "Error", ctype: "text/xml", clen: xmlDenied})
	add(line{t: 117, id: e("signed-url-resource-mismatch"), stem: "/private/movie.mp4",
		query:  custom(fmt.Sprintf(`{"Statement":[{"Resource":"https://www.example.com/private/trailer.mp4","Condition":{"DateLessThan":{"AWS:EpochTime":%d}}}]}`, future)),
		status: 403, result: "Error", detailed: "Error", ctype: "text/xml", clen: xmlDenied})
	add(line{t: 118, id: e("signed-url-bad-signature"), stem: "/private/movie.mp4", query: fmt.Sprintf("Expires=%d&Signature=%s&Key-Pair-Id=%s", future, cf(bytes.Repeat([]byte{7}, 256)), keyID), status: 403, result: "Error", detailed: "Error", ctype: "text/xml", clen: xmlDenied})
	add(line{t: 119, id: e("signed-url-query-added-after-signing"), stem: "/private/movie.mp4", query: canned(base, future) + "&utm_source=mail", status: 403, result: "Error", detailed: "Error", ctype: "text/xml", clen: xmlDenied})
	add(line{t: 120, id: e("signed-url-s3-url-signed-instead"), stem: "/private/movie.mp4",
		query:  custom(fmt.Sprintf(`{"Statement":[{"Resource":"https://assets-bucket.s3.amazonaws.com/private/movie.mp4","Condition":{"DateLessThan":{"AWS:EpochTime":%d}}}]}`, future)),
		status: 403, result: "Error", detailed: "Error", ctype: "text/xml", clen: xmlDenied})
	// A signed URL on an unrestricted behavior that forwards query strings to S3.
	add(line{t: 121, id: e("signed-url-signing-params-forwarded-to-s3"), stem: "/qs/report.pdf", query: canned("https://www.example.com/qs/report.pdf", future), status: 403, result: "Error", detailed: "Error", ctype: "application/xml", clen: 243, ttfb: "0.052"})
	add(line{t: 122, id: e("signed-url-wrong-hash-algorithm"), stem: "/private/movie.mp4", query: canned(base, future) + "&Hash-Algorithm=MD5", status: 403, result: "Error", detailed: "Error", ctype: "text/xml", clen: 108})

	// Signed cookies (cookie logging is on for this distribution).
	add(line{t: 130, id: e("signed-cookie-expired"), stem: "/private/movie.mp4",
		cookie: fmt.Sprintf("session=1; CloudFront-Expires=%d; CloudFront-Signature=%s; CloudFront-Key-Pair-Id=%s", hour-60,
			sign(fmt.Sprintf(`{"Statement":[{"Resource":"%s","Condition":{"DateLessThan":{"AWS:EpochTime":%d}}}]}`, base, hour-60)), keyID),
		status: 403, result: "Error", detailed: "Error", ctype: "text/xml", clen: xmlDenied})
	add(line{t: 131, id: e("signed-cookie-missing-key-pair-id"), stem: "/private/movie.mp4",
		cookie: "CloudFront-Policy=eyJTdGF0ZW1lbnQiOltdfQ__; CloudFront-Signature=abcd",
		status: 403, result: "Error", detailed: "Error", ctype: "text/xml", clen: xmlMissing})
	// Nothing signed at all on a restricted behavior.
	add(line{t: 132, id: e("signed-url-missing-nothing"), stem: "/private/clip.mp4", status: 403, result: "Error", detailed: "Error", ctype: "text/xml", clen: xmlMissing})

	// Viewer protocol: HTTP to an https-only behavior: the "Bad request." page.
	add(line{t: 140, id: e("viewer-protocol-https-only"), stem: "/secure/account", proto: "http", protoVer: "HTTP/1.1", status: 403, result: "Error", detailed: "Error", clen: 915})
	// redirect-to-https refuses POST over HTTP/1.0.
	add(line{t: 141, id: e("viewer-protocol-redirect-http10"), method: "POST", stem: "/api/orders", proto: "http", protoVer: "HTTP/1.0", status: 403, result: "Error", detailed: "Error", clen: 915})
	// GET with a body.
	add(line{t: 142, id: e("get-with-body"), stem: "/api/search", status: 403, result: "Error", detailed: "InvalidRequest", clen: 915, csBytes: 6200})

	// S3 origin answers (application/xml, with an origin round trip).
	s3 := func(t int, name, stem string) {
		add(line{t: t, id: e(name), stem: stem, status: 403, result: "Error", detailed: "Error", ctype: "application/xml", clen: 243, ttfb: "0.061"})
	}
	s3(150, "s3-no-default-root-object", "/")
	s3(151, "s3-missing-object", "/img/deleted.png")
	s3(152, "s3-no-origin-access", "/public/app.css")
	add(line{t: 153, id: e("s3-website-endpoint-private-object"), stem: "/site/about.html", status: 403, result: "Error", detailed: "Error", ctype: "text/html", clen: 303, ttfb: "0.071"})
	s3(154, "s3-website-endpoint-as-rest-origin", "/old/index.html")
	s3(155, "s3-rest-endpoint-as-custom-origin", "/raw/data.csv")
	s3(156, "s3-host-header-forwarded", "/fwd/file.txt")
	// A custom origin's own 403.
	add(line{t: 160, id: e("custom-origin"), stem: "/api/items", status: 403, result: "Error", detailed: "Error", ctype: "application/json", clen: 45, ttfb: "0.083"})
	// No content type, decided by timing: an edge answer and an origin answer.
	add(line{t: 161, id: e("timing-edge"), stem: "/img/x.png", status: 403, result: "Error", detailed: "Error", ctype: "-", ttfb: "0.001"})
	add(line{t: 162, id: e("timing-origin"), stem: "/img/y.png", status: 403, result: "Error", detailed: "Error", ctype: "-", ttfb: "0.095"})
	// An edge function answered.
	add(line{t: 163, id: e("unknown-edge-function"), stem: "/fn", status: 403, result: "FunctionGeneratedResponse", detailed: "FunctionGeneratedResponse", clen: 12, ctype: "text/plain"})
	// Not refusals: an origin 404 and a DNS failure.
	add(line{t: 170, id: e("other-404"), stem: "/img/none.png", status: 404, result: "Error", detailed: "Error", ctype: "application/xml", clen: 243, ttfb: "0.050"})
	add(line{t: 171, id: e("other-502"), stem: "/api/down", status: 502, result: "Error", detailed: "OriginDnsError", clen: 507, ttfb: "0.102"})
	// A viewer gone mid-download: 200 with result Error, not a rewrite.
	add(line{t: 172, id: e("other-client-gone"), stem: "/img/big.png", status: 200, result: "Error", resp: "Miss", detailed: "ClientCommError", ctype: "image/png", clen: 90000, ttfb: "0.050"})

	data := lines(header33, ls)
	write("logs/real/EDFDVBD6EXAMPLE.2024-05-01-10.A1B2C3D4.gz", gz(data))

	// The SPA distribution: a 403 turned into 200 /index.html.
	var spa []string
	spa = append(spa, line{t: 1, host: "d222222abcdef8.cloudfront.net", hostHeader: "app.example.com", stem: "/", result: "Hit", clen: 512}.w3c())
	spa = append(spa, line{t: 2, id: rid("custom-error-response"), host: "d222222abcdef8.cloudfront.net", hostHeader: "app.example.com", stem: "/settings/profile", status: 200, result: "Error", detailed: "Error", clen: 512, ttfb: "0.044"}.w3c())
	// The OAI distribution whose origin never served anything.
	spa = append(spa, line{t: 3, id: rid("s3-origin-access-not-in-bucket-policy"), host: "d333333abcdef8.cloudfront.net", hostHeader: "files.example.com", stem: "/doc.pdf", status: 403, result: "Error", detailed: "Error", ctype: "application/xml", clen: 243, ttfb: "0.058"}.w3c())
	// A distribution the configuration does not know, with too few Misses
	// to compare with and a time-to-first-byte between edge and origin.
	spa = append(spa, line{t: 4, id: rid("unknown-no-config"), host: "d999999abcdef8.cloudfront.net", hostHeader: "other.example.net", stem: "/x", status: 403, result: "Error", detailed: "Error", ctype: "-", ttfb: "0.009"}.w3c())
	write("logs/real/misc.log", lines(header33, spa))
}

func writeEdgeLogs() {
	// This edge's _unrouted log (docs/decisions.md): cs(Host) is the Host as
	// sent when no distribution took it, the distribution's domain when it
	// is disabled.
	ls := []string{
		line{t: 1, id: rid("alias-not-configured"), host: "shop.example.org", hostHeader: "shop.example.org", stem: "/", proto: "http", protoVer: "HTTP/1.1", status: 403, result: "Error", detailed: "Error", clen: 915, ttfb: "0.000"}.w3c(),
		line{t: 2, id: rid("distribution-disabled"), host: "e4disabledexample.cloudfront.localhost", hostHeader: "old.example.com", stem: "/", proto: "http", protoVer: "HTTP/1.1", status: 403, result: "Error", detailed: "Error", clen: 915, ttfb: "0.000"}.w3c(),
		line{t: 3, id: rid("invalid-request-url-too-long"), host: "shop.example.org", hostHeader: "shop.example.org", stem: "/" + strings.Repeat("a", 100), proto: "http", protoVer: "HTTP/1.1", status: 414, result: "Error", detailed: "InvalidRequest", clen: 915, ttfb: "0.000"}.w3c(),
	}
	write("logs/edge/_unrouted.2024-05-01-10.QWERTY12.gz", gz(lines(header33, ls)))
}

func writeWAFLogs() {
	rec := func(id, rule, typ, action string, groups any, rate any) map[string]any {
		return map[string]any{
			"timestamp": int64(hour+102) * 1000, "formatVersion": 1,
			"webaclId":          "arn:aws:wafv2:us-east-1:123456789012:global/webacl/ExampleWebACL/473e64fd-f30b-4765-81a0-62ad96dd167a",
			"terminatingRuleId": rule, "terminatingRuleType": typ, "action": action,
			"terminatingRuleMatchDetails": []any{}, "httpSourceName": "CF", "httpSourceId": "EDFDVBD6EXAMPLE",
			"ruleGroupList": groups, "rateBasedRuleList": rate, "nonTerminatingMatchingRules": []any{},
			"requestHeadersInserted": nil, "responseCodeSent": nil,
			"httpRequest": map[string]any{
				"clientIp": "192.0.2.44", "country": "FR",
				"headers": []any{map[string]string{"name": "Host", "value": "www.example.com"}, map[string]string{"name": "User-Agent", "value": "curl/8.5.0"}},
				"uri":     "/upload", "args": "", "httpVersion": "HTTP/2.0", "httpMethod": "GET", "requestId": id,
			},
			"labels": []any{map[string]string{"name": "awswaf:clientip:geo:country:FR"}},
		}
	}
	managed := rec(rid("waf-block-managed"), "AWS-AWSManagedRulesCommonRuleSet", "MANAGED_RULE_GROUP", "BLOCK",
		[]any{map[string]any{"ruleGroupId": "AWS#AWSManagedRulesCommonRuleSet", "terminatingRule": map[string]any{"ruleId": "SizeRestrictions_BODY", "action": "BLOCK", "ruleMatchDetails": nil}, "nonTerminatingMatchingRules": []any{}, "excludedRules": nil}}, []any{})
	rate := rec(rid("waf-block-rate"), "RateLimitPerIP", "RATE_BASED", "BLOCK", []any{},
		[]any{map[string]any{"rateBasedRuleId": "7f2b9c0e-0b5c-4e7a-9d7e-3c2a1b0f9e8d", "rateBasedRuleName": "RateLimitPerIP", "limitKey": "IP", "maxRateAllowed": 100, "evaluationWindowSec": "300", "limitValue": "192.0.2.45"}})
	allow := rec(rid("bg5"), "Default_Action", "REGULAR", "ALLOW", []any{}, []any{})
	orphan := rec(rid("waf-only-in-waf-log"), "BlockBadBots", "REGULAR", "BLOCK", []any{}, []any{})
	var b bytes.Buffer
	for _, r := range []any{managed, allow} {
		j, _ := json.Marshal(r)
		b.Write(j)
		b.WriteByte('\n')
	}
	write("waf/aws-waf-logs-example_0.log.gz", gz(b.Bytes()))
	// Firehose concatenates records without a line feed; CloudWatch Logs
	// exports prefix a timestamp.
	j1, _ := json.Marshal(rate)
	j2, _ := json.Marshal(orphan)
	write("waf/firehose-records", append(append(j1, j2...), '\n'))
	write("waf/cloudwatch-export.txt", []byte("2024-05-01T10:01:43.000Z "+string(j1)+"\n{\"truncated\": \n"))
}

// writeCleanLogs writes traffic without a single refusal.
func writeCleanLogs() {
	var ls []string
	ls = append(ls, background(30)...)
	ls = append(ls, line{t: 200, id: rid("clean-304"), stem: "/img/1.png", status: 304, result: "Hit"}.w3c())
	ls = append(ls, line{t: 201, id: rid("clean-206"), stem: "/video.mp4", status: 206, result: "Miss", ctype: "video/mp4", clen: 1000, ttfb: "0.060"}.w3c())
	ls = append(ls, line{t: 202, id: rid("clean-404"), stem: "/gone", status: 404, result: "Error", detailed: "Error", ctype: "application/xml", clen: 243, ttfb: "0.050"}.w3c())
	ls = append(ls, line{t: 203, id: rid("clean-301"), stem: "/", proto: "http", status: 301, result: "Redirect", clen: 167}.w3c())
	ls = append(ls, line{t: 204, id: rid("clean-502"), stem: "/api", status: 502, result: "Error", detailed: "OriginConnectError", clen: 507, ttfb: "0.030"}.w3c())
	write("logs/clean/EDFDVBD6EXAMPLE.2024-05-01-10.CLEAN001.gz", gz(lines(header33, ls)))
}

// writeVariants writes the other formats: 35 fields, v2 JSON and W3C
// subsets, and malformed input.
func writeVariants() {
	h35 := "#Version: 1.0\n#Fields: " + fields33 + " distribution-tenant-id connection-id\n"
	ls := []string{
		line{t: 1, stem: "/a.png"}.w3c("dt_2abcEXAMPLE", "-"),
		line{t: 2, id: rid("v35-geo"), stem: "/b", status: 403, result: "Error", detailed: "ClientGeoBlocked", clen: 986}.w3c("dt_2abcEXAMPLE", "-"),
	}
	write("logs/variants/EDFDVBD6EXAMPLE.2024-05-01-11.V35FIELD.gz", gz(lines(h35, ls)))

	// Standard logging v2, JSON output with a subset of fields.
	js := []map[string]string{
		{"timestamp(ms)": "1714557605000", "c-ip": "203.0.113.50", "cs-method": "GET", "cs(Host)": "d111111abcdef8.cloudfront.net", "x-host-header": "www.example.com", "cs-uri-stem": "/ok", "sc-status": "200", "x-edge-result-type": "Hit", "x-edge-request-id": rid("v2-ok"), "c-country": "US", "cs-protocol": "https"},
		{"timestamp(ms)": "1714557606000", "c-ip": "203.0.113.51", "cs-method": "DELETE", "cs(Host)": "d111111abcdef8.cloudfront.net", "x-host-header": "www.example.com", "cs-uri-stem": "/index.html", "sc-status": "403", "x-edge-result-type": "Error", "x-edge-request-id": rid("v2-method-from-config"), "c-country": "US", "cs-protocol": "https", "cache-behavior-path-pattern": "*"},
		{"timestamp(ms)": "1714557607000", "c-ip": "203.0.113.52", "cs-method": "GET", "cs(Host)": "d111111abcdef8.cloudfront.net", "x-host-header": "www.example.com", "cs-uri-stem": "/index.html", "sc-status": "403", "x-edge-result-type": "Error", "x-edge-request-id": rid("v2-geo-from-country"), "c-country": "BR", "cs-protocol": "https", "x-edge-detailed-result-type": "ClientGeoBlocked"},
	}
	var b bytes.Buffer
	for _, m := range js {
		j, _ := json.Marshal(m)
		b.Write(j)
		b.WriteByte('\n')
	}
	write("logs/variants/v2/EDFDVBD6EXAMPLE.2024-05-01-10.V2JSON01.log", b.Bytes())
	// v2 W3C with a subset of fields.
	write("logs/variants/v2/EDFDVBD6EXAMPLE.2024-05-01-10.V2W3C001.log", []byte(
		"#Fields: date time c-ip cs-method cs-uri-stem sc-status x-edge-result-type x-edge-request-id x-edge-detailed-result-type c-country\n"+
			"2024-05-01\t10:05:00\t203.0.113.60\tGET\t/x\t403\tError\t"+rid("v2w3c-geo")+"\tClientGeoBlocked\tCN\n"+
			"2024-05-01\t10:05:01\t203.0.113.61\tGET\t/y\t200\tHit\t"+rid("v2w3c-ok")+"\tHit\tUS\n"))

	// Malformed: a wrong field count, non-UTF-8, a truncated gzip.
	bad := header33 + line{t: 1, stem: "/ok"}.w3c() + "\n" +
		"2024-05-01\t10:00:02\ttoo\tfew\tfields\n" +
		strings.Replace(line{t: 3, stem: "/cafe"}.w3c(), "/cafe", "/caf\xe9", 1) + "\n" +
		"#Version: 2.0\n"
	write("logs/malformed/EDFDVBD6EXAMPLE.2024-05-01-10.BADLINES.log", []byte(bad))
	full := gz(lines(header33, background(200)))
	write("logs/malformed/EDFDVBD6EXAMPLE.2024-05-01-10.TRUNCATE.gz", full[:len(full)/2])
}

// --- configurations ----------------------------------------------------------

type m = map[string]any

func items(v ...any) m { return m{"Quantity": len(v), "Items": v} }

var none = m{"Quantity": 0}

const cachingOptimized = "658327ea-f89d-4fab-a63d-7e88639e58f6"

func methods(ms ...any) m {
	return m{"Quantity": len(ms), "Items": ms, "CachedMethods": items("GET", "HEAD")}
}

func beh(pattern, origin, viewer string, extra m) m {
	b := m{"TargetOriginId": origin, "ViewerProtocolPolicy": viewer, "AllowedMethods": methods("GET", "HEAD"),
		"CachePolicyId": cachingOptimized, "Compress": true}
	if pattern != "" {
		b["PathPattern"] = pattern
	}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

func s3Origin(id, domain, oac string) m {
	return m{"Id": id, "DomainName": domain, "OriginPath": "", "OriginAccessControlId": oac,
		"S3OriginConfig": m{"OriginAccessIdentity": ""}, "CustomHeaders": none, "ConnectionAttempts": 3, "ConnectionTimeout": 10}
}

func customOrigin(id, domain, policy string) m {
	return m{"Id": id, "DomainName": domain, "OriginPath": "", "CustomHeaders": none, "ConnectionAttempts": 3, "ConnectionTimeout": 10,
		"CustomOriginConfig": m{"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": policy, "OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5}}
}

func distConfig(ref string, aliases m, origins []any, def m, behaviors []any, extra m) m {
	c := m{
		"CallerReference": ref, "Comment": "", "Enabled": true, "Aliases": aliases, "DefaultRootObject": "",
		"Origins": items(origins...), "OriginGroups": none, "DefaultCacheBehavior": def, "CacheBehaviors": items(behaviors...),
		"CustomErrorResponses": none, "PriceClass": "PriceClass_All", "HttpVersion": "http2and3", "IsIPV6Enabled": true,
		"Restrictions":      m{"GeoRestriction": m{"RestrictionType": "none", "Quantity": 0}},
		"ViewerCertificate": m{"CloudFrontDefaultCertificate": true, "MinimumProtocolVersion": "TLSv1", "CertificateSource": "cloudfront"},
		"Logging":           m{"Enabled": false, "IncludeCookies": false, "Bucket": "", "Prefix": ""},
		"WebACLId":          "",
	}
	if len(behaviors) == 0 {
		c["CacheBehaviors"] = none
	}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

var acm = m{"ACMCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/87654321-4321-4321-4321-210987654321",
	"SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021", "CertificateSource": "acm"}

func writeConfigs() {
	oac := "E2QWRUHAPOMQZL"
	signed := m{"TrustedKeyGroups": m{"Enabled": true, "Quantity": 1, "Items": []any{"5d1b3b2e-7c55-4d3a-9b1e-0a1b2c3d4e5f"}}}
	e1 := distConfig("e1", items("www.example.com"),
		[]any{
			s3Origin("s3-assets", "assets-bucket.s3.us-east-1.amazonaws.com", oac),
			s3Origin("s3-public", "public-bucket.s3.amazonaws.com", ""),
			customOrigin("website", "site-bucket.s3-website-us-east-1.amazonaws.com", "http-only"),
			customOrigin("rest-custom", "raw-bucket.s3.eu-west-1.amazonaws.com", "https-only"),
			customOrigin("api", "api.example.com", "https-only"),
			s3Origin("web-as-s3", "old-bucket.s3-website.eu-west-2.amazonaws.com", ""),
			s3Origin("hostfwd", "fwd-bucket.s3.us-west-2.amazonaws.com", oac),
		},
		beh("", "s3-assets", "redirect-to-https", nil),
		[]any{
			beh("/private/*", "s3-assets", "redirect-to-https", signed),
			beh("/secure/*", "api", "https-only", nil),
			beh("/public/*", "s3-public", "allow-all", nil),
			beh("/site/*", "website", "allow-all", nil),
			beh("/raw/*", "rest-custom", "allow-all", nil),
			beh("/old/*", "web-as-s3", "allow-all", nil),
			beh("/fwd/*", "hostfwd", "allow-all", m{"CachePolicyId": nil, "ForwardedValues": m{"QueryString": false,
				"Cookies": m{"Forward": "none"}, "Headers": items("Host"), "QueryStringCacheKeys": none}, "MinTTL": 0, "DefaultTTL": 86400, "MaxTTL": 31536000}),
			beh("/api/*", "api", "redirect-to-https", m{"AllowedMethods": methods("GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE")}),
			beh("/qs/*", "s3-assets", "allow-all", m{"CachePolicyId": nil, "ForwardedValues": m{"QueryString": true,
				"Cookies": m{"Forward": "none"}, "Headers": none, "QueryStringCacheKeys": none}, "MinTTL": 0, "DefaultTTL": 86400, "MaxTTL": 31536000}),
		},
		m{
			"Restrictions": m{"GeoRestriction": m{"RestrictionType": "whitelist", "Quantity": 3, "Items": []any{"US", "CA", "GB"}}},
			"WebACLId":     "arn:aws:wafv2:us-east-1:123456789012:global/webacl/ExampleWebACL/473e64fd-f30b-4765-81a0-62ad96dd167a",
			"Logging":      m{"Enabled": true, "IncludeCookies": true, "Bucket": "logs-bucket.s3.amazonaws.com", "Prefix": "cf/"},
			"ViewerCertificate": m{"ACMCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012",
				"SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021", "Certificate": "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012", "CertificateSource": "acm"},
		})
	// The null CachePolicyId keys above mean "absent": drop them.
	for _, b := range e1["CacheBehaviors"].(m)["Items"].([]any) {
		bm := b.(m)
		if bm["CachePolicyId"] == nil {
			delete(bm, "CachePolicyId")
		}
	}
	write("config/EDFDVBD6EXAMPLE.json", jsonDoc(m{"ETag": "E3UN6WX5RRO2AG", "Distribution": m{
		"Id": "EDFDVBD6EXAMPLE", "ARN": "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE",
		"Status": "Deployed", "LastModifiedTime": "2024-04-30T12:00:00.000Z", "InProgressInvalidationBatches": 0,
		"DomainName": "d111111abcdef8.cloudfront.net", "DistributionConfig": e1,
	}}))

	// E2: a single-page app whose CustomErrorResponses turn 403 into 200.
	e2 := distConfig("e2", items("app.example.com"),
		[]any{s3Origin("app", "app-bucket.s3.us-east-1.amazonaws.com", oac)},
		beh("", "app", "redirect-to-https", nil), nil,
		m{"DefaultRootObject": "index.html", "ViewerCertificate": acm,
			"CustomErrorResponses": items(
				m{"ErrorCode": 403, "ResponsePagePath": "/index.html", "ResponseCode": "200", "ErrorCachingMinTTL": 10}),
		})
	write("config/E2SPAEXAMPLE01.json", jsonDoc(m{"ETag": "E1SPAETAG", "DistributionConfig": e2}))

	// E3: an S3 origin with an origin access identity.
	o3 := s3Origin("files", "files-bucket.s3.amazonaws.com", "")
	o3["S3OriginConfig"] = m{"OriginAccessIdentity": "origin-access-identity/cloudfront/E127EXAMPLE51Z"}
	e3 := distConfig("e3", items("files.example.com"), []any{o3}, beh("", "files", "allow-all", nil), nil, m{"DefaultRootObject": "index.html", "ViewerCertificate": acm})
	write("config/E3OAIEXAMPLE001.json", jsonDoc(m{"ETag": "E3ETAG", "DistributionConfig": e3}))

	// E4: disabled.
	e4 := distConfig("e4", items("old.example.com"), []any{customOrigin("o", "origin.example.com", "https-only")},
		beh("", "o", "allow-all", nil), nil, m{"Enabled": false})
	write("config/E4DISABLEDEXAMPLE.json", jsonDoc(m{"ETag": "E4ETAG", "DistributionConfig": e4}))

	// The key group and its public key.
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	write("config/public-key.json", jsonDoc(m{"ETag": "EPKETAG", "PublicKey": m{
		"Id": keyID, "CreatedTime": "2024-04-01T00:00:00.000Z",
		"PublicKeyConfig": m{"CallerReference": "pk", "Name": "signer-2024", "Comment": "",
			"EncodedKey": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))},
	}}))
	write("config/key-group.json", jsonDoc(m{"ETag": "EKGETAG", "KeyGroup": m{
		"Id": "5d1b3b2e-7c55-4d3a-9b1e-0a1b2c3d4e5f", "LastModifiedTime": "2024-04-01T00:00:00.000Z",
		"KeyGroupConfig": m{"Name": "signers", "Items": []any{keyID}, "Comment": ""},
	}}))
}
