// Package resource reads the AWS-shaped documents openfront is configured
// with — exactly what the AWS CLI prints for get-distribution,
// get-distribution-config, get-cache-policy and friends — decodes them
// strictly into the AWS SDK's own types, and validates them the way
// CloudFront's API would, reporting every error with its file and JSON path.
// It is the only package that knows AWS's JSON shapes.
package resource

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	wafv2 "github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// Set is every resource read from the configuration paths.
type Set struct {
	Distributions []*Distribution
	// Policies the distributions may reference by id, besides AWS's managed ones.
	CachePolicies           map[string]*types.CachePolicyConfig
	OriginRequestPolicies   map[string]*types.OriginRequestPolicyConfig
	ResponseHeadersPolicies map[string]*types.ResponseHeadersPolicyConfig
	// PublicKeys and KeyGroups sign URLs and cookies, by id.
	PublicKeys map[string]*PublicKey
	KeyGroups  map[string]*KeyGroup
	// OriginAccessControls sign requests to S3 origins, by id.
	OriginAccessControls map[string]*OriginAccessControl
	// AWS WAF documents (wafv2 get-web-acl, get-ip-set, get-regex-pattern-set,
	// get-rule-group), by ARN.
	WebACLs          map[string]*WAFDocument[wafv2.WebACL]
	IPSets           map[string]*WAFDocument[wafv2.IPSet]
	RegexPatternSets map[string]*WAFDocument[wafv2.RegexPatternSet]
	RuleGroups       map[string]*WAFDocument[wafv2.RuleGroup]
	// KeyValueStores are CloudFront KeyValueStores' keys and values by
	// store id, from ID.kvs.json files (aws cloudfront-keyvaluestore
	// list-keys --kvs-arn ARN > ID.kvs.json).
	KeyValueStores map[string]*KeyValueStore
	// Functions are CloudFront Functions by name: code from a NAME.js file
	// (aws cloudfront get-function --name NAME --stage LIVE NAME.js) and
	// the runtime from a FunctionSummary document (describe-function).
	Functions map[string]*Function
	// Files lists every file read, for the admin status and reload watching.
	Files []string
	// warnings are the decoder's, reported by Validate with its own.
	warnings []string
}

// KeyValueStore is one store's keys and values.
type KeyValueStore struct {
	ID, File string
	Items    map[string]string
	Modified time.Time // the file's modification time
}

// Function is a CloudFront Function's code and runtime.
type Function struct {
	Name string
	// KeyValueStores are the ids of the stores its FunctionSummary
	// associates (CloudFront allows one).
	KeyValueStores []string
	// File is the code's file; empty when only a FunctionSummary was read.
	File    string
	Code    []byte
	Runtime string // "" when no FunctionSummary was read
	// SummaryFile is the FunctionSummary document's file, if any.
	SummaryFile string
}

func (s *Set) function(name string) *Function {
	f := s.Functions[name]
	if f == nil {
		f = &Function{Name: name}
		s.Functions[name] = f
	}
	return f
}

// Distribution is one distribution document.
type Distribution struct {
	File string
	// Path is the JSON path of the DistributionConfig inside the file:
	// "DistributionConfig" or "Distribution.DistributionConfig".
	Path string
	ID   string
	ARN  string
	// DomainName is the domain AWS assigned (d111111abcdef8.cloudfront.net),
	// empty for get-distribution-config documents.
	DomainName string
	ETag       string
	Config     *types.DistributionConfig
}

func newSet() *Set {
	return &Set{
		CachePolicies:           map[string]*types.CachePolicyConfig{},
		OriginRequestPolicies:   map[string]*types.OriginRequestPolicyConfig{},
		ResponseHeadersPolicies: map[string]*types.ResponseHeadersPolicyConfig{},
		PublicKeys:              map[string]*PublicKey{},
		KeyGroups:               map[string]*KeyGroup{},
		OriginAccessControls:    map[string]*OriginAccessControl{},
		Functions:               map[string]*Function{},
		KeyValueStores:          map[string]*KeyValueStore{},
		WebACLs:                 map[string]*WAFDocument[wafv2.WebACL]{},
		IPSets:                  map[string]*WAFDocument[wafv2.IPSet]{},
		RegexPatternSets:        map[string]*WAFDocument[wafv2.RegexPatternSet]{},
		RuleGroups:              map[string]*WAFDocument[wafv2.RuleGroup]{},
	}
}

// PublicKey is a get-public-key document.
type PublicKey struct {
	File, ID string
	Config   *types.PublicKeyConfig
}

// KeyGroup is a get-key-group document.
type KeyGroup struct {
	File, ID string
	Config   *types.KeyGroupConfig
}

// OriginAccessControl is a get-origin-access-control document.
type OriginAccessControl struct {
	File, ID string
	Config   *types.OriginAccessControlConfig
}

// WAFDocument is one AWS WAF resource and the file it came from.
type WAFDocument[T any] struct {
	File  string
	Value *T
}

// documentKinds are the top-level keys openfront recognises. Documents of
// later features are listed so the error can say they are not read yet.
// OriginAccessControl is read since S3 REST origins are signed; the legacy
// CloudFrontOriginAccessIdentity document is not needed: an origin's
// OriginAccessIdentity is signed with the same credentials.
var documentKinds = []string{"Distribution", "DistributionConfig", "CachePolicy", "OriginRequestPolicy", "ResponseHeadersPolicy", "PublicKey", "KeyGroup",
	"OriginAccessControl", "WebACL", "IPSet", "RegexPatternSet", "RuleGroup", "FunctionSummary"}

// siblings are top-level keys printed beside the resource, which carry
// nothing to serve: the wafv2 CLI's LockToken and ApplicationIntegrationURL,
// the Location of CloudFront's create-* outputs (so a saved
// create-distribution answer loads like get-distribution's), and the
// ResponseMetadata of a boto3 response dumped as JSON.
var siblings = []string{"LockToken", "ApplicationIntegrationURL", "Location", "ResponseMetadata"}

// ignoredKinds are documents a user dumping "everything" will have that
// carry nothing this edge acts on: they are skipped with a warning saying
// why, rather than refusing the folder.
var ignoredKinds = map[string]string{
	"CloudFrontOriginAccessIdentity": "an origin's OriginAccessIdentity is signed with the edge's AWS credentials; the identity document is not needed",
	"ContinuousDeploymentPolicy":     "openfront does not split traffic to staging distributions (a primary's ContinuousDeploymentPolicyId is warned about)",
	"RealtimeLogConfig":              "real-time logs are not sent; the standard access log is written",
	"KeyValueStore":                  "a key value store's keys are read from ID.kvs.json (aws cloudfront-keyvaluestore list-keys --kvs-arn ARN > ID.kvs.json); its describe document is not needed",
}

// listKinds are the list-* outputs, refused with the reason and the command
// that dumps each resource whole: a DistributionSummary lacks
// DefaultRootObject, Logging and CallerReference, so serving from it would
// silently differ from the distribution it summarises.
var listKinds = map[string]string{
	"DistributionList":          "list-distributions prints summaries without DefaultRootObject and Logging, so they cannot be served as the distributions are; dump each distribution whole: for id in $(aws cloudfront list-distributions --query 'DistributionList.Items[].Id' --output text); do aws cloudfront get-distribution --id $id > $id.json; done",
	"CachePolicyList":           "dump each policy with aws cloudfront get-cache-policy --id ID > ID.json",
	"OriginRequestPolicyList":   "dump each policy with aws cloudfront get-origin-request-policy --id ID > ID.json",
	"ResponseHeadersPolicyList": "dump each policy with aws cloudfront get-response-headers-policy --id ID > ID.json",
}

// Load reads every .json, .yaml and .yml file in paths (files or folders,
// folders walked recursively, hidden entries skipped) and decodes them. The
// returned error joins every *Error found; the Set then still holds the
// documents that decoded, so validation can report their problems too.
func Load(paths []string) (*Set, error) {
	s := newSet()
	var errs []error
	if len(paths) == 0 {
		return nil, errors.New("no configuration given: pass --config FILE_OR_FOLDER")
	}
	for _, p := range paths {
		files, err := listFiles(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				errs = append(errs, &Error{File: f, Msg: fmt.Sprintf("cannot read: %v", unwrapPathError(err))})
				continue
			}
			s.Files = append(s.Files, f)
			if id, ok := kvsFile(f); ok {
				errs = append(errs, s.addKeyValueStore(f, id, data)...)
				continue
			}
			if isFunctionCode(f) {
				fn := s.function(strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)))
				if fn.File != "" {
					errs = append(errs, &Error{File: f, Msg: fmt.Sprintf("the code of function %s is also in %s", fn.Name, fn.File)})
					continue
				}
				fn.File, fn.Code = f, data
				continue
			}
			errs = append(errs, s.add(f, data)...)
		}
	}
	if len(s.Distributions) == 0 && len(errs) == 0 {
		return nil, fmt.Errorf("%s: no distribution documents found", strings.Join(paths, ", "))
	}
	s.mergeViews()
	return s, errors.Join(errs...)
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func isConfigFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".json" || ext == ".yaml" || ext == ".yml" || isFunctionCode(name)
}

// kvsFile reports a KeyValueStore's keys (ID.kvs.json) and the store id.
func kvsFile(name string) (string, bool) {
	base := filepath.Base(name)
	id, ok := strings.CutSuffix(base, ".kvs.json")
	return id, ok && id != ""
}

// addKeyValueStore reads list-keys output: {"Items": [{"Key", "Value"}]}.
func (s *Set) addKeyValueStore(file, id string, data []byte) []error {
	var doc struct {
		Items []struct {
			Key   *string `json:"Key"`
			Value *string `json:"Value"`
		} `json:"Items"`
		NextToken *string `json:"NextToken"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return []error{&Error{File: file, Msg: fmt.Sprintf("want the output of aws cloudfront-keyvaluestore list-keys ({\"Items\": [{\"Key\": …, \"Value\": …}]}): %v", err)}}
	}
	if doc.NextToken != nil && *doc.NextToken != "" {
		return []error{&Error{File: file, Msg: "NextToken: the list is cut short; save every page (list-keys without --max-results pages through them)"}}
	}
	if prev := s.KeyValueStores[id]; prev != nil {
		return []error{&Error{File: file, Msg: fmt.Sprintf("key value store %s is also in %s", id, prev.File)}}
	}
	kv := &KeyValueStore{ID: id, File: file, Items: make(map[string]string, len(doc.Items))}
	for i, it := range doc.Items {
		if it.Key == nil || it.Value == nil {
			return []error{&Error{File: file, Msg: fmt.Sprintf("Items[%d]: want Key and Value", i)}}
		}
		kv.Items[*it.Key] = *it.Value
	}
	if st, err := os.Stat(file); err == nil {
		kv.Modified = st.ModTime()
	}
	s.KeyValueStores[id] = kv
	return nil
}

// isFunctionCode reports a CloudFront Function's code file (NAME.js).
func isFunctionCode(name string) bool {
	return strings.EqualFold(filepath.Ext(name), ".js")
}

func listFiles(root string) ([]string, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, &Error{File: root, Msg: fmt.Sprintf("cannot read: %v", unwrapPathError(err))}
	}
	if !st.IsDir() {
		return []string{root}, nil
	}
	var files []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return &Error{File: p, Msg: fmt.Sprintf("cannot read: %v", unwrapPathError(err))}
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() && isConfigFile(d.Name()) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(files)
	return files, nil
}

var idFromName = regexp.MustCompile(`^[A-Z0-9]{1,64}$`)

// add decodes one file's document into the set.
func (s *Set) add(file string, data []byte) []error {
	tree, err := parseTree(file, data)
	if err != nil {
		return []error{&Error{File: file, Msg: err.Error()}}
	}
	top, ok := tree.(map[string]any)
	if !ok {
		return []error{&Error{File: file, Msg: "want a JSON object at the top level, as the AWS CLI prints"}}
	}
	d := &decoder{file: file}
	defer func() { s.warnings = append(s.warnings, d.warns...) }()
	var etag string
	if v, ok := top["ETag"]; ok {
		d.decode("ETag", v, reflect.ValueOf(&etag).Elem())
	}
	if why := bareDocument(top); why != "" {
		d.fail("", "%s", why)
		return d.errs
	}
	var kinds []string
	ignored := false
	for k := range top {
		if k == "ETag" || slices.Contains(siblings, k) {
			continue
		}
		if why, ok := ignoredKinds[k]; ok {
			s.warnings = append(s.warnings, (&Error{File: file, Path: k, Msg: "not read: " + why}).Error())
			ignored = true
			continue
		}
		if why, ok := listKinds[k]; ok {
			d.fail(k, "a list output is not read: %s", why)
			continue
		}
		if !slices.Contains(documentKinds, k) {
			d.fail(k, "unknown document kind: openfront reads %s", strings.Join(documentKinds, ", "))
			continue
		}
		kinds = append(kinds, k)
	}
	if len(kinds) == 0 && ignored && len(d.errs) == 0 {
		return nil
	}
	if len(kinds) != 1 {
		if len(d.errs) == 0 {
			d.fail("", "want exactly one of %s at the top level, found %d", strings.Join(documentKinds, ", "), len(kinds))
		}
		return d.errs
	}
	kind := kinds[0]
	switch kind {
	case "Distribution":
		var v types.Distribution
		d.decode(kind, top[kind], reflect.ValueOf(&v).Elem())
		if v.Id == nil || *v.Id == "" {
			d.fail("Distribution.Id", "missing")
		}
		if v.DistributionConfig == nil {
			d.fail("Distribution.DistributionConfig", "missing")
		}
		if len(d.errs) == 0 {
			s.Distributions = append(s.Distributions, &Distribution{
				File: file, Path: "Distribution.DistributionConfig", ID: *v.Id,
				ARN: deref(v.ARN), DomainName: strings.ToLower(deref(v.DomainName)), ETag: etag, Config: v.DistributionConfig,
			})
		}
	case "DistributionConfig":
		var v types.DistributionConfig
		d.decode(kind, top[kind], reflect.ValueOf(&v).Elem())
		base := filepath.Base(file)
		id := strings.TrimSuffix(base, filepath.Ext(base))
		if !idFromName.MatchString(id) {
			d.fail("", "a DistributionConfig document takes its distribution id from the file name: name the file <ID>.json (for example E2QWRUHAPOMQZL.json), not %q", base)
		}
		if len(d.errs) == 0 {
			s.Distributions = append(s.Distributions, &Distribution{File: file, Path: "DistributionConfig", ID: id, ETag: etag, Config: &v})
		}
	case "CachePolicy":
		var v types.CachePolicy
		d.decode(kind, top[kind], reflect.ValueOf(&v).Elem())
		if v.Id == nil || v.CachePolicyConfig == nil {
			d.fail(kind, "want Id and CachePolicyConfig, as aws cloudfront get-cache-policy prints")
		} else if len(d.errs) == 0 {
			s.CachePolicies[*v.Id] = v.CachePolicyConfig
		}
	case "OriginRequestPolicy":
		var v types.OriginRequestPolicy
		d.decode(kind, top[kind], reflect.ValueOf(&v).Elem())
		if v.Id == nil || v.OriginRequestPolicyConfig == nil {
			d.fail(kind, "want Id and OriginRequestPolicyConfig, as aws cloudfront get-origin-request-policy prints")
		} else if len(d.errs) == 0 {
			s.OriginRequestPolicies[*v.Id] = v.OriginRequestPolicyConfig
		}
	case "ResponseHeadersPolicy":
		var v types.ResponseHeadersPolicy
		d.decode(kind, top[kind], reflect.ValueOf(&v).Elem())
		if v.Id == nil || v.ResponseHeadersPolicyConfig == nil {
			d.fail(kind, "want Id and ResponseHeadersPolicyConfig, as aws cloudfront get-response-headers-policy prints")
		} else if len(d.errs) == 0 {
			s.ResponseHeadersPolicies[*v.Id] = v.ResponseHeadersPolicyConfig
		}
	case "PublicKey":
		var v types.PublicKey
		d.decode(kind, top[kind], reflect.ValueOf(&v).Elem())
		switch {
		case v.Id == nil || v.PublicKeyConfig == nil || v.PublicKeyConfig.EncodedKey == nil:
			d.fail(kind, "want Id and PublicKeyConfig.EncodedKey, as aws cloudfront get-public-key prints")
		case s.PublicKeys[*v.Id] != nil:
			d.fail(kind+".Id", "public key %s is also defined in %s", *v.Id, s.PublicKeys[*v.Id].File)
		case len(d.errs) == 0:
			s.PublicKeys[*v.Id] = &PublicKey{File: file, ID: *v.Id, Config: v.PublicKeyConfig}
		}
	case "FunctionSummary":
		var v types.FunctionSummary
		d.decode(kind, top[kind], reflect.ValueOf(&v).Elem())
		switch name := deref(v.Name); {
		case name == "":
			d.fail(kind, "want Name, as aws cloudfront describe-function prints")
		case s.Functions[name] != nil && s.Functions[name].SummaryFile != "":
			d.fail(kind+".Name", "function %s is also described in %s", name, s.Functions[name].SummaryFile)
		case len(d.errs) == 0:
			fn := s.function(name)
			fn.SummaryFile = file
			if v.FunctionConfig != nil {
				fn.Runtime = string(v.FunctionConfig.Runtime)
				if a := v.FunctionConfig.KeyValueStoreAssociations; a != nil {
					for _, it := range a.Items {
						arn := deref(it.KeyValueStoreARN)
						fn.KeyValueStores = append(fn.KeyValueStores, arn[strings.LastIndexByte(arn, '/')+1:])
					}
				}
			}
		}
	case "OriginAccessControl":
		var v types.OriginAccessControl
		d.decode(kind, top[kind], reflect.ValueOf(&v).Elem())
		switch {
		case v.Id == nil || *v.Id == "" || v.OriginAccessControlConfig == nil:
			d.fail(kind, "want Id and OriginAccessControlConfig, as aws cloudfront get-origin-access-control prints")
		case s.OriginAccessControls[*v.Id] != nil:
			d.fail(kind+".Id", "origin access control %s is also defined in %s", *v.Id, s.OriginAccessControls[*v.Id].File)
		case len(d.errs) == 0:
			s.OriginAccessControls[*v.Id] = &OriginAccessControl{File: file, ID: *v.Id, Config: v.OriginAccessControlConfig}
		}
	case "WebACL":
		addWAF(d, s.WebACLs, file, kind, top[kind], func(v *wafv2.WebACL) *string { return v.ARN })
	case "IPSet":
		addWAF(d, s.IPSets, file, kind, top[kind], func(v *wafv2.IPSet) *string { return v.ARN })
	case "RegexPatternSet":
		addWAF(d, s.RegexPatternSets, file, kind, top[kind], func(v *wafv2.RegexPatternSet) *string { return v.ARN })
	case "RuleGroup":
		addWAF(d, s.RuleGroups, file, kind, top[kind], func(v *wafv2.RuleGroup) *string { return v.ARN })
	case "KeyGroup":
		var v types.KeyGroup
		d.decode(kind, top[kind], reflect.ValueOf(&v).Elem())
		switch {
		case v.Id == nil || v.KeyGroupConfig == nil:
			d.fail(kind, "want Id and KeyGroupConfig, as aws cloudfront get-key-group prints")
		case s.KeyGroups[*v.Id] != nil:
			d.fail(kind+".Id", "key group %s is also defined in %s", *v.Id, s.KeyGroups[*v.Id].File)
		case len(d.errs) == 0:
			s.KeyGroups[*v.Id] = &KeyGroup{File: file, ID: *v.Id, Config: v.KeyGroupConfig}
		}
	}
	return d.errs
}

// bareDocument recognises a resource saved without the key the CLI prints
// it under — the input of create-distribution/update-distribution
// --distribution-config (what `jq .DistributionConfig` leaves), or a web ACL
// copied from the console's JSON view — and says how to wrap it.
func bareDocument(top map[string]any) string {
	has := func(keys ...string) bool {
		for _, k := range keys {
			if _, ok := top[k]; !ok {
				return false
			}
		}
		return true
	}
	switch {
	case has("Resources") && (has("AWSTemplateFormatVersion") || strings.Contains(fmt.Sprint(top["Resources"]), "AWS::CloudFront::")):
		return "this is a CloudFormation template, which openfront does not evaluate: deploy it, then save what CloudFront made of it (aws cloudfront get-distribution --id ID > ID.json, and aws wafv2 get-web-acl … for its web ACL)"
	case has("CallerReference", "Origins", "DefaultCacheBehavior"):
		return `this is a bare DistributionConfig (the input of create-distribution and update-distribution --distribution-config), without the distribution id: save it as get-distribution-config prints it, {"DistributionConfig": …}, in a file named after the id (jq '{DistributionConfig: .}' FILE > ID.json), or save aws cloudfront get-distribution --id ID`
	case has("DefaultAction", "Rules", "VisibilityConfig"):
		return `this is a bare web ACL: save it as aws wafv2 get-web-acl prints it, {"WebACL": …} (jq '{WebACL: .}' FILE)`
	}
	return ""
}

// mergeViews keeps one document per distribution when a folder holds both
// the get-distribution and the get-distribution-config output of the same
// version (same ETag, same configuration), as a user who dumps everything
// has: the get-distribution one, which also carries DomainName and ARN.
// Different versions stay, for validation to refuse the duplicate.
func (s *Set) mergeViews() {
	var out []*Distribution
	for _, d := range s.Distributions {
		i := slices.IndexFunc(out, func(o *Distribution) bool {
			return o.ID == d.ID && o.ETag != "" && o.ETag == d.ETag && o.Path != d.Path && reflect.DeepEqual(o.Config, d.Config)
		})
		if i < 0 {
			out = append(out, d)
			continue
		}
		keep, drop := out[i], d
		if drop.Path == "Distribution.DistributionConfig" {
			keep, drop = drop, keep
		}
		out[i] = keep
		s.warnings = append(s.warnings, (&Error{File: drop.File, Msg: fmt.Sprintf("distribution %s (ETag %s) is the same version as in %s, which is read instead", d.ID, d.ETag, keep.File)}).Error())
	}
	s.Distributions = out
}

// addWAF decodes one wafv2 document and files it by ARN.
func addWAF[T any](d *decoder, into map[string]*WAFDocument[T], file, kind string, src any, arn func(*T) *string) {
	v := new(T)
	d.decode(kind, src, reflect.ValueOf(v).Elem())
	a := deref(arn(v))
	switch {
	case a == "":
		d.fail(kind+".ARN", "missing: AWS WAF resources are referenced by ARN")
	case into[a] != nil:
		d.fail(kind+".ARN", "%s is also defined in %s", a, into[a].File)
	case len(d.errs) == 0:
		into[a] = &WAFDocument[T]{File: file, Value: v}
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
