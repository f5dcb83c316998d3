package doctor

import "strings"

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
	Region string // "" for the global bucket.s3.amazonaws.com
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
	d := strings.TrimSuffix(strings.ToLower(domain), ".")
	var rest string
	switch {
	case strings.HasSuffix(d, ".amazonaws.com"):
		rest = strings.TrimSuffix(d, ".amazonaws.com")
	case strings.HasSuffix(d, ".amazonaws.com.cn"):
		rest = strings.TrimSuffix(d, ".amazonaws.com.cn")
	default:
		return S3Host{Kind: OriginCustom}
	}
	// Find the S3 label: the bucket name may itself contain dots, so take
	// the last label that starts with "s3".
	labels := strings.Split(rest, ".")
	for i := len(labels) - 1; i >= 1; i-- {
		l := labels[i]
		bucket := strings.Join(labels[:i], ".")
		after := labels[i+1:]
		switch {
		case l == "s3-website" && len(after) == 1:
			return S3Host{Kind: OriginS3Website, Bucket: bucket, Region: after[0]}
		case strings.HasPrefix(l, "s3-website-") && len(after) == 0:
			return S3Host{Kind: OriginS3Website, Bucket: bucket, Region: strings.TrimPrefix(l, "s3-website-")}
		case l == "s3" && len(after) == 0:
			return S3Host{Kind: OriginS3REST, Bucket: bucket}
		case l == "s3" && len(after) == 1:
			return S3Host{Kind: OriginS3REST, Bucket: bucket, Region: after[0]}
		case l == "s3" && len(after) == 2 && after[0] == "dualstack":
			return S3Host{Kind: OriginS3REST, Bucket: bucket, Region: after[1]}
		case strings.HasPrefix(l, "s3-") && len(after) == 0 && l != "s3-external-1":
			return S3Host{Kind: OriginS3REST, Bucket: bucket, Region: strings.TrimPrefix(l, "s3-")}
		case l == "s3-external-1" && len(after) == 0:
			return S3Host{Kind: OriginS3REST, Bucket: bucket, Region: "us-east-1"}
		}
	}
	return S3Host{Kind: OriginCustom}
}
