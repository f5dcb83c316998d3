package main

import "testing"

func TestByteSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1024": 1024, "256MiB": 256 << 20, "1 GiB": 1 << 30, "64KiB": 64 << 10, "10B": 10} {
		var b byteSize
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("%q: got %d, %v; want %d", in, b, err, want)
		}
	}
	for _, bad := range []string{"-1", "1TB", "lots", ""} {
		var b byteSize
		if err := b.Set(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if s := byteSize(256 << 20); s.String() != "256MiB" {
		t.Errorf("String: %s", s.String())
	}
}
