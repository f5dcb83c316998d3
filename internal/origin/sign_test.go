package origin

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

func TestParseS3Domain(t *testing.T) {
	tests := []struct {
		domain string
		want   S3Domain
	}{
		{"bucket.s3.amazonaws.com", S3Domain{S3REST, "bucket", "us-east-1"}},
		{"bucket.s3.us-west-2.amazonaws.com", S3Domain{S3REST, "bucket", "us-west-2"}},
		{"Bucket.S3.EU-West-1.amazonaws.com.", S3Domain{S3REST, "bucket", "eu-west-1"}},
		{"bucket.s3-eu-west-1.amazonaws.com", S3Domain{S3REST, "bucket", "eu-west-1"}},
		{"bucket.s3-external-1.amazonaws.com", S3Domain{S3REST, "bucket", "us-east-1"}},
		{"bucket.s3.dualstack.ap-southeast-2.amazonaws.com", S3Domain{S3REST, "bucket", "ap-southeast-2"}},
		{"my.dotted.bucket.s3.us-gov-west-1.amazonaws.com", S3Domain{S3REST, "my.dotted.bucket", "us-gov-west-1"}},
		{"s3.bucket.s3.us-east-2.amazonaws.com", S3Domain{S3REST, "s3.bucket", "us-east-2"}},
		{"bucket.s3.cn-north-1.amazonaws.com.cn", S3Domain{S3REST, "bucket", "cn-north-1"}},
		{"bucket.s3-website-us-east-1.amazonaws.com", S3Domain{S3Website, "bucket", "us-east-1"}},
		{"bucket.s3-website.eu-central-1.amazonaws.com", S3Domain{S3Website, "bucket", "eu-central-1"}},
		{"s3.amazonaws.com", S3Domain{}},
		{"bucket.s3-accelerate.amazonaws.com", S3Domain{}},
		{"example.com", S3Domain{}},
		{"bucket.s3.example.com", S3Domain{}},
		{"elb.us-east-1.amazonaws.com", S3Domain{}},
	}
	for _, tc := range tests {
		t.Run(tc.domain, func(t *testing.T) {
			if got := ParseS3Domain(tc.domain); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestS3EscapePath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/bucket/plain/key.txt", "/bucket/plain/key.txt"},
		{"/bucket/with%20space.txt", "/bucket/with%20space.txt"},
		{"/bucket/a+b.txt", "/bucket/a%2Bb.txt"},
		{"/bucket/a%2fb.txt", "/bucket/a/b.txt"},
		{"/bucket/100%25.txt", "/bucket/100%25.txt"},
		{"/bucket/caf%c3%a9", "/bucket/caf%C3%A9"},
		{"/bucket/x!$&'()*,;=:@", "/bucket/x%21%24%26%27%28%29%2A%2C%3B%3D%3A%40"},
		{"/bucket/~_-.", "/bucket/~_-."},
	}
	for _, tc := range tests {
		if got := s3EscapePath(tc.in); got != tc.want {
			t.Errorf("s3EscapePath(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

var testCreds = aws.NewCredentialsCache(staticCreds{aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}})

type staticCreds struct{ c aws.Credentials }

func (s staticCreds) Retrieve(context.Context) (aws.Credentials, error) { return s.c, nil }

type failingCreds struct{}

func (failingCreds) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{}, errors.New("no EC2 IMDS role found")
}

// recorder is a RoundTripper that keeps the request it was given.
type recorder struct{ got *http.Request }

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.got = req
	return &http.Response{StatusCode: 200, Body: http.NoBody, Request: req}, nil
}

func TestSignerBehaviors(t *testing.T) {
	const viewerAuth = "Bearer viewer"
	tests := []struct {
		name       string
		behavior   SigningBehavior
		viewerAuth bool
		method     string
		body       string
		wantSigned bool
		wantHash   string
	}{
		{"always signs", SignAlways, false, "GET", "", true, emptySHA256},
		{"always overwrites the viewer's Authorization", SignAlways, true, "GET", "", true, emptySHA256},
		{"never signs nothing", SignNever, false, "GET", "", false, ""},
		{"never keeps the viewer's Authorization", SignNever, true, "GET", "", false, ""},
		{"no-override signs without a viewer Authorization", SignNoOverride, false, "GET", "", true, emptySHA256},
		{"no-override passes the viewer's Authorization", SignNoOverride, true, "GET", "", false, ""},
		{"a body is sent as UNSIGNED-PAYLOAD", SignAlways, false, "PUT", "data", true, unsignedPayload},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			s, err := NewSigner(rec, testCreds, "eu-west-1", tc.behavior)
			if err != nil {
				t.Fatal(err)
			}
			var body *strings.Reader
			req := httptest.NewRequest(tc.method, "http://bucket.s3.eu-west-1.amazonaws.com/dir/a+b%20c.txt", nil)
			if tc.body != "" {
				body = strings.NewReader(tc.body)
				req = httptest.NewRequest(tc.method, "http://bucket.s3.eu-west-1.amazonaws.com/k", body)
			}
			req.Host = "bucket.s3.eu-west-1.amazonaws.com"
			if tc.viewerAuth {
				req.Header.Set("Authorization", viewerAuth)
			}
			before := req.Header.Clone()
			if _, err := s.RoundTrip(req); err != nil {
				t.Fatal(err)
			}
			auth := rec.got.Header.Get("Authorization")
			signed := strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
			if signed != tc.wantSigned {
				t.Fatalf("signed: got %v (Authorization %q), want %v", signed, auth, tc.wantSigned)
			}
			if !signed && tc.viewerAuth && auth != viewerAuth {
				t.Errorf("Authorization: got %q, want the viewer's %q", auth, viewerAuth)
			}
			if signed {
				if !strings.Contains(auth, "/eu-west-1/s3/aws4_request") {
					t.Errorf("credential scope: got %q, want region eu-west-1 and service s3", auth)
				}
				if got := rec.got.Header.Get("X-Amz-Content-Sha256"); got != tc.wantHash {
					t.Errorf("X-Amz-Content-Sha256: got %q, want %q", got, tc.wantHash)
				}
				if strings.Contains(auth, "wJalrXUtnFEMI") {
					t.Errorf("Authorization carries the secret key: %q", auth)
				}
			}
			if len(req.Header) != len(before) || req.Header.Get("Authorization") != before.Get("Authorization") {
				t.Errorf("the caller's request was changed: got %v, want %v", req.Header, before)
			}
		})
	}
}

// TestSignatureVerifies re-signs the sent request the way a server would
// (same headers, same X-Amz-Date) and compares the signatures, including
// for keys that need escaping.
func TestSignatureVerifies(t *testing.T) {
	for _, target := range []string{"/k.txt", "/with%20space.txt", "/a+b.txt", "/a%2Fb.txt", "/caf%C3%A9/%E2%9C%93.txt", "/v1..2/..notes.txt", "/"} {
		t.Run(target, func(t *testing.T) {
			rec := &recorder{}
			s, _ := NewSigner(rec, testCreds, "us-east-1", SignAlways)
			now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
			s.Now = func() time.Time { return now }
			req := httptest.NewRequest("GET", "http://127.0.0.1:9000/bucket"+target, nil)
			req.Host = "127.0.0.1:9000"
			req.Header.Set("Via", "1.1 x.cloudfront.net (CloudFront)")
			if _, err := s.RoundTrip(req); err != nil {
				t.Fatal(err)
			}
			got := rec.got
			if strings.Contains(got.URL.EscapedPath(), "+") {
				t.Errorf("path sent with a raw +: %q", got.URL.EscapedPath())
			}
			// As a server does: keep only the headers SignedHeaders lists.
			check := got.Clone(context.Background())
			check.Header = http.Header{}
			auth := got.Header.Get("Authorization")
			_, list, _ := strings.Cut(auth, "SignedHeaders=")
			list, _, _ = strings.Cut(list, ",")
			for _, h := range strings.Split(list, ";") {
				if h != "host" && h != "x-amz-date" {
					check.Header[http.CanonicalHeaderKey(h)] = got.Header.Values(h)
				}
			}
			if strings.Contains(list, "via") {
				t.Errorf("SignedHeaders %q covers Via, which intermediaries rewrite", list)
			}
			creds, _ := testCreds.Retrieve(context.Background())
			v := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
			if err := v.SignHTTP(context.Background(), creds, check, emptySHA256, "s3", "us-east-1", now); err != nil {
				t.Fatal(err)
			}
			if a, b := got.Header.Get("Authorization"), check.Header.Get("Authorization"); a != b {
				t.Errorf("signature: got %q, want %q", a, b)
			}
		})
	}
}

func TestSignerCredentialsError(t *testing.T) {
	s, _ := NewSigner(&recorder{}, failingCreds{}, "us-east-1", SignAlways)
	_, err := s.RoundTrip(httptest.NewRequest("GET", "http://b.s3.amazonaws.com/k", nil))
	var ce *CredentialsError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a *CredentialsError", err)
	}
	if f := Classify(err); f.Status != 502 || f.Detailed != "OriginConnectError" || strings.Contains(err.Error(), "AKID") {
		t.Errorf("Classify: got %+v for %v, want 502 OriginConnectError", f, err)
	}
	if _, err := NewSigner(&recorder{}, nil, "us-east-1", SignAlways); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("NewSigner without credentials: got %v, want ErrNoCredentials", err)
	}
}

// BenchmarkSignBaseline is the SDK signer alone on a bare request, for
// comparison with BenchmarkSign.
func BenchmarkSignBaseline(b *testing.B) {
	v := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	creds, _ := testCreds.Retrieve(context.Background())
	req := httptest.NewRequest("GET", "http://bucket.s3.us-east-1.amazonaws.com/images/photo-1234.jpg", nil)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		req.Header = http.Header{"X-Amz-Content-Sha256": {emptySHA256}}
		if err := v.SignHTTP(context.Background(), creds, req, emptySHA256, "s3", "us-east-1", now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	s, _ := NewSigner(&recorder{}, testCreds, "us-east-1", SignAlways)
	req := httptest.NewRequest("GET", "http://bucket.s3.us-east-1.amazonaws.com/images/photo-1234.jpg", nil)
	req.Host = "bucket.s3.us-east-1.amazonaws.com"
	req.Header.Set("User-Agent", "Amazon CloudFront")
	req.Header.Set("Via", "1.1 0123456789abcdef.cloudfront.net (CloudFront)")
	req.Header.Set("X-Amz-Cf-Id", "aXc1Yk4zT0dGeWxOb2ZDbHdFNmd0WVRrTk9ZaVdmZ2hvQT09")
	req.Header.Set("X-Forwarded-For", "203.0.113.7")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Sign(req); err != nil {
			b.Fatal(err)
		}
	}
}
