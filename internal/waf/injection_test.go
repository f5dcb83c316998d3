package waf

import (
	"hash/maphash"
	"strings"
	"testing"

	"github.com/corazawaf/libinjection-go"
)

func directSQLi(s string) bool { hit, _ := libinjection.IsSQLi(s); return hit }

var injectionSeeds = []string{
	"", "blue shoes", "page=2&sort=asc", "1' OR '1'='1", "1 union select password from users--",
	"<script>alert(1)</script>", `x" onmouseover="alert(1)`, "javascript:alert(1)", "<img src=x onerror=alert(1)>",
	"Great product, thanks", "O'Brien", "-1", "a'b\"c`d", "<!-- x -->", "<b>bold</b>",
}

// TestInjectionMemo checks the memo against libinjection itself, on a miss
// and on a hit.
func TestInjectionMemo(t *testing.T) {
	for _, in := range injectionSeeds {
		t.Run(in, func(t *testing.T) {
			checkMemo(t, in, isSQLi, isXSS) // the process-wide memos
			checkMemo(t, in, newInjMemo(directSQLi).verdict, newInjMemo(libinjection.IsXSS).verdict)
		})
	}
}

// FuzzInjectionMemo is the differential test of the memo against
// libinjection. Each input gets fresh memos, so that its coverage does not
// depend on what earlier inputs left in a shared one.
func FuzzInjectionMemo(f *testing.F) {
	for _, in := range injectionSeeds {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkMemo(t, in, newInjMemo(directSQLi).verdict, newInjMemo(libinjection.IsXSS).verdict)
	})
}

func checkMemo(t *testing.T, in string, sqli, xss func([]byte) bool) {
	t.Helper()
	wantSQLi, wantXSS := directSQLi(in), libinjection.IsXSS(in)
	buf := []byte(in)
	for round := range 2 {
		if got := sqli(buf); got != wantSQLi {
			t.Fatalf("round %d: SQLi verdict on %q = %v, libinjection says %v", round, in, got, wantSQLi)
		}
		if got := xss(buf); got != wantXSS {
			t.Fatalf("round %d: XSS verdict on %q = %v, libinjection says %v", round, in, got, wantXSS)
		}
	}
}

// TestInjectionMemoKeepsItsCopy: the value arrives in the caller's scratch
// buffer, which is reused for the next value; the memo's entry must hold a
// copy, not a view of that buffer.
func TestInjectionMemoKeepsItsCopy(t *testing.T) {
	for _, in := range injectionSeeds {
		m := newInjMemo(directSQLi)
		buf := []byte(in)
		m.verdict(buf)
		for i := range buf {
			buf[i] = '<'
		}
		e, ok := m.c.GetIfPresent(maphash.Bytes(m.seed, []byte(in)))
		if !ok || e.value != in {
			t.Errorf("%q: entry %+v (present %v) after the buffer was reused, want the value kept", in, e, ok)
		}
	}
}

// TestInjectionMemoCollision plants an entry for another value under a
// value's hash: the full comparison must ignore it.
func TestInjectionMemoCollision(t *testing.T) {
	m := newInjMemo(directSQLi)
	attack := "1' OR '1'='1"
	m.c.Set(maphash.Bytes(m.seed, []byte(attack)), memoEntry{value: "benign", hit: false})
	if !m.verdict([]byte(attack)) {
		t.Fatalf("got false for %q, want true (a colliding entry was trusted)", attack)
	}
	if e, _ := m.c.GetIfPresent(maphash.Bytes(m.seed, []byte(attack))); e.value != attack || !e.hit {
		t.Errorf("got entry %+v, want the real verdict remembered", e)
	}
}

func TestInjectionMemoBounds(t *testing.T) {
	m := newInjMemo(directSQLi)
	long := strings.Repeat("a", maxMemoValue+1)
	m.verdict([]byte(long))
	if _, ok := m.c.GetIfPresent(maphash.Bytes(m.seed, []byte(long))); ok {
		t.Errorf("a value of %d bytes was remembered, want at most %d", len(long), maxMemoValue)
	}
	for i := range 200000 {
		m.verdict([]byte("q=" + itoa(i) + strings.Repeat("x", 100)))
	}
	m.c.CleanUp()
	if w := m.c.WeightedSize(); w > memoBudget {
		t.Errorf("memo weighs %d, want at most %d", w, memoBudget)
	}
}

func BenchmarkInjectionMemoHit(b *testing.B) {
	v := []byte("name=Jane+Doe&comment=Great+product%2C+thanks")
	isSQLi(v)
	b.ReportAllocs()
	for b.Loop() {
		isSQLi(v)
	}
}

func BenchmarkInjectionDirect(b *testing.B) {
	v := "name=Jane+Doe&comment=Great+product%2C+thanks"
	b.ReportAllocs()
	for b.Loop() {
		directSQLi(v)
	}
}
