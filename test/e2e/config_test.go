package e2e

import (
	"strings"
)

// obj is a JSON object of an AWS CLI document.
type obj = map[string]any

// AWS managed policy ids (CloudFront Developer Guide, managed policies).
const (
	cachingDisabled           = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
	allViewer                 = "216adef6-5c7f-47e4-b989-5492eafa07d3"
	allViewerExceptHostHeader = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
)

// list is CloudFront's {"Quantity": n, "Items": [...]} shape.
func list[T any](items ...T) obj {
	if items == nil {
		items = []T{}
	}
	return obj{"Quantity": len(items), "Items": items}
}

// customOrigin is an http-only custom origin at domain:port.
func customOrigin(id, domain string, port int) obj {
	return obj{
		"Id": id, "DomainName": domain, "OriginPath": "",
		"CustomHeaders": list[obj](),
		"CustomOriginConfig": obj{
			"HTTPPort": port, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only",
			"OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5,
			"OriginSslProtocols": list("TLSv1.2"),
		},
		"ConnectionAttempts": 3, "ConnectionTimeout": 10,
	}
}

// methods is an AllowedMethods value.
func methods(ms ...string) obj {
	m := list(ms...)
	m["CachedMethods"] = list("HEAD", "GET")
	return m
}

// behavior is a cache behavior for pattern ("" for the default behavior):
// allow-all, GET and HEAD, the CachingDisabled managed cache policy.
func behavior(pattern, originID string) obj {
	b := obj{
		"TargetOriginId": originID, "ViewerProtocolPolicy": "allow-all",
		"AllowedMethods": methods("HEAD", "GET"), "CachePolicyId": cachingDisabled,
		"Compress": false, "SmoothStreaming": false, "FieldLevelEncryptionId": "",
		"TrustedSigners":             obj{"Enabled": false, "Quantity": 0},
		"TrustedKeyGroups":           obj{"Enabled": false, "Quantity": 0},
		"FunctionAssociations":       list[obj](),
		"LambdaFunctionAssociations": list[obj](),
	}
	if pattern != "" {
		b["PathPattern"] = pattern
	}
	return b
}

// with returns a copy of o with the given keys set (a nil value deletes).
func with(o obj, kv ...any) obj {
	c := obj{}
	for k, v := range o {
		c[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(c, kv[i].(string))
			continue
		}
		c[kv[i].(string)] = kv[i+1]
	}
	return c
}

// distConfig is a DistributionConfig as get-distribution-config prints it.
func distConfig(origins []obj, def obj, behaviors ...obj) obj {
	return obj{
		"CallerReference":      "e2e-" + strings.ToLower(def["TargetOriginId"].(string)),
		"Aliases":              list[string](),
		"DefaultRootObject":    "",
		"Origins":              list(origins...),
		"OriginGroups":         list[obj](),
		"DefaultCacheBehavior": def,
		"CacheBehaviors":       list(behaviors...),
		"CustomErrorResponses": list[obj](),
		"Comment":              "openfront e2e",
		"Logging":              obj{"Enabled": false, "IncludeCookies": false, "Bucket": "", "Prefix": ""},
		"PriceClass":           "PriceClass_All",
		"Enabled":              true,
		"ViewerCertificate": obj{
			"CloudFrontDefaultCertificate": true, "SSLSupportMethod": "vip",
			"MinimumProtocolVersion": "TLSv1", "CertificateSource": "cloudfront",
		},
		"Restrictions":  obj{"GeoRestriction": obj{"RestrictionType": "none", "Quantity": 0}},
		"WebACLId":      "",
		"HttpVersion":   "http2",
		"IsIPV6Enabled": true,
		"Staging":       false,
	}
}

// simpleDist is a distribution with one origin behind its default behavior.
func simpleDist(o *origin) obj {
	return distConfig([]obj{customOrigin("o", "127.0.0.1", o.port())}, behavior("", "o"))
}

// configDoc is the get-distribution-config shape, written as <ID>.json.
func configDoc(cfg obj) obj {
	return obj{"ETag": "E2QWRUHAPOMQZL", "DistributionConfig": cfg}
}

// distributionDoc is the get-distribution shape.
func distributionDoc(id, domain string, cfg obj) obj {
	return obj{"ETag": "E3ETAG", "Distribution": obj{
		"Id": id, "ARN": "arn:aws:cloudfront::123456789012:distribution/" + id,
		"Status": "Deployed", "LastModifiedTime": "2024-05-01T10:00:00.000000+00:00",
		"InProgressInvalidationBatches": 0, "DomainName": domain,
		"ActiveTrustedSigners":   obj{"Enabled": false, "Quantity": 0},
		"ActiveTrustedKeyGroups": obj{"Enabled": false, "Quantity": 0},
		"DistributionConfig":     cfg,
	}}
}

// docs1 is a config folder of one get-distribution-config document.
func docs1(id string, cfg obj) map[string]any {
	return map[string]any{id + ".json": configDoc(cfg)}
}

// defaultDomain is where a distribution answers besides its aliases.
func defaultDomain(id string) string { return strings.ToLower(id) + ".cloudfront.localhost" }
