package geo

import "sync/atomic"

// countryCache remembers the country of recently decoded records, keyed by
// the record's offset in the data section (Result.Offset, which the library
// offers as the key for caching a record within one database). Many networks
// share one record (a country database has a few thousand records for
// millions of networks), so after warm-up the fast path is the library's
// tree walk plus one atomic load instead of a reflective record decode. It
// is direct-mapped and fixed in size (512 KiB), holds nothing per address,
// and belongs to one loaded file, so a reload starts afresh. Concurrent
// writers may overwrite each other's entries; an entry is one atomic word,
// so a reader sees either a whole entry or a miss.
//
// An entry packs (off+1)<<10 | (slot+1), with slot+1 = 0 for no country; the
// +1s keep the zero word meaning "empty".
type countryCache [1 << countryCacheBits]atomic.Uint64

const countryCacheBits = 16

// entry returns the word for the record at off and the key it holds when it
// is that record's.
func (c *countryCache) entry(off uintptr) (e *atomic.Uint64, key uint64) {
	key = uint64(off) + 1
	return &c[(key*0x9E3779B97F4A7C15)>>(64-countryCacheBits)], key
}

// get returns the cached country of the record at off; ok is false on a
// miss. It is small enough to inline into the fast path.
func (c *countryCache) get(off uintptr) (country string, ok bool) {
	e, key := c.entry(off)
	v := e.Load()
	if v>>10 != key {
		return "", false
	}
	if s := int(v&0x3ff) - 1; s >= 0 {
		return countryTable[s].code, true
	}
	return "", true
}

// put caches the country ("" for none) of the record at off.
func (c *countryCache) put(off uintptr, country string) {
	slot := -1
	if country != "" {
		slot = countrySlot(country[0], country[1])
	}
	e, key := c.entry(off)
	e.Store(key<<10 | uint64(slot+1))
}

// regionCache remembers the first-level subdivision of recently decoded
// records, keyed by record offset like countryCache. A City database has a
// record per city, so it is bigger (16 Ki slots, 128 KiB of pointers).
// Entries are immutable and stored whole, so a reader sees a whole entry or
// a miss.
type regionCache [1 << regionCacheBits]atomic.Pointer[regionEntry]

const regionCacheBits = 14

type regionEntry struct {
	off    uintptr
	region string
}

func (c *regionCache) slot(off uintptr) *atomic.Pointer[regionEntry] {
	return &c[((uint64(off)+1)*0x9E3779B97F4A7C15)>>(64-regionCacheBits)]
}

// get returns the cached region ("" for none) of the record at off; ok is
// false on a miss.
func (c *regionCache) get(off uintptr) (region string, ok bool) {
	if e := c.slot(off).Load(); e != nil && e.off == off {
		return e.region, true
	}
	return "", false
}

// put caches the region of the record at off.
func (c *regionCache) put(off uintptr, region string) {
	c.slot(off).Store(&regionEntry{off: off, region: region})
}
