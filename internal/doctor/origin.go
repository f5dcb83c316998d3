package doctor

import "github.com/openfront-edge/openfront/internal/origin"

// OriginKind is what an origin's domain name is.
type OriginKind string

// Origin kinds (spec §8.1, §8.2).
const (
	OriginS3REST    OriginKind = "s3-rest"    // bucket.s3[.region].amazonaws.com
	OriginS3Website OriginKind = "s3-website" // bucket.s3-website[-.]region.amazonaws.com
	OriginCustom    OriginKind = "custom"     // anything else
)

// S3Host is an S3 endpoint name taken apart.
type S3Host struct {
	Kind   OriginKind
	Bucket string
	Region string // us-east-1 for the global bucket.s3.amazonaws.com
}

// ParseOriginDomain classifies an origin domain name. Virtual-hosted names
// only: CloudFront origins name the bucket in the host. Recognised forms
// (S3 "Website endpoints" and "Virtual hosting of buckets"):
//
//	bucket.s3.amazonaws.com, bucket.s3.us-east-2.amazonaws.com,
//	bucket.s3-us-west-2.amazonaws.com (legacy dash form),
//	bucket.s3.dualstack.eu-west-1.amazonaws.com,
//	bucket.s3-website-us-east-1.amazonaws.com, bucket.s3-website.eu-west-2.amazonaws.com,
//
// also under amazonaws.com.cn.
func ParseOriginDomain(domain string) S3Host {
	// One parser for the edge (which signs for the Region) and the doctor.
	d := origin.ParseS3Domain(domain)
	switch d.Kind {
	case origin.S3REST:
		return S3Host{Kind: OriginS3REST, Bucket: d.Bucket, Region: d.Region}
	case origin.S3Website:
		return S3Host{Kind: OriginS3Website, Bucket: d.Bucket, Region: d.Region}
	}
	return S3Host{Kind: OriginCustom}
}
