package resource

import (
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
)

// AWS managed CloudFront policies, keyed by the id that distribution configs
// use to reference them.
//
// Sources (each entry below names the ones it was taken from):
//
//   - [cache-doc] "Use managed cache policies",
//     https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html
//     (read from the mirror c2hans/aws-docs
//     docs/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.md,
//     and the older awsdocs/amazon-cloudfront-developer-guide
//     doc_source/using-managed-cache-policies.md).
//   - [amplify-doc] "How Amplify applies cache configuration to an app",
//     https://docs.aws.amazon.com/amplify/latest/userguide/cache-configuration-type.html
//     (section "Understanding Amplify's managed cache policies").
//   - [cache-export] Terraformer exports of the live managed cache policies
//     (what GetCachePolicy returns: exact names, comments, header casing):
//     wilsonify/FreshInstall aws/064592191516/generated/aws/cloudfront/cloudfront_cache_policy.tf
//     and elexsandrorangel/rangelconsultoria-infra modules/cloudfront/cloudfront_cache_policy.tf.
//   - [orp-doc] "Use managed origin request policies",
//     https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html
//     (c2hans/aws-docs docs/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.md,
//     and awsdocs/amazon-cloudfront-developer-guide doc_source/using-managed-origin-request-policies.md,
//     which gives the "Managed-" API names).
//   - [rhp-doc] "Use managed response headers policies",
//     https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-response-headers-policies.html
//     (c2hans/aws-docs docs/AmazonCloudFront/latest/DeveloperGuide/using-managed-response-headers-policies.md,
//     and awsdocs/amazon-cloudfront-developer-guide doc_source/using-managed-response-headers-policies.md).
//
// Names are the ones the CloudFront API reports (GetCachePolicy and friends),
// which carry a "Managed-" prefix, except for the two
// UseOriginCacheControlHeaders policies, which the API names without it
// [cache-export]. HTTP header names are case-insensitive; the casing below is
// the API's where an export was available and the documentation's otherwise.
//
// The tables are built once; the returned configs are shared and must not be
// modified.
var (
	managedCachePolicies           = buildManagedCachePolicies()
	managedOriginRequestPolicies   = buildManagedOriginRequestPolicies()
	managedResponseHeadersPolicies = buildManagedResponseHeadersPolicies()
)

// ManagedCachePolicy returns the AWS managed cache policy with this id.
// The returned config is shared and must not be modified.
func ManagedCachePolicy(id string) (*types.CachePolicyConfig, bool) {
	p, ok := managedCachePolicies[id]
	return p, ok
}

// ManagedOriginRequestPolicy returns the AWS managed origin request policy
// with this id. The returned config is shared and must not be modified.
func ManagedOriginRequestPolicy(id string) (*types.OriginRequestPolicyConfig, bool) {
	p, ok := managedOriginRequestPolicies[id]
	return p, ok
}

// ManagedResponseHeadersPolicy returns the AWS managed response headers
// policy with this id. The returned config is shared and must not be
// modified.
func ManagedResponseHeadersPolicy(id string) (*types.ResponseHeadersPolicyConfig, bool) {
	p, ok := managedResponseHeadersPolicies[id]
	return p, ok
}

// Seconds in a day and in a year, as the documentation states TTLs.
const (
	managedDay  = 86400
	managedYear = 31536000
)

func buildManagedCachePolicies() map[string]*types.CachePolicyConfig {
	return map[string]*types.CachePolicyConfig{
		// Amplify. [cache-doc] "Amplify"; [cache-export].
		"2e54312d-136d-493c-8eb9-b001f22f67d2": managedCache("Managed-Amplify", "Policy for Amplify Origin",
			2, 2, 600, true, true,
			cacheHeaders("Authorization", "CloudFront-Viewer-Country", "Host"),
			cacheCookiesAll(), cacheQueryStringsAll()),

		// CachingDisabled. [cache-doc] "CachingDisabled"; [cache-export].
		"4135ea2d-6df8-44a3-9df3-4b5a84be39ad": managedCache("Managed-CachingDisabled", "Policy with caching disabled",
			0, 0, 0, false, false,
			cacheHeaders(), cacheCookiesNone(), cacheQueryStringsNone()),

		// CachingOptimized. [cache-doc] "CachingOptimized"; [cache-export].
		"658327ea-f89d-4fab-a63d-7e88639e58f6": managedCache("Managed-CachingOptimized",
			"Policy with caching enabled. Supports Gzip and Brotli compression.",
			1, managedDay, managedYear, true, true,
			cacheHeaders(), cacheCookiesNone(), cacheQueryStringsNone()),

		// CachingOptimizedForUncompressedObjects. [cache-doc]
		// "CachingOptimizedForUncompressedObjects"; [cache-export].
		"b2884449-e4de-46a7-ac36-70bc7f1ddd6d": managedCache("Managed-CachingOptimizedForUncompressedObjects",
			"Default policy when compression is disabled",
			1, managedDay, managedYear, false, false,
			cacheHeaders(), cacheCookiesNone(), cacheQueryStringsNone()),

		// Elemental-MediaPackage. [cache-doc] "Elemental-MediaPackage"
		// (compression "Enabled for Gzip"); [cache-export] (gzip on,
		// brotli off, header "origin").
		"08627262-05a9-4f76-9ded-b50ca2e3a84f": managedCache("Managed-Elemental-MediaPackage",
			"Policy for Elemental MediaPackage Origin",
			0, managedDay, managedYear, true, false,
			cacheHeaders("origin"), cacheCookiesNone(),
			cacheQueryStrings("aws.manifestfilter", "end", "m", "start")),

		// UseOriginCacheControlHeaders. [cache-doc]
		// "UseOriginCacheControlHeaders"; [cache-export] (name without the
		// "Managed-" prefix, lower-case header names).
		"83da9c7e-98b4-4e11-a168-04f0df8e2c65": managedCache("UseOriginCacheControlHeaders",
			"Policy for origins that return Cache-Control headers. Query strings are not included in the cache key.",
			0, 0, managedYear, true, true,
			cacheHeaders("host", "origin", "x-http-method", "x-http-method-override", "x-method-override"),
			cacheCookiesAll(), cacheQueryStringsNone()),

		// UseOriginCacheControlHeaders-QueryStrings. [cache-doc]
		// "UseOriginCacheControlHeaders-QueryStrings"; [cache-export].
		"4cc15a8a-d715-48a4-82b8-cc0b614638fe": managedCache("UseOriginCacheControlHeaders-QueryStrings",
			"Policy for origins that return Cache-Control headers and serve different content based on values present in the query string.",
			0, 0, managedYear, true, true,
			cacheHeaders("host", "origin", "x-http-method", "x-http-method-override", "x-method-override"),
			cacheCookiesAll(), cacheQueryStringsAll()),

		// Amplify-Default (used by Amplify Hosting only). Id: [cache-doc]
		// "AWS Amplify Hosting cache policies"; settings: [amplify-doc]
		// "Amplify-Default managed cache policy settings"; [cache-export].
		"4d1d2f1d-3a71-49ad-9e08-7ea5d843a556": managedCache("Managed-Amplify-Default", "Default Amplify cache policy",
			0, 0, managedYear, true, true,
			cacheHeaders("Accept", "Authorization", "CloudFront-Viewer-Country", "Host"),
			cacheCookiesAll(), cacheQueryStringsAll()),

		// Amplify-DefaultNoCookies (used by Amplify Hosting only). Id:
		// [cache-doc]; settings: [amplify-doc]; [cache-export].
		"a6bad946-36c3-4c33-aa98-362c74a7fb13": managedCache("Managed-Amplify-DefaultNoCookies",
			"Default Amplify cache policy without cookies",
			0, 0, managedYear, true, true,
			cacheHeaders("Accept", "Authorization", "CloudFront-Viewer-Country", "Host"),
			cacheCookiesNone(), cacheQueryStringsAll()),

		// Amplify-ImageOptimization (used by Amplify Hosting only). Id:
		// [cache-doc]; settings: [amplify-doc]; [cache-export].
		"1c6db51a-a33f-469a-8245-dae26771f530": managedCache("Managed-Amplify-ImageOptimization",
			"Amplify cache policy for image optimization",
			0, 0, managedYear, true, true,
			cacheHeaders("Accept", "Authorization", "Host"),
			cacheCookiesNone(), cacheQueryStringsAll()),

		// Amplify-StaticContent (used by Amplify Hosting only). Id:
		// [cache-doc]; settings: [amplify-doc]; [cache-export].
		"7e5fad67-ee98-4ad0-b05a-394999eefc1a": managedCache("Managed-Amplify-StaticContent",
			"Amplify cache policy for static content",
			0, 0, managedYear, true, true,
			cacheHeaders("Authorization", "Host"),
			cacheCookiesNone(), cacheQueryStringsNone()),
	}
}

// managedCloudFrontHeaders2022 are the CloudFront headers that
// AllViewerAndCloudFrontHeaders-2022-06 adds: all those released through
// June 2022 [orp-doc].
var managedCloudFrontHeaders2022 = []string{
	"CloudFront-Forwarded-Proto",
	"CloudFront-Is-Android-Viewer",
	"CloudFront-Is-Desktop-Viewer",
	"CloudFront-Is-IOS-Viewer",
	"CloudFront-Is-Mobile-Viewer",
	"CloudFront-Is-SmartTV-Viewer",
	"CloudFront-Is-Tablet-Viewer",
	"CloudFront-Viewer-Address",
	"CloudFront-Viewer-ASN",
	"CloudFront-Viewer-City",
	"CloudFront-Viewer-Country",
	"CloudFront-Viewer-Country-Name",
	"CloudFront-Viewer-Country-Region",
	"CloudFront-Viewer-Country-Region-Name",
	"CloudFront-Viewer-Http-Version",
	"CloudFront-Viewer-Latitude",
	"CloudFront-Viewer-Longitude",
	"CloudFront-Viewer-Metro-Code",
	"CloudFront-Viewer-Postal-Code",
	"CloudFront-Viewer-Time-Zone",
	"CloudFront-Viewer-TLS",
}

func buildManagedOriginRequestPolicies() map[string]*types.OriginRequestPolicyConfig {
	return map[string]*types.OriginRequestPolicyConfig{
		// AllViewer. [orp-doc] "AllViewer".
		"216adef6-5c7f-47e4-b989-5492eafa07d3": managedOrigin("Managed-AllViewer",
			originHeaders(types.OriginRequestPolicyHeaderBehaviorAllViewer),
			types.OriginRequestPolicyCookieBehaviorAll, types.OriginRequestPolicyQueryStringBehaviorAll),

		// AllViewerAndCloudFrontHeaders-2022-06. [orp-doc]
		// "AllViewerAndCloudFrontHeaders-2022-06".
		"33f36d7e-f396-46d9-90e0-52428a34d9dc": managedOrigin("Managed-AllViewerAndCloudFrontHeaders-2022-06",
			originHeaders(types.OriginRequestPolicyHeaderBehaviorAllViewerAndWhitelistCloudFront, managedCloudFrontHeaders2022...),
			types.OriginRequestPolicyCookieBehaviorAll, types.OriginRequestPolicyQueryStringBehaviorAll),

		// AllViewerExceptHostHeader. [orp-doc] "AllViewerExceptHostHeader":
		// all viewer headers except Host, all cookies, all query strings.
		// The API expresses this as allExcept ["host"] (as quoted from
		// `aws cloudfront get-origin-request-policy` in a public design note);
		// the page's prose also mentions CloudFront-* headers, which that
		// representation does not carry. CloudFront sets Host to the origin's
		// domain name.
		"b689b0a8-53d0-40ab-baf2-68738e2966ac": managedOrigin("Managed-AllViewerExceptHostHeader",
			originHeaders(types.OriginRequestPolicyHeaderBehaviorAllExcept, "host"),
			types.OriginRequestPolicyCookieBehaviorAll, types.OriginRequestPolicyQueryStringBehaviorAll),

		// CORS-CustomOrigin. [orp-doc] "CORS-CustomOrigin".
		"59781a5b-3903-41f3-afcb-af62929ccde1": managedOrigin("Managed-CORS-CustomOrigin",
			originHeaders(types.OriginRequestPolicyHeaderBehaviorWhitelist, "Origin"),
			types.OriginRequestPolicyCookieBehaviorNone, types.OriginRequestPolicyQueryStringBehaviorNone),

		// CORS-S3Origin. [orp-doc] "CORS-S3Origin".
		"88a5eaf4-2fd4-4709-b370-b4c650ea3fcf": managedOrigin("Managed-CORS-S3Origin",
			originHeaders(types.OriginRequestPolicyHeaderBehaviorWhitelist,
				"Origin", "Access-Control-Request-Headers", "Access-Control-Request-Method"),
			types.OriginRequestPolicyCookieBehaviorNone, types.OriginRequestPolicyQueryStringBehaviorNone),

		// Elemental-MediaTailor-PersonalizedManifests. [orp-doc]
		// "Elemental-MediaTailor-PersonalizedManifests".
		"775133bc-15f2-49f9-abea-afb2e0bf67d2": managedOrigin("Managed-Elemental-MediaTailor-PersonalizedManifests",
			originHeaders(types.OriginRequestPolicyHeaderBehaviorWhitelist,
				"Origin", "Access-Control-Request-Headers", "Access-Control-Request-Method", "User-Agent", "X-Forwarded-For"),
			types.OriginRequestPolicyCookieBehaviorNone, types.OriginRequestPolicyQueryStringBehaviorAll),

		// HostHeaderOnly. [orp-doc] "HostHeaderOnly".
		"bf0718e1-ba1e-49d1-88b1-f726733018ae": managedOrigin("Managed-HostHeaderOnly",
			originHeaders(types.OriginRequestPolicyHeaderBehaviorWhitelist, "Host"),
			types.OriginRequestPolicyCookieBehaviorNone, types.OriginRequestPolicyQueryStringBehaviorNone),

		// UserAgentRefererHeaders. [orp-doc] "UserAgentRefererHeaders".
		"acba4595-bd28-49b8-b9fe-13317c0390fa": managedOrigin("Managed-UserAgentRefererHeaders",
			originHeaders(types.OriginRequestPolicyHeaderBehaviorWhitelist, "User-Agent", "Referer"),
			types.OriginRequestPolicyCookieBehaviorNone, types.OriginRequestPolicyQueryStringBehaviorNone),
	}
}

// The documentation lists, for each managed response headers policy, only
// the headers it adds. Where the API requires a field the documentation does
// not mention (Access-Control-Allow-Headers, and Access-Control-Allow-Methods
// for the simple-CORS policies), the list is left empty (Quantity 0) so that
// no such header is added, which is the documented behaviour;
// Access-Control-Allow-Credentials is false (it cannot be combined with
// Access-Control-Allow-Origin: *); no Access-Control-Max-Age is set.
func buildManagedResponseHeadersPolicies() map[string]*types.ResponseHeadersPolicyConfig {
	return map[string]*types.ResponseHeadersPolicyConfig{
		// CORS-and-SecurityHeadersPolicy: SimpleCORS plus
		// SecurityHeadersPolicy. [rhp-doc] "CORS-and-SecurityHeadersPolicy".
		"e61eb60c-9c35-4d20-a928-2b84e02af89c": {
			Name:                  aws.String("Managed-CORS-and-SecurityHeadersPolicy"),
			CorsConfig:            simpleCORS(),
			SecurityHeadersConfig: managedSecurityHeaders(),
		},

		// CORS-With-Preflight. [rhp-doc] "CORS-With-Preflight".
		"5cc3b908-e619-4b99-88e5-2cf7f45965bd": {
			Name:       aws.String("Managed-CORS-With-Preflight"),
			CorsConfig: preflightCORS(),
		},

		// CORS-with-preflight-and-SecurityHeadersPolicy: CORS-With-Preflight
		// plus SecurityHeadersPolicy. [rhp-doc]
		// "CORS-with-preflight-and-SecurityHeadersPolicy".
		"eaab4381-ed33-4a86-88ca-d9558dc6cd63": {
			Name:                  aws.String("Managed-CORS-with-preflight-and-SecurityHeadersPolicy"),
			CorsConfig:            preflightCORS(),
			SecurityHeadersConfig: managedSecurityHeaders(),
		},

		// SecurityHeadersPolicy. [rhp-doc] "SecurityHeadersPolicy".
		"67f7725c-6f97-4210-82d7-5512b31e9d03": {
			Name:                  aws.String("Managed-SecurityHeadersPolicy"),
			SecurityHeadersConfig: managedSecurityHeaders(),
		},

		// SimpleCORS. [rhp-doc] "SimpleCORS".
		"60669652-455b-4ae9-85a4-c4c02393f86c": {
			Name:       aws.String("Managed-SimpleCORS"),
			CorsConfig: simpleCORS(),
		},
	}
}

// simpleCORS is the CORS part of SimpleCORS and
// CORS-and-SecurityHeadersPolicy [rhp-doc]: Access-Control-Allow-Origin: *,
// not overriding the origin's header.
func simpleCORS() *types.ResponseHeadersPolicyCorsConfig {
	return &types.ResponseHeadersPolicyCorsConfig{
		AccessControlAllowCredentials: aws.Bool(false),
		AccessControlAllowHeaders:     &types.ResponseHeadersPolicyAccessControlAllowHeaders{Quantity: aws.Int32(0)},
		AccessControlAllowMethods:     &types.ResponseHeadersPolicyAccessControlAllowMethods{Quantity: aws.Int32(0)},
		AccessControlAllowOrigins: &types.ResponseHeadersPolicyAccessControlAllowOrigins{
			Quantity: aws.Int32(1), Items: []string{"*"},
		},
		OriginOverride: aws.Bool(false),
	}
}

// preflightCORS is the CORS part of CORS-With-Preflight and
// CORS-with-preflight-and-SecurityHeadersPolicy [rhp-doc]:
// Access-Control-Allow-Methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT;
// Access-Control-Allow-Origin: *; Access-Control-Expose-Headers: *; not
// overriding the origin's headers.
func preflightCORS() *types.ResponseHeadersPolicyCorsConfig {
	methods := []types.ResponseHeadersPolicyAccessControlAllowMethodsValues{
		types.ResponseHeadersPolicyAccessControlAllowMethodsValuesDelete,
		types.ResponseHeadersPolicyAccessControlAllowMethodsValuesGet,
		types.ResponseHeadersPolicyAccessControlAllowMethodsValuesHead,
		types.ResponseHeadersPolicyAccessControlAllowMethodsValuesOptions,
		types.ResponseHeadersPolicyAccessControlAllowMethodsValuesPatch,
		types.ResponseHeadersPolicyAccessControlAllowMethodsValuesPost,
		types.ResponseHeadersPolicyAccessControlAllowMethodsValuesPut,
	}
	return &types.ResponseHeadersPolicyCorsConfig{
		AccessControlAllowCredentials: aws.Bool(false),
		AccessControlAllowHeaders:     &types.ResponseHeadersPolicyAccessControlAllowHeaders{Quantity: aws.Int32(0)},
		AccessControlAllowMethods: &types.ResponseHeadersPolicyAccessControlAllowMethods{
			Quantity: aws.Int32(int32(len(methods))), Items: methods,
		},
		AccessControlAllowOrigins: &types.ResponseHeadersPolicyAccessControlAllowOrigins{
			Quantity: aws.Int32(1), Items: []string{"*"},
		},
		AccessControlExposeHeaders: &types.ResponseHeadersPolicyAccessControlExposeHeaders{
			Quantity: aws.Int32(1), Items: []string{"*"},
		},
		OriginOverride: aws.Bool(false),
	}
}

// managedSecurityHeaders is the security-headers part of
// SecurityHeadersPolicy and the two combined policies [rhp-doc]:
//
//	Referrer-Policy: strict-origin-when-cross-origin  (origin's header wins)
//	Strict-Transport-Security: max-age=31536000       (origin's header wins)
//	X-Content-Type-Options: nosniff                   (overrides the origin)
//	X-Frame-Options: SAMEORIGIN                       (origin's header wins)
//	X-XSS-Protection: 1; mode=block                   (origin's header wins)
func managedSecurityHeaders() *types.ResponseHeadersPolicySecurityHeadersConfig {
	return &types.ResponseHeadersPolicySecurityHeadersConfig{
		ReferrerPolicy: &types.ResponseHeadersPolicyReferrerPolicy{
			ReferrerPolicy: types.ReferrerPolicyListStrictOriginWhenCrossOrigin,
			Override:       aws.Bool(false),
		},
		StrictTransportSecurity: &types.ResponseHeadersPolicyStrictTransportSecurity{
			AccessControlMaxAgeSec: aws.Int32(managedYear),
			IncludeSubdomains:      aws.Bool(false),
			Preload:                aws.Bool(false),
			Override:               aws.Bool(false),
		},
		ContentTypeOptions: &types.ResponseHeadersPolicyContentTypeOptions{
			Override: aws.Bool(true),
		},
		FrameOptions: &types.ResponseHeadersPolicyFrameOptions{
			FrameOption: types.FrameOptionsListSameorigin,
			Override:    aws.Bool(false),
		},
		XSSProtection: &types.ResponseHeadersPolicyXSSProtection{
			Protection: aws.Bool(true),
			ModeBlock:  aws.Bool(true),
			Override:   aws.Bool(false),
		},
	}
}

func managedCache(name, comment string, minTTL, defaultTTL, maxTTL int64, gzip, brotli bool,
	headers *types.CachePolicyHeadersConfig, cookies *types.CachePolicyCookiesConfig,
	queryStrings *types.CachePolicyQueryStringsConfig) *types.CachePolicyConfig {
	return &types.CachePolicyConfig{
		Name:       aws.String(name),
		Comment:    aws.String(comment),
		MinTTL:     aws.Int64(minTTL),
		DefaultTTL: aws.Int64(defaultTTL),
		MaxTTL:     aws.Int64(maxTTL),
		ParametersInCacheKeyAndForwardedToOrigin: &types.ParametersInCacheKeyAndForwardedToOrigin{
			EnableAcceptEncodingGzip:   aws.Bool(gzip),
			EnableAcceptEncodingBrotli: aws.Bool(brotli),
			HeadersConfig:              headers,
			CookiesConfig:              cookies,
			QueryStringsConfig:         queryStrings,
		},
	}
}

// cacheHeaders is "none" without names and "whitelist" with them.
func cacheHeaders(names ...string) *types.CachePolicyHeadersConfig {
	if len(names) == 0 {
		return &types.CachePolicyHeadersConfig{HeaderBehavior: types.CachePolicyHeaderBehaviorNone}
	}
	return &types.CachePolicyHeadersConfig{
		HeaderBehavior: types.CachePolicyHeaderBehaviorWhitelist,
		Headers:        &types.Headers{Quantity: aws.Int32(int32(len(names))), Items: names},
	}
}

func cacheCookiesNone() *types.CachePolicyCookiesConfig {
	return &types.CachePolicyCookiesConfig{CookieBehavior: types.CachePolicyCookieBehaviorNone}
}

func cacheCookiesAll() *types.CachePolicyCookiesConfig {
	return &types.CachePolicyCookiesConfig{CookieBehavior: types.CachePolicyCookieBehaviorAll}
}

func cacheQueryStringsNone() *types.CachePolicyQueryStringsConfig {
	return &types.CachePolicyQueryStringsConfig{QueryStringBehavior: types.CachePolicyQueryStringBehaviorNone}
}

func cacheQueryStringsAll() *types.CachePolicyQueryStringsConfig {
	return &types.CachePolicyQueryStringsConfig{QueryStringBehavior: types.CachePolicyQueryStringBehaviorAll}
}

func cacheQueryStrings(names ...string) *types.CachePolicyQueryStringsConfig {
	return &types.CachePolicyQueryStringsConfig{
		QueryStringBehavior: types.CachePolicyQueryStringBehaviorWhitelist,
		QueryStrings:        &types.QueryStringNames{Quantity: aws.Int32(int32(len(names))), Items: names},
	}
}

func managedOrigin(name string, headers *types.OriginRequestPolicyHeadersConfig,
	cookies types.OriginRequestPolicyCookieBehavior,
	queryStrings types.OriginRequestPolicyQueryStringBehavior) *types.OriginRequestPolicyConfig {
	return &types.OriginRequestPolicyConfig{
		Name:               aws.String(name),
		HeadersConfig:      headers,
		CookiesConfig:      &types.OriginRequestPolicyCookiesConfig{CookieBehavior: cookies},
		QueryStringsConfig: &types.OriginRequestPolicyQueryStringsConfig{QueryStringBehavior: queryStrings},
	}
}

// originHeaders carries a header list only when there are names; the list is
// copied so that no table entry aliases a package-level slice.
func originHeaders(behavior types.OriginRequestPolicyHeaderBehavior, names ...string) *types.OriginRequestPolicyHeadersConfig {
	c := &types.OriginRequestPolicyHeadersConfig{HeaderBehavior: behavior}
	if len(names) > 0 {
		c.Headers = &types.Headers{Quantity: aws.Int32(int32(len(names))), Items: slices.Clone(names)}
	}
	return c
}
