package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// realS3StandIn is NOT Amazon S3 and NOT an S3-compatible server. It stands
// in for real S3 where versitygw (like MinIO) answers differently from it
// (spec dependencies.md §6: a missing key without s3:ListBucket is 404 there,
// 403 on S3) or lacks a feature (Requester Pays: versitygw answers 501), and
// it returns exactly the statuses, headers and bodies AWS documents for
// those cases: S3's XML error (spec §8.3, ErrorResponses), its website
// error page (spec §8.1), GetObject's 403-instead-of-404 without
// s3:ListBucket (spec §8.2 #5), Requester Pays' 403 without
// x-amz-request-payer (ObjectsinRequesterPaysBuckets), and a Host that is
// not an S3 endpoint naming the bucket ("Virtual hosting of buckets"). It
// checks SigV4 signatures as S3 does, by signing again with the one key
// pair it knows. Every test that uses it says so.
type realS3StandIn struct {
	URL   string // http://127.0.0.1:P, path-style /BUCKET/KEY
	host  string // 127.0.0.1:P
	Creds aws.Credentials

	mu   sync.Mutex
	seen []standInRequest
}

// standInRequest is what the stand-in received.
type standInRequest struct {
	Host, Path string
	Signed     bool // a valid signature of its key pair
	Header     http.Header
}

// The stand-in's buckets (bucket → key → body). Only the signed principal
// (the edge's origin access) may read them, and none may list them.
var standInObjects = map[string]map[string]string{
	"nolist": {"present.txt": "present\n"},     // GetObject allowed, s3:ListBucket not
	"payer":  {"data.csv": "a,b\n1,2\n"},       // Requester Pays is on
	"fwd":    {"page.html": "<p>the page</p>"}, // behind a behavior that forwards Host
	// GetObject and s3:ListBucket allowed; sealed.bin is SSE-KMS with a key
	// policy that leaves CloudFront out, foreign.txt was uploaded by
	// another account (spec §8.2 #2, #4).
	"vault": {"open.txt": "open\n", "sealed.bin": "kms", "foreign.txt": "foreign"},
}

// kmsDenied is S3's message when the principal may not kms:Decrypt an
// SSE-KMS object's key.
const kmsDenied = "The ciphertext refers to a customer master key that does not exist, " +
	"does not exist in this region, or you are not allowed to access."

// standInWebsite is the website endpoint bucket "docs": index.html is
// public, private.html is not.
var standInWebsite = map[string]bool{"index.html": true, "private.html": false}

// standInOtherAccount is a bucket that exists but belongs to another
// account: a site's bucket named after its domain, as S3 website hosting
// asks, which S3 finds when a forwarded Host names it.
const standInOtherAccount = "www.example.com"

func startRealS3StandIn(t *testing.T) *realS3StandIn {
	t.Helper()
	s := &realS3StandIn{Creds: aws.Credentials{AccessKeyID: "AKIASTANDINEXAMPLE01", SecretAccessKey: "stand-in-secret-key-0123456789abcdefghij"}}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL, s.host = srv.URL, strings.TrimPrefix(srv.URL, "http://")
	return s
}

// requests returns what the stand-in received for path (any Host).
func (s *realS3StandIn) requests(path string) []standInRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []standInRequest
	for _, r := range s.seen {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

func (s *realS3StandIn) serve(w http.ResponseWriter, r *http.Request) {
	signed, sigErr := s.verify(r)
	s.mu.Lock()
	s.seen = append(s.seen, standInRequest{Host: r.Host, Path: r.URL.Path, Signed: signed, Header: r.Header.Clone()})
	s.mu.Unlock()
	h := w.Header()
	h.Set("Server", "AmazonS3")
	h.Set("X-Amz-Request-Id", standInID(8))
	h.Set("X-Amz-Id-2", standInID(32))
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	if bucket, ok := strings.CutSuffix(host, "."+s3WebsiteDomain); ok {
		s.website(w, bucket, strings.TrimPrefix(r.URL.Path, "/"))
		return
	}
	if sigErr != "" {
		code, msg, _ := strings.Cut(sigErr, ": ")
		s3StandInError(w, 403, code, msg)
		return
	}
	var bucket, key string
	if r.Host == s.host {
		bucket, key, _ = strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/") // path-style
	} else {
		bucket, key = host, strings.TrimPrefix(r.URL.Path, "/") // the Host names the bucket
	}
	objects, ok := standInObjects[bucket]
	switch {
	case bucket == standInOtherAccount:
		s3StandInError(w, 403, "AccessDenied", "Access Denied")
	case !ok:
		s3StandInError(w, 404, "NoSuchBucket", "The specified bucket does not exist")
	case !signed:
		s3StandInError(w, 403, "AccessDenied", "Access Denied")
	case bucket == "payer" && r.Header.Get("X-Amz-Request-Payer") != "requester":
		// ObjectsinRequesterPaysBuckets: "If x-amz-request-payer is not
		// in the request, Amazon S3 returns a 403 error".
		s3StandInError(w, 403, "AccessDenied", "Access Denied")
	case objects[key] == "" && bucket == "vault":
		s3StandInError(w, 404, "NoSuchKey", "The specified key does not exist.")
	case objects[key] == "":
		// Without s3:ListBucket, S3 answers 403, not 404 (spec §8.2 #5).
		s3StandInError(w, 403, "AccessDenied", "Access Denied")
	case bucket == "vault" && key == "sealed.bin":
		// What S3 answers when the principal may not kms:Decrypt the
		// object's key (as reported behind CloudFront with SSE-KMS).
		s3StandInError(w, 403, "AccessDenied", kmsDenied)
	case bucket == "vault" && key == "foreign.txt":
		// The bucket owner's policy does not cover another account's object.
		s3StandInError(w, 403, "AccessDenied", "Access Denied")
	default:
		if bucket == "payer" {
			h.Set("X-Amz-Request-Charged", "requester")
		}
		h.Set("Content-Type", "application/octet-stream")
		h.Set("ETag", `"`+standInID(16)+`"`)
		fmt.Fprint(w, objects[key])
	}
}

// website answers as S3's website endpoint for bucket "docs".
func (s *realS3StandIn) website(w http.ResponseWriter, bucket, key string) {
	if key == "" {
		key = "index.html"
	}
	public, exists := standInWebsite[key]
	switch {
	case bucket != "docs":
		standInWebsitePage(w, 404, "NoSuchBucket", "The specified bucket does not exist")
	case exists && public:
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>docs</body></html>\n")
	default: // private, or missing without s3:ListBucket for anonymous callers
		standInWebsitePage(w, 403, "AccessDenied", "Access Denied")
	}
}

// standInWebsiteBody is S3's website error page (spec §8.1).
func standInWebsiteBody(status int, code, msg, requestID, hostID string) string {
	title := fmt.Sprintf("%d %s", status, http.StatusText(status))
	return "<html>\n<head><title>" + title + "</title></head>\n<body>\n<h1>" + title + "</h1>\n<ul>\n" +
		"<li>Code: " + code + "</li>\n<li>Message: " + msg + "</li>\n<li>RequestId: " + requestID + "</li>\n" +
		"<li>HostId: " + hostID + "</li>\n</ul>\n<hr/>\n</body>\n</html>\n"
}

func standInWebsitePage(w http.ResponseWriter, status int, code, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprint(w, standInWebsiteBody(status, code, msg, h.Get("X-Amz-Request-Id"), h.Get("X-Amz-Id-2")))
}

// standInErrorBody is S3's REST error document (spec §8.3).
func standInErrorBody(code, msg, requestID, hostID string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		"<Error><Code>" + code + "</Code><Message>" + msg + "</Message><RequestId>" + requestID +
		"</RequestId><HostId>" + hostID + "</HostId></Error>"
}

func s3StandInError(w http.ResponseWriter, status int, code, msg string) {
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprint(w, standInErrorBody(code, msg, h.Get("X-Amz-Request-Id"), h.Get("X-Amz-Id-2")))
}

// standInID is n random bytes as upper-case hex, like x-amz-request-id.
func standInID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

// verify checks a SigV4 Authorization header by signing the request again
// with the stand-in's key pair over the headers it lists. It returns
// whether the request is signed, or S3's "Code: message" when the
// signature is wrong.
func (s *realS3StandIn) verify(r *http.Request) (bool, string) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return false, ""
	}
	cred, _, _ := strings.Cut(strings.TrimPrefix(auth, "AWS4-HMAC-SHA256 Credential="), ",")
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[3] != "s3" {
		return false, "AuthorizationHeaderMalformed: The authorization header is malformed"
	}
	if parts[0] != s.Creds.AccessKeyID {
		return false, "InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records."
	}
	when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return false, "AccessDenied: AWS authentication requires a valid Date or x-amz-date header"
	}
	_, list, _ := strings.Cut(auth, "SignedHeaders=")
	list, _, _ = strings.Cut(list, ",")
	check, err := http.NewRequest(r.Method, "http://"+r.Host+r.RequestURI, nil)
	if err != nil {
		return false, "AccessDenied: Access Denied"
	}
	check.Header = http.Header{}
	for _, name := range strings.Split(list, ";") {
		if name != "host" && name != "x-amz-date" {
			check.Header[http.CanonicalHeaderKey(name)] = r.Header.Values(name)
		}
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), s.Creds, check, r.Header.Get("X-Amz-Content-Sha256"), "s3", parts[2], when); err != nil {
		return false, "AccessDenied: Access Denied"
	}
	if check.Header.Get("Authorization") != auth {
		return false, "SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your key and signing method."
	}
	return true, ""
}
