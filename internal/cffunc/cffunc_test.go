package cffunc

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func event(uri string) *Event {
	return &Event{
		EventType: "viewer-request", DistributionDomainName: "d111111abcdef8.cloudfront.net",
		DistributionID: "EDFDVBD6EXAMPLE", RequestID: "rid==", ViewerIP: "198.51.100.11",
		Request: Request{
			Method: "GET", URI: uri,
			Query: []Field{{Name: "ID", Values: []Value{{Value: "42"}}},
				{Name: "querymv", Values: []Value{{Value: "val1"}, {Value: "val2,val3"}}}},
			Headers: []Field{{Name: "host", Values: []Value{{Value: "video.example.com"}}},
				{Name: "accept", Values: []Value{{Value: "application/json"}, {Value: "text/html"}}}},
			Cookies: []Field{{Name: "session", Values: []Value{{Value: "abc"}}}},
		},
	}
}

func compile(t *testing.T, code string) *Function {
	t.Helper()
	f, err := Compile("test", "", []byte(code), nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// AWS's "add index.html to request URLs that don't include a file name"
// example (functions example url-rewrite-single-page-apps).
const indexRewrite = `
function handler(event) {
    var request = event.request;
    var uri = request.uri;
    if (uri.endsWith('/')) {
        request.uri += 'index.html';
    } else if (!uri.includes('.')) {
        request.uri += '/index.html';
    }
    return request;
}`

func TestRewrite(t *testing.T) {
	f := compile(t, indexRewrite)
	for in, want := range map[string]string{"/": "/index.html", "/docs/": "/docs/index.html", "/docs": "/docs/index.html", "/a.css": "/a.css"} {
		out, err := f.Run(event(in))
		if err != nil {
			t.Fatal(err)
		}
		if out.Response != nil || out.Request.URI != want {
			t.Errorf("%s: got %+v, want uri %s", in, out, want)
		}
		// Untouched parts come back as they were.
		if ev := event(in); !reflect.DeepEqual(out.Request.Query, ev.Request.Query) ||
			!reflect.DeepEqual(out.Request.Headers, ev.Request.Headers) || !reflect.DeepEqual(out.Request.Cookies, ev.Request.Cookies) {
			t.Errorf("%s: query, headers or cookies changed: %+v", in, out.Request)
		}
	}
}

func TestEventShape(t *testing.T) {
	f := compile(t, `function handler(event) {
	  var r = event.request;
	  r.headers['x-seen'] = {value: [event.version, event.context.eventType, event.context.distributionId,
	    event.context.distributionDomainName, event.context.requestId, event.viewer.ip, r.method,
	    r.querystring.ID.value, r.querystring.querymv.multiValue.length, r.headers.accept.multiValue[1].value,
	    r.cookies.session.value].join('|')};
	  return r;
	}`)
	out, err := f.Run(event("/x"))
	if err != nil {
		t.Fatal(err)
	}
	var seen string
	for _, h := range out.Request.Headers {
		if h.Name == "x-seen" {
			seen = h.Values[0].Value
		}
	}
	want := "1.0|viewer-request|EDFDVBD6EXAMPLE|d111111abcdef8.cloudfront.net|rid==|198.51.100.11|GET|42|2|text/html|abc"
	if seen != want {
		t.Errorf("got %q, want %q", seen, want)
	}
}

func TestMultiValueRules(t *testing.T) {
	// functions-event-structure: a changed multiValue wins; otherwise value
	// replaces only the first value.
	f := compile(t, `function handler(event) {
	  var r = event.request;
	  r.querystring.querymv.value = 'first';
	  r.headers.accept.multiValue = [{value: 'a'}, {value: 'b'}, {value: 'c'}];
	  delete r.cookies.session;
	  r.cookies.added = {value: 'v'};
	  return r;
	}`)
	out, err := f.Run(event("/x"))
	if err != nil {
		t.Fatal(err)
	}
	want := &Request{Method: "GET", URI: "/x",
		Query: []Field{{Name: "ID", Values: []Value{{Value: "42"}}},
			{Name: "querymv", Values: []Value{{Value: "first"}, {Value: "val2,val3"}}}},
		Headers: []Field{{Name: "host", Values: []Value{{Value: "video.example.com"}}},
			{Name: "accept", Values: []Value{{Value: "a"}, {Value: "b"}, {Value: "c"}}}},
		Cookies: []Field{{Name: "added", Values: []Value{{Value: "v"}}}},
	}
	if !reflect.DeepEqual(out.Request, want) {
		t.Errorf("got %+v\nwant %+v", out.Request, want)
	}
}

func TestGeneratedResponse(t *testing.T) {
	f := compile(t, `function handler(event) {
	  var auth = event.request.headers.authorization;
	  if (!auth || auth.value !== 'Basic ' + 'dXNlcjpwYXNz') {
	    return {statusCode: 401, statusDescription: 'Unauthorized',
	      headers: {'www-authenticate': {value: 'Basic'}}, body: {encoding: 'base64', data: 'bm8='}};
	  }
	  return event.request;
	}`)
	out, err := f.Run(event("/x"))
	if err != nil {
		t.Fatal(err)
	}
	r := out.Response
	if r == nil || r.Status != 401 || r.StatusDescription != "Unauthorized" || string(r.Body) != "no" || !r.HasBody ||
		len(r.Headers) != 1 || r.Headers[0].Name != "www-authenticate" {
		t.Errorf("got %+v", out)
	}
	ev := event("/x")
	ev.Request.Headers = append(ev.Request.Headers, Field{Name: "authorization", Values: []Value{{Value: "Basic dXNlcjpwYXNz"}}})
	if out, err := f.Run(ev); err != nil || out.Request == nil {
		t.Errorf("with credentials: %+v, %v", out, err)
	}
}

func TestViewerResponse(t *testing.T) {
	f := compile(t, `async function handler(event) {
	  var response = event.response;
	  response.headers['strict-transport-security'] = {value: 'max-age=63072000'};
	  response.cookies.id.value = 'rotated';
	  return response;
	}`)
	ev := event("/x")
	ev.EventType = "viewer-response"
	ev.Response = &Response{Status: 200, StatusDescription: "OK",
		Headers: []Field{{Name: "content-type", Values: []Value{{Value: "text/html"}}}},
		Cookies: []Field{{Name: "id", Values: []Value{{Value: "a3fWa", Attributes: "Secure; Path=/"}}}}}
	out, err := f.Run(ev)
	if err != nil {
		t.Fatal(err)
	}
	want := &Response{Status: 200, StatusDescription: "OK",
		Headers: []Field{{Name: "content-type", Values: []Value{{Value: "text/html"}}},
			{Name: "strict-transport-security", Values: []Value{{Value: "max-age=63072000"}}}},
		Cookies: []Field{{Name: "id", Values: []Value{{Value: "rotated", Attributes: "Secure; Path=/"}}}}}
	if !reflect.DeepEqual(out.Response, want) {
		t.Errorf("got %+v\nwant %+v", out.Response, want)
	}
}

func TestModules(t *testing.T) {
	f := compile(t, `var crypto = require('crypto'); var qs = require('querystring');
	function handler(event) {
	  var r = event.request;
	  r.headers['x-sha256'] = {value: crypto.createHash('sha256').update('abc').digest('hex')};
	  r.headers['x-hmac'] = {value: crypto.createHmac('sha256', 'key').update('The quick brown fox jumps over the lazy dog').digest('base64')};
	  var p = qs.parse('a=1&b=x%20y&a=2');
	  r.headers['x-qs'] = {value: p.b + '|' + p.a.join(',') + '|' + qs.stringify({k: 'v w', n: ['1', '2']})};
	  return r;
	}`)
	out, err := f.Run(event("/x"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, h := range out.Request.Headers {
		got[h.Name] = h.Values[0].Value
	}
	for k, want := range map[string]string{
		"x-sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"x-hmac":   "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=",
		"x-qs":     "x y|1,2|k=v%20w&n=1&n=2",
	} {
		if got[k] != want {
			t.Errorf("%s: got %q, want %q", k, got[k], want)
		}
	}
}

func TestFailures(t *testing.T) {
	for _, c := range []struct {
		name, code string
		exec       bool // ExecutionError, else ValidationError
	}{
		{"throws", `function handler(e) { throw new Error('boom'); }`, true},
		{"runs forever", `function handler(e) { while (true) {} }`, true},
		{"returns nothing", `function handler(e) { }`, false},
		{"returns a string", `function handler(e) { return 'x'; }`, false},
		{"relative uri", `function handler(e) { e.request.uri = 'x'; return e.request; }`, false},
		{"changes the method", `function handler(e) { e.request.method = 'POST'; return e.request; }`, false},
		{"upper-case header", `function handler(e) { e.request.headers['X-A'] = {value: '1'}; return e.request; }`, false},
		{"bad status", `function handler(e) { return {statusCode: 1000}; }`, false},
		{"bad base64", `function handler(e) { return {statusCode: 200, body: {encoding: 'base64', data: '!!'}}; }`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := compile(t, c.code)
			f.Timeout = 20 * time.Millisecond
			_, err := f.Run(event("/x"))
			var ee *ExecutionError
			var ve *ValidationError
			if c.exec && !errors.As(err, &ee) || !c.exec && !errors.As(err, &ve) {
				t.Fatalf("got %v (%T)", err, err)
			}
			// The function still runs afterwards.
			f2 := compile(t, indexRewrite)
			if _, err := f2.Run(event("/")); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	for code, want := range map[string]string{
		`function handler(e) { return e.request`:                                                 "SyntaxError",
		`function other(e) { return e.request; }`:                                                "no function handler",
		"import cf from 'cloudfront';\nconst kvs = cf.kvs();\nfunction handler(e) { return 1; }": "no key value store",
		`var fs = require('fs'); function handler(e) { return e.request; }`:                      "module fs",
	} {
		_, err := Compile("bad", "", []byte(code), nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error with %q", code, err, want)
		}
	}
	if _, err := Compile("x", "cloudfront-js-3.0", []byte(indexRewrite), nil); err == nil {
		t.Error("an unknown runtime was accepted")
	}
}

func BenchmarkRewrite(b *testing.B) {
	f, _ := Compile("bench", "", []byte(indexRewrite), nil)
	ev := event("/docs/")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Run(ev); err != nil {
			b.Fatal(err)
		}
	}
}

// TestKeyValueStore: AWS's documented module use, import included
// (functions-custom-methods).
func TestKeyValueStore(t *testing.T) {
	code := `import cf from 'cloudfront';
const kvs = cf.kvs();
async function handler(event) {
    const r = event.request;
    try {
        const target = await kvs.get(r.uri);
        return {statusCode: 302, statusDescription: 'Found', headers: {location: {value: target}}};
    } catch (e) {
        // not a redirect
    }
    const cfg = await kvs.get('config', {format: 'json'});
    r.headers['x-flag'] = {value: String(cfg.flag)};
    r.headers['x-exists'] = {value: String(await kvs.exists('nope'))};
    r.headers['x-count'] = {value: String((await kvs.meta()).keyCount)};
    r.headers['x-bytes'] = {value: String(new Uint8Array(await kvs.get('config', {format: 'bytes'})).length)};
    return r;
}`
	store := &KeyValueStore{ID: "abc", Items: map[string]string{"/old": "https://example.com/new", "config": `{"flag": true}`}}
	f, err := Compile("kvs", RuntimeJS2, []byte(code), store)
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.Run(event("/old"))
	if err != nil || out.Response == nil || out.Response.Status != 302 || out.Response.Headers[0].Values[0].Value != "https://example.com/new" {
		t.Fatalf("redirect: %+v, %v", out, err)
	}
	out, err = f.Run(event("/other"))
	if err != nil || out.Request == nil {
		t.Fatalf("pass-through: %+v, %v", out, err)
	}
	got := map[string]string{}
	for _, h := range out.Request.Headers {
		got[h.Name] = h.Values[0].Value
	}
	if got["x-flag"] != "true" || got["x-exists"] != "false" || got["x-count"] != "2" || got["x-bytes"] != "14" {
		t.Errorf("headers: %v", got)
	}
	// cloudfront-js-1.0 has no import statement.
	if _, err := Compile("kvs", RuntimeJS1, []byte(code), store); err == nil {
		t.Error("an import compiled under cloudfront-js-1.0")
	}
}
