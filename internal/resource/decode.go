package resource

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
)

// Error is one problem in one document, located by file and JSON path
// (for example "DistributionConfig.Origins.Items[0].DomainName").
type Error struct {
	File string
	Path string
	Msg  string
}

func (e *Error) Error() string {
	switch {
	case e.Path == "":
		return e.File + ": " + e.Msg
	case e.File == "":
		return e.Path + ": " + e.Msg
	}
	return e.File + ": " + e.Path + ": " + e.Msg
}

// parseTree turns JSON or YAML bytes into a generic tree of map[string]any,
// []any, string, json.Number, bool and nil. YAML is recognised by the file
// extension; JSON syntax errors carry line and column.
func parseTree(name string, data []byte) (any, error) {
	data, err := utf8Text(data)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml") {
		var v any
		if err := yaml.Unmarshal(data, &v); err != nil {
			return nil, fmt.Errorf("invalid YAML: %s", strings.TrimSpace(err.Error()))
		}
		return normalizeYAML(v), nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, jsonSyntaxError(data, err)
	}
	if dec.More() {
		return nil, errors.New("invalid JSON: more than one document in the file")
	}
	return v, nil
}

// utf8Text returns data as UTF-8 without a byte order mark. Windows
// PowerShell 5.1 saves `aws … > file.json` as UTF-16 LE with a BOM, and
// Out-File -Encoding utf8 as UTF-8 with one: both are what users on Windows
// have, and both are decoded here rather than refused as invalid JSON.
func utf8Text(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:], nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		le := data[0] == 0xFF
		data = data[2:]
		if len(data)%2 != 0 {
			return nil, errors.New("invalid UTF-16 text: odd number of bytes")
		}
		u := make([]uint16, len(data)/2)
		for i := range u {
			if le {
				u[i] = uint16(data[2*i]) | uint16(data[2*i+1])<<8
			} else {
				u[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
			}
		}
		return []byte(string(utf16.Decode(u))), nil
	}
	return data, nil
}

func jsonSyntaxError(data []byte, err error) error {
	var se *json.SyntaxError
	off := int64(-1)
	if errors.As(err, &se) {
		off = se.Offset
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		off = te.Offset
	}
	if off < 0 {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return errors.New("invalid JSON: unexpected end of file")
		}
		return fmt.Errorf("invalid JSON: %v", err)
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	col := int(off) - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Errorf("invalid JSON at line %d, column %d: %v", line, col, err)
}

// normalizeYAML converts the YAML decoder's numbers and maps into the same
// shapes the JSON path produces, so one walker serves both.
func normalizeYAML(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = normalizeYAML(e)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[fmt.Sprint(k)] = normalizeYAML(e)
		}
		return m
	case []any:
		for i, e := range t {
			t[i] = normalizeYAML(e)
		}
		return t
	case int, int64, uint64, int32, uint32:
		return json.Number(fmt.Sprint(t))
	case float64:
		return json.Number(strconv.FormatFloat(t, 'f', -1, 64))
	}
	return v
}

// decoder fills AWS SDK types from a generic tree, strictly: unknown fields,
// wrong types and enum values outside the SDK's Values() are errors, each
// with its JSON path. It collects every error instead of stopping at one.
type decoder struct {
	file  string
	errs  []error
	warns []string
}

func (d *decoder) fail(path, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Path: path, Msg: fmt.Sprintf(format, args...)})
}

var timeType = reflect.TypeFor[time.Time]()

func (d *decoder) decode(path string, src any, dst reflect.Value) {
	if src == nil {
		return // JSON null leaves the zero value, as the AWS CLI prints null for absent members
	}
	t := dst.Type()
	switch t.Kind() {
	case reflect.Pointer:
		if dst.IsNil() {
			dst.Set(reflect.New(t.Elem()))
		}
		d.decode(path, src, dst.Elem())
		return
	case reflect.Struct:
		if t == timeType {
			tm, err := parseTimestamp(src)
			if err != nil {
				d.fail(path, "%v", err)
				return
			}
			dst.Set(reflect.ValueOf(tm))
			return
		}
		m, ok := src.(map[string]any)
		if !ok {
			d.fail(path, "want an object, got %s", kindOf(src))
			return
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			f, ok := fieldByName(t, k)
			if !ok {
				// AWS adds members often; say which side may be behind.
				d.fail(join(path, k), "unknown field: %s has no such member in the AWS SDK openfront is built with (a misspelling, or a setting newer than this openfront)", t.Name())
				continue
			}
			d.decode(join(path, k), m[k], dst.FieldByIndex(f.Index))
		}
		return
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			// Blobs (WAF's SearchString, …) are base64 in AWS CLI output,
			// as in encoding/json.
			str, ok := src.(string)
			if !ok {
				d.fail(path, "want a base64 string, got %s", kindOf(src))
				return
			}
			b, err := base64.StdEncoding.DecodeString(str)
			if err != nil {
				// The console's JSON editor and many write-ups show the
				// plain text; say what the CLI would have printed.
				d.fail(path, "%q is not base64 (the AWS CLI prints blobs in base64; for the text %q write %q)", str, str, base64.StdEncoding.EncodeToString([]byte(str)))
				return
			}
			if isText(str) && !isText(string(b)) {
				// "POST" or "test" are valid base64 too: plain text from
				// the console would match other bytes without a word.
				d.warns = append(d.warns, (&Error{File: d.file, Path: path, Msg: fmt.Sprintf("%q is read as base64, as the AWS CLI prints blobs, and decodes to bytes that are not text; if it is meant as the text itself (as the console's JSON editor shows it), write %q", str, base64.StdEncoding.EncodeToString([]byte(str)))}).Error())
			}
			dst.SetBytes(b)
			return
		}
		a, ok := src.([]any)
		if !ok {
			d.fail(path, "want a list, got %s", kindOf(src))
			return
		}
		s := reflect.MakeSlice(t, len(a), len(a))
		for i, e := range a {
			d.decode(path+"["+strconv.Itoa(i)+"]", e, s.Index(i))
		}
		dst.Set(s)
		return
	case reflect.Map:
		m, ok := src.(map[string]any)
		if !ok || t.Key().Kind() != reflect.String {
			d.fail(path, "want an object, got %s", kindOf(src))
			return
		}
		out := reflect.MakeMapWithSize(t, len(m))
		for k, e := range m {
			v := reflect.New(t.Elem()).Elem()
			d.decode(join(path, k), e, v)
			out.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), v)
		}
		dst.Set(out)
		return
	case reflect.String:
		s, ok := src.(string)
		if !ok {
			d.fail(path, "want a string, got %s", kindOf(src))
			return
		}
		if vals := enumValues(dst); vals != nil && !slices.Contains(vals, s) {
			d.fail(path, "%q is not one of %s", s, strings.Join(vals, ", "))
			return
		}
		dst.SetString(s)
		return
	case reflect.Bool:
		b, ok := src.(bool)
		if !ok {
			d.fail(path, "want true or false, got %s", kindOf(src))
			return
		}
		dst.SetBool(b)
		return
	case reflect.Int32, reflect.Int64, reflect.Int:
		n, ok := src.(json.Number)
		if !ok {
			d.fail(path, "want an integer, got %s", kindOf(src))
			return
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil || (t.Kind() == reflect.Int32 && (i > math.MaxInt32 || i < math.MinInt32)) {
			d.fail(path, "%s is not a valid integer here", n)
			return
		}
		dst.SetInt(i)
		return
	case reflect.Float64, reflect.Float32:
		n, ok := src.(json.Number)
		if !ok {
			d.fail(path, "want a number, got %s", kindOf(src))
			return
		}
		f, err := n.Float64()
		if err != nil {
			d.fail(path, "%s is not a number", n)
			return
		}
		dst.SetFloat(f)
		return
	}
	d.fail(path, "openfront cannot read this field (Go type %s)", t)
}

// isText reports whether s is printable UTF-8 text (tabs and newlines
// allowed), as search strings almost always are.
func isText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
	}
	return true
}

// parseTimestamp reads a timestamp in each form real dumps carry it:
// RFC 3339 as the API sends it and AWS CLI v1 prints it
// (2015-08-31T21:11:29.093Z), AWS CLI v2's ISO 8601
// (2015-08-31T21:11:29.093000+00:00), Python's str() of a datetime, which
// boto3 dumps made with json.dumps(default=str) carry
// (2015-08-31 21:11:29.093000+00:00), and epoch seconds, which
// --cli-timestamp-format wire prints for JSON-protocol services.
func parseTimestamp(src any) (time.Time, error) {
	switch v := src.(type) {
	case json.Number:
		// Read the digits, not a float64, so milliseconds stay exact.
		whole, frac, _ := strings.Cut(string(v), ".")
		sec, err := strconv.ParseInt(whole, 10, 64)
		ns, ferr := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
		if err != nil || ferr != nil || sec < 0 || sec > 1e11 || len(frac) > 9 {
			return time.Time{}, fmt.Errorf("%s is not a timestamp in epoch seconds", v)
		}
		return time.Unix(sec, ns).UTC(), nil
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00"} {
			if tm, err := time.Parse(layout, v); err == nil {
				return tm, nil
			}
		}
		return time.Time{}, fmt.Errorf("%q is not a timestamp (want RFC 3339, such as 2015-08-31T21:11:29.093Z)", v)
	}
	return time.Time{}, fmt.Errorf("want a timestamp, got %s", kindOf(src))
}

// enumValues returns the allowed values of an SDK enum type (a string type
// with a Values method), sorted, or nil for plain strings.
func enumValues(v reflect.Value) []string {
	m := v.MethodByName("Values")
	if !m.IsValid() || m.Type().NumIn() != 0 || m.Type().NumOut() != 1 || m.Type().Out(0).Kind() != reflect.Slice {
		return nil
	}
	out := m.Call(nil)[0]
	vals := make([]string, out.Len())
	for i := range vals {
		vals[i] = out.Index(i).String()
	}
	slices.Sort(vals)
	return vals
}

// fieldByName finds an exported field by its AWS member name. The AWS CLI
// prints member names exactly as the SDK's Go field names; a case-insensitive
// match is accepted as encoding/json does.
func fieldByName(t reflect.Type, name string) (reflect.StructField, bool) {
	if f, ok := t.FieldByName(name); ok && f.IsExported() && !f.Anonymous {
		return f, true
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.IsExported() && !f.Anonymous && strings.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindOf(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}
