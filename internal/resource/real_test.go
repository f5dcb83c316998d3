package resource

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/goccy/go-yaml"
)

// TestRealDocuments loads and validates the documents in testdata/real, each
// folder one configuration as a user would save it (provenance in
// testdata/real/README.md), and checks what the real-world shapes do: what
// AWS accepts loads, and what cannot run here is refused with its reason.
func TestRealDocuments(t *testing.T) {
	cases := []struct {
		dir     string
		opts    Options
		wantIDs []string // distributions loaded, in file order
		wantErr []string // substrings of the joined error; none means it validates
	}{
		{dir: "awscli-get-distribution", wantIDs: []string{"S11A16G5KZMEQD"}},
		{dir: "awscli-get-distribution-config", wantIDs: []string{"S11A16G5KZMEQD"}},
		{dir: "awscli-create-distribution", wantIDs: []string{"EMLARXS9EXAMPLE"}},
		{dir: "yaml-get-distribution", wantIDs: []string{"S11A16G5KZMEQD"}},
		{dir: "inventory-get-distribution-config", wantIDs: []string{"E2SG3UFLQ4AO5E"},
			wantErr: []string{"E2SG3UFLQ4AO5E.json: DistributionConfig.ViewerCertificate: no certificate file for arn:aws:acm:us-east-1:957873067375:certificate/ee61922e-baa0-4653-b6d1-6ffb9000f448: pass --cert"}},
		{dir: "inventory-get-distribution-config", opts: Options{SelfSigned: true}, wantIDs: []string{"E2SG3UFLQ4AO5E"}},
		{dir: "update-distribution-webacl", wantIDs: []string{"E7PY9GL1Z6YJ4"},
			wantErr: []string{`Distribution.DistributionConfig.WebACLId: "arn:aws:wafv2:us-east-1:637423309379:global/webacl/CreatedByCloudFront-c3083e55/71a999d8-8e14-47de-adc2-05865261bea3" names no WebACL document`,
				"aws wafv2 get-web-acl --scope CLOUDFRONT --region us-east-1 --name CreatedByCloudFront-c3083e55 --id 71a999d8-8e14-47de-adc2-05865261bea3 > CreatedByCloudFront-c3083e55.json"}},
		// The web ACLs validate here; whether their managed groups run is
		// internal/waf's (and the e2e tests') business.
		{dir: "waf-lab2", wantIDs: []string{"E7PY9GL1Z6YJ4"}},
		{dir: "waf-createdbycloudfront", wantIDs: []string{"E7PY9GL1Z6YJ4"}},
		{dir: "awscli-wafv2-sets", wantIDs: []string{"EMLARXS9EXAMPLE"},
			wantErr: []string{"DistributionConfig.WebACLId: web ACL test01 (", "has scope REGIONAL; CloudFront takes only web ACLs of scope CLOUDFRONT"}},
		{dir: "awsdocs-public-key", wantIDs: []string{"EMLARXS9EXAMPLE"}},
		{dir: "tutorial-oac-spa", wantIDs: []string{"E1A2B3C4D5E6F7"}},
		{dir: "awscli-list-distributions",
			wantErr: []string{"distributions.json: DistributionList: a list output is not read: list-distributions prints summaries without DefaultRootObject and Logging",
				"aws cloudfront get-distribution --id $id > $id.json"}},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			set, err := Load([]string{filepath.Join("testdata", "real", tc.dir)})
			if err == nil {
				_, err = Validate(set, tc.opts)
			}
			var ids []string
			if set != nil {
				for _, d := range set.Distributions {
					ids = append(ids, d.ID)
				}
			}
			if strings.Join(ids, ",") != strings.Join(tc.wantIDs, ",") {
				t.Errorf("got distributions %v, want %v", ids, tc.wantIDs)
			}
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("got no error, want %q", tc.wantErr)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %v, want it to contain %q", err, w)
				}
			}
		})
	}
}

// TestRealDocumentFields checks fields of the real documents that change
// what is served or routed.
func TestRealDocumentFields(t *testing.T) {
	set, err := Load([]string{filepath.Join("testdata", "real", "awscli-create-distribution"), filepath.Join("testdata", "real", "waf-createdbycloudfront")})
	if err != nil {
		t.Fatal(err)
	}
	created, updated := set.Distributions[0], set.Distributions[1]
	if created.DomainName != "d111111abcdef8.cloudfront.net" || created.ARN != "arn:aws:cloudfront::123456789012:distribution/EMLARXS9EXAMPLE" {
		t.Errorf("create-distribution: got %q %q", created.DomainName, created.ARN)
	}
	if got := deref(created.Config.DefaultRootObject); got != "index.html" {
		t.Errorf("create-distribution DefaultRootObject: got %q, want index.html", got)
	}
	c := updated.Config
	if c.HttpVersion != "http2" || !deref(c.IsIPV6Enabled) || deref(c.Staging) {
		t.Errorf("update-distribution: got HttpVersion %q IsIPV6Enabled %v Staging %v", c.HttpVersion, deref(c.IsIPV6Enabled), deref(c.Staging))
	}
	o := c.Origins.Items[0]
	if deref(o.ConnectionAttempts) != 3 || deref(o.ConnectionTimeout) != 10 || o.CustomOriginConfig.IpAddressType != "ipv4" || deref(o.OriginShield.Enabled) {
		t.Errorf("update-distribution origin: got %+v", o)
	}
	acl := set.WebACL(deref(c.WebACLId))
	if acl == nil || len(acl.Value.Rules) != 3 || acl.Value.OnSourceDDoSProtectionConfig == nil {
		t.Fatalf("web ACL: got %+v", acl)
	}
}

func TestTimestampForms(t *testing.T) {
	want := time.Date(2015, 8, 31, 21, 11, 29, 93e6, time.UTC)
	for _, v := range []string{
		`"2015-08-31T21:11:29.093Z"`,         // the API, AWS CLI v1
		`"2015-08-31T21:11:29.093000+00:00"`, // AWS CLI v2
		`"2015-08-31 21:11:29.093000+00:00"`, // boto3 dumped with json.dumps(default=str)
		`1441055489.093`,                     // --cli-timestamp-format wire on a JSON-protocol service
	} {
		t.Run(v, func(t *testing.T) {
			// Through the decoder, as a get-key-group document carries it.
			dir := writeFiles(t, map[string]string{"k.json": `{"KeyGroup": {"Id": "K1", "LastModifiedTime": ` + v + `,
				"KeyGroupConfig": {"Name": "g", "Items": ["P1"]}}}`, "E1.json": goodConfig})
			if _, err := Load([]string{dir}); err != nil {
				t.Fatal(err)
			}
			got, err := parseTimestamp(mustTree(t, v))
			if err != nil || !got.Equal(want) {
				t.Errorf("got %v, %v, want %v", got, err, want)
			}
		})
	}
	for _, v := range []string{`"31/08/2015"`, `true`, `-5`} {
		if _, err := parseTimestamp(mustTree(t, v)); err == nil {
			t.Errorf("%s: got no error", v)
		}
	}
}

func mustTree(t *testing.T, v string) any {
	t.Helper()
	tree, err := parseTree("v.json", []byte(v))
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func TestSiblingsAndLists(t *testing.T) {
	cases := []struct {
		name, body, wantErr string
	}{
		{"boto3 ResponseMetadata", `{"ResponseMetadata": {"RequestId": "r", "HTTPStatusCode": 200, "RetryAttempts": 0}, "ETag": "E1", ` +
			strings.TrimPrefix(strings.TrimSpace(goodConfig), `{
  "ETag": "E2QWRUHAPOMQZL",`), ""},
		{"cache policy list", `{"CachePolicyList": {"Quantity": 0}}`, "CachePolicyList: a list output is not read: dump each policy with aws cloudfront get-cache-policy"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"E1.json": tc.body, "E2.json": strings.Replace(goodConfig, "shop.example.com", "two.example.com", 1)})
			_, err := Load([]string{dir})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("got %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestMissingWebACL(t *testing.T) {
	cases := []struct{ ref, want string }{
		{"473e64fd-f30b-4765-81a0-62ad96dd167a", "is a WAF Classic web ACL id"},
		{"arn:aws:waf::123456789012:webacl/473e64fd-f30b-4765-81a0-62ad96dd167a", "is a WAF Classic web ACL"},
		{"arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/0a1b", "--scope CLOUDFRONT --region us-east-1 --name site --id 0a1b > site.json"},
		{"arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/alb/0a1b", "--scope REGIONAL --region eu-west-1 --name alb --id 0a1b"},
		{"arn:aws:wafv2:us-east-1:1:global/rulegroup/x/y", "CloudFront takes a WAFv2 web ACL's ARN here"},
	}
	for _, tc := range cases {
		if got := missingWebACL(tc.ref); !strings.Contains(got, tc.want) {
			t.Errorf("%s: got %q, want it to contain %q", tc.ref, got, tc.want)
		}
	}
}

// TestDistributionConfigFileName: a get-distribution-config document has no
// id of its own, so a file not named after the id is refused with the fix.
func TestDistributionConfigFileName(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "real", "awscli-get-distribution-config", "S11A16G5KZMEQD.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := writeFiles(t, map[string]string{"cf-config.json": string(body)})
	_, err = Load([]string{dir})
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(err.Error(), `takes its distribution id from the file name: name the file <ID>.json (for example E2QWRUHAPOMQZL.json), not "cf-config.json"`) {
		t.Fatalf("got %v", err)
	}
}

// TestBareDocuments: a DistributionConfig saved without its wrapper (what
// `jq .DistributionConfig` leaves, the input of update-distribution) and a
// web ACL copied from the console's JSON view are refused with how to wrap
// them, instead of one "unknown document kind" per key.
func TestBareDocuments(t *testing.T) {
	unwrap := func(dir, file, key string) string {
		b, err := os.ReadFile(filepath.Join("testdata", "real", dir, file))
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if key == "DistributionConfig" {
			var d map[string]json.RawMessage
			if err := json.Unmarshal(doc["Distribution"], &d); err != nil {
				t.Fatal(err)
			}
			return string(d[key])
		}
		return string(doc[key])
	}
	cases := []struct{ name, body, want string }{
		{"cloudformation template", `{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"D": {"Type": "AWS::CloudFront::Distribution", "Properties": {}}}}`,
			"cf-dist-config.json: this is a CloudFormation template, which openfront does not evaluate"},
		{"distribution config", unwrap("update-distribution-webacl", "E7PY9GL1Z6YJ4.json", "DistributionConfig"),
			`cf-dist-config.json: this is a bare DistributionConfig (the input of create-distribution and update-distribution --distribution-config), without the distribution id: save it as get-distribution-config prints it, {"DistributionConfig": …}, in a file named after the id`},
		{"web ACL", unwrap("waf-createdbycloudfront", "CreatedByCloudFront-cf37def6.json", "WebACL"),
			`cf-dist-config.json: this is a bare web ACL: save it as aws wafv2 get-web-acl prints it, {"WebACL": …}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"cf-dist-config.json": tc.body, "E1.json": goodConfig})
			_, err := Load([]string{dir})
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "unknown document kind") {
				t.Fatalf("got %v, want only %q", err, tc.want)
			}
		})
	}
}

// TestFunctionWarnings: a CloudFront Function whose code is not in the folder,
// and Lambda@Edge (never run), are warned about per association, by name or
// ARN and event.
func TestFunctionWarnings(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "real", "inventory-get-distribution-config", "E2SG3UFLQ4AO5E.json"))
	if err != nil {
		t.Fatal(err)
	}
	// An association as a user's runbook shows it (etendo-path-rewrite), and
	// a Lambda@Edge one.
	body := strings.Replace(string(b), `"FunctionAssociations": {
        "Quantity": 0
      },`, `"FunctionAssociations": {"Quantity": 1, "Items": [{
        "FunctionARN": "arn:aws:cloudfront::278186107973:function/etendo-path-rewrite-staging", "EventType": "viewer-request"}]},`, 1)
	body = strings.Replace(body, `"LambdaFunctionAssociations": {
        "Quantity": 0
      },`, `"LambdaFunctionAssociations": {"Quantity": 1, "Items": [{
        "LambdaFunctionARN": "arn:aws:lambda:us-east-1:123456789012:function:auth:3", "EventType": "origin-request", "IncludeBody": false}]},`, 1)
	dir := writeFiles(t, map[string]string{"E2SG3UFLQ4AO5E.json": body})
	set, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	warnings, err := Validate(set, Options{SelfSigned: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"DistributionConfig.DefaultCacheBehavior.FunctionAssociations.Items[0]: function etendo-path-rewrite-staging (viewer-request) is not run: its code is not in the configuration; save it with aws cloudfront get-function --name etendo-path-rewrite-staging --stage LIVE etendo-path-rewrite-staging.js",
		"DistributionConfig.DefaultCacheBehavior.LambdaFunctionAssociations.Items[0]: Lambda@Edge function arn:aws:lambda:us-east-1:123456789012:function:auth:3 (origin-request) is not run by openfront",
	}
	all := strings.Join(warnings, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("got warnings %q, want %q", warnings, w)
		}
	}
}

// TestRealWAFDocuments decodes WAF documents that have no distribution of
// their own strictly, as a configuration folder would.
func TestRealWAFDocuments(t *testing.T) {
	for _, f := range []string{"waf-atp-awsdocs/ATPModuleACL.json", "waf-createdbycloudfront/CreatedByCloudFront-cf37def6.json", "waf-lab2/lab2-vpc-cf-waf.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", "real", f))
		if err != nil {
			t.Fatal(err)
		}
		s := newSet()
		if errs := s.add(f, data); len(errs) > 0 || len(s.WebACLs) != 1 {
			t.Errorf("%s: got %v, %d web ACLs", f, errs, len(s.WebACLs))
		}
	}
}

// TestDeploymentSettings: the 2022–2025 settings that decide which
// distribution CloudFront routes a viewer to, on the inventory document.
func TestDeploymentSettings(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "real", "inventory-get-distribution-config", "E2SG3UFLQ4AO5E.json"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, from, to, wantWarn, wantErr string
	}{
		{"unchanged", "", "", "", ""},
		{"continuous deployment", `"ContinuousDeploymentPolicyId": ""`, `"ContinuousDeploymentPolicyId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"`,
			"DistributionConfig.ContinuousDeploymentPolicyId: continuous deployment policy a1b2c3d4-5678-90ab-cdef-EXAMPLE11111 is not applied", ""},
		{"staging", `"Staging": false`, `"Staging": true`, "DistributionConfig.Staging: a staging distribution", ""},
		{"grpc", `"GrpcConfig": {
        "Enabled": false
      }`, `"GrpcConfig": {"Enabled": true}`, "DistributionConfig.DefaultCacheBehavior.GrpcConfig: gRPC is not proxied", ""},
		{"field-level encryption", `"FieldLevelEncryptionId": ""`, `"FieldLevelEncryptionId": "C3KM2WVD605UKO"`,
			"DistributionConfig.DefaultCacheBehavior.FieldLevelEncryptionId: field-level encryption C3KM2WVD605UKO is not applied", ""},
		{"viewer mTLS required", `"Staging": false,`, `"Staging": false, "ViewerMtlsConfig": {"Mode": "required", "TrustStoreConfig": {"TrustStoreId": "ts-1"}},`, "",
			"DistributionConfig.ViewerMtlsConfig.Mode: viewer mutual TLS (required) is not supported by openfront"},
		{"viewer mTLS optional", `"Staging": false,`, `"Staging": false, "ViewerMtlsConfig": {"Mode": "optional", "TrustStoreConfig": {"TrustStoreId": "ts-1"}},`,
			"DistributionConfig.ViewerMtlsConfig.Mode: viewer mutual TLS (optional) is not performed", ""},
		{"connection function", `"Staging": false,`, `"Staging": false, "ConnectionFunctionAssociation": {"Id": "cf-1"},`,
			"DistributionConfig.ConnectionFunctionAssociation: connection function cf-1 is not run by openfront", ""},
		{"multi-tenant", `"Staging": false,`, `"Staging": false, "ConnectionMode": "tenant-only",`, "",
			"DistributionConfig.ConnectionMode: a multi-tenant distribution (tenant-only) serves viewers only through its distribution tenants"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := strings.Replace(string(b), tc.from, tc.to, 1)
			if tc.from != "" && body == string(b) {
				t.Fatalf("%q not found", tc.from)
			}
			set, err := Load([]string{writeFiles(t, map[string]string{"E2SG3UFLQ4AO5E.json": body})})
			if err != nil {
				t.Fatal(err)
			}
			warnings, err := Validate(set, Options{SelfSigned: true})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("got %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("got %v, want %q", err, tc.wantErr)
			}
			all := strings.Join(warnings, "\n")
			if (tc.wantWarn == "") != (len(warnings) == 0) || !strings.Contains(all, tc.wantWarn) {
				t.Errorf("got warnings %q, want %q", warnings, tc.wantWarn)
			}
		})
	}
}

// TestQuantityForms: the forms an empty list takes in real dumps — Items
// left out (the AWS CLI), null (boto3 and SDK dumps), [] (hand-edited) — all
// load; a Quantity that disagrees or is missing is refused as CloudFront's
// API refuses it.
func TestQuantityForms(t *testing.T) {
	const from = `"Aliases": {"Quantity": 1, "Items": ["shop.example.com"]}`
	cases := []struct{ name, aliases, wantErr string }{
		{"items left out", `"Aliases": {"Quantity": 0}`, ""},
		{"items null", `"Aliases": {"Quantity": 0, "Items": null}`, ""},
		{"items empty", `"Aliases": {"Quantity": 0, "Items": []}`, ""},
		{"aliases null", `"Aliases": null`, ""},
		{"quantity disagrees", `"Aliases": {"Quantity": 1, "Items": null}`, "DistributionConfig.Aliases.Quantity: is 1 but Items has 0 entries"},
		{"quantity missing", `"Aliases": {"Items": []}`, "DistributionConfig.Aliases.Quantity: missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := strings.Replace(goodConfig, from, tc.aliases, 1)
			set, err := Load([]string{writeFiles(t, map[string]string{"E1.json": body})})
			if err == nil {
				_, err = Validate(set, Options{})
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("got %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("got %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// TestSearchStringForms: the AWS CLI prints SearchString in base64; the
// console's JSON editor and AWS's own write-ups show the text. Text that is
// not base64 is refused with its encoding; text that happens to be base64
// ("POST") is read as the CLI means it, with a warning.
func TestSearchStringForms(t *testing.T) {
	acl := func(search string) string {
		return `{"WebACL": {"Name": "a", "Id": "1", "ARN": "arn:aws:wafv2:us-east-1:1:global/webacl/a/1", "DefaultAction": {"Allow": {}},
  "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "a"},
  "Rules": [{"Name": "r", "Priority": 0, "Action": {"Block": {}},
    "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "r"},
    "Statement": {"ByteMatchStatement": {"SearchString": "` + search + `", "FieldToMatch": {"Method": {}},
      "TextTransformations": [{"Priority": 0, "Type": "NONE"}], "PositionalConstraint": "EXACTLY"}}}]}}`
	}
	cases := []struct{ name, search, wantErr, wantWarn string }{
		{"cli base64", "UE9TVA==", "", ""},
		{"text, not base64", "/wp-admin", `WebACL.Rules[0].Statement.ByteMatchStatement.SearchString: "/wp-admin" is not base64 (the AWS CLI prints blobs in base64; for the text "/wp-admin" write "L3dwLWFkbWlu")`, ""},
		{"text that is base64", "POST", "", `WebACL.Rules[0].Statement.ByteMatchStatement.SearchString: "POST" is read as base64, as the AWS CLI prints blobs, and decodes to bytes that are not text; if it is meant as the text itself (as the console's JSON editor shows it), write "UE9TVA=="`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set, err := Load([]string{writeFiles(t, map[string]string{"acl.json": acl(tc.search), "E1.json": goodConfig})})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			warnings, err := Validate(set, Options{SelfSigned: true})
			if err != nil {
				t.Fatal(err)
			}
			all := strings.Join(warnings, "\n")
			if (tc.wantWarn == "") != (len(warnings) == 0) || !strings.Contains(all, tc.wantWarn) {
				t.Errorf("got warnings %q, want %q", warnings, tc.wantWarn)
			}
		})
	}
}

// TestIgnoredKinds: documents of features that change nothing here load with
// a warning; a folder holding one does not fail. And a create-function answer
// (a FunctionSummary beside a Location) is read for its runtime.
func TestIgnoredKinds(t *testing.T) {
	// The create-function answer from a public repository's README (the
	// library's file id 3985846446), its "<account id>" and ETag placeholders
	// filled.
	const function = `{
    "Location": "https://cloudfront.amazonaws.com/2020-05-31/function/arn:aws:cloudfront::123456789012:function/url-rewrite-single-page-apps",
    "ETag": "E3UN6WX5RRO2AG",
    "FunctionSummary": {
        "Name": "url-rewrite-single-page-apps",
        "Status": "UNPUBLISHED",
        "FunctionConfig": {
            "Comment": "Function to redirect empty doc requests to index.html",
            "Runtime": "cloudfront-js-1.0"
        },
        "FunctionMetadata": {
            "FunctionARN": "arn:aws:cloudfront::123456789012:function/url-rewrite-single-page-apps",
            "Stage": "DEVELOPMENT",
            "CreatedTime": "2021-12-26T08:43:50.950Z",
            "LastModifiedTime": "2021-12-26T08:43:50.950Z"
        }
    }
}`
	// get-cloud-front-origin-access-identity, in the CLI's shape.
	const oai = `{
    "ETag": "E2QWRUHEXAMPLE",
    "CloudFrontOriginAccessIdentity": {
        "Id": "E74FTE3AEXAMPLE",
        "S3CanonicalUserId": "cd13868f797c227fbea2830611a26fe0a21ba1b826ab4bed9b7771c9aEXAMPLE",
        "CloudFrontOriginAccessIdentityConfig": {"CallerReference": "cli-example", "Comment": "Example OAI"}
    }
}`
	set, err := Load([]string{writeFiles(t, map[string]string{"function.json": function, "oai.json": oai, "E1.json": goodConfig})})
	if err != nil {
		t.Fatal(err)
	}
	if fn := set.Functions["url-rewrite-single-page-apps"]; fn == nil || fn.Runtime != "cloudfront-js-1.0" {
		t.Errorf("got function %+v, want its runtime read", fn)
	}
	warnings, err := Validate(set, Options{SelfSigned: true})
	if err != nil || len(warnings) != 1 || !strings.Contains(warnings[0], "oai.json: CloudFrontOriginAccessIdentity: not read: an origin's OriginAccessIdentity is signed with the edge's AWS credentials") {
		t.Fatalf("got %q, %v", warnings, err)
	}
}

// TestBothViews: a folder with the get-distribution and the
// get-distribution-config output of the same version (the CLI examples of
// S11A16G5KZMEQD, ETag E37HOT42DHPVYH) reads the distribution once; two
// versions are refused.
func TestBothViews(t *testing.T) {
	read := func(dir string) string {
		b, err := os.ReadFile(filepath.Join("testdata", "real", dir, "S11A16G5KZMEQD.json"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	full, cfg := read("awscli-get-distribution"), read("awscli-get-distribution-config")
	set, err := Load([]string{writeFiles(t, map[string]string{"a/S11A16G5KZMEQD.json": full, "b/S11A16G5KZMEQD.json": cfg})})
	if err != nil {
		t.Fatal(err)
	}
	warnings, err := Validate(set, Options{})
	if err != nil || len(set.Distributions) != 1 || set.Distributions[0].DomainName != "d2wkuj2w9l34gt.cloudfront.net" ||
		len(warnings) != 1 || !strings.Contains(warnings[0], "b/S11A16G5KZMEQD.json: distribution S11A16G5KZMEQD (ETag E37HOT42DHPVYH) is the same version as in") {
		t.Fatalf("same version: got %d distributions, %q, %v", len(set.Distributions), warnings, err)
	}

	older := strings.Replace(cfg, `"ETag": "E37HOT42DHPVYH"`, `"ETag": "E2OLDERVERSION"`, 1)
	set, err = Load([]string{writeFiles(t, map[string]string{"a/S11A16G5KZMEQD.json": full, "b/S11A16G5KZMEQD.json": older})})
	if err == nil {
		_, err = Validate(set, Options{})
	}
	if err == nil || !strings.Contains(err.Error(), "distribution S11A16G5KZMEQD is also defined in") {
		t.Fatalf("two versions: got %v", err)
	}
}

// TestRealDocumentsAsYAML re-prints every real JSON document as YAML (what
// --output yaml gives) and requires the same outcome: the same
// distributions, configurations and web ACLs, or the same errors.
func TestRealDocumentsAsYAML(t *testing.T) {
	dirs, err := os.ReadDir(filepath.Join("testdata", "real"))
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		if !dir.IsDir() {
			continue
		}
		t.Run(dir.Name(), func(t *testing.T) {
			src := filepath.Join("testdata", "real", dir.Name())
			files, err := os.ReadDir(src)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, f := range files {
				b, err := os.ReadFile(filepath.Join(src, f.Name()))
				if err != nil {
					t.Fatal(err)
				}
				if filepath.Ext(f.Name()) != ".json" {
					out[f.Name()] = string(b)
					continue
				}
				tree, err := parseTree(f.Name(), b)
				if err != nil {
					t.Fatal(err)
				}
				y, err := yaml.Marshal(yamlNumbers(tree))
				if err != nil {
					t.Fatal(err)
				}
				out[strings.TrimSuffix(f.Name(), ".json")+".yaml"] = string(y)
			}
			jsonSet, jsonErr := Load([]string{src})
			yamlSet, yamlErr := Load([]string{writeFiles(t, out)})
			if (jsonErr == nil) != (yamlErr == nil) {
				t.Fatalf("JSON: %v; YAML: %v", jsonErr, yamlErr)
			}
			if jsonSet == nil || yamlSet == nil {
				return
			}
			if len(jsonSet.Distributions) != len(yamlSet.Distributions) || len(jsonSet.WebACLs) != len(yamlSet.WebACLs) {
				t.Fatalf("JSON: %d distributions, %d web ACLs; YAML: %d, %d", len(jsonSet.Distributions), len(jsonSet.WebACLs),
					len(yamlSet.Distributions), len(yamlSet.WebACLs))
			}
			for i, d := range jsonSet.Distributions {
				if !reflect.DeepEqual(d.Config, yamlSet.Distributions[i].Config) {
					t.Errorf("distribution %s differs once printed as YAML", d.ID)
				}
			}
			for arn, a := range jsonSet.WebACLs {
				if y := yamlSet.WebACLs[arn]; y == nil || !reflect.DeepEqual(a.Value, y.Value) {
					t.Errorf("web ACL %s differs once printed as YAML", arn)
				}
			}
		})
	}
}

// yamlNumbers turns the tree's json.Numbers into Go numbers, so YAML
// prints them unquoted as the AWS CLI does.
func yamlNumbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = yamlNumbers(e)
		}
	case []any:
		for i, e := range t {
			t[i] = yamlNumbers(e)
		}
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	}
	return v
}

// TestWindowsEncodings: Windows PowerShell 5.1 writes `aws … > E….json` as
// UTF-16 LE with a byte order mark; Out-File -Encoding utf8 writes UTF-8 with
// one. Both load like the plain file.
func TestWindowsEncodings(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "real", "awscli-get-distribution-config", "S11A16G5KZMEQD.json"))
	if err != nil {
		t.Fatal(err)
	}
	utf16le := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(strings.ReplaceAll(string(b), "\n", "\r\n"))) {
		utf16le = append(utf16le, byte(u), byte(u>>8))
	}
	for name, body := range map[string][]byte{
		"utf-16 le": utf16le,
		"utf-8 bom": append([]byte{0xEF, 0xBB, 0xBF}, b...),
	} {
		t.Run(name, func(t *testing.T) {
			set, err := Load([]string{writeFiles(t, map[string]string{"S11A16G5KZMEQD.json": string(body)})})
			if err != nil || len(set.Distributions) != 1 || set.Distributions[0].ETag != "E37HOT42DHPVYH" {
				t.Fatalf("got %v", err)
			}
		})
	}
}
