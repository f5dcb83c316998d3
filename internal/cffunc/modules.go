package cffunc

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"net/url"
	"strings"
	"time"

	"github.com/dop251/goja"
)

// requireFunc is the require() CloudFront Functions code calls for its
// helper modules (functions-javascript-runtime-features): crypto (hashes
// and HMACs), querystring and cloudfront (the function's key value store,
// functions-custom-methods). Any other module is refused by name.
func requireFunc(vm *goja.Runtime, kvs *KeyValueStore) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		switch name := call.Argument(0).String(); name {
		case "crypto":
			return cryptoModule(vm)
		case "querystring":
			return querystringModule(vm)
		case "cloudfront":
			return cloudfrontModule(vm, kvs)
		default:
			panic(vm.NewGoError(errors.New("module " + name + " is not one CloudFront Functions provide")))
		}
	}
}

func newHash(vm *goja.Runtime, alg string) func() hash.Hash {
	switch strings.ToLower(alg) {
	case "md5":
		return md5.New
	case "sha1":
		return sha1.New
	case "sha256":
		return sha256.New
	}
	panic(vm.NewTypeError("crypto: digest algorithm " + alg + " is not one of md5, sha1, sha256"))
}

func cryptoModule(vm *goja.Runtime) goja.Value {
	m := vm.NewObject()
	wrap := func(h hash.Hash) *goja.Object {
		o := vm.NewObject()
		o.Set("update", func(call goja.FunctionCall) goja.Value {
			h.Write(bytesArg(vm, call.Argument(0), call.Argument(1)))
			return o
		})
		o.Set("digest", func(call goja.FunctionCall) goja.Value {
			sum := h.Sum(nil)
			switch enc := call.Argument(0); {
			case goja.IsUndefined(enc):
				return vm.ToValue(string(sum)) // binary string
			case enc.String() == "hex":
				return vm.ToValue(hex.EncodeToString(sum))
			case enc.String() == "base64":
				return vm.ToValue(base64.StdEncoding.EncodeToString(sum))
			case enc.String() == "base64url":
				return vm.ToValue(base64.RawURLEncoding.EncodeToString(sum))
			default:
				panic(vm.NewTypeError("crypto: digest encoding " + enc.String() + " is not one of hex, base64, base64url"))
			}
		})
		return o
	}
	m.Set("createHash", func(alg string) *goja.Object { return wrap(newHash(vm, alg)()) })
	m.Set("createHmac", func(call goja.FunctionCall) goja.Value {
		key := bytesArg(vm, call.Argument(1), goja.Undefined())
		return wrap(hmac.New(newHash(vm, call.Argument(0).String()), key))
	})
	return m
}

// bytesArg is a string argument's bytes, decoded when an encoding is named.
func bytesArg(vm *goja.Runtime, v, enc goja.Value) []byte {
	s := v.String()
	switch {
	case goja.IsUndefined(enc), enc.String() == "utf8", enc.String() == "utf-8":
		return []byte(s)
	case enc.String() == "hex":
		b, err := hex.DecodeString(s)
		if err != nil {
			panic(vm.NewTypeError("crypto: invalid hex input"))
		}
		return b
	case enc.String() == "base64":
		b, err := decodeBase64(s)
		if err != nil {
			panic(vm.NewTypeError("crypto: invalid base64 input"))
		}
		return b
	}
	panic(vm.NewTypeError("crypto: input encoding " + enc.String() + " is not one of utf8, hex, base64"))
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if b, err := base64.RawStdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawURLEncoding.DecodeString(s)
}

func querystringModule(vm *goja.Runtime) goja.Value {
	m := vm.NewObject()
	sepArgs := func(call goja.FunctionCall) (string, string) {
		sep, eq := "&", "="
		if a := call.Argument(1); !goja.IsUndefined(a) && !goja.IsNull(a) {
			sep = a.String()
		}
		if a := call.Argument(2); !goja.IsUndefined(a) && !goja.IsNull(a) {
			eq = a.String()
		}
		return sep, eq
	}
	unescape := func(s string) string {
		if u, err := url.QueryUnescape(s); err == nil {
			return u
		}
		return s
	}
	m.Set("parse", func(call goja.FunctionCall) goja.Value {
		sep, eq := sepArgs(call)
		out := vm.NewObject()
		for part := range strings.SplitSeq(call.Argument(0).String(), sep) {
			if part == "" {
				continue
			}
			k, v, _ := strings.Cut(part, eq)
			k, v = unescape(k), unescape(v)
			switch prev := out.Get(k); {
			case prev == nil || goja.IsUndefined(prev):
				out.Set(k, v)
			default:
				if arr, ok := prev.(*goja.Object); ok && arr.ClassName() == "Array" {
					arr.Set(arr.Get("length").String(), v)
				} else {
					out.Set(k, vm.NewArray(prev.Export(), v))
				}
			}
		}
		return out
	})
	m.Set("stringify", func(call goja.FunctionCall) goja.Value {
		sep, eq := sepArgs(call)
		o, ok := call.Argument(0).(*goja.Object)
		if !ok {
			return vm.ToValue("")
		}
		var parts []string
		for _, k := range o.Keys() {
			v := o.Get(k)
			if arr, ok := v.(*goja.Object); ok && arr.ClassName() == "Array" {
				for _, i := range arr.Keys() {
					parts = append(parts, escapeComponent(k)+eq+escapeComponent(arr.Get(i).String()))
				}
				continue
			}
			parts = append(parts, escapeComponent(k)+eq+escapeComponent(v.String()))
		}
		return vm.ToValue(strings.Join(parts, sep))
	})
	m.Set("escape", escapeComponent)
	m.Set("unescape", func(s string) string { return unescape(s) })
	return m
}

// escapeComponent percent-encodes as Node's querystring.escape does
// (encodeURIComponent): a space is %20, not +.
func escapeComponent(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// cloudfrontModule is the cloudfront module: kvs() returns the handle of
// the function's associated key value store, whose get, exists and meta
// answer with promises.
func cloudfrontModule(vm *goja.Runtime, kvs *KeyValueStore) goja.Value {
	m := vm.NewObject()
	m.Set("kvs", func(call goja.FunctionCall) goja.Value {
		if kvs == nil {
			panic(vm.NewGoError(errors.New("cf.kvs(): the function has no key value store associated (FunctionConfig.KeyValueStoreAssociations in its describe-function document, and an ID.kvs.json file of its keys)")))
		}
		if id := call.Argument(0); !goja.IsUndefined(id) && id.String() != kvs.ID {
			panic(vm.NewGoError(errors.New("cf.kvs(" + id.String() + "): the function's key value store is " + kvs.ID)))
		}
		h := vm.NewObject()
		settled := func(v any, err error) goja.Value {
			p, resolve, reject := vm.NewPromise()
			if err != nil {
				reject(vm.NewGoError(err))
			} else {
				resolve(v)
			}
			return vm.ToValue(p)
		}
		h.Set("get", func(call goja.FunctionCall) goja.Value {
			key := call.Argument(0).String()
			v, ok := kvs.Items[key]
			if !ok {
				return settled(nil, errors.New("key "+key+" not found"))
			}
			format := "string"
			if o, isObj := call.Argument(1).(*goja.Object); isObj {
				if f := o.Get("format"); f != nil && !goja.IsUndefined(f) {
					format = f.String()
				}
			}
			switch format {
			case "string":
				return settled(v, nil)
			case "json":
				parsed, err := vm.RunString("JSON.parse(" + strconvQuote(v) + ")")
				if err != nil {
					return settled(nil, errors.New("key "+key+": the value is not JSON"))
				}
				return settled(parsed, nil)
			case "bytes":
				return settled(vm.NewArrayBuffer([]byte(v)), nil)
			}
			return settled(nil, errors.New("format "+format+": want string, json or bytes"))
		})
		h.Set("exists", func(call goja.FunctionCall) goja.Value {
			_, ok := kvs.Items[call.Argument(0).String()]
			return settled(ok, nil)
		})
		h.Set("meta", func(goja.FunctionCall) goja.Value {
			meta := vm.NewObject()
			meta.Set("creationDateTime", kvs.Created.UTC().Format(time.RFC3339))
			meta.Set("lastUpdatedDateTime", kvs.Modified.UTC().Format(time.RFC3339))
			meta.Set("keyCount", len(kvs.Items))
			return settled(meta, nil)
		})
		return h
	})
	return m
}

// strconvQuote quotes s as a JavaScript string literal (JSON's quoting is
// valid JavaScript).
func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
