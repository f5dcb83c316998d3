package waf

import (
	"hash/maphash"

	"github.com/corazawaf/libinjection-go"
	"github.com/maypok86/otter/v2"
)

// libinjection-go allocates on every call (its SQLi fingerprints are built
// by string concatenation, its HTML5 tokenizer allocates its state and its
// attribute names): about 75 allocations and 2.5 µs for a short value.
// Most of what a web ACL inspects repeats from request to request (the
// same query strings, cookies, User-Agents, small form posts), so each
// detector sits behind a memo of its verdicts.
//
// The memo is exact: an entry is found by a seeded 64-bit hash of the value
// and then compared with the value in full, so a collision, accidental or
// crafted, costs a detection and never a wrong verdict. The verdict is a
// pure function of the value (libinjection keeps no state between calls),
// so the memo is shared by every web ACL of every snapshot. A lookup does
// not allocate; a miss copies the value into the new entry. It is bounded:
// values longer than maxMemoValue are never remembered (detection dwarfs
// the lookup for them anyway), and each memo holds at most memoBudget bytes
// of values and bookkeeping, evicted by otter's W-TinyLFU policy, which
// also keeps a flood of one-off values from displacing the popular ones.
type injMemo struct {
	c      *otter.Cache[uint64, memoEntry]
	seed   maphash.Seed
	detect func(string) bool
}

type memoEntry struct {
	value string
	hit   bool
}

const (
	maxMemoValue  = 4 << 10
	memoBudget    = 4 << 20 // per detector
	memoEntrySize = 96      // otter node, hash table slot and entry header, approximately
)

func newInjMemo(detect func(string) bool) *injMemo {
	return &injMemo{
		c: otter.Must(&otter.Options[uint64, memoEntry]{
			MaximumWeight: memoBudget,
			Weigher:       func(_ uint64, e memoEntry) uint32 { return uint32(len(e.value) + memoEntrySize) },
		}),
		seed:   maphash.MakeSeed(),
		detect: detect,
	}
}

// verdict returns detect(v), remembered. v may be scratch memory: it is
// only read, and copied when remembered.
func (m *injMemo) verdict(v []byte) bool {
	if len(v) > maxMemoValue {
		return m.detect(ustr(v))
	}
	h := maphash.Bytes(m.seed, v)
	if e, ok := m.c.GetIfPresent(h); ok && e.value == ustr(v) {
		return e.hit
	}
	hit := m.detect(ustr(v))
	m.c.Set(h, memoEntry{value: string(v), hit: hit})
	return hit
}

var (
	sqliMemo = newInjMemo(func(s string) bool { hit, _ := libinjection.IsSQLi(s); return hit })
	xssMemo  = newInjMemo(libinjection.IsXSS)
)

// isSQLi is libinjection's SQL injection verdict on v (SensitivityLevel
// LOW), memoised.
func isSQLi(v []byte) bool { return sqliMemo.verdict(v) }

// isXSS is libinjection's XSS verdict on v, memoised.
func isXSS(v []byte) bool { return xssMemo.verdict(v) }
