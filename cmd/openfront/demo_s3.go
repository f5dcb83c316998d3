package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The demo's S3 scenarios: a bucket in a local versitygw (an S3-compatible
// server with real SigV4 checks and private buckets) behind two
// distributions, one reading it with origin access control and one without.

const (
	demoBucket      = "demo-bucket"
	demoS3Install   = "go install github.com/versity/versitygw/cmd/versitygw@v1.8.0"
	demoS3OACHost   = "s3.example.com"
	demoS3NoOACHost = "s3-no-oac.example.com"
	demoS3WebHost   = "s3-website.example.com"
	// demoS3WebDomain is the website domain versitygw serves buckets
	// under, as S3 does in us-east-1.
	demoS3WebDomain = "s3-website-us-east-1.amazonaws.com"
)

// demoS3Docs are the S3 distributions and their OAC, as the AWS CLI prints
// them (get-distribution-config, get-origin-access-control). Neither has a
// DefaultRootObject, so "/" goes to the bucket itself.
var demoS3Docs = map[string]string{
	"EDEMOS3.json": `{
  "ETag": "E2DEMO",
  "DistributionConfig": {
    "CallerReference": "openfront-demo-s3", "Comment": "A private S3 bucket read with origin access control", "Enabled": true,
    "Aliases": {"Quantity": 1, "Items": ["` + demoS3OACHost + `"]},
    "Origins": {"Quantity": 1, "Items": [{"Id": "bucket", "DomainName": "` + demoBucket + `.s3.us-east-1.amazonaws.com", "OriginPath": "",
      "S3OriginConfig": {"OriginAccessIdentity": ""}, "OriginAccessControlId": "E2DEMOOAC"}]},
    "DefaultCacheBehavior": {"TargetOriginId": "bucket", "ViewerProtocolPolicy": "allow-all",
      "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}
  }
}`,
	"EDEMOS3NOOAC.json": `{
  "ETag": "E2DEMO",
  "DistributionConfig": {
    "CallerReference": "openfront-demo-s3-no-oac", "Comment": "The same bucket without origin access: unsigned requests", "Enabled": true,
    "Aliases": {"Quantity": 1, "Items": ["` + demoS3NoOACHost + `"]},
    "Origins": {"Quantity": 1, "Items": [{"Id": "bucket", "DomainName": "` + demoBucket + `.s3.us-east-1.amazonaws.com", "OriginPath": "",
      "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
    "DefaultCacheBehavior": {"TargetOriginId": "bucket", "ViewerProtocolPolicy": "allow-all",
      "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}
  }
}`,
	"EDEMOS3WEB.json": `{
  "ETag": "E2DEMO",
  "DistributionConfig": {
    "CallerReference": "openfront-demo-s3-website", "Comment": "The same bucket through its website endpoint: a custom origin, HTTP only, never signed", "Enabled": true,
    "Aliases": {"Quantity": 1, "Items": ["` + demoS3WebHost + `"]},
    "Origins": {"Quantity": 1, "Items": [{"Id": "website", "DomainName": "` + demoBucket + `.` + demoS3WebDomain + `", "OriginPath": "",
      "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
    "DefaultCacheBehavior": {"TargetOriginId": "website", "ViewerProtocolPolicy": "allow-all",
      "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}
  }
}`,
	"demo-oac.json": `{"ETag": "E2DEMO", "OriginAccessControl": {"Id": "E2DEMOOAC", "OriginAccessControlConfig": {
  "Name": "demo-oac", "Description": "openfront demo", "SigningProtocol": "sigv4", "SigningBehavior": "always",
  "OriginAccessControlOriginType": "s3"}}}`,
}

// demoS3Objects are the bucket's objects: key → body.
var demoS3Objects = map[string]string{
	"private/report.txt": "a private object: only the distribution's origin access control can read it\n",
	"public/hello.txt":   "a public object: the bucket policy lets anyone read public/*\n",
}

// demoS3Policy lets anyone read public/* (and nothing else).
const demoS3Policy = `{"Version": "2012-10-17", "Statement": [{"Sid": "PublicRead", "Effect": "Allow",
  "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::` + demoBucket + `/public/*"}]}`

// demoS3Website makes the bucket a website, index document index.html.
const demoS3Website = `<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IndexDocument><Suffix>index.html</Suffix></IndexDocument></WebsiteConfiguration>`

// demoS3 is the demo's running versitygw.
type demoS3 struct {
	Endpoint string // http://127.0.0.1:P
	Website  string // its website endpoint, http://127.0.0.1:W
	creds    aws.Credentials
	cmd      *exec.Cmd
	exited   chan struct{}
}

// startDemoS3 starts versitygw with a posix backend under dir, with
// generated root credentials, and fills the demo bucket. It returns nil
// (and no error) when versitygw is not installed.
func startDemoS3(dir string) (*demoS3, error) {
	bin, err := exec.LookPath("versitygw")
	if err != nil {
		return nil, nil
	}
	data := filepath.Join(dir, "s3")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	secret := make([]byte, 20)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	s := &demoS3{creds: aws.Credentials{AccessKeyID: "OPENFRONTDEMOKEY", SecretAccessKey: hex.EncodeToString(secret)}, exited: make(chan struct{})}
	// Free ports: listen, note them, close; versitygw takes them right away.
	var addrs [2]string
	for i := range addrs {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		addrs[i] = l.Addr().String()
		l.Close()
	}
	addr, webAddr := addrs[0], addrs[1]
	logFile := filepath.Join(dir, "versitygw.log")
	out, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	defer out.Close() // the child keeps its own descriptor
	s.cmd = exec.Command(bin, "--port", addr, "--keep-alive", "--website", webAddr, "--website-domain", demoS3WebDomain, "posix", data)
	s.cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY_ID="+s.creds.AccessKeyID, "ROOT_SECRET_ACCESS_KEY="+s.creds.SecretAccessKey)
	s.cmd.Stdout, s.cmd.Stderr = out, out
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting versitygw: %w", err)
	}
	go func() { s.cmd.Wait(); close(s.exited) }()
	s.Endpoint, s.Website = "http://"+addr, "http://"+webAddr
	err = s.waitUp(addr, 15*time.Second)
	if err == nil {
		err = s.waitUp(webAddr, 15*time.Second)
	}
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("versitygw on %s: %w (its output: %s)", addr, err, logFile)
	}
	if err := s.fill(); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// waitUp polls until versitygw accepts connections.
func (s *demoS3) waitUp(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		select {
		case <-s.exited:
			return errors.New("exited before listening")
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not listening after %v", timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// fill creates the bucket, its objects and its policy. A bucket left by an
// earlier demo in the same --dir is reused.
func (s *demoS3) fill() error {
	if err := s.do(http.MethodPut, "/"+demoBucket, nil); err != nil && !strings.Contains(err.Error(), "BucketAlreadyOwnedByYou") {
		return err
	}
	for key, body := range demoS3Objects {
		if err := s.do(http.MethodPut, "/"+demoBucket+"/"+key, []byte(body)); err != nil {
			return err
		}
	}
	if err := s.do(http.MethodPut, "/"+demoBucket+"?website", []byte(demoS3Website)); err != nil {
		return err
	}
	return s.do(http.MethodPut, "/"+demoBucket+"?policy", []byte(demoS3Policy))
}

// do sends a request signed with the root credentials and wants a 2xx.
func (s *demoS3) do(method, target string, body []byte) error {
	req, err := http.NewRequest(method, s.Endpoint+target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), s.creds, req, hash, "s3", "us-east-1", time.Now()); err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("versitygw %s %s: %w", method, target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("versitygw %s %s: %s %s", method, target, resp.Status, b)
	}
	return nil
}

// stop ends versitygw and waits for it.
func (s *demoS3) stop() {
	if s == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exited
}

// useDemoS3 points the edge's S3 origins at versitygw and gives the edge
// (which runs in this process) the root credentials for OAC signing, with
// no shared AWS files, so a user's own profile never leaks into the demo.
func useDemoS3(s *settings, d *demoS3) error {
	s.s3Endpoint, s.s3Website = d.Endpoint, d.Website
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": d.creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY": d.creds.SecretAccessKey,
		"AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_REGION": "us-east-1",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_EC2_METADATA_DISABLED": "true",
	} {
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	return nil
}

// writeDemoS3Config writes the S3 distributions and their OAC into dir.
func writeDemoS3Config(dir string) error {
	for name, text := range demoS3Docs {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// demoS3Lines are the S3 scenarios' curl lines, or how to get them.
func demoS3Lines(httpAddr string, d *demoS3) [][2]string {
	if d == nil {
		return nil
	}
	plain := func(host, path string) string {
		return fmt.Sprintf("curl -i -H 'Host: %s' http://%s%s", host, httpAddr, path)
	}
	return [][2]string{
		{"S3: a public object (the bucket policy allows anyone public/*), read without origin access: 200", plain(demoS3NoOACHost, "/public/hello.txt")},
		{"S3: a private object read through origin access control (SigV4-signed by the edge): 200", plain(demoS3OACHost, "/private/report.txt")},
		{"S3: the same private object without origin access: 403 AccessDenied from S3 itself, passed through (its XML, its Server header)", plain(demoS3NoOACHost, "/private/report.txt")},
		{"S3: / without a DefaultRootObject goes to the bucket itself: 200 ListBucketResult, S3's listing (the demo's OAC signs as the bucket owner; real S3 answers 403 unless the policy grants s3:ListBucket)", plain(demoS3OACHost, "/")},
		{"S3: a missing key: 404 NoSuchKey from versitygw (real S3 answers 403 AccessDenied when the distribution may not s3:ListBucket)", plain(demoS3OACHost, "/no-such-key.txt")},
		{"S3 website endpoint (a custom origin, HTTP only, never signed), a public object: 200", plain(demoS3WebHost, "/public/hello.txt")},
		{"S3 website endpoint, the private object: 403 with S3 website's HTML error page, passed through (website endpoints serve public objects only)", plain(demoS3WebHost, "/private/report.txt")},
	}
}
