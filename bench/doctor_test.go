package bench

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/openfront-edge/openfront/internal/accesslog"
	"github.com/openfront-edge/openfront/internal/doctor"
)

// doctorLog writes lines of CloudFront standard log shaped as bench/doctor.sh
// makes them: 30 % Miss, 3 % 304, 2 % 404 and 5 % 403s of six causes (geo,
// method, WAF page, signed URL, S3 origin, https-only), the rest Hits.
func doctorLog(lines int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 42))
	const ua = "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/124.0.0.0%20Safari/537.36"
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var b bytes.Buffer
	b.WriteString(accesslog.Header)
	id := make([]byte, 54)
	for i := range lines {
		s := i % 3600
		for k := range id {
			id[k] = b64[rng.IntN(64)]
		}
		m, proto, ssl, cipher, q := "GET", "https", "TLSv1.3", "TLS_AES_128_GCM_SHA256", "-"
		path := fmt.Sprintf("/assets/img/%d.webp", rng.IntN(5000))
		st, rt, det, ct, cl, ttfb := 200, "Hit", "Hit", "image/webp", 18342, "0.001"
		switch r := rng.Float64(); {
		case r < 0.30:
			rt, det, ttfb = "Miss", "Miss", fmt.Sprintf("0.%03d", 20+rng.IntN(180))
		case r < 0.33:
			st, cl, ct = 304, 0, "-"
		case r < 0.35:
			st, rt, det, ct, cl, ttfb = 404, "Error", "Error", "application/xml", 243, "0.041"
		case r < 0.40:
			st, rt, det = 403, "Error", "Error"
			switch rng.IntN(6) {
			case 0:
				det, ct, cl = "ClientGeoBlocked", "text/html", 986
			case 1:
				m, det, ct, cl = "POST", "InvalidRequestMethod", "text/html", 1053
			case 2:
				ct, cl, path = "text/html", 919, "/wp-login.php"
			case 3:
				ct, cl, path = "text/xml", 110, "/private/video.mp4"
				q = fmt.Sprintf("Expires=%d&Signature=c2lnbmF0dXJl&Key-Pair-Id=K2JCJMDEHXQW5F", 1714550000+rng.IntN(3600))
			case 4:
				ct, cl, ttfb = "application/xml", 243, fmt.Sprintf("0.%03d", 30+rng.IntN(100))
			default:
				proto, ssl, cipher, ct, cl, path = "http", "-", "-", "text/html", 915, "/account"
			}
		}
		clen := "-"
		if cl > 0 {
			clen = fmt.Sprint(cl)
		}
		fmt.Fprintf(&b, "2024-05-01\t10:%02d:%02d\tIAD89-P2\t%d\t198.51.%d.%d\t%s\td111111abcdef8.cloudfront.net\t%s\t%d\t-\t%s\t%s\t-\t%s\t%s==\twww.example.com\t%s\t412\t%s\t-\t%s\t%s\t%s\tHTTP/2.0\t-\t-\t%d\t%s\t%s\t%s\t%s\t-\t-\n",
			s/60, s%60, cl+400, rng.IntN(256), rng.IntN(256), m, path, st, ua, q, rt, id, proto, ttfb, ssl, cipher, rt, 40000+i%20000, ttfb, det, ct, clen)
	}
	return b.Bytes()
}

func writeFile(b *testing.B, path string, data []byte) {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
}

func gzipped(data []byte) []byte {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(data)
	zw.Close()
	return z.Bytes()
}

// BenchmarkDoctorLogs is doctor.AnalyzeLogs on files, as `openfront doctor
// logs` runs it: one plain file and one gzip file on one worker (run with
// -cpu 1 for bench/doctor.sh's one-core figure), and many files on every P.
// Each iteration reads 200,000 lines.
func BenchmarkDoctorLogs(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(400)) // as cmd/openfront's doctor logs
	const lines = 200_000
	data := doctorLog(lines, 1)
	dir := b.TempDir()
	plain := filepath.Join(dir, "E2BENCHEXAMPLE.2024-05-01-10.PLAIN001")
	writeFile(b, plain, data)
	gz := filepath.Join(dir, "E2BENCHEXAMPLE.2024-05-01-10.GZIP0001.gz")
	writeFile(b, gz, gzipped(data))
	many := filepath.Join(dir, "many")
	if err := os.Mkdir(many, 0o755); err != nil {
		b.Fatal(err)
	}
	const files = 8
	for i := range files {
		writeFile(b, filepath.Join(many, fmt.Sprintf("E2BENCHEXAMPLE.2024-05-01-10.P%03d", i)), doctorLog(lines/files, uint64(i+2)))
	}
	for _, bc := range []struct {
		name    string
		path    string
		workers int
	}{
		{"plain", plain, 1},
		{"gzip", gz, 1},
		{"files", many, runtime.GOMAXPROCS(0)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				rep, err := doctor.AnalyzeLogs([]string{bc.path}, doctor.LogOptions{MaxRequests: doctor.DefaultMaxRequests, Workers: bc.workers})
				if err != nil {
					b.Fatal(err)
				}
				if rep.Summary.Lines != lines {
					b.Fatalf("got %v lines, want %v", rep.Summary.Lines, lines)
				}
			}
			b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
