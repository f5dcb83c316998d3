#!/usr/bin/env bash
# Streams a 4 GiB object from nginx through openfront and reports openfront's RSS before and at its peak:
# bodies must stream, never be held whole (target: RSS growth < 32 MiB).
#
#   bash bench/stream.sh
set -euo pipefail
cd "$(dirname "$0")/.."
peers=${PEERS:-../shared/bench/peers.sh}
W=${TMPDIR:-/tmp}/openfront-stream
mkdir -p "$W/config" "$W/logs" "$W/state"
trap 'bash "$peers" stop "$W/peers" >/dev/null; rm -f "$W/peers/www/4g"; [ -n "${pid:-}" ] && kill $pid 2>/dev/null; true' EXIT
. bench/lib.sh
start_peers
truncate -s 4G "$W/peers/www/4g"
cat > "$W/config/ESTREAM.json" <<JSON
{"ETag": "E1", "DistributionConfig": {"CallerReference": "stream", "Enabled": true,
  "Origins": {"Quantity": 1, "Items": [{"Id": "origin", "DomainName": "127.0.0.1",
    "CustomOriginConfig": {"HTTPPort": 9001, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
  "DefaultCacheBehavior": {"TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all",
    "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"}}}
JSON
go build -o "$W/openfront" ./cmd/openfront
"$W/openfront" serve --config "$W/config" --http 127.0.0.1:9210 --https "" --admin "" --log-dir "$W/logs" --state-dir "$W/state" 2>"$W/err" &
pid=$!
for i in $(seq 100); do curl -sf -o /dev/null -H 'Host: estream.cloudfront.localhost' http://127.0.0.1:9210/1k && break; sleep 0.1; done
before=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
start=$(date +%s.%N)
size=$(curl -s -o /dev/null -w '%{size_download}' -H 'Host: estream.cloudfront.localhost' http://127.0.0.1:9210/4g)
end=$(date +%s.%N)
peak=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
echo "streamed $size bytes in $(echo "$end - $start" | bc) s; RSS before ${before} kB, peak ${peak} kB, growth $(( (peak - before) / 1024 )) MiB"
