package geo

import (
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/oschwald/maxminddb-golang/v2"
)

// ASNDB is a MaxMind-format autonomous system database: GeoLite2-ASN,
// GeoIP2-ISP and DB-IP ASN (autonomous_system_number), or IPinfo's
// databases with an "asn" ("AS64500"). Like MMDB it is held in memory and
// follows its file: a changed file is swapped in atomically, a bad one is
// logged and the loaded one keeps serving. A file without a number in its
// first networks is refused. It is safe for concurrent use.
type ASNDB struct {
	m *MMDB
}

// OpenASN loads the ASN database at path and starts following it; logger
// receives reloads and refused files (nil: slog.Default()). Close stops the
// following.
func OpenASN(path string, logger *slog.Logger) (*ASNDB, error) {
	m, err := openDB(path, logger, pollInterval, hasASNs)
	if err != nil {
		return nil, err
	}
	return &ASNDB{m: m}, nil
}

// ASN returns the autonomous system number of the address, or 0 when the
// database does not know it (AS0 is reserved, RFC 7607, and AWS WAF gives
// unmapped addresses ASN 0). Once the address's record was seen it does not
// allocate.
func (d *ASNDB) ASN(ip netip.Addr) uint32 {
	f := d.m.cur.Load()
	res, ok := f.lookup(ip)
	if !ok {
		return 0
	}
	if n, ok := f.asns.get(res.Offset()); ok {
		return n
	}
	n := recordASN(res, f.layout)
	f.asns.put(res.Offset(), n)
	return n
}

// Status reports the database being served and the last refused reload.
func (d *ASNDB) Status() Status { return d.m.Status() }

// Reload reads the file now, whether or not it changed.
func (d *ASNDB) Reload() error { return d.m.Reload() }

// Close stops following the file; lookups keep answering from the last
// loaded version. Close always returns nil.
func (d *ASNDB) Close() error { return d.m.Close() }

// asnLayouts are where the vendors keep the number: MaxMind and DB-IP as an
// unsigned integer, IPinfo as a string "AS64500".
var asnLayouts = [...]layout{
	{asn: []any{"autonomous_system_number"}},
	{asn: []any{"asn"}, asnText: true},
}

// findASNLayout returns the layout of the first of the first countryProbe
// networks that has an ASN, or nil.
func findASNLayout(r *maxminddb.Reader) *layout {
	return probeLayout(r, asnLayouts[:], func(res maxminddb.Result, lo *layout) bool { return recordASN(res, lo) != 0 })
}

// numPool holds numeric decode destinations, which escape through the
// library's reflection (as codePool does strings): a cache miss would
// otherwise allocate one.
var numPool = sync.Pool{New: func() any { return new(uint64) }}

// recordASN returns the ASN of a found record in layout lo, or 0.
func recordASN(res maxminddb.Result, lo *layout) uint32 {
	if !lo.asnText {
		n := numPool.Get().(*uint64)
		defer numPool.Put(n)
		*n = 0
		if err := res.DecodePath(n, lo.asn...); err != nil || *n > 1<<32-1 {
			return 0
		}
		return uint32(*n)
	}
	s := codePool.Get().(*string)
	defer codePool.Put(s)
	*s = ""
	if err := res.DecodePath(s, lo.asn...); err != nil {
		return 0
	}
	digits, ok := strings.CutPrefix(*s, "AS")
	if !ok {
		return 0
	}
	n, err := strconv.ParseUint(digits, 10, 32)
	if err != nil {
		return 0
	}
	return uint32(n)
}

// asnCache remembers the ASN of recently decoded records, keyed by record
// offset like countryCache: an entry packs (off+1)<<32 | asn in one atomic
// word, so a reader sees a whole entry or a miss. Records at offsets that do
// not fit are simply not cached.
type asnCache [1 << asnCacheBits]atomic.Uint64

const asnCacheBits = 14

func (c *asnCache) entry(off uintptr) (e *atomic.Uint64, key uint64, ok bool) {
	key = uint64(off) + 1
	if key >= 1<<32 {
		return nil, 0, false
	}
	return &c[(key*0x9E3779B97F4A7C15)>>(64-asnCacheBits)], key, true
}

func (c *asnCache) get(off uintptr) (uint32, bool) {
	e, key, ok := c.entry(off)
	if !ok {
		return 0, false
	}
	v := e.Load()
	if v>>32 != key {
		return 0, false
	}
	return uint32(v), true
}

func (c *asnCache) put(off uintptr, asn uint32) {
	if e, key, ok := c.entry(off); ok {
		e.Store(key<<32 | uint64(asn))
	}
}
