package doctor

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	"github.com/openfront-edge/openfront/internal/cause"
	"github.com/openfront-edge/openfront/internal/hostroute"
)

// Severity ranks a configuration finding.
type Severity string

// Severities, most serious first. Errors make requests fail; warnings make
// some fail or hide why; info notes settings that refuse by design.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

func (s Severity) rank() int {
	switch s {
	case SeverityError:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}

// ConfigFinding is one static finding about a distribution config.
type ConfigFinding struct {
	Severity     Severity `json:"severity"`
	Cause        string   `json:"cause"`
	Detail       string   `json:"detail"`
	Distribution string   `json:"distribution"`
	File         string   `json:"file"`
	JSONPath     string   `json:"json_path"`
	Message      string   `json:"message"`
	Fix          Fix      `json:"fix"`
}

// ConfigReport is the result of CheckConfig.
type ConfigReport struct {
	Summary  ConfigSummary   `json:"summary"`
	Findings []ConfigFinding `json:"findings"`
}

// ConfigSummary describes what was checked.
type ConfigSummary struct {
	Files         []string       `json:"files"`
	Distributions int            `json:"distributions"`
	LoadErrors    []string       `json:"load_errors"`
	BySeverity    map[string]int `json:"by_severity"`
	// LogLines and Countries are set when logs were given (--logs).
	LogLines  int64                       `json:"log_lines,omitempty"`
	Countries map[string]map[string]int64 `json:"countries,omitempty"`
}

// ConfigOptions configure CheckConfig.
type ConfigOptions struct {
	// Certificates maps an ACMCertificateArn or IAMCertificateId to the DNS
	// names of its certificate (from --cert files).
	Certificates map[string][]string
	// Countries are the viewers' countries by distribution id, counted from
	// logs that have c-country.
	Countries map[string]map[string]int64
	LogLines  int64
	// LoadErrors are the problems resource.Load reported.
	LoadErrors []string
}

// CheckConfig finds the settings that cause 403s.
func CheckConfig(m *Model, o ConfigOptions) *ConfigReport {
	rep := &ConfigReport{Summary: ConfigSummary{Files: []string{}, Distributions: len(m.Dists), LoadErrors: append([]string{}, o.LoadErrors...),
		BySeverity: map[string]int{}, LogLines: o.LogLines, Countries: o.Countries}}
	if m.Set != nil {
		rep.Summary.Files = append(rep.Summary.Files, m.Set.Files...)
	}
	c := &checker{m: m, o: o, rep: rep}
	for _, p := range m.Problems {
		f := ConfigFinding{Severity: SeverityError, Cause: string(cause.Unknown), JSONPath: p.Path, Message: p.Msg,
			Fix: Fix{Summary: "correct the value; CloudFront's API refuses it"}}
		if p.Dist != nil {
			f.Distribution, f.File = p.Dist.ID, p.Dist.File
		}
		rep.Findings = append(rep.Findings, f)
	}
	for _, d := range m.Dists {
		c.dist(d)
	}
	sort.SliceStable(rep.Findings, func(i, j int) bool {
		a, b := rep.Findings[i], rep.Findings[j]
		if a.Severity.rank() != b.Severity.rank() {
			return a.Severity.rank() < b.Severity.rank()
		}
		if a.Distribution != b.Distribution {
			return a.Distribution < b.Distribution
		}
		return a.JSONPath < b.JSONPath
	})
	if rep.Findings == nil {
		rep.Findings = []ConfigFinding{}
	}
	for _, f := range rep.Findings {
		rep.Summary.BySeverity[string(f.Severity)]++
	}
	return rep
}

// Failing reports whether the report has errors or warnings.
func (r *ConfigReport) Failing() bool {
	return r.Summary.BySeverity[string(SeverityError)]+r.Summary.BySeverity[string(SeverityWarning)] > 0
}

type checker struct {
	m   *Model
	o   ConfigOptions
	rep *ConfigReport
}

func (c *checker) add(sev Severity, d *Dist, cs cause.Cause, detail, path, msg string, x *fixContext) {
	if x == nil {
		x = &fixContext{dist: d}
	}
	f := ConfigFinding{Severity: sev, Cause: string(cs), Detail: detail, Distribution: d.ID, File: d.File, JSONPath: path, Message: msg,
		Fix: fixFor(cs, detail, x)}
	if f.Fix.JSONPath == "" {
		f.Fix.JSONPath, f.Fix.File = path, d.File
	}
	c.rep.Findings = append(c.rep.Findings, f)
}

func (c *checker) dist(d *Dist) {
	if !d.Enabled {
		c.add(SeverityWarning, d, cause.DistributionDisabled, "", d.Path+".Enabled",
			"the distribution is disabled: every request gets 403 \"Bad request.\"", nil)
	}
	c.certificate(d)
	for _, o := range d.Origins {
		c.origin(d, o)
	}
	def := d.Behaviors[len(d.Behaviors)-1]
	if d.DefaultRootObject == "" && def.Origin != nil && def.Origin.Kind == OriginS3REST && def.Origin.S3Config {
		c.add(SeverityWarning, d, cause.S3Origin, cause.DetailNoDefaultRootObject, d.Path+".DefaultRootObject",
			"no default root object and the default behavior's origin is an S3 REST endpoint: a request for / is a bucket listing, refused with 403", nil)
	}
	for _, b := range d.Behaviors {
		c.behavior(d, b)
	}
	c.shadowing(d)
	c.errorResponses(d)
	c.geo(d)
}

func (c *checker) certificate(d *Dist) {
	if len(d.Aliases) == 0 {
		return
	}
	vc := d.Config.ViewerCertificate
	path := d.Path + ".ViewerCertificate"
	if vc == nil || deref(vc.CloudFrontDefaultCertificate) || (deref(vc.ACMCertificateArn) == "" && deref(vc.IAMCertificateId) == "") {
		c.certFinding(d, path, fmt.Sprintf("aliases %s need a certificate that covers them; the default *.cloudfront.net certificate does not", strings.Join(d.Aliases, ", ")))
		return
	}
	id := deref(vc.ACMCertificateArn)
	if id == "" {
		id = deref(vc.IAMCertificateId)
	}
	names, ok := c.o.Certificates[id]
	if !ok {
		return // nothing to compare with offline
	}
	for i, a := range d.Aliases {
		covered := false
		for _, n := range names {
			if hostroute.CertificateCovers(n, a) {
				covered = true
				break
			}
		}
		if !covered {
			c.certFinding(d, fmt.Sprintf("%s.Aliases.Items[%d]", d.Path, i),
				fmt.Sprintf("alias %s is not covered by certificate %s (names: %s)", a, id, strings.Join(names, ", ")))
		}
	}
}

// certFinding reports an alias CloudFront cannot serve for want of a
// certificate (CNAMEs.html: an alias must be covered by the certificate).
func (c *checker) certFinding(d *Dist, path, msg string) {
	x := &fixContext{dist: d}
	f := ConfigFinding{Severity: SeverityError, Cause: string(cause.AliasNotConfigured), Distribution: d.ID, File: d.File, JSONPath: path, Message: msg,
		Fix: Fix{Summary: "attach an ACM certificate (us-east-1) whose names cover every alias", File: d.File,
			JSONPath: d.Path + ".ViewerCertificate",
			Value:    `{"ACMCertificateArn":"arn:aws:acm:us-east-1:ACCOUNT_ID:certificate/ID","SSLSupportMethod":"sni-only","MinimumProtocolVersion":"TLSv1.2_2021"}`,
			Commands: append([]string{"aws acm request-certificate --region us-east-1 --domain-name " + d.Aliases[0] + " --validation-method DNS"},
				x.updateCommands("ViewerCertificate")...)}}
	c.rep.Findings = append(c.rep.Findings, f)
}

func (c *checker) origin(d *Dist, o *Origin) {
	x := &fixContext{dist: d, beh: &Behavior{Origin: o, Path: d.Path + ".DefaultCacheBehavior"}}
	switch {
	case o.Kind == OriginS3Website && o.S3Config:
		c.add(SeverityError, d, cause.S3Origin, cause.DetailWebsiteEndpointAsRESTOrigin, o.Path+".S3OriginConfig",
			fmt.Sprintf("%s is an S3 website endpoint configured as an S3 origin; website endpoints are custom origins (HTTP only, no OAC)", o.Domain), x)
	case o.Kind == OriginS3Website && o.HasOriginAccess():
		c.add(SeverityError, d, cause.S3Origin, cause.DetailWebsiteEndpointPrivateObject, o.Path+".OriginAccessControlId",
			fmt.Sprintf("%s is an S3 website endpoint: origin access control cannot sign for it, so only public objects are served", o.Domain), x)
	case o.Kind == OriginS3REST && !o.S3Config:
		c.add(SeverityWarning, d, cause.S3Origin, cause.DetailRESTEndpointAsCustomOrigin, o.Path+".CustomOriginConfig",
			fmt.Sprintf("%s is an S3 REST endpoint configured as a custom origin: requests reach it unsigned, so a private bucket answers 403", o.Domain), x)
	case o.Kind == OriginS3REST && !o.HasOriginAccess():
		c.add(SeverityWarning, d, cause.S3Origin, cause.DetailNoOriginAccess, o.Path+".OriginAccessControlId",
			fmt.Sprintf("S3 origin %s has no origin access control or identity: objects must be public, or S3 answers 403", o.Domain), x)
	case o.Kind == OriginS3REST && o.OAC == "" && o.OAI != "":
		c.add(SeverityInfo, d, cause.S3Origin, cause.DetailKMSEncrypted, o.Path+".S3OriginConfig.OriginAccessIdentity",
			"a legacy origin access identity cannot read SSE-KMS objects (403); origin access control can", x)
	}
}

func (c *checker) behavior(d *Dist, b *Behavior) {
	x := &fixContext{dist: d, beh: b}
	if b.Viewer == types.ViewerProtocolPolicyHttpsOnly {
		c.add(SeverityInfo, d, cause.ViewerProtocolHTTPSOnly, "", b.Path+".ViewerProtocolPolicy",
			fmt.Sprintf("path %s is https-only: HTTP requests get 403 \"Bad request.\" rather than a redirect", b.Pattern), x)
	}
	if b.ForwardsHost && b.Origin != nil && b.Origin.Kind == OriginS3REST {
		c.add(SeverityError, d, cause.S3Origin, cause.DetailHostHeaderForwarded, b.HostVia,
			fmt.Sprintf("path %s forwards the viewer's Host to S3 origin %s, which then looks for a bucket named after the viewer's host", b.Pattern, b.Origin.Domain), x)
	}
	if b.Origin == nil && b.TargetOrigin != "" {
		c.add(SeverityError, d, cause.Unknown, "", b.Path+".TargetOriginId",
			fmt.Sprintf("%q names no origin or origin group", b.TargetOrigin), x)
	}
	if b.KeyGroups != nil {
		kp := b.Path + ".TrustedKeyGroups"
		if len(b.KeyGroups) == 0 {
			c.add(SeverityError, d, cause.SignedURL, cause.DetailUnknownKey, kp,
				"restrict viewer access is on with no trusted key group: every request is refused", x)
		}
		for i, g := range b.KeyGroups {
			kg := c.m.Set.KeyGroups[g]
			if kg == nil {
				if len(c.m.Set.KeyGroups) > 0 {
					c.add(SeverityWarning, d, cause.SignedURL, cause.DetailUnknownKey, fmt.Sprintf("%s.Items[%d]", kp, i),
						fmt.Sprintf("key group %s is not among the key groups given", g), x)
				}
				continue
			}
			if kg.Config == nil || len(kg.Config.Items) == 0 {
				c.add(SeverityError, d, cause.SignedURL, cause.DetailUnknownKey, fmt.Sprintf("%s.Items[%d]", kp, i),
					fmt.Sprintf("key group %s has no public keys: nothing can sign for this behavior", g), x)
				continue
			}
			if len(c.m.Set.PublicKeys) == 0 {
				continue
			}
			for _, k := range kg.Config.Items {
				if c.m.Set.PublicKeys[k] == nil {
					c.add(SeverityWarning, d, cause.SignedURL, cause.DetailUnknownKey, fmt.Sprintf("%s.Items[%d]", kp, i),
						fmt.Sprintf("key group %s (%s) lists public key %s, which is not among the public keys given", g, kg.File, k),
						&fixContext{dist: d, beh: b, keyID: k})
				}
			}
		}
	}
	if len(b.Signers) > 0 {
		c.add(SeverityInfo, d, cause.SignedURL, "", b.Path+".TrustedSigners",
			"legacy trusted signers (account key pairs): AWS recommends trusted key groups", x)
	}
}

// shadowing finds cache behaviors an earlier pattern takes requests from,
// when the two disagree about signing (distribution-web-values-specify:
// "the first match wins", so an earlier unsigned pattern serves a signed
// behavior's files without signing; the reverse refuses unsigned ones).
func (c *checker) shadowing(d *Dist) {
	n := len(d.Behaviors) - 1 // the default behavior comes last and shadows nothing
	for j := 0; j < n; j++ {
		for i := 0; i < j; i++ {
			a, b := d.Behaviors[i], d.Behaviors[j]
			if a.Signed() == b.Signed() {
				continue
			}
			w, ok := overlap(a.Pattern, b.Pattern)
			if !ok {
				continue
			}
			x := &fixContext{dist: d, beh: b}
			if b.Signed() {
				c.add(SeverityWarning, d, cause.SignedURL, cause.DetailMissingKeyPairID, b.Path+".PathPattern",
					fmt.Sprintf("signed path %s is shadowed by earlier unsigned path %s: %s is served without signing", b.Pattern, a.Pattern, w), x)
			} else {
				c.add(SeverityWarning, d, cause.SignedURL, cause.DetailMissingKeyPairID, a.Path+".PathPattern",
					fmt.Sprintf("earlier signed path %s takes requests meant for unsigned path %s: %s needs a signature", a.Pattern, b.Pattern, w), &fixContext{dist: d, beh: a})
			}
		}
	}
}

func (c *checker) errorResponses(d *Dist) {
	er := d.ErrorResponses[403]
	if er == nil {
		return
	}
	x := &fixContext{dist: d}
	switch {
	case er.ResponseCode == 200:
		c.add(SeverityWarning, d, cause.CustomErrorResponse, cause.DetailMaskedAs200, er.Path,
			fmt.Sprintf("403 is served as 200 %s: every refusal (WAF, geo, signing, S3) looks like success, and logs show only result type Error", er.PagePath), x)
	case er.PagePath != "" || er.ResponseCode != 0:
		c.add(SeverityInfo, d, cause.CustomErrorResponse, cause.DetailMaskedOther, er.Path,
			fmt.Sprintf("403 is served as %d %s: CloudFront's own page and its cause sentence are hidden", max(er.ResponseCode, 403), er.PagePath), x)
	}
}

func (c *checker) geo(d *Dist) {
	seen := c.o.Countries[d.ID]
	if len(seen) == 0 || d.Geo.Type == types.GeoRestrictionTypeNone || d.Geo.Type == "" {
		return
	}
	var refused []string
	var n int64
	for country, count := range seen {
		if geoBlocks(d.Geo, country) {
			refused = append(refused, fmt.Sprintf("%s (%d)", country, count))
			n += count
		}
	}
	if len(refused) == 0 {
		return
	}
	sort.Strings(refused)
	sev, list := SeverityWarning, "allow list leaves out"
	detail := cause.DetailGeoAllowList
	if d.Geo.Type == types.GeoRestrictionTypeBlacklist {
		sev, list, detail = SeverityInfo, "block list refuses", cause.DetailGeoBlockList
	}
	c.add(sev, d, cause.GeoRestriction, detail, d.Path+".Restrictions.GeoRestriction.Items",
		fmt.Sprintf("the geo %s countries the logs show: %s; %s", list, strings.Join(refused, ", "), plural(n, "request")),
		&fixContext{dist: d, country: strings.SplitN(refused[0], " ", 2)[0]})
}

// overlap reports whether two path patterns match a common path, and one
// such path: a breadth-first search over pairs of positions, so the path is
// a shortest one.
func overlap(p, q string) (string, bool) {
	a, b := canonPattern(p), canonPattern(q)
	type state struct{ i, j int }
	type prev struct {
		from state
		c    byte
		emit bool
	}
	seen := map[state]prev{{0, 0}: {}}
	queue := []state{{0, 0}}
	push := func(s, from state, c byte, emit bool) {
		if _, ok := seen[s]; !ok {
			seen[s] = prev{from, c, emit}
			queue = append(queue, s)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if s.i == len(a) && s.j == len(b) {
			var out []byte
			for cur := s; cur != (state{0, 0}); {
				pv := seen[cur]
				if pv.emit {
					out = append(out, pv.c)
				}
				cur = pv.from
			}
			for l, r := 0, len(out)-1; l < r; l, r = l+1, r-1 {
				out[l], out[r] = out[r], out[l]
			}
			return string(out), true
		}
		var ca, cb byte
		if s.i < len(a) {
			ca = a[s.i]
		}
		if s.j < len(b) {
			cb = b[s.j]
		}
		if ca == '*' {
			push(state{s.i + 1, s.j}, s, 0, false) // the star matches nothing more
		}
		if cb == '*' {
			push(state{s.i, s.j + 1}, s, 0, false)
		}
		if s.i == len(a) || s.j == len(b) {
			continue
		}
		// Both consume one character.
		switch {
		case ca == '*' && cb == '*':
		case ca == '*':
			push(state{s.i, s.j + 1}, s, litOr(cb), true)
		case cb == '*':
			push(state{s.i + 1, s.j}, s, litOr(ca), true)
		case ca == '?' || cb == '?' || ca == cb:
			c := ca
			if ca == '?' {
				c = litOr(cb)
			}
			push(state{s.i + 1, s.j + 1}, s, c, true)
		}
	}
	return "", false
}

func litOr(c byte) byte {
	if c == '?' || c == '*' {
		return 'x'
	}
	return c
}

func canonPattern(p string) string {
	p = strings.ReplaceAll(p, "&amp;", "&")
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	for strings.Contains(p, "**") {
		p = strings.ReplaceAll(p, "**", "*")
	}
	return p
}

// CertificateNames reads the DNS names of a PEM certificate file (the
// first certificate): its subject alternative names, else its common name.
func CertificateNames(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return nil, fmt.Errorf("%s: no certificate found", path)
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(cert.DNSNames) > 0 {
			return cert.DNSNames, nil
		}
		return []string{cert.Subject.CommonName}, nil
	}
}

// WriteJSON writes the report as one JSON document.
func (r *ConfigReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the human report, most serious first.
func (r *ConfigReport) WriteText(w io.Writer, st Style) error {
	p := &printer{w: w}
	s := &r.Summary
	p.f("%d distributions in %d files: %d errors, %d warnings, %d notes\n", s.Distributions, len(s.Files),
		s.BySeverity["error"], s.BySeverity["warning"], s.BySeverity["info"])
	for _, e := range s.LoadErrors {
		p.f("  not read: %s\n", e)
	}
	updates := map[string]bool{}
	for _, f := range r.Findings {
		sev := string(f.Severity)
		switch f.Severity {
		case SeverityError:
			sev = st.wrap("31", sev)
		case SeverityWarning:
			sev = st.wrap("33", sev)
		default:
			sev = st.dim(sev)
		}
		title := f.Cause
		if f.Detail != "" {
			title += "  " + f.Detail
		}
		p.f("\n%s %s  %s\n", sev, st.bold(title), st.dim(f.Distribution))
		p.f("  %s\n", f.Message)
		p.f("  %s %s: %s\n", st.dim("at"), f.File, f.JSONPath)
		f.Fix.writeText(p, st, updates)
	}
	writeUpdates(p, st, updates)
	if len(r.Findings) == 0 {
		p.f("\nno 403 causes found\n")
	}
	return p.err
}
