package signedurl

import (
	"bytes"
	"crypto"
	"hash/maphash"

	"github.com/maypok86/otter/v2"
)

// Cache remembers signatures that verified, so a popular signed URL (every
// Range GET of a video, every segment a player fetches with one set of signed
// cookies) costs one RSA or ECDSA verification instead of one per request.
// It holds only successes: an entry is created after a signature verified,
// so a viewer cannot fill it with garbage. Expiry, DateGreaterThan, the
// source IP and the Resource are re-checked on every request; only the
// cryptography (and the parsing of a custom policy) is skipped.
//
// An entry is found by a seeded 64-bit hash of (key fingerprint, hash
// algorithm, policy form, signed bytes, signature) and then compared in full,
// so a hash collision, accidental or crafted, costs a verification and never
// a wrong verdict. A Cache is safe for concurrent use and may be shared by
// all verifiers of all snapshots: entries name the public key itself, not
// just its ID.
type Cache struct {
	c    *otter.Cache[uint64, *cacheEntry]
	seed maphash.Seed
}

type cacheEntry struct {
	fp     [32]byte
	hash   crypto.Hash
	custom bool
	signed []byte
	sig    []byte
	policy *policy // parsed custom policy; nil for canned
}

// cacheUnit is the weight unit: an entry weighs one unit per started KiB.
const cacheUnit = 1 << 10

// NewCache returns a cache of verified signatures, or nil (no caching) when
// maxEntries <= 0. It is bounded by size: an entry weighs one unit per
// started KiB of signed bytes, signature and bookkeeping, and the total
// weight stays at most maxEntries. A canned URL with an RSA-2048 signature
// weighs one unit, so the cache holds maxEntries of those, about maxEntries
// KiB; a large custom policy counts for more. 65536 suits an edge.
func NewCache(maxEntries int) *Cache {
	if maxEntries <= 0 {
		return nil
	}
	return &Cache{
		c: otter.Must(&otter.Options[uint64, *cacheEntry]{
			MaximumWeight: uint64(maxEntries),
			Weigher: func(_ uint64, e *cacheEntry) uint32 {
				return uint32((len(e.signed) + len(e.sig) + 128 + cacheUnit - 1) / cacheUnit)
			},
		}),
		seed: maphash.MakeSeed(),
	}
}

// Len returns the approximate number of entries, for metrics.
func (c *Cache) Len() int {
	if c == nil {
		return 0
	}
	return c.c.EstimatedSize()
}

func (c *Cache) hashOf(k *trustedKey, h crypto.Hash, custom bool, signed, sig []byte) uint64 {
	var m maphash.Hash
	m.SetSeed(c.seed)
	m.Write(k.fp[:])
	form := byte('c')
	if custom {
		form = 'p'
	}
	m.WriteByte(byte(h))
	m.WriteByte(form)
	m.Write(signed)
	m.Write(sig)
	return m.Sum64()
}

// get returns the cached verdict for a signature over signed, and the
// hash to put it under if there is none. For a canned policy the returned
// policy is nil.
func (c *Cache) get(k *trustedKey, h crypto.Hash, custom bool, signed, sig []byte) (uint64, *policy, bool) {
	if c == nil {
		return 0, nil, false
	}
	id := c.hashOf(k, h, custom, signed, sig)
	e, ok := c.c.GetIfPresent(id)
	if !ok || e.fp != k.fp || e.hash != h || e.custom != custom || !bytes.Equal(e.signed, signed) || !bytes.Equal(e.sig, sig) {
		return id, nil, false
	}
	return id, e.policy, true
}

// put records that sig verified over signed; the slices are copied.
func (c *Cache) put(id uint64, k *trustedKey, h crypto.Hash, custom bool, signed, sig []byte, p *policy) {
	if c == nil {
		return
	}
	c.c.Set(id, &cacheEntry{
		fp: k.fp, hash: h, custom: custom,
		signed: bytes.Clone(signed), sig: bytes.Clone(sig), policy: p,
	})
}
