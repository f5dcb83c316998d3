package doctor

import (
	"encoding/json"
	"strconv"
)

// appendRequestJSON appends r as json.MarshalIndent(r, "    ", "  ")
// writes it, without reflection and without the second pass that indents:
// a long log's report lists up to --max-requests of them, and writing them
// through MarshalIndent cost a tenth of reading a million lines.
// TestRequestJSON holds the two to the same bytes.
func appendRequestJSON(b []byte, r *Request) []byte {
	const field = "\n      "
	b = append(b, '{')
	for _, kv := range [...]struct{ k, v string }{
		{"request_id", r.RequestID}, {"time", r.Time},
	} {
		b = appendJSONKey(b, field, kv.k)
		b = appendJSONString(b, kv.v)
		b = append(b, ',')
	}
	b = appendJSONKey(b, field, "status")
	b = strconv.AppendInt(b, int64(r.Status), 10)
	b = append(b, ',')
	for _, kv := range [...]struct{ k, v string }{
		{"method", r.Method}, {"host", r.Host}, {"path", r.Path}, {"distribution", r.Distribution},
		{"cause", r.Cause}, {"detail", r.Detail}, {"confidence", r.Confidence},
	} {
		b = appendJSONKey(b, field, kv.k)
		b = appendJSONString(b, kv.v)
		b = append(b, ',')
	}
	b = appendJSONKey(b, field, "candidates")
	b = appendJSONStrings(b, r.Candidates)
	b = append(b, ',')
	b = appendJSONKey(b, field, "evidence")
	b = appendJSONStrings(b, r.Evidence)
	return append(b, "\n    }"...)
}

func appendJSONKey(b []byte, indent, k string) []byte {
	b = append(b, indent...)
	b = append(b, '"')
	b = append(b, k...)
	return append(b, `": `...)
}

// appendJSONStrings appends a list as a field's value at appendRequestJSON's
// depth: null, [] or one element a line.
func appendJSONStrings(b []byte, list []string) []byte {
	switch {
	case list == nil:
		return append(b, "null"...)
	case len(list) == 0:
		return append(b, "[]"...)
	}
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n        "...)
		b = appendJSONString(b, s)
	}
	return append(b, "\n      ]"...)
}

// appendJSONString appends s quoted as encoding/json quotes it: strings of
// printable ASCII other than " \ < > & are copied; the rest go through
// json.Marshal, for its escapes.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
