package resource

import (
	"strings"
	"testing"
)

const customOriginJSON = `"Id": "app", "DomainName": "app.example.com", "OriginPath": "",
      "CustomHeaders": {"Quantity": 0},
      "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only",
        "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]}, "OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5},
      "ConnectionAttempts": 3, "ConnectionTimeout": 10,
      "OriginShield": {"Enabled": false}, "OriginAccessControlId": ""`

// s3Origin is the "app" origin as an S3 origin at domain.
func s3Origin(domain, oacID, oai string) string {
	return `"Id": "app", "DomainName": "` + domain + `", "OriginPath": "",
      "CustomHeaders": {"Quantity": 0},
      "S3OriginConfig": {"OriginAccessIdentity": "` + oai + `"},
      "ConnectionAttempts": 3, "ConnectionTimeout": 10,
      "OriginShield": {"Enabled": false}, "OriginAccessControlId": "` + oacID + `"`
}

func oacDoc(id, behavior, originType string) string {
	return `{"OriginAccessControl": {"Id": "` + id + `", "OriginAccessControlConfig": {"Name": "site-oac", "Description": "",
  "SigningProtocol": "sigv4", "SigningBehavior": "` + behavior + `", "OriginAccessControlOriginType": "` + originType + `"}},
  "ETag": "E1OAC"}`
}

func TestValidateOriginAccess(t *testing.T) {
	const rest = "bucket.s3.eu-west-1.amazonaws.com"
	const website = "bucket.s3-website-eu-west-1.amazonaws.com"
	tests := []struct {
		name     string
		origin   string
		oac      string // the OAC document, "" for none
		wantErr  string // "" for valid
		wantWarn string
	}{
		{name: "OAC on a REST endpoint", origin: s3Origin(rest, "E2OAC", ""), oac: oacDoc("E2OAC", "always", "s3")},
		{name: "legacy OAI is signed", origin: s3Origin(rest, "", "origin-access-identity/cloudfront/E127EXAMPLE51Z")},
		{name: "OAC never", origin: s3Origin(rest, "E2OAC", ""), oac: oacDoc("E2OAC", "never", "s3")},
		{name: "unknown OAC", origin: s3Origin(rest, "E9NONE", ""),
			wantErr: `E1.json: DistributionConfig.Origins.Items[0].OriginAccessControlId: "E9NONE" names no OriginAccessControl document`},
		{name: "OAC on a website endpoint", origin: s3Origin(website, "E2OAC", ""), oac: oacDoc("E2OAC", "always", "s3"),
			wantErr: `DistributionConfig.Origins.Items[0].OriginAccessControlId: bucket.s3-website-eu-west-1.amazonaws.com is an S3 website endpoint`},
		{name: "OAI on a website endpoint", origin: s3Origin("bucket.s3-website.eu-west-1.amazonaws.com", "", "origin-access-identity/cloudfront/E1"),
			wantErr: `DistributionConfig.Origins.Items[0].S3OriginConfig.OriginAccessIdentity: bucket.s3-website.eu-west-1.amazonaws.com is an S3 website endpoint`},
		{name: "website endpoint as an S3 origin without OAC or OAI", origin: s3Origin(website, "", ""),
			wantErr: `DistributionConfig.Origins.Items[0].S3OriginConfig: bucket.s3-website-eu-west-1.amazonaws.com is an S3 website endpoint, which CloudFront refuses as an S3 origin`},
		{name: "website endpoint as a custom origin", origin: strings.Replace(customOriginJSON, "app.example.com", website, 1)},
		{name: "OAC and OAI together", origin: s3Origin(rest, "E2OAC", "origin-access-identity/cloudfront/E1"), oac: oacDoc("E2OAC", "always", "s3"),
			wantErr: `S3OriginConfig.OriginAccessIdentity: set together with OriginAccessControlId`},
		{name: "OAC of another type", origin: s3Origin(rest, "E2OAC", ""), oac: oacDoc("E2OAC", "always", "mediastore"),
			wantErr: `origin access control E2OAC is of type "mediastore"`},
		{name: "bad signing behavior", origin: s3Origin(rest, "E2OAC", ""), oac: oacDoc("E2OAC", "sometimes", "s3"),
			wantErr: `oac.json: OriginAccessControl.OriginAccessControlConfig.SigningBehavior: "sometimes" is not one of always, never, no-override`},
		{name: "OAC on a domain without a region", origin: s3Origin("files.example.com", "E2OAC", ""), oac: oacDoc("E2OAC", "always", "s3"),
			wantErr: `DistributionConfig.Origins.Items[0].DomainName: "files.example.com" is not an S3 REST endpoint`},
		{name: "REST endpoint as a custom origin", origin: strings.Replace(customOriginJSON, "app.example.com", rest, 1),
			wantWarn: `E1.json: DistributionConfig.Origins.Items[0].CustomOriginConfig: bucket.s3.eu-west-1.amazonaws.com is an S3 REST endpoint configured as a custom origin`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := strings.Replace(goodConfig, customOriginJSON, tc.origin, 1)
			if cfg == goodConfig {
				t.Fatal("test config lacks the custom origin")
			}
			files := map[string]string{"E1.json": cfg}
			if tc.oac != "" {
				files["oac.json"] = tc.oac
			}
			set, err := Load([]string{writeFiles(t, files)})
			var warnings []string
			if err == nil {
				warnings, err = Validate(set, certs)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("got %v, want an error containing %q", err, tc.wantErr)
			}
			if tc.wantWarn != "" && !strings.Contains(strings.Join(warnings, "\n"), tc.wantWarn) {
				t.Errorf("got warnings %q, want one containing %q", warnings, tc.wantWarn)
			}
		})
	}
}

func TestLoadOriginAccessControl(t *testing.T) {
	dir := writeFiles(t, map[string]string{"E2QWRUHAPOMQZL.json": goodConfig, "oac.json": oacDoc("E2OAC", "no-override", "s3")})
	set, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	o := set.OriginAccessControls["E2OAC"]
	if o == nil || string(o.Config.SigningBehavior) != "no-override" || !strings.HasSuffix(o.File, "oac.json") {
		t.Fatalf("got %+v, want OAC E2OAC with no-override from oac.json", o)
	}
	dup := writeFiles(t, map[string]string{"E2QWRUHAPOMQZL.json": goodConfig, "a.json": oacDoc("E2OAC", "always", "s3"), "b.json": oacDoc("E2OAC", "always", "s3")})
	if _, err := Load([]string{dup}); err == nil || !strings.Contains(err.Error(), "origin access control E2OAC is also defined in") {
		t.Errorf("duplicate OAC: got %v", err)
	}
	unknown := writeFiles(t, map[string]string{"E2QWRUHAPOMQZL.json": goodConfig, "oac.json": strings.Replace(oacDoc("E2OAC", "always", "s3"), `"Name"`, `"Nmae"`, 1)})
	if _, err := Load([]string{unknown}); err == nil || !strings.Contains(err.Error(), "oac.json") {
		t.Errorf("misspelt field: got %v, want an error naming oac.json", err)
	}
}
