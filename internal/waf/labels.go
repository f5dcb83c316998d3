package waf

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// labelMatch is a compiled LabelMatchStatement. It sees only labels added
// by rules that ran before it. A fully qualified key ("awswaf:…") matches
// the label itself (LABEL) or a namespace prefix (NAMESPACE). Any other key
// is searched among the labels of the statement's own context (the web ACL
// or rule group namespace, as AWS documents), where a LABEL key is the name
// with any number of preceding namespaces ("suspect", "team:suspect") and a
// NAMESPACE key is any run of contiguous namespaces ("team:").
type labelMatch struct {
	ctx string // context namespace; "" for fully qualified keys
	key string // NAMESPACE keys end with ':'
	ns  bool
}

func (m labelMatch) match(c *evalCtx) bool {
	for _, l := range c.v.Labels {
		if m.matches(l) {
			return true
		}
	}
	return false
}

func (m labelMatch) matches(l string) bool {
	if m.ctx == "" {
		if m.ns {
			return strings.HasPrefix(l, m.key)
		}
		return l == m.key
	}
	rest, ok := strings.CutPrefix(l, m.ctx)
	if !ok {
		return false
	}
	if !m.ns {
		return rest == m.key || (strings.HasSuffix(rest, m.key) && rest[len(rest)-len(m.key)-1] == ':')
	}
	nsPart := rest[:strings.LastIndexByte(rest, ':')+1] // "" or "a:b:"
	for i := 0; i <= len(nsPart)-len(m.key); i++ {
		if (i == 0 || nsPart[i-1] == ':') && strings.HasPrefix(nsPart[i:], m.key) {
			return true
		}
	}
	return false
}

func (cp *compiler) labelMatch(path string, l *types.LabelMatchStatement) matcher {
	key := deref(l.Key)
	var ns bool
	switch l.Scope {
	case "LABEL":
		if strings.HasSuffix(key, ":") {
			cp.errorf("%s.Key: label key %q must end with a label name, not a colon", path, key)
			return nil
		}
	case "NAMESPACE":
		ns = true
	default:
		cp.errorf("%s.Scope: must be LABEL or NAMESPACE, got %q", path, l.Scope)
		return nil
	}
	if err := checkLabel(key, true); err != nil {
		cp.errorf("%s.Key: %v", path, err)
		return nil
	}
	if ns && !strings.HasSuffix(key, ":") {
		key += ":"
	}
	if strings.HasPrefix(key, "awswaf:") {
		return labelMatch{key: key, ns: ns}
	}
	return labelMatch{ctx: cp.ns, key: key, ns: ns}
}

// addLabel adds a fully qualified label once.
func (c *evalCtx) addLabel(l string) {
	for _, x := range c.v.Labels {
		if x == l {
			return
		}
	}
	c.v.Labels = append(c.v.Labels, l)
}

// geoLabels holds awswaf:clientip:geo:country:XX and the forwardedip
// variant for every two-letter code, built once so that labelling a request
// allocates nothing.
var geoLabels = func() (t [2][26 * 26]string) {
	for i := range 26 * 26 {
		cc := string([]byte{byte('A' + i/26), byte('A' + i%26)})
		t[0][i] = "awswaf:clientip:geo:country:" + cc
		t[1][i] = "awswaf:forwardedip:geo:country:" + cc
	}
	return
}()

// countryIndex maps an ISO 3166 alpha-2 code to 0..675, or -1.
func countryIndex(cc string) int {
	if len(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z' {
		return -1
	}
	return int(cc[0]-'A')*26 + int(cc[1]-'A')
}
