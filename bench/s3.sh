#!/usr/bin/env bash
# One 1 KiB object from an S3-compatible server (versitygw) through openfront: signed with origin access control
# (SigV4 per request) against the same size object read unsigned (public), same run (target: signed >= 0.9x).
# openfront pinned to CPU 0, wrk to CPU 1; versitygw first shares CPU 0 with openfront, then moves to CPU 1, so
# that its own SigV4 verification (which real S3 does on its side, not the edge's) stops counting against the
# edge's core. Both placements leave versitygw the bottleneck on this 2-core machine, so each line also gives
# openfront's own CPU time per request (from /proc): the edge's capacity ratio is the inverse ratio of those.
# versitygw runs with --keep-alive, as real S3 keeps connections open (without it every request pays a dial).
# A last pair puts an origin that checks no signature behind both (nginx from peers.sh): the edge's own signing
# overhead. Needs versitygw (go install
# github.com/versity/versitygw/cmd/versitygw@v1.8.0), the aws CLI and wrk.
#
#   bash bench/s3.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}; conns=${2:-64}
peers=${PEERS:-../shared/bench/peers.sh}
W=${TMPDIR:-/tmp}/openfront-s3bench
rm -rf "$W"; mkdir -p "$W/config" "$W/logs" "$W/state" "$W/s3"
export AWS_ACCESS_KEY_ID=BENCHKEY AWS_SECRET_ACCESS_KEY=benchsecret0123456789 AWS_REGION=us-east-1
export AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
trap 'kill ${gw:-} ${pid:-} 2>/dev/null; bash "$peers" stop "$W/peers" >/dev/null; true' EXIT
. bench/lib.sh
start_peers
ROOT_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID ROOT_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY \
  taskset -c 0 versitygw --port 127.0.0.1:9240 --keep-alive posix "$W/s3" >"$W/versitygw.log" 2>&1 &
gw=$!
for i in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:9240/ && break; sleep 0.1; done
s3() { aws --endpoint-url http://127.0.0.1:9240 s3api "$@" >/dev/null; }
s3 create-bucket --bucket bench
head -c 1024 /dev/urandom > "$W/1k"
s3 put-object --bucket bench --key private/1k --body "$W/1k"
s3 put-object --bucket bench --key public/1k --body "$W/1k"
s3 put-bucket-policy --bucket bench --policy '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bench/public/*"}]}'
cat > "$W/config/oac.json" <<JSON
{"ETag": "E1", "OriginAccessControl": {"Id": "EOACBENCH", "OriginAccessControlConfig": {"Name": "bench",
  "SigningProtocol": "sigv4", "SigningBehavior": "always", "OriginAccessControlOriginType": "s3"}}}
JSON
for id in ESIGNED EPLAIN ESIGNEDNG EPLAINNG; do
  oac=''; case $id in ESIGNED*) oac='"OriginAccessControlId": "EOACBENCH",';; esac
  bucket=bench; case $id in *NG) bucket=nginx;; esac
  cat > "$W/config/$id.json" <<JSON
{"ETag": "E1", "DistributionConfig": {"CallerReference": "$id", "Enabled": true,
  "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": "$bucket.s3.us-east-1.amazonaws.com", $oac
    "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
  "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "allow-all",
    "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"},
  "Logging": {"Enabled": true, "IncludeCookies": false, "Bucket": "b", "Prefix": ""}}}
JSON
done
go build -o "$W/openfront" ./cmd/openfront
taskset -c 0 "$W/openfront" serve --config "$W/config" --http 127.0.0.1:9241 --https "" --admin "" \
  --log-dir "$W/logs" --state-dir "$W/state" --s3-endpoint http://127.0.0.1:9240 --s3-bucket-endpoint 'nginx=http://*.127.0.0.1:9001' 2>"$W/err" &
pid=$!
for i in $(seq 100); do curl -sf -o /dev/null -H 'Host: eplain.cloudfront.localhost' http://127.0.0.1:9241/public/1k && break; sleep 0.1; done
curl -sf -o /dev/null -H 'Host: esigned.cloudfront.localhost' http://127.0.0.1:9241/private/1k || { echo "the signed request failed"; cat "$W/err"; exit 1; }
# measure LABEL PATH HOST: wrk's line, then openfront's CPU µs per request during it.
measure() {
  local t0 t1 out rps
  t0=$(awk '{print $14+$15}' /proc/$pid/stat)
  out=$(bash "$peers" load "http://127.0.0.1:9241$2" "$secs" "$conns" "$3")
  t1=$(awk '{print $14+$15}' /proc/$pid/stat)
  rps=$(sed -n 's/^rps=\([0-9.]*\).*/\1/p' <<<"$out")
  printf '%s %s openfront-cpu=%s us/req\n' "$1" "$out" \
    "$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v r="$rps" -v s="$secs" 'BEGIN {printf "%.0f", t / hz * 1e6 / (r * s)}')"
}
for cpu in 0 1; do
  taskset -a -p -c $cpu $gw >/dev/null
  echo "== versitygw on CPU $cpu"
  measure 'unsigned (public object) ' /public/1k eplain.cloudfront.localhost
  measure 'OAC-signed (SigV4)       ' /private/1k esigned.cloudfront.localhost
done
# The edge's own cost of signing: the same two distributions in front of an origin that checks no signature
# (peers.sh's nginx, reached virtual-host style), so the only difference left is SigV4 at the edge.
echo "== nginx origin (no signature check), CPU 0"
measure 'unsigned                 ' /1k eplainng.cloudfront.localhost
measure 'OAC-signed (SigV4)       ' /1k esignedng.cloudfront.localhost
