package doctor

import (
	"cmp"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/openfront-edge/openfront/internal/cause"
)

// Aggregates stream: a finding keeps counts and bounded samples, never the
// requests themselves, so memory does not grow with the input.

const (
	topKCap      = 64 // distinct values a top list tracks (Space-Saving beyond it)
	topKShown    = 5
	exampleCount = 3
	maxFacts     = 32
)

// topK counts values, exactly while there are at most topKCap distinct
// ones. Beyond, it is lossy counting (Manku and Motwani 2002): when the
// table is full, the less counted half is dropped in one pass, so an insert
// costs O(1) amortized and heavy hitters stay; the counts of values that
// were dropped and came back are then lower bounds.
type topK struct {
	idx     map[string]int32 // value → position in entries
	entries []topEntry
	approx  bool
}

// topEntry is a value and its count. Among values counted alike, which a
// purge keeps is arbitrary but must depend on nothing but the values: they
// are ranked by a hash of their own (FNV-1a), which compares faster than
// the strings, many of which (IP addresses, paths) share long prefixes.
type topEntry struct {
	count int64
	hash  uint64
	value string
}

func (t *topK) add(v string, n int64) {
	if v == "" {
		return
	}
	if i, ok := t.idx[v]; ok {
		t.entries[i].count += n
		return
	}
	if t.idx == nil {
		t.idx = make(map[string]int32, 8)
	}
	if len(t.entries) >= topKCap {
		t.purge()
	}
	t.idx[v] = int32(len(t.entries))
	t.entries = append(t.entries, topEntry{n, fnv1a(v), v})
}

// purge keeps the more counted half of the table.
func (t *topK) purge() {
	keep := topKCap / 2
	selectBest(t.entries, keep)
	clear(t.entries[keep:]) // drop the strings
	t.entries = t.entries[:keep]
	clear(t.idx)
	for i, e := range t.entries {
		t.idx[e.value] = int32(i)
	}
	t.approx = true
}

// before orders entries for purge: more counted first, then by hash, then
// by value (a total order, so that the half kept is always the same).
func (a *topEntry) before(b *topEntry) bool {
	switch {
	case a.count != b.count:
		return a.count > b.count
	case a.hash != b.hash:
		return a.hash < b.hash
	}
	return a.value < b.value
}

// selectBest moves the k entries that come first in the before order to
// e[:k], in no particular order (Hoare's quickselect: on average two
// comparisons per entry, where sorting takes six).
func selectBest(e []topEntry, k int) {
	lo, hi := 0, len(e)-1
	for lo < hi {
		// The median of three as the pivot, moved to hi.
		mid := lo + (hi-lo)/2
		if e[mid].before(&e[lo]) {
			e[mid], e[lo] = e[lo], e[mid]
		}
		if e[hi].before(&e[lo]) {
			e[hi], e[lo] = e[lo], e[hi]
		}
		if e[mid].before(&e[hi]) {
			e[mid], e[hi] = e[hi], e[mid]
		}
		p := lo
		for i := lo; i < hi; i++ {
			if e[i].before(&e[hi]) {
				e[i], e[p] = e[p], e[i]
				p++
			}
		}
		e[p], e[hi] = e[hi], e[p]
		switch {
		case p == k || p == k-1:
			return
		case p < k:
			lo = p + 1
		default:
			hi = p - 1
		}
	}
}

// fnv1a is the 64-bit FNV-1a hash of s.
func fnv1a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// merge adds o's counts to t, going through o's values from the most
// counted, as top lists them, so that the result does not depend on the
// order of a map.
func (t *topK) merge(o *topK) {
	for _, c := range o.top(len(o.entries)) {
		t.add(c.Value, c.Count)
	}
	t.approx = t.approx || o.approx
}

// Count is a value and how many requests had it.
type Count struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

// top returns the n most counted values, ties by value.
func (t *topK) top(n int) []Count {
	out := make([]Count, 0, len(t.entries))
	for _, e := range t.entries {
		out = append(out, Count{e.value, e.count})
	}
	slices.SortFunc(out, func(a, b Count) int {
		if a.Count != b.Count {
			return cmp.Compare(b.Count, a.Count)
		}
		return strings.Compare(a.Value, b.Value)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// example is one request, ordered by time then id. The time is kept as
// seconds and nanoseconds, which compare faster than a time.Time.
type example struct {
	sec  int64
	nsec int32
	id   string
}

func newExample(t time.Time, id string) example {
	return example{t.Unix(), int32(t.Nanosecond()), id}
}

// timeString formats the logged time as the report prints it.
func (e example) timeString() string {
	t := time.Unix(e.sec, int64(e.nsec)).UTC()
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func (e example) less(o example) bool {
	if e.sec != o.sec {
		return e.sec < o.sec
	}
	if e.nsec != o.nsec {
		return e.nsec < o.nsec
	}
	return e.id < o.id
}

// factCount counts the requests an evidence fact applied to, with the
// earliest request's value as an example.
type factCount struct {
	count int64
	value string
	first example
}

type groupKey struct {
	cause  cause.Cause
	detail string
	dist   string
}

// group aggregates the requests of one finding, or of one pending
// timing decision.
type group struct {
	key                                     groupKey
	count                                   int64
	conf                                    [4]int64 // by Confidence.rank
	statuses                                map[int]int64
	first, last                             time.Time
	hosts, paths, countries, ips, behaviors topK
	examples                                []example
	facts                                   map[string]*factCount
	candidates                              map[string]int64
	dist                                    *Dist
	beh                                     *Behavior
	statsKey                                string
	candOrder                               []string // display order of candidates, when ranked
	// Pending groups: the alternatives and the time-to-first-byte bucket.
	alts   [3]*Verdict
	bucket int
}

func newGroup(k groupKey) *group {
	return &group{key: k, statuses: map[int]int64{}, facts: map[string]*factCount{}, candidates: map[string]int64{}}
}

func (g *group) addRequest(r *request, v *Verdict, dist *Dist, beh *Behavior) {
	g.count++
	g.conf[v.Confidence.rank()]++
	g.statuses[r.Status]++
	if !r.Time.IsZero() {
		if g.first.IsZero() || r.Time.Before(g.first) {
			g.first = r.Time
		}
		if r.Time.After(g.last) {
			g.last = r.Time
		}
	}
	g.hosts.add(r.HostHeader, 1)
	g.paths.add(r.Path, 1)
	g.countries.add(r.Country, 1)
	g.ips.add(r.ClientIP, 1)
	if beh != nil {
		g.behaviors.add(beh.Path, 1)
	}
	if g.dist == nil {
		g.dist = dist
	}
	if g.beh == nil {
		g.beh = beh
	}
	ex := newExample(r.Time, r.RequestID)
	g.addExample(ex)
	for _, e := range v.Evidence {
		g.addFact(e, 1, ex)
	}
	for _, c := range v.Candidates {
		g.candidates[c]++
	}
}

func (g *group) addExample(ex example) {
	if ex.id == "" {
		return
	}
	i := sort.Search(len(g.examples), func(i int) bool { return ex.less(g.examples[i]) })
	if i >= exampleCount {
		return
	}
	for _, e := range g.examples {
		if e.id == ex.id {
			return
		}
	}
	g.examples = append(g.examples, example{})
	copy(g.examples[i+1:], g.examples[i:])
	g.examples[i] = ex
	if len(g.examples) > exampleCount {
		g.examples = g.examples[:exampleCount]
	}
}

// addFact counts n requests by e's fact, keeping the value of the earliest.
func (g *group) addFact(e Evidence, n int64, ex example) {
	if f := g.fact(e.Fact, n, ex); f != nil {
		f.value = e.Value()
	}
}

// fact adds n to the count of a fact and returns it when ex is its new
// first example, whose value the caller sets.
func (g *group) fact(fact string, n int64, ex example) *factCount {
	f := g.facts[fact]
	if f == nil {
		if len(g.facts) >= maxFacts {
			return nil
		}
		f = &factCount{first: ex, count: n}
		g.facts[fact] = f
		return f
	}
	f.count += n
	if ex.less(f.first) {
		f.first = ex
		return f
	}
	return nil
}

// merge adds o's requests to g.
func (g *group) merge(o *group) {
	g.count += o.count
	for i := range g.conf {
		g.conf[i] += o.conf[i]
	}
	for s, n := range o.statuses {
		g.statuses[s] += n
	}
	if !o.first.IsZero() && (g.first.IsZero() || o.first.Before(g.first)) {
		g.first = o.first
	}
	if o.last.After(g.last) {
		g.last = o.last
	}
	g.hosts.merge(&o.hosts)
	g.paths.merge(&o.paths)
	g.countries.merge(&o.countries)
	g.ips.merge(&o.ips)
	g.behaviors.merge(&o.behaviors)
	for _, e := range o.examples {
		g.addExample(e)
	}
	// Sorted: once a group holds maxFacts facts, which are added first
	// decides which are kept.
	for _, k := range slices.Sorted(maps.Keys(o.facts)) {
		f := o.facts[k]
		if mine := g.fact(k, f.count, f.first); mine != nil {
			mine.value = f.value
		}
	}
	for k, n := range o.candidates {
		g.candidates[k] += n
	}
	if g.dist == nil {
		g.dist = o.dist
	}
	if g.beh == nil {
		g.beh = o.beh
	}
}

// confidence is the confidence most of the group's requests have; a tie
// goes to the weaker one.
func (g *group) confidence() Confidence {
	best, bestN := Possible, int64(-1)
	for rank := 1; rank <= 3; rank++ {
		if g.conf[rank] > bestN {
			best, bestN = [...]Confidence{"", Possible, Likely, Certain}[rank], g.conf[rank]
		}
	}
	return best
}

// pendingKey identifies requests that wait for the same timing decision.
type pendingKey struct {
	stats  string
	bucket int
	alts   string
}

func altsKey(c *classification) string {
	var b strings.Builder
	for _, v := range [...]*Verdict{c.ifNone, c.ifOrigin, c.ifUnclear} {
		b.WriteString(string(v.Cause))
		b.WriteByte('/')
		b.WriteString(v.Detail)
		b.WriteByte('/')
		b.WriteString(string(v.Confidence))
		b.WriteByte(';')
	}
	if c.dist != nil {
		b.WriteString(c.dist.ID)
	}
	if c.beh != nil {
		b.WriteString(c.beh.Path)
	}
	return b.String()
}

type otherKey struct {
	status   int
	detailed string
}

// tally is one worker's aggregate (and, merged, the run's).
type tally struct {
	lines, malformed, skipped, denied, errors int64
	statusClass                               [6]int64
	malformedWhy                              map[string]int64
	readErrors                                []string
	files                                     int
	dists                                     map[string]*distStats
	groups                                    map[groupKey]*group
	pending                                   map[pendingKey]*group
	other                                     map[otherKey]int64
	reqs                                      reqHeap
	reqsSeen                                  int64
	maxReqs                                   int
}

func newTally(maxReqs int) *tally {
	return &tally{
		malformedWhy: map[string]int64{}, dists: map[string]*distStats{}, groups: map[groupKey]*group{},
		pending: map[pendingKey]*group{}, other: map[otherKey]int64{}, maxReqs: maxReqs,
	}
}

func (t *tally) stats(key string) *distStats {
	s := t.dists[key]
	if s == nil {
		s = &distStats{}
		t.dists[strings.Clone(key)] = s
	}
	return s
}

func distName(c *classification, r *request) string {
	switch {
	case c.dist != nil:
		return c.dist.ID
	case r.DistKey != "" && r.DistKey != unroutedKey:
		return r.DistKey
	case r.Unrouted:
		return ""
	}
	return r.Host
}

// add records a classified request.
func (t *tally) add(r *request, c *classification, statsKey string) {
	if !c.pending && !isDenial(c.Cause) {
		t.other[otherKey{r.Status, r.Detailed}]++
		return
	}
	t.denied++
	name := distName(c, r)
	var g *group
	if c.pending {
		k := pendingKey{statsKey, bucketOf(r.TTFBMs), altsKey(c)}
		if r.TTFBMs < 0 {
			k.bucket = -1
		}
		g = t.pending[k]
		if g == nil {
			g = newGroup(groupKey{dist: name})
			g.alts = [3]*Verdict{c.ifNone, c.ifOrigin, c.ifUnclear}
			g.bucket, g.statsKey = k.bucket, statsKey
			t.pending[k] = g
		}
		// Evidence common to the alternatives comes at resolution.
		g.addRequest(r, &Verdict{Confidence: c.Confidence}, c.dist, c.beh)
	} else {
		k := groupKey{c.Cause, c.Detail, name}
		g = t.groups[k]
		if g == nil {
			g = newGroup(k)
			g.statsKey = statsKey
			t.groups[k] = g
		}
		g.addRequest(r, &c.Verdict, c.dist, c.beh)
	}
	t.reqsSeen++
	ex := newExample(r.Time, r.RequestID)
	if t.maxReqs <= 0 || (len(t.reqs) >= t.maxReqs && !ex.less(t.reqs[0].ex)) {
		return // would not be kept: skip building it
	}
	rq := &Request{
		RequestID: r.RequestID, Status: r.Status, Method: r.Method, Host: r.HostHeader,
		Path: r.Path, Distribution: name, ex: ex, ttfb: r.TTFBMs, stats: statsKey, beh: c.beh,
	}
	if c.pending {
		cp := *c
		rq.pending = &cp
	} else {
		// Filled in by resolve, if it is still kept then.
		rq.verdict = c.Verdict
	}
	t.reqs.keep(rq, t.maxReqs)
}

func (rq *Request) fill(v *Verdict) {
	rq.Time = rq.ex.timeString()
	rq.Cause, rq.Detail, rq.Confidence = string(v.Cause), v.Detail, string(v.Confidence)
	rq.Candidates = append([]string{}, v.Candidates...)
	rq.Evidence = make([]string, len(v.Evidence))
	for i, e := range v.Evidence {
		rq.Evidence[i] = e.String()
	}
}

// merge adds o into t.
func (t *tally) merge(o *tally) {
	t.lines += o.lines
	t.malformed += o.malformed
	t.skipped += o.skipped
	t.denied += o.denied
	t.errors += o.errors
	t.files += o.files
	for i := range t.statusClass {
		t.statusClass[i] += o.statusClass[i]
	}
	for k, n := range o.malformedWhy {
		t.malformedWhy[k] += n
	}
	t.readErrors = append(t.readErrors, o.readErrors...)
	for k, s := range o.dists {
		t.stats(k).merge(s)
	}
	for k, g := range o.groups {
		if mine := t.groups[k]; mine != nil {
			mine.merge(g)
		} else {
			t.groups[k] = g
		}
	}
	for k, g := range o.pending {
		if mine := t.pending[k]; mine != nil {
			mine.merge(g)
		} else {
			t.pending[k] = g
		}
	}
	for k, n := range o.other {
		t.other[k] += n
	}
	for _, r := range o.reqs {
		t.reqs.keep(r, t.maxReqs)
	}
	t.reqsSeen += o.reqsSeen
}

// resolve decides the pending groups with the distributions' timings and
// folds them into the findings; it also re-ranks the S3 candidates by
// whether the distribution's origin served anything.
func (t *tally) resolve() {
	keys := make([]pendingKey, 0, len(t.pending))
	for k := range t.pending {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.stats != b.stats {
			return a.stats < b.stats
		}
		if a.bucket != b.bucket {
			return a.bucket < b.bucket
		}
		return a.alts < b.alts
	})
	for _, k := range keys {
		g := t.pending[k]
		v, tev := g.pick(t.dists[g.statsKey])
		fk := groupKey{v.Cause, v.Detail, g.key.dist}
		g.key = fk
		g.conf = [4]int64{}
		g.conf[v.Confidence.rank()] = g.count
		for _, e := range append(append([]Evidence{}, v.Evidence...), tev) {
			if e.Fact != "" {
				g.addFact(e, g.count, g.firstExample())
			}
		}
		for _, c := range v.Candidates {
			g.candidates[c] += g.count
		}
		if mine := t.groups[fk]; mine != nil {
			mine.merge(g)
		} else {
			t.groups[fk] = g
		}
	}
	for _, rq := range t.reqs {
		if rq.pending == nil {
			rq.fill(&rq.verdict)
			rq.verdict = Verdict{}
			continue
		}
		g := &group{alts: [3]*Verdict{rq.pending.ifNone, rq.pending.ifOrigin, rq.pending.ifUnclear}, bucket: bucketOf(rq.ttfb)}
		if rq.ttfb < 0 {
			g.bucket = -1
		}
		v, tev := g.pick(t.dists[rq.stats])
		vv := *v
		if tev.Fact != "" {
			vv.Evidence = append(append([]Evidence{}, v.Evidence...), tev)
		}
		rq.fill(&vv)
		rq.pending = nil
	}
	// S3 refusals the logs cannot tell apart: rank them by whether the
	// distribution's origin serves anything at all, and name the first.
	var s3keys []groupKey
	for k, g := range t.groups {
		if reranked(k.cause, k.detail, g.beh, t.dists[g.statsKey]) {
			s3keys = append(s3keys, k)
		}
	}
	sort.Slice(s3keys, func(i, j int) bool { return s3keys[i].dist < s3keys[j].dist })
	for _, k := range s3keys {
		g := t.groups[k]
		delete(t.groups, k)
		v := rankedS3(g.beh.Origin, t.dists[g.statsKey])
		g.key = groupKey{v.Cause, v.Detail, k.dist}
		g.conf = [4]int64{}
		g.conf[v.Confidence.rank()] = g.count
		g.candidates = map[string]int64{}
		for _, c := range v.Candidates {
			g.candidates[c] = g.count
		}
		g.candOrder = v.Candidates
		for _, e := range v.Evidence {
			g.addFact(e, g.count, g.firstExample())
		}
		if mine := t.groups[g.key]; mine != nil {
			mine.merge(g)
			mine.candOrder = v.Candidates
		} else {
			t.groups[g.key] = g
		}
	}
	for _, rq := range t.reqs {
		if reranked(cause.Cause(rq.Cause), rq.Detail, rq.beh, t.dists[rq.stats]) {
			v := rankedS3(rq.beh.Origin, t.dists[rq.stats])
			rq.Detail, rq.Confidence, rq.Candidates = v.Detail, string(v.Confidence), v.Candidates
			for _, e := range v.Evidence {
				rq.Evidence = append(rq.Evidence, e.String())
			}
		}
	}
}

// rankedS3 names the most likely of the S3 refusals the logs cannot tell
// apart, with the others as candidates.
func rankedS3(o *Origin, st *distStats) *Verdict {
	order := rankS3(o, st)
	v := verdict(cause.S3Origin, order[0], Possible)
	v.Candidates = order[1:]
	switch {
	case !o.HasOriginAccess():
		v.add("ranked: the origin serves other objects without origin access, so the bucket is public and a missing object is the usual cause", "%d successful origin fetches", st.okMiss)
	case o.OAI != "" && o.OAC == "":
		v.add("ranked: with an origin access identity, the bucket policy must name it", "%s", o.OAI)
	case st != nil && st.okMiss > 0:
		v.add("ranked: the origin serves other objects, so its access works and a missing object is the usual cause", "%d successful origin fetches", st.okMiss)
	default:
		v.add("ranked: no successful origin fetch in these logs, so the bucket policy is the usual cause", "")
	}
	return v
}

func (g *group) firstExample() example {
	if len(g.examples) > 0 {
		return g.examples[0]
	}
	return example{}
}

// pick chooses a pending group's verdict from its timing.
func (g *group) pick(st *distStats) (*Verdict, Evidence) {
	ms := int64(-1)
	if g.bucket >= 0 {
		ms = bucketMillis(g.bucket)
	}
	trip, strong, e := judgeTrip(ms, st)
	switch trip {
	case TripNone:
		v := *g.alts[0]
		if !strong && v.Confidence.rank() > Possible.rank() {
			v.Confidence = Possible
		}
		return &v, e
	case TripOrigin:
		v := *g.alts[1]
		if !strong && v.Confidence.rank() > Possible.rank() {
			v.Confidence = Possible
		}
		return &v, e
	}
	return g.alts[2], e
}

func statusString(n int) string { return strconv.Itoa(n) }
