#!/usr/bin/env bash
# Cache hits side by side: openfront with the managed CachingOptimized policy against nginx's proxy_cache edge
# and Varnish (../shared/bench/peers.sh), all in front of the same origin, in one run. Servers on CPU 0, wrk on
# CPU 1, 64 connections, access logs on for openfront and nginx. Every request after the first is a hit.
#
#   bash bench/cache.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}; conns=${2:-64}
peers=${PEERS:-../shared/bench/peers.sh}
W=${TMPDIR:-/tmp}/openfront-cachebench
rm -rf "$W"; mkdir -p "$W/config" "$W/logs" "$W/state"
trap 'bash "$peers" stop "$W/peers" >/dev/null; [ -n "${pid:-}" ] && kill $pid 2>/dev/null; true' EXIT
. bench/lib.sh
start_peers

cat > "$W/config/ECACHE.json" <<JSON
{"ETag": "E1", "DistributionConfig": {
  "CallerReference": "bench-cache", "Enabled": true,
  "Origins": {"Quantity": 1, "Items": [{"Id": "origin", "DomainName": "127.0.0.1",
    "CustomOriginConfig": {"HTTPPort": 9001, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only", "OriginKeepaliveTimeout": 60}}]},
  "DefaultCacheBehavior": {"TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all",
    "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
  "Logging": {"Enabled": true, "IncludeCookies": false, "Bucket": "bench-logs.s3.amazonaws.com", "Prefix": ""}
}}
JSON
go build -o "$W/openfront" ./cmd/openfront
taskset -c 0 "$W/openfront" serve --config "$W/config" --http 127.0.0.1:9220 --https "" --admin "" \
  --log-dir "$W/logs" --state-dir "$W/state" 2>"$W/openfront.err" &
pid=$!
for i in $(seq 100); do curl -sf -o /dev/null -H 'Host: ecache.cloudfront.localhost' http://127.0.0.1:9220/1k && break; sleep 0.1; done
for obj in 1k 100k; do
  curl -s -o /dev/null -H 'Host: ecache.cloudfront.localhost' http://127.0.0.1:9220/$obj
  x=$(curl -s -o /dev/null -D - -H 'Host: ecache.cloudfront.localhost' http://127.0.0.1:9220/$obj | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache" {print $2}')
  [ "$x" = "Hit from cloudfront" ] || { echo "openfront does not hit /$obj (X-Cache: $x)"; exit 1; }
  echo "== $obj (cache hits)"
  printf 'openfront     %s\n' "$(bash "$peers" load http://127.0.0.1:9220/$obj "$secs" "$conns" ecache.cloudfront.localhost)"
  printf 'nginx-cache   %s\n' "$(bash "$peers" load http://127.0.0.1:9101/$obj "$secs" "$conns")"
  printf 'varnish       %s\n' "$(bash "$peers" load http://127.0.0.1:9103/$obj "$secs" "$conns")"
done
echo "openfront RSS after load: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
