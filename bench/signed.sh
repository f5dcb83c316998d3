#!/usr/bin/env bash
# One hot signed URL against the same request unsigned, same origin, same run (target: signed >= 0.9x
# unsigned). openfront pinned to CPU 0, wrk to CPU 1 (../shared/bench/peers.sh).
#
#   bash bench/signed.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}; conns=${2:-64}
peers=${PEERS:-../shared/bench/peers.sh}
W=${TMPDIR:-/tmp}/openfront-signed
rm -rf "$W/config"; mkdir -p "$W/config" "$W/logs" "$W/state"
trap 'bash "$peers" stop "$W/peers" >/dev/null; [ -n "${pid:-}" ] && kill $pid 2>/dev/null; true' EXIT
. bench/lib.sh
start_peers
openssl genrsa -out "$W/key.pem" 2048 2>/dev/null
pub=$(openssl rsa -in "$W/key.pem" -pubout 2>/dev/null | awk '{printf "%s\\n", $0}')
cat > "$W/config/pk.json" <<JSON
{"ETag": "E1", "PublicKey": {"Id": "KBENCH", "CreatedTime": "2026-01-01T00:00:00Z",
  "PublicKeyConfig": {"CallerReference": "b", "Name": "bench", "EncodedKey": "$pub"}}}
JSON
cat > "$W/config/kg.json" <<JSON
{"ETag": "E1", "KeyGroup": {"Id": "kg", "LastModifiedTime": "2026-01-01T00:00:00Z", "KeyGroupConfig": {"Name": "kg", "Items": ["KBENCH"]}}}
JSON
for id in EUNSIGNED ESIGNED; do
  tkg='"TrustedKeyGroups": {"Enabled": false, "Quantity": 0},'
  [ $id = ESIGNED ] && tkg='"TrustedKeyGroups": {"Enabled": true, "Quantity": 1, "Items": ["kg"]},'
  cat > "$W/config/$id.json" <<JSON
{"ETag": "E1", "DistributionConfig": {"CallerReference": "$id", "Enabled": true,
  "Origins": {"Quantity": 1, "Items": [{"Id": "origin", "DomainName": "127.0.0.1",
    "CustomOriginConfig": {"HTTPPort": 9001, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only", "OriginKeepaliveTimeout": 60}}]},
  "DefaultCacheBehavior": {"TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all", $tkg
    "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"},
  "Logging": {"Enabled": true, "IncludeCookies": false, "Bucket": "b", "Prefix": ""}}}
JSON
done
go build -o "$W/openfront" ./cmd/openfront
taskset -c 0 "$W/openfront" serve --config "$W/config" --http 127.0.0.1:9220 --https "" --admin "" \
  --log-dir "$W/logs" --state-dir "$W/state" 2>"$W/err" &
pid=$!
for i in $(seq 100); do curl -sf -o /dev/null -H 'Host: eunsigned.cloudfront.localhost' http://127.0.0.1:9220/1k && break; sleep 0.1; done
signed=$("$W/openfront" sign url http://esigned.cloudfront.localhost/1k --key-pair-id KBENCH --private-key "$W/key.pem" --expires 24h)
path=${signed#http://esigned.cloudfront.localhost}
printf 'unsigned  %s\n' "$(bash "$peers" load "http://127.0.0.1:9220/1k" "$secs" "$conns" eunsigned.cloudfront.localhost)"
printf 'signed    %s\n' "$(bash "$peers" load "http://127.0.0.1:9220$path" "$secs" "$conns" esigned.cloudfront.localhost)"
