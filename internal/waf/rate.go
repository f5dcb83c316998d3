package waf

import (
	"fmt"
	"hash/maphash"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// rateSlot is the counting granularity: AWS evaluates rate-based rules
// about every 10 seconds, so counts are kept per 10 s slot and the window
// (60–600 s) slides slot by slot.
const rateSlot = 10

// rateMatch is a compiled RateBasedStatement with its counters. The rule
// matches while the key's count over the window exceeds Limit; requests
// are counted whether or not a later rule blocks them, once the scope-down
// statement (if any) matched.
type rateMatch struct {
	rule     string
	limit    int64
	window   int64
	keyType  string // IP, FORWARDED_IP, CONSTANT, CUSTOM_KEYS
	keys     []rateKey
	fwd      *fwdConfig
	scope    matcher
	maxKeys  int
	seed     maphash.Seed
	mu       sync.Mutex
	counters map[uint64]*rateCounter
}

type rateCounter struct {
	slots []uint32
	last  int64 // slot number of the newest count
	total int64
}

func (cp *compiler) rateBased(path string, s *types.RateBasedStatement) matcher {
	m := &rateMatch{keyType: string(s.AggregateKeyType), window: s.EvaluationWindowSec, maxKeys: cp.opts.rateKeys,
		seed: maphash.MakeSeed(), counters: map[uint64]*rateCounter{}}
	if s.Limit == nil || *s.Limit < 10 || *s.Limit > 2000000000 {
		cp.errorf("%s.Limit: must be 10 to 2,000,000,000", path)
	} else {
		m.limit = *s.Limit
	}
	switch m.window {
	case 0:
		m.window = 300 // the API default
	case 60, 120, 300, 600:
	default:
		cp.errorf("%s.EvaluationWindowSec: must be 60, 120, 300 or 600, got %d", path, m.window)
	}
	switch m.keyType {
	case "IP", "CONSTANT":
	case "FORWARDED_IP":
		if s.ForwardedIPConfig == nil {
			cp.errorf("%s.ForwardedIPConfig: required for AggregateKeyType FORWARDED_IP", path)
		}
	case "CUSTOM_KEYS":
		if len(s.CustomKeys) == 0 || len(s.CustomKeys) > 5 {
			cp.errorf("%s.CustomKeys: 1 to 5 keys are required for CUSTOM_KEYS", path)
		}
		for i := range s.CustomKeys {
			m.keys = append(m.keys, cp.rateKey(fmt.Sprintf("%s.CustomKeys[%d]", path, i), &s.CustomKeys[i]))
		}
	default:
		cp.errorf("%s.AggregateKeyType: must be IP, FORWARDED_IP, CONSTANT or CUSTOM_KEYS, got %q", path, m.keyType)
	}
	if f := s.ForwardedIPConfig; f != nil {
		m.fwd = cp.fwdConfig(path+".ForwardedIPConfig", f.HeaderName, f.FallbackBehavior, "", false)
	}
	if m.keyType == "CONSTANT" && s.ScopeDownStatement == nil {
		cp.errorf("%s.ScopeDownStatement: required for AggregateKeyType CONSTANT", path)
	}
	if s.ScopeDownStatement != nil {
		m.scope = cp.statement(path+".ScopeDownStatement", s.ScopeDownStatement, false)
	}
	cp.rates = append(cp.rates, m)
	return m
}

// match counts the request under its key and reports whether the key is
// over the limit.
func (m *rateMatch) match(c *evalCtx) bool {
	if m.scope != nil && !m.scope.match(c) {
		return false
	}
	var h maphash.Hash
	h.SetSeed(m.seed)
	switch m.keyType {
	case "IP":
		b := c.r.ClientIP.Unmap().As16()
		h.Write(b[:])
	case "FORWARDED_IP", "CUSTOM_KEYS":
		if m.fwd != nil && m.keyType == "FORWARDED_IP" {
			a, ok := m.fwd.addr(c.r)
			if !ok {
				return m.fwd.fallback
			}
			b := a.Unmap().As16()
			h.Write(b[:])
		}
		for i := range m.keys {
			v, ok := m.keys[i].value(c, m.fwd)
			if !ok {
				// AWS does not count a request that lacks a key; a
				// fingerprint key's FallbackBehavior MATCH makes the
				// statement match it all the same (API_RateLimitJA3Fingerprint).
				return m.keys[i].fallback
			}
			h.WriteByte(byte(i))
			h.Write(v)
			h.WriteByte(0)
		}
	}
	return m.count(h.Sum64(), c.now) > m.limit
}

// count adds one request for key at now and returns the window's total.
func (m *rateMatch) count(key uint64, now time.Time) int64 {
	slot := now.Unix() / rateSlot
	n := int(m.window / rateSlot)
	m.mu.Lock()
	defer m.mu.Unlock()
	rc := m.counters[key]
	if rc == nil {
		if len(m.counters) >= m.maxKeys {
			m.evict()
		}
		rc = &rateCounter{slots: make([]uint32, n), last: slot}
		m.counters[key] = rc
	}
	// Expire the slots that slid out of the window since the last count.
	for s := rc.last + 1; s <= slot && s <= rc.last+int64(n); s++ {
		i := int(s % int64(n))
		rc.total -= int64(rc.slots[i])
		rc.slots[i] = 0
	}
	if slot > rc.last {
		rc.last = slot
	}
	if slot > rc.last-int64(n) { // counts older than the window are dropped
		rc.slots[int(slot%int64(n))]++
		rc.total++
	}
	return rc.total
}

// evict removes the least recently counted of a few keys sampled from the
// map (Go randomises map iteration), bounding memory at maxKeys counters.
func (m *rateMatch) evict() {
	var victim uint64
	oldest, seen := int64(1<<62), 0
	for k, rc := range m.counters {
		if rc.last < oldest {
			victim, oldest = k, rc.last
		}
		if seen++; seen == 8 {
			break
		}
	}
	delete(m.counters, victim)
}

// keys reports the number of tracked keys (tests and metrics).
func (m *rateMatch) keysTracked() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.counters)
}

// RateBasedResult is one rateBasedRuleList entry of the WAF log.
type RateBasedResult struct {
	RuleName            string
	LimitKey            string // IP, FORWARDED_IP, CUSTOMKEYS, CONSTANT
	LimitValue          string // the IP for IP and FORWARDED_IP
	MaxRateAllowed      int64
	EvaluationWindowSec int64
	CustomValues        []CustomValue
}

// CustomValue is one custom aggregation key value in the WAF log.
type CustomValue struct {
	Key, Name, Value string
}

// result describes the key of a request the rule matched (log only; it
// allocates, which is fine on a matched request).
func (m *rateMatch) result(c *evalCtx) RateBasedResult {
	r := RateBasedResult{RuleName: m.rule, LimitKey: m.keyType, MaxRateAllowed: m.limit, EvaluationWindowSec: m.window}
	switch m.keyType {
	case "IP":
		r.LimitValue = c.r.ClientIP.String()
	case "FORWARDED_IP":
		if a, ok := m.fwd.addr(c.r); ok {
			r.LimitValue = a.String()
		}
	case "CUSTOM_KEYS":
		r.LimitKey = "CUSTOMKEYS"
		for i := range m.keys {
			v, _ := m.keys[i].value(c, m.fwd)
			r.CustomValues = append(r.CustomValues, CustomValue{Key: m.keys[i].kind, Name: m.keys[i].name, Value: string(v)})
		}
	}
	return r
}
