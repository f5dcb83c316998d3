#!/usr/bin/env bash
# The same distribution with and without a realistic 10-rule AWS WAF web ACL (an IP set of 10,000 CIDRs, geo,
# two byte matches, a regex pattern set, a size constraint, SQLi and XSS on query and body, a rate-based rule),
# same origin, same run (target: with >= 0.85x without). openfront pinned to CPU 0, wrk to CPU 1.
#
#   bash bench/waf.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}; conns=${2:-64}
peers=${PEERS:-../shared/bench/peers.sh}
W=${TMPDIR:-/tmp}/openfront-wafbench
rm -rf "$W/config"; mkdir -p "$W/config" "$W/logs" "$W/state"
trap 'bash "$peers" stop "$W/peers" >/dev/null; [ -n "${pid:-}" ] && kill $pid 2>/dev/null; true' EXIT
. bench/lib.sh
start_peers
acct=123456789012
cidrs=$(awk 'BEGIN { for (i = 0; i < 10000; i++) { printf "%s\"%d.%d.%d.0/24\"", (i ? "," : ""), 11 + int(i / 65536), int(i / 256) % 256, i % 256 } }')
cat > "$W/config/ipset.json" <<JSON
{"IPSet": {"Name": "blocked", "Id": "i1", "ARN": "arn:aws:wafv2:us-east-1:$acct:global/ipset/blocked/i1",
  "IPAddressVersion": "IPV4", "Addresses": [$cidrs]}, "LockToken": "x"}
JSON
cat > "$W/config/regex.json" <<JSON
{"RegexPatternSet": {"Name": "paths", "Id": "r1", "ARN": "arn:aws:wafv2:us-east-1:$acct:global/regexpatternset/paths/r1",
  "RegularExpressionList": [{"RegexString": "^/wp-(admin|login)"}, {"RegexString": "\\\\.(php|asp)$"}]}, "LockToken": "x"}
JSON
vis() { echo "\"VisibilityConfig\": {\"SampledRequestsEnabled\": false, \"CloudWatchMetricsEnabled\": true, \"MetricName\": \"$1\"}"; }
cat > "$W/config/acl.json" <<JSON
{"WebACL": {"Name": "bench-acl", "Id": "a1", "ARN": "arn:aws:wafv2:us-east-1:$acct:global/webacl/bench-acl/a1",
  "DefaultAction": {"Allow": {}}, "Capacity": 500, $(vis bench-acl),
  "Rules": [
    {"Name": "ipset", "Priority": 0, "Action": {"Block": {}}, "Statement": {"IPSetReferenceStatement": {"ARN": "arn:aws:wafv2:us-east-1:$acct:global/ipset/blocked/i1"}}, $(vis ipset)},
    {"Name": "geo", "Priority": 1, "Action": {"Block": {}}, "Statement": {"GeoMatchStatement": {"CountryCodes": ["KP", "IR"]}}, $(vis geo)},
    {"Name": "ua", "Priority": 2, "Action": {"Block": {}}, "Statement": {"ByteMatchStatement": {"SearchString": "YmFkYm90", "FieldToMatch": {"SingleHeader": {"Name": "user-agent"}}, "TextTransformations": [{"Priority": 0, "Type": "LOWERCASE"}], "PositionalConstraint": "CONTAINS"}}, $(vis ua)},
    {"Name": "admin", "Priority": 3, "Action": {"Block": {}}, "Statement": {"ByteMatchStatement": {"SearchString": "L2FkbWlu", "FieldToMatch": {"UriPath": {}}, "TextTransformations": [{"Priority": 0, "Type": "URL_DECODE"}], "PositionalConstraint": "STARTS_WITH"}}, $(vis admin)},
    {"Name": "paths", "Priority": 4, "Action": {"Block": {}}, "Statement": {"RegexPatternSetReferenceStatement": {"ARN": "arn:aws:wafv2:us-east-1:$acct:global/regexpatternset/paths/r1", "FieldToMatch": {"UriPath": {}}, "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}}, $(vis paths)},
    {"Name": "size", "Priority": 5, "Action": {"Block": {}}, "Statement": {"SizeConstraintStatement": {"FieldToMatch": {"QueryString": {}}, "ComparisonOperator": "GT", "Size": 2048, "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}}, $(vis size)},
    {"Name": "sqli-query", "Priority": 6, "Action": {"Block": {}}, "Statement": {"SqliMatchStatement": {"FieldToMatch": {"AllQueryArguments": {}}, "TextTransformations": [{"Priority": 0, "Type": "URL_DECODE"}]}}, $(vis sqli-query)},
    {"Name": "xss-query", "Priority": 7, "Action": {"Block": {}}, "Statement": {"XssMatchStatement": {"FieldToMatch": {"AllQueryArguments": {}}, "TextTransformations": [{"Priority": 0, "Type": "URL_DECODE"}]}}, $(vis xss-query)},
    {"Name": "sqli-body", "Priority": 8, "Action": {"Block": {}}, "Statement": {"SqliMatchStatement": {"FieldToMatch": {"Body": {"OversizeHandling": "CONTINUE"}}, "TextTransformations": [{"Priority": 0, "Type": "URL_DECODE"}]}}, $(vis sqli-body)},
    {"Name": "rate", "Priority": 9, "Action": {"Block": {}}, "Statement": {"RateBasedStatement": {"Limit": 100000000, "EvaluationWindowSec": 300, "AggregateKeyType": "IP"}}, $(vis rate)}
  ]}, "LockToken": "x"}
JSON
for id in EPLAIN EWAF; do
  acl=''; [ $id = EWAF ] && acl="\"WebACLId\": \"arn:aws:wafv2:us-east-1:$acct:global/webacl/bench-acl/a1\","
  cat > "$W/config/$id.json" <<JSON
{"ETag": "E1", "DistributionConfig": {"CallerReference": "$id", "Enabled": true, $acl
  "Origins": {"Quantity": 1, "Items": [{"Id": "origin", "DomainName": "127.0.0.1",
    "CustomOriginConfig": {"HTTPPort": 9001, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only", "OriginKeepaliveTimeout": 60}}]},
  "DefaultCacheBehavior": {"TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all",
    "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"},
  "Logging": {"Enabled": true, "IncludeCookies": false, "Bucket": "b", "Prefix": ""}}}
JSON
done
go build -o "$W/openfront" ./cmd/openfront
taskset -c 0 "$W/openfront" serve --config "$W/config" --http 127.0.0.1:9230 --https "" --admin "" \
  --log-dir "$W/logs" --state-dir "$W/state" 2>"$W/err" &
pid=$!
for i in $(seq 100); do curl -sf -o /dev/null -H 'Host: eplain.cloudfront.localhost' http://127.0.0.1:9230/1k && break; sleep 0.1; done
curl -sf -o /dev/null -H 'Host: ewaf.cloudfront.localhost' 'http://127.0.0.1:9230/1k?q=hello' || { echo "the web ACL blocked a benign request"; cat "$W/err"; exit 1; }
printf 'no web ACL   %s\n' "$(bash "$peers" load "http://127.0.0.1:9230/1k?q=hello" "$secs" "$conns" eplain.cloudfront.localhost)"
printf '10-rule ACL  %s\n' "$(bash "$peers" load "http://127.0.0.1:9230/1k?q=hello" "$secs" "$conns" ewaf.cloudfront.localhost)"
