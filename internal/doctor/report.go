package doctor

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/openfront-edge/openfront/internal/cause"
)

// LogReport is the result of AnalyzeLogs. Its JSON form is documented in
// docs/doctor.md and stable.
type LogReport struct {
	Summary  Summary   `json:"summary"`
	Findings []Finding `json:"findings"`
	Requests []Request `json:"requests"`

	// Countries counts c-country by distribution id (or cs(Host) when the
	// configuration does not know the distribution), with CountCountries.
	Countries map[string]map[string]int64 `json:"-"`
}

// Summary describes the input and the totals.
type Summary struct {
	Files            int              `json:"files"`
	Lines            int64            `json:"lines"`
	Malformed        int64            `json:"malformed"`
	MalformedReasons map[string]int64 `json:"malformed_reasons"`
	ReadErrors       []string         `json:"read_errors"`
	SkippedByTime    int64            `json:"skipped_by_time"`
	Since            string           `json:"since,omitempty"`
	Until            string           `json:"until,omitempty"`
	Statuses         map[string]int64 `json:"statuses"`
	Errors           int64            `json:"errors"`
	Refused          int64            `json:"refused"`
	ByCause          map[string]int64 `json:"by_cause"`
	OtherErrors      []OtherError     `json:"other_errors"`
	WAF              *WAFSummary      `json:"waf,omitempty"`
	Requests         RequestsSummary  `json:"requests"`
	Config           bool             `json:"config"`
}

// OtherError counts 4xx/5xx lines that are not refusals (an origin's 404,
// a 502), by status and detailed result type.
type OtherError struct {
	Status   int    `json:"status"`
	Detailed string `json:"detailed_result_type"`
	Count    int64  `json:"count"`
}

// WAFSummary describes the WAF logs read.
type WAFSummary struct {
	Files     int            `json:"files"`
	Records   int            `json:"records"`
	Allowed   int            `json:"allowed"`
	Kept      int            `json:"kept"`
	Dropped   int            `json:"dropped"`
	Malformed int            `json:"malformed"`
	Unjoined  map[string]int `json:"unjoined"`
	Errors    []string       `json:"errors"`
}

// RequestsSummary says how much of the requests array was kept.
type RequestsSummary struct {
	Max   int   `json:"max"`
	Kept  int   `json:"kept"`
	Total int64 `json:"total"`
}

// Finding is one cause (and detail) in one distribution.
type Finding struct {
	Cause            string           `json:"cause"`
	Detail           string           `json:"detail"`
	Confidence       string           `json:"confidence"`
	ConfidenceCounts map[string]int64 `json:"confidence_counts"`
	Distribution     string           `json:"distribution"`
	Count            int64            `json:"count"`
	Share            float64          `json:"share"`
	Statuses         map[string]int64 `json:"statuses"`
	FirstSeen        string           `json:"first_seen"`
	LastSeen         string           `json:"last_seen"`
	TopHosts         []Count          `json:"top_hosts"`
	TopPaths         []Count          `json:"top_paths"`
	TopCountries     []Count          `json:"top_countries"`
	TopIPs           []Count          `json:"top_ips"`
	Behaviors        []Count          `json:"behaviors"`
	Examples         []string         `json:"example_request_ids"`
	Evidence         []FactCount      `json:"evidence"`
	Candidates       []string         `json:"candidates"`
	Fix              Fix              `json:"fix"`
}

// FactCount is an evidence fact, how many requests it applied to, and the
// earliest request's value.
type FactCount struct {
	Fact    string `json:"fact"`
	Count   int64  `json:"count"`
	Example string `json:"example,omitempty"`
}

func causeOrder(c string) int {
	for i, k := range cause.All {
		if string(k) == c {
			return i
		}
	}
	return len(cause.All)
}

func newLogReport(t *tally, o LogOptions) *LogReport {
	rep := &LogReport{Summary: Summary{
		Files: t.files, Lines: t.lines, Malformed: t.malformed, MalformedReasons: t.malformedWhy,
		ReadErrors: append([]string{}, t.readErrors...), SkippedByTime: t.skipped, Statuses: map[string]int64{},
		Errors: t.errors, Refused: t.denied, ByCause: map[string]int64{}, OtherErrors: []OtherError{},
		Requests: RequestsSummary{Max: o.MaxRequests, Kept: len(t.reqs), Total: t.reqsSeen},
		Config:   o.Model != nil && len(o.Model.Dists) > 0,
	}}
	if !o.Since.IsZero() {
		rep.Summary.Since = o.Since.UTC().Format(time.RFC3339)
	}
	if !o.Until.IsZero() {
		rep.Summary.Until = o.Until.UTC().Format(time.RFC3339)
	}
	for i, n := range t.statusClass {
		if n > 0 {
			name := fmt.Sprintf("%dxx", i)
			if i == 0 {
				name = "000"
			}
			rep.Summary.Statuses[name] = n
		}
	}
	for k, n := range t.other {
		rep.Summary.OtherErrors = append(rep.Summary.OtherErrors, OtherError{k.status, k.detailed, n})
	}
	sort.Slice(rep.Summary.OtherErrors, func(i, j int) bool {
		a, b := rep.Summary.OtherErrors[i], rep.Summary.OtherErrors[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Status != b.Status {
			return a.Status < b.Status
		}
		return a.Detailed < b.Detailed
	})
	if w := o.WAF; w != nil {
		rep.Summary.WAF = &WAFSummary{Files: w.Files, Records: w.Records, Allowed: w.Allowed, Kept: w.Len(), Dropped: w.Dropped,
			Malformed: w.Malformed, Unjoined: w.Unjoined(), Errors: append([]string{}, w.Errors...)}
	}
	for _, g := range t.groups {
		rep.Findings = append(rep.Findings, g.finding(t.denied))
		rep.Summary.ByCause[string(g.key.cause)] += g.count
	}
	sort.Slice(rep.Findings, func(i, j int) bool {
		a, b := &rep.Findings[i], &rep.Findings[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if ca, cb := causeOrder(a.Cause), causeOrder(b.Cause); ca != cb {
			return ca < cb
		}
		if a.Detail != b.Detail {
			return a.Detail < b.Detail
		}
		return a.Distribution < b.Distribution
	})
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	if o.CountCountries {
		rep.Countries = map[string]map[string]int64{}
		for key, st := range t.dists {
			name := key
			if d := o.Model.Route(key, key, ""); d != nil {
				name = d.ID
			}
			for c, n := range st.countries {
				if rep.Countries[name] == nil {
					rep.Countries[name] = map[string]int64{}
				}
				rep.Countries[name][c] += *n
			}
		}
	}
	reqs := append([]*Request{}, t.reqs...)
	sort.Slice(reqs, func(i, j int) bool { return reqs[i].ex.less(reqs[j].ex) })
	rep.Requests = make([]Request, len(reqs))
	for i, r := range reqs {
		rep.Requests[i] = *r
		if rep.Requests[i].Candidates == nil {
			rep.Requests[i].Candidates = []string{}
		}
	}
	return rep
}

func (g *group) finding(total int64) Finding {
	f := Finding{
		Cause: string(g.key.cause), Detail: g.key.detail, Confidence: string(g.confidence()),
		ConfidenceCounts: map[string]int64{}, Distribution: g.key.dist, Count: g.count, Statuses: map[string]int64{},
		TopHosts: g.hosts.top(topKShown), TopPaths: g.paths.top(topKShown), TopCountries: g.countries.top(topKShown),
		TopIPs: g.ips.top(topKShown), Behaviors: g.behaviors.top(topKShown), Examples: []string{}, Candidates: []string{},
	}
	if total > 0 {
		f.Share = float64(int64(float64(g.count)/float64(total)*10000+0.5)) / 10000
	}
	for rank, n := range g.conf {
		if n > 0 {
			f.ConfidenceCounts[string([...]Confidence{"", Possible, Likely, Certain}[rank])] = n
		}
	}
	for s, n := range g.statuses {
		f.Statuses[statusString(s)] = n
	}
	if !g.first.IsZero() {
		f.FirstSeen, f.LastSeen = g.first.UTC().Format(time.RFC3339), g.last.UTC().Format(time.RFC3339)
	}
	for _, e := range g.examples {
		f.Examples = append(f.Examples, e.id)
	}
	for fact, fc := range g.facts {
		f.Evidence = append(f.Evidence, FactCount{fact, fc.count, fc.value})
	}
	sort.Slice(f.Evidence, func(i, j int) bool {
		if f.Evidence[i].Count != f.Evidence[j].Count {
			return f.Evidence[i].Count > f.Evidence[j].Count
		}
		return f.Evidence[i].Fact < f.Evidence[j].Fact
	})
	if f.Evidence == nil {
		f.Evidence = []FactCount{}
	}
	if len(g.candOrder) > 0 {
		for _, c := range g.candOrder {
			if g.candidates[c] > 0 {
				f.Candidates = append(f.Candidates, c)
			}
		}
	} else {
		for c := range g.candidates {
			f.Candidates = append(f.Candidates, c)
		}
		sort.Slice(f.Candidates, func(i, j int) bool {
			a, b := f.Candidates[i], f.Candidates[j]
			if g.candidates[a] != g.candidates[b] {
				return g.candidates[a] > g.candidates[b]
			}
			return a < b
		})
	}
	x := &fixContext{dist: g.dist, beh: g.beh}
	if t := g.hosts.top(1); len(t) > 0 {
		x.host = t[0].Value
	}
	if t := g.countries.top(1); len(t) > 0 {
		x.country = t[0].Value
	}
	if g.key.cause == cause.MethodNotAllowed {
		x.method = g.key.detail
	}
	if g.key.cause == cause.WAFBlock {
		x.wafRule = g.key.detail
		if i := strings.IndexByte(x.wafRule, ':'); i >= 0 {
			x.wafType, x.wafRule = x.wafRule[:i], x.wafRule[i+1:]
		}
	}
	if fc := g.facts["Key-Pair-Id is not trusted by the matched cache behavior"]; fc != nil {
		if k, _, ok := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(fc.value, "CloudFront-"), "Key-Pair-Id="), ";"); ok {
			x.keyID = k
		}
	}
	f.Fix = fixFor(g.key.cause, g.key.detail, x)
	return f
}

// WriteJSON writes the report as one JSON document. The requests are
// encoded one at a time, so the document is never whole in memory.
func (r *LogReport) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	part := func(prefix string, v any) {
		b, _ := json.MarshalIndent(v, "  ", "  ") // the report holds only marshalable values
		bw.WriteString(prefix)
		bw.Write(b)
	}
	part("{\n  \"summary\": ", r.Summary)
	part(",\n  \"findings\": ", r.Findings)
	bw.WriteString(",\n  \"requests\": [")
	var b []byte
	for i := range r.Requests {
		sep := ",\n    "
		if i == 0 {
			sep = "\n    "
		}
		b = appendRequestJSON(append(b[:0], sep...), &r.Requests[i])
		bw.Write(b)
	}
	if len(r.Requests) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
	return bw.Flush()
}

// Style turns on colour for the human report.
type Style struct{ Color bool }

func (s Style) wrap(code, text string) string {
	if !s.Color {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

func (s Style) bold(t string) string { return s.wrap("1", t) }
func (s Style) dim(t string) string  { return s.wrap("2", t) }

func (s Style) confidence(c string) string {
	switch c {
	case string(Certain):
		return s.wrap("32", c)
	case string(Likely):
		return s.wrap("33", c)
	}
	return s.wrap("35", c)
}

// WriteText writes the human report: the totals, then each finding, most
// frequent first.
func (r *LogReport) WriteText(w io.Writer, st Style) error {
	p := &printer{w: w}
	s := &r.Summary
	files := "files"
	if s.Files == 1 {
		files = "file"
	}
	p.f("%s lines in %d %s; %s errors; %s refused requests in %d findings\n",
		group3(s.Lines), s.Files, files, group3(s.Errors), group3(s.Refused), len(r.Findings))
	if s.Malformed > 0 {
		p.f("  %s malformed lines skipped (%s)\n", group3(s.Malformed), reasons(s.MalformedReasons))
	}
	for _, e := range s.ReadErrors {
		p.f("  read error: %s\n", e)
	}
	if s.SkippedByTime > 0 {
		p.f("  %s lines outside --since/--until\n", group3(s.SkippedByTime))
	}
	if w := s.WAF; w != nil {
		un := 0
		for _, n := range w.Unjoined {
			un += n
		}
		p.f("  AWS WAF: %s records in %d files, %s not allowed; %s of those match no access-log line\n",
			group3(int64(w.Records)), w.Files, group3(int64(w.Kept)), group3(int64(un)))
	}
	if !s.Config {
		p.f("  %s\n", st.dim("no --config: origins, behaviors and signers are not checked"))
	}
	updates := map[string]bool{}
	for i := range r.Findings {
		p.f("\n")
		r.Findings[i].writeText(p, st, updates)
	}
	writeUpdates(p, st, updates)
	if len(s.OtherErrors) > 0 {
		var parts []string
		for i, o := range s.OtherErrors {
			if i == 6 {
				parts = append(parts, "…")
				break
			}
			d := ""
			if o.Detailed != "" && o.Detailed != "Error" {
				d = " " + o.Detailed
			}
			parts = append(parts, fmt.Sprintf("%d%s ×%s", o.Status, d, group3(o.Count)))
		}
		p.f("\nnot refusals: %s\n", strings.Join(parts, ", "))
	}
	if len(r.Findings) == 0 {
		p.f("\nno 403 causes found\n")
	}
	return p.err
}

func (f *Finding) writeText(p *printer, st Style, updates map[string]bool) {
	title := f.Cause
	if f.Detail != "" {
		title += "  " + f.Detail
	}
	dist := ""
	if f.Distribution != "" {
		dist = "  " + st.dim(f.Distribution)
	}
	p.f("%s%s\n", st.bold(title), dist)
	var statuses []string
	for s, n := range f.Statuses {
		statuses = append(statuses, fmt.Sprintf("%s×%s", s, group3(n)))
	}
	sort.Strings(statuses)
	when := ""
	if f.FirstSeen != "" {
		when = " · " + f.FirstSeen + " → " + f.LastSeen
	}
	p.f("  %s (%.1f%%) · %s · %s%s\n", plural(f.Count, "request"), 100*f.Share, st.confidence(f.Confidence), strings.Join(statuses, " "), when)
	for i, e := range f.Evidence {
		if i == 3 {
			break
		}
		ex := ""
		if e.Example != "" {
			ex = " — " + e.Example
		}
		n := ""
		if e.Count < f.Count {
			n = fmt.Sprintf(" (%s of %s)", group3(e.Count), group3(f.Count))
		}
		p.f("  %s %s%s%s\n", st.dim("evidence"), e.Fact, n, ex)
	}
	if len(f.Candidates) > 0 {
		p.f("  %s %s\n", st.dim("or else "), strings.Join(f.Candidates, ", "))
	}
	var tops []string
	for _, t := range []struct {
		name string
		c    []Count
	}{{"paths", f.TopPaths}, {"hosts", f.TopHosts}, {"countries", f.TopCountries}, {"IPs", f.TopIPs}} {
		if len(t.c) > 0 {
			tops = append(tops, t.name+" "+counts(t.c, 3))
		}
	}
	if len(tops) > 0 {
		p.f("  %s %s\n", st.dim("top     "), strings.Join(tops, " · "))
	}
	if len(f.Examples) > 0 {
		p.f("  %s %s\n", st.dim("examples"), strings.Join(f.Examples, " "))
	}
	f.Fix.writeText(p, st, updates)
}

// writeText prints the fix. The fetch-edit-update steps of a distribution
// change are the same for every fix: they are collected in updates and
// printed once at the end (nil updates prints them in place).
func (fx *Fix) writeText(p *printer, st Style, updates map[string]bool) {
	p.f("  %s %s\n", st.bold("fix"), fx.Summary)
	if fx.JSONPath != "" {
		where := fx.JSONPath
		if fx.File != "" {
			where = fx.File + ": " + where
		}
		if fx.Value != "" {
			where += " = " + fx.Value
		}
		p.f("      %s\n", where)
	}
	for _, c := range fx.Commands {
		if updates != nil {
			if id, ok := updateStep(c); ok {
				updates[id] = true
				continue
			}
		}
		for _, line := range strings.Split(c, "\n") {
			p.f("      $ %s\n", line)
		}
	}
	if fx.PolicyStatement != "" {
		p.f("      statement for %s: %s\n", fx.PolicyFor, fx.PolicyStatement)
	}
	for _, n := range fx.Notes {
		p.f("      %s\n", st.dim(n))
	}
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func counts(c []Count, n int) string {
	var parts []string
	for i, x := range c {
		if i == n {
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", x.Value, group3(x.Count)))
	}
	return strings.Join(parts, ", ")
}

func reasons(m map[string]int64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %s", k, group3(m[k])))
	}
	return strings.Join(parts, ", ")
}

// group3 writes 1234567 as 1,234,567.
func group3(n int64) string {
	s := itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return group3(n) + " " + word + "s"
}

// updateStep recognises the fetch and update commands of updateCommands
// and returns the distribution id.
func updateStep(c string) (string, bool) {
	for _, pre := range []string{"aws cloudfront get-distribution-config --id ", "aws cloudfront update-distribution --id "} {
		if rest, ok := strings.CutPrefix(c, pre); ok {
			id, _, _ := strings.Cut(rest, " ")
			return id, true
		}
	}
	if strings.HasPrefix(c, "ETAG=$(aws cloudfront get-distribution-config --id ") {
		return "", true
	}
	return "", false
}

func writeUpdates(p *printer, st Style, updates map[string]bool) {
	ids := make([]string, 0, len(updates))
	for id := range updates {
		if id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return
	}
	sort.Strings(ids)
	p.f("\n%s\n", st.bold("to change a distribution (each \"# edit\" above):"))
	for _, id := range ids {
		x := &fixContext{dist: &Dist{ID: id}}
		for _, c := range x.updateCommands("") {
			if !strings.HasPrefix(c, "#") {
				p.f("  $ %s\n", c)
			}
		}
	}
}
