// Package cause is the one vocabulary of 403 causes and details shared by the
// edge's Denials, its metrics and the doctor. Stages import it; nothing here
// knows about HTTP servers.
package cause

// Cause names why a request was refused. Values are stable: they appear in
// the doctor's --json output, in metrics labels and in docs.
type Cause string

// The causes. See docs/doctor.md for the evidence and the fix of each.
const (
	None                    Cause = ""
	AliasNotConfigured      Cause = "alias-not-configured"
	DistributionDisabled    Cause = "distribution-disabled"
	ViewerProtocolHTTPSOnly Cause = "viewer-protocol-https-only"
	MethodNotAllowed        Cause = "method-not-allowed"
	GeoRestriction          Cause = "geo-restriction"
	WAFBlock                Cause = "waf-block"
	SignedURL               Cause = "signed-url"
	SignedCookie            Cause = "signed-cookie"
	S3Origin                Cause = "s3-origin"
	CustomOrigin            Cause = "custom-origin"
	CustomErrorResponse     Cause = "custom-error-response"
	GetWithBody             Cause = "get-with-body"
	InvalidRequest          Cause = "invalid-request"
	Unknown                 Cause = "unknown"
)

// All lists every cause in the order the doctor reports them.
var All = []Cause{
	AliasNotConfigured, DistributionDisabled, ViewerProtocolHTTPSOnly, MethodNotAllowed,
	GeoRestriction, WAFBlock, SignedURL, SignedCookie, S3Origin, CustomOrigin,
	CustomErrorResponse, GetWithBody, InvalidRequest, Unknown,
}
