package waf

// Verdict is the outcome of evaluating a request: the action, what decided
// it, and everything the WAF log reports.
type Verdict struct {
	Action              string // ALLOW, BLOCK, CAPTCHA, CHALLENGE
	TerminatingRuleID   string // rule name, or Default_Action
	TerminatingRuleType string // REGULAR, RATE_BASED, GROUP (AWS logs the default action as REGULAR)
	TerminatingDetails  []MatchDetail
	Labels              []string // fully qualified, in the order added
	// CustomResponse is the response to send for BLOCK (nil: WAF's default
	// 403), CAPTCHA (405) and CHALLENGE (202).
	CustomResponse    *CustomResponse
	InsertHeaders     [][2]string // added to the request forwarded to the origin (ALLOW only)
	NonTerminating    []RuleMatch
	RuleGroupList     []RuleGroupResult
	RateBasedRuleList []RateBasedResult
	OversizeFields    []string // REQUEST_BODY, REQUEST_JSON_BODY, REQUEST_HEADERS, REQUEST_COOKIES
}

// RuleMatch is a rule that matched without terminating (or, inside a rule
// group, the group's terminating rule).
type RuleMatch struct {
	RuleID           string
	Action           string
	OverriddenAction string // the rule's own action when an override replaced it
	// Excluded marks a rule group's rule counted because the reference's
	// ExcludedRules names it: the WAF log lists it in the group's
	// excludedRules (EXCLUDED_AS_COUNT), not among its matching rules.
	Excluded bool
	Details  []MatchDetail
}

// MatchDetail is one ruleMatchDetails entry (SQLi and XSS matches).
type MatchDetail struct {
	ConditionType    string // SQL_INJECTION, XSS
	SensitivityLevel string // LOW, HIGH for SQL_INJECTION
	Location         string // HEADER, QUERY_STRING, BODY, …
	MatchedData      []string
}

// RuleGroupResult is one ruleGroupList entry.
type RuleGroupResult struct {
	RuleGroupID     string
	TerminatingRule *RuleMatch
	NonTerminating  []RuleMatch
}

// reset empties v while keeping its slices' memory for reuse.
func (v *Verdict) reset() {
	*v = Verdict{
		Labels:            v.Labels[:0],
		InsertHeaders:     v.InsertHeaders[:0],
		NonTerminating:    v.NonTerminating[:0],
		RuleGroupList:     v.RuleGroupList[:0],
		RateBasedRuleList: v.RateBasedRuleList[:0],
		OversizeFields:    v.OversizeFields[:0],
	}
}
