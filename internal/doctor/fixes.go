package doctor

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	"github.com/openfront-edge/openfront/internal/behavior"
	"github.com/openfront-edge/openfront/internal/cause"
	"github.com/openfront-edge/openfront/internal/origin"
)

// Fix is the exact change that removes a cause: what to change, where in
// the user's own configuration (file and JSON path), and the AWS CLI
// commands or bucket policy statement that make the change on AWS.
type Fix struct {
	Summary  string `json:"summary"`
	File     string `json:"file,omitempty"`
	JSONPath string `json:"json_path,omitempty"`
	// Value is the new value for JSONPath, as JSON, when one value fixes it.
	Value           string   `json:"value,omitempty"`
	Commands        []string `json:"commands,omitempty"`
	PolicyStatement string   `json:"policy_statement,omitempty"`
	// PolicyFor names the policy the statement goes in.
	PolicyFor string   `json:"policy_for,omitempty"`
	Notes     []string `json:"notes,omitempty"`
}

// fixContext is what a fix may name.
type fixContext struct {
	dist    *Dist
	beh     *Behavior
	method  string // most frequent method
	host    string // most frequent Host
	country string // most frequent country
	keyID   string
	wafRule string // the rule of a waf-block detail, without its type
	wafType string // the type of a waf-block detail: REGULAR, RATE_BASED, GROUP, MANAGED_RULE_GROUP
}

func (x *fixContext) id() string {
	if x.dist != nil {
		return x.dist.ID
	}
	return "DISTRIBUTION_ID"
}

func (x *fixContext) account() string {
	if x.dist != nil && x.dist.AccountID() != "" {
		return x.dist.AccountID()
	}
	return "ACCOUNT_ID"
}

// updateCommands are the three steps of any distribution change: fetch the
// config and its ETag, edit, send it back.
func (x *fixContext) updateCommands(edit string) []string {
	id := x.id()
	return []string{
		fmt.Sprintf("aws cloudfront get-distribution-config --id %s --query DistributionConfig > %s.json", id, id),
		fmt.Sprintf("ETAG=$(aws cloudfront get-distribution-config --id %s --query ETag --output text)", id),
		"# edit " + edit + " in " + id + ".json",
		fmt.Sprintf("aws cloudfront update-distribution --id %s --if-match \"$ETAG\" --distribution-config file://%s.json", id, id),
	}
}

// at sets the fix's location; path is relative to the DistributionConfig
// (".Aliases.Items") or a behavior or origin path.
func (x *fixContext) at(f *Fix, path string) {
	if x.dist != nil {
		f.File = x.dist.File
	}
	f.JSONPath = path
}

func (x *fixContext) distPath(rel string) string {
	if x.dist != nil {
		return x.dist.Path + rel
	}
	return "DistributionConfig" + rel
}

func (x *fixContext) behPath(rel string) string {
	if x.beh != nil {
		return x.beh.Path + rel
	}
	return x.distPath(".DefaultCacheBehavior" + rel)
}

func (x *fixContext) origin() *Origin {
	if x.beh != nil {
		return x.beh.Origin
	}
	return nil
}

func (x *fixContext) bucket() string {
	if o := x.origin(); o != nil && o.S3.Bucket != "" {
		return o.S3.Bucket
	}
	return "BUCKET"
}

// cliPath strips the document prefix: the CLI commands edit the bare
// DistributionConfig that get-distribution-config --query prints.
func cliPath(p string) string {
	for _, pre := range []string{"Distribution.DistributionConfig.", "DistributionConfig."} {
		if s, ok := strings.CutPrefix(p, pre); ok {
			return s
		}
	}
	return p
}

// OACStatement is the bucket policy statement that lets a distribution's
// origin access control read a bucket (spec §8.2 #8).
func OACStatement(bucket, account, distID string) string {
	return fmt.Sprintf(`{"Sid":"AllowCloudFrontServicePrincipal","Effect":"Allow","Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*","Condition":{"StringEquals":{"AWS:SourceArn":"arn:aws:cloudfront::%s:distribution/%s"}}}`, bucket, account, distID)
}

// listStatement lets the distribution list the bucket, so S3 answers 404
// instead of 403 for a missing key (spec §8.2 #5).
func listStatement(bucket, account, distID string) string {
	return fmt.Sprintf(`{"Sid":"AllowCloudFrontListBucket","Effect":"Allow","Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::%s","Condition":{"StringEquals":{"AWS:SourceArn":"arn:aws:cloudfront::%s:distribution/%s"}}}`, bucket, account, distID)
}

func oaiStatement(bucket, oai string) string {
	id := strings.TrimPrefix(oai, "origin-access-identity/cloudfront/")
	return fmt.Sprintf(`{"Sid":"AllowCloudFrontOAI","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity %s"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}`, id, bucket)
}

func putPolicy(bucket string) string {
	return fmt.Sprintf("aws s3api get-bucket-policy --bucket %s --query Policy --output text > policy.json   # add the statement to Statement, then:\naws s3api put-bucket-policy --bucket %s --policy file://policy.json", bucket, bucket)
}

// fixFor returns the fix of a cause and detail.
func fixFor(c cause.Cause, detail string, x *fixContext) Fix {
	var f Fix
	switch c {
	case cause.AliasNotConfigured:
		host := orPlaceholder(x.host, "HOST")
		f.Summary = fmt.Sprintf("add %s to the Aliases of the distribution that should serve it, with a certificate that covers it", host)
		x.at(&f, x.distPath(".Aliases.Items"))
		f.Value = fmt.Sprintf("[…, %q]", host)
		f.Commands = x.updateCommands("Aliases.Items (add the name, raise Aliases.Quantity) and ViewerCertificate")
		f.Notes = []string{"CloudFront routes a Host only to a distribution that lists it; DNS pointing at CloudFront is not enough (spec §3)"}
	case cause.DistributionDisabled:
		f.Summary = "enable the distribution"
		x.at(&f, x.distPath(".Enabled"))
		f.Value = "true"
		f.Commands = x.updateCommands("Enabled to true")
	case cause.ViewerProtocolHTTPSOnly:
		if detail == cause.DetailRedirectBelowHTTP11 {
			f.Summary = "use HTTPS, or HTTP/1.1 or later (redirect-to-https answers 307 to them); clients on HTTP/1.0 cannot be redirected with their method"
		} else {
			f.Summary = "let HTTP viewers be redirected instead of refused, or have them use https://"
		}
		x.at(&f, x.behPath(".ViewerProtocolPolicy"))
		f.Value = `"redirect-to-https"`
		f.Commands = x.updateCommands(cliPath(f.JSONPath) + " to redirect-to-https")
	case cause.MethodNotAllowed:
		m := orPlaceholder(x.method, detail)
		set := `["GET","HEAD","OPTIONS","PUT","POST","PATCH","DELETE"]`
		if m == "OPTIONS" {
			set = `["GET","HEAD","OPTIONS"]`
		}
		f.Summary = fmt.Sprintf("allow %s on the cache behavior (CloudFront accepts only three sets of methods)", orPlaceholder(m, "the method"))
		x.at(&f, x.behPath(".AllowedMethods.Items"))
		f.Value = set
		f.Commands = x.updateCommands(cliPath(f.JSONPath) + " to " + set + " (and Quantity)")
		if x.beh != nil && x.beh.Methods == behavior.MethodsAll {
			f.Notes = append(f.Notes, "the behavior already allows every method CloudFront knows: this method can never pass")
		}
	case cause.GeoRestriction:
		country := orPlaceholder(x.country, "COUNTRY")
		if x.dist != nil && x.dist.Geo.Type == types.GeoRestrictionTypeBlacklist {
			if listed := x.dist.Geo.Countries; x.country == "" && len(listed) == 1 {
				country = listed[0] // the viewers' country can only be that one
			} else if x.country == "" && len(listed) > 1 {
				country = "the viewers' country (one of " + strings.Join(listed, ", ") + ")"
			}
			f.Summary = fmt.Sprintf("remove %s from the block list, if those viewers should be served", country)
		} else {
			f.Summary = fmt.Sprintf("add %s to the allow list, if those viewers should be served", country)
		}
		x.at(&f, x.distPath(".Restrictions.GeoRestriction.Items"))
		f.Commands = x.updateCommands("Restrictions.GeoRestriction.Items and Quantity")
		f.Notes = []string{"the restriction covers the whole distribution; CloudFront serves viewers whose country it cannot determine"}
	case cause.WAFBlock:
		rule := orPlaceholder(x.wafRule, "RULE")
		name, id := "WEB_ACL_NAME", "WEB_ACL_ID"
		if x.dist != nil {
			if n, i, ok := webACLNameID(x.dist.WebACLID); ok {
				name, id = n, i
			}
		}
		f.Summary = fmt.Sprintf("if the blocked requests are legitimate, override rule %s to Count (or add a scope-down statement that excludes them) in the web ACL", rule)
		if x.dist != nil && x.dist.WebACLID != "" {
			f.JSONPath = x.distPath(".WebACLId")
			f.File = x.dist.File
			f.Notes = append(f.Notes, "web ACL: "+x.dist.WebACLID)
		}
		f.Commands = []string{
			"aws wafv2 get-web-acl --scope CLOUDFRONT --region us-east-1 --name " + name + " --id " + id + " > acl.json",
			wafCountCommand(x.wafType, rule),
			"aws wafv2 update-web-acl --scope CLOUDFRONT --region us-east-1 --name " + name + " --id " + id + " --lock-token LOCK_TOKEN --default-action … --rules file://rules.json --visibility-config …",
		}
	case cause.SignedURL, cause.SignedCookie:
		f = signedFix(c, detail, x)
	case cause.S3Origin:
		f = s3Fix(detail, x)
	case cause.CustomOrigin:
		o := x.origin()
		dom := "ORIGIN"
		if o != nil {
			dom = o.Domain
		}
		f.Summary = "the origin itself refused: reproduce against it directly and fix its access rule (a secret-header check, an origin WAF, an ALB listener rule)"
		if o != nil {
			x.at(&f, o.Path+".CustomHeaders")
		}
		f.Commands = []string{fmt.Sprintf("curl -sS -o /dev/null -w '%%{http_code}\\n' %s/PATH -H 'Host: %s'", originBase(o, dom), dom)}
		f.Notes = []string{"CloudFront sends the origin's domain as Host unless Host is forwarded, plus the origin's CustomHeaders"}
	case cause.CustomErrorResponse:
		f.Summary = "a custom error response hides the real 403: limit it (map only 404 for an SPA), or remove it while you diagnose, then run the doctor again"
		if x.dist != nil {
			if er := x.dist.ErrorResponses[403]; er != nil {
				x.at(&f, er.Path)
			}
		}
		if f.JSONPath == "" {
			f.JSONPath = x.distPath(".CustomErrorResponses.Items")
		}
		f.Commands = x.updateCommands("CustomErrorResponses: drop the ErrorCode 403 item")
	case cause.GetWithBody:
		f.Summary = "send GET without a body (CloudFront refuses a GET with a body with 403); to send data use POST on a behavior that allows it"
	case cause.InvalidRequest:
		switch detail {
		case cause.DetailURLTooLong:
			f.Summary = "shorten the URL to 8,192 bytes or less"
		case cause.DetailHeadersTooLarge:
			f.Summary = "keep the request line and headers (cookies included) within 20,480 bytes"
		default:
			f.Summary = "send a normalized path: no \".\" or \"..\" segments and no NUL bytes"
		}
	default:
		f.Summary = "not enough evidence: give --config (the distribution), --waf-logs (the web ACL's logs), turn on cookie logging, or reproduce with `openfront doctor url URL`"
		if detail == cause.DetailEdgeFunction {
			f.Summary = "a CloudFront Function or Lambda@Edge function answered 403: check the viewer-request function associated with the behavior"
			x.at(&f, x.behPath(".FunctionAssociations"))
		}
	}
	return f
}

func signedFix(c cause.Cause, detail string, x *fixContext) Fix {
	var f Fix
	what := "URL"
	if c == cause.SignedCookie {
		what = "cookies"
	}
	x.at(&f, x.behPath(".TrustedKeyGroups"))
	switch detail {
	case cause.DetailMissingKeyPairID:
		f.Summary = fmt.Sprintf("send signed %s: the behavior restricts viewer access, and the request had no Key-Pair-Id; if the path should be public, serve it from an unrestricted behavior placed before this one", what)
	case cause.DetailUnknownKey:
		f.Summary = fmt.Sprintf("sign with a key in one of the behavior's trusted key groups, or add key %s to one", orPlaceholder(x.keyID, "KEY_ID"))
		f.Commands = []string{
			"aws cloudfront get-key-group --id KEY_GROUP_ID > kg.json   # note ETag",
			fmt.Sprintf("aws cloudfront update-key-group --id KEY_GROUP_ID --if-match ETAG --key-group-config '{\"Name\":\"NAME\",\"Items\":[…,\"%s\"]}'", orPlaceholder(x.keyID, "KEY_ID")),
		}
	case cause.DetailMalformedSignature:
		f.Summary = "encode the signature in CloudFront's base64: standard base64, then + → -, = → _, / → ~ (not RFC 4648 URL-safe base64)"
		f.Commands = []string{"openssl sha1 -sign private_key.pem policy.json | openssl base64 -A | tr -- '+=/' '-_~'"}
		f.JSONPath = ""
	case cause.DetailMalformedPolicy:
		f.Summary = "fix the policy: exactly one Statement, DateLessThan.AWS:EpochTime in seconds (not milliseconds), numbers unquoted, encoded in CloudFront's base64"
		f.JSONPath = ""
	case cause.DetailExpired:
		f.Summary = fmt.Sprintf("sign %s with a later expiry (Expires/DateLessThan in UTC epoch seconds) and check the signer's clock; every request, each Range GET included, is checked against it", what)
		f.JSONPath = ""
	case cause.DetailNotYetValid:
		f.Summary = "move DateGreaterThan back, or check the signer's clock (UTC epoch seconds)"
		f.JSONPath = ""
	case cause.DetailIPMismatch:
		f.Summary = "make AWS:SourceIp cover the viewer address CloudFront sees (c-ip, not the proxy's X-Forwarded-For); IPv6 viewers never match, so drop IpAddress or turn IPv6 off"
		x.at(&f, x.distPath(".IsIPV6Enabled"))
		f.Value = "false"
	case cause.DetailResourceMismatch:
		f.Summary = "sign the exact URL viewers request: scheme, the Host they use (alias or *.cloudfront.net domain), path and query; or use a custom policy with a wildcard Resource"
		f.JSONPath = ""
	case cause.DetailBadSignature:
		f.Summary = "the signature does not verify: sign with the private key of the public key named by Key-Pair-Id, over exactly the policy bytes (canned: no whitespace, keys in order), and send Hash-Algorithm=SHA256 when hashing with SHA-256"
		f.JSONPath = ""
	case cause.DetailQueryAddedAfterSigning:
		f.Summary = "add your query parameters before signing (the signature covers the whole URL), or sign a custom policy whose Resource ends in *"
		f.JSONPath = ""
	case cause.DetailS3URLSignedInstead:
		f.Summary = "sign the CloudFront URL (https://ALIAS_OR_DOMAIN/path), not the S3 object URL"
		f.JSONPath = ""
	case cause.DetailSigningParamsToS3:
		f.Summary = "the behavior does not restrict viewer access, so the signing parameters went on to S3, which refused them: turn on Restrict viewer access (TrustedKeyGroups) for this path, or stop forwarding query strings to S3"
		f.Value = `{"Enabled":true,"Quantity":1,"Items":["KEY_GROUP_ID"]}`
		f.Commands = x.updateCommands(cliPath(f.JSONPath) + ` to {"Enabled":true,"Quantity":1,"Items":["KEY_GROUP_ID"]}`)
	case "wrong-hash-algorithm":
		f.Summary = "send Hash-Algorithm=SHA256 (CloudFront-Hash-Algorithm for cookies) when the signature hashes with SHA-256; without it CloudFront uses SHA-1"
		f.JSONPath = ""
	case "duplicate-parameter":
		f.Summary = "send each signing parameter once (a URL signed twice, or cookies set for two paths)"
		f.JSONPath = ""
	default:
		f.Summary = fmt.Sprintf("check the signed %s: give --config with the PublicKey and KeyGroup documents so the doctor can re-verify the signature", what)
	}
	return f
}

func s3Fix(detail string, x *fixContext) Fix {
	var f Fix
	b, acct, id := x.bucket(), x.account(), x.id()
	o := x.origin()
	opath := "DistributionConfig.Origins.Items[i]"
	if o != nil {
		opath = o.Path
	}
	switch detail {
	case cause.DetailNoDefaultRootObject:
		f.Summary = "set a default root object so a request for / fetches it instead of listing the bucket"
		x.at(&f, x.distPath(".DefaultRootObject"))
		f.Value = `"index.html"`
		f.Commands = x.updateCommands("DefaultRootObject to \"index.html\"")
	case cause.DetailMissingObjectWithoutList:
		f.Summary = "the object is missing, and S3 says 403 rather than 404 because the distribution may not list the bucket: upload it, or allow s3:ListBucket to get honest 404s"
		f.PolicyStatement = listStatement(b, acct, id)
		f.PolicyFor = "the bucket policy of " + b
		f.Commands = []string{putPolicy(b)}
	case cause.DetailNoOriginAccess:
		f.Summary = "give the S3 origin an origin access control and allow it in the bucket policy (or make the objects public)"
		f.File = fileOf(x)
		f.JSONPath = opath + ".OriginAccessControlId"
		f.PolicyStatement = OACStatement(b, acct, id)
		f.PolicyFor = "the bucket policy of " + b
		f.Commands = append([]string{
			fmt.Sprintf("aws cloudfront create-origin-access-control --origin-access-control-config Name=%s-oac,SigningProtocol=sigv4,SigningBehavior=always,OriginAccessControlOriginType=s3", b),
		}, x.updateCommands(cliPath(f.JSONPath)+" to the new OAC's Id")...)
		f.Commands = append(f.Commands, putPolicy(b))
	case cause.DetailOriginAccessNotInBucketPolicy:
		f.Summary = "allow the distribution's origin access in the bucket policy (for OAC the AWS:SourceArn must name this distribution)"
		f.PolicyStatement = OACStatement(b, acct, id)
		f.PolicyFor = "the bucket policy of " + b
		if o != nil && o.OAC == "" && o.OAI != "" {
			f.PolicyStatement = oaiStatement(b, o.OAI)
			f.PolicyFor = "the bucket policy of " + b
		}
		f.Commands = []string{putPolicy(b)}
	case cause.DetailWebsiteEndpointPrivateObject:
		f.Summary = "an S3 website endpoint serves only public objects: allow public s3:GetObject (and turn Block Public Access off), or switch the origin to the REST endpoint with an origin access control"
		f.PolicyStatement = fmt.Sprintf(`{"Sid":"PublicReadForWebsite","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}`, b)
		f.PolicyFor = "the bucket policy of " + b
		f.Commands = []string{fmt.Sprintf("aws s3api delete-public-access-block --bucket %s", b), putPolicy(b)}
		f.File, f.JSONPath = fileOf(x), opath+".DomainName"
	case cause.DetailWebsiteEndpointAsRESTOrigin:
		f.Summary = "a website endpoint must be a custom origin (HTTP only, no OAC): replace S3OriginConfig with CustomOriginConfig, or use the REST endpoint BUCKET.s3.REGION.amazonaws.com"
		f.File, f.JSONPath = fileOf(x), opath
		f.Value = `"CustomOriginConfig": {"HTTPPort":80,"HTTPSPort":443,"OriginProtocolPolicy":"http-only"}`
		f.Commands = x.updateCommands(cliPath(opath) + ": S3OriginConfig → CustomOriginConfig")
	case cause.DetailRESTEndpointAsCustomOrigin:
		f.Summary = "configure the bucket's REST endpoint as an S3 origin with an origin access control: as a custom origin CloudFront cannot sign for it"
		f.File, f.JSONPath = fileOf(x), opath
		f.Value = `"S3OriginConfig": {"OriginAccessIdentity": ""}, "OriginAccessControlId": "OAC_ID"`
		f.PolicyStatement = OACStatement(b, acct, id)
		f.PolicyFor = "the bucket policy of " + b
		f.Commands = x.updateCommands(cliPath(opath) + ": CustomOriginConfig → S3OriginConfig, set OriginAccessControlId")
	case cause.DetailHostHeaderForwarded:
		f.Summary = "stop forwarding the viewer's Host to S3 (it then looks for a bucket named after your domain)"
		switch via := ""; {
		case x.beh != nil && strings.Contains(x.beh.HostVia, ".ForwardedValues."):
			via = x.beh.HostVia
			x.at(&f, via)
			f.Summary += ": remove Host from the forwarded headers"
			f.Commands = x.updateCommands("remove " + cliPath(via) + " (and lower Headers.Quantity)")
		default:
			x.at(&f, x.behPath(".OriginRequestPolicyId"))
			f.Summary += ": use the managed origin request policy AllViewerExceptHostHeader"
			f.Value = `"b689b0a8-53d0-40ab-baf2-68738e2966ac"`
			f.Commands = x.updateCommands(cliPath(f.JSONPath) + " to b689b0a8-53d0-40ab-baf2-68738e2966ac")
		}
	case cause.DetailKMSEncrypted:
		f.Summary = "SSE-KMS objects need an origin access control (an OAI cannot decrypt) and a KMS key policy that lets CloudFront decrypt"
		f.PolicyFor = "the KMS key policy"
		f.PolicyStatement = fmt.Sprintf(`{"Sid":"AllowCloudFrontServicePrincipalSSE-KMS","Effect":"Allow","Principal":{"Service":"cloudfront.amazonaws.com"},"Action":["kms:Decrypt","kms:Encrypt","kms:GenerateDataKey*"],"Resource":"*","Condition":{"StringEquals":{"AWS:SourceArn":"arn:aws:cloudfront::%s:distribution/%s"}}}`, acct, id)
		f.Commands = []string{"aws kms get-key-policy --key-id KEY_ID --policy-name default > key-policy.json   # add the statement, then:", "aws kms put-key-policy --key-id KEY_ID --policy-name default --policy file://key-policy.json"}
	case cause.DetailRequesterPays:
		f.Summary = "turn Requester Pays off: CloudFront's requests cannot pay"
		f.Commands = []string{fmt.Sprintf("aws s3api put-bucket-request-payment --bucket %s --request-payment-configuration Payer=BucketOwner", b)}
	case cause.DetailBucketPolicyDeny:
		f.Summary = "an explicit Deny in the bucket policy matches CloudFront's request; find it and narrow it"
		f.Commands = []string{fmt.Sprintf("aws s3api get-bucket-policy --bucket %s --query Policy --output text | jq '.Statement[] | select(.Effect==\"Deny\")'", b)}
	case cause.DetailObjectOwnedByOtherAccount:
		f.Summary = "objects uploaded by another account are not the bucket owner's: enforce bucket-owner ownership"
		f.Commands = []string{fmt.Sprintf("aws s3api put-bucket-ownership-controls --bucket %s --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'", b)}
	default:
		f.Summary = "S3 refused CloudFront's request; check, in order, the candidates listed (the bucket policy for the origin access, the object's existence, KMS, ownership)"
		f.PolicyStatement = OACStatement(b, acct, id)
		f.PolicyFor = "the bucket policy of " + b
		if o != nil && o.OAC == "" && o.OAI != "" {
			f.PolicyStatement = oaiStatement(b, o.OAI)
			f.PolicyFor = "the bucket policy of " + b
		}
		f.Commands = []string{fmt.Sprintf("aws s3api head-object --bucket %s --key KEY   # 404: missing; 403 here too: permissions", b)}
	}
	return f
}

func fileOf(x *fixContext) string {
	if x.dist != nil {
		return x.dist.File
	}
	return ""
}

func orPlaceholder(s, p string) string {
	if s == "" {
		return p
	}
	return s
}

// wafCountCommand says where in a web ACL to set a rule to Count. A rule
// inside a rule group is overridden in the web ACL rule that uses the
// group: ManagedRuleGroupStatement for a managed group,
// RuleGroupReferenceStatement for a customer rule group (both have
// RuleActionOverrides, WAF API reference); the web ACL's own rules take an
// Action.
func wafCountCommand(typ, rule string) string {
	override := func(stmt string) string {
		group, _, _ := strings.Cut(rule, "/")
		return fmt.Sprintf("# in acl.json: add {\"Name\":%q,\"ActionToUse\":{\"Count\":{}}} to the %s.RuleActionOverrides of the rule that uses %s", lastPart(rule), stmt, group)
	}
	switch typ {
	case "MANAGED_RULE_GROUP":
		return override("ManagedRuleGroupStatement")
	case "GROUP":
		return override("RuleGroupReferenceStatement")
	case "REGULAR", "RATE_BASED":
		return fmt.Sprintf("# in acl.json: set the Action of rule %q to {\"Count\":{}}", rule)
	}
	return fmt.Sprintf("# in acl.json: for a rule of a managed group add {\"Name\":%q,\"ActionToUse\":{\"Count\":{}}} to its ManagedRuleGroupStatement.RuleActionOverrides; for a rule of your own rule group, to its RuleGroupReferenceStatement.RuleActionOverrides; for a rule of the web ACL set its Action to {\"Count\":{}}", lastPart(rule))
}

func lastPart(rule string) string {
	if i := strings.LastIndexAny(rule, "/:"); i >= 0 {
		return rule[i+1:]
	}
	return rule
}

// webACLNameID takes a web ACL's name and id from its WAFv2 ARN
// (arn:aws:wafv2:us-east-1:ACCOUNT:global/webacl/NAME/ID).
func webACLNameID(arn string) (name, id string, ok bool) {
	_, rest, found := strings.Cut(arn, ":global/webacl/")
	if !found || !strings.HasPrefix(arn, "arn:") {
		return "", "", false
	}
	name, id, ok = strings.Cut(rest, "/")
	if !ok || name == "" || id == "" || strings.Contains(id, "/") {
		return "", "", false
	}
	return name, id, true
}

// originBase is how to reach a custom origin directly, as CloudFront does
// for an HTTPS viewer: its protocol policy's scheme, and its port when not
// the scheme's default.
func originBase(o *Origin, dom string) string {
	if t := newOriginTarget(o, "https", origin.Options{}); t != nil {
		return t.scheme + "://" + t.addr
	}
	return "https://" + dom
}
