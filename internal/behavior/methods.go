package behavior

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidMethods is wrapped by every error from ParseMethods.
var ErrInvalidMethods = errors.New("invalid allowed methods")

// Methods is a set of HTTP methods a cache behavior allows.
type Methods uint16

// The methods CloudFront knows, as single-bit sets.
const (
	MethodGet Methods = 1 << iota
	MethodHead
	MethodOptions
	MethodPut
	MethodPost
	MethodPatch
	MethodDelete
)

// The only sets CloudFront accepts for AllowedMethods
// (distribution-web-values-specify.html, "Allowed HTTP methods").
const (
	// MethodsGetHead is GET and HEAD.
	MethodsGetHead = MethodGet | MethodHead
	// MethodsGetHeadOptions is GET, HEAD and OPTIONS.
	MethodsGetHeadOptions = MethodsGetHead | MethodOptions
	// MethodsAll is GET, HEAD, OPTIONS, PUT, POST, PATCH and DELETE.
	MethodsAll = MethodsGetHeadOptions | MethodPut | MethodPost | MethodPatch | MethodDelete
)

// methodNames is in CloudFront's console order, which String follows.
var methodNames = [...]struct {
	name string
	bit  Methods
}{
	{"GET", MethodGet},
	{"HEAD", MethodHead},
	{"OPTIONS", MethodOptions},
	{"PUT", MethodPut},
	{"POST", MethodPost},
	{"PATCH", MethodPatch},
	{"DELETE", MethodDelete},
}

// ParseMethods parses a cache behavior's AllowedMethods items. CloudFront
// accepts exactly three sets, in any order: [GET HEAD], [GET HEAD OPTIONS]
// and [GET HEAD OPTIONS PUT POST PATCH DELETE]. Names are upper case, as in
// the API's Method enumeration. Anything else, including a repeated or
// unknown method, is an error that names the set as written.
func ParseMethods(items []string) (Methods, error) {
	var m Methods
	for _, it := range items {
		bit := methodBit(it)
		if bit == 0 {
			return 0, fmt.Errorf("%w [%s]: unknown method %q; %s", ErrInvalidMethods, strings.Join(items, " "), it, acceptedSets)
		}
		if m&bit != 0 {
			return 0, fmt.Errorf("%w [%s]: %s listed twice; %s", ErrInvalidMethods, strings.Join(items, " "), it, acceptedSets)
		}
		m |= bit
	}
	switch m {
	case MethodsGetHead, MethodsGetHeadOptions, MethodsAll:
		return m, nil
	}
	return 0, fmt.Errorf("%w [%s]: %s", ErrInvalidMethods, strings.Join(items, " "), acceptedSets)
}

const acceptedSets = "CloudFront accepts only [GET HEAD], [GET HEAD OPTIONS] or [GET HEAD OPTIONS PUT POST PATCH DELETE]"

// methodBit maps a method name to its bit, or 0. Method names are
// case-sensitive (RFC 9110 §9.1).
func methodBit(method string) Methods {
	switch method {
	case "GET":
		return MethodGet
	case "HEAD":
		return MethodHead
	case "OPTIONS":
		return MethodOptions
	case "PUT":
		return MethodPut
	case "POST":
		return MethodPost
	case "PATCH":
		return MethodPatch
	case "DELETE":
		return MethodDelete
	}
	return 0
}

// Allows reports whether the set allows a request method. Methods CloudFront
// does not know, such as TRACE, CONNECT or PROPFIND, are never allowed, and
// names are case-sensitive. It does not allocate.
func (m Methods) Allows(method string) bool {
	bit := methodBit(method)
	return bit != 0 && m&bit != 0
}

// String lists the methods in CloudFront's order, comma-separated as in an
// Allow header ("GET, HEAD, OPTIONS"). The empty set is "".
func (m Methods) String() string {
	var b strings.Builder
	for _, n := range methodNames {
		if m&n.bit == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n.name)
	}
	return b.String()
}
