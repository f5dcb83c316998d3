package waf

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func TestLogRecordGolden(t *testing.T) {
	rules := "[" +
		`{"Name":"tag","Priority":0,"Statement":` + byteMatch("/", `{"UriPath":{}}`, "STARTS_WITH") + `,"Action":{"Count":{}},"RuleLabels":[{"Name":"seen"}],"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"tag"}},` +
		groupRule("shop", 1, `{"None":{}}`, "") + "," +
		ruleJSON("sqli", 2, `{"SqliMatchStatement":{"FieldToMatch":{"QueryString":{}},"TextTransformations":[{"Priority":0,"Type":"URL_DECODE"}]}}`, `{"Block":{"CustomResponse":{"ResponseCode":403,"CustomResponseBodyKey":"denied"}}}`) + "]"
	a := mustCompile(t, aclJSON(rules), testResources())
	cases := []struct{ name, uri, query string }{
		{"block_sqli", "/cart", "id=1%27%20OR%20%271%27%3D%271%27--"},
		{"allow_default", "/home", "page=2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := get(tc.uri, tc.query, "Host", "d111111abcdef8.cloudfront.net", "User-Agent", "curl/8.0")
			r.RequestID = "Ed0AiHF_CGYF-DA=="
			v := a.Evaluate(r, t0)
			got := a.LogRecord(r, v, t0, a.ARN(), "E2EXAMPLE")
			var indented bytes.Buffer
			if err := json.Indent(&indented, got, "", "  "); err != nil {
				t.Fatalf("log record is not JSON: %v", err)
			}
			indented.WriteByte('\n')
			path := filepath.Join("testdata", "log_"+tc.name+".json")
			if *update {
				if err := os.WriteFile(path, indented.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if !bytes.Equal(indented.Bytes(), want) {
				t.Errorf("got %s, want %s", indented.Bytes(), want)
			}
		})
	}
}
