package origin

import (
	"fmt"
	"net/url"
	"strings"
)

// Endpoint is an S3-compatible server (versitygw, MinIO, Ceph …) that
// takes the place of AWS's S3 domains for some origins. Immutable.
type Endpoint struct {
	Scheme string // "http" or "https"
	Host   string // host[:port] connected to
	// VirtualHost puts a REST origin's bucket in the Host header
	// (BUCKET.Host) instead of the path (/BUCKET/KEY). Connections still go
	// to Host, so BUCKET.Host need not resolve.
	VirtualHost bool
}

// String is the endpoint as written on the command line.
func (e *Endpoint) String() string {
	if e.VirtualHost {
		return e.Scheme + "://*." + e.Host
	}
	return e.Scheme + "://" + e.Host
}

// ParseEndpoint reads http(s)://HOST[:PORT] (path-style: /BUCKET/KEY) or
// http(s)://*.HOST[:PORT] (virtual-host style: Host BUCKET.HOST[:PORT]).
// The error never repeats a password written into the URL.
func ParseEndpoint(s string) (*Endpoint, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		shown := "(unparsable)"
		if err == nil {
			shown = u.Redacted() // never echo a password given in the URL
		}
		return nil, fmt.Errorf("%s: want http(s)://HOST[:PORT] or http(s)://*.HOST[:PORT], without path, query or user", shown)
	}
	e := &Endpoint{Scheme: u.Scheme, Host: u.Host}
	if rest, ok := strings.CutPrefix(u.Host, "*."); ok {
		if rest == "" || strings.HasPrefix(rest, ":") {
			return nil, fmt.Errorf("%s: want a domain after *.", u.Redacted())
		}
		e.Host, e.VirtualHost = rest, true
	}
	return e, nil
}

// endpointFor is where an S3 domain's requests go: the bucket's own
// endpoint, else the endpoint for its kind, else nil (AWS itself).
func (o *Options) endpointFor(d S3Domain) *Endpoint {
	if d.Kind == NotS3 {
		return nil
	}
	if e := o.S3Buckets[d.Bucket]; e != nil {
		return e
	}
	if d.Kind == S3Website {
		return o.S3WebsiteEndpoint
	}
	return o.S3Endpoint
}

// useEndpoint sends an S3 origin to ep. REST origins go path-style (the
// bucket moves from the host name into the path) or virtual-host style;
// the signature covers the Host sent either way. Website origins keep
// their own domain as Host, from which a website server takes the bucket
// (versitygw --website-domain s3-website-REGION.amazonaws.com). The
// endpoint's scheme replaces the origin protocol policy.
func (c *Origin) useEndpoint(d S3Domain, ep *Endpoint) {
	c.HTTPHost, c.HTTPSHost = ep.Host, ep.Host
	c.Protocol = HTTPSOnly
	if ep.Scheme == "http" {
		c.Protocol = HTTPOnly
	}
	if d.Kind != S3REST {
		return
	}
	if ep.VirtualHost {
		c.HostHeader = d.Bucket + "." + ep.Host
		return
	}
	c.HostHeader = ep.Host
	c.Path = "/" + d.Bucket + c.Path
}
