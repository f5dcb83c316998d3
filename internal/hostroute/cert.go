package hostroute

import "strings"

// CertificateCovers reports whether a certificate subject alternative name
// covers host, with certificate semantics rather than routing semantics:
// "*.example.com" covers exactly one label in the wildcard position
// ("marketing.example.com"), not "example.com" and not "a.b.example.com";
// other names must be equal. Both compare case-insensitively. CloudFront
// uses this rule to decide whether an alternate domain name may be added to
// a distribution with a given certificate (CNAMEs.html, "Alternate domain
// names must be covered by a valid TLS certificate").
//
// host is a DNS name, not a raw Host header: pass it through Normalize
// first. A wildcard alias as host ("*.example.com") is covered by the same
// wildcard on the certificate, because "*" is then the one label.
// Only a whole leftmost "*" label is a wildcard; partial-label forms such
// as "f*.example.com" are treated as plain text and match only themselves.
func CertificateCovers(certName, host string) bool {
	if certName == "" || host == "" {
		return false
	}
	if !strings.HasPrefix(certName, "*.") || len(certName) == 2 {
		return strings.EqualFold(certName, host)
	}
	suffix := certName[1:] // ".example.com"
	if len(host) <= len(suffix) {
		return false
	}
	label := host[:len(host)-len(suffix)]
	return strings.EqualFold(host[len(label):], suffix) && !strings.Contains(label, ".")
}
