package doctor

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// AWS WAF logs (spec §7.2; WAF developer guide "Log fields for web ACL
// traffic"): one JSON object per request, delivered to S3 (gzip files of
// JSON lines), CloudWatch Logs (exported as "<timestamp> <json>" lines, or
// subscription envelopes with logEvents) or Firehose (records concatenated,
// often without a line feed between them). The doctor joins a record to an
// access-log line by httpRequest.requestId, which for CloudFront is the
// x-edge-request-id.

// wafRecord is the part of a WAF log record the doctor reads.
type wafRecord struct {
	Timestamp           int64  `json:"timestamp"`
	WebACLID            string `json:"webaclId"`
	TerminatingRuleID   string `json:"terminatingRuleId"`
	TerminatingRuleType string `json:"terminatingRuleType"`
	Action              string `json:"action"`
	HTTPSourceName      string `json:"httpSourceName"`
	HTTPSourceID        string `json:"httpSourceId"`
	ResponseCodeSent    *int   `json:"responseCodeSent"`
	RuleGroupList       []struct {
		RuleGroupID     string `json:"ruleGroupId"`
		TerminatingRule *struct {
			RuleID string `json:"ruleId"`
			Action string `json:"action"`
		} `json:"terminatingRule"`
	} `json:"ruleGroupList"`
	RateBasedRuleList []struct {
		RateBasedRuleName string `json:"rateBasedRuleName"`
		LimitKey          string `json:"limitKey"`
		MaxRateAllowed    int64  `json:"maxRateAllowed"`
	} `json:"rateBasedRuleList"`
	HTTPRequest struct {
		ClientIP   string `json:"clientIp"`
		Country    string `json:"country"`
		URI        string `json:"uri"`
		HTTPMethod string `json:"httpMethod"`
		RequestID  string `json:"requestId"`
	} `json:"httpRequest"`
	Labels []struct {
		Name string `json:"name"`
	} `json:"labels"`
	// LogEvents is set on CloudWatch Logs subscription envelopes.
	LogEvents []struct {
		Message string `json:"message"`
	} `json:"logEvents"`
}

// WAFHit is what a WAF record says about one request.
type WAFHit struct {
	Action   string // BLOCK, CAPTCHA, CHALLENGE, ALLOW, COUNT
	RuleID   string // terminatingRuleId, with the rule inside a group: "group/rule"
	RuleType string // terminatingRuleType
	WebACL   string // web ACL ARN
	Country  string
	Status   int // responseCodeSent, 0 when not logged (the default 403)
	Rate     string
}

// Detail is the waf-block detail: "<type>:<rule>".
func (h *WAFHit) Detail() string {
	if h.RuleType == "" {
		return h.RuleID
	}
	return h.RuleType + ":" + h.RuleID
}

// maxWAFRecords bounds the index: about 40 bytes each, so the index stays
// under 100 MiB whatever the input. Records past it are counted, not kept.
const maxWAFRecords = 2_000_000

// WAFIndex holds the non-ALLOW WAF records by request id. It keeps a hash
// of the id, not the id: 64 bits make a false join among two million
// records a one-in-ten-million chance.
type WAFIndex struct {
	seed    maphash.Seed
	hits    map[uint64]wafEntry
	strs    []WAFHit // distinct hits, shared by entries
	strIdx  map[WAFHit]uint32
	Records int // records read
	Allowed int // records with action ALLOW (not kept)
	Dropped int // non-ALLOW records over maxWAFRecords
	// Malformed counts unreadable records; Errors lists unreadable files.
	Malformed int
	Errors    []string
	Files     int

	mu     sync.Mutex
	joined map[uint64]bool
}

type wafEntry struct{ hit uint32 }

// NewWAFIndex returns an empty index.
func NewWAFIndex() *WAFIndex {
	return &WAFIndex{seed: maphash.MakeSeed(), hits: map[uint64]wafEntry{}, strIdx: map[WAFHit]uint32{}, joined: map[uint64]bool{}}
}

// Lookup returns the WAF record of a request id, if one was read.
func (x *WAFIndex) Lookup(requestID string) (*WAFHit, bool) {
	if x == nil || len(x.hits) == 0 || requestID == "" {
		return nil, false
	}
	k := maphash.String(x.seed, requestID)
	e, ok := x.hits[k]
	if !ok {
		return nil, false
	}
	x.mu.Lock()
	x.joined[k] = true
	x.mu.Unlock()
	return &x.strs[e.hit], true
}

// Unjoined counts the kept records no access-log line matched, by detail.
func (x *WAFIndex) Unjoined() map[string]int {
	out := map[string]int{}
	if x == nil {
		return out
	}
	for k, e := range x.hits {
		if !x.joined[k] {
			out[x.strs[e.hit].Detail()]++
		}
	}
	return out
}

// Len is the number of records kept.
func (x *WAFIndex) Len() int { return len(x.hits) }

func (x *WAFIndex) add(r *wafRecord) {
	x.Records++
	if strings.EqualFold(r.Action, "ALLOW") || r.HTTPRequest.RequestID == "" {
		x.Allowed++
		return
	}
	if len(x.hits) >= maxWAFRecords {
		x.Dropped++
		return
	}
	h := WAFHit{Action: strings.ToUpper(r.Action), RuleID: r.TerminatingRuleID, RuleType: r.TerminatingRuleType,
		WebACL: r.WebACLID, Country: r.HTTPRequest.Country}
	if h.Country == "-" {
		h.Country = ""
	}
	if r.ResponseCodeSent != nil {
		h.Status = *r.ResponseCodeSent
	}
	for _, g := range r.RuleGroupList {
		if g.TerminatingRule != nil && g.TerminatingRule.RuleID != "" {
			h.RuleID = ruleGroupName(g.RuleGroupID) + "/" + g.TerminatingRule.RuleID
			break
		}
	}
	for _, rb := range r.RateBasedRuleList {
		if rb.RateBasedRuleName == r.TerminatingRuleID || len(r.RateBasedRuleList) == 1 {
			h.Rate = fmt.Sprintf("limit %d per window by %s", rb.MaxRateAllowed, rb.LimitKey)
		}
	}
	i, ok := x.strIdx[h]
	if !ok {
		i = uint32(len(x.strs))
		x.strs = append(x.strs, h)
		x.strIdx[h] = i
	}
	x.hits[maphash.String(x.seed, r.HTTPRequest.RequestID)] = wafEntry{hit: i}
}

// ruleGroupName is how a WAF log names a rule group for a person: a
// managed group's id as is ("AWS#AWSManagedRulesCommonRuleSet"), a
// customer rule group by the name in its ARN
// ("arn:aws:wafv2:us-east-1:ACCOUNT:global/rulegroup/NAME/ID" → NAME), as
// the console and the web ACL's RuleGroupReferenceStatement show it.
func ruleGroupName(id string) string {
	if !strings.HasPrefix(id, "arn:") {
		return id
	}
	_, rest, ok := strings.Cut(id, "/rulegroup/")
	if !ok {
		return id
	}
	if name, _, _ := strings.Cut(rest, "/"); name != "" {
		return name
	}
	return id
}

// ReadWAF adds the records of one WAF log file (plain or gzip). Only a file
// that cannot be opened is an error; unreadable records and a file cut off
// are counted in Malformed and noted in Errors.
func (x *WAFIndex) ReadWAF(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	x.Files++
	br := bufio.NewReaderSize(f, 64<<10)
	var src io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			x.Malformed++
			x.Errors = append(x.Errors, fmt.Sprintf("%s: %v", path, err))
			return nil
		}
		defer zr.Close()
		src = zr
	}
	err = scanObjects(src, func(obj []byte) {
		var r wafRecord
		if err := json.Unmarshal(obj, &r); err != nil {
			x.Malformed++
			return
		}
		if len(r.LogEvents) > 0 {
			for _, e := range r.LogEvents {
				var inner wafRecord
				if json.Unmarshal([]byte(e.Message), &inner) != nil {
					x.Malformed++
					continue
				}
				x.add(&inner)
			}
			return
		}
		if r.HTTPRequest.RequestID == "" && r.Action == "" {
			x.Malformed++
			return
		}
		x.add(&r)
	})
	if err != nil {
		x.Malformed++
		x.Errors = append(x.Errors, fmt.Sprintf("%s: %v (the records before it were read)", path, err))
	}
	return nil
}

// scanObjects calls fn with each top-level JSON object in r, skipping
// whatever is between objects (line feeds, CloudWatch timestamps). An object
// cut off by the end of the input is reported as io.ErrUnexpectedEOF after
// the complete ones.
func scanObjects(r io.Reader, fn func([]byte)) error {
	br := bufio.NewReaderSize(r, 256<<10)
	var obj []byte
	depth, inStr, esc := 0, false, false
	for {
		c, err := br.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				if depth > 0 {
					return io.ErrUnexpectedEOF
				}
				return nil
			}
			return err
		}
		if depth == 0 {
			if c != '{' {
				continue
			}
			obj = append(obj[:0], c)
			depth = 1
			continue
		}
		obj = append(obj, c)
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				fn(obj)
				if cap(obj) > 1<<20 {
					obj = nil
				}
			}
		}
		if len(obj) > 8<<20 {
			// Not a WAF record (they are a few KB); resynchronise.
			obj, depth, inStr, esc = obj[:0], 0, false, false
		}
	}
}
