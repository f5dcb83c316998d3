package geo

import (
	"net/netip"
	"sync"
)

// addrCache remembers the country of recently seen viewer addresses. A
// viewer sends many requests, and for each the library's tree walk costs
// ~130 ns for IPv4 and ~190 ns for IPv6 (more on large databases, where it
// is bound by memory latency); a hit here costs a map lookup under a shard
// lock. It is bounded: a shard that fills up starts afresh. It belongs to one
// loaded file, so a reload starts afresh too.
type addrCache struct {
	shards [addrShards]addrShard
}

const (
	addrShards     = 32
	addrShardLimit = 2048 // 64 Ki addresses in all
)

type addrShard struct {
	mu sync.Mutex
	m  map[netip.Addr]string
}

func (c *addrCache) shard(ip netip.Addr) *addrShard {
	b := ip.As16()
	h := uint32(b[15]) ^ uint32(b[14])<<8 ^ uint32(b[13])<<16 ^ uint32(b[7])<<5 ^ uint32(b[3])<<11
	return &c.shards[(h*2654435761)>>27]
}

// get returns the cached country of ip; ok is false on a miss.
func (c *addrCache) get(ip netip.Addr) (country string, ok bool) {
	s := c.shard(ip)
	s.mu.Lock()
	country, ok = s.m[ip]
	s.mu.Unlock()
	return country, ok
}

// put caches the country ("" for none) of ip.
func (c *addrCache) put(ip netip.Addr, country string) {
	s := c.shard(ip)
	s.mu.Lock()
	switch {
	case s.m == nil:
		s.m = make(map[netip.Addr]string, addrShardLimit)
	case len(s.m) >= addrShardLimit:
		clear(s.m) // keeps the map's memory: no allocation in steady state
	}
	s.m[ip] = country
	s.mu.Unlock()
}
