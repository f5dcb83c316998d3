package waf

import (
	"crypto/md5"
	"crypto/sha256"
	"strings"
	"testing"
)

// Each case is an evasion that only the transformation undoes: the raw
// input does not equal want, the transformed input does.
var transformCases = []struct {
	typ, in, want string
}{
	{"NONE", "abc", "abc"},
	{"COMPRESS_WHITE_SPACE", "union\t\n  \xa0select", "union select"},
	{"HTML_ENTITY_DECODE", "&lt;script&gt;&#x61;&#98;&quot;&amp;&nbsp", "<script>ab\"&\xa0"},
	{"LOWERCASE", "SeLeCt", "select"},
	{"UPPERCASE", "SeLeCt", "SELECT"},
	{"CMD_LINE", "C:\\>W\"h\"o^AMI  ,;/all (x)", "c:>whoami/all(x)"},
	{"URL_DECODE", "%3Cscript%3E+x%zz", "<script> x%zz"},
	{"URL_DECODE_UNI", "%u003Cscript%uFF1E", "<script>"},
	{"BASE64_DECODE", "PHNjcmlwdD4=", "<script>"},
	{"BASE64_DECODE_EXT", "PHNj.cmlw\ndD4", "<script>"},
	{"HEX_DECODE", "3c7363726970743e", "<script>"},
	{"MD5", "secret", string(md5Of("secret"))},
	{"SHA256", "secret", string(sha256Of("secret"))},
	{"REPLACE_COMMENTS", "un/**/ion/*x*/select */ /*open", "un ion select */  "},
	{"REMOVE_COMMENTS_CHAR", "un/**/ion--#select", "unionselect"},
	{"ESCAPE_SEQ_DECODE", "\\x3cscript\\076\\n\\q", "<script>\n\\q"},
	{"SQL_HEX_DECODE", "select 0x414243", "select ABC"},
	{"CSS_DECODE", "\\6a avascript\\3a \\ff1e\\(", "javascript:>("},
	{"JS_DECODE", "\\u003cscript\\x3e\\74\\'", "<script><'"},
	{"NORMALIZE_PATH", "/a//b/./c/../../etc/passwd", "/a/etc/passwd"},
	{"NORMALIZE_PATH_WIN", "\\a\\..\\etc\\.\\passwd", "/etc/passwd"},
	{"REMOVE_NULLS", "sel\x00ect", "select"},
	{"REPLACE_NULLS", "a\x00b", "a b"},
	{"REMOVE_WHITESPACE", "s e\tl\xa0ect", "select"},
	{"TRIM", " \tselect\n ", "select"},
	{"TRIM_LEFT", " \tselect ", "select "},
	{"TRIM_RIGHT", " select \t", " select"},
	{"UTF8_TO_UNICODE", "a\u00e9\u4e2d", "a%u00e9%u4e2d"},
}

func md5Of(s string) []byte    { h := md5.Sum([]byte(s)); return h[:] }
func sha256Of(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

func TestTransformations(t *testing.T) {
	for _, tc := range transformCases {
		t.Run(tc.typ, func(t *testing.T) {
			got, err := ApplyTransformation(tc.typ, []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestTransformationEvasions checks the full path: a ByteMatch EXACTLY on
// a header that misses the raw value and matches once transformed.
func TestTransformationEvasions(t *testing.T) {
	for _, tc := range transformCases {
		if tc.typ == "NONE" {
			continue
		}
		t.Run(tc.typ, func(t *testing.T) {
			field := `{"SingleHeader":{"Name":"x-probe"}}`
			plain := mustCompile(t, aclJSON("["+ruleJSON("r", 0, byteMatch(tc.want, field, "EXACTLY"), `{"Block":{}}`)+"]"), Resources{})
			tx := mustCompile(t, aclJSON("["+ruleJSON("r", 0, byteMatch(tc.want, field, "EXACTLY", tc.typ), `{"Block":{}}`)+"]"), Resources{})
			r := get("/", "", "X-Probe", tc.in)
			if got := plain.Evaluate(r, t0).Action; got != "ALLOW" {
				t.Errorf("without %s: got %v, want %v", tc.typ, got, "ALLOW")
			}
			if got := tx.Evaluate(r, t0).Action; got != "BLOCK" {
				t.Errorf("with %s: got %v, want %v", tc.typ, got, "BLOCK")
			}
		})
	}
}

func TestTransformationChainOrder(t *testing.T) {
	// URL_DECODE then LOWERCASE vs BASE64 first: priorities decide, not
	// list order.
	doc := aclJSON("[" + ruleJSON("r", 0, `{"ByteMatchStatement":{"SearchString":"`+b64s("<script>")+`","FieldToMatch":{"QueryString":{}},"PositionalConstraint":"EXACTLY","TextTransformations":[{"Priority":5,"Type":"LOWERCASE"},{"Priority":1,"Type":"URL_DECODE"}]}}`, `{"Block":{}}`) + "]")
	a := mustCompile(t, doc, Resources{})
	if got := a.Evaluate(get("/", "%3CSCRIPT%3E"), t0).Action; got != "BLOCK" {
		t.Errorf("got %v, want %v", got, "BLOCK")
	}
}

func TestTransformUnchangedNoAlloc(t *testing.T) {
	// A transformation that leaves its input alone must not copy it.
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	for _, in := range []string{"/index.html?page=2&sort=asc", "plain words", "/API/V2"} {
		for typ, fn := range transforms {
			if fn == nil {
				continue
			}
			if _, changed := fn(nil, []byte(in)); changed {
				continue
			}
			b := []byte(in)
			if n := testing.AllocsPerRun(100, func() { fn(nil, b) }); n != 0 {
				t.Errorf("%s(%q): got %v allocs, want 0", typ, in, n)
			}
		}
	}
}

// TestUndocumentedTransformsRefused pins the refusal of the AWS types whose
// behaviour the AWS WAF developer guide does not describe (CMD_LINE_WIN,
// CMD_LINE_UNIX, JS_DECODE_EXT): they must fail compilation by name and
// never reach the transformation table, so a rule is never evaluated with
// guessed semantics.
func TestUndocumentedTransformsRefused(t *testing.T) {
	for _, typ := range []string{"CMD_LINE_WIN", "CMD_LINE_UNIX", "JS_DECODE_EXT"} {
		t.Run(typ, func(t *testing.T) {
			if !unsupportedTransforms[typ] {
				t.Errorf("%s is not in unsupportedTransforms", typ)
			}
			if _, ok := transforms[typ]; ok {
				t.Errorf("%s is in the transformation table", typ)
			}
			if _, err := ApplyTransformation(typ, []byte("x")); err == nil {
				t.Errorf("ApplyTransformation(%s): got nil error", typ)
			}
			doc := aclJSON("[" + ruleJSON("r", 0, byteMatch("x", `{"UriPath":{}}`, "EXACTLY", typ), `{"Block":{}}`) + "]")
			_, err := Compile(decodeACL(t, doc), Resources{})
			want := "text transformation " + typ + " is not supported by this edge"
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("got %v, want it to contain %q", err, want)
			}
		})
	}
}
