package waf

import (
	"strings"

	"github.com/corazawaf/coraza/v3/types/variables"
)

// loc is the part of a request a CRS match was found in, as the suffixes
// of AWS managed rule names (…_QUERYARGUMENTS, …_BODY) name it.
type loc uint8

const (
	locQuery loc = 1 << iota // query arguments and the query string
	locBody
	locCookie
	locHeader // request headers other than Cookie
	locURIPath
	locMethod
	locOther
)

// awsRule maps one AWS managed rule name onto the CRS: a match of any of
// ids (or of a whole family, the id's first three digits) in one of the
// locations is reported, labelled and overridden under the AWS name.
type awsRule struct {
	name   string // as AWS names the rule: SQLi_QUERYARGUMENTS
	label  string // as AWS labels it: SQLi_QueryArguments
	ids    []int  // CRS rules; a 3-digit entry is a whole family (942)
	except []int  // rules of those families that belong to another AWS name
	where  loc
}

func (r *awsRule) has(id int) bool {
	for _, x := range r.except {
		if x == id {
			return false
		}
	}
	for _, x := range r.ids {
		if x == id || (x < 1000 && id/1000 == x) {
			return true
		}
	}
	return false
}

func (g *crsGroup) awsRule(name string) *awsRule {
	for i := range g.names {
		if g.names[i].name == name {
			return &g.names[i]
		}
	}
	return nil
}

// awsName returns the AWS rule a CRS match belongs to, or nil when the CRS
// rule has no AWS counterpart (it is then named by its CRS id).
func (g *crsGroup) awsName(id int, where loc) *awsRule {
	for i := range g.names {
		if r := &g.names[i]; r.where&where != 0 && r.has(id) {
			return r
		}
	}
	return nil
}

// names builds the rules of one AWS name per location suffix.
func names(prefix, labelPrefix string, ids, except []int, suffixes ...string) []awsRule {
	out := make([]awsRule, 0, len(suffixes))
	for _, s := range suffixes {
		out = append(out, awsRule{name: prefix + s, label: labelPrefix + suffixLabel[s], ids: ids, except: except, where: suffixLoc[s]})
	}
	return out
}

var suffixLoc = map[string]loc{
	"QUERYARGUMENTS": locQuery, "QUERYSTRING": locQuery, "BODY": locBody, "COOKIE": locCookie,
	"HEADER": locHeader, "URIPATH": locURIPath, "METHOD": locMethod,
}

// suffixLabel is how AWS spells the suffixes in labels
// (awswaf:managed:aws:sql-database:SQLi_QueryArguments).
var suffixLabel = map[string]string{
	"QUERYARGUMENTS": "QueryArguments", "QUERYSTRING": "QueryString", "BODY": "Body", "COOKIE": "Cookie",
	"HEADER": "Header", "URIPATH": "URIPath", "METHOD": "Method",
}

// The mapping tables. AWS publishes the names and a sentence per rule, not
// the rules; MANAGED.md gives the reasoning per line. Names AWS documents
// that have no CRS counterpart at paranoia level 1 map to no rule: they
// are accepted in ExcludedRules and RuleActionOverrides (excluding a rule
// that never matches changes nothing) and listed in MANAGED.md.
var commonNames = concat(
	[]awsRule{
		{name: "NoUserAgent_HEADER", label: "NoUserAgent_Header", ids: []int{920330}, where: locHeader | locOther},
		{name: "UserAgent_BadBots_HEADER", label: "BadBots_Header", ids: []int{913100}, where: locHeader},
		{name: "SizeRestrictions_QUERYSTRING", label: "SizeRestrictions_QueryString", ids: nil, where: locQuery},
		{name: "SizeRestrictions_Cookie_HEADER", label: "SizeRestrictions_Cookie_Header", ids: nil, where: locCookie},
		{name: "SizeRestrictions_BODY", label: "SizeRestrictions_Body", ids: nil, where: locBody},
		{name: "SizeRestrictions_URIPATH", label: "SizeRestrictions_URIPath", ids: nil, where: locURIPath},
	},
	names("EC2MetaDataSSRF_", "EC2MetaDataSSRF_", []int{934110, 934190}, nil, "BODY", "COOKIE", "URIPATH", "QUERYARGUMENTS"),
	names("GenericLFI_", "GenericLFI_", []int{930100, 930110, 930120}, nil, "QUERYARGUMENTS", "URIPATH", "BODY"),
	names("RestrictedExtensions_", "RestrictedExtensions_", []int{920440, 920500, 930130, 930140}, nil, "URIPATH", "QUERYARGUMENTS"),
	names("GenericRFI_", "GenericRFI_", []int{931}, nil, "QUERYARGUMENTS", "BODY", "URIPATH"),
	names("CrossSiteScripting_", "CrossSiteScripting_", []int{941}, nil, "COOKIE", "QUERYARGUMENTS", "BODY", "URIPATH"),
)

var sqliNames = concat(
	names("SQLi_", "SQLi_", []int{942100}, nil, "QUERYARGUMENTS", "BODY", "COOKIE", "URIPATH"),
	names("SQLiExtendedPatterns_", "SQLiExtendedPatterns_", []int{942}, []int{942100}, "QUERYARGUMENTS", "BODY"),
)

var knownBadNames = concat(
	names("JavaDeserializationRCE_", "JavaDeserializationRCE_", []int{944100, 944110, 944120, 944130}, nil, "HEADER", "BODY", "URIPATH", "QUERYSTRING"),
	names("Log4JRCE_", "Log4JRCE_", []int{944150}, nil, "HEADER", "QUERYSTRING", "BODY", "URIPATH"),
	[]awsRule{
		{name: "Host_localhost_HEADER", label: "Host_Localhost_Header", ids: nil, where: locHeader},
		{name: "PROPFIND_METHOD", label: "Propfind_Method", ids: []int{911100}, where: locMethod},
		{name: "ExploitablePaths_URIPATH", label: "ExploitablePaths_URIPath", ids: []int{930130, 930140}, where: locURIPath},
	},
)

func concat(parts ...[]awsRule) []awsRule {
	var out []awsRule
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// locOf classifies where Coraza found a match. ARGS and ARGS_NAMES merge
// query and body arguments, so a key is looked up in the query string.
func locOf(v variables.RuleVariable, key string, r *Request) loc {
	switch v {
	case variables.ArgsGet, variables.ArgsGetNames, variables.QueryString:
		return locQuery
	case variables.Args, variables.ArgsNames:
		if inQuery(r, key) {
			return locQuery
		}
		return locBody
	case variables.ArgsPost, variables.ArgsPostNames, variables.RequestBody, variables.Files, variables.FilesNames,
		variables.XML, variables.RequestXML, variables.JSON, variables.FilesCombinedSize, variables.MultipartPartHeaders, variables.MultipartFilename, variables.MultipartName:
		return locBody
	case variables.RequestCookies, variables.RequestCookiesNames:
		return locCookie
	case variables.RequestHeaders, variables.RequestHeadersNames:
		if strings.EqualFold(key, "cookie") {
			return locCookie
		}
		return locHeader
	case variables.RequestFilename, variables.RequestBasename, variables.RequestURI, variables.RequestURIRaw,
		variables.RequestLine, variables.ArgsPath:
		return locURIPath
	case variables.RequestMethod:
		return locMethod
	}
	return locOther
}

func inQuery(r *Request, key string) bool {
	if r == nil {
		return false
	}
	return r.eachQueryArg(func(name, _ string) bool {
		return strings.EqualFold(name, key) || strings.EqualFold(urlUnescape(name), key)
	})
}

// urlUnescape decodes %XX and '+' leniently (Coraza decodes argument names).
func urlUnescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			hi, _ := unhex(s[i+1])
			lo, _ := unhex(s[i+2])
			b = append(b, hi<<4|lo)
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
}
