// Signed URLs and cookies made by @aws-sdk/cloudfront-signer (the AWS SDK for
// JavaScript v3), printed as JSON for gen.py: {"version", "cases": [...]}.
// Needs `npm ci` in this folder (package.json pins the version). Same hosts,
// keys, times and case shape as gen.py; "want" is CloudFront's documented
// answer, never this signer's or openfront's.
"use strict";
const fs = require("fs");
const path = require("path");
const { getSignedUrl, getSignedCookies } = require("@aws-sdk/cloudfront-signer");

const keys = path.join(__dirname, "keys");
const read = (f) => fs.readFileSync(path.join(keys, f), "utf8");
const HOST = "signers.example.com";
const BASE = "http://" + HOST;
const FAR = "2100-01-01T00:00:00Z";
const PAST = "2001-01-01T00:00:00Z";
const LATER = "2099-01-01T00:00:00Z";
const RSA_A = "KSGNRSAA000001", EC = "KSGNECP2560001", RSA_B = "KSGNRSAB000001", UNTRUSTED = "KSGNUNTRUST001";
const rsa = read("rsa-a.pem"), ec = read("ec.pem"), rsaB = read("rsa-b-encrypted.pem"), untrusted = read("rsa-untrusted.pem");
const version = "@aws-sdk/cloudfront-signer " + require("@aws-sdk/cloudfront-signer/package.json").version;

const cases = [];
const target = (url) => {
  const rest = url.slice(url.indexOf("://") + 3);
  return rest.slice(rest.indexOf("/"));
};
const url = (name, want, opts, extra = {}) =>
  cases.push({ name: "node: " + name, target: target(getSignedUrl(opts)), want, ...extra });
// getSignedCookies returns an object; a browser sends them in one header
// (joined with "; ") or, after separate Set-Cookie paths, in several.
const cookies = (name, want, t, opts, split = false, scheme = "http") => {
  const jar = Object.entries(getSignedCookies(opts)).map(([k, v]) => k + "=" + v);
  const lines = split ? ["pref=1; " + jar.slice(0, 1).join("; "), jar.slice(1).join("; ") + "; other=2"] : [jar.join("; ")];
  cases.push({ name: "node: " + name, target: t, want, cookies: lines, scheme });
};
const policy = (resource, cond) =>
  JSON.stringify({ Statement: [{ Resource: resource, Condition: { DateLessThan: { "AWS:EpochTime": 4102444800 }, ...cond } }] });

url("canned, RSA, own query", "200", { url: BASE + "/private/node/a.txt?color=red&size=medium", keyPairId: RSA_A, privateKey: rsa, dateLessThan: FAR });
// The signer percent-encodes the path itself: space, '+', '/', UTF-8.
url("canned, raw space, plus, %2F and UTF-8 (the signer encodes them)", "200",
  { url: BASE + "/private/node/odd/a b/c+d%2Fe/über.txt?q=a b+c&r=%2f", keyPairId: RSA_A, privateKey: rsa, dateLessThan: FAR });
url("canned, ECDSA, SHA-256", "200", { url: BASE + "/private/node/ec.txt", keyPairId: EC, privateKey: ec, dateLessThan: FAR, algorithm: "SHA256" });
url("canned, RSA, SHA-256, over https", "200",
  { url: "https://" + HOST + "/private/node/tls.txt?x=1", keyPairId: RSA_A, privateKey: rsa, dateLessThan: FAR, algorithm: "SHA256" }, { scheme: "https" });
url("canned, passphrase-protected key of the second key group", "200",
  { url: BASE + "/private/node/b.txt", keyPairId: RSA_B, privateKey: rsaB, passphrase: "openfront-test", dateLessThan: FAR });
url("custom, DateGreaterThan and single IP", "200",
  { url: BASE + "/private/node/c.txt?k=v", keyPairId: EC, privateKey: ec, dateLessThan: FAR, dateGreaterThan: PAST, ipAddress: "127.0.0.1" });
url("custom, CIDR, IPv4 viewer inside", "200",
  { url: BASE + "/private/node/d.txt", keyPairId: RSA_A, privateKey: rsa, dateLessThan: FAR, ipAddress: "198.51.100.0/24" }, { viewer: "198.51.100.9" });
url("custom, CIDR, IPv6 viewer", "AccessDenied",
  { url: BASE + "/private/node/d.txt", keyPairId: RSA_A, privateKey: rsa, dateLessThan: FAR, ipAddress: "198.51.100.0/24" }, { viewer: "2001:db8::9" });
url("custom policy, wildcard Resource, SHA-256", "200",
  { url: BASE + "/private/node/dir/deep/e.txt?x=y", keyPairId: RSA_A, privateKey: rsa, algorithm: "SHA256", policy: policy(BASE + "/private/node/dir/*") });
url("custom policy, Resource *", "200", { url: BASE + "/private/node/star.txt", keyPairId: EC, privateKey: ec, policy: policy("*") });
url("custom, DateGreaterThan not reached", "AccessDenied",
  { url: BASE + "/private/node/f.txt", keyPairId: RSA_A, privateKey: rsa, dateLessThan: FAR, dateGreaterThan: LATER });
url("canned, expired", "AccessDenied", { url: BASE + "/private/node/g.txt", keyPairId: RSA_A, privateKey: rsa, dateLessThan: PAST });
url("canned, key not in a trusted key group", "InvalidKey",
  { url: BASE + "/private/node/h.txt", keyPairId: UNTRUSTED, privateKey: untrusted, dateLessThan: FAR });

url("legacy key pair, RSA 4096, SHA-256", "200",
  { url: BASE + "/legacy/node/a.txt?x=1", keyPairId: "APKASIGNERS4096EXMPL", privateKey: read("legacy-rsa4096.pem"), dateLessThan: FAR, algorithm: "SHA256" });
cookies("legacy key pair, RSA 1024, canned cookies", "200", "/legacy/node/c.txt",
  { url: BASE + "/legacy/node/c.txt", keyPairId: "APKASIGNERS1024EXMPL", privateKey: read("legacy-rsa1024.pem"), dateLessThan: FAR });
cookies("canned cookies (CloudFront-Expires), one Cookie header", "200", "/private/node/cookie.txt",
  { url: BASE + "/private/node/cookie.txt", keyPairId: RSA_A, privateKey: rsa, dateLessThan: FAR });
cookies("canned cookies (CloudFront-Expires), ECDSA SHA-256, two Cookie headers", "200", "/private/node/cookie-ec.txt",
  { url: BASE + "/private/node/cookie-ec.txt", keyPairId: EC, privateKey: ec, dateLessThan: FAR, algorithm: "SHA256" }, true);
cookies("policy cookies (CloudFront-Policy), wildcard Resource, two Cookie headers", "200", "/private/node/jar/x/y.txt?q=1",
  { keyPairId: RSA_A, privateKey: rsa, policy: policy(BASE + "/private/node/jar/*") }, true);
cookies("policy cookies, DateGreaterThan and CIDR", "200", "/private/node/jar2.txt",
  { url: BASE + "/private/node/jar2.txt", keyPairId: EC, privateKey: ec, dateLessThan: FAR, dateGreaterThan: PAST, ipAddress: "127.0.0.0/8" });
cookies("canned cookies, over https", "200", "/private/node/tls-cookie.txt",
  { url: "https://" + HOST + "/private/node/tls-cookie.txt", keyPairId: RSA_A, privateKey: rsa, dateLessThan: FAR }, false, "https");
cookies("policy cookies, SHA-256, over https, two Cookie headers", "200", "/private/node/tls-jar/a.txt?b=c",
  { keyPairId: EC, privateKey: ec, algorithm: "SHA256", policy: policy("https://" + HOST + "/private/node/tls-jar/*") }, true, "https");
cookies("policy cookies for https, request over http", "AccessDenied", "/private/node/tls-jar/a.txt",
  { keyPairId: EC, privateKey: ec, policy: policy("https://" + HOST + "/private/node/tls-jar/*") });
cookies("canned cookies, expired", "AccessDenied", "/private/node/old-cookie.txt",
  { url: BASE + "/private/node/old-cookie.txt", keyPairId: RSA_A, privateKey: rsa, dateLessThan: PAST });
cookies("policy cookies, DateGreaterThan not reached", "AccessDenied", "/private/node/jar3.txt",
  { url: BASE + "/private/node/jar3.txt", keyPairId: RSA_A, privateKey: rsa, dateLessThan: FAR, dateGreaterThan: LATER });
cookies("canned cookies, key not in a trusted key group", "InvalidKey", "/private/node/jar4.txt",
  { url: BASE + "/private/node/jar4.txt", keyPairId: UNTRUSTED, privateKey: untrusted, dateLessThan: FAR });

process.stdout.write(JSON.stringify({ version, cases }));
