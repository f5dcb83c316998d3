package main

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/openfront-edge/openfront/internal/origin"
)

func TestS3EndpointFlags(t *testing.T) {
	tests := []struct {
		name          string
		s             *settings
		rest, website string // the parsed endpoints, "" for none
		bucket        string // "BUCKET → endpoint" of the one bucket override
		err           string // "" for valid
	}{
		{name: "none", s: &settings{}},
		{name: "path-style", s: &settings{s3Endpoint: "http://127.0.0.1:9000"}, rest: "http://127.0.0.1:9000"},
		{name: "trailing slash", s: &settings{s3Endpoint: "https://s3.local/"}, rest: "https://s3.local"},
		{name: "virtual-host", s: &settings{s3Endpoint: "http://*.s3.localhost:9000"}, rest: "http://*.s3.localhost:9000"},
		{name: "website", s: &settings{s3Website: "http://127.0.0.1:9001"}, website: "http://127.0.0.1:9001"},
		{name: "per bucket", s: &settings{s3Endpoint: "http://127.0.0.1:9000", s3Buckets: listFlag{"site=http://127.0.0.1:9100"}},
			rest: "http://127.0.0.1:9000", bucket: "site → http://127.0.0.1:9100"},
		{name: "no scheme", s: &settings{s3Endpoint: "127.0.0.1:9000"}, err: "--s3-endpoint"},
		{name: "a path", s: &settings{s3Endpoint: "http://127.0.0.1:9000/bucket"}, err: "without path"},
		{name: "a password", s: &settings{s3Endpoint: "http://key:secret@127.0.0.1:9000"}, err: "without path, query or user"},
		{name: "a password in a bucket's URL", s: &settings{s3Buckets: listFlag{"site=http://key:secret@127.0.0.1:9000"}}, err: "--s3-bucket-endpoint site="},
		{name: "a bare wildcard", s: &settings{s3Website: "http://*.:80"}, err: "--s3-website-endpoint"},
		{name: "a bucket without URL", s: &settings{s3Buckets: listFlag{"http://127.0.0.1:9000"}}, err: "want BUCKET=URL"},
		{name: "a bucket twice", s: &settings{s3Buckets: listFlag{"a=http://h:1", "a=http://h:2"}}, err: "given twice"},
	}
	str := func(e *origin.Endpoint) string {
		if e == nil {
			return ""
		}
		return e.String()
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var o origin.Options
			err := tc.s.s3Endpoints(&o)
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q echoes the password", err)
			}
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := str(o.S3Endpoint); got != tc.rest {
				t.Errorf("--s3-endpoint: got %q, want %q", got, tc.rest)
			}
			if got := str(o.S3WebsiteEndpoint); got != tc.website {
				t.Errorf("--s3-website-endpoint: got %q, want %q", got, tc.website)
			}
			got := ""
			for b, e := range o.S3Buckets {
				got += b + " → " + e.String()
			}
			if got != tc.bucket {
				t.Errorf("--s3-bucket-endpoint: got %q, want %q", got, tc.bucket)
			}
		})
	}
}

// TestS3BucketEndpointSettingsFile: per-bucket endpoints come from the
// settings file as a list, like every repeatable flag.
func TestS3BucketEndpointSettingsFile(t *testing.T) {
	dir := t.TempDir()
	file := dir + "/settings.yaml"
	yaml := "s3-endpoint: http://127.0.0.1:9000\ns3-website-endpoint: http://127.0.0.1:9001\n" +
		"s3-bucket-endpoint:\n  - assets=http://*.s3.localhost:9200\n  - media=https://media-s3.internal\n"
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	var s settings
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	s.register(fs, true)
	if err := s.parse(fs, []string{"--settings", file}); err != nil {
		t.Fatal(err)
	}
	var o origin.Options
	if err := s.s3Endpoints(&o); err != nil {
		t.Fatal(err)
	}
	if o.S3Endpoint.String() != "http://127.0.0.1:9000" || o.S3WebsiteEndpoint.String() != "http://127.0.0.1:9001" {
		t.Errorf("endpoints: got %v and %v", o.S3Endpoint, o.S3WebsiteEndpoint)
	}
	if a, m := o.S3Buckets["assets"], o.S3Buckets["media"]; a == nil || !a.VirtualHost || a.Host != "s3.localhost:9200" || m == nil || m.String() != "https://media-s3.internal" {
		t.Errorf("per-bucket endpoints: got %v", o.S3Buckets)
	}
}
