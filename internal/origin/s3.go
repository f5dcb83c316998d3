package origin

import (
	"regexp"
	"strings"
)

// S3Kind tells an S3 REST endpoint from a website endpoint.
type S3Kind uint8

// Kinds of S3 endpoint (spec §8.1, §8.2).
const (
	NotS3 S3Kind = iota
	S3REST
	S3Website
)

// S3Domain is what an origin's DomainName says about S3.
type S3Domain struct {
	Kind   S3Kind
	Bucket string
	// Region is the bucket's Region, the SigV4 signing Region: us-east-1
	// for the global endpoint (bucket.s3.amazonaws.com).
	Region string
}

var regionName = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// ParseS3Domain recognises the S3 endpoint forms CloudFront accepts as
// origins: bucket.s3.REGION.amazonaws.com, bucket.s3-REGION.amazonaws.com,
// bucket.s3.dualstack.REGION.amazonaws.com, bucket.s3.amazonaws.com
// (us-east-1), bucket.s3-external-1.amazonaws.com, the .amazonaws.com.cn
// forms, and the website endpoints bucket.s3-website-REGION.amazonaws.com
// and bucket.s3-website.REGION.amazonaws.com. Bucket names may hold dots,
// so the S3 label is searched from the right.
func ParseS3Domain(domain string) S3Domain {
	d := strings.TrimSuffix(strings.ToLower(domain), ".")
	var rest string
	switch {
	case strings.HasSuffix(d, ".amazonaws.com"):
		rest = strings.TrimSuffix(d, ".amazonaws.com")
	case strings.HasSuffix(d, ".amazonaws.com.cn"):
		rest = strings.TrimSuffix(d, ".amazonaws.com.cn")
	default:
		return S3Domain{}
	}
	labels := strings.Split(rest, ".")
	for i := len(labels) - 1; i >= 1; i-- {
		l, after := labels[i], labels[i+1:]
		s := S3Domain{Bucket: strings.Join(labels[:i], ".")}
		switch {
		case l == "s3-website" && len(after) == 1:
			s.Kind, s.Region = S3Website, after[0]
		case strings.HasPrefix(l, "s3-website-") && len(after) == 0:
			s.Kind, s.Region = S3Website, strings.TrimPrefix(l, "s3-website-")
		case l == "s3" && len(after) == 0, l == "s3-external-1" && len(after) == 0:
			s.Kind, s.Region = S3REST, "us-east-1"
		case l == "s3" && len(after) == 1:
			s.Kind, s.Region = S3REST, after[0]
		case l == "s3" && len(after) == 2 && after[0] == "dualstack":
			s.Kind, s.Region = S3REST, after[1]
		case strings.HasPrefix(l, "s3-") && len(after) == 0:
			s.Kind, s.Region = S3REST, strings.TrimPrefix(l, "s3-")
		default:
			continue
		}
		if s.Bucket == "" || !regionName.MatchString(s.Region) {
			return S3Domain{}
		}
		return s
	}
	return S3Domain{}
}
