#!/usr/bin/env bash
# Measures openfront side by side with nginx (proxy, no cache), HAProxy and Caddy in front of the same origin,
# in one run: servers pinned to CPU 0, wrk pinned to CPU 1 (../shared/bench/peers.sh). Access logging is on for
# openfront (CloudFront format, gzip) and nginx.
#
#   bash bench/proxy.sh [SECONDS] [CONNECTIONS]
#
# Prints one line per server and object size: rps, p50, p99; then openfront's RSS under load. For scale it
# also measures three bare Go proxies (bench/ceiling): net/http with httputil.ReverseProxy, net/http with
# fasthttp's HostClient (openfront's own HTTP stack, without the edge's work), and fasthttp on both sides.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}; conns=${2:-64}
peers=${PEERS:-../shared/bench/peers.sh}
W=${TMPDIR:-/tmp}/openfront-bench
mkdir -p "$W/config" "$W/logs" "$W/state"
trap 'bash "$peers" stop "$W/peers" >/dev/null; [ -n "${pid:-}" ] && kill $pid 2>/dev/null; kill ${cpids[@]:-} 2>/dev/null; true' EXIT
. bench/lib.sh
start_peers

cat > "$W/config/EBENCH.json" <<JSON
{"ETag": "E1", "DistributionConfig": {
  "CallerReference": "bench", "Enabled": true,
  "Origins": {"Quantity": 1, "Items": [{"Id": "origin", "DomainName": "127.0.0.1",
    "CustomOriginConfig": {"HTTPPort": 9001, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only", "OriginKeepaliveTimeout": 60}}]},
  "DefaultCacheBehavior": {"TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all",
    "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"},
  "Logging": {"Enabled": true, "IncludeCookies": false, "Bucket": "bench-logs.s3.amazonaws.com", "Prefix": ""}
}}
JSON
go build -o "$W/openfront" ./cmd/openfront
taskset -c 0 "$W/openfront" serve --config "$W/config" --http 127.0.0.1:9200 --https "" --admin 127.0.0.1:9201 \
  --log-dir "$W/logs" --state-dir "$W/state" 2>"$W/openfront.err" &
pid=$!
go build -o "$W/ceiling" ./bench/ceiling
cpids=()
for m in reverseproxy:9210 nethttp-hostclient:9211 fasthttp:9212; do
  taskset -c 0 "$W/ceiling" "${m%%:*}" "127.0.0.1:${m##*:}" 127.0.0.1:9001 2>/dev/null & cpids+=($!)
done
for i in $(seq 100); do curl -sf -o /dev/null -H 'Host: ebench.cloudfront.localhost' http://127.0.0.1:9200/1k && break; sleep 0.1; done

load() { bash "$peers" load "$1" "$secs" "$conns" "${2:-}"; }
for obj in 1k 1m; do
  echo "== $obj"
  printf 'openfront     %s\n' "$(load http://127.0.0.1:9200/$obj ebench.cloudfront.localhost)"
  printf 'nginx-proxy   %s\n' "$(load http://127.0.0.1:9102/$obj)"
  printf 'haproxy       %s\n' "$(load http://127.0.0.1:9105/$obj)"
  printf 'caddy         %s\n' "$(load http://127.0.0.1:9104/$obj)"
  printf 'go-revproxy   %s\n' "$(load http://127.0.0.1:9210/$obj)"
  printf 'go-hostclient %s\n' "$(load http://127.0.0.1:9211/$obj)"
  printf 'go-fasthttp   %s\n' "$(load http://127.0.0.1:9212/$obj)"
done
echo "openfront RSS after load: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status), peak $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"
kill -TERM $pid; wait $pid || true; pid=
lines=$(zcat "$W"/logs/EBENCH.*.gz | grep -vc '^#')
echo "openfront access-log lines written: $lines"
