package edge

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
)

// Edge compression (ServingCompressedFiles): a behavior with Compress
// compresses an origin's answer for a viewer that accepts it, when the
// answer is 200, 403 or 404, says its length (1,000 to 10,000,000 bytes),
// is not already encoded and has a type CloudFront compresses. Brotli
// needs the cache policy's EnableAcceptEncodingBrotli (legacy cache
// settings never use it) and wins over Gzip when the viewer takes both.

const (
	compressMin = 1_000
	compressMax = 10_000_000
)

// encoding is a content coding the edge applies.
type encoding uint8

const (
	identity encoding = iota
	encGzip
	encBrotli
)

var encodingNames = [...][]string{encGzip: {"gzip"}, encBrotli: {"br"}}

// compressible are the media types CloudFront compresses
// (ServingCompressedFiles, "File types that CloudFront compresses").
var compressible = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range strings.Fields(`application/dash+xml application/eot application/font
		application/font-sfnt application/javascript application/json application/opentype application/otf
		application/pkcs7-mime application/protobuf application/rss+xml application/truetype application/ttf
		application/vnd.apple.mpegurl application/vnd.ms-fontobject application/xhtml+xml application/xml
		application/x-font-opentype application/x-font-truetype application/x-font-ttf application/x-httpd-cgi
		application/x-javascript application/x-mpegurl application/x-opentype application/x-otf application/x-perl
		application/x-ttf font/eot font/opentype font/otf font/ttf image/svg+xml text/css text/csv text/html
		text/javascript text/js text/plain text/richtext text/tab-separated-values text/xml text/x-component
		text/x-java-source text/x-script vnd.apple.mpegurl`) {
		m[t] = true
	}
	return m
}()

// compression chooses how the edge encodes the answer with status and
// header h for x's viewer under behavior b, identity when it leaves it
// alone.
func (x *exchange) compression(b *cacheBehavior, status int, h http.Header) encoding {
	if b == nil || !b.compress || x.r.Method == http.MethodOptions {
		return identity
	}
	if status != http.StatusOK && status != http.StatusForbidden && status != http.StatusNotFound {
		return identity
	}
	// HTTP/1.0 viewers get uncompressed content.
	if x.r.ProtoMajor == 1 && x.r.ProtoMinor == 0 {
		return identity
	}
	if _, ok := h["Content-Encoding"]; ok {
		return identity // whatever its value
	}
	cl := h["Content-Length"]
	if len(cl) != 1 {
		return identity
	}
	n, err := strconv.ParseInt(cl[0], 10, 64)
	if err != nil || n < compressMin || n > compressMax {
		return identity
	}
	ct := h["Content-Type"]
	if len(ct) == 0 || !compressible[mediaType(ct[0])] {
		return identity
	}
	gz, br := acceptedCodings(x.r.Header["Accept-Encoding"])
	switch {
	case br && b.brotli:
		return encBrotli
	case gz:
		return encGzip
	}
	return identity
}

// mediaType is a Content-Type's type/subtype, lower-cased, without
// parameters.
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	for i := 0; i < len(ct); i++ {
		if 'A' <= ct[i] && ct[i] <= 'Z' {
			return strings.ToLower(ct)
		}
	}
	return ct
}

// acceptedCodings reports whether Accept-Encoding values accept gzip and
// br: named, and without q=0.
func acceptedCodings(values []string) (gz, br bool) {
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			name = strings.TrimSpace(name)
			isGz, isBr := strings.EqualFold(name, "gzip"), strings.EqualFold(name, "br")
			if !isGz && !isBr || refused(params) {
				continue
			}
			gz, br = gz || isGz, br || isBr
		}
	}
	return gz, br
}

// refused reports a q parameter of zero ("q=0", "q=0.0", "q=0.000").
func refused(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		v = strings.TrimSpace(v)
		return v == "0" || strings.HasPrefix(v, "0.") && strings.Trim(v[2:], "0") == ""
	}
	return false
}

// encodeHeader turns the answer's header into the compressed one's: the
// coding named, no length (the body is streamed as it is compressed), a
// strong ETag made weak and an invalid one dropped (ServingCompressedFiles,
// "ETag header conversion"), and Accept-Encoding among the Vary names.
func encodeHeader(h http.Header, enc encoding) {
	h["Content-Encoding"] = encodingNames[enc]
	delete(h, "Content-Length")
	if et := h["Etag"]; len(et) > 0 {
		switch v := et[0]; {
		case strings.HasPrefix(v, "W/"):
		case strings.HasPrefix(v, `"`):
			h["Etag"] = []string{"W/" + v}
		default:
			delete(h, "Etag")
		}
	}
	addVary(h, "Accept-Encoding")
}

// Compression levels: an edge compresses on the fly, per request, so both
// favour speed (Gzip's default level; Brotli quality 4 compresses about as
// well as Gzip 9 at Gzip 6's speed).
const brotliQuality = 4

var (
	gzipWriters   = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}
	brotliWriters = sync.Pool{New: func() any { return brotli.NewWriterLevel(nil, brotliQuality) }}
)

// copyCompressed streams body to w through the encoder. Compressed bytes
// go out as the encoder completes blocks: flushing each read would cost
// ratio for bodies the origin sends in small pieces.
func copyCompressed(w io.Writer, body io.Reader, enc encoding) error {
	var zw io.WriteCloser
	switch enc {
	case encGzip:
		g := gzipWriters.Get().(*gzip.Writer)
		g.Reset(w)
		defer gzipWriters.Put(g)
		zw = g
	case encBrotli:
		b := brotliWriters.Get().(*brotli.Writer)
		b.Reset(w)
		defer brotliWriters.Put(b)
		zw = b
	}
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	buf := *bp
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			if _, err := zw.Write(buf[:n]); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			return zw.Close()
		}
		if rerr != nil {
			return rerr
		}
	}
}
