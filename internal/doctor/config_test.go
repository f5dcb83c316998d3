package doctor

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openfront-edge/openfront/internal/cause"
	"github.com/openfront-edge/openfront/internal/resource"
)

type configWant struct {
	sev    Severity
	cause  cause.Cause
	detail string
	path   string // suffix of the JSON path
}

func checkFindings(t *testing.T, rep *ConfigReport, wants []configWant) {
	t.Helper()
	for _, w := range wants {
		found := false
		for _, f := range rep.Findings {
			if f.Severity == w.sev && f.Cause == string(w.cause) && f.Detail == w.detail && strings.HasSuffix(f.JSONPath, w.path) {
				found = true
				if f.Fix.Summary == "" {
					t.Errorf("%v: no fix", w)
				}
			}
		}
		if !found {
			var got []string
			for _, f := range rep.Findings {
				got = append(got, string(f.Severity)+" "+f.Cause+" "+f.Detail+" "+f.JSONPath)
			}
			t.Errorf("got %q, want %v", got, w)
		}
	}
}

func TestCheckConfig(t *testing.T) {
	m := testModel(t)
	rep := CheckConfig(m, ConfigOptions{Countries: map[string]map[string]int64{"EDFDVBD6EXAMPLE": {"US": 10, "BR": 3}}})
	checkFindings(t, rep, []configWant{
		{SeverityWarning, cause.DistributionDisabled, "", "DistributionConfig.Enabled"},
		{SeverityError, cause.AliasNotConfigured, "", "DistributionConfig.ViewerCertificate"},
		{SeverityError, cause.S3Origin, cause.DetailWebsiteEndpointAsRESTOrigin, "Origins.Items[5].S3OriginConfig"},
		{SeverityWarning, cause.S3Origin, cause.DetailRESTEndpointAsCustomOrigin, "Origins.Items[3].CustomOriginConfig"},
		{SeverityWarning, cause.S3Origin, cause.DetailNoOriginAccess, "Origins.Items[1].OriginAccessControlId"},
		{SeverityInfo, cause.S3Origin, cause.DetailKMSEncrypted, "S3OriginConfig.OriginAccessIdentity"},
		{SeverityWarning, cause.S3Origin, cause.DetailNoDefaultRootObject, "DistributionConfig.DefaultRootObject"},
		{SeverityInfo, cause.ViewerProtocolHTTPSOnly, "", "CacheBehaviors.Items[1].ViewerProtocolPolicy"},
		{SeverityError, cause.S3Origin, cause.DetailHostHeaderForwarded, "ForwardedValues.Headers.Items[0]"},
		{SeverityWarning, cause.CustomErrorResponse, cause.DetailMaskedAs200, "CustomErrorResponses.Items[0]"},
		{SeverityWarning, cause.GeoRestriction, cause.DetailGeoAllowList, "Restrictions.GeoRestriction.Items"},
	})
	if !rep.Failing() {
		t.Errorf("Failing: got false, want true")
	}
}

func TestCheckConfigExtra(t *testing.T) {
	set, err := resource.Load([]string{"testdata/config-extra"})
	if err != nil {
		t.Fatal(err)
	}
	m := NewModel(set, "cloudfront.localhost")
	rep := CheckConfig(m, ConfigOptions{Countries: map[string]map[string]int64{"E5SHADOWEXAMPLE": {"KP": 2}}})
	checkFindings(t, rep, []configWant{
		// /media/* (unsigned) comes first and takes /media/private/*.
		{SeverityWarning, cause.SignedURL, cause.DetailMissingKeyPairID, "CacheBehaviors.Items[1].PathPattern"},
		// /docs/* (signed) comes first and takes /docs/x.pdf from *.pdf.
		{SeverityWarning, cause.SignedURL, cause.DetailMissingKeyPairID, "CacheBehaviors.Items[2].PathPattern"},
		{SeverityError, cause.SignedURL, cause.DetailUnknownKey, "CacheBehaviors.Items[2].TrustedKeyGroups"},
		{SeverityWarning, cause.SignedURL, cause.DetailUnknownKey, "CacheBehaviors.Items[1].TrustedKeyGroups.Items[0]"},
		{SeverityError, cause.S3Origin, cause.DetailWebsiteEndpointPrivateObject, "Origins.Items[1].OriginAccessControlId"},
		{SeverityError, cause.S3Origin, cause.DetailHostHeaderForwarded, "CacheBehaviors.Items[3].OriginRequestPolicyId"},
		{SeverityInfo, cause.CustomErrorResponse, cause.DetailMaskedOther, "CustomErrorResponses.Items[0]"},
		{SeverityInfo, cause.GeoRestriction, cause.DetailGeoBlockList, "Restrictions.GeoRestriction.Items"},
	})
	for _, f := range rep.Findings {
		if strings.Contains(f.Message, "shadowed") && !strings.Contains(f.Message, "/media/private/") {
			t.Errorf("shadow witness: got %q, want a /media/private/ path", f.Message)
		}
	}
}

func TestCertificateCoverage(t *testing.T) {
	dir := t.TempDir()
	certFile := filepath.Join(dir, "cert.pem")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "other.example.net"},
		DNSNames: []string{"*.example.net"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	names, err := CertificateNames(certFile)
	if err != nil {
		t.Fatal(err)
	}
	m := testModel(t)
	arn := "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
	rep := CheckConfig(m, ConfigOptions{Certificates: map[string][]string{arn: names}})
	checkFindings(t, rep, []configWant{{SeverityError, cause.AliasNotConfigured, "", "Aliases.Items[0]"}})
}
