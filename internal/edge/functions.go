package edge

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/openfront-edge/openfront/internal/cause"
	"github.com/openfront-edge/openfront/internal/cffunc"
)

// CloudFront Functions (functions-event-structure). A viewer-request
// function runs after every edge check (spec §12, step 9) and either hands
// back the request to forward — its URI, query, headers and cookies
// replacing the viewer's for the origin, under the same cache behavior —
// or answers itself. A viewer-response function runs on an origin answer
// below 400 and may change its status, headers, cookies and body. The log
// keeps what the viewer sent.

var xCacheFunction = []string{"FunctionGeneratedResponse from cloudfront"}

// Function failures answer 503 (FunctionExecutionError,
// FunctionValidationError: CloudWatch's FunctionExecutionErrors and
// FunctionValidationErrors).
var (
	denyFunctionExecution = Denial{Cause: cause.Unknown, Detail: cause.DetailEdgeFunction, Status: 503,
		Sentence: "The CloudFront function associated with the CloudFront distribution failed to run.", Detailed: "FunctionExecutionError"}
	denyFunctionValidation = Denial{Cause: cause.Unknown, Detail: cause.DetailEdgeFunction, Status: 503,
		Sentence: "The CloudFront function associated with the CloudFront distribution returned an invalid value.", Detailed: "FunctionValidationError"}
)

// viewerRequestFunction runs the behavior's viewer-request function and
// reports whether it answered (the request is then done).
func (s *Server) viewerRequestFunction(x *exchange, f *cffunc.Function) bool {
	ev := cffunc.Event{
		EventType: "viewer-request", DistributionDomainName: x.dist.domain, DistributionID: x.dist.id,
		RequestID: x.id, ViewerIP: x.viewer.Addr().String(), Request: requestEvent(x),
	}
	out, err := f.Run(&ev)
	if err != nil {
		s.functionFailed(x, f, err)
		return true
	}
	if out.Response != nil {
		s.writeFunctionResponse(x, out.Response)
		return true
	}
	applyRequest(x, out.Request)
	return false
}

func (s *Server) functionFailed(x *exchange, f *cffunc.Function, err error) {
	s.opts.Logger.Warn("CloudFront Function failed", "distribution", x.dist.id, "function", f.Name, "err", err, "request_id", x.id)
	var ve *cffunc.ValidationError
	if errors.As(err, &ve) {
		s.deny(x, &denyFunctionValidation)
		return
	}
	s.deny(x, &denyFunctionExecution)
}

// requestEvent is the event's request object for x: the viewer's method,
// path as sent, query parameters (values as sent, not decoded), headers
// with lower-case names (Cookie apart) and cookies.
func requestEvent(x *exchange) cffunc.Request {
	r := x.r
	ev := cffunc.Request{Method: r.Method, URI: r.URL.EscapedPath()}
	if q := r.URL.RawQuery; q != "" {
		for part := range strings.SplitSeq(q, "&") {
			if part == "" {
				continue
			}
			name, value, _ := strings.Cut(part, "=")
			ev.Query = addField(ev.Query, name, cffunc.Value{Value: value})
		}
	}
	ev.Headers = addField(ev.Headers, "host", cffunc.Value{Value: r.Host})
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		if k != "Cookie" && k != "Host" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		lk := strings.ToLower(k)
		for _, v := range r.Header[k] {
			ev.Headers = addField(ev.Headers, lk, cffunc.Value{Value: v})
		}
	}
	for _, line := range r.Header["Cookie"] {
		for c := range strings.SplitSeq(line, ";") {
			if c = strings.TrimSpace(c); c == "" {
				continue
			}
			name, value, _ := strings.Cut(c, "=")
			ev.Cookies = addField(ev.Cookies, name, cffunc.Value{Value: value})
		}
	}
	return ev
}

// addField appends v to the field called name, adding the field if new.
func addField(fs []cffunc.Field, name string, v cffunc.Value) []cffunc.Field {
	for i := range fs {
		if fs[i].Name == name {
			fs[i].Values = append(fs[i].Values, v)
			return fs
		}
	}
	return append(fs, cffunc.Field{Name: name, Values: []cffunc.Value{v}})
}

// applyRequest makes the function's request the one the origin gets. The
// viewer's own (x.r's RequestURI, query and headers) stays for the log.
func applyRequest(x *exchange, fr *cffunc.Request) {
	u := *x.r.URL
	if fr.URI != u.EscapedPath() {
		u.Path, u.RawPath = fr.URI, fr.URI
		if p, err := url.PathUnescape(fr.URI); err == nil {
			u.Path = p
		}
	}
	u.RawQuery = joinFields(fr.Query, "&", true)
	x.originQuery, x.signedChecked = u.RawQuery, true
	r := new(http.Request)
	*r = *x.r
	r.URL = &u
	r.Header = make(http.Header, len(fr.Headers)+1)
	for _, f := range fr.Headers {
		if f.Name == "host" {
			r.Host = f.Values[0].Value
			continue
		}
		k := http.CanonicalHeaderKey(f.Name)
		for _, v := range f.Values {
			r.Header[k] = append(r.Header[k], v.Value)
		}
	}
	if len(fr.Cookies) > 0 {
		r.Header["Cookie"] = []string{joinFields(fr.Cookies, "; ", false)}
	}
	x.fnReq = r
}

// joinFields writes fields back as a query string or Cookie header:
// name=value pairs joined by sep; bareEmpty writes an empty query value as
// the name alone.
func joinFields(fields []cffunc.Field, sep string, bareEmpty bool) string {
	var b strings.Builder
	for _, f := range fields {
		for _, v := range f.Values {
			if b.Len() > 0 {
				b.WriteString(sep)
			}
			b.WriteString(f.Name)
			if v.Value != "" || !bareEmpty {
				b.WriteByte('=')
				b.WriteString(v.Value)
			}
		}
	}
	return b.String()
}

// writeFunctionResponse answers with what a viewer-request function
// generated: X-Cache FunctionGeneratedResponse, Server: CloudFront unless
// the function named one.
func (s *Server) writeFunctionResponse(x *exchange, fr *cffunc.Response) {
	x.resultType, x.detailed = "FunctionGeneratedResponse", "FunctionGeneratedResponse"
	h := x.w.Header()
	h["Server"] = serverCloudFront
	h["Content-Type"] = nil // only what the function says, never a sniffed type
	setResponseFields(h, fr)
	h["Content-Length"] = []string{strconv.Itoa(len(fr.Body))}
	s.cloudFrontHeaders(x, h, xCacheFunction)
	x.w.WriteHeader(fr.Status)
	if x.r.Method != http.MethodHead && len(fr.Body) > 0 {
		x.w.Write(fr.Body)
	}
}

// setResponseFields writes a function response's headers and cookies.
func setResponseFields(h http.Header, fr *cffunc.Response) {
	for _, f := range fr.Headers {
		k := http.CanonicalHeaderKey(f.Name)
		vs := make([]string, len(f.Values))
		for i, v := range f.Values {
			vs[i] = v.Value
		}
		h[k] = vs
	}
	if len(fr.Cookies) > 0 {
		var sc []string
		for _, f := range fr.Cookies {
			for _, v := range f.Values {
				c := f.Name + "=" + v.Value
				if v.Attributes != "" {
					c += "; " + v.Attributes
				}
				sc = append(sc, c)
			}
		}
		h["Set-Cookie"] = sc
	}
}

// viewerResponseFunction runs f on an answer (its status and header h,
// changed in place) before it is written, from the origin or the cache. It
// returns the body to send instead (replace), and false when the function
// failed (the viewer then got CloudFront's 503).
func (s *Server) viewerResponseFunction(x *exchange, f *cffunc.Function, status *int, h http.Header) (body []byte, replace, ok bool) {
	ev := cffunc.Event{
		EventType: "viewer-response", DistributionDomainName: x.dist.domain, DistributionID: x.dist.id,
		RequestID: x.id, ViewerIP: x.viewer.Addr().String(), Request: requestEvent(x),
		Response: responseEvent(*status, h),
	}
	out, err := f.Run(&ev)
	if err == nil && out.Response == nil {
		err = &cffunc.ValidationError{Msg: "a viewer response function must return a response object"}
	}
	if err != nil {
		clear(h)
		s.functionFailed(x, f, err)
		return nil, false, false
	}
	fr := out.Response
	*status = fr.Status
	for k := range h {
		if !cloudFrontOwn(k) {
			delete(h, k)
		}
	}
	setResponseFields(h, fr)
	if fr.HasBody {
		h["Content-Length"] = []string{strconv.Itoa(len(fr.Body))}
		return fr.Body, true, true
	}
	return nil, false, true
}

// cloudFrontOwn reports the headers the edge puts on every answer
// (cloudFrontHeaders): a viewer-response function neither sees nor removes
// them, and a cached object does not keep them.
func cloudFrontOwn(k string) bool {
	switch k {
	case "Via", "X-Cache", "X-Amz-Cf-Pop", "X-Amz-Cf-Id":
		return true
	}
	return false
}

// responseEvent is the event's response object for an origin answer.
func responseEvent(status int, h http.Header) *cffunc.Response {
	r := &cffunc.Response{Status: status, StatusDescription: http.StatusText(status)}
	names := make([]string, 0, len(h))
	for k := range h {
		if k != "Set-Cookie" && !cloudFrontOwn(k) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		lk := strings.ToLower(k)
		for _, v := range h[k] {
			r.Headers = addField(r.Headers, lk, cffunc.Value{Value: v})
		}
	}
	for _, line := range h["Set-Cookie"] {
		nv, attrs, _ := strings.Cut(line, ";")
		name, value, _ := strings.Cut(strings.TrimSpace(nv), "=")
		r.Cookies = addField(r.Cookies, name, cffunc.Value{Value: value, Attributes: strings.TrimSpace(attrs)})
	}
	return r
}
