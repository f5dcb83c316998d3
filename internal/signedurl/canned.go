package signedurl

import (
	"strconv"
	"unicode/utf8"
)

// appendURL appends scheme://host path[?query], the URL a canned policy's
// Resource holds: "the base URL including your query strings, if any, but
// excluding the CloudFront Expires, Signature, Key-Pair-Id, and
// Hash-Algorithm parameters", with no '?' when there is no query.
func appendURL(dst []byte, scheme, host, path, query string) []byte {
	dst = append(dst, scheme...)
	dst = append(dst, "://"...)
	dst = append(dst, host...)
	dst = append(dst, path...)
	if query != "" {
		dst = append(dst, '?')
		dst = append(dst, query...)
	}
	return dst
}

// appendCanned appends the canned policy statement exactly as the AWS SDKs
// build it: no whitespace, keys in this order (botocore: "Order in canned
// policy is significant"), the URL escaped as Go's encoding/json does with
// HTML escaping off (aws-sdk-go-v2 feature/cloudfront/sign since v1.3.1).
func appendCanned(dst []byte, url []byte, expires int64) []byte {
	dst = append(dst, `{"Statement":[{"Resource":`...)
	dst = appendJSONString(dst, url)
	dst = append(dst, `,"Condition":{"DateLessThan":{"AWS:EpochTime":`...)
	dst = strconv.AppendInt(dst, expires, 10)
	return append(dst, `}}}]}`...)
}

// appendCustom appends a custom policy in the aws-sdk-go-v2 layout (its
// Policy/Statement/Condition structs marshalled with HTML escaping off):
// Resource, then Condition with IpAddress, DateGreaterThan, DateLessThan.
func appendCustom(dst []byte, resource, sourceIP string, notBefore, expires int64, hasNotBefore bool) []byte {
	dst = append(dst, `{"Statement":[{"Resource":`...)
	dst = appendJSONString(dst, []byte(resource))
	dst = append(dst, `,"Condition":{`...)
	if sourceIP != "" {
		dst = append(dst, `"IpAddress":{"AWS:SourceIp":`...)
		dst = appendJSONString(dst, []byte(sourceIP))
		dst = append(dst, `},`...)
	}
	if hasNotBefore {
		dst = append(dst, `"DateGreaterThan":{"AWS:EpochTime":`...)
		dst = strconv.AppendInt(dst, notBefore, 10)
		dst = append(dst, `},`...)
	}
	dst = append(dst, `"DateLessThan":{"AWS:EpochTime":`...)
	dst = strconv.AppendInt(dst, expires, 10)
	return append(dst, `}}}]}`...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string exactly as encoding/json's
// Encoder does with SetEscapeHTML(false): '"' and '\\' escaped, the short
// escapes \b \f \n \r \t, other control bytes as \u00XX, invalid UTF-8 as
// \ufffd, U+2028 and U+2029 escaped, everything else (including '&', '<' and
// '>') verbatim. A fuzz test holds it to encoding/json.
func appendJSONString(dst, s []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRune(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
