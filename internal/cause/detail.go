package cause

// Details refine a cause. Like causes they are stable strings: they appear
// in the doctor's --json output and in the edge's Denials. A cause without a
// knowable detail has the empty detail.
//
// The waf-block detail is not a constant: it names the terminating rule,
// "<terminatingRuleType>:<terminatingRuleId>" (for a rule inside a rule
// group, "<type>:<ruleGroupId>/<ruleId>"), as AWS WAF logs them.
const (
	// Signed URL and signed cookie failures (spec §1.3, §5).
	DetailMissingKeyPairID       = "missing-key-pair-id"       // MissingKey: no Key-Pair-Id parameter or CloudFront-Key-Pair-Id cookie
	DetailUnknownKey             = "unknown-key"               // InvalidKey: the key is not trusted by the matched behavior
	DetailMalformedSignature     = "malformed-signature"       // MalformedSignature: Signature is not CloudFront base64
	DetailMalformedPolicy        = "malformed-policy"          // MalformedPolicy: Policy or Expires cannot be used
	DetailExpired                = "expired"                   // AccessDenied: DateLessThan (Expires) is past
	DetailNotYetValid            = "not-yet-valid"             // AccessDenied: DateGreaterThan is still ahead
	DetailIPMismatch             = "ip-mismatch"               // AccessDenied: the viewer is outside AWS:SourceIp
	DetailResourceMismatch       = "resource-mismatch"         // AccessDenied: the URL does not match the policy's Resource
	DetailBadSignature           = "bad-signature"             // AccessDenied: the signature does not verify
	DetailQueryAddedAfterSigning = "query-added-after-signing" // parameters appended to a signed URL
	DetailS3URLSignedInstead     = "s3-url-signed-instead"     // the policy names the S3 URL, not the CloudFront one
	// DetailWrongHashAlgorithm: Hash-Algorithm is not SHA1 or SHA256
	// (MalformedPolicy), or the signature verifies only with the other hash
	// (AccessDenied).
	DetailWrongHashAlgorithm = "wrong-hash-algorithm"
	// DetailDuplicateParameter: a signing parameter appears twice in the
	// URL, or twice with different values in the cookies.
	DetailDuplicateParameter = "duplicate-parameter"
	// DetailSigningParamsToS3: signing parameters reached an S3 origin
	// through a behavior that does not restrict viewer access, and S3
	// refused them as its own query-string authentication (spec §5.6).
	DetailSigningParamsToS3 = "signing-params-forwarded-to-s3"

	// S3 origin refusals (spec §8).
	DetailNoDefaultRootObject           = "no-default-root-object"
	DetailMissingObjectWithoutList      = "missing-object-without-list-permission"
	DetailNoOriginAccess                = "no-origin-access"
	DetailOriginAccessNotInBucketPolicy = "origin-access-not-in-bucket-policy"
	DetailWebsiteEndpointPrivateObject  = "website-endpoint-private-object"
	DetailWebsiteEndpointAsRESTOrigin   = "website-endpoint-as-rest-origin"
	DetailRESTEndpointAsCustomOrigin    = "rest-endpoint-as-custom-origin"
	DetailHostHeaderForwarded           = "host-header-forwarded"
	DetailKMSEncrypted                  = "kms-encrypted"
	DetailRequesterPays                 = "requester-pays"
	DetailBucketPolicyDeny              = "bucket-policy-deny"
	DetailObjectOwnedByOtherAccount     = "object-owned-by-other-account"

	// viewer-protocol-https-only: a redirect-to-https behavior refuses
	// methods other than GET and HEAD below HTTP/1.1 (spec §6).
	DetailRedirectBelowHTTP11 = "redirect-to-https-below-http-1.1"

	// geo-restriction: which list refused the viewer, when the
	// configuration is known.
	DetailGeoAllowList = "not-in-allow-list"
	DetailGeoBlockList = "in-block-list"

	// custom-error-response: what the rewritten answer hid.
	DetailMaskedAs200 = "403-served-as-200"   // ErrorCode 403 → ResponseCode 200 (the SPA fallback)
	DetailMaskedOther = "403-served-as-other" // ErrorCode 403 → another ResponseCode

	// invalid-request: the edge's own refusals (docs/decisions.md).
	DetailURLTooLong      = "url-too-long"
	DetailHeadersTooLarge = "headers-too-large"
	DetailInvalidPath     = "invalid-path"

	// unknown: a CloudFront Function or Lambda@Edge generated the answer.
	DetailEdgeFunction = "edge-function"
)

// Details lists the constant details of each cause, in report order.
var Details = map[Cause][]string{
	SignedURL: {
		DetailMissingKeyPairID, DetailUnknownKey, DetailMalformedSignature, DetailMalformedPolicy,
		DetailExpired, DetailNotYetValid, DetailIPMismatch, DetailResourceMismatch, DetailBadSignature,
		DetailQueryAddedAfterSigning, DetailS3URLSignedInstead, DetailSigningParamsToS3,
		DetailWrongHashAlgorithm, DetailDuplicateParameter,
	},
	SignedCookie: {
		DetailMissingKeyPairID, DetailUnknownKey, DetailMalformedSignature, DetailMalformedPolicy,
		DetailExpired, DetailNotYetValid, DetailIPMismatch, DetailResourceMismatch, DetailBadSignature,
		DetailQueryAddedAfterSigning, DetailS3URLSignedInstead, DetailWrongHashAlgorithm, DetailDuplicateParameter,
	},
	S3Origin: {
		DetailNoDefaultRootObject, DetailMissingObjectWithoutList, DetailNoOriginAccess,
		DetailOriginAccessNotInBucketPolicy, DetailWebsiteEndpointPrivateObject, DetailWebsiteEndpointAsRESTOrigin,
		DetailRESTEndpointAsCustomOrigin, DetailHostHeaderForwarded, DetailKMSEncrypted, DetailRequesterPays,
		DetailBucketPolicyDeny, DetailObjectOwnedByOtherAccount,
	},
	ViewerProtocolHTTPSOnly: {DetailRedirectBelowHTTP11},
	GeoRestriction:          {DetailGeoAllowList, DetailGeoBlockList},
	CustomErrorResponse:     {DetailMaskedAs200, DetailMaskedOther},
	InvalidRequest:          {DetailURLTooLong, DetailHeadersTooLarge, DetailInvalidPath},
	Unknown:                 {DetailEdgeFunction},
}

// Known reports whether c is one of the causes in All.
func Known(c Cause) bool {
	for _, k := range All {
		if k == c {
			return true
		}
	}
	return false
}
