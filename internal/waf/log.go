package waf

import (
	"encoding/json"
	"strconv"
	"time"
)

// The WAF log record, field names and order as in the AWS WAF developer
// guide ("Log fields for web ACL traffic" and "Log examples").
type logRecord struct {
	Timestamp                   int64       `json:"timestamp"`
	FormatVersion               int         `json:"formatVersion"`
	WebACLID                    string      `json:"webaclId"`
	TerminatingRuleID           string      `json:"terminatingRuleId"`
	TerminatingRuleType         string      `json:"terminatingRuleType"`
	Action                      string      `json:"action"`
	TerminatingRuleMatchDetails []logDetail `json:"terminatingRuleMatchDetails"`
	HTTPSourceName              string      `json:"httpSourceName"`
	HTTPSourceID                string      `json:"httpSourceId"`
	RuleGroupList               []logGroup  `json:"ruleGroupList"`
	RateBasedRuleList           []logRate   `json:"rateBasedRuleList"`
	NonTerminatingMatchingRules []logRule   `json:"nonTerminatingMatchingRules"`
	RequestHeadersInserted      []logHeader `json:"requestHeadersInserted"`
	ResponseCodeSent            *int        `json:"responseCodeSent"`
	HTTPRequest                 logRequest  `json:"httpRequest"`
	Labels                      []logLabel  `json:"labels,omitempty"`
	OversizeFields              []string    `json:"oversizeFields,omitempty"`
	// The fingerprints of the request's TLS ClientHello, when there is one
	// ("Log fields for web ACL traffic": ja3Fingerprint, ja4Fingerprint).
	JA3Fingerprint string  `json:"ja3Fingerprint,omitempty"`
	JA4Fingerprint string  `json:"ja4Fingerprint,omitempty"`
	ClientASN      *uint32 `json:"clientAsn,omitempty"`
	ForwardedASN   *uint32 `json:"forwardedAsn,omitempty"`
}

type logDetail struct {
	ConditionType    string   `json:"conditionType"`
	SensitivityLevel string   `json:"sensitivityLevel,omitempty"`
	Location         string   `json:"location"`
	MatchedData      []string `json:"matchedData"`
}

type logRule struct {
	RuleID           string      `json:"ruleId"`
	Action           string      `json:"action"`
	OverriddenAction string      `json:"overriddenAction,omitempty"`
	RuleMatchDetails []logDetail `json:"ruleMatchDetails"`
}

type logGroup struct {
	RuleGroupID                 string        `json:"ruleGroupId"`
	TerminatingRule             *logRule      `json:"terminatingRule"`
	NonTerminatingMatchingRules []logRule     `json:"nonTerminatingMatchingRules"`
	ExcludedRules               []logExcluded `json:"excludedRules"` // null when no excluded rule matched
}

// logExcluded is an excludedRules entry: a rule the reference's
// ExcludedRules set to Count, which matched. Rules set to Count by
// RuleActionOverrides are listed among the matching rules instead, with
// overriddenAction ("Log fields for web ACL traffic", excludedRules).
type logExcluded struct {
	ExclusionType string `json:"exclusionType"` // always EXCLUDED_AS_COUNT
	RuleID        string `json:"ruleId"`
}

type logRate struct {
	RateBasedRuleID     string        `json:"rateBasedRuleId"`
	RateBasedRuleName   string        `json:"rateBasedRuleName"`
	LimitKey            string        `json:"limitKey"`
	LimitValue          string        `json:"limitValue,omitempty"`
	MaxRateAllowed      int64         `json:"maxRateAllowed"`
	EvaluationWindowSec string        `json:"evaluationWindowSec"`
	CustomValues        []logCustomKV `json:"customValues,omitempty"`
}

type logCustomKV struct {
	Key   string `json:"key"`
	Name  string `json:"name,omitempty"`
	Value string `json:"value"`
}

type logHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type logRequest struct {
	ClientIP    string      `json:"clientIp"`
	Country     string      `json:"country"`
	Headers     []logHeader `json:"headers"`
	URI         string      `json:"uri"`
	Args        string      `json:"args"`
	HTTPVersion string      `json:"httpVersion"`
	HTTPMethod  string      `json:"httpMethod"`
	RequestID   string      `json:"requestId"`
}

type logLabel struct {
	Name string `json:"name"`
}

// maxLogLabels: AWS logs the first 100 labels.
const maxLogLabels = 100

// LogRecord renders the AWS WAF log record (one JSON object, no newline)
// for a request and its verdict. webACLID is the web ACL's ARN and
// distributionID the CloudFront distribution (httpSourceId).
func (a *ACL) LogRecord(r *Request, v Verdict, now time.Time, webACLID, distributionID string) []byte {
	rec := logRecord{
		Timestamp: now.UnixMilli(), FormatVersion: 1, WebACLID: webACLID,
		TerminatingRuleID: v.TerminatingRuleID, TerminatingRuleType: v.TerminatingRuleType, Action: v.Action,
		TerminatingRuleMatchDetails: logDetails(v.TerminatingDetails),
		HTTPSourceName:              "CF", HTTPSourceID: distributionID,
		RuleGroupList: []logGroup{}, RateBasedRuleList: []logRate{}, NonTerminatingMatchingRules: logRules(v.NonTerminating),
		OversizeFields: v.OversizeFields,
	}
	for _, g := range v.RuleGroupList {
		lg := logGroup{RuleGroupID: g.RuleGroupID, NonTerminatingMatchingRules: []logRule{}}
		for _, m := range g.NonTerminating {
			if m.Excluded {
				lg.ExcludedRules = append(lg.ExcludedRules, logExcluded{ExclusionType: "EXCLUDED_AS_COUNT", RuleID: m.RuleID})
				continue
			}
			lg.NonTerminatingMatchingRules = append(lg.NonTerminatingMatchingRules, logRules([]RuleMatch{m})...)
		}
		if g.TerminatingRule != nil {
			lr := logRules([]RuleMatch{*g.TerminatingRule})[0]
			lg.TerminatingRule = &lr
		}
		rec.RuleGroupList = append(rec.RuleGroupList, lg)
	}
	for _, rb := range v.RateBasedRuleList {
		lr := logRate{RateBasedRuleID: a.arn + "/" + rb.RuleName, RateBasedRuleName: rb.RuleName, LimitKey: rb.LimitKey,
			LimitValue: rb.LimitValue, MaxRateAllowed: rb.MaxRateAllowed, EvaluationWindowSec: strconv.FormatInt(rb.EvaluationWindowSec, 10)}
		for _, cv := range rb.CustomValues {
			lr.CustomValues = append(lr.CustomValues, logCustomKV(cv))
		}
		rec.RateBasedRuleList = append(rec.RateBasedRuleList, lr)
	}
	if v.Action == ActionAllow {
		for _, h := range v.InsertHeaders {
			rec.RequestHeadersInserted = append(rec.RequestHeadersInserted, logHeader{h[0], h[1]})
		}
	}
	if cr := v.CustomResponse; cr != nil && cr.Custom {
		rec.ResponseCodeSent = &cr.Status
	}
	country := r.Country
	if country == "" {
		country = "-"
	}
	rec.HTTPRequest = logRequest{ClientIP: r.ClientIP.String(), Country: country, Headers: []logHeader{},
		URI: r.URI, Args: r.RawQuery, HTTPVersion: r.HTTPVersion, HTTPMethod: r.Method, RequestID: r.RequestID}
	for _, h := range r.Headers {
		rec.HTTPRequest.Headers = append(rec.HTTPRequest.Headers, logHeader(h))
	}
	for i, l := range v.Labels {
		if i == maxLogLabels {
			break
		}
		rec.Labels = append(rec.Labels, logLabel{l})
	}
	rec.JA3Fingerprint, _ = r.fingerprint(true)
	rec.JA4Fingerprint, _ = r.fingerprint(false)
	a.logASNs(&rec, r)
	b, err := json.Marshal(rec)
	if err != nil {
		// Only strings, numbers and slices: Marshal cannot fail.
		panic(err)
	}
	return b
}

func logDetails(ds []MatchDetail) []logDetail {
	out := []logDetail{}
	for _, d := range ds {
		out = append(out, logDetail{d.ConditionType, d.SensitivityLevel, d.Location, d.MatchedData})
	}
	return out
}

func logRules(ms []RuleMatch) []logRule {
	out := []logRule{}
	for _, m := range ms {
		out = append(out, logRule{RuleID: m.RuleID, Action: m.Action, OverriddenAction: m.OverriddenAction, RuleMatchDetails: logDetails(m.Details)})
	}
	return out
}
