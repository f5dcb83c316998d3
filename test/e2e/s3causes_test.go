package e2e

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The S3 403 causes of both knowledge-center articles (spec §8.1, §8.2)
// through the real binary: the answer, its log line, and what "doctor url"
// and "doctor logs" make of it. The versitygw tests use a real
// S3-compatible server; TestS3StandInForRealS3 uses realS3StandIn (NOT S3:
// a stand-in returning S3's documented answers) for what versitygw cannot
// show. Tests already elsewhere: private object without OAC, OAC never,
// wrong credentials, / without DefaultRootObject (s3_test.go,
// doctor_s3_test.go).

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// TestS3CausesVersity: an S3 website endpoint (a custom origin, HTTP only,
// never signed) with a public and a private object; the bucket's REST
// endpoint wrongly set up as a custom origin; and a public bucket whose
// policy denies one key by name — all on versitygw and its website
// endpoint, reached through --s3-endpoint and --s3-website-endpoint.
func TestS3CausesVersity(t *testing.T) {
	s3 := startS3Website(t)
	const bucket = "site"
	s3.mustDo(t, http.MethodPut, "/"+bucket, nil)
	for key, body := range map[string]string{
		"/private.txt": "private object", "/public/index.html": "<p>public</p>", "/public/denied.txt": "denied by name",
	} {
		s3.mustDo(t, http.MethodPut, "/"+bucket+key, []byte(body))
	}
	s3.mustDo(t, http.MethodPut, "/"+bucket+"?website", []byte(`<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`+
		`<IndexDocument><Suffix>index.html</Suffix></IndexDocument></WebsiteConfiguration>`))
	s3.mustDo(t, http.MethodPut, "/"+bucket+"?policy", []byte(`{"Version": "2012-10-17", "Statement": [
  {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/public/*"},
  {"Sid": "DenyOne", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/public/denied.txt"}]}`))

	useS3Credentials(t, s3.Creds.AccessKeyID, s3.Creds.SecretAccessKey)
	e := startEdge(t, map[string]any{
		"EWEBSITE.json":    configDoc(distConfig([]obj{websiteOrigin("web", bucket)}, behavior("", "web"))),
		"ERESTCUSTOM.json": configDoc(distConfig([]obj{restCustomOrigin("rest", bucket)}, behavior("", "rest"))),
		"EPUBLIC.json":     configDoc(distConfig([]obj{s3Origin(bucket, "")}, behavior("", "s3"))),
	}, "--s3-endpoint", s3.Endpoint, "--s3-website-endpoint", s3.Website)
	if !strings.Contains(e.stderr.String(), "is an S3 REST endpoint configured as a custom origin") {
		t.Errorf("no validation warning about the REST endpoint as a custom origin; stderr:\n%s", e.stderr)
	}

	const server = "VERSITYGW"
	cases := []*s3Case{
		{name: "website endpoint, public object", dist: "EWEBSITE", target: "/public/index.html", status: 200, server: server, body: "<p>public</p>"},
		{name: "website endpoint, private object", dist: "EWEBSITE", target: "/private.txt", status: 403, server: server,
			ctype: "text/html", body: "<li>Code: AccessDenied</li>",
			urlDetail: "website-endpoint-private-object", urlCertain: true, logsDetail: "website-endpoint-private-object"},
		{name: "REST endpoint as a custom origin, public object", dist: "ERESTCUSTOM", target: "/public/index.html", status: 200, server: server},
		{name: "REST endpoint as a custom origin, private object", dist: "ERESTCUSTOM", target: "/private.txt", status: 403, server: server,
			ctype: "application/xml", body: "<Code>AccessDenied</Code>",
			urlDetail: "rest-endpoint-as-custom-origin", urlCertain: true, logsDetail: "rest-endpoint-as-custom-origin"},
		{name: "public bucket, a public object", dist: "EPUBLIC", target: "/public/index.html", status: 200, server: server},
		// The logs cannot tell a Deny from a missing key; doctor url asks
		// the bucket for a key next to it, which it says is missing.
		{name: "bucket policy denies the key", dist: "EPUBLIC", target: "/public/denied.txt", status: 403, server: server,
			ctype: "application/xml", body: "<Code>AccessDenied</Code>",
			urlDetail: "bucket-policy-deny", logsDetail: "missing-object-without-list-permission", logsCandidate: "bucket-policy-deny"},
	}
	e.sendS3Cases(t, cases)
	e.doctorURLCases(t, cases, s3.Creds.SecretAccessKey, "--s3-endpoint", s3.Endpoint, "--s3-website-endpoint", s3.Website)

	t.Run("doctor config", func(t *testing.T) {
		var rep doctorConfigReport
		if code := runDoctorJSON(t, &rep, "config", "--json", e.ConfigDir); code != 1 {
			t.Errorf("exit status: got %d, want 1 (a warning)", code)
		}
		found := false
		for _, f := range rep.Findings {
			if f.Distribution == "ERESTCUSTOM" && f.Detail == "rest-endpoint-as-custom-origin" {
				found = f.Severity == "warning" && f.JSONPath == "DistributionConfig.Origins.Items[0].CustomOriginConfig"
			}
			if f.Distribution == "EWEBSITE" {
				t.Errorf("a website endpoint set up as a custom origin is right, yet: %+v", f)
			}
		}
		if !found {
			t.Errorf("no warning rest-endpoint-as-custom-origin at DistributionConfig.Origins.Items[0].CustomOriginConfig: %+v", rep.Findings)
		}
	})
	e.doctorLogsCases(t, cases, s3.Creds.SecretAccessKey)
}

// TestS3StandInForRealS3 uses realS3StandIn — NOT S3, a stand-in that
// answers as AWS documents real S3 does — for the causes versitygw cannot
// show: a missing key without s3:ListBucket (403, not 404), Requester Pays
// (versitygw: 501 NotImplemented), a forwarded Host naming another
// account's bucket, an SSE-KMS object CloudFront may not decrypt, an
// object another account owns, and S3 website's exact error page. Each bucket is sent
// there with --s3-bucket-endpoint.
func TestS3StandInForRealS3(t *testing.T) {
	standIn := startRealS3StandIn(t)
	useS3Credentials(t, standIn.Creds.AccessKeyID, standIn.Creds.SecretAccessKey)
	docs := map[string]any{
		"ENOLIST.json": configDoc(distConfig([]obj{s3Origin("nolist", "E1ALWAYS")}, behavior("", "s3"))),
		"EPAYER.json":  configDoc(distConfig([]obj{s3Origin("payer", "E1ALWAYS")}, behavior("", "s3"))),
		"EHOSTFWD.json": configDoc(with(distConfig([]obj{s3Origin("fwd", "E1ALWAYS")}, forwardingHeaders(behavior("", "s3"), "Host")),
			"Aliases", list(standInOtherAccount))),
		"EDOCS.json":      configDoc(distConfig([]obj{websiteOrigin("web", "docs")}, behavior("", "web"))),
		"EVAULT.json":     configDoc(distConfig([]obj{s3Origin("vault", "E1ALWAYS")}, behavior("", "s3"))),
		"oac-always.json": oacDocument("E1ALWAYS", "always"),
	}
	var endpoints []string
	for _, b := range []string{"nolist", "payer", "fwd", "docs", "vault"} {
		endpoints = append(endpoints, "--s3-bucket-endpoint", b+"="+standIn.URL)
	}
	e := startEdge(t, docs, endpoints...)

	cases := []*s3Case{
		{name: "an object the distribution may read", dist: "ENOLIST", target: "/present.txt", status: 200, server: "AmazonS3", exact: "present\n"},
		// Real S3 answers 403 for a missing key when the principal may not
		// s3:ListBucket; only the logs' other successes rank it first.
		{name: "a missing key without s3:ListBucket", dist: "ENOLIST", target: "/missing.txt", status: 403, server: "AmazonS3",
			ctype: "application/xml", body: "<Code>AccessDenied</Code><Message>Access Denied</Message>",
			urlCandidate: "missing-object-without-list-permission", logsDetail: "missing-object-without-list-permission"},
		{name: "Requester Pays", dist: "EPAYER", target: "/data.csv", status: 403, server: "AmazonS3",
			ctype: "application/xml", body: "<Code>AccessDenied</Code>",
			urlDetail: "requester-pays", urlCertain: true, logsDetail: "origin-access-not-in-bucket-policy", logsCandidate: "requester-pays"},
		{name: "viewer Host forwarded to the REST endpoint", dist: "EHOSTFWD", host: standInOtherAccount, target: "/page.html",
			status: 403, server: "AmazonS3", ctype: "application/xml", body: "<Code>AccessDenied</Code>",
			urlDetail: "host-header-forwarded", urlCertain: true, logsDetail: "host-header-forwarded"},
		{name: "an SSE-KMS object whose key CloudFront may not use", dist: "EVAULT", target: "/sealed.bin", status: 403, server: "AmazonS3",
			ctype: "application/xml", body: "<Message>The ciphertext refers to a customer master key",
			urlDetail: "kms-encrypted", urlCertain: true, logsDetail: "origin-access-not-in-bucket-policy", logsCandidate: "kms-encrypted"},
		{name: "an object owned by another account", dist: "EVAULT", target: "/foreign.txt", status: 403, server: "AmazonS3",
			ctype: "application/xml", body: "<Code>AccessDenied</Code>",
			urlDetail: "bucket-policy-deny", urlCandidate: "object-owned-by-other-account", logsDetail: "origin-access-not-in-bucket-policy", logsCandidate: "object-owned-by-other-account"},
		{name: "website endpoint, public page", dist: "EDOCS", target: "/index.html", status: 200, server: "AmazonS3", ctype: "text/html"},
		{name: "website endpoint, private object", dist: "EDOCS", target: "/private.html", status: 403, server: "AmazonS3",
			ctype: "text/html", body: "<li>Message: Access Denied</li>",
			urlDetail: "website-endpoint-private-object", urlCertain: true, logsDetail: "website-endpoint-private-object"},
	}
	e.sendS3Cases(t, cases)

	// What reached the stand-in: signed requests, without
	// x-amz-request-payer (CloudFront cannot pay), the viewer's Host where
	// the behavior forwards it, and website requests unsigned.
	for path, want := range map[string]struct {
		host   string
		signed bool
	}{
		"/nolist/missing.txt": {standIn.host, true}, "/payer/data.csv": {standIn.host, true},
		"/fwd/page.html": {standInOtherAccount, true}, "/private.html": {"docs." + s3WebsiteDomain, false},
	} {
		got := standIn.requests(path)
		if len(got) == 0 {
			t.Errorf("the stand-in never got %s", path)
			continue
		}
		r := got[0]
		if r.Host != want.host || r.Signed != want.signed || r.Header.Get("X-Amz-Request-Payer") != "" {
			t.Errorf("%s reached the stand-in with Host %q, signed %v, x-amz-request-payer %q; want Host %q, signed %v, none",
				path, r.Host, r.Signed, r.Header.Get("X-Amz-Request-Payer"), want.host, want.signed)
		}
	}
	t.Run("exact bodies pass through", func(t *testing.T) {
		for _, c := range cases {
			if c.status != 403 {
				continue
			}
			host := c.host
			if host == "" {
				host = defaultDomain(c.dist)
			}
			r := e.do(t, request{Host: host, Target: c.target})
			id, hostID := r.Header.Get("X-Amz-Request-Id"), r.Header.Get("X-Amz-Id-2")
			want := standInErrorBody("AccessDenied", "Access Denied", id, hostID)
			if c.urlDetail == "kms-encrypted" {
				want = standInErrorBody("AccessDenied", kmsDenied, id, hostID)
			}
			if c.ctype == "text/html" {
				want = standInWebsiteBody(403, "AccessDenied", "Access Denied", id, hostID)
			}
			if string(r.Body) != want {
				t.Errorf("%s: body\n%q\nwant the origin's bytes\n%q", c.name, r.Body, want)
			}
		}
	})

	e.doctorURLCases(t, cases, standIn.Creds.SecretAccessKey, append(endpoints, "--sign-origin")...)
	e.doctorLogsCases(t, cases, standIn.Creds.SecretAccessKey)
}

// TestS3SigningNoOverride: an OAC with SigningBehavior no-override signs
// requests without a viewer Authorization and passes the viewer's own
// through when the behavior forwards it; a behavior that does not forward
// it (GET) gets the edge's signature (API_OriginAccessControlConfig). A
// viewer's own SigV4 signature then reaches S3 next to CloudFront's
// X-Amz-Cf-Id, which it cannot have signed, and S3 (versitygw alike)
// refuses unsigned x-amz-* headers: that refusal, naming x-amz-cf-id, is
// what proves the viewer's header was passed on, not replaced.
func TestS3SigningNoOverride(t *testing.T) {
	s3, bucket := newS3Bucket(t)
	useS3Credentials(t, s3.Creds.AccessKeyID, s3.Creds.SecretAccessKey)
	e := startEdge(t, map[string]any{
		"ENOOVERRIDE.json": configDoc(distConfig([]obj{s3Origin(bucket, "E1NOOVERRIDE")},
			forwardingHeaders(behavior("", "s3"), "Authorization", "X-Amz-Date", "X-Amz-Content-Sha256"))),
		"ENOOVERRIDEDROP.json": configDoc(distConfig([]obj{s3Origin(bucket, "E1NOOVERRIDE")}, behavior("", "s3"))),
		"oac-no-override.json": oacDocument("E1NOOVERRIDE", "no-override"),
	}, "--s3-endpoint", s3.Endpoint)

	// The viewer signs the origin request itself, for S3's host and path
	// as the edge sends them, with the bucket owner's own key.
	req, _ := http.NewRequest(http.MethodGet, s3.Endpoint+"/"+bucket+"/private.txt", nil)
	req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), s3.Creds, req, emptySHA256, "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	viewer := http.Header{"Authorization": {req.Header.Get("Authorization")}, "X-Amz-Date": {req.Header.Get("X-Amz-Date")},
		"X-Amz-Content-Sha256": {emptySHA256}}
	cases := []*s3Case{
		{name: "no viewer Authorization: the edge signs", dist: "ENOOVERRIDE", target: "/private.txt", status: 200, server: "VERSITYGW", exact: "private object"},
		{name: "the viewer's signature passes through", dist: "ENOOVERRIDE", target: "/private.txt", header: viewer,
			status: 403, server: "VERSITYGW", ctype: "application/xml", body: "<HeadersNotSigned>x-amz-cf-id</HeadersNotSigned>",
			urlCertain: true, logsDetail: "missing-object-without-list-permission"},
		{name: "Authorization not forwarded: the edge signs", dist: "ENOOVERRIDEDROP", target: "/private.txt", header: viewer,
			status: 200, server: "VERSITYGW", exact: "private object"},
	}
	e.sendS3Cases(t, cases)
	e.doctorURLCases(t, cases, s3.Creds.SecretAccessKey, "--s3-endpoint", s3.Endpoint)
	e.doctorLogsCases(t, cases, s3.Creds.SecretAccessKey)
}

// TestS3VirtualHostEndpoint: --s3-endpoint http://*.HOST:PORT sends the
// bucket in the Host (BUCKET.HOST:PORT), which the signature covers; the
// edge still connects to HOST:PORT. versitygw --virtual-domain takes the
// bucket from that Host, as S3 does.
func TestS3VirtualHostEndpoint(t *testing.T) {
	s3 := startS3With(t, false, "--virtual-domain", "localhost")
	const bucket = "vhost-site"
	s3.mustDo(t, http.MethodPut, "/"+bucket, nil)
	for key, body := range s3Objects {
		s3.mustDo(t, http.MethodPut, "/"+bucket+key, []byte(body))
	}
	useS3Credentials(t, s3.Creds.AccessKeyID, s3.Creds.SecretAccessKey)
	_, port, _ := strings.Cut(strings.TrimPrefix(s3.Endpoint, "http://"), ":")
	e := startEdge(t, s3Docs(bucket), "--s3-endpoint", "http://*.localhost:"+port)
	cases := []*s3Case{
		{name: "signed, the bucket in the Host", dist: "EOACALWAYS", target: "/private.txt", status: 200, server: "VERSITYGW", exact: "private object"},
		{name: "signed, a key to escape", dist: "EOACALWAYS", target: "/caf%C3%A9/%C3%BC.txt", status: 200, server: "VERSITYGW", exact: "unicode key"},
		{name: "unsigned", dist: "ENOOAC", target: "/private.txt", status: 403, server: "VERSITYGW", ctype: "application/xml",
			body: "<Code>AccessDenied</Code>", urlDetail: "no-origin-access", urlCertain: true, logsDetail: "no-origin-access"},
	}
	e.sendS3Cases(t, cases)
	e.doctorURLCases(t, cases, s3.Creds.SecretAccessKey, "--s3-endpoint", "http://*.localhost:"+port)
	e.doctorLogsCases(t, cases, s3.Creds.SecretAccessKey)
}

// TestS3WebsiteEndpointAsRESTOrigin: CloudFront's API refuses a website
// endpoint as an S3 origin (InvalidArgument), with or without OAC/OAI, and
// so do validate and serve; doctor config, which reads configs as they
// are, names website-endpoint-as-rest-origin at S3OriginConfig.
func TestS3WebsiteEndpointAsRESTOrigin(t *testing.T) {
	t.Parallel()
	web := func(oac, oai string) obj {
		return with(s3Origin("site", oac), "DomainName", "site."+s3WebsiteDomain, "S3OriginConfig", obj{"OriginAccessIdentity": oai})
	}
	for _, tc := range []struct {
		name, oac, oai, path string
	}{
		{"with OAC", "E1ALWAYS", "", "OriginAccessControlId"},
		{"with OAI", "", "origin-access-identity/cloudfront/E1OAIEXAMPLE", "S3OriginConfig.OriginAccessIdentity"},
		{"without either", "", "", "S3OriginConfig"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeDocs(t, dir, map[string]any{
				"EWEBASREST.json": configDoc(distConfig([]obj{web(tc.oac, tc.oai)}, behavior("", "s3"))),
				"oac-always.json": oacDocument("E1ALWAYS", "always"),
			})
			want := "EWEBASREST.json: DistributionConfig.Origins.Items[0]." + tc.path + ": site." + s3WebsiteDomain + " is an S3 website endpoint"
			code, _, stderr := runCmd(t, "validate", "--config", dir)
			if code != 1 || !strings.Contains(stderr, want) {
				t.Errorf("validate: exit %d, stderr:\n%s\nwant 1 and %q", code, stderr, want)
			}
			state := t.TempDir()
			code, _, stderr = runCmd(t, "serve", "--config", dir, "--http", "127.0.0.1:0", "--https", "127.0.0.1:0",
				"--admin", "127.0.0.1:0", "--log-dir", filepath.Join(state, "logs"), "--state-dir", state)
			if code != 1 || !strings.Contains(stderr, want) {
				t.Errorf("serve: exit %d, stderr:\n%s\nwant 1 and %q", code, stderr, want)
			}
			var rep doctorConfigReport
			if code := runDoctorJSON(t, &rep, "config", "--json", dir); code != 1 {
				t.Errorf("doctor config exit status: got %d, want 1", code)
			}
			found := false
			for _, f := range rep.Findings {
				found = found || (f.Cause == "s3-origin" && f.Detail == "website-endpoint-as-rest-origin" && f.Severity == "error" &&
					f.JSONPath == "DistributionConfig.Origins.Items[0].S3OriginConfig")
			}
			if !found {
				t.Errorf("doctor config: no error website-endpoint-as-rest-origin at DistributionConfig.Origins.Items[0].S3OriginConfig: %+v", rep.Findings)
			}
		})
	}
}

// TestS3DeadOrSlowEndpoint: an S3 endpoint that refuses connections gives
// CloudFront's 502 OriginConnectError, one that never answers within the
// S3 origin's OriginReadTimeout its 504 OriginCommError (spec §2.3).
func TestS3DeadOrSlowEndpoint(t *testing.T) {
	useS3Credentials(t, "AKIADEADORSLOWEXAMPLE", "dead-or-slow-secret-key-0123456789abcdef")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()
	slow, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never answers
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		var held []net.Conn
		for {
			c, err := slow.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
				return
			}
			held = append(held, c)
		}
	}()
	t.Cleanup(func() { slow.Close(); <-accepted })
	fast := func(bucket string) obj {
		return with(s3Origin(bucket, "E1ALWAYS"), "ConnectionAttempts", 1, "ConnectionTimeout", 1,
			"S3OriginConfig", obj{"OriginAccessIdentity": "", "OriginReadTimeout": 1})
	}
	e := startEdge(t, map[string]any{
		"EDEAD.json":      configDoc(distConfig([]obj{fast("dead")}, behavior("", "s3"))),
		"ESLOW.json":      configDoc(distConfig([]obj{fast("slow")}, behavior("", "s3"))),
		"oac-always.json": oacDocument("E1ALWAYS", "always"),
	}, "--s3-bucket-endpoint", "dead=http://"+dead, "--s3-bucket-endpoint", "slow=http://"+slow.Addr().String())
	for _, tc := range []struct {
		dist, detailed, sentence string
		status                   int
	}{
		{"EDEAD", "OriginConnectError", "CloudFront wasn't able to connect to the origin.", 502},
		{"ESLOW", "OriginCommError", "CloudFront attempted to establish a connection with the origin", 504},
	} {
		r := e.do(t, request{Host: defaultDomain(tc.dist), Target: "/k.txt"})
		if r.Status != tc.status || r.Header.Get("Server") != "CloudFront" || !strings.Contains(string(r.Body), tc.sentence) {
			t.Errorf("%s: got %d, Server %q, body %q; want %d from CloudFront saying %q", tc.dist, r.Status, r.Header.Get("Server"), r.Body, tc.status, tc.sentence)
		}
		l := e.waitLogID(t, tc.dist+".*.gz", r.ID())
		checkLog(t, l, map[string]string{"sc-status": strconv.Itoa(tc.status), "x-edge-result-type": "Error", "x-edge-detailed-result-type": tc.detailed})
	}
	noSecret(t, "the edge's stderr", e.stderr.String(), "dead-or-slow-secret-key-0123456789abcdef")
}
