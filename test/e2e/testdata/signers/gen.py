#!/usr/bin/env python3
"""Signed URLs and cookies made by real third-party CloudFront signers.

Regenerates vectors.json beside this file (or --out DIR/vectors.json), read by
test/e2e/signers_test.go, which also runs this script live. Every signature
here is made by the signer named in its case, with the keys in keys/:

  botocore   botocore.signers.CloudFrontSigner (canned, and build_policy with
             a wildcard Resource, DateGreaterThan and IpAddress), with RSA and
             ECDSA signers from python-cryptography
  awscli1    `aws cloudfront sign`, AWS CLI v1 (the aws on PATH)
  awscli2    `aws cloudfront sign`, Debian's AWS CLI v2 (/usr/bin/aws)
  openssl    the shell recipe of the CloudFront Developer Guide
             ("openssl sha1 -sign key | openssl base64 | tr '+=/' '-_~'"),
             RSA and ECDSA P-256, SHA-1 and SHA-256
  node       @aws-sdk/cloudfront-signer (gen-node.js; needs `npm ci` here)

Each case says what CloudFront answers, from its documentation alone
(spec §1.3, §5): "200" when the request is served, else the XML error code.
A few "bad" cases alter a real signer's output the way a broken client would
(a dropped Key-Pair-Id, standard base64, a parameter added after signing);
the alteration is written in the case's name.

Usage: gen.py [--out DIR] [--only SIGNER[,SIGNER]]
A signer that is not installed is left out and named in "missing".
Times are fixed (Expires 2100-01-01) so the vectors stay valid.
"""

import argparse
import base64
import datetime
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(HERE, "keys")

HOST = "signers.example.com"
BASE = "http://" + HOST
FAR = 4102444800  # 2100-01-01T00:00:00Z
PAST = 978307200  # 2001-01-01T00:00:00Z
LATER = 4070908800  # 2099-01-01T00:00:00Z, a DateGreaterThan not yet reached

# Key IDs: RSA_A and EC are in key group A, RSA_B in key group B; both groups
# are trusted by /private/*. UNTRUSTED is a public key of the account in a key
# group (C) that no behavior trusts.
RSA_A, EC, RSA_B, UNTRUSTED = "KSGNRSAA000001", "KSGNECP2560001", "KSGNRSAB000001", "KSGNUNTRUST001"
# Legacy CloudFront key pairs (trusted signers; RSA 1024 to 4096 bits), which
# only /legacy/* trusts, through openfront serve --trusted-signer-key.
LEGACY_1024, LEGACY_4096 = "APKASIGNERS1024EXMPL", "APKASIGNERS4096EXMPL"
KEYFILE = {RSA_A: "rsa-a.pem", EC: "ec.pem", RSA_B: "rsa-b.pem", UNTRUSTED: "rsa-untrusted.pem",
           LEGACY_1024: "legacy-rsa1024.pem", LEGACY_4096: "legacy-rsa4096.pem"}

# An object key with a space, '+', an encoded '/', and a non-ASCII letter,
# percent-encoded as a browser sends it (signers other than Node's take the
# URL as given, so the caller encodes it).
ODD_PATH = "/private/odd/a%20b/c+d%2Be%2Ff/%C3%BCber.txt"


def key(kid):
    return os.path.join(KEYS, KEYFILE[kid])


def case(name, signer, target, want, cookies=None, viewer="", scheme="http"):
    return {"name": name, "signer": signer, "scheme": scheme, "host": HOST, "target": target,
            "cookies": cookies or [], "viewer": viewer, "want": want}


def target_of(url):
    rest = url.split("://", 1)[1]
    return rest[rest.index("/"):]


def set_param(target, name, value):
    path, query = target.split("?", 1)
    parts = [p if p.split("=", 1)[0] != name else name + "=" + value for p in query.split("&")]
    return path + "?" + "&".join(parts)


def drop_param(target, name):
    path, query = target.split("?", 1)
    return path + "?" + "&".join(p for p in query.split("&") if p.split("=", 1)[0] != name)


def param(target, name):
    for p in target.split("?", 1)[1].split("&"):
        k, _, v = p.partition("=")
        if k == name:
            return v
    raise KeyError(name)


def tamper(sig):
    i = len(sig) // 2
    return sig[:i] + ("B" if sig[i] == "A" else "A") + sig[i + 1:]


def cf_b64(data):
    return base64.b64encode(data).decode().replace("+", "-").replace("=", "_").replace("/", "~")


def std_b64(cf):
    """The same bytes in standard base64, as a signer that skips
    CloudFront's character replacement sends them."""
    return cf.replace("-", "+").replace("_", "=").replace("~", "/")


def url_safe_b64(cf):
    """The same bytes in RFC 4648 URL-safe base64."""
    return std_b64(cf).replace("+", "-").replace("/", "_")


def run(args, stdin=None, env=None):
    p = subprocess.run(args, input=stdin, capture_output=True, env=env)
    if p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (args[0], p.returncode, p.stderr.decode(errors="replace")))
    return p.stdout


# --- botocore ---------------------------------------------------------------

def botocore_cases(versions):
    try:
        import botocore
        from botocore.signers import CloudFrontSigner
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec, padding
    except ImportError:
        return None

    versions["botocore"] = "botocore " + botocore.__version__
    signer_name = versions["botocore"]

    def load(kid):
        with open(key(kid), "rb") as f:
            return serialization.load_pem_private_key(f.read(), password=None)

    def rsa_signer(kid):
        k = load(kid)
        return lambda msg: k.sign(msg, padding.PKCS1v15(), hashes.SHA1())

    def ec_signer(kid):
        k = load(kid)
        return lambda msg: k.sign(msg, ec.ECDSA(hashes.SHA1()))

    def utc(epoch):
        return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)

    rsa = CloudFrontSigner(RSA_A, rsa_signer(RSA_A))
    ecs = CloudFrontSigner(EC, ec_signer(EC))
    rsab = CloudFrontSigner(RSA_B, rsa_signer(RSA_B))
    out = []

    def add(name, url, want, **kw):
        out.append(case("botocore: " + name, signer_name, target_of(url), want, **kw))

    canned = rsa.generate_presigned_url(BASE + "/private/boto/a.txt?color=red&size=medium", date_less_than=utc(FAR))
    add("canned, RSA, own query", canned, "200")
    add("canned, ECDSA P-256", ecs.generate_presigned_url(BASE + "/private/boto/ec.txt", date_less_than=utc(FAR)), "200")
    add("canned, RSA key of the second key group", rsab.generate_presigned_url(BASE + "/private/boto/b.txt", date_less_than=utc(FAR)), "200")
    add("canned, IPv6 viewer (no IpAddress condition)",
        rsa.generate_presigned_url(BASE + "/private/boto/v6.txt", date_less_than=utc(FAR)), "200", viewer="2001:db8::42")
    add("canned, over https", rsa.generate_presigned_url("https://" + HOST + "/private/boto/tls.txt?x=1", date_less_than=utc(FAR)), "200", scheme="https")
    add("canned for https, requested over http",
        rsa.generate_presigned_url("https://" + HOST + "/private/boto/tls-only.txt", date_less_than=utc(FAR)), "AccessDenied")
    add("canned, encoded space, plus, %2F and UTF-8 in the path and query",
        rsa.generate_presigned_url(BASE + ODD_PATH + "?q=a%20b+c&slash=%2F", date_less_than=utc(FAR)), "200")

    pol = rsa.build_policy(BASE + "/private/boto/dir/*", utc(FAR), date_greater_than=utc(PAST), ip_address="127.0.0.1")
    add("custom, wildcard Resource, DateGreaterThan, single IP",
        rsa.generate_presigned_url(BASE + "/private/boto/dir/sub/x.txt?v=2", policy=pol), "200")
    # The Policy in standard and in RFC 4648 URL-safe base64 (refused only
    # when that differs from CloudFront's alphabet for these bytes).
    ct = target_of(rsa.generate_presigned_url(BASE + "/private/boto/dir/sub/x.txt?v=2", policy=pol))
    cp = param(ct, "Policy")
    out.append(case("botocore: custom, Policy in standard base64", signer_name, set_param(ct, "Policy", std_b64(cp)),
                    "MalformedPolicy" if std_b64(cp) != cp else "200"))
    out.append(case("botocore: custom, Policy in RFC 4648 URL-safe base64", signer_name, set_param(ct, "Policy", url_safe_b64(cp)),
                    "MalformedPolicy" if url_safe_b64(cp) != cp else "200"))
    # A well-formed policy granting more, with the original signature.
    wider = rsa.build_policy(BASE + "/private/*", utc(FAR))
    out.append(case("botocore: custom, Policy widened after signing", signer_name,
                    set_param(ct, "Policy", cf_b64(wider.encode())), "AccessDenied"))
    pol = ecs.build_policy("*", utc(FAR))
    add("custom, ECDSA, Resource *", ecs.generate_presigned_url(BASE + "/private/boto/any/where.txt?z=1", policy=pol), "200")
    pol = rsa.build_policy(BASE + "/private/boto/net/*", utc(FAR), ip_address="203.0.113.0/24")
    net = rsa.generate_presigned_url(BASE + "/private/boto/net/f.txt", policy=pol)
    add("custom, CIDR, IPv4 viewer inside", net, "200", viewer="203.0.113.77")
    add("custom, CIDR, IPv4 viewer outside", net, "AccessDenied", viewer="198.51.100.1")
    add("custom, CIDR, IPv6 viewer", net, "AccessDenied", viewer="2001:db8::1")
    pol = rsa.build_policy(BASE + "/private/boto/*", utc(FAR), date_greater_than=utc(LATER))
    add("custom, DateGreaterThan not reached", rsa.generate_presigned_url(BASE + "/private/boto/soon.txt", policy=pol), "AccessDenied")
    pol = rsa.build_policy(BASE + "/private/boto/other/*", utc(FAR))
    add("custom, path outside the wildcard Resource", rsa.generate_presigned_url(BASE + "/private/boto/a.txt", policy=pol), "AccessDenied")
    add("canned, expired", rsa.generate_presigned_url(BASE + "/private/boto/old.txt", date_less_than=utc(PAST)), "AccessDenied")

    t = target_of(canned)
    sig = param(t, "Signature")
    out += [
        case("botocore: canned, signature tampered", signer_name, set_param(t, "Signature", tamper(sig)), "AccessDenied"),
        case("botocore: canned, signature in standard base64", signer_name, set_param(t, "Signature", std_b64(sig)), "MalformedSignature"),
        case("botocore: canned, signature in RFC 4648 URL-safe base64", signer_name, set_param(t, "Signature", url_safe_b64(sig)), "MalformedSignature"),
        # A query value is percent-decoded before use, as any URL's is: a
        # client that escapes '~' (Python < 3.7 urlencode, PHP
        # http_build_query) still sends the same signature.
        case("botocore: canned, signature with '~' percent-encoded", signer_name,
             set_param(t, "Signature", sig.replace("~", "%7E")), "200"),
        case("botocore: canned, signature with '~', '-' and '_' percent-encoded", signer_name,
             set_param(t, "Signature", sig.replace("~", "%7e").replace("-", "%2D").replace("_", "%5F")), "200"),
        case("botocore: canned, Key-Pair-Id dropped", signer_name, drop_param(t, "Key-Pair-Id"), "MissingKey"),
        case("botocore: canned, parameter added after signing", signer_name, t + "&added=1", "AccessDenied"),
        case("botocore: canned, Key-Pair-Id of the other RSA key", signer_name, set_param(t, "Key-Pair-Id", RSA_B), "AccessDenied"),
        case("botocore: canned, Expires changed", signer_name, set_param(t, "Expires", str(FAR + 1)), "AccessDenied"),
    ]
    for kid in (LEGACY_1024, LEGACY_4096):
        legacy = CloudFrontSigner(kid, rsa_signer(kid))
        bits = kid[11:15]
        add("legacy key pair, RSA %s, canned" % bits,
            legacy.generate_presigned_url(BASE + "/legacy/boto/%s.txt?v=1" % bits, date_less_than=utc(FAR)), "200")
        pol = legacy.build_policy(BASE + "/legacy/boto/*", utc(FAR), ip_address="127.0.0.0/8")
        add("legacy key pair, RSA %s, custom" % bits, legacy.generate_presigned_url(BASE + "/legacy/boto/c%s.txt" % bits, policy=pol), "200")
    add("legacy key pair on a key-group behavior",
        CloudFrontSigner(LEGACY_1024, rsa_signer(LEGACY_1024)).generate_presigned_url(BASE + "/private/boto/l.txt", date_less_than=utc(FAR)), "InvalidKey")
    add("key-group key on a legacy behavior", rsa.generate_presigned_url(BASE + "/legacy/boto/k.txt", date_less_than=utc(FAR)), "InvalidKey")
    untrusted = CloudFrontSigner(UNTRUSTED, rsa_signer(UNTRUSTED))
    out.append(case("botocore: canned, key not in a trusted key group", signer_name,
                    target_of(untrusted.generate_presigned_url(BASE + "/private/boto/a.txt", date_less_than=utc(FAR))), "InvalidKey"))
    return out


# --- AWS CLI ----------------------------------------------------------------

def awscli_cases(versions, name, exe):
    if not exe or not os.path.exists(exe):
        return None
    env = dict(os.environ, AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
               AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
    version = run([exe, "--version"], env=env).decode().split()[0]
    versions[name] = version
    out = []

    def sign(url, kid, *extra):
        return run([exe, "cloudfront", "sign", "--url", url, "--key-pair-id", kid,
                    "--private-key", "file://" + key(kid)] + list(extra), env=env).decode().strip()

    def add(label, url, want, **kw):
        out.append(case(name + ": " + label, version, target_of(url), want, **kw))

    path = "/private/" + name
    canned = sign(BASE + path + "/a.txt?color=red&size=medium", RSA_A, "--date-less-than", "2100-01-01")
    add("canned, own query", canned, "200")
    add("canned, key of the second key group", sign(BASE + path + "/b.txt", RSA_B, "--date-less-than", "2100-01-01"), "200")
    add("canned, encoded space, plus, %2F and UTF-8",
        sign(BASE + ODD_PATH + "?q=a%20b+c", RSA_A, "--date-less-than", "2100-01-01"), "200")
    add("custom, DateGreaterThan and single IP",
        sign(BASE + path + "/c.txt?k=v", RSA_A, "--date-less-than", "2100-01-01", "--date-greater-than", "2001-01-01",
             "--ip-address", "127.0.0.1"), "200")
    cidr = sign(BASE + path + "/d.txt", RSA_A, "--date-less-than", "2100-01-01", "--ip-address", "203.0.113.0/24")
    add("custom, CIDR, IPv4 viewer inside", cidr, "200", viewer="203.0.113.1")
    add("custom, CIDR, IPv4 viewer outside", cidr, "AccessDenied")
    add("custom, CIDR, IPv6 viewer", cidr, "AccessDenied", viewer="2001:db8::7")
    add("custom, DateGreaterThan not reached",
        sign(BASE + path + "/e.txt", RSA_A, "--date-less-than", "2100-01-01", "--date-greater-than", "2099-01-01"), "AccessDenied")
    add("canned, expired", sign(BASE + path + "/f.txt", RSA_A, "--date-less-than", "2001-01-01"), "AccessDenied")
    add("canned, key not in a trusted key group", sign(BASE + path + "/g.txt", UNTRUSTED, "--date-less-than", "2100-01-01"), "InvalidKey")
    add("legacy key pair, RSA 1024, canned", sign(BASE + "/legacy/%s/a.txt?x=1" % name, LEGACY_1024, "--date-less-than", "2100-01-01"), "200")
    add("legacy key pair, RSA 4096, custom with IP",
        sign(BASE + "/legacy/%s/b.txt" % name, LEGACY_4096, "--date-less-than", "2100-01-01", "--ip-address", "127.0.0.1"), "200")
    add("legacy key pair on a key-group behavior", sign(BASE + path + "/l.txt", LEGACY_4096, "--date-less-than", "2100-01-01"), "InvalidKey")
    t = target_of(canned)
    out.append(case(name + ": canned, signature tampered", version,
                    set_param(t, "Signature", tamper(param(t, "Signature"))), "AccessDenied"))
    return out


# --- OpenSSL, as the Developer Guide's shell example ------------------------

def openssl_cases(versions):
    exe = shutil.which("openssl")
    if not exe:
        return None
    version = run([exe, "version"]).decode().split()[:2]
    versions["openssl"] = " ".join(version)
    signer_name = versions["openssl"]

    def sign(policy, kid, digest="sha1", strip=True):
        # "cat policy | tr -d "\n" | tr -d " \t\n\r" | openssl sha1 -sign
        # private_key.pem | openssl base64 -A | tr -- '+=/' '-_~'"
        clean = "tr -d ' \\t\\n\\r' | " if strip else ""
        cmd = clean + "openssl dgst -%s -sign '%s' | openssl base64 -A | tr -- '+=/' '-_~'" % (digest, key(kid))
        return run(["bash", "-c", cmd], stdin=policy.encode()).decode()

    def b64(policy):
        return run(["bash", "-c", "openssl base64 -A | tr -- '+=/' '-_~'"], stdin=policy.encode()).decode()

    def canned_policy(url, expires):
        return '{"Statement":[{"Resource":"%s","Condition":{"DateLessThan":{"AWS:EpochTime":%d}}}]}' % (url, expires)

    out = []

    def canned(label, path_query, kid, digest="sha1", mark=True, want="200", **kw):
        url = BASE + path_query
        sig = sign(canned_policy(url, FAR), kid, digest)
        sep = "&" if "?" in path_query else "?"
        target = "%s%sExpires=%d&Signature=%s&Key-Pair-Id=%s" % (path_query, sep, FAR, sig, kid)
        if digest == "sha256" and mark:
            target += "&Hash-Algorithm=SHA256"
        out.append(case("openssl: " + label, signer_name, target, want, **kw))
        return target

    canned("canned, RSA, SHA-1", "/private/ossl/rsa.txt?a=1", RSA_A)
    canned("canned, ECDSA, SHA-1", "/private/ossl/ec.txt", EC)
    canned("canned, RSA, SHA-256", "/private/ossl/rsa256.txt?b=2", RSA_A, "sha256")
    canned("canned, ECDSA, SHA-256", "/private/ossl/ec256.txt", EC, "sha256")
    canned("canned, RSA key of the second key group", "/private/ossl/b.txt", RSA_B)
    canned("canned, encoded space, plus, %2F and UTF-8", ODD_PATH + "?q=%C3%A9", EC)
    canned("legacy key pair, RSA 4096, SHA-256", "/legacy/ossl/a.txt", LEGACY_4096, "sha256")
    canned("legacy key pair, RSA 1024, SHA-1", "/legacy/ossl/b.txt?z=0", LEGACY_1024)
    canned("canned, SHA-256 signature without Hash-Algorithm", "/private/ossl/nomark.txt", RSA_A, "sha256", mark=False, want="AccessDenied")
    canned("canned, ECDSA, SHA-256 signature without Hash-Algorithm", "/private/ossl/nomark-ec.txt", EC, "sha256", mark=False, want="AccessDenied")
    t = canned("canned, Hash-Algorithm=SHA256 marks a SHA-1 signature", "/private/ossl/mark.txt", RSA_A)
    out[-1]["target"] += "&Hash-Algorithm=SHA256"
    out[-1]["want"] = "AccessDenied"
    out.append(case("openssl: canned, Key-Pair-Id empty", signer_name, set_param(t, "Key-Pair-Id", ""), "MissingKey"))

    # A custom policy laid out as the Developer Guide's example (spaces and
    # CRLFs), signed and encoded byte for byte as written.
    spaced = ('{ \r\n   "Statement": [{ \r\n      "Resource":"%s/private/ossl/dir/*", \r\n'
              '      "Condition":{ \r\n         "IpAddress":{"AWS:SourceIp":"127.0.0.0/8"},\r\n'
              '         "DateGreaterThan":{"AWS:EpochTime":%d},\r\n'
              '         "DateLessThan":{"AWS:EpochTime":%d}\r\n      } \r\n   }] \r\n}\r\n') % (BASE, PAST, FAR)

    def custom(label, policy, path_query, kid, digest="sha1", strip=False, want="200", **kw):
        sig = sign(policy, kid, digest, strip=strip)
        sep = "&" if "?" in path_query else "?"
        target = "%s%sPolicy=%s&Signature=%s&Key-Pair-Id=%s" % (path_query, sep, b64(policy), sig, kid)
        if digest == "sha256":
            target += "&Hash-Algorithm=SHA256"
        out.append(case("openssl: " + label, signer_name, target, want, **kw))
        return target

    custom("custom, the guide's layout with CRLFs, wildcard Resource", spaced, "/private/ossl/dir/x/y.txt?p=1", RSA_A)
    compact = lambda res, cond: '{"Statement":[{"Resource":"%s","Condition":{%s}}]}' % (res, cond)
    star = compact("*", '"DateLessThan":{"AWS:EpochTime":%d},"IpAddress":{"AWS:SourceIp":"192.0.2.0/24"}' % FAR)
    custom("custom, Resource *, CIDR, IPv4 viewer inside, ECDSA SHA-256", star, "/private/ossl/star.txt", EC, "sha256", viewer="192.0.2.200")
    custom("custom, Resource *, CIDR, IPv6 viewer", star, "/private/ossl/star.txt", EC, "sha256", viewer="2001:db8::2", want="AccessDenied")
    ms = compact(BASE + "/private/ossl/*", '"DateLessThan":{"AWS:EpochTime":%d}' % (FAR * 1000))
    custom("custom, DateLessThan in milliseconds", ms, "/private/ossl/ms.txt", RSA_A, want="MalformedPolicy")
    nodate = compact(BASE + "/private/ossl/*", '"IpAddress":{"AWS:SourceIp":"127.0.0.1/32"}')
    custom("custom, no DateLessThan", nodate, "/private/ossl/nodate.txt", RSA_A, want="MalformedPolicy")
    # "You can include only one statement."
    two = '{"Statement":[{"Resource":"%s/private/ossl/a/*","Condition":{%s}},{"Resource":"%s/private/ossl/b/*","Condition":{%s}}]}' % (
        BASE, '"DateLessThan":{"AWS:EpochTime":%d}' % FAR, BASE, '"DateLessThan":{"AWS:EpochTime":%d}' % FAR)
    custom("custom, two statements", two, "/private/ossl/a/x.txt", RSA_A, want="MalformedPolicy")
    q = compact(BASE + "/private/ossl/q.txt?v=?", '"DateLessThan":{"AWS:EpochTime":%d}' % FAR)
    custom("custom, '?' wildcard in the Resource query", q, "/private/ossl/q.txt?v=7", RSA_A)
    custom("custom, '?' wildcard needs exactly one character", q, "/private/ossl/q.txt?v=77", RSA_A, want="AccessDenied")

    # Resource forms of "Values that you specify in the policy statement for
    # a signed URL that uses a custom policy".
    until = '"DateLessThan":{"AWS:EpochTime":%d}' % FAR
    for label, resource, path_query, want, kw in [
        ("no Resource (every file)", None, "/private/ossl/nores/a.txt?x=1", "200", {}),
        ("Resource http*:// over http", "http*://%s/private/ossl/proto/*" % HOST, "/private/ossl/proto/a.txt", "200", {}),
        ("Resource http*:// over https", "http*://%s/private/ossl/proto/*" % HOST, "/private/ossl/proto/b.txt", "200", {"scheme": "https"}),
        ("Resource https:// over http", "https://%s/private/ossl/proto/*" % HOST, "/private/ossl/proto/c.txt", "AccessDenied", {}),
        ("Resource with a wildcard subdomain", "http://*.example.com/private/ossl/sub/*", "/private/ossl/sub/a.txt", "200", {}),
        ("Resource with a trailing '*' in the domain", "http://%s*" % HOST, "/private/ossl/any/thing.txt?y=2", "200", {}),
        ("Resource without protocol, leading '*'", "*%s/private/ossl/noproto/*" % HOST, "/private/ossl/noproto/a.txt", "200", {}),
        ("Resource for another host", "http://other.example.com/private/*", "/private/ossl/host.txt", "AccessDenied", {}),
        ("Resource with an encoded path", BASE + "/private/odd/a%20b/*", "/private/odd/a%20b/c.txt", "200", {}),
    ]:
        body = compact(resource, until) if resource is not None else '{"Statement":[{"Condition":{%s}}]}' % until
        custom("custom, " + label, body, path_query, RSA_A, want=want, **kw)
    # PHP's json_encode() escapes '/' as '\/': the same JSON string.
    custom("custom, Resource with JSON-escaped slashes (PHP json_encode)",
           compact((BASE + "/private/ossl/php/*").replace("/", "\\/"), until), "/private/ossl/php/a.txt", RSA_A)

    # Cookies: the same signatures as CloudFront-* cookies, in both forms,
    # mixed with other cookies and spread over several Cookie headers.
    sig = sign(canned_policy(BASE + "/private/ossl/cookie/c.txt", FAR), RSA_A)
    out.append(case("openssl: canned cookies (CloudFront-Expires) over two Cookie headers", signer_name,
                    "/private/ossl/cookie/c.txt?x=1", "AccessDenied",
                    cookies=["session=abc; CloudFront-Expires=%d" % FAR,
                             "CloudFront-Signature=%s; theme=dark; CloudFront-Key-Pair-Id=%s" % (sig, RSA_A)]))
    # The canned Resource is the URL with the viewer's query, so the cookie
    # above (signed without "?x=1") is refused and this one is served.
    out.append(case("openssl: canned cookies (CloudFront-Expires) over two Cookie headers", signer_name,
                    "/private/ossl/cookie/c.txt", "200",
                    cookies=["session=abc; CloudFront-Expires=%d" % FAR,
                             "CloudFront-Signature=%s; theme=dark; CloudFront-Key-Pair-Id=%s" % (sig, RSA_A)]))
    out[-2]["name"] += ", request with a query not signed"
    pol = compact(BASE + "/private/ossl/cookie/*", '"DateLessThan":{"AWS:EpochTime":%d}' % FAR)
    psig = sign(pol, EC, "sha256")
    jar = "a=1; CloudFront-Policy=%s; CloudFront-Signature=%s; CloudFront-Key-Pair-Id=%s; CloudFront-Hash-Algorithm=SHA256; z=2" % (b64(pol), psig, EC)
    out.append(case("openssl: policy cookies, ECDSA SHA-256, one Cookie header", signer_name,
                    "/private/ossl/cookie/deep/d.txt?any=thing", "200", cookies=[jar]))
    out.append(case("openssl: policy cookies, path outside the Resource", signer_name,
                    "/private/ossl/other.txt", "AccessDenied", cookies=[jar]))
    # An RSA-2048 signature always ends in "==" in standard base64 (an
    # ECDSA one may have no '+', '/' or '=' at all).
    rsig = sign(pol, RSA_A)
    rjar = "CloudFront-Policy=%s; CloudFront-Signature=%s; CloudFront-Key-Pair-Id=%s" % (b64(pol), rsig, RSA_A)
    out.append(case("openssl: policy cookies, RSA", signer_name, "/private/ossl/cookie/e.txt", "200", cookies=[rjar]))
    out.append(case("openssl: policy cookies, RSA, signature in standard base64", signer_name, "/private/ossl/cookie/e.txt",
                    "MalformedSignature", cookies=[rjar.replace(rsig, std_b64(rsig))]))
    # PHP's setcookie() percent-encodes values ('~' becomes %7E), which
    # breaks signed cookies on CloudFront; cookie values are not decoded, so
    # a '%' is outside CloudFront's base64 alphabet (MalformedSignature).
    php = rsig.replace("~", "%7E")
    out.append(case("openssl: policy cookies, RSA, signature as PHP setcookie() encodes it", signer_name,
                    "/private/ossl/cookie/e.txt", "MalformedSignature" if php != rsig else "200",
                    cookies=[rjar.replace(rsig, php)]))
    out.append(case("openssl: policy cookies, CloudFront-Key-Pair-Id missing", signer_name, "/private/ossl/cookie/e.txt",
                    "MissingKey", cookies=[jar.replace("; CloudFront-Key-Pair-Id=" + EC, "")]))
    # A signed URL takes precedence over signed cookies.
    out.append(case("openssl: valid cookies beside a tampered signed URL", signer_name,
                    set_param(t, "Signature", tamper(param(t, "Signature"))), "AccessDenied", cookies=[jar]))
    return out


# --- Node: @aws-sdk/cloudfront-signer ----------------------------------------

def node_cases(versions):
    node = shutil.which("node")
    if not node or not os.path.isdir(os.path.join(HERE, "node_modules", "@aws-sdk", "cloudfront-signer")):
        return None
    got = json.loads(run([node, os.path.join(HERE, "gen-node.js")]))
    versions["node"] = got["version"]
    return [case(c["name"], got["version"], c["target"], c["want"], cookies=c.get("cookies"),
                 viewer=c.get("viewer", ""), scheme=c.get("scheme", "http")) for c in got["cases"]]


SIGNERS = {
    "botocore": botocore_cases,
    "awscli1": lambda v: awscli_cases(v, "awscli1", shutil.which("aws")),
    "awscli2": lambda v: awscli_cases(v, "awscli2", "/usr/bin/aws"),
    "openssl": openssl_cases,
    "node": node_cases,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--only", default=",".join(SIGNERS))
    args = ap.parse_args()
    versions, cases, missing = {}, [], []
    for name in args.only.split(","):
        got = SIGNERS[name](versions)
        if got is None:
            missing.append(name)
        else:
            cases += got
    doc = {"host": HOST, "keys": {RSA_A: "rsa-a.pub.pem", EC: "ec.pub.pem", RSA_B: "rsa-b.pub.pem",
                                  UNTRUSTED: "rsa-untrusted.pub.pem"},
           "legacy_keys": {LEGACY_1024: "legacy-rsa1024.pub.pem", LEGACY_4096: "legacy-rsa4096.pub.pem"},
           "key_groups": {"A": [RSA_A, EC], "B": [RSA_B]}, "untrusted_key_group": {"C": [UNTRUSTED]},
           "signers": versions, "missing": missing, "cases": cases}
    with open(os.path.join(args.out, "vectors.json"), "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("%d cases from %s; missing: %s" % (len(cases), ", ".join(sorted(versions.values())), ", ".join(missing) or "none"),
          file=sys.stderr)


if __name__ == "__main__":
    main()
