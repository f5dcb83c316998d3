package waf

import (
	"strconv"
	"strings"

	"github.com/corazawaf/coraza/v3"
	"github.com/corazawaf/coraza/v3/experimental/plugins/plugintypes"
	ctypes "github.com/corazawaf/coraza/v3/types"
)

// crsThreshold is CRS's default inbound anomaly score threshold
// (tx.inbound_anomaly_score_threshold, set by 901; this edge does not
// change it).
const crsThreshold = 5

// crsTransaction feeds r to a new transaction of w exactly as a connector
// would: connection, raw URI with the query, method and protocol, every
// header in order (Cookie included), then at most bodyLimit bytes of the
// body, and runs the request phases. The caller closes the transaction.
//
// ProcessRequestBody runs even for a request without a body: CRS evaluates
// most of its argument rules and its blocking rule (949110) in phase 2.
// Without a body it costs only that rule evaluation; Coraza skips body
// processing itself.
func crsTransaction(w coraza.WAF, r *Request, bodyLimit int) ctypes.Transaction {
	tx := w.NewTransaction()
	ip := ""
	if r.ClientIP.IsValid() {
		ip = r.ClientIP.Unmap().String()
	}
	tx.ProcessConnection(ip, r.ClientPort, "", 0)
	uri := r.URI
	if r.RawQuery != "" {
		uri += "?" + r.RawQuery
	}
	tx.ProcessURI(uri, r.Method, r.HTTPVersion)
	for _, h := range r.Headers {
		tx.AddRequestHeader(h.Name, h.Value)
	}
	if host, ok := r.header("host"); ok {
		tx.SetServerName(hostOnly(host))
	}
	if tx.ProcessRequestHeaders() != nil {
		return tx
	}
	if body := r.Body[:min(len(r.Body), bodyLimit)]; len(body) > 0 {
		if it, _, err := tx.WriteRequestBody(body); it != nil || err != nil {
			return tx
		}
	}
	_, _ = tx.ProcessRequestBody() // an error is a body the processor rejected; the rules still ran
	return tx
}

// hostOnly strips the port from a Host header value.
func hostOnly(h string) string {
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i > 0 {
			return h[1:i]
		}
		return h
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[:i], ":") {
		return h[:i]
	}
	return h
}

// crsDetection is a detecting CRS rule that matched.
type crsDetection struct {
	id    int
	score int // what it added to the anomaly score
	where loc
}

// detections lists the detecting rules a transaction matched, in match
// order, without CRS's set-up, paranoia-level, blocking and reporting
// rules.
func detections(tx ctypes.Transaction, r *Request) []crsDetection {
	var out []crsDetection
	for _, mr := range tx.MatchedRules() {
		md := mr.Rule()
		if isCRSMarker(md.ID()) {
			continue
		}
		score := severityScore(md.Severity())
		if score == 0 {
			continue // control rules (941010 and the like) match without detecting
		}
		d := crsDetection{id: md.ID(), where: locOther}
		// CRS adds the rule's score once per variable matched by the last
		// rule of its chain (where its setvar runs); the location is that
		// of the first variable the rule itself matched.
		deepest, n := 0, 0
		for i, m := range mr.MatchedDatas() {
			if i == 0 {
				d.where = locOf(m.Variable(), m.Key(), r)
			}
			switch l := m.ChainLevel(); {
			case l > deepest:
				deepest, n = l, 1
			case l == deepest:
				n++
			}
		}
		d.score = score * max(n, 1)
		out = append(out, d)
	}
	return out
}

// severityScore is CRS's anomaly score per severity (crs-setup defaults).
func severityScore(s ctypes.RuleSeverity) int {
	switch s {
	case ctypes.RuleSeverityEmergency, ctypes.RuleSeverityAlert, ctypes.RuleSeverityCritical:
		return 5
	case ctypes.RuleSeverityError:
		return 4
	case ctypes.RuleSeverityWarning:
		return 3
	case ctypes.RuleSeverityNotice:
		return 2
	}
	return 0
}

// txVar reads a TX variable of a transaction (first value).
func txVar(tx ctypes.Transaction, name string) string {
	st, ok := tx.(plugintypes.TransactionState)
	if !ok {
		return ""
	}
	if v := st.Variables().TX().Get(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// managed runs a managed rule group: the CRS over the request, then AWS's
// group semantics over its matches. Every detecting CRS rule is reported
// under its CRS id and labelled with its AWS name when the group maps it
// (else its id). Rules overridden to Count are reported as counted and do
// not add to the anomaly score; the group blocks when Coraza's blocking
// rule fired and, with Count overrides, when the remaining rules still
// reach the threshold.
func (c *evalCtx) managed(ru *rule) bool {
	m := ru.managed
	if m.scope != nil && !m.scope.match(c) {
		return false
	}
	tx := crsTransaction(m.waf, c.r, c.acl.bodyLimit)
	ds := detections(tx, c.r)
	blocked := tx.Interruption() != nil
	_ = tx.Close()

	res := RuleGroupResult{RuleGroupID: m.groupID}
	score := 0
	counted := make([]bool, len(ds))
	excluded := make([]bool, len(ds))
	for i, d := range ds {
		id := strconv.Itoa(d.id)
		ar := m.group.awsName(d.id, d.where)
		label := id
		if ar != nil {
			label = ar.label
		}
		c.addLabel(m.group.labelNS + label)
		counted[i] = m.count[id] != "" || (ar != nil && m.count[ar.name] != "")
		excluded[i] = ar != nil && m.exclude[ar.name] && m.count[id] == ""
		if !counted[i] {
			score += d.score
		}
	}
	if blocked && len(m.count) > 0 && score < crsThreshold {
		blocked = false
	}
	for i, d := range ds {
		rm := RuleMatch{RuleID: strconv.Itoa(d.id), Action: ActionCount}
		if counted[i] {
			rm.OverriddenAction, rm.Excluded = ActionBlock, excluded[i]
		} else if blocked && res.TerminatingRule == nil {
			rm.Action = ActionBlock
			res.TerminatingRule = &rm
			continue
		}
		res.NonTerminating = append(res.NonTerminating, rm)
	}
	if blocked && res.TerminatingRule == nil {
		// Coraza blocked with no detecting rule left to name: report its
		// blocking rule.
		res.TerminatingRule = &RuleMatch{RuleID: "949110", Action: ActionBlock}
	}
	c.v.RuleGroupList = append(c.v.RuleGroupList, res)
	if !blocked {
		return false
	}
	for _, l := range ru.labels {
		c.addLabel(l)
	}
	if ru.overrideCount {
		c.v.NonTerminating = append(c.v.NonTerminating, RuleMatch{RuleID: ru.name, Action: ActionCount, OverriddenAction: ActionBlock})
		return false
	}
	c.v.TerminatingRuleID, c.v.TerminatingRuleType = ru.name, ru.typ
	c.terminate(blockAction, nil)
	return true
}

var blockAction = &action{name: ActionBlock}
