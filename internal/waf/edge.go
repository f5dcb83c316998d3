package waf

// BodyLimit is how many bytes of a request body the web ACL inspects
// (16 KB for CloudFront unless AssociationConfig raises it); the edge reads
// at most this much before evaluating and streams the rest.
func (a *ACL) BodyLimit() int { return a.bodyLimit }
