package accesslog

import "testing"

// TestEscapeMatchesRealLines checks the encoding against field values as
// real CloudFront wrote them, each from a public source: decoding a value
// once and encoding it again gives it back byte for byte. That holds only
// if CloudFront left raw every character Escape leaves raw (",", ";", "(",
// "+", ":", "*" …) and encoded, with uppercase hex, only bytes Escape
// encodes (space %20, tab %09, line feed %0A, '"' %22, "%" %25 …).
func TestEscapeMatchesRealLines(t *testing.T) {
	tests := []struct{ source, field, value string }{
		{"AccessLogs.md example (2019)", "cs(User-Agent)",
			"Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/78.0.3904.108%20Safari/537.36"},
		{"AccessLogs.md example (2019)", "cs(Referer)", "http://www.example.com/"},
		{"github.com/allinurl/goaccess/issues/2901 (2025)", "cs(User-Agent)",
			"NewsBlur%20Feed%20Fetcher%20-%2013%20subscribers%20-%20https://www.newsblur.com/site/9269734/james-cridland-radio-futurologist%20(%22Mozilla/5.0%20(Macintosh;%20Intel%20Mac%20OS%20X%2010_15_7)%20AppleWebKit/605.1.15%20(KHTML,%20like%20Gecko)%20Version/14.0.1%20Safari/605.1.15%22)"},
		{"github.com/allinurl/goaccess/issues/2901 (2025)", "cs(User-Agent)", "Mastodon/4.5.2+glitch%20(http.rb/5.3.1;%20"},
		{"a 403 InvalidRequestMethod line (2025), internal/doctor/testdata/public", "cs(User-Agent)",
			"Mozilla/5.0%20(Macintosh;%20Intel%20Mac%20OS%20X%2010_15_7)%20AppleWebKit/605.1.15%20(KHTML,%20like%20Gecko)%20Version/17.3.1%20Safari/605.1.1%0920.51"},
		{"github.com/aws-solutions/aws-waf-security-automations/issues/188 (2021)", "cs(User-Agent)",
			"Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64;%20rv:87.0)%20Gecko/20100101%20Firefox/87.0"},
		{"node-cloudfront-log-parser kinesis fixture (2020)", "cs-uri-query",
			"stm=1607374321563&e=pp&url=http%253A%252F%252Flocalhost%253A5000%252Fpage-2&refr=http%253A%252F%252Flocalhost%253A5000%252F&tz=America%252FNew_York&lang=en-US&cs=UTF-8"},
		{"node-cloudfront-log-parser kinesis fixture (2020)", "cs-headers",
			"Host:test.cloudfront.net%0AUser-Agent:Mozilla/5.0%20(Macintosh;%20Intel%20Mac%20OS%20X%2010.15;%20rv:83.0)%20Gecko/20100101%20Firefox/83.0%0AAccept:image/webp,*/*%0AAccept-Language:en-US,en;q=0.5%0AAccept-Encoding:gzip,%20deflate%0ADNT:1%0A"},
		{"node-cloudfront-log-parser kinesis fixture (2020)", "cs-accept-encoding", "gzip,%20deflate"},
		{"github.com/mapbox/aws-log-replay/issues/20: \"a comma is encoded to %2C then to %252C\"", "cs-uri-stem", "/tiles/a%252Cb.png"},
		{"dataset of real logs (spec §2.1): a Range sent in the query", "cs-uri-query", "bytes%253D0-1023"},
		// The 2014 example double-encoded spaces; it decodes, once, to "%20".
		{"2014 AccessLogs.md example: %2520 for spaces", "cs(User-Agent)",
			"Mozilla/5.0%2520(iPhone;%2520CPU%2520iPhone%2520OS%252010_2_1%2520like%2520Mac%2520OS%2520X)"},
	}
	for _, tc := range tests {
		if got := string(Escape(nil, Unescape(tc.value))); got != tc.value {
			t.Errorf("%s, %s:\n got %s\nwant %s", tc.source, tc.field, got, tc.value)
		}
	}
}
