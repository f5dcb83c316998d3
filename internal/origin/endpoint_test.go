package origin

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
)

func TestOriginEndpoints(t *testing.T) {
	mustEP := func(s string) *Endpoint {
		e, err := ParseEndpoint(s)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	opts := Options{
		S3Endpoint:        mustEP("http://127.0.0.1:9000"),
		S3WebsiteEndpoint: mustEP("http://127.0.0.1:9001"),
		S3Buckets:         map[string]*Endpoint{"media": mustEP("https://*.s3.internal:8443"), "docs": mustEP("http://127.0.0.1:9100")},
	}
	s3Origin := func(domain string) *types.Origin {
		return &types.Origin{Id: aws.String("o"), DomainName: aws.String(domain), OriginPath: aws.String("/v1"),
			S3OriginConfig: &types.S3OriginConfig{OriginAccessIdentity: aws.String("")}}
	}
	custom := func(domain string) *types.Origin {
		return &types.Origin{Id: aws.String("o"), DomainName: aws.String(domain), OriginPath: aws.String(""),
			CustomOriginConfig: &types.CustomOriginConfig{HTTPPort: aws.Int32(80), HTTPSPort: aws.Int32(443), OriginProtocolPolicy: types.OriginProtocolPolicyHttpsOnly}}
	}
	tests := []struct {
		name               string
		o                  *types.Origin
		connect, host, pth string
		proto              Protocol
	}{
		{"REST origin, path-style", s3Origin("site.s3.us-east-1.amazonaws.com"), "127.0.0.1:9000", "127.0.0.1:9000", "/site/v1", HTTPOnly},
		{"REST endpoint as a custom origin goes to the same server", custom("site.s3.eu-west-1.amazonaws.com"), "127.0.0.1:9000", "127.0.0.1:9000", "/site", HTTPOnly},
		{"website endpoint keeps its domain as Host", custom("site.s3-website-us-east-1.amazonaws.com"), "127.0.0.1:9001", "site.s3-website-us-east-1.amazonaws.com", "", HTTPOnly},
		{"a bucket's own endpoint, virtual-host", s3Origin("media.s3.amazonaws.com"), "s3.internal:8443", "media.s3.internal:8443", "/v1", HTTPSOnly},
		{"a bucket's own endpoint takes its website origin too", custom("docs.s3-website.eu-west-1.amazonaws.com"), "127.0.0.1:9100", "docs.s3-website.eu-west-1.amazonaws.com", "", HTTPOnly},
		{"not S3", custom("app.example.com"), "app.example.com:443", "app.example.com", "", HTTPSOnly},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.o, Access{}, opts)
			if err != nil {
				t.Fatal(err)
			}
			connect := c.HTTPHost
			if c.Protocol == HTTPSOnly {
				connect = c.HTTPSHost
			}
			if connect != tc.connect || c.HostHeader != tc.host || c.Path != tc.pth || c.Protocol != tc.proto {
				t.Errorf("got connect %q, Host %q, path %q, protocol %d; want %q, %q, %q, %d",
					connect, c.HostHeader, c.Path, c.Protocol, tc.connect, tc.host, tc.pth, tc.proto)
			}
		})
	}
}
