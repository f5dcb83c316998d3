package accesslog

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// parseJSON reads a standard logging v2 JSON record: one flat object whose
// keys are field names and whose values are strings (numbers, booleans and
// null are taken as their text; null as "-"). Keys and values without
// escapes are substrings of s, so a typical line does not allocate.
func (r *Reader) parseJSON(s string) (*Line, error) {
	l := &r.line
	// Names of W3C lines belong to their #Fields header: JSON keys go to a
	// slice of their own.
	names, fields := r.jsonNames[:0], l.Fields[:0]
	p := jsonParser{s: s}
	p.ws()
	if !p.eat('{') {
		return nil, r.lineErr("JSON: want {")
	}
	p.ws()
	if !p.eat('}') {
		for {
			p.ws()
			k, ok := p.str()
			if !ok {
				return nil, r.lineErr("JSON: want a string key")
			}
			p.ws()
			if !p.eat(':') {
				return nil, r.lineErr("JSON: want :")
			}
			p.ws()
			v, ok := p.value()
			if !ok {
				return nil, r.lineErr("JSON: bad value for " + k)
			}
			names, fields = append(names, k), append(fields, v)
			p.ws()
			if p.eat('}') {
				break
			}
			if !p.eat(',') {
				return nil, r.lineErr("JSON: want , or }")
			}
		}
	}
	p.ws()
	if p.i != len(s) {
		return nil, r.lineErr("JSON: text after the object")
	}
	r.jsonNames = names
	l.Names, l.Fields, l.index, l.std, l.JSON = names, fields, nil, false, true
	l.Num, l.Text = r.num, s
	return l, nil
}

type jsonParser struct {
	s string
	i int
}

func (p *jsonParser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// value reads a string or a scalar; objects and arrays are refused, as
// CloudFront's records are flat.
func (p *jsonParser) value() (string, bool) {
	if p.i >= len(p.s) {
		return "", false
	}
	if p.s[p.i] == '"' {
		return p.str()
	}
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == ',' || c == '}' || c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			break
		}
		if c == '{' || c == '[' || c == '"' {
			return "", false
		}
		p.i++
	}
	v := p.s[start:p.i]
	switch {
	case v == "":
		return "", false
	case v == "null":
		return "-", true
	}
	return v, true
}

// str reads a JSON string.
func (p *jsonParser) str() (string, bool) {
	if !p.eat('"') {
		return "", false
	}
	start := p.i
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == '"':
			v := p.s[start:p.i]
			p.i++
			return v, true
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return "", false
		}
		p.i++
	}
	return "", false
}

// escaped finishes a string that has backslash escapes (RFC 8259 §7).
func (p *jsonParser) escaped(start int) (string, bool) {
	var b strings.Builder
	b.WriteString(p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), true
		case c < 0x20:
			return "", false
		case c != '\\':
			b.WriteByte(c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.s) {
			return "", false
		}
		e := p.s[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", false
			}
			if utf16.IsSurrogate(r) && strings.HasPrefix(p.s[p.i:], `\u`) {
				save := p.i
				p.i += 2
				if r2, ok := p.hex4(); ok && utf16.DecodeRune(r, r2) != utf8.RuneError {
					r = utf16.DecodeRune(r, r2)
				} else {
					p.i = save
				}
			}
			b.WriteRune(r) // a lone surrogate becomes U+FFFD
		default:
			return "", false
		}
	}
	return "", false
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(p.s[p.i : p.i+4]) {
		v, ok := unhex(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	p.i += 4
	return r, true
}
