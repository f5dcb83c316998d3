package geo

import (
	"net/netip"
	"testing"
)

func TestAddrCache(t *testing.T) {
	var c addrCache
	a, b := netip.MustParseAddr("81.2.69.160"), netip.MustParseAddr("2001:218::1")
	if _, ok := c.get(a); ok {
		t.Fatal("hit in an empty cache")
	}
	c.put(a, "GB")
	c.put(b, "")
	if got, ok := c.get(a); !ok || got != "GB" {
		t.Errorf("get(%s): got %q %v, want GB true", a, got, ok)
	}
	if got, ok := c.get(b); !ok || got != "" {
		t.Errorf("get(%s): got %q %v, want \"\" true (no country is cached too)", b, got, ok)
	}
	// Bounded: however many addresses are seen, no shard grows past its limit.
	for i := range 200000 {
		c.put(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), "US")
	}
	for i := range c.shards {
		if n := len(c.shards[i].m); n > addrShardLimit {
			t.Errorf("shard %d holds %d addresses, limit %d", i, n, addrShardLimit)
		}
	}
}
