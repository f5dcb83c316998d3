package resource

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
)

// The complete tables, id → API name, as published (see managed.go).
var (
	wantManagedCachePolicies = map[string]string{
		"2e54312d-136d-493c-8eb9-b001f22f67d2": "Managed-Amplify",
		"4135ea2d-6df8-44a3-9df3-4b5a84be39ad": "Managed-CachingDisabled",
		"658327ea-f89d-4fab-a63d-7e88639e58f6": "Managed-CachingOptimized",
		"b2884449-e4de-46a7-ac36-70bc7f1ddd6d": "Managed-CachingOptimizedForUncompressedObjects",
		"08627262-05a9-4f76-9ded-b50ca2e3a84f": "Managed-Elemental-MediaPackage",
		"83da9c7e-98b4-4e11-a168-04f0df8e2c65": "UseOriginCacheControlHeaders",
		"4cc15a8a-d715-48a4-82b8-cc0b614638fe": "UseOriginCacheControlHeaders-QueryStrings",
		"4d1d2f1d-3a71-49ad-9e08-7ea5d843a556": "Managed-Amplify-Default",
		"a6bad946-36c3-4c33-aa98-362c74a7fb13": "Managed-Amplify-DefaultNoCookies",
		"1c6db51a-a33f-469a-8245-dae26771f530": "Managed-Amplify-ImageOptimization",
		"7e5fad67-ee98-4ad0-b05a-394999eefc1a": "Managed-Amplify-StaticContent",
	}
	wantManagedOriginRequestPolicies = map[string]string{
		"216adef6-5c7f-47e4-b989-5492eafa07d3": "Managed-AllViewer",
		"33f36d7e-f396-46d9-90e0-52428a34d9dc": "Managed-AllViewerAndCloudFrontHeaders-2022-06",
		"b689b0a8-53d0-40ab-baf2-68738e2966ac": "Managed-AllViewerExceptHostHeader",
		"59781a5b-3903-41f3-afcb-af62929ccde1": "Managed-CORS-CustomOrigin",
		"88a5eaf4-2fd4-4709-b370-b4c650ea3fcf": "Managed-CORS-S3Origin",
		"775133bc-15f2-49f9-abea-afb2e0bf67d2": "Managed-Elemental-MediaTailor-PersonalizedManifests",
		"bf0718e1-ba1e-49d1-88b1-f726733018ae": "Managed-HostHeaderOnly",
		"acba4595-bd28-49b8-b9fe-13317c0390fa": "Managed-UserAgentRefererHeaders",
	}
	wantManagedResponseHeadersPolicies = map[string]string{
		"e61eb60c-9c35-4d20-a928-2b84e02af89c": "Managed-CORS-and-SecurityHeadersPolicy",
		"5cc3b908-e619-4b99-88e5-2cf7f45965bd": "Managed-CORS-With-Preflight",
		"eaab4381-ed33-4a86-88ca-d9558dc6cd63": "Managed-CORS-with-preflight-and-SecurityHeadersPolicy",
		"67f7725c-6f97-4210-82d7-5512b31e9d03": "Managed-SecurityHeadersPolicy",
		"60669652-455b-4ae9-85a4-c4c02393f86c": "Managed-SimpleCORS",
	}
)

var managedIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func TestManagedTablesComplete(t *testing.T) {
	check := func(kind string, got map[string]string, want map[string]string) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s policies = %v, want %v", kind, got, want)
		}
		names := map[string]string{}
		for id, name := range got {
			if !managedIDPattern.MatchString(id) {
				t.Errorf("%s policy id %q is not a lower-case UUID", kind, id)
			}
			if name == "" {
				t.Errorf("%s policy %s has no name", kind, id)
			}
			if other, dup := names[name]; dup {
				t.Errorf("%s policies %s and %s share the name %q", kind, id, other, name)
			}
			names[name] = id
		}
	}
	names := func(m any) map[string]string {
		out := map[string]string{}
		v := reflect.ValueOf(m)
		for _, k := range v.MapKeys() {
			out[k.String()] = *v.MapIndex(k).Elem().FieldByName("Name").Interface().(*string)
		}
		return out
	}
	check("cache", names(managedCachePolicies), wantManagedCachePolicies)
	check("origin request", names(managedOriginRequestPolicies), wantManagedOriginRequestPolicies)
	check("response headers", names(managedResponseHeadersPolicies), wantManagedResponseHeadersPolicies)

	// The accessors see the same tables.
	for id := range wantManagedCachePolicies {
		if p, ok := ManagedCachePolicy(id); !ok || p != managedCachePolicies[id] {
			t.Errorf("ManagedCachePolicy(%q) = %v, %v", id, p, ok)
		}
	}
	for id := range wantManagedOriginRequestPolicies {
		if p, ok := ManagedOriginRequestPolicy(id); !ok || p != managedOriginRequestPolicies[id] {
			t.Errorf("ManagedOriginRequestPolicy(%q) = %v, %v", id, p, ok)
		}
	}
	for id := range wantManagedResponseHeadersPolicies {
		if p, ok := ManagedResponseHeadersPolicy(id); !ok || p != managedResponseHeadersPolicies[id] {
			t.Errorf("ManagedResponseHeadersPolicy(%q) = %v, %v", id, p, ok)
		}
	}
}

// managedCheckQuantities walks v and reports every list wrapper (a struct with
// Quantity and Items) whose Quantity is missing or differs from len(Items),
// and every nil pointer among the fields the API requires.
func managedCheckQuantities(t *testing.T, path string, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			managedCheckQuantities(t, path, v.Elem())
		}
	case reflect.Struct:
		q, items := v.FieldByName("Quantity"), v.FieldByName("Items")
		if q.IsValid() && items.IsValid() {
			switch {
			case q.IsNil():
				t.Errorf("%s: Quantity is nil", path)
			case q.Elem().Int() != int64(items.Len()):
				t.Errorf("%s: Quantity %d, %d items", path, q.Elem().Int(), items.Len())
			}
		}
		for i := 0; i < v.NumField(); i++ {
			if f := v.Type().Field(i); f.IsExported() {
				managedCheckQuantities(t, path+"."+f.Name, v.Field(i))
			}
		}
	}
}

func TestManagedQuantities(t *testing.T) {
	for id, p := range managedCachePolicies {
		managedCheckQuantities(t, id, reflect.ValueOf(p))
	}
	for id, p := range managedOriginRequestPolicies {
		managedCheckQuantities(t, id, reflect.ValueOf(p))
	}
	for id, p := range managedResponseHeadersPolicies {
		managedCheckQuantities(t, id, reflect.ValueOf(p))
	}
}

// managedNeedsList reports whether a behavior needs a name list: whitelist and
// allExcept do, none/all/allViewer do not carry one.
func managedNeedsList(behavior string) bool {
	return behavior == "whitelist" || behavior == "allExcept" || behavior == "allViewerAndWhitelistCloudFront"
}

func managedCheckBehavior(t *testing.T, path, behavior string, items []string) {
	t.Helper()
	if behavior == "" {
		t.Errorf("%s: no behavior", path)
	}
	if managedNeedsList(behavior) != (len(items) > 0) {
		t.Errorf("%s: behavior %q with %d names", path, behavior, len(items))
	}
}

func managedHeaderItems(h *types.Headers) []string {
	if h == nil {
		return nil
	}
	return h.Items
}

func TestManagedCachePolicyShape(t *testing.T) {
	for id, p := range managedCachePolicies {
		if p.MinTTL == nil || p.DefaultTTL == nil || p.MaxTTL == nil {
			t.Errorf("%s: missing TTL", id)
			continue
		}
		if !(*p.MinTTL <= *p.DefaultTTL && *p.DefaultTTL <= *p.MaxTTL) {
			t.Errorf("%s: TTLs %d/%d/%d out of order", id, *p.MinTTL, *p.DefaultTTL, *p.MaxTTL)
		}
		k := p.ParametersInCacheKeyAndForwardedToOrigin
		if k == nil || k.HeadersConfig == nil || k.CookiesConfig == nil || k.QueryStringsConfig == nil ||
			k.EnableAcceptEncodingGzip == nil || k.EnableAcceptEncodingBrotli == nil {
			t.Errorf("%s: incomplete cache key parameters", id)
			continue
		}
		managedCheckBehavior(t, id+" headers", string(k.HeadersConfig.HeaderBehavior), managedHeaderItems(k.HeadersConfig.Headers))
		var cookies, qs []string
		if k.CookiesConfig.Cookies != nil {
			cookies = k.CookiesConfig.Cookies.Items
		}
		if k.QueryStringsConfig.QueryStrings != nil {
			qs = k.QueryStringsConfig.QueryStrings.Items
		}
		managedCheckBehavior(t, id+" cookies", string(k.CookiesConfig.CookieBehavior), cookies)
		managedCheckBehavior(t, id+" query strings", string(k.QueryStringsConfig.QueryStringBehavior), qs)
	}
}

func TestManagedOriginRequestPolicyShape(t *testing.T) {
	for id, p := range managedOriginRequestPolicies {
		if p.HeadersConfig == nil || p.CookiesConfig == nil || p.QueryStringsConfig == nil {
			t.Errorf("%s: incomplete", id)
			continue
		}
		managedCheckBehavior(t, id+" headers", string(p.HeadersConfig.HeaderBehavior), managedHeaderItems(p.HeadersConfig.Headers))
		var cookies, qs []string
		if p.CookiesConfig.Cookies != nil {
			cookies = p.CookiesConfig.Cookies.Items
		}
		if p.QueryStringsConfig.QueryStrings != nil {
			qs = p.QueryStringsConfig.QueryStrings.Items
		}
		managedCheckBehavior(t, id+" cookies", string(p.CookiesConfig.CookieBehavior), cookies)
		managedCheckBehavior(t, id+" query strings", string(p.QueryStringsConfig.QueryStringBehavior), qs)
	}
}

func TestManagedResponseHeadersPolicyShape(t *testing.T) {
	for id, p := range managedResponseHeadersPolicies {
		if p.CorsConfig == nil && p.SecurityHeadersConfig == nil {
			t.Errorf("%s: adds no headers", id)
		}
		if c := p.CorsConfig; c != nil {
			if c.AccessControlAllowCredentials == nil || c.OriginOverride == nil || c.AccessControlAllowHeaders == nil ||
				c.AccessControlAllowMethods == nil || c.AccessControlAllowOrigins == nil {
				t.Errorf("%s: CORS config lacks a required field", id)
			}
		}
	}
}

func TestManagedCachingDisabled(t *testing.T) {
	p, ok := ManagedCachePolicy("4135ea2d-6df8-44a3-9df3-4b5a84be39ad")
	if !ok {
		t.Fatal("CachingDisabled not found")
	}
	if *p.Name != "Managed-CachingDisabled" {
		t.Errorf("name %q", *p.Name)
	}
	if *p.MinTTL != 0 || *p.DefaultTTL != 0 || *p.MaxTTL != 0 {
		t.Errorf("TTLs %d/%d/%d, want 0/0/0", *p.MinTTL, *p.DefaultTTL, *p.MaxTTL)
	}
	k := p.ParametersInCacheKeyAndForwardedToOrigin
	if k.HeadersConfig.HeaderBehavior != types.CachePolicyHeaderBehaviorNone || k.HeadersConfig.Headers != nil ||
		k.CookiesConfig.CookieBehavior != types.CachePolicyCookieBehaviorNone || k.CookiesConfig.Cookies != nil ||
		k.QueryStringsConfig.QueryStringBehavior != types.CachePolicyQueryStringBehaviorNone || k.QueryStringsConfig.QueryStrings != nil {
		t.Errorf("cache key is not empty: %+v %+v %+v", k.HeadersConfig, k.CookiesConfig, k.QueryStringsConfig)
	}
	if *k.EnableAcceptEncodingGzip || *k.EnableAcceptEncodingBrotli {
		t.Error("compression is enabled")
	}
}

func TestManagedCachingOptimized(t *testing.T) {
	p, ok := ManagedCachePolicy("658327ea-f89d-4fab-a63d-7e88639e58f6")
	if !ok {
		t.Fatal("CachingOptimized not found")
	}
	if *p.Name != "Managed-CachingOptimized" {
		t.Errorf("name %q", *p.Name)
	}
	if *p.MinTTL != 1 || *p.DefaultTTL != 86400 || *p.MaxTTL != 31536000 {
		t.Errorf("TTLs %d/%d/%d, want 1/86400/31536000", *p.MinTTL, *p.DefaultTTL, *p.MaxTTL)
	}
	k := p.ParametersInCacheKeyAndForwardedToOrigin
	if !*k.EnableAcceptEncodingGzip || !*k.EnableAcceptEncodingBrotli {
		t.Error("gzip and brotli must both be enabled")
	}
	if k.HeadersConfig.HeaderBehavior != types.CachePolicyHeaderBehaviorNone ||
		k.CookiesConfig.CookieBehavior != types.CachePolicyCookieBehaviorNone ||
		k.QueryStringsConfig.QueryStringBehavior != types.CachePolicyQueryStringBehaviorNone {
		t.Error("cache key must hold nothing but the normalized Accept-Encoding")
	}
}

func TestManagedElementalMediaPackage(t *testing.T) {
	p, _ := ManagedCachePolicy("08627262-05a9-4f76-9ded-b50ca2e3a84f")
	k := p.ParametersInCacheKeyAndForwardedToOrigin
	if !*k.EnableAcceptEncodingGzip || *k.EnableAcceptEncodingBrotli {
		t.Error("want gzip only")
	}
	qs := slices.Sorted(slices.Values(k.QueryStringsConfig.QueryStrings.Items))
	if want := []string{"aws.manifestfilter", "end", "m", "start"}; !slices.Equal(qs, want) {
		t.Errorf("query strings %v, want %v", qs, want)
	}
}

func TestManagedAllViewerExceptHostHeader(t *testing.T) {
	p, ok := ManagedOriginRequestPolicy("b689b0a8-53d0-40ab-baf2-68738e2966ac")
	if !ok {
		t.Fatal("AllViewerExceptHostHeader not found")
	}
	h := p.HeadersConfig
	if h.HeaderBehavior != types.OriginRequestPolicyHeaderBehaviorAllExcept || h.Headers == nil ||
		len(h.Headers.Items) != 1 || !strings.EqualFold(h.Headers.Items[0], "Host") {
		t.Errorf("headers %+v, want all viewer headers except Host", h)
	}
	if p.CookiesConfig.CookieBehavior != types.OriginRequestPolicyCookieBehaviorAll ||
		p.QueryStringsConfig.QueryStringBehavior != types.OriginRequestPolicyQueryStringBehaviorAll {
		t.Error("want all cookies and all query strings")
	}
}

func TestManagedAllViewerAndCloudFrontHeaders(t *testing.T) {
	p, _ := ManagedOriginRequestPolicy("33f36d7e-f396-46d9-90e0-52428a34d9dc")
	h := p.HeadersConfig
	if h.HeaderBehavior != types.OriginRequestPolicyHeaderBehaviorAllViewerAndWhitelistCloudFront {
		t.Errorf("behavior %q", h.HeaderBehavior)
	}
	if len(h.Headers.Items) != 21 {
		t.Errorf("%d CloudFront headers, want 21", len(h.Headers.Items))
	}
	for _, name := range h.Headers.Items {
		if !strings.HasPrefix(name, "CloudFront-") {
			t.Errorf("%q is not a CloudFront header", name)
		}
	}
	if !slices.Contains(h.Headers.Items, "CloudFront-Viewer-Country") {
		t.Error("CloudFront-Viewer-Country missing")
	}
}

func TestManagedSecurityHeaders(t *testing.T) {
	for _, id := range []string{
		"67f7725c-6f97-4210-82d7-5512b31e9d03",
		"e61eb60c-9c35-4d20-a928-2b84e02af89c",
		"eaab4381-ed33-4a86-88ca-d9558dc6cd63",
	} {
		p, _ := ManagedResponseHeadersPolicy(id)
		s := p.SecurityHeadersConfig
		if s == nil {
			t.Errorf("%s: no security headers", id)
			continue
		}
		if !*s.ContentTypeOptions.Override || *s.FrameOptions.Override || *s.ReferrerPolicy.Override ||
			*s.StrictTransportSecurity.Override || *s.XSSProtection.Override {
			t.Errorf("%s: only X-Content-Type-Options overrides the origin", id)
		}
		if s.FrameOptions.FrameOption != types.FrameOptionsListSameorigin ||
			s.ReferrerPolicy.ReferrerPolicy != types.ReferrerPolicyListStrictOriginWhenCrossOrigin ||
			*s.StrictTransportSecurity.AccessControlMaxAgeSec != 31536000 ||
			!*s.XSSProtection.Protection || !*s.XSSProtection.ModeBlock {
			t.Errorf("%s: wrong security header values", id)
		}
	}
}

func TestManagedCORS(t *testing.T) {
	simple, _ := ManagedResponseHeadersPolicy("60669652-455b-4ae9-85a4-c4c02393f86c")
	c := simple.CorsConfig
	if !slices.Equal(c.AccessControlAllowOrigins.Items, []string{"*"}) || *c.OriginOverride ||
		len(c.AccessControlAllowMethods.Items) != 0 || simple.SecurityHeadersConfig != nil {
		t.Errorf("SimpleCORS: %+v", c)
	}
	preflight, _ := ManagedResponseHeadersPolicy("5cc3b908-e619-4b99-88e5-2cf7f45965bd")
	c = preflight.CorsConfig
	var methods []string
	for _, m := range c.AccessControlAllowMethods.Items {
		methods = append(methods, string(m))
	}
	if want := []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}; !slices.Equal(methods, want) {
		t.Errorf("CORS-With-Preflight methods %v, want %v", methods, want)
	}
	if !slices.Equal(c.AccessControlExposeHeaders.Items, []string{"*"}) || *c.OriginOverride {
		t.Errorf("CORS-With-Preflight: %+v", c)
	}
}

func TestManagedUnknown(t *testing.T) {
	for _, id := range []string{"", "00000000-0000-0000-0000-000000000000", "4135EA2D-6DF8-44A3-9DF3-4B5A84BE39AD", "Managed-CachingDisabled"} {
		if p, ok := ManagedCachePolicy(id); ok || p != nil {
			t.Errorf("ManagedCachePolicy(%q) = %v, %v", id, p, ok)
		}
		if p, ok := ManagedOriginRequestPolicy(id); ok || p != nil {
			t.Errorf("ManagedOriginRequestPolicy(%q) = %v, %v", id, p, ok)
		}
		if p, ok := ManagedResponseHeadersPolicy(id); ok || p != nil {
			t.Errorf("ManagedResponseHeadersPolicy(%q) = %v, %v", id, p, ok)
		}
	}
	// Ids of one kind are not found among the others.
	if _, ok := ManagedOriginRequestPolicy("4135ea2d-6df8-44a3-9df3-4b5a84be39ad"); ok {
		t.Error("a cache policy id resolved as an origin request policy")
	}
	if _, ok := ManagedCachePolicy("b689b0a8-53d0-40ab-baf2-68738e2966ac"); ok {
		t.Error("an origin request policy id resolved as a cache policy")
	}
}
