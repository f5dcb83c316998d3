package waf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// jsonSpec is a compiled JsonBody field.
type jsonSpec struct {
	all      bool
	paths    []string // JSON pointers (RFC 6901)
	fallback string   // MATCH | NO_MATCH | EVALUATE_AS_STRING | "" (evaluate up to the first parsing failure)
}

func compileJSONField(path string, j *types.JsonBody) (*field, error) {
	f := &field{kind: fJSONBody, location: "JSON_BODY", json: &jsonSpec{}}
	var errs []error
	switch {
	case j.MatchPattern == nil || (j.MatchPattern.All == nil) == (j.MatchPattern.IncludedPaths == nil):
		errs = append(errs, fmt.Errorf("%s.MatchPattern: exactly one of All, IncludedPaths is required", path))
	case j.MatchPattern.All != nil:
		f.json.all = true
	default:
		for i, p := range j.MatchPattern.IncludedPaths {
			if p != "" && !strings.HasPrefix(p, "/") {
				errs = append(errs, fmt.Errorf("%s.MatchPattern.IncludedPaths[%d]: %q is not a JSON pointer", path, i, p))
			}
		}
		f.json.paths = j.MatchPattern.IncludedPaths
	}
	switch j.MatchScope {
	case "ALL":
		f.scope = scopeAll
	case "KEY":
		f.scope = scopeKey
	case "VALUE":
		f.scope = scopeValue
	default:
		errs = append(errs, fmt.Errorf("%s.MatchScope: must be ALL, KEY or VALUE, got %q", path, j.MatchScope))
	}
	switch j.InvalidFallbackBehavior {
	case "", "MATCH", "NO_MATCH", "EVALUATE_AS_STRING":
		f.json.fallback = string(j.InvalidFallbackBehavior)
	default:
		errs = append(errs, fmt.Errorf("%s.InvalidFallbackBehavior: unknown value %q", path, j.InvalidFallbackBehavior))
	}
	var err error
	if f.oversize, err = oversize(path+".OversizeHandling", j.OversizeHandling); err != nil {
		errs = append(errs, err)
	}
	return f, joinErrs(errs)
}

func (j *jsonSpec) included(ptr string) bool {
	if j.all {
		return true
	}
	for _, p := range j.paths {
		if p == "" || ptr == p || strings.HasPrefix(ptr, p+"/") {
			return true
		}
	}
	return false
}

type jsonFrame struct {
	obj     bool
	wantKey bool
	key     string
	idx     int
}

// eachJSON streams the body's tokens, calling fn with the keys and/or values
// under the included paths (AWS applies transformations after parsing).
func (f *field) eachJSON(c *evalCtx, fn func(v []byte) bool) bool {
	body, over := c.bodyPrefix()
	if over {
		c.oversize("REQUEST_JSON_BODY")
		switch f.oversize {
		case ovMatch:
			return true
		case ovNoMatch:
			return false
		}
	}
	j := f.json
	if j.fallback != "" && !json.Valid(body) {
		switch j.fallback {
		case "MATCH":
			return true
		case "NO_MATCH":
			return false
		}
		return fn(body)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []jsonFrame
	pointer := func(last string) string {
		var b strings.Builder
		for _, fr := range stack[:len(stack)-1] {
			b.WriteByte('/')
			b.WriteString(fr.key)
		}
		b.WriteByte('/')
		b.WriteString(last)
		return b.String()
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			// io.EOF ends a valid document; any other error is the first
			// parsing failure, where AWS stops evaluating.
			return false
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			advance(stack)
			continue
		}
		var top *jsonFrame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		if top != nil && top.obj && top.wantKey {
			k := tok.(string)
			top.key, top.wantKey = escapePtr(k), false
			if f.scope != scopeValue && j.included(pointer(top.key)) && fn([]byte(k)) {
				return true
			}
			continue
		}
		if top != nil && !top.obj {
			top.key = strconv.Itoa(top.idx)
		}
		ptr := ""
		if top != nil {
			ptr = pointer(top.key)
		}
		switch v := tok.(type) {
		case json.Delim:
			stack = append(stack, jsonFrame{obj: v == '{', wantKey: v == '{'})
			continue
		case string:
			if f.scope != scopeKey && j.included(ptr) && fn([]byte(v)) {
				return true
			}
		case json.Number:
			if f.scope != scopeKey && j.included(ptr) && fn([]byte(v)) {
				return true
			}
		case bool:
			if f.scope != scopeKey && j.included(ptr) && fn([]byte(strconv.FormatBool(v))) {
				return true
			}
		case nil:
			if f.scope != scopeKey && j.included(ptr) && fn([]byte("null")) {
				return true
			}
		}
		advance(stack)
	}
}

// advance moves the innermost container past one complete value.
func advance(stack []jsonFrame) {
	if len(stack) == 0 {
		return
	}
	top := &stack[len(stack)-1]
	if top.obj {
		top.wantKey = true
	} else {
		top.idx++
	}
}

func escapePtr(k string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
}
