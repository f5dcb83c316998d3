package resource

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodConfig = `{
  "ETag": "E2QWRUHAPOMQZL",
  "DistributionConfig": {
    "CallerReference": "c1",
    "Comment": "",
    "Enabled": true,
    "Aliases": {"Quantity": 1, "Items": ["shop.example.com"]},
    "DefaultRootObject": "index.html",
    "Origins": {"Quantity": 1, "Items": [{
      "Id": "app", "DomainName": "app.example.com", "OriginPath": "",
      "CustomHeaders": {"Quantity": 0},
      "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only",
        "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]}, "OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5},
      "ConnectionAttempts": 3, "ConnectionTimeout": 10,
      "OriginShield": {"Enabled": false}, "OriginAccessControlId": ""}]},
    "OriginGroups": {"Quantity": 0},
    "DefaultCacheBehavior": {"TargetOriginId": "app", "ViewerProtocolPolicy": "redirect-to-https",
      "TrustedSigners": {"Enabled": false, "Quantity": 0}, "TrustedKeyGroups": {"Enabled": false, "Quantity": 0},
      "AllowedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"], "CachedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"]}},
      "SmoothStreaming": false, "Compress": true,
      "LambdaFunctionAssociations": {"Quantity": 0}, "FunctionAssociations": {"Quantity": 0},
      "FieldLevelEncryptionId": "", "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
    "CacheBehaviors": {"Quantity": 1, "Items": [{"PathPattern": "/api/*", "TargetOriginId": "app",
      "ViewerProtocolPolicy": "https-only", "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
      "OriginRequestPolicyId": "b689b0a8-53d0-40ab-baf2-68738e2966ac"}]},
    "CustomErrorResponses": {"Quantity": 1, "Items": [{"ErrorCode": 404, "ResponsePagePath": "/404.html", "ResponseCode": "404", "ErrorCachingMinTTL": 10}]},
    "Logging": {"Enabled": false, "IncludeCookies": false, "Bucket": "", "Prefix": ""},
    "PriceClass": "PriceClass_All",
    "ViewerCertificate": {"CloudFrontDefaultCertificate": false, "ACMCertificateArn": "arn:aws:acm:us-east-1:1:certificate/x",
      "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021", "CertificateSource": "acm"},
    "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
    "WebACLId": "", "HttpVersion": "http2", "IsIPV6Enabled": true, "Staging": false
  }
}`

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var certs = Options{Certificates: map[string][]string{"arn:aws:acm:us-east-1:1:certificate/x": {"*.example.com"}}, DomainSuffix: "cloudfront.localhost"}

func TestLoadGood(t *testing.T) {
	dir := writeFiles(t, map[string]string{"E2QWRUHAPOMQZL.json": goodConfig, "notes.txt": "ignored", ".hidden/x.json": "{"})
	set, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(set.Distributions); got != 1 {
		t.Fatalf("got %d distributions, want 1", got)
	}
	d := set.Distributions[0]
	if d.ID != "E2QWRUHAPOMQZL" || d.ETag != "E2QWRUHAPOMQZL" || d.Path != "DistributionConfig" {
		t.Errorf("got id %q etag %q path %q", d.ID, d.ETag, d.Path)
	}
	if got := *d.Config.Origins.Items[0].CustomOriginConfig.HTTPPort; got != 80 {
		t.Errorf("got HTTPPort %d, want 80", got)
	}
	if _, err := Validate(set, certs); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestLoadDistributionDocumentAndYAML(t *testing.T) {
	dist := `{"ETag": "X", "Distribution": {"Id": "EABC", "ARN": "arn:aws:cloudfront::1:distribution/EABC",
	  "Status": "Deployed", "LastModifiedTime": "2024-03-01T12:00:00.123000+00:00", "InProgressInvalidationBatches": 0,
	  "DomainName": "d111111abcdef8.cloudfront.net",
	  "ActiveTrustedSigners": {"Enabled": false, "Quantity": 0}, "ActiveTrustedKeyGroups": {"Enabled": false, "Quantity": 0},
	  "DistributionConfig": ` + strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(goodConfig[strings.Index(goodConfig, `"DistributionConfig": `)+len(`"DistributionConfig": `):]), ""), "}") + `}}`
	yml := "ETag: Y\nDistributionConfig:\n  CallerReference: y\n  Enabled: true\n  Origins:\n    Quantity: 1\n    Items:\n      - Id: o\n        DomainName: o.example.com\n        CustomOriginConfig: {HTTPPort: 8080, HTTPSPort: 443, OriginProtocolPolicy: match-viewer}\n  DefaultCacheBehavior:\n    TargetOriginId: o\n    ViewerProtocolPolicy: allow-all\n    CachePolicyId: 4135ea2d-6df8-44a3-9df3-4b5a84be39ad\n"
	dir := writeFiles(t, map[string]string{"a.json": dist, "EYAML.yaml": yml})
	set, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(set.Distributions); got != 2 {
		t.Fatalf("got %d distributions, want 2", got)
	}
	byID := map[string]*Distribution{}
	for _, d := range set.Distributions {
		byID[d.ID] = d
	}
	if d := byID["EABC"]; d == nil || d.DomainName != "d111111abcdef8.cloudfront.net" || d.Path != "Distribution.DistributionConfig" {
		t.Errorf("Distribution document: got %+v", d)
	}
	if d := byID["EYAML"]; d == nil || *d.Config.Origins.Items[0].CustomOriginConfig.HTTPPort != 8080 {
		t.Errorf("YAML document: got %+v", d)
	}
}

// TestLoadErrors checks that every problem is reported with its file and
// JSON path, all of them at once.
func TestLoadErrors(t *testing.T) {
	bad := strings.NewReplacer(
		`"OriginProtocolPolicy": "http-only"`, `"OriginProtocolPolicy": "htp-only"`,
		`"SmoothStreaming": false`, `"SmoothStreaming": false, "Smooth": 1`,
		`"HTTPPort": 80`, `"HTTPPort": "80"`,
	).Replace(goodConfig)
	dir := writeFiles(t, map[string]string{
		"E2Q.json":     bad,
		"EBROKEN.json": `{"DistributionConfig": {"Enabled": true,}`,
		"notanid.json": goodConfig,
		"EOTHER.json":  `{"KeyGroupX": {}}`,
		"EEMPTY.json":  `[]`,
	})
	_, err := Load([]string{dir})
	if err == nil {
		t.Fatal("got no error")
	}
	want := []string{
		`E2Q.json: DistributionConfig.Origins.Items[0].CustomOriginConfig.OriginProtocolPolicy: "htp-only" is not one of http-only, https-only, match-viewer`,
		`E2Q.json: DistributionConfig.DefaultCacheBehavior.Smooth: unknown field`,
		`E2Q.json: DistributionConfig.Origins.Items[0].CustomOriginConfig.HTTPPort: want an integer, got a string`,
		`EBROKEN.json: invalid JSON at line 1, column`,
		`notanid.json: a DistributionConfig document takes its distribution id from the file name`,
		`EOTHER.json: KeyGroupX: unknown document kind`,
		`EEMPTY.json: want a JSON object at the top level`,
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q; got:\n%v", w, err)
		}
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Errorf("got %T, want *Error in the chain", err)
	}
}

func TestLoadUnreadable(t *testing.T) {
	_, err := Load([]string{filepath.Join(t.TempDir(), "missing")})
	if err == nil || !strings.Contains(err.Error(), "missing: cannot read") {
		t.Errorf("got %v, want cannot read", err)
	}
	_, err = Load(nil)
	if err == nil {
		t.Error("got nil error for no paths")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		replace []string
		opts    *Options
		want    string
	}{
		{"leading slash root object", []string{`"DefaultRootObject": "index.html"`, `"DefaultRootObject": "/index.html"`}, nil,
			`DistributionConfig.DefaultRootObject: "/index.html" must not start with "/"`},
		{"bad path pattern", []string{`"PathPattern": "/api/*"`, `"PathPattern": "/api/<x>"`}, nil,
			`DistributionConfig.CacheBehaviors.Items[0].PathPattern:`},
		{"unknown origin", []string{`"PathPattern": "/api/*", "TargetOriginId": "app"`, `"PathPattern": "/api/*", "TargetOriginId": "nope"`}, nil,
			`DistributionConfig.CacheBehaviors.Items[0].TargetOriginId: "nope" names no origin`},
		{"quantity mismatch", []string{`"Aliases": {"Quantity": 1,`, `"Aliases": {"Quantity": 2,`}, nil,
			`DistributionConfig.Aliases.Quantity: is 2 but Items has 1 entries`},
		{"bad methods", []string{`"Items": ["HEAD", "GET"], "CachedMethods"`, `"Items": ["HEAD", "POST"], "CachedMethods"`}, nil,
			`DistributionConfig.DefaultCacheBehavior.AllowedMethods.Items:`},
		{"unknown cache policy", []string{`"CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"`, `"CachePolicyId": "00000000-0000-0000-0000-000000000000"`}, nil,
			`DistributionConfig.DefaultCacheBehavior.CachePolicyId: "00000000-0000-0000-0000-000000000000" is neither`},
		{"alias not covered", []string{`"shop.example.com"`, `"shop.example.org"`}, nil,
			`DistributionConfig.Aliases.Items[0]: "shop.example.org" is not covered by certificate`},
		{"no certificate file", nil, &Options{DomainSuffix: "x"},
			`no certificate file for arn:aws:acm:us-east-1:1:certificate/x: pass --cert`},
		{"custom error code", []string{`"ErrorCode": 404`, `"ErrorCode": 418`}, nil,
			`DistributionConfig.CustomErrorResponses.Items[0].ErrorCode: 418 cannot have a custom error response`},
		{"unknown key group", []string{`"TrustedKeyGroups": {"Enabled": false, "Quantity": 0}`, `"TrustedKeyGroups": {"Enabled": true, "Quantity": 1, "Items": ["kg"]}`}, nil,
			`DistributionConfig.DefaultCacheBehavior.TrustedKeyGroups.Items[0]: "kg" names no KeyGroup document`},
		{"unknown web ACL", []string{`"WebACLId": ""`, `"WebACLId": "arn:aws:wafv2:us-east-1:1:global/webacl/none/x"`}, nil,
			`DistributionConfig.WebACLId: "arn:aws:wafv2:us-east-1:1:global/webacl/none/x" names no WebACL document`},
		{"trusted signers without keys", []string{`"TrustedSigners": {"Enabled": false, "Quantity": 0}`, `"TrustedSigners": {"Enabled": true, "Quantity": 1, "Items": ["self"]}`}, nil,
			`DistributionConfig.DefaultCacheBehavior.TrustedSigners: trusted signers (legacy CloudFront key pairs) need their public keys`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := goodConfig
			if tc.replace != nil {
				if !strings.Contains(cfg, tc.replace[0]) {
					t.Fatalf("test config lacks %q", tc.replace[0])
				}
				cfg = strings.Replace(cfg, tc.replace[0], tc.replace[1], 1)
			}
			set, err := Load([]string{writeFiles(t, map[string]string{"E1.json": cfg})})
			if err != nil {
				t.Fatal(err)
			}
			o := certs
			if tc.opts != nil {
				o = *tc.opts
			}
			_, err = Validate(set, o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
			if err != nil && !strings.Contains(err.Error(), "E1.json: ") {
				t.Errorf("error %v does not name the file", err)
			}
		})
	}
}

func TestValidateDuplicateAlias(t *testing.T) {
	dir := writeFiles(t, map[string]string{"E1.json": goodConfig, "E2.json": goodConfig})
	set, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Validate(set, certs)
	if err == nil || !strings.Contains(err.Error(), "shop.example.com") {
		t.Errorf("got %v, want a duplicate alias error naming shop.example.com", err)
	}
}

func TestValidateSelfSignedCoversAliases(t *testing.T) {
	cfg := strings.Replace(goodConfig, `"shop.example.com"`, `"shop.example.org"`, 1)
	set, err := Load([]string{writeFiles(t, map[string]string{"E1.json": cfg})})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Validate(set, Options{SelfSigned: true}); err != nil {
		t.Errorf("got %v, want nil with --self-signed", err)
	}
}

func FuzzLoad(f *testing.F) {
	f.Add([]byte(goodConfig))
	f.Add([]byte(`{"DistributionConfig": {"Origins": {"Items": [{"Id": 1}]}}}`))
	f.Add([]byte(`{"Distribution": {"Id": "E1", "DistributionConfig": null}}`))
	f.Add([]byte(`{"ETag": 5}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newSet()
		for _, name := range []string{"E1.json", "E1.yaml"} {
			errs := s.add(name, data)
			for _, e := range errs {
				if e.Error() == "" {
					t.Fatal("empty error")
				}
			}
		}
		if s.Distributions != nil {
			Validate(s, Options{SelfSigned: true, DomainSuffix: "x"})
		}
	})
}

func TestValidateKeys(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&small.PublicKey)
	rsa1024 := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	dir := writeFiles(t, map[string]string{
		"E1.json":    goodConfig,
		"key.json":   `{"ETag": "X", "PublicKey": {"Id": "K1", "CreatedTime": "2024-01-01T00:00:00Z", "PublicKeyConfig": {"CallerReference": "c", "Name": "k", "EncodedKey": ` + jsonString(rsa1024) + `}}}`,
		"group.json": `{"ETag": "X", "KeyGroup": {"Id": "G1", "LastModifiedTime": "2024-01-01T00:00:00Z", "KeyGroupConfig": {"Name": "g", "Items": ["K1", "K2"]}}}`,
	})
	set, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Validate(set, certs)
	for _, want := range []string{
		`key.json: PublicKey.PublicKeyConfig.EncodedKey: `,
		`1024`,
		`group.json: KeyGroup.KeyGroupConfig.Items[1]: "K2" names no PublicKey document`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want an error containing %q", err, want)
		}
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestLoadWAFDocuments reads wafv2 documents as the AWS CLI prints them:
// LockToken beside the resource, blobs (SearchString) in base64.
func TestLoadWAFDocuments(t *testing.T) {
	acl := `{"WebACL": {"Name": "edge-acl", "Id": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
	  "ARN": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge-acl/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
	  "DefaultAction": {"Allow": {}}, "Description": "", "Capacity": 3, "ManagedByFirewallManager": false,
	  "LabelNamespace": "awswaf:123456789012:webacl:edge-acl:",
	  "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "edge-acl"},
	  "Rules": [{"Name": "bad-bots", "Priority": 0, "Action": {"Block": {}},
	    "Statement": {"ByteMatchStatement": {"SearchString": "YmFkYm90", "FieldToMatch": {"SingleHeader": {"Name": "user-agent"}},
	      "TextTransformations": [{"Priority": 0, "Type": "LOWERCASE"}], "PositionalConstraint": "CONTAINS"}},
	    "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "bad-bots"}}]},
	  "LockToken": "3b2a1c4d-0000-1111-2222-333344445555"}`
	ipset := `{"IPSet": {"Name": "blocked", "Id": "i1", "ARN": "arn:aws:wafv2:us-east-1:123456789012:global/ipset/blocked/i1",
	  "Description": "", "IPAddressVersion": "IPV4", "Addresses": ["192.0.2.0/24", "198.51.100.7/32"]}, "LockToken": "x"}`
	set, err := Load([]string{writeFiles(t, map[string]string{"E1.json": goodConfig, "acl.json": acl, "ipset.json": ipset})})
	if err != nil {
		t.Fatal(err)
	}
	a := set.WebACLs["arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge-acl/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"]
	if a == nil {
		t.Fatalf("web ACL not loaded: %v", set.WebACLs)
	}
	if got := string(a.Value.Rules[0].Statement.ByteMatchStatement.SearchString); got != "badbot" {
		t.Errorf("SearchString: got %q, want badbot", got)
	}
	if got := len(set.IPSets["arn:aws:wafv2:us-east-1:123456789012:global/ipset/blocked/i1"].Value.Addresses); got != 2 {
		t.Errorf("IP set addresses: got %d, want 2", got)
	}
	bad := strings.Replace(acl, `"PositionalConstraint": "CONTAINS"`, `"PositionalConstraint": "INSIDE"`, 1)
	_, err = Load([]string{writeFiles(t, map[string]string{"E1.json": goodConfig, "acl.json": bad})})
	want := `acl.json: WebACL.Rules[0].Statement.ByteMatchStatement.PositionalConstraint: "INSIDE" is not one of`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %q", err, want)
	}
}

func TestKeyValueStoreFiles(t *testing.T) {
	dist := `{"ETag": "E1", "DistributionConfig": {"CallerReference": "x", "Enabled": true,
	  "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "example.com", "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
	  "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all", "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"}}}`
	for _, c := range []struct{ body, want string }{
		{`{"Items": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "{\"x\":1}"}]}`, ""},
		{`{"Items": [{"Key": "a"}]}`, "Items[0]: want Key and Value"},
		{`{"Items": [], "NextToken": "abc"}`, "NextToken"},
		{`{"KeyValueStore": {}}`, "list-keys"},
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "E1.json"), []byte(dist), 0o644)
		os.WriteFile(filepath.Join(dir, "store-1.kvs.json"), []byte(c.body), 0o644)
		set, err := Load([]string{dir})
		if c.want == "" {
			if err != nil || len(set.KeyValueStores["store-1"].Items) != 2 || set.KeyValueStores["store-1"].Items["b"] != `{"x":1}` {
				t.Errorf("%s: %v, %+v", c.body, err, set)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "store-1.kvs.json") {
			t.Errorf("%s: got %v, want an error with %q and the file", c.body, err, c.want)
		}
	}
}
