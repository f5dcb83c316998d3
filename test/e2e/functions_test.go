package e2e

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestCloudFrontFunctions: CloudFront Functions saved as get-function
// writes them (NAME.js, plus a describe-function document) run in the real
// binary in front of nginx: a viewer-request function rewrites directory
// URLs to index.html (AWS's single-page-app example) and answers 403 itself
// without an API key; a viewer-response function adds a header. The log
// marks the generated answer, and the doctor names the function.
func TestCloudFrontFunctions(t *testing.T) {
	t.Parallel()
	port := startNginx(t, map[string]string{"docs/index.html": "the docs\n", "admin/panel.html": "admin\n"})
	const id = "EFUNCS1"
	const arn = "arn:aws:cloudfront::123456789012:function/"
	def := with(behavior("", "nginx"), "FunctionAssociations", list(
		obj{"FunctionARN": arn + "gatekeeper", "EventType": "viewer-request"},
		obj{"FunctionARN": arn + "stamp", "EventType": "viewer-response"}))
	cfg := distConfig([]obj{customOrigin("nginx", "127.0.0.1", port)}, def)
	cfg["Logging"] = obj{"Enabled": true, "IncludeCookies": false, "Bucket": "logs.s3.amazonaws.com", "Prefix": ""}
	docs := docs1(id, cfg)
	docs["gatekeeper.js"] = []byte(`function handler(event) {
    var request = event.request;
    if (request.uri.startsWith('/admin/') && !request.headers['x-api-key']) {
        return {statusCode: 403, statusDescription: 'Forbidden',
                headers: {'content-type': {value: 'text/plain'}}, body: 'an API key is required'};
    }
    if (request.uri.endsWith('/')) {
        request.uri += 'index.html';
    } else if (!request.uri.includes('.')) {
        request.uri += '/index.html';
    }
    return request;
}
`)
	docs["gatekeeper.json"] = obj{"ETag": "E3UN6WX5RRO2AG", "FunctionSummary": obj{
		"Name": "gatekeeper", "Status": "UNASSOCIATED",
		"FunctionConfig":   obj{"Comment": "", "Runtime": "cloudfront-js-2.0"},
		"FunctionMetadata": obj{"FunctionARN": arn + "gatekeeper", "Stage": "LIVE", "LastModifiedTime": "2024-05-01T10:00:00.000000+00:00"},
	}}
	docs["stamp.js"] = []byte(`function handler(event) {
    var response = event.response;
    response.headers['x-stamped'] = {value: event.context.eventType + ' ' + event.context.distributionId};
    return response;
}
`)
	e := startEdge(t, docs)

	for _, tc := range []struct {
		target, key                   string
		status                        int
		body, xcache, result, stamped string
	}{
		{"/docs/", "", 200, "the docs\n", "Miss from cloudfront", "Miss", "viewer-response " + id},
		{"/docs", "", 200, "the docs\n", "Miss from cloudfront", "Miss", "viewer-response " + id},
		{"/admin/panel.html", "k", 200, "admin\n", "Miss from cloudfront", "Miss", "viewer-response " + id},
		{"/admin/panel.html", "", 403, "an API key is required", "FunctionGeneratedResponse from cloudfront", "FunctionGeneratedResponse", ""},
	} {
		h := http.Header{}
		if tc.key != "" {
			h.Set("X-Api-Key", tc.key)
		}
		r := e.do(t, request{Host: defaultDomain(id), Target: tc.target, Header: h})
		if r.Status != tc.status || string(r.Body) != tc.body {
			t.Errorf("%s: got %d %q, want %d %q", tc.target, r.Status, r.Body, tc.status, tc.body)
		}
		checkCloudFrontHeaders(t, r, tc.xcache)
		if got := r.Header.Get("X-Stamped"); got != tc.stamped {
			t.Errorf("%s: X-Stamped %q, want %q", tc.target, got, tc.stamped)
		}
		if tc.status == 403 && r.Header.Get("Server") != "CloudFront" {
			t.Errorf("generated 403: Server %q", r.Header.Get("Server"))
		}
		l := e.waitLogID(t, id+".*.gz", r.ID())
		// The log keeps what the viewer asked for.
		checkLog(t, l, map[string]string{"cs-uri-stem": tc.target, "sc-status": strconv.Itoa(tc.status),
			"x-edge-result-type": tc.result, "x-edge-detailed-result-type": tc.result})
	}

	code, stdout, stderr := runCmd(t, "doctor", "logs", "--config", e.ConfigDir, "--no-progress", e.LogDir)
	if code != 1 || !strings.Contains(stdout, arn+"gatekeeper") || !strings.Contains(stdout, "test-function") {
		t.Errorf("doctor: exit %d, want 1 and the function named\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

// TestCloudFrontFunctionKeyValueStore: a cloudfront-js-2.0 function reads
// its key value store (import cf from 'cloudfront'), whose keys are saved
// as aws cloudfront-keyvaluestore list-keys prints them (ID.kvs.json), and
// redirects the paths the store names.
func TestCloudFrontFunctionKeyValueStore(t *testing.T) {
	t.Parallel()
	o := newOrigin(t, "o", nil)
	const id = "EFUNCKVS"
	const fnARN = "arn:aws:cloudfront::123456789012:function/redirects"
	const kvsID = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
	def := with(behavior("", "o"), "FunctionAssociations", list(obj{"FunctionARN": fnARN, "EventType": "viewer-request"}))
	docs := docs1(id, distConfig([]obj{customOrigin("o", "127.0.0.1", o.port())}, def))
	docs["redirects.js"] = []byte(`import cf from 'cloudfront';
const kvsHandle = cf.kvs();

async function handler(event) {
    const request = event.request;
    try {
        const target = await kvsHandle.get(request.uri);
        return {statusCode: 301, statusDescription: 'Moved Permanently', headers: {location: {value: target}}};
    } catch (err) {
        return request;
    }
}
`)
	docs["redirects.json"] = obj{"ETag": "ETVPDKIKX0DER", "FunctionSummary": obj{
		"Name": "redirects", "Status": "UNASSOCIATED",
		"FunctionConfig": obj{"Comment": "", "Runtime": "cloudfront-js-2.0",
			"KeyValueStoreAssociations": obj{"Quantity": 1, "Items": []obj{{"KeyValueStoreARN": "arn:aws:cloudfront::123456789012:key-value-store/" + kvsID}}}},
		"FunctionMetadata": obj{"FunctionARN": fnARN, "Stage": "LIVE", "LastModifiedTime": "2024-05-01T10:00:00.000000+00:00"},
	}}
	docs[kvsID+".kvs.json"] = obj{"Items": []obj{{"Key": "/old-page", "Value": "/new-page"}, {"Key": "/promo", "Value": "https://example.com/sale"}}}
	e := startEdge(t, docs)
	for _, tc := range []struct {
		target   string
		status   int
		location string
	}{
		{"/old-page", 301, "/new-page"},
		{"/promo", 301, "https://example.com/sale"},
		{"/kept", 200, ""},
	} {
		r := e.do(t, request{Host: defaultDomain(id), Target: tc.target})
		if r.Status != tc.status || r.Header.Get("Location") != tc.location {
			t.Errorf("%s: %d Location %q, want %d %q", tc.target, r.Status, r.Header.Get("Location"), tc.status, tc.location)
		}
	}
	// Without the store's keys the configuration is refused, saying how to
	// save them.
	delete(docs, kvsID+".kvs.json")
	dir := t.TempDir()
	writeDocs(t, dir, docs)
	code, _, stderr := runCmd(t, "validate", "--config", dir)
	if code != 1 || !strings.Contains(stderr, "cloudfront-keyvaluestore list-keys") {
		t.Errorf("validate without the store: exit %d\n%s", code, stderr)
	}
}
