// Package cffunc runs CloudFront Functions (viewer request and viewer
// response) in goja, on the event object CloudFront builds
// (functions-event-structure): the function's handler gets the event and
// returns the request to go on with, or a response to answer with.
//
// A Function is compiled once and runs on a pool of JavaScript runtimes,
// each of which has run the code once to define handler. Safe for
// concurrent use.
package cffunc

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// Runtimes CloudFront offers (FunctionConfig.Runtime).
const (
	RuntimeJS1 = "cloudfront-js-1.0"
	RuntimeJS2 = "cloudfront-js-2.0"
)

// DefaultTimeout bounds one run. CloudFront stops a function that uses
// more than its compute allowance (about a millisecond); a local edge has
// no such meter, so it allows far more and treats a run past it as the
// same failure.
const DefaultTimeout = 50 * time.Millisecond

// Value is one value of a query string parameter, header or cookie; a
// response cookie's attributes are what follows its value in Set-Cookie.
type Value struct{ Value, Attributes string }

// Field is a named query string parameter, header (lower-case name) or
// cookie with its values in the order they came.
type Field struct {
	Name   string
	Values []Value
}

// Request is the event's request object.
type Request struct {
	Method, URI             string
	Query, Headers, Cookies []Field
}

// Response is the event's response object, or one a function generates.
type Response struct {
	Status            int
	StatusDescription string
	Headers, Cookies  []Field
	// Body replaces the body when HasBody is set (empty removes it).
	Body    []byte
	HasBody bool
}

// Event is what a function is given.
type Event struct {
	EventType              string // "viewer-request" or "viewer-response"
	DistributionDomainName string
	DistributionID         string
	RequestID              string
	ViewerIP               string
	Request                Request
	Response               *Response // viewer-response only
}

// Outcome is what a function returned: a request to go on with (viewer
// request), or a response.
type Outcome struct {
	Request  *Request
	Response *Response
}

// ExecutionError is a function that threw, ran too long or could not run
// (FunctionExecutionError).
type ExecutionError struct{ Err error }

func (e *ExecutionError) Error() string { return "function execution error: " + e.Err.Error() }
func (e *ExecutionError) Unwrap() error { return e.Err }

// ValidationError is a function that returned something CloudFront cannot
// use (FunctionValidationError).
type ValidationError struct{ Msg string }

func (e *ValidationError) Error() string { return "function validation error: " + e.Msg }

// Function is a compiled CloudFront Function.
type Function struct {
	Name    string
	Runtime string
	Timeout time.Duration
	// KVS is the key value store the function is associated with, nil for
	// none (the cloudfront module's kvs()).
	KVS  *KeyValueStore
	prog *goja.Program
	pool sync.Pool
}

// KeyValueStore is a CloudFront KeyValueStore's content, read-only.
type KeyValueStore struct {
	ID       string
	Items    map[string]string
	Created  time.Time
	Modified time.Time
}

// esImport is a default import of a module, which CloudFront's
// cloudfront-js-2.0 runtime takes ("import cf from 'cloudfront';"); goja
// runs scripts, so it becomes the equivalent require on the same line.
var esImport = regexp.MustCompile(`(?m)^([ \t]*)import[ \t]+([A-Za-z_$][\w$]*)[ \t]+from[ \t]+['"]([\w-]+)['"][ \t]*;?`)

// Compile compiles code and runs it once, so that a syntax error, a
// missing handler or a module this edge does not provide is found at
// load time.
func Compile(name, runtime string, code []byte, kvs *KeyValueStore) (*Function, error) {
	switch runtime {
	case "":
		runtime = RuntimeJS2
	case RuntimeJS1, RuntimeJS2:
	default:
		return nil, fmt.Errorf("function %s: runtime %q: want %s or %s", name, runtime, RuntimeJS1, RuntimeJS2)
	}
	src := string(code)
	if runtime == RuntimeJS2 {
		src = esImport.ReplaceAllString(src, "${1}var $2 = require('$3');")
	}
	prog, err := goja.Compile(name+".js", src, false)
	if err != nil {
		return nil, fmt.Errorf("function %s: %w", name, err)
	}
	f := &Function{Name: name, Runtime: runtime, Timeout: DefaultTimeout, KVS: kvs, prog: prog}
	rt, err := f.newRuntime()
	if err != nil {
		return nil, fmt.Errorf("function %s: %w", name, err)
	}
	f.pool.Put(rt)
	return f, nil
}

type runtime struct {
	vm      *goja.Runtime
	handler goja.Callable
	promise *goja.Object // the Promise constructor, for async handlers
}

func (f *Function) newRuntime() (*runtime, error) {
	vm := goja.New()
	if err := vm.Set("require", requireFunc(vm, f.KVS)); err != nil {
		return nil, err
	}
	if _, err := vm.RunProgram(f.prog); err != nil {
		return nil, err
	}
	h, ok := goja.AssertFunction(vm.Get("handler"))
	if !ok {
		return nil, errors.New("the code defines no function handler(event)")
	}
	return &runtime{vm: vm, handler: h, promise: vm.Get("Promise").ToObject(vm)}, nil
}

// Run runs the function on ev.
func (f *Function) Run(ev *Event) (Outcome, error) {
	rt, _ := f.pool.Get().(*runtime)
	if rt == nil {
		var err error
		if rt, err = f.newRuntime(); err != nil {
			return Outcome{}, &ExecutionError{err}
		}
	}
	out, err := f.run(rt, ev)
	var ee *ExecutionError
	if !errors.As(err, &ee) {
		// A runtime that threw or was interrupted may hold broken
		// state; only clean ones go back.
		f.pool.Put(rt)
	}
	return out, err
}

func (f *Function) run(rt *runtime, ev *Event) (Outcome, error) {
	vm := rt.vm
	event := vm.NewObject()
	event.Set("version", "1.0")
	ctx := vm.NewObject()
	ctx.Set("distributionDomainName", ev.DistributionDomainName)
	ctx.Set("distributionId", ev.DistributionID)
	ctx.Set("eventType", ev.EventType)
	ctx.Set("requestId", ev.RequestID)
	event.Set("context", ctx)
	viewer := vm.NewObject()
	viewer.Set("ip", ev.ViewerIP)
	event.Set("viewer", viewer)
	req := vm.NewObject()
	req.Set("method", ev.Request.Method)
	req.Set("uri", ev.Request.URI)
	req.Set("querystring", fieldsObject(vm, ev.Request.Query, false))
	req.Set("headers", fieldsObject(vm, ev.Request.Headers, false))
	req.Set("cookies", fieldsObject(vm, ev.Request.Cookies, false))
	event.Set("request", req)
	if ev.Response != nil {
		resp := vm.NewObject()
		resp.Set("statusCode", ev.Response.Status)
		resp.Set("statusDescription", ev.Response.StatusDescription)
		resp.Set("headers", fieldsObject(vm, ev.Response.Headers, false))
		resp.Set("cookies", fieldsObject(vm, ev.Response.Cookies, true))
		event.Set("response", resp)
	}

	timer := time.AfterFunc(f.Timeout, func() { vm.Interrupt("the function ran longer than " + f.Timeout.String()) })
	v, err := rt.handler(goja.Undefined(), event)
	timer.Stop()
	vm.ClearInterrupt()
	if err != nil {
		return Outcome{}, &ExecutionError{err}
	}
	if o, ok := v.(*goja.Object); ok && vm.InstanceOf(o, rt.promise) {
		p, _ := o.Export().(*goja.Promise)
		switch p.State() {
		case goja.PromiseStateFulfilled:
			v = p.Result()
		case goja.PromiseStateRejected:
			return Outcome{}, &ExecutionError{fmt.Errorf("the handler's promise was rejected: %v", p.Result())}
		default:
			return Outcome{}, &ValidationError{"the handler's promise did not settle"}
		}
	}
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return Outcome{}, &ValidationError{"the handler returned nothing"}
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		return Outcome{}, &ValidationError{"the handler returned " + v.String() + ", not a request or response object"}
	}
	if isResponse(obj) {
		r, err := readResponse(obj, ev.Response)
		if err != nil {
			return Outcome{}, err
		}
		return Outcome{Response: r}, nil
	}
	if ev.EventType == "viewer-response" {
		return Outcome{}, &ValidationError{"a viewer response function must return a response object"}
	}
	r, err := readRequest(obj, &ev.Request)
	if err != nil {
		return Outcome{}, err
	}
	return Outcome{Request: r}, nil
}

func isResponse(o *goja.Object) bool {
	v := o.Get("statusCode")
	return v != nil && !goja.IsUndefined(v)
}

// fieldsObject builds a querystring, headers or cookies object.
func fieldsObject(vm *goja.Runtime, fields []Field, attrs bool) *goja.Object {
	o := vm.NewObject()
	for _, f := range fields {
		if len(f.Values) == 0 {
			continue
		}
		e := valueObject(vm, f.Values[0], attrs)
		if len(f.Values) > 1 {
			mv := make([]any, len(f.Values))
			for i, v := range f.Values {
				mv[i] = valueObject(vm, v, attrs)
			}
			e.Set("multiValue", vm.NewArray(mv...))
		}
		o.Set(f.Name, e)
	}
	return o
}

func valueObject(vm *goja.Runtime, v Value, attrs bool) *goja.Object {
	e := vm.NewObject()
	e.Set("value", v.Value)
	if attrs && v.Attributes != "" {
		e.Set("attributes", v.Attributes)
	}
	return e
}

func readRequest(o *goja.Object, orig *Request) (*Request, error) {
	r := &Request{Method: orig.Method}
	if m := str(o.Get("method")); m != "" && m != orig.Method {
		return nil, &ValidationError{"request.method is read-only"}
	}
	r.URI = str(o.Get("uri"))
	if !strings.HasPrefix(r.URI, "/") {
		return nil, &ValidationError{fmt.Sprintf("request.uri %q must begin with /", r.URI)}
	}
	var err error
	if r.Query, err = readFields(o.Get("querystring"), orig.Query, "querystring"); err != nil {
		return nil, err
	}
	if r.Headers, err = readFields(o.Get("headers"), orig.Headers, "headers"); err != nil {
		return nil, err
	}
	if r.Cookies, err = readFields(o.Get("cookies"), orig.Cookies, "cookies"); err != nil {
		return nil, err
	}
	return r, nil
}

func readResponse(o *goja.Object, orig *Response) (*Response, error) {
	r := &Response{}
	sv := o.Get("statusCode")
	n := sv.ToInteger()
	if n < 100 || n > 599 || sv.String() != fmt.Sprint(n) {
		return nil, &ValidationError{fmt.Sprintf("response.statusCode %s is not an HTTP status", sv.String())}
	}
	r.Status = int(n)
	r.StatusDescription = str(o.Get("statusDescription"))
	var oh, oc []Field
	if orig != nil {
		oh, oc = orig.Headers, orig.Cookies
	}
	var err error
	if r.Headers, err = readFields(o.Get("headers"), oh, "headers"); err != nil {
		return nil, err
	}
	if r.Cookies, err = readFields(o.Get("cookies"), oc, "cookies"); err != nil {
		return nil, err
	}
	if b := o.Get("body"); b != nil && !goja.IsUndefined(b) && !goja.IsNull(b) {
		r.HasBody = true
		if bo, ok := b.(*goja.Object); ok && bo.ClassName() == "Object" {
			data, enc := str(bo.Get("data")), str(bo.Get("encoding"))
			switch enc {
			case "", "text":
				r.Body = []byte(data)
			case "base64":
				d, err := decodeBase64(data)
				if err != nil {
					return nil, &ValidationError{"response.body.data is not valid base64"}
				}
				r.Body = d
			default:
				return nil, &ValidationError{fmt.Sprintf("response.body.encoding %q: want text or base64", enc)}
			}
		} else {
			r.Body = []byte(b.String())
		}
	}
	return r, nil
}

// readFields reads a querystring, headers or cookies object back, applying
// AWS's multiValue rules against the original: a changed multiValue array
// wins; otherwise value replaces the first value and the others stay.
func readFields(v goja.Value, orig []Field, what string) ([]Field, error) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil, nil
	}
	o, ok := v.(*goja.Object)
	if !ok {
		return nil, &ValidationError{what + " is not an object"}
	}
	byName := make(map[string][]Value, len(orig))
	for _, f := range orig {
		byName[f.Name] = f.Values
	}
	var out []Field
	for _, name := range o.Keys() {
		e, ok := o.Get(name).(*goja.Object)
		if !ok {
			return nil, &ValidationError{fmt.Sprintf("%s.%s is not an object with a value", what, name)}
		}
		if what == "headers" && name != strings.ToLower(name) {
			return nil, &ValidationError{fmt.Sprintf("header name %q must be lower-case", name)}
		}
		first := Value{Value: str(e.Get("value")), Attributes: str(e.Get("attributes"))}
		old := byName[name]
		var vals []Value
		if mv, ok := e.Get("multiValue").(*goja.Object); ok && mv.ClassName() == "Array" {
			for _, k := range mv.Keys() {
				item, ok := mv.Get(k).(*goja.Object)
				if !ok {
					return nil, &ValidationError{fmt.Sprintf("%s.%s.multiValue holds a non-object", what, name)}
				}
				vals = append(vals, Value{Value: str(item.Get("value")), Attributes: str(item.Get("attributes"))})
			}
		}
		switch {
		case vals != nil && !equalValues(vals, old):
			// The multiValue array was changed: it wins.
		case len(old) > 1:
			vals = append([]Value{first}, old[1:]...)
		default:
			vals = []Value{first}
		}
		out = append(out, Field{Name: name, Values: vals})
	}
	return out, nil
}

func equalValues(a, b []Value) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func str(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return ""
	}
	return v.String()
}
