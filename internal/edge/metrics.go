package edge

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/openfront-edge/openfront/internal/cause"
	"github.com/openfront-edge/openfront/internal/waf"
)

// Result types counted per status; the index is the position here.
var resultTypes = []string{"Miss", "Error", "Redirect", "Hit", "RefreshHit", "LimitExceeded", "CapacityExceeded"}

func resultIndex(rt string) int {
	for i, r := range resultTypes {
		if r == rt {
			return i
		}
	}
	return 1
}

// distStats are one distribution's counters: plain atomics on the request
// path, turned into Prometheus metrics only when scraped.
type distStats struct {
	requests   [600][7]atomic.Uint64 // status (0 = "000") × result type
	downloaded atomic.Uint64
	uploaded   atomic.Uint64
	denials    sync.Map // cause.Cause → *atomic.Uint64
	waf        sync.Map // wafKey → *atomic.Uint64
	latency    prometheus.Histogram
}

// wafKey is one AWS/WAFV2 metric: web ACL, rule ("ALL" for the web ACL's
// total, as CloudWatch's Rule dimension) and metric name.
type wafKey struct{ acl, rule, metric string }

// wafMetric names CloudWatch's AWS/WAFV2 metric for an action.
var wafMetric = map[string]string{
	"ALLOW": "AllowedRequests", "BLOCK": "BlockedRequests", "COUNT": "CountedRequests",
	"CAPTCHA": "CaptchaRequests", "CHALLENGE": "ChallengeRequests",
}

func (d *distStats) addWAF(k wafKey) {
	v, ok := d.waf.Load(k)
	if !ok {
		v, _ = d.waf.LoadOrStore(k, new(atomic.Uint64))
	}
	v.(*atomic.Uint64).Add(1)
}

// countWAF counts one verdict as AWS WAF's CloudWatch metrics do: the
// terminating rule and the web ACL total under the action's metric, every
// counting rule under CountedRequests, and rule groups that matched
// nothing under PassedRequests.
func (d *distStats) countWAF(acl string, v *waf.Verdict) {
	m := wafMetric[v.Action]
	d.addWAF(wafKey{acl, "ALL", m})
	d.addWAF(wafKey{acl, v.TerminatingRuleID, m})
	for _, r := range v.NonTerminating {
		d.addWAF(wafKey{acl, r.RuleID, "CountedRequests"})
	}
	for _, g := range v.RuleGroupList {
		if g.TerminatingRule == nil && len(g.NonTerminating) == 0 {
			d.addWAF(wafKey{acl, g.RuleGroupID, "PassedRequests"})
		}
	}
}

func newDistStats() *distStats {
	return &distStats{latency: prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "openfront_origin_latency_seconds",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	})}
}

func (d *distStats) count(status int, resultType string, down, up int64, origin time.Duration, c cause.Cause) {
	if status < 0 || status >= 600 {
		status = 0
	}
	d.requests[status][resultIndex(resultType)].Add(1)
	d.downloaded.Add(uint64(max(down, 0)))
	d.uploaded.Add(uint64(max(up, 0)))
	if origin > 0 {
		d.latency.Observe(origin.Seconds())
	}
	if c != cause.None {
		v, ok := d.denials.Load(c)
		if !ok {
			v, _ = d.denials.LoadOrStore(c, new(atomic.Uint64))
		}
		v.(*atomic.Uint64).Add(1)
	}
}

// Metric descriptions. Names mirror CloudFront's CloudWatch metrics
// (Requests, BytesDownloaded, BytesUploaded, OriginLatency) where one exists.
var (
	descRequests = prometheus.NewDesc("openfront_requests_total",
		"Requests answered (CloudWatch: Requests), by distribution, status and x-edge-result-type.",
		[]string{"distribution", "status", "result_type"}, nil)
	descDownloaded = prometheus.NewDesc("openfront_bytes_downloaded_total",
		"Bytes sent to viewers (CloudWatch: BytesDownloaded).", []string{"distribution"}, nil)
	descUploaded = prometheus.NewDesc("openfront_bytes_uploaded_total",
		"Bytes received from viewers (CloudWatch: BytesUploaded).", []string{"distribution"}, nil)
	descDenials = prometheus.NewDesc("openfront_denials_total",
		"Requests the edge refused, by cause (the doctor's vocabulary).", []string{"distribution", "cause"}, nil)
	descWAF = prometheus.NewDesc("openfront_waf_requests_total",
		"AWS WAF decisions (CloudWatch AWS/WAFV2: AllowedRequests, BlockedRequests, CountedRequests, PassedRequests, CaptchaRequests, ChallengeRequests), by web ACL and rule (ALL for the web ACL).",
		[]string{"distribution", "webacl", "rule", "metric"}, nil)
	descLogDropped = prometheus.NewDesc("openfront_accesslog_lost_total",
		"Access-log records lost (buffer full or file errors); should stay 0.", nil, nil)
	descLatency = prometheus.NewDesc("openfront_origin_latency_seconds",
		"Time from sending the origin request to its response headers (CloudWatch: OriginLatency).", []string{"distribution"}, nil)
)

// Collector exposes the server's counters to Prometheus.
func (s *Server) Collector() prometheus.Collector { return collector{s} }

type collector struct{ s *Server }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descRequests
	ch <- descDownloaded
	ch <- descUploaded
	ch <- descDenials
	ch <- descLatency
	ch <- descLogDropped
	ch <- descWAF
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	emit := func(id string, d *distStats) {
		for st := range d.requests {
			for ri := range d.requests[st] {
				if n := d.requests[st][ri].Load(); n > 0 {
					status := "000"
					if st > 0 {
						status = itoa(st)
					}
					ch <- prometheus.MustNewConstMetric(descRequests, prometheus.CounterValue, float64(n), id, status, resultTypes[ri])
				}
			}
		}
		ch <- prometheus.MustNewConstMetric(descDownloaded, prometheus.CounterValue, float64(d.downloaded.Load()), id)
		ch <- prometheus.MustNewConstMetric(descUploaded, prometheus.CounterValue, float64(d.uploaded.Load()), id)
		d.waf.Range(func(k, v any) bool {
			wk := k.(wafKey)
			ch <- prometheus.MustNewConstMetric(descWAF, prometheus.CounterValue, float64(v.(*atomic.Uint64).Load()), id, wk.acl, wk.rule, wk.metric)
			return true
		})
		d.denials.Range(func(k, v any) bool {
			ch <- prometheus.MustNewConstMetric(descDenials, prometheus.CounterValue, float64(v.(*atomic.Uint64).Load()), id, string(k.(cause.Cause)))
			return true
		})
		var m dto.Metric
		if err := d.latency.Write(&m); err == nil && m.GetHistogram().GetSampleCount() > 0 {
			h := m.GetHistogram()
			buckets := make(map[float64]uint64, len(h.Bucket))
			for _, b := range h.Bucket {
				buckets[b.GetUpperBound()] = b.GetCumulativeCount()
			}
			ch <- prometheus.MustNewConstHistogram(descLatency, h.GetSampleCount(), h.GetSampleSum(), buckets, id)
		}
	}
	c.s.stats.Range(func(k, v any) bool {
		emit(k.(string), v.(*distStats))
		return true
	})
	emit("_unrouted", c.s.unrout)
	if l := c.s.opts.Log; l != nil {
		ch <- prometheus.MustNewConstMetric(descLogDropped, prometheus.CounterValue, float64(l.Dropped()))
	}
}
