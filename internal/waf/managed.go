package waf

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3"
)

// Managed rule groups are emulated with the OWASP Core Rule Set (CRS)
// embedded by coraza-coreruleset and run by Coraza at paranoia level 1
// with anomaly scoring (rule 949110 blocks). AWS does not publish its
// managed rules, so each AWS group is mapped onto the CRS families that
// cover what AWS documents for it; MANAGED.md says how faithful each
// mapping is.

// crsGroup is one managed group this edge knows: which CRS files it runs
// and how its rules are named in labels and overrides.
type crsGroup struct {
	vendor, name string
	labelNS      string   // label namespace, "awswaf:managed:aws:sql-database:"
	files        []string // CRS rule files between 901 (initialisation) and 949 (blocking)
	remove       []int    // CRS rules of those files that the group leaves out
	setup        string   // SecActions placed before 901, which only sets defaults
	names        []awsRule

	idsOnce sync.Once
	ids     map[int]bool // detecting rules the group runs, for validating overrides
}

// crsGroups lists the managed groups; any other AWS group is refused by
// name. Why each family is in a group: MANAGED.md.
var crsGroups = []*crsGroup{
	{
		vendor: "AWS", name: "AWSManagedRulesCommonRuleSet", labelNS: "awswaf:managed:aws:core-rule-set:",
		files: []string{
			"REQUEST-913-SCANNER-DETECTION", "REQUEST-920-PROTOCOL-ENFORCEMENT", "REQUEST-921-PROTOCOL-ATTACK",
			"REQUEST-930-APPLICATION-ATTACK-LFI", "REQUEST-931-APPLICATION-ATTACK-RFI",
			"REQUEST-934-APPLICATION-ATTACK-GENERIC", "REQUEST-941-APPLICATION-ATTACK-XSS",
		},
		names: commonNames,
	},
	{
		vendor: "AWS", name: "AWSManagedRulesSQLiRuleSet", labelNS: "awswaf:managed:aws:sql-database:",
		files: []string{"REQUEST-942-APPLICATION-ATTACK-SQLI"},
		names: sqliNames,
	},
	{
		vendor: "AWS", name: "AWSManagedRulesKnownBadInputsRuleSet", labelNS: "awswaf:managed:aws:known-bad-inputs:",
		files: []string{"REQUEST-911-METHOD-ENFORCEMENT", "REQUEST-930-APPLICATION-ATTACK-LFI", "REQUEST-944-APPLICATION-ATTACK-JAVA"},
		// Path traversal and OS files belong to the Common group (GenericLFI);
		// this group keeps only restricted files (ExploitablePaths).
		remove: []int{930100, 930110, 930120},
		// AWS blocks only PROPFIND by method (PROPFIND_METHOD); CRS's default
		// list would also block PUT, PATCH and DELETE.
		setup: `SecAction "id:900200,phase:1,pass,t:none,nolog,setvar:'tx.allowed_methods=GET HEAD POST OPTIONS PUT PATCH DELETE CONNECT TRACE'"`,
		names: knownBadNames,
	},
	{
		vendor: "openfront", name: "OWASP-CRS", labelNS: "awswaf:managed:openfront:owasp-crs:",
		files: nil, // every REQUEST-* file, unmodified
	},
}

func findCRSGroup(vendor, name string) *crsGroup {
	for _, g := range crsGroups {
		if g.vendor == vendor && g.name == name {
			return g
		}
	}
	return nil
}

// crsBase is the engine set-up shared by every group: Coraza's recommended
// configuration with the rule engine switched On (it ships DetectionOnly),
// no response inspection and no audit log (the edge writes WAF logs), and
// without the two recommended rules that deny with 400 when a body cannot
// be parsed (200002, 200003): the edge inspects only a prefix of the body,
// which a JSON or multipart parser would reject, and AWS's managed groups
// do not block unparsable bodies. Coraza's experimental @rx pre-filter
// (SecRxPreFilter On) would save a third of the time but made the oracle
// test disagree (CRS test 942220-2 is missed), so it stays off.
const crsBase = `Include @coraza.conf-recommended
SecRuleEngine On
SecResponseBodyAccess Off
SecAuditEngine Off
SecRuleRemoveById 200002 200003
Include @crs-setup.conf.example
`

// directives returns the SecLang configuration of the group with the
// given CRS rules removed. The oracle test builds its reference WAF from
// the same text.
func (g *crsGroup) directives(removed []int) string {
	var b strings.Builder
	b.WriteString(crsBase)
	if g.setup != "" {
		b.WriteString(g.setup + "\n")
	}
	if g.files == nil {
		b.WriteString("Include @owasp_crs/REQUEST-*.conf\n")
	} else {
		b.WriteString("Include @owasp_crs/REQUEST-901-INITIALIZATION.conf\n")
		for _, f := range g.files {
			b.WriteString("Include @owasp_crs/" + f + ".conf\n")
		}
		b.WriteString("Include @owasp_crs/REQUEST-949-BLOCKING-EVALUATION.conf\n")
	}
	rm := slices.Concat(g.remove, removed)
	slices.Sort(rm)
	rm = slices.Compact(rm)
	if len(rm) > 0 {
		b.WriteString("SecRuleRemoveById")
		for _, id := range rm {
			b.WriteString(" " + strconv.Itoa(id))
		}
		b.WriteString("\n")
	}
	return b.String()
}

var ruleIDRx = regexp.MustCompile(`(?m)(?:"|,|^\s*)id:'?(\d{6})`)

// detecting returns the ids of the rules the group runs, read from the
// embedded rule files, without the initialisation (901), blocking (949)
// and paranoia-level marker rules (…011 to …018), which never detect.
func (g *crsGroup) detecting() map[int]bool {
	g.idsOnce.Do(func() {
		g.ids = map[int]bool{}
		files := g.files
		if files == nil {
			names, _ := fs.Glob(coreruleset.FS, "@owasp_crs/REQUEST-*.conf")
			for _, n := range names {
				files = append(files, strings.TrimSuffix(strings.TrimPrefix(n, "@owasp_crs/"), ".conf"))
			}
		}
		for _, f := range files {
			b, err := fs.ReadFile(coreruleset.FS, "@owasp_crs/"+f+".conf")
			if err != nil {
				panic(fmt.Sprintf("embedded CRS lacks %s: %v", f, err)) // the module embeds them all
			}
			for _, m := range ruleIDRx.FindAllSubmatch(b, -1) {
				id, _ := strconv.Atoi(string(m[1]))
				if !isCRSMarker(id) {
					g.ids[id] = true
				}
			}
		}
		for _, id := range g.remove {
			delete(g.ids, id)
		}
	})
	return g.ids
}

// isCRSMarker reports CRS rules that set up, skip or score but never
// detect: 901 initialisation, the paranoia-level skips ending in 011–018,
// 949/959 blocking evaluation and 980 reporting.
func isCRSMarker(id int) bool {
	fam, n := id/1000, id%1000
	return fam == 900 || fam == 901 || fam == 905 || fam == 949 || fam == 959 || fam == 980 || fam == 999 || (n >= 11 && n <= 18) || id < 900000
}

// wafCache keeps one Coraza WAF per configuration text for the life of the
// process: loading the full CRS takes about 87 ms and some MB, and a
// reload of an unchanged web ACL should pay neither again. The number of
// distinct configurations is bounded by what operators write.
var wafCache = struct {
	sync.Mutex
	m map[string]*wafEntry
}{m: map[string]*wafEntry{}}

type wafEntry struct {
	once sync.Once
	waf  coraza.WAF
	err  error
}

// maxCachedWAFs bounds the cache; beyond it an arbitrary entry is dropped
// (compiled ACLs keep their own reference).
const maxCachedWAFs = 32

func loadCRS(directives string) (coraza.WAF, error) {
	wafCache.Lock()
	e, ok := wafCache.m[directives]
	if !ok {
		if len(wafCache.m) >= maxCachedWAFs {
			for k := range wafCache.m {
				delete(wafCache.m, k)
				break
			}
		}
		e = &wafEntry{}
		wafCache.m[directives] = e
	}
	wafCache.Unlock()
	e.once.Do(func() {
		e.waf, e.err = coraza.NewWAF(coraza.NewWAFConfig().WithRootFS(coreruleset.FS).WithDirectives(directives))
	})
	return e.waf, e.err
}

// managedRef is a compiled ManagedRuleGroupStatement.
type managedRef struct {
	group   *crsGroup
	groupID string // ruleGroupId in logs: "AWS#AWSManagedRulesSQLiRuleSet"
	waf     coraza.WAF
	scope   matcher           // ScopeDownStatement; nil inspects every request
	count   map[string]string // rule (CRS id or AWS name) → the action it overrides, for rules set to Count
	exclude map[string]bool   // the AWS names of count that come from ExcludedRules (logged as excludedRules)
}

// match is never used: the evaluator runs the group (see managed).
func (m *managedRef) match(*evalCtx) bool { return false }

// managedGroup compiles a ManagedRuleGroupStatement onto CRS rules. Version
// and ManagedRuleGroupConfigs are ignored (the CRS version is the one
// embedded; the configs tune AWS groups this edge does not run).
func (cp *compiler) managedGroup(path string, s *types.ManagedRuleGroupStatement) matcher {
	vendor, name := deref(s.VendorName), deref(s.Name)
	g := findCRSGroup(vendor, name)
	if g == nil {
		cp.errorf("%s: managed rule group %s/%s is not supported by this edge (supported: %s); to run the web ACL without this rule, pass --waf-skip-managed-group %s", path, vendor, name, supportedGroups(), name)
		return nil
	}
	m := &managedRef{group: g, groupID: vendor + "#" + name, count: map[string]string{}, exclude: map[string]bool{}}
	ids := g.detecting()
	var removed []int
	// resolve names a rule of the group: a CRS id it runs, or an AWS rule
	// name of its mapping table.
	resolve := func(p, n string) (crsID int, ok bool) {
		if id, err := strconv.Atoi(n); err == nil {
			if !ids[id] {
				cp.errorf("%s: managed rule group %s has no CRS rule %q", p, name, n)
				return 0, false
			}
			return id, true
		}
		if g.awsRule(n) == nil {
			cp.errorf("%s: managed rule group %s has no rule %q (use a CRS rule id or one of: %s)", p, name, n, g.ruleNames())
			return 0, false
		}
		return 0, true
	}
	// ExcludedRules by CRS id remove the rule from the engine; by AWS name
	// (a CRS family restricted to a part of the request, which the engine
	// cannot remove) they count it, which is what AWS does for excluded
	// rules anyway.
	for i, e := range s.ExcludedRules {
		n := deref(e.Name)
		id, ok := resolve(fmt.Sprintf("%s.ExcludedRules[%d].Name", path, i), n)
		switch {
		case !ok:
		case id != 0:
			removed = append(removed, id)
		default:
			m.count[n] = ActionBlock
			m.exclude[n] = true
		}
	}
	for i, o := range s.RuleActionOverrides {
		p := fmt.Sprintf("%s.RuleActionOverrides[%d]", path, i)
		n := deref(o.Name)
		if _, ok := resolve(p+".Name", n); !ok {
			continue
		}
		switch a := o.ActionToUse; {
		case a == nil:
			cp.errorf("%s.ActionToUse: required", p)
		case a.Count != nil && a.Allow == nil && a.Block == nil && a.Captcha == nil && a.Challenge == nil:
			m.count[n] = ActionBlock
			delete(m.exclude, n) // the override decides what is logged
		case a.Block != nil && a.Allow == nil && a.Count == nil && a.Captcha == nil && a.Challenge == nil:
			// Every CRS-backed rule already blocks (through the anomaly score);
			// the override only undoes an ExcludedRules entry by AWS name, as
			// an override replaces an exclusion in a rule group reference.
			delete(m.count, n)
			delete(m.exclude, n)
			if a.Block.CustomResponse != nil {
				cp.errorf("%s.ActionToUse.Block.CustomResponse: not supported on CRS-backed managed rules", p)
			}
		default:
			cp.errorf("%s.ActionToUse: only Count or Block is supported on CRS-backed managed rules (they block through an anomaly score)", p)
		}
	}
	if s.ScopeDownStatement != nil {
		m.scope = cp.statement(path+".ScopeDownStatement", s.ScopeDownStatement, false)
	}
	w, err := loadCRS(g.directives(removed))
	if err != nil {
		cp.errorf("%s: loading CRS rules for %s: %v", path, name, err)
		return nil
	}
	m.waf = w
	return m
}

func supportedGroups() string {
	var s []string
	for _, g := range crsGroups {
		s = append(s, g.vendor+"/"+g.name)
	}
	return strings.Join(s, ", ")
}

func (g *crsGroup) ruleNames() string {
	if len(g.names) == 0 {
		return "none"
	}
	var s []string
	for _, r := range g.names {
		s = append(s, r.name)
	}
	return strings.Join(s, ", ")
}
