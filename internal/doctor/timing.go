package doctor

import (
	"fmt"
	"math/bits"
	"time"
)

// Telling an edge-made answer from an origin's (spec §9): an answer the
// edge makes itself (WAF, signing, geo) has no origin round trip, so its
// time-to-first-byte is that of a cache hit; an origin's 403 took a round
// trip. "Near 0.000–0.002 s" is only a rule of thumb, and origins next door
// answer that fast too, so the doctor compares each error's
// time-to-first-byte with the same distribution's own Miss lines: if it is
// faster than all but 1% of them, no origin was asked; if 5% or more of the
// Misses were as fast, an origin round trip fits. Only with fewer than
// minMissSamples Misses does it fall back to the absolute rule of thumb,
// and then never with more than "possible".

const (
	histBuckets    = 1000 + 40 // one per millisecond below 1 s, then one per power of two seconds
	minMissSamples = 20
	noTripRank     = 0.01
	tripRank       = 0.05
)

// hist counts time-to-first-byte values in millisecond buckets, the
// resolution CloudFront logs them with.
type hist struct {
	n      uint64
	bucket [histBuckets]uint64
}

func bucketOf(ms int64) int {
	if ms < 0 {
		return 0
	}
	if ms < 1000 {
		return int(ms)
	}
	b := 1000 + bits.Len64(uint64(ms/1000))
	if b >= histBuckets {
		b = histBuckets - 1
	}
	return b
}

// bucketMillis is the smallest time in bucket b.
func bucketMillis(b int) int64 {
	if b < 1000 {
		return int64(b)
	}
	return 1000 << (b - 1001)
}

func (h *hist) add(ms int64) {
	h.n++
	h.bucket[bucketOf(ms)]++
}

func (h *hist) merge(o *hist) {
	h.n += o.n
	for i := range h.bucket {
		h.bucket[i] += o.bucket[i]
	}
}

// atMost returns the fraction of samples in buckets up to and including b.
func (h *hist) atMost(b int) float64 {
	if h.n == 0 {
		return 0
	}
	var c uint64
	for i := 0; i <= b; i++ {
		c += h.bucket[i]
	}
	return float64(c) / float64(h.n)
}

// quantile returns the smallest bucket time at or below which a fraction q
// of the samples lie.
func (h *hist) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	target := uint64(q * float64(h.n))
	var c uint64
	for i, n := range h.bucket {
		c += n
		if c > target || (c == h.n && n > 0) {
			return time.Duration(bucketMillis(i)) * time.Millisecond
		}
	}
	return 0
}

// distStats is what the fast path learns about one distribution.
type distStats struct {
	miss      hist              // time-to-first-byte of the Miss lines
	okMiss    uint64            // 2xx answers fetched from an origin
	countries map[string]*int64 // c-country counts, when LogOptions.CountCountries
}

func (d *distStats) country(c []byte) {
	if d.countries == nil {
		d.countries = map[string]*int64{}
	}
	// m[string(b)] allocates in an assignment, not in a lookup.
	if n := d.countries[string(c)]; n != nil {
		*n++
		return
	}
	n := int64(1)
	d.countries[string(c)] = &n
}

func (d *distStats) merge(o *distStats) {
	d.miss.merge(&o.miss)
	d.okMiss += o.okMiss
	for c, n := range o.countries {
		if d.countries == nil {
			d.countries = map[string]*int64{}
		}
		if m := d.countries[c]; m != nil {
			*m += *n
		} else {
			v := *n
			d.countries[c] = &v
		}
	}
}

// Trip is what timing says about an origin round trip.
type Trip int

const (
	TripUnclear Trip = iota
	TripNone         // answered without asking an origin
	TripOrigin       // consistent with an origin round trip
)

// judgeTrip compares an error's time-to-first-byte (ms, -1 if unknown)
// with the distribution's Miss lines. The returned evidence says why;
// strong is false when only the absolute rule of thumb was used.
func judgeTrip(ms int64, d *distStats) (t Trip, strong bool, e Evidence) {
	if ms < 0 {
		return TripUnclear, false, Evidence{}
	}
	secs := fmt.Sprintf("%d.%03d s", ms/1000, ms%1000)
	if d != nil && d.miss.n >= minMissSamples {
		rank := d.miss.atMost(bucketOf(ms))
		med := d.miss.quantile(0.5)
		v := fmt.Sprintf("%s; %.1f%% of the distribution's %d Miss lines were as fast (median %s)", secs, 100*rank, d.miss.n, med)
		switch {
		case rank <= noTripRank:
			return TripNone, true, ev("time-to-first-byte faster than the distribution's origin fetches: no origin round trip", "%s", v)
		case rank >= tripRank:
			return TripOrigin, true, ev("time-to-first-byte in the range of the distribution's origin fetches", "%s", v)
		}
		return TripUnclear, true, ev("time-to-first-byte between edge and origin timings", "%s", v)
	}
	n := uint64(0)
	if d != nil {
		n = d.miss.n
	}
	v := fmt.Sprintf("%s; only %d Miss lines to compare with", secs, n)
	switch {
	case ms <= 2:
		return TripNone, false, ev("time-to-first-byte of an edge-made answer (0.000–0.002 s)", "%s", v)
	case ms >= 20:
		return TripOrigin, false, ev("time-to-first-byte of an origin round trip (20 ms or more)", "%s", v)
	}
	return TripUnclear, false, ev("time-to-first-byte between edge and origin timings", "%s", v)
}

// parseMillis reads a logged seconds value ("0.123", "12.3", "4") as
// milliseconds without allocating; -1 for "-" or anything malformed.
func parseMillis(s []byte) int64 {
	if len(s) == 0 || len(s) == 1 && s[0] == '-' {
		return -1
	}
	var whole int64
	i := 0
	for ; i < len(s) && s[i] != '.'; i++ {
		c := s[i]
		if c < '0' || c > '9' || whole > 1<<40 {
			return -1
		}
		whole = whole*10 + int64(c-'0')
	}
	if i == 0 {
		return -1
	}
	ms := whole * 1000
	if i < len(s) {
		scale := int64(100)
		for j := i + 1; j < len(s); j++ {
			c := s[j]
			if c < '0' || c > '9' {
				return -1
			}
			ms += int64(c-'0') * scale
			scale /= 10
		}
	}
	return ms
}
