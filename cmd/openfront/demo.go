package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/template"
	"time"

	"github.com/openfront-edge/openfront/internal/signedurl"
)

// The demo's distributions, as get-distribution-config would print them.
// {{.App}}, {{.Forbid}} and {{.Dead}} are the local origins' host:port.
var demoDistributions = map[string]string{
	"EDEMOSHOP.json": `{
  "ETag": "E2DEMO",
  "DistributionConfig": {
    "CallerReference": "openfront-demo-shop",
    "Comment": "A shop: redirect to HTTPS, an API, HTTPS-only pages, static files, a custom 404 page",
    "Enabled": true,
    "Aliases": {"Quantity": 1, "Items": ["shop.example.com"]},
    "DefaultRootObject": "index.html",
    "Origins": {"Quantity": 1, "Items": [{
      "Id": "app", "DomainName": "{{.AppHost}}", "OriginPath": "",
      "CustomHeaders": {"Quantity": 1, "Items": [{"HeaderName": "X-Origin-Secret", "HeaderValue": "demo"}]},
      "CustomOriginConfig": {"HTTPPort": {{.AppPort}}, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only",
        "OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5,
        "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]}},
      "ConnectionAttempts": 3, "ConnectionTimeout": 10}]},
    "DefaultCacheBehavior": {
      "TargetOriginId": "app", "ViewerProtocolPolicy": "redirect-to-https",
      "AllowedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"], "CachedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"]}},
      "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6", "Compress": true,
      "ResponseHeadersPolicyId": "e61eb60c-9c35-4d20-a928-2b84e02af89c"
    },
    "CacheBehaviors": {"Quantity": 4, "Items": [
      {"PathPattern": "/admin/*", "TargetOriginId": "app", "ViewerProtocolPolicy": "allow-all",
       "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "OriginRequestPolicyId": "b689b0a8-53d0-40ab-baf2-68738e2966ac",
       "FunctionAssociations": {"Quantity": 1, "Items": [
         {"FunctionARN": "arn:aws:cloudfront::123456789012:function/demo-gatekeeper", "EventType": "viewer-request"}]}},
      {"PathPattern": "/api/*", "TargetOriginId": "app", "ViewerProtocolPolicy": "allow-all",
       "AllowedMethods": {"Quantity": 7, "Items": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]},
       "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "OriginRequestPolicyId": "b689b0a8-53d0-40ab-baf2-68738e2966ac"},
      {"PathPattern": "/account/*", "TargetOriginId": "app", "ViewerProtocolPolicy": "https-only",
       "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"},
      {"PathPattern": "static/*", "TargetOriginId": "app", "ViewerProtocolPolicy": "allow-all",
       "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"}, "Headers": {"Quantity": 0}},
       "MinTTL": 0}
    ]},
    "CustomErrorResponses": {"Quantity": 1, "Items": [
      {"ErrorCode": 404, "ResponsePagePath": "/errors/404.html", "ResponseCode": "404", "ErrorCachingMinTTL": 10}]},
    "Logging": {"Enabled": true, "IncludeCookies": false, "Bucket": "demo-logs.s3.amazonaws.com", "Prefix": "shop/"},
    "ViewerCertificate": {"CloudFrontDefaultCertificate": false, "ACMCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/demo",
      "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"},
    "PriceClass": "PriceClass_All", "HttpVersion": "http2", "IsIPV6Enabled": true
  }
}`,
	// A CloudFront Function, as aws cloudfront get-function --name
	// demo-gatekeeper --stage LIVE demo-gatekeeper.js saves it.
	"demo-gatekeeper.js": `import cf from 'cloudfront';
const kvsHandle = cf.kvs();

async function handler(event) {
    var request = event.request;
    try {
        // Old paths the key value store maps to new ones.
        var target = await kvsHandle.get(request.uri);
        return {statusCode: 301, statusDescription: 'Moved Permanently', headers: {location: {value: target}}};
    } catch (e) {
        // not moved
    }
    if (!request.headers['x-api-key']) {
        return {statusCode: 403, statusDescription: 'Forbidden',
                headers: {'content-type': {value: 'text/plain'}}, body: 'X-Api-Key required\n'};
    }
    request.headers['x-gatekeeper'] = {value: 'passed'};
    return request;
}
`,
	// Its describe-function document (the runtime and the key value store)
	// and the store's keys, as aws cloudfront-keyvaluestore list-keys prints
	// them.
	"demo-gatekeeper.json": `{"ETag": "E3DEMOFN", "FunctionSummary": {"Name": "demo-gatekeeper", "Status": "DEPLOYED",
  "FunctionConfig": {"Comment": "API key check and moved pages", "Runtime": "cloudfront-js-2.0",
    "KeyValueStoreAssociations": {"Quantity": 1, "Items": [
      {"KeyValueStoreARN": "arn:aws:cloudfront::123456789012:key-value-store/4a1b2c3d-demo-kvs"}]}},
  "FunctionMetadata": {"FunctionARN": "arn:aws:cloudfront::123456789012:function/demo-gatekeeper", "Stage": "LIVE"}}}`,
	"4a1b2c3d-demo-kvs.kvs.json": `{"Items": [{"Key": "/admin/old-panel", "Value": "/admin/panel"}]}`,
	"EDEMOFORBID.json": `{
  "ETag": "E2DEMO",
  "DistributionConfig": {
    "CallerReference": "openfront-demo-forbidden", "Comment": "An origin that answers 403 itself", "Enabled": true,
    "Aliases": {"Quantity": 1, "Items": ["forbidden.example.com"]},
    "Origins": {"Quantity": 1, "Items": [{"Id": "locked", "DomainName": "{{.ForbidHost}}",
      "CustomOriginConfig": {"HTTPPort": {{.ForbidPort}}, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
    "DefaultCacheBehavior": {"TargetOriginId": "locked", "ViewerProtocolPolicy": "allow-all",
      "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"}
  }
}`,
	"EDEMODEAD.json": `{
  "ETag": "E2DEMO",
  "DistributionConfig": {
    "CallerReference": "openfront-demo-dead", "Comment": "An origin nobody listens on", "Enabled": true,
    "Aliases": {"Quantity": 1, "Items": ["dead.example.com"]},
    "Origins": {"Quantity": 1, "Items": [{"Id": "gone", "DomainName": "{{.DeadHost}}", "ConnectionAttempts": 1, "ConnectionTimeout": 1,
      "CustomOriginConfig": {"HTTPPort": {{.DeadPort}}, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
    "DefaultCacheBehavior": {"TargetOriginId": "gone", "ViewerProtocolPolicy": "allow-all",
      "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"}
  }
}`,
	"EDEMOGEO.json": `{
  "ETag": "E2DEMO",
  "DistributionConfig": {
    "CallerReference": "openfront-demo-geo", "Comment": "Blocks viewers from GB (demo trusts X-Forwarded-For from loopback)", "Enabled": true,
    "Aliases": {"Quantity": 1, "Items": ["geo.example.com"]},
    "Restrictions": {"GeoRestriction": {"RestrictionType": "blacklist", "Quantity": 1, "Items": ["GB"]}},
    "Origins": {"Quantity": 1, "Items": [{"Id": "app", "DomainName": "{{.AppHost}}",
      "CustomOriginConfig": {"HTTPPort": {{.AppPort}}, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
    "DefaultCacheBehavior": {"TargetOriginId": "app", "ViewerProtocolPolicy": "allow-all",
      "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "OriginRequestPolicyId": "33f36d7e-f396-46d9-90e0-52428a34d9dc"}
  }
}`,
	"EDEMOSIGNED.json": `{
  "ETag": "E2DEMO",
  "DistributionConfig": {
    "CallerReference": "openfront-demo-signed", "Comment": "Private files behind signed URLs and cookies", "Enabled": true,
    "Aliases": {"Quantity": 1, "Items": ["private.example.com"]},
    "Origins": {"Quantity": 1, "Items": [{"Id": "app", "DomainName": "{{.AppHost}}",
      "CustomOriginConfig": {"HTTPPort": {{.AppPort}}, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
    "DefaultCacheBehavior": {"TargetOriginId": "app", "ViewerProtocolPolicy": "allow-all",
      "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"},
    "CacheBehaviors": {"Quantity": 1, "Items": [
      {"PathPattern": "/api/*", "TargetOriginId": "app", "ViewerProtocolPolicy": "allow-all",
       "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "OriginRequestPolicyId": "b689b0a8-53d0-40ab-baf2-68738e2966ac",
       "TrustedKeyGroups": {"Enabled": true, "Quantity": 1, "Items": ["demo-key-group"]}}]}
  }
}`,
	"demo-key-group.json": `{"ETag": "E2DEMO", "KeyGroup": {"Id": "demo-key-group", "LastModifiedTime": "2026-01-01T00:00:00Z",
  "KeyGroupConfig": {"Name": "demo", "Items": ["{{.KeyID}}"], "Comment": "the demo's signing key"}}}`,
	"demo-public-key.json": `{"ETag": "E2DEMO", "PublicKey": {"Id": "{{.KeyID}}", "CreatedTime": "2026-01-01T00:00:00Z",
  "PublicKeyConfig": {"CallerReference": "demo", "Name": "demo", "EncodedKey": {{.PublicKeyJSON}}}}}`,
	"EDEMOWAF.json": `{
  "ETag": "E2DEMO",
  "DistributionConfig": {
    "CallerReference": "openfront-demo-waf", "Comment": "Protected by an AWS WAF web ACL", "Enabled": true,
    "Aliases": {"Quantity": 1, "Items": ["waf.example.com"]},
    "WebACLId": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/demo-acl/d3m0",
    "Origins": {"Quantity": 1, "Items": [{"Id": "app", "DomainName": "{{.AppHost}}",
      "CustomOriginConfig": {"HTTPPort": {{.AppPort}}, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
    "DefaultCacheBehavior": {"TargetOriginId": "app", "ViewerProtocolPolicy": "allow-all",
      "AllowedMethods": {"Quantity": 7, "Items": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]},
      "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "OriginRequestPolicyId": "b689b0a8-53d0-40ab-baf2-68738e2966ac"}
  }
}`,
	"demo-web-acl.json": `{"WebACL": {"Name": "demo-acl", "Id": "d3m0", "ARN": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/demo-acl/d3m0",
  "DefaultAction": {"Allow": {}}, "Capacity": 40, "Description": "openfront demo",
  "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "demo-acl"},
  "CustomResponseBodies": {"slow-down": {"ContentType": "TEXT_PLAIN", "Content": "Too many requests: slow down.\n"}},
  "Rules": [
    {"Name": "blocked-ips", "Priority": 0, "Action": {"Block": {}},
     "Statement": {"IPSetReferenceStatement": {"ARN": "arn:aws:wafv2:us-east-1:123456789012:global/ipset/demo-blocked/b10c"}},
     "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "blocked-ips"}},
    {"Name": "bad-bots", "Priority": 1, "Action": {"Block": {}},
     "Statement": {"ByteMatchStatement": {"SearchString": "YmFkYm90", "FieldToMatch": {"SingleHeader": {"Name": "user-agent"}},
       "TextTransformations": [{"Priority": 0, "Type": "LOWERCASE"}], "PositionalConstraint": "CONTAINS"}},
     "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "bad-bots"}},
    {"Name": "api-rate-limit", "Priority": 2,
     "Action": {"Block": {"CustomResponse": {"ResponseCode": 429, "CustomResponseBodyKey": "slow-down"}}},
     "Statement": {"RateBasedStatement": {"Limit": 10, "EvaluationWindowSec": 60, "AggregateKeyType": "IP",
       "ScopeDownStatement": {"ByteMatchStatement": {"SearchString": "L2FwaS8=", "FieldToMatch": {"UriPath": {}},
         "TextTransformations": [{"Priority": 0, "Type": "NONE"}], "PositionalConstraint": "STARTS_WITH"}}}},
     "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "api-rate-limit"}},
    {"Name": "sqli-query", "Priority": 3, "Action": {"Block": {}},
     "Statement": {"SqliMatchStatement": {"FieldToMatch": {"AllQueryArguments": {}},
       "TextTransformations": [{"Priority": 0, "Type": "URL_DECODE"}, {"Priority": 1, "Type": "HTML_ENTITY_DECODE"}]}},
     "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "sqli-query"}},
    {"Name": "AWS-AWSManagedRulesCommonRuleSet", "Priority": 4, "OverrideAction": {"None": {}},
     "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet",
       "ExcludedRules": [{"Name": "UserAgent_BadBots_HEADER"}]}},
     "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "AWS-AWSManagedRulesCommonRuleSet"}},
    {"Name": "tls-fingerprint", "Priority": 5, "Action": {"Block": {}},
     "Statement": {"AndStatement": {"Statements": [
       {"ByteMatchStatement": {"SearchString": "L2FwaS90bHMv", "FieldToMatch": {"UriPath": {}},
         "TextTransformations": [{"Priority": 0, "Type": "NONE"}], "PositionalConstraint": "STARTS_WITH"}},
       {"NotStatement": {"Statement": {"RegexMatchStatement": {"RegexString": "^t1[23]",
         "FieldToMatch": {"JA4Fingerprint": {"FallbackBehavior": "NO_MATCH"}},
         "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}}}}]}},
     "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "tls-fingerprint"}}
  ]}, "LockToken": "demo"}`,
	"demo-ip-set.json": `{"IPSet": {"Name": "demo-blocked", "Id": "b10c", "ARN": "arn:aws:wafv2:us-east-1:123456789012:global/ipset/demo-blocked/b10c",
  "Description": "", "IPAddressVersion": "IPV4", "Addresses": ["198.51.100.0/24"]}, "LockToken": "demo"}`,
	"EDEMOOFF.json": `{
  "ETag": "E2DEMO",
  "DistributionConfig": {
    "CallerReference": "openfront-demo-off", "Comment": "A disabled distribution", "Enabled": false,
    "Aliases": {"Quantity": 1, "Items": ["off.example.com"]},
    "Origins": {"Quantity": 1, "Items": [{"Id": "app", "DomainName": "{{.AppHost}}",
      "CustomOriginConfig": {"HTTPPort": {{.AppPort}}, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
    "DefaultCacheBehavior": {"TargetOriginId": "app", "ViewerProtocolPolicy": "allow-all",
      "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"}
  }
}`,
}

func cmdDemo(args []string) error {
	var s settings
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: openfront demo [flags]\n\n"+
			"Starts an edge with built-in distributions in front of local origins, prints a curl line\n"+
			"for each situation, and runs until Ctrl-C. Nothing to set up.\n\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&s.http, "http", "127.0.0.1:8080", "HTTP listener address")
	fs.StringVar(&s.https, "https", "127.0.0.1:8443", "HTTPS listener address")
	fs.StringVar(&s.admin, "admin", "127.0.0.1:9901", "admin listener address")
	s.cacheSize = 256 << 20
	fs.Var(&s.cacheSize, "cache-size", "memory for cached objects (0 caches nothing)")
	work := fs.String("dir", "", "folder for the demo's config, logs and CA (default: a new temporary folder)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	dir := *work
	if dir == "" {
		d, err := os.MkdirTemp("", "openfront-demo-")
		if err != nil {
			return err
		}
		dir = d
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	origins, err := startDemoOrigins(ctx)
	if err != nil {
		return err
	}
	if err := demoKey(origins); err != nil {
		return err
	}
	cfg := filepath.Join(dir, "config")
	if err := writeDemoConfig(cfg, origins); err != nil {
		return err
	}
	s3, err := startDemoS3(dir)
	if err != nil {
		return err
	}
	defer s3.stop()
	if s3 != nil {
		if err := writeDemoS3Config(cfg); err != nil {
			return err
		}
		if err := useDemoS3(&s, s3); err != nil {
			return err
		}
	}
	s.configs = listFlag{cfg}
	s.logDir, s.logFormat, s.pop, s.domain = filepath.Join(dir, "logs"), "w3c", "DEMO1-P1", "cloudfront.localhost"
	s.selfSigned, s.stateDir, s.drain = true, filepath.Join(dir, "state"), 5*time.Second
	// The demo trusts loopback as a proxy, so X-Forwarded-For can pick a
	// country for the geo scenario.
	s.trustedProxies, s.logDirSet = listFlag{"127.0.0.0/8", "::1/128"}, true
	s.wafLogDir, s.wafAllowRate = filepath.Join(dir, "waf-logs"), 1
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	e, err := start(ctx, &s, logger)
	if err != nil {
		return err
	}
	printDemo(os.Stdout, e, dir, origins, s3)
	<-ctx.Done()
	return e.shutdown()
}

type demoOrigins struct {
	AppHost, ForbidHost, DeadHost string
	AppPort, ForbidPort, DeadPort string
	// The demo's signing key: its id and public key (a JSON string).
	KeyID, PublicKeyJSON string
	key                  *rsa.PrivateKey
}

const demoKeyID = "K2DEMOKEYPAIR1"

// demoKey creates the demo's RSA-2048 signing key pair.
func demoKey(o *demoOrigins) error {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return err
	}
	pub, _ := json.Marshal(string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})))
	o.KeyID, o.PublicKeyJSON, o.key = demoKeyID, string(pub), k
	return nil
}

// startDemoOrigins starts the local origins: an application, one that
// answers 403 itself, and the address of one that is not listening.
func startDemoOrigins(ctx context.Context) (*demoOrigins, error) {
	app, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	forbid, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	dead.Close() // nothing listens here any more: connections are refused
	go http.Serve(app, http.HandlerFunc(demoApp))
	go http.Serve(forbid, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "demo-origin")
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintln(w, "403 Forbidden: this origin refuses requests without its secret header")
	}))
	context.AfterFunc(ctx, func() { app.Close(); forbid.Close() })
	o := &demoOrigins{}
	o.AppHost, o.AppPort, _ = net.SplitHostPort(app.Addr().String())
	o.ForbidHost, o.ForbidPort, _ = net.SplitHostPort(forbid.Addr().String())
	o.DeadHost, o.DeadPort, _ = net.SplitHostPort(dead.Addr().String())
	return o, nil
}

// demoApp is the demo's application origin: pages, static files, an API
// that echoes what it received (so the forwarded headers can be seen).
func demoApp(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Server", "demo-origin")
	switch {
	case r.URL.Path == "/api/ws" && strings.EqualFold(r.Header.Get("Upgrade"), "websocket"):
		demoWebSocket(w, r)
	case r.URL.Path == "/index.html":
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintln(w, "<h1>openfront demo shop</h1>")
	case r.URL.Path == "/styles.css":
		w.Header().Set("Content-Type", "text/css")
		w.Header().Set("ETag", `"demo-styles-1"`)
		w.Header().Set("Content-Length", strconv.Itoa(len(demoStyles)))
		io.WriteString(w, demoStyles)
	case r.URL.Path == "/errors/404.html":
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintln(w, "<h1>Not here</h1><p>The shop's own 404 page, served by a CustomErrorResponse.</p>")
	case strings.HasPrefix(r.URL.Path, "/static/"):
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprintln(w, "console.log('static file');")
	case strings.HasPrefix(r.URL.Path, "/api/"), strings.HasPrefix(r.URL.Path, "/account/"), strings.HasPrefix(r.URL.Path, "/admin/"):
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "%s %s\nHost: %s\n", r.Method, r.URL.RequestURI(), r.Host)
		keys := make([]string, 0, len(r.Header))
		for k := range r.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "%s: %s\n", k, strings.Join(r.Header[k], ", "))
		}
	default:
		http.NotFound(w, r)
	}
}

// demoStyles is a stylesheet big enough for CloudFront to compress.
var demoStyles = strings.Repeat(".shop { font-family: sans-serif; margin: 0 auto; max-width: 60em; }\n", 48)

// demoWebSocket completes a WebSocket handshake (RFC 6455 §4.2.2), sends
// one text frame and closes: enough for curl to show the 101 and for a
// WebSocket client to read a message through the edge.
func demoWebSocket(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Sec-Websocket-Key")
	if key == "" {
		http.Error(w, "a WebSocket handshake needs Sec-WebSocket-Key: the behavior must forward it", http.StatusBadRequest)
		return
	}
	c, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer c.Close()
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	msg := "hello from the demo origin, over the WebSocket"
	fmt.Fprintf(brw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Accept: %s\r\nServer: demo-origin\r\n\r\n", base64.StdEncoding.EncodeToString(sum[:]))
	brw.Write([]byte{0x81, byte(len(msg))}) // FIN, text; unmasked from a server
	brw.WriteString(msg)
	brw.Write([]byte{0x88, 0x00}) // close
	brw.Flush()
}

// demoSignedLines are the signed-URL scenarios, with URLs signed now.
func demoSignedLines(httpAddr string, o *demoOrigins) [][2]string {
	base := "http://private.example.com/api/report?year=2026"
	sign := func(u string, exp time.Time) string {
		out, err := signedurl.SignURL(u, o.KeyID, o.key, signedurl.Policy{DateLessThan: exp, Canned: true}, crypto.SHA1)
		if err != nil {
			return "(signing failed: " + err.Error() + ")"
		}
		return out
	}
	curl := func(u, extra string) string {
		path := strings.TrimPrefix(u, "http://private.example.com")
		return fmt.Sprintf("curl -i %s-H 'Host: private.example.com' 'http://%s%s'", extra, httpAddr, path)
	}
	valid := sign(base, time.Now().Add(24*time.Hour))
	expired := sign(base, time.Now().Add(-time.Hour))
	tampered := strings.Replace(valid, "year=2026", "year=2027", 1)
	cookies, err := signedurl.SignCookies("http://private.example.com/api/*", o.KeyID, o.key,
		signedurl.Policy{DateLessThan: time.Now().Add(24 * time.Hour)}, crypto.SHA256)
	var jar []string
	if err == nil {
		for _, c := range cookies {
			jar = append(jar, c.Name+"="+c.Value)
		}
	}
	return [][2]string{
		{"A signed behavior without a signature: 403 MissingKey (XML)", curl(base, "")},
		{"A valid signed URL (canned policy, RSA, SHA-1): 200; the origin never sees the signing parameters", curl(valid, "")},
		{"An expired signed URL: 403 AccessDenied", curl(expired, "")},
		{"A tampered signed URL (query changed after signing): 403 AccessDenied", curl(tampered, "")},
		{"Valid signed cookies (custom policy, SHA-256)", curl("http://private.example.com/api/any/file.txt", "-H 'Cookie: "+strings.Join(jar, "; ")+"' ")},
	}
}

func writeDemoConfig(dir string, o *demoOrigins) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	kb := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(o.key)})
	if err := os.WriteFile(filepath.Join(filepath.Dir(dir), "demo-private-key.pem"), kb, 0o600); err != nil {
		return err
	}
	for name, text := range demoDistributions {
		t := template.Must(template.New(name).Parse(text))
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		err = t.Execute(f, o)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func printDemo(w *os.File, e *running, dir string, o *demoOrigins, s3 *demoS3) {
	httpAddr, httpsAddr, admin := e.addrs["http"], e.addrs["https"], e.addrs["admin"]
	_, hp, _ := net.SplitHostPort(httpsAddr)
	ca := e.ca.CertPEM
	plain := func(host, path string, extra string) string {
		return fmt.Sprintf("curl -i %s-H 'Host: %s' http://%s%s", extra, host, httpAddr, path)
	}
	secure := func(host, path string, extra string) string {
		return fmt.Sprintf("curl -i %s--cacert %s --resolve %s:%s:127.0.0.1 https://%s:%s%s", extra, ca, host, hp, host, hp, path)
	}
	fmt.Fprintf(w, "openfront demo: an edge on http://%s and https://%s, with %d distributions in %s\n\n", httpAddr, httpsAddr, len(e.current.set.Distributions), filepath.Join(dir, "config"))
	lines := [][2]string{
		{"Served over HTTPS (DefaultRootObject index.html, X-Cache: Miss, the origin's own Server header)", secure("shop.example.com", "/", "")},
		{"HTTP to a redirect-to-https behavior: 301 Redirect from cloudfront", plain("shop.example.com", "/", "")},
		{"POST over HTTP to the same behavior: 307, method and body kept", plain("shop.example.com", "/index.html", "-X POST -d x=1 ")},
		{"What the origin receives (Host, X-Forwarded-For, Via, X-Amz-Cf-Id, the custom origin header)", plain("shop.example.com", "/api/echo?q=1", "")},
		{"HTTP to an https-only behavior: 403 'Bad request.'", plain("shop.example.com", "/account/orders", "")},
		{"A method the behavior does not allow: 403, the 1053-byte 'cachable requests' page", secure("shop.example.com", "/static/app.js", "-X DELETE ")},
		{"A GET with a body: 403", secure("shop.example.com", "/static/app.js", "-X GET -d body ")},
		{"An origin 404 replaced by the CustomErrorResponse page", secure("shop.example.com", "/missing", "")},
		{"CachingOptimized keeps the origin's answer: run it twice, the second is X-Cache: Hit from cloudfront, with Age (invalidate: curl -X POST 'http://" +
			admin + "/invalidate?distribution=EDEMOSHOP&path=/*'): 200", secure("shop.example.com", "/index.html", "-s -o /dev/null -D - ")},
		{"Response headers policy (the managed CORS-and-SecurityHeadersPolicy): a CORS request gets Access-Control-Allow-Origin: * and HSTS, X-Frame-Options, …: 200",
			secure("shop.example.com", "/index.html", "-H 'Origin: https://app.example.net' ")},
		{"A CloudFront Function (viewer request, demo-gatekeeper.js) answers itself without an X-Api-Key: FunctionGeneratedResponse: 403",
			plain("shop.example.com", "/admin/panel", "")},
		{"With the key the function lets the request through, adding X-Gatekeeper for the origin: 200",
			plain("shop.example.com", "/admin/panel", "-H 'X-Api-Key: demo' ")},
		{"The function's CloudFront KeyValueStore (4a1b2c3d-demo-kvs.kvs.json) moves /admin/old-panel: 301",
			plain("shop.example.com", "/admin/old-panel", "")},
		{"Compress: the origin's 3 KB stylesheet comes Brotli-compressed (Content-Encoding: br, its ETag made weak; curl decodes it): 200",
			secure("shop.example.com", "/styles.css", "--compressed ")},
		{"A Host no distribution has: 403 'Bad request.', logged to _unrouted", plain("nobody.example.com", "/", "")},
		{"A disabled distribution: 403 'Bad request.'", plain("off.example.com", "/", "")},
		{"An origin that answers 403 itself: its own Server header, not CloudFront", plain("forbidden.example.com", "/", "")},
		{"A dead origin: 502 OriginConnectError", plain("dead.example.com", "/", "")},
		{"The default domain of a distribution", plain("edemoshop.cloudfront.localhost", "/api/hello", "")},
		{"A WebSocket through /api/* (its policy forwards Sec-WebSocket-Key and -Version): 101, then the origin's message",
			plain("shop.example.com", "/api/ws", "-N -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' ")},
		{"A viewer in GB (via X-Forwarded-For from the demo's trusted proxy): 403 geo page, ClientGeoBlocked", plain("geo.example.com", "/", "-H 'X-Forwarded-For: 81.2.69.160' ")},
		{"A viewer in the US: served, and the origin gets CloudFront-Viewer-Country", plain("geo.example.com", "/api/where", "-H 'X-Forwarded-For: 8.8.8.8' ")},
	}
	lines = append(lines, demoSignedLines(httpAddr, o)...)
	lines = append(lines, [][2]string{
		{"AWS WAF: an address in the web ACL's IP set (via the demo's trusted X-Forwarded-For): 403 'Request blocked.'", plain("waf.example.com", "/", "-H 'X-Forwarded-For: 198.51.100.7' ")},
		{"AWS WAF: a User-Agent byte match (after LOWERCASE): 403", plain("waf.example.com", "/", "-H 'User-Agent: BadBot/2.0' ")},
		{"AWS WAF: SQL injection in the query (after URL_DECODE): 403", plain("waf.example.com", "/api/items?id=1%27%20OR%20%271%27%3D%271", "")},
		{"AWS WAF: the common rule set (OWASP CRS run by Coraza) catches cross-site scripting: 403", plain("waf.example.com", "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "")},
		{"AWS WAF: a scanner's User-Agent only counts, UserAgent_BadBots_HEADER being in the common rule set's ExcludedRules (its WAF log record lists it in excludedRules): 200",
			plain("waf.example.com", "/api/hello", "-H 'User-Agent: Nikto' ")},
		{"AWS WAF: a JA4 fingerprint rule wants TLS 1.2 or 1.3 under /api/tls/; plain HTTP has no fingerprint (FallbackBehavior NO_MATCH): 403",
			plain("waf.example.com", "/api/tls/check", "")},
		{"AWS WAF: the same over HTTPS: served, its WAF log record carrying ja3Fingerprint and ja4Fingerprint: 200",
			secure("waf.example.com", "/api/tls/check", "")},
		{"AWS WAF: the rate-based rule (over 10 per minute per IP on /api/) answers 429 with its custom body",
			"for i in $(seq 11); do " + plain("waf.example.com", "/api/items", "-s -o /dev/null -w '%{http_code} ' ") + "; done; echo"},
	}...)
	lines = append(lines, demoS3Lines(httpAddr, s3)...)
	for _, l := range lines {
		fmt.Fprintf(w, "# %s\n%s\n\n", l[0], l[1])
	}
	if s3 == nil {
		fmt.Fprintf(w, "S3 origins with origin access control: install versitygw (%s) and run the demo again\n", demoS3Install)
	} else {
		fmt.Fprintf(w, "S3 (versitygw, root key %s, bucket %s): %s, its website endpoint %s, data in %s\n", s3.creds.AccessKeyID, demoBucket, s3.Endpoint, s3.Website, filepath.Join(dir, "s3"))
		fmt.Fprintf(w, "Why an S3 URL is refused, asking the bucket too: openfront doctor url --config %s --s3-endpoint %s --s3-website-endpoint %s 'http://%s/private/report.txt' --resolve %s\n",
			filepath.Join(dir, "config"), s3.Endpoint, s3.Website, demoS3NoOACHost, demoS3NoOACHost+":80:"+httpAddr)
	}
	fmt.Fprintf(w, "Sign your own: openfront sign url http://private.example.com/api/x --key-pair-id %s --private-key %s --expires 1h\n", demoKeyID, filepath.Join(dir, "demo-private-key.pem"))
	fmt.Fprintf(w, "Access logs (CloudFront's format, gzip, flushed every second): %s\n", filepath.Join(dir, "logs"))
	fmt.Fprintf(w, "  zcat %s/shop/EDEMOSHOP.*.gz %s/_unrouted.*.gz\n", filepath.Join(dir, "logs"), filepath.Join(dir, "logs"))
	fmt.Fprintf(w, "AWS WAF log records (naming the rule): zcat %s/*.gz\n", filepath.Join(dir, "waf-logs"))
	fmt.Fprintf(w, "Why each 403 happened: openfront doctor logs --config %s --waf-logs %s %s\n", filepath.Join(dir, "config"), filepath.Join(dir, "waf-logs"), filepath.Join(dir, "logs"))
	fmt.Fprintf(w, "Empty the cache as CloudFront's API does: aws cloudfront create-invalidation --endpoint-url http://%s --distribution-id EDEMOSHOP --paths '/*'\n", admin)
	fmt.Fprintf(w, "Status and metrics: curl http://%s/status   curl http://%s/metrics\n", admin, admin)
	fmt.Fprintf(w, "Press Ctrl-C to stop.\n")
}
