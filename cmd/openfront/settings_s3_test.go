package main

import (
	"strings"
	"testing"
)

func TestS3EndpointFlag(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"http://127.0.0.1:9000", "http://127.0.0.1:9000", true},
		{"https://s3.local/", "https://s3.local", true},
		{"127.0.0.1:9000", "", false},
		{"http://127.0.0.1:9000/bucket", "", false},
		{"http://key:secret@127.0.0.1:9000", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			s := &settings{s3Endpoint: tc.in}
			u, err := s.s3EndpointURL()
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q echoes the password", err)
			}
			if (err == nil) != tc.ok {
				t.Fatalf("got error %v, want ok %v", err, tc.ok)
			}
			got := ""
			if u != nil {
				got = u.String()
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
