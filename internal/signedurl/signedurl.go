// Package signedurl verifies (and signs) CloudFront signed URLs and signed
// cookies exactly as Amazon CloudFront does: canned and custom policies,
// CloudFront's base64 alphabet, SHA-1 and SHA-256, RSA and ECDSA P-256 keys.
//
// Everything here is a pure function of its inputs: the clock comes in with
// each Request, and a Verifier never changes after NewVerifier. Verification
// returns a Result value carrying CloudFront's XML error code and message
// (see "Restrict content with signed URLs and signed cookies" in the
// CloudFront Developer Guide) plus a precise Detail for logs and the doctor;
// turning it into a response is the edge's job.
package signedurl

import (
	"net/netip"
	"time"

	"github.com/openfront-edge/openfront/internal/cause"
)

// The CloudFront XML error codes a signed URL or cookie failure produces.
// CloudFront answers each with HTTP 403 and Content-Type text/xml.
const (
	CodeMissingKey         = "MissingKey"
	CodeInvalidKey         = "InvalidKey"
	CodeMalformedSignature = "MalformedSignature"
	CodeMalformedPolicy    = "MalformedPolicy"
	CodeAccessDenied       = "AccessDenied"
)

// Details name the precise reason behind a Code. They are the shared
// vocabulary of internal/cause (the edge's Denials, metrics and the doctor
// speak it too), re-exported here so callers need one import.
const (
	DetailMissingKeyPairID       = cause.DetailMissingKeyPairID
	DetailUnknownKey             = cause.DetailUnknownKey
	DetailMalformedSignature     = cause.DetailMalformedSignature
	DetailMalformedPolicy        = cause.DetailMalformedPolicy
	DetailExpired                = cause.DetailExpired
	DetailNotYetValid            = cause.DetailNotYetValid
	DetailIPMismatch             = cause.DetailIPMismatch
	DetailResourceMismatch       = cause.DetailResourceMismatch
	DetailBadSignature           = cause.DetailBadSignature
	DetailQueryAddedAfterSigning = cause.DetailQueryAddedAfterSigning
	DetailS3URLSignedInstead     = cause.DetailS3URLSignedInstead
	DetailWrongHashAlgorithm     = cause.DetailWrongHashAlgorithm
	DetailDuplicateParameter     = cause.DetailDuplicateParameter
)

// Sources of the signing parameters in a Result.
const (
	SourceURL    = "url"
	SourceCookie = "cookie"
)

// messages holds CloudFront's exact <Message> text for each <Code>. Note the
// lower-case "d" in "Access denied", unlike S3's "Access Denied".
var messages = map[string]string{
	CodeMissingKey:         "Missing Key-Pair-Id query parameter or cookie value",
	CodeInvalidKey:         "Unknown Key",
	CodeMalformedSignature: "Could not unencode Signature",
	CodeMalformedPolicy:    "Malformed Policy",
	CodeAccessDenied:       "Access denied",
}

// Message returns CloudFront's exact XML <Message> for code, or "" for an
// unknown code.
func Message(code string) string { return messages[code] }

// Request is what Verify needs to know about a viewer request. The edge
// fills it from the request as received; nothing is normalized here because
// a canned policy is rebuilt byte for byte from these values.
type Request struct {
	Scheme   string     // "http" or "https", as the viewer used
	Host     string     // Host the viewer used (alias or default domain), with a port only if it is not the default
	Path     string     // escaped path exactly as received (the request-target up to '?')
	RawQuery string     // query exactly as received, without the '?'
	Cookies  []string   // the Cookie header lines
	Viewer   netip.Addr // viewer address, after trusted-proxy handling
	Method   string     // HTTP method
	Now      time.Time  // the instant the request is judged at
}

// Result is the verdict on one request. When OK is false, Code and Message
// are what CloudFront puts in its XML error body and Detail says why.
type Result struct {
	OK      bool
	Source  string // SourceURL, SourceCookie, or "" when no signing parameter was present
	Code    string // CloudFront XML error code; "" when OK
	Message string // CloudFront's exact message for Code; "" when OK
	Detail  string // one of the Detail constants; "" when OK
	KeyID   string // the Key-Pair-Id presented, if any (at most 128 bytes)
	// Expires is the policy's DateLessThan once it is known (zero otherwise),
	// so logs and the doctor can say how long ago a URL expired.
	Expires time.Time
	// OriginQuery is RawQuery without the Expires, Policy, Signature,
	// Key-Pair-Id and Hash-Algorithm parameters, in the original order: what
	// the origin receives.
	OriginQuery string
}

// Cause maps the result to the shared 403 vocabulary: cause.SignedCookie when
// the failing credentials were cookies, cause.SignedURL otherwise, and
// cause.None when the request passed.
func (r Result) Cause() cause.Cause {
	switch {
	case r.OK:
		return cause.None
	case r.Source == SourceCookie:
		return cause.SignedCookie
	default:
		return cause.SignedURL
	}
}

func deny(code, detail string) Result {
	return Result{Code: code, Message: messages[code], Detail: detail}
}
