#!/usr/bin/env bash
# Measures `openfront doctor logs --json` on a generated CloudFront standard log: 1,000,000 lines (33 fields, the
# documented format), 5 % of them 403s of mixed causes (geo, method, WAF page, signed URL, S3 origin, https-only).
#
#   bash bench/doctor.sh [LINES] [FILES]
#
# Prints, for one core (taskset -c 0, GOMAXPROCS=1) on the plain file and on it gzipped, and for all cores on FILES
# files: lines/s, wall and CPU seconds and peak RSS (/usr/bin/time -v), the same file read with mawk counting one
# field, and GoAccess's figure when `goaccess` is installed (apt-get install goaccess), run with
# --log-format=CLOUDFRONT on the same file. On a machine shared with other work, lines/s (wall clock) drops with the
# load while CPU seconds do much less: compare the two, and mawk's figure from the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}; files=${2:-8}
W=${TMPDIR:-/tmp}/openfront-bench-doctor
mkdir -p "$W/split"
rm -f "$W"/split/* "$W"/*.gz

# Build with the doctor command wired in even before main.go dispatches it (an overlay, no file is changed).
if grep -q '"doctor"' cmd/openfront/main.go; then
  go build -o "$W/openfront" ./cmd/openfront
else
  sed 's|	case "demo":|	case "doctor":\n		err = cmdDoctor(args[1:])\n	case "demo":|' cmd/openfront/main.go > "$W/main.go"
  printf '{"Replace":{"%s":"%s"}}' "$PWD/cmd/openfront/main.go" "$W/main.go" > "$W/overlay.json"
  go build -overlay "$W/overlay.json" -o "$W/openfront" ./cmd/openfront
fi

log="$W/E2BENCHEXAMPLE.2024-05-01-10.BENCH001"
awk -v n="$lines" 'BEGIN {
  srand(42)
  print "#Version: 1.0"
  print "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end"
  ua = "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/124.0.0.0%20Safari/537.36"
  b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
  for (i = 0; i < n; i++) {
    s = i % 3600; t = sprintf("10:%02d:%02d", int(s / 60), s % 60)
    id = ""; for (k = 0; k < 54; k++) id = id substr(b64, int(rand() * 64) + 1, 1); id = id "=="
    ip = sprintf("198.51.%d.%d", int(rand() * 256), int(rand() * 256))
    m = "GET"; proto = "https"; ssl = "TLSv1.3"; cipher = "TLS_AES_128_GCM_SHA256"; q = "-"
    path = sprintf("/assets/img/%d.webp", int(rand() * 5000)); st = 200; rt = "Hit"; det = "Hit"; ct = "image/webp"; cl = 18342
    ttfb = "0.001"
    r = rand()
    if (r < 0.30) { rt = "Miss"; det = "Miss"; ttfb = sprintf("0.%03d", 20 + int(rand() * 180)) }
    else if (r < 0.33) { st = 304; cl = 0; ct = "-" }
    else if (r < 0.35) { st = 404; rt = "Error"; det = "Error"; ct = "application/xml"; cl = 243; ttfb = "0.041" }
    else if (r < 0.40) {
      st = 403; rt = "Error"; det = "Error"; c = int(rand() * 6)
      if (c == 0) { det = "ClientGeoBlocked"; ct = "text/html"; cl = 986 }
      else if (c == 1) { m = "POST"; det = "InvalidRequestMethod"; ct = "text/html"; cl = 1053 }
      else if (c == 2) { ct = "text/html"; cl = 919; path = "/wp-login.php" }
      else if (c == 3) { ct = "text/xml"; cl = 110; path = "/private/video.mp4"; q = sprintf("Expires=%d&Signature=c2lnbmF0dXJl&Key-Pair-Id=K2JCJMDEHXQW5F", 1714550000 + int(rand() * 3600)) }
      else if (c == 4) { ct = "application/xml"; cl = 243; ttfb = sprintf("0.%03d", 30 + int(rand() * 100)) }
      else { proto = "http"; ssl = "-"; cipher = "-"; ct = "text/html"; cl = 915; path = "/account" }
    }
    printf "2024-05-01\t%s\tIAD89-P2\t%d\t%s\t%s\td111111abcdef8.cloudfront.net\t%s\t%d\t-\t%s\t%s\t-\t%s\t%s\twww.example.com\t%s\t412\t%s\t-\t%s\t%s\t%s\tHTTP/2.0\t-\t-\t%d\t%s\t%s\t%s\t%s\t-\t-\n",
      t, cl + 400, ip, m, path, st, ua, q, rt, id, proto, ttfb, ssl, cipher, rt, 40000 + i % 20000, ttfb, det, ct, (cl > 0 ? cl : "-")
  }
}' > "$log"
size=$(du -m "$log" | cut -f1)
gzip -c "$log" > "$log.gz"
echo "log: $lines lines, ${size} MB ($log), $(du -m "$log.gz" | cut -f1) MB gzipped"

# Split into FILES files for the multi-core run, each with the two header lines.
body=$((lines / files + 1))
tail -n +3 "$log" | split -l "$body" -d -a 3 - "$W/split/part."
for f in "$W"/split/part.*; do
  n=${f##*.}; { head -2 "$log"; cat "$f"; } > "$W/split/E2BENCHEXAMPLE.2024-05-01-10.P$n"; rm "$f"
done

run() { # label, cores, args...
  local label=$1 cores=$2; shift 2
  /usr/bin/time -v -o "$W/time.txt" "$@" > "$W/out.json" || [ $? -eq 1 ]
  local secs cpu rss
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$W/time.txt")
  cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ {s+=$2} END {print s}' "$W/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$W/time.txt")
  printf '%-40s %7s  %10.0f lines/s  %6.2f s (cpu %5.2f s)  peak RSS %4d MiB\n' "$label" "$cores" "$(echo "$lines / $secs" | bc -l)" "$secs" "$cpu" "$rss"
}
# Warm the page cache, then measure.
cat "$log" "$log.gz" "$W"/split/* > /dev/null
run "openfront doctor logs --json" "1 core" env GOMAXPROCS=1 taskset -c 0 "$W/openfront" doctor logs --json --no-progress "$log"
run "openfront doctor logs --json (.gz)" "1 core" env GOMAXPROCS=1 taskset -c 0 "$W/openfront" doctor logs --json --no-progress "$log.gz"
run "openfront doctor logs --json ($files files)" "$(nproc) cores" "$W/openfront" doctor logs --json --no-progress "$W/split"
python3 - "$W/out.json" <<'PY' || true
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
print("  check: %d lines, %d refused, %d findings, %d requests kept" % (s["lines"], s["refused"], len(d["findings"]), len(d["requests"])))
PY
run "mawk, counting one field" "1 core" taskset -c 0 mawk -F'\t' '$9 == 403 { n++ } END { print n }' "$log"
if command -v goaccess > /dev/null; then
  run "goaccess --log-format=CLOUDFRONT" "1 core" taskset -c 0 goaccess "$log" --log-format=CLOUDFRONT --date-format=%Y-%m-%d --time-format=%T --no-progress -o "$W/goaccess.html"
else
  echo "goaccess not installed (apt-get install goaccess) — its CLOUDFRONT format reads about 116,000 lines/s (spec/peers.md)"
fi
