package waf

import (
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// CustomResponse is what the edge sends instead of forwarding the request.
// A nil CustomResponse on a BLOCK verdict means WAF's default 403, which
// CloudFront renders as its own error page (or the distribution's custom
// error response). Values are shared between requests: do not modify.
type CustomResponse struct {
	Status      int
	Headers     [][2]string
	Body        string
	ContentType string // "text/plain", "text/html", "application/json" or ""
	Custom      bool   // from a Block action's CustomResponse (logged as responseCodeSent)
}

// CAPTCHA and Challenge without a valid token: AWS answers 405 and 202 with
// x-amzn-waf-action (WAF developer guide, CAPTCHA and Challenge actions).
// This edge issues no tokens, so every request is tokenless.
var (
	captchaResponse   = &CustomResponse{Status: 405, Headers: [][2]string{{"x-amzn-waf-action", "captcha"}}}
	challengeResponse = &CustomResponse{Status: 202, Headers: [][2]string{{"x-amzn-waf-action", "challenge"}}}
)

// allowedStatus are the codes AWS accepts in a CustomResponse
// (customizing-the-response-status-codes); 402 is Monetize-only.
var allowedStatus = []int32{200, 201, 202, 204, 206, 300, 301, 302, 303, 304, 307, 308,
	400, 401, 403, 404, 405, 408, 409, 411, 412, 413, 414, 415, 416, 421, 429, 500, 501, 502, 503, 504, 505}

var contentTypes = map[types.ResponseContentType]string{
	"TEXT_PLAIN":       "text/plain",
	"TEXT_HTML":        "text/html",
	"APPLICATION_JSON": "application/json",
}

func (cp *compiler) customResponse(path string, c *types.CustomResponse) *CustomResponse {
	if c == nil {
		return nil
	}
	out := &CustomResponse{Custom: true}
	if c.ResponseCode == nil {
		cp.errorf("%s.ResponseCode: required", path)
	} else if !slices.Contains(allowedStatus, *c.ResponseCode) {
		cp.errorf("%s.ResponseCode: %d is not a status code AWS WAF allows", path, *c.ResponseCode)
	} else {
		out.Status = int(*c.ResponseCode)
	}
	if k := c.CustomResponseBodyKey; k != nil {
		b, ok := cp.bodies[*k]
		if !ok {
			cp.errorf("%s.CustomResponseBodyKey: no custom response body %q", path, *k)
		}
		out.Body, out.ContentType = deref(b.Content), contentTypes[b.ContentType]
	}
	for i, h := range c.ResponseHeaders {
		name := deref(h.Name)
		if !validHeaderName(name) || strings.EqualFold(name, "content-type") {
			cp.errorf("%s.ResponseHeaders[%d].Name: invalid header name %q", path, i, name)
		}
		out.Headers = append(out.Headers, [2]string{name, deref(h.Value)})
	}
	return out
}

func (cp *compiler) checkBodies(path string, m map[string]types.CustomResponseBody) {
	for k, b := range m {
		if _, ok := contentTypes[b.ContentType]; !ok {
			cp.errorf("%s.%s.ContentType: must be TEXT_PLAIN, TEXT_HTML or APPLICATION_JSON, got %q", path, k, b.ContentType)
		}
		if b.Content == nil || *b.Content == "" {
			cp.errorf("%s.%s.Content: required", path, k)
		}
	}
}
