package waf

import "testing"

// The CRS benchmarks run the openfront/OWASP-CRS group (the full
// request-side CRS at paranoia level 1) over one request.

func BenchmarkCRSBenignGET(b *testing.B) {
	a := crsACL(b, "")
	r := browserGet("/products/42", "page=2&sort=asc&q=blue+shoes", "Cookie", "session=abc123; theme=dark")
	var v Verdict
	b.ReportAllocs()
	for b.Loop() {
		a.EvaluateInto(r, t0, &v)
	}
	if v.Action != ActionAllow {
		b.Fatalf("got %s, want ALLOW", v.Action)
	}
}

func BenchmarkCRSAttackGET(b *testing.B) {
	a := crsACL(b, "")
	r := browserGet("/products", "id=1%27%20OR%20%271%27%3D%271%27--", "Cookie", "session=abc123; theme=dark")
	var v Verdict
	b.ReportAllocs()
	for b.Loop() {
		a.EvaluateInto(r, t0, &v)
	}
	if v.Action != ActionBlock {
		b.Fatalf("got %s, want BLOCK", v.Action)
	}
}

func BenchmarkCRSSQLiGroupBenignGET(b *testing.B) {
	a := managedACL(b, "AWS", "AWSManagedRulesSQLiRuleSet", "", `{"None":{}}`)
	r := browserGet("/products/42", "page=2&sort=asc&q=blue+shoes", "Cookie", "session=abc123; theme=dark")
	var v Verdict
	b.ReportAllocs()
	for b.Loop() {
		a.EvaluateInto(r, t0, &v)
	}
}
