package edge

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const fnARN = "arn:aws:cloudfront::123456789012:function/"

func TestFunctions(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Set-Cookie", "sid=1; Path=/")
		w.Header().Set("Content-Type", "text/plain")
		if strings.HasSuffix(r.URL.Path, "/missing.html") {
			w.WriteHeader(404)
		}
		w.Write([]byte("origin:" + r.URL.RequestURI() + " x-fn=" + r.Header.Get("X-Fn") + " cookie=" + r.Header.Get("Cookie")))
	})
	behaviors := `
	  {"PathPattern": "/app/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
	   "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3",
	   "FunctionAssociations": {"Quantity": 2, "Items": [
	     {"FunctionARN": "` + fnARN + `rewrite", "EventType": "viewer-request"},
	     {"FunctionARN": "` + fnARN + `hsts", "EventType": "viewer-response"}]}},
	  {"PathPattern": "/broken/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
	   "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
	   "FunctionAssociations": {"Quantity": 1, "Items": [{"FunctionARN": "` + fnARN + `broken", "EventType": "viewer-request"}]}}`
	docs := map[string]string{
		"E1.json": distConfig(o, behaviors, ""),
		"rewrite.js": `function handler(event) {
		  var r = event.request;
		  if (r.headers['x-deny']) {
		    return {statusCode: 403, statusDescription: 'Forbidden', headers: {'content-type': {value: 'text/plain'}},
		      cookies: {gone: {value: '', attributes: 'Max-Age=0'}}, body: 'denied by function'};
		  }
		  if (r.uri.endsWith('/')) { r.uri += 'index.html'; }
		  r.headers['x-fn'] = {value: 'ran'};
		  r.querystring.added = {value: '1'};
		  r.cookies.fn = {value: 'yes'};
		  return r;
		}`,
		"hsts.js": `function handler(event) {
		  var resp = event.response;
		  resp.headers['strict-transport-security'] = {value: 'max-age=1'};
		  if (event.request.querystring.replace) { resp.statusCode = 200; resp.body = 'replaced'; }
		  return resp;
		}`,
		"broken.js":     `function handler(event) { return event.request.nothing.here; }`,
		"describe.json": `{"ETag": "E1", "FunctionSummary": {"Name": "rewrite", "Status": "UNPUBLISHED", "FunctionConfig": {"Comment": "", "Runtime": "cloudfront-js-2.0"}, "FunctionMetadata": {"FunctionARN": "` + fnARN + `rewrite", "Stage": "LIVE"}}}`,
	}
	s := newTestServer(t, docs)
	send := func(target string, hdr ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", target, nil)
		r.Host = "www.example.com"
		r.Header.Set("Cookie", "a=1")
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		return w
	}

	w := send("/app/?q=2")
	if w.Code != 200 || w.Body.String() != "origin:/base/app/index.html?q=2&added=1 x-fn=ran cookie=a=1; fn=yes" {
		t.Errorf("rewritten request: %d %q", w.Code, w.Body)
	}
	if got := w.Header().Get("Strict-Transport-Security"); got != "max-age=1" {
		t.Errorf("viewer-response function: Strict-Transport-Security %q", got)
	}
	if got := w.Header().Values("Set-Cookie"); len(got) != 1 || got[0] != "sid=1; Path=/" {
		t.Errorf("the origin's cookie through the viewer-response function: %q", got)
	}
	checkCloudFrontHeaders(t, w, "Miss from cloudfront")

	w = send("/app/x?replace=1")
	if w.Code != 200 || w.Body.String() != "replaced" || w.Header().Get("Content-Length") != "8" {
		t.Errorf("body replaced by the viewer-response function: %d %q %q", w.Code, w.Body, w.Header().Get("Content-Length"))
	}
	// Answers of 400 and above never reach a viewer-response function.
	w = send("/app/missing.html")
	if w.Code != 404 || w.Header().Get("Strict-Transport-Security") != "" {
		t.Errorf("404: %d, Strict-Transport-Security %q", w.Code, w.Header().Get("Strict-Transport-Security"))
	}

	n := o.count()
	w = send("/app/x", "X-Deny", "1")
	if w.Code != 403 || w.Body.String() != "denied by function" || w.Header().Get("Server") != "CloudFront" ||
		w.Header().Get("Set-Cookie") != "gone=; Max-Age=0" {
		t.Errorf("generated response: %d %q Server %q Set-Cookie %q", w.Code, w.Body, w.Header().Get("Server"), w.Header().Get("Set-Cookie"))
	}
	checkCloudFrontHeaders(t, w, "FunctionGeneratedResponse from cloudfront")
	if o.count() != n {
		t.Error("a generated response reached the origin")
	}

	w = send("/broken/x")
	if w.Code != 503 || w.Header().Get("Server") != "CloudFront" ||
		!strings.Contains(w.Body.String(), "The CloudFront function associated with the CloudFront distribution failed to run.") {
		t.Errorf("a throwing function: %d %q", w.Code, w.Body)
	}
	checkCloudFrontHeaders(t, w, "Error from cloudfront")
}

// TestNoSniffedContentType: an answer without Content-Type (the origin's,
// or a function's) gets none added by the server.
func TestNoSniffedContentType(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil
		w.Write([]byte("<html>no type</html>"))
	})
	behaviors := `
	  {"PathPattern": "/fn/*", "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
	   "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
	   "FunctionAssociations": {"Quantity": 1, "Items": [{"FunctionARN": "` + fnARN + `gen", "EventType": "viewer-request"}]}}`
	s := newTestServer(t, map[string]string{"E1.json": distConfig(o, behaviors, ""),
		"gen.js": `function handler(e) { return {statusCode: 200, body: '<html>generated</html>'}; }`})
	for _, path := range []string{"/x", "/fn/x"} {
		srv := httptest.NewServer(s)
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Host = "www.example.com"
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		srv.Close()
		if ct, ok := resp.Header["Content-Type"]; ok {
			t.Errorf("%s: Content-Type %q added", path, ct)
		}
	}
}
