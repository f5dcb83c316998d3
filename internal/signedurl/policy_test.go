package signedurl

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"testing"
)

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr bool
		want    policy
	}{
		{"minimal", `{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":100}}}]}`, false,
			policy{dateLessThan: 100}},
		{"all conditions, any order", `{"Statement":[{"Condition":{"IpAddress":{"AWS:SourceIp":"10.1.2.3/8"},"DateLessThan":{"AWS:EpochTime":100},"DateGreaterThan":{"AWS:EpochTime":50}},"Resource":"*"}]}`, false,
			policy{dateLessThan: 100, dateGreaterThan: 50, hasNotBefore: true, sourceIP: netip.MustParsePrefix("10.0.0.0/8"), hasSourceIP: true}},
		{"docs example with CRLFs", "{ \r\n   \"Statement\": [{ \r\n      \"Resource\":\"http://dzbesqm7un1m0.cloudfront.net/demo.php\", \r\n      \"Condition\":{ \r\n         \"IpAddress\":{\"AWS:SourceIp\":\"207.171.180.101/32\"},\r\n         \"DateGreaterThan\":{\"AWS:EpochTime\":1296860176},\r\n         \"DateLessThan\":{\"AWS:EpochTime\":1296860226}\r\n      } \r\n   }] \r\n}\r\n", false,
			policy{dateLessThan: 1296860226, dateGreaterThan: 1296860176, hasNotBefore: true, sourceIP: netip.MustParsePrefix("207.171.180.101/32"), hasSourceIP: true}},
		{"epoch zero", `{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":0}}}]}`, false, policy{}},
		{"epoch limit", `{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":9223372036}}}]}`, false, policy{dateLessThan: 9223372036}},

		{"empty", ``, true, policy{}},
		{"null", `null`, true, policy{}},
		{"array", `[]`, true, policy{}},
		{"Statement not an array", `{"Statement":{"Condition":{"DateLessThan":{"AWS:EpochTime":1}}}}`, true, policy{}},
		{"Statement null", `{"Statement":null}`, true, policy{}},
		{"statement not an object", `{"Statement":[1]}`, true, policy{}},
		{"two statements", `{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1}}},{"Condition":{"DateLessThan":{"AWS:EpochTime":1}}}]}`, true, policy{}},
		{"two Statement keys", `{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1}}}],"Statement":[]}`, true, policy{}},
		{"empty Resource", `{"Statement":[{"Resource":"","Condition":{"DateLessThan":{"AWS:EpochTime":1}}}]}`, true, policy{}},
		{"Resource number", `{"Statement":[{"Resource":1,"Condition":{"DateLessThan":{"AWS:EpochTime":1}}}]}`, true, policy{}},
		{"Condition empty", `{"Statement":[{"Condition":{}}]}`, true, policy{}},
		{"DateLessThan empty", `{"Statement":[{"Condition":{"DateLessThan":{}}}]}`, true, policy{}},
		{"DateLessThan extra key", `{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1,"x":2}}}]}`, true, policy{}},
		{"negative epoch", `{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":-1}}}]}`, true, policy{}},
		{"exponent epoch", `{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1e9}}}]}`, true, policy{}},
		{"epoch past 2262", `{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":9223372037}}}]}`, true, policy{}},
		{"quoted epoch", `{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":"1"}}}]}`, true, policy{}},
		{"IpAddress empty", `{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1},"IpAddress":{}}}]}`, true, policy{}},
		{"IpAddress not an IP", `{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1},"IpAddress":{"AWS:SourceIp":"localhost"}}}]}`, true, policy{}},
		{"IpAddress with spaces", `{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1},"IpAddress":{"AWS:SourceIp":" 10.0.0.1"}}}]}`, true, policy{}},
		{"IpAddress IPv4-mapped", `{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1},"IpAddress":{"AWS:SourceIp":"::ffff:10.0.0.1"}}}]}`, true, policy{}},
		{"invalid UTF-8", "{\"Statement\":[{\"Resource\":\"https://a/\xff\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":1}}}]}", true, policy{}},
		{"two documents", `{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1}}}]}{}`, true, policy{}},
		{"trailing comma", `{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1}},}]}`, true, policy{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parsePolicy([]byte(tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("got error %v, want error %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			got.resource = nil
			if *got != tc.want {
				t.Errorf("got %+v, want %+v", *got, tc.want)
			}
		})
	}
}

// TestAppendJSONString holds the canned-policy escaper to encoding/json with
// HTML escaping off, which is what aws-sdk-go-v2 signs.
func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{
		"", "https://example.com/a?b=1&c=<2>", `quote " and \ backslash`, "ctl \x00\x01\b\f\n\r\t\x1f\x7f",
		"é ü 日本", "\u2028\u2029", "bad \xff\xfe utf8", "\xed\xa0\x80 surrogate",
	} {
		if got, want := string(appendJSONString(nil, []byte(s))), jsonEncode(t, s); got != want {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}

func jsonEncode(t testing.TB, s string) string {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(s); err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

func TestAppendCanned(t *testing.T) {
	got := string(appendCanned(nil, appendURL(nil, "https", "d111111abcdef8.cloudfront.net", "/horizon.jpg", "size=large&license=yes"), 1767290400))
	want := `{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/horizon.jpg?size=large&license=yes","Condition":{"DateLessThan":{"AWS:EpochTime":1767290400}}}]}`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
