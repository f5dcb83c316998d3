package accesslog

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	// klauspost's gzip writes the same format at about twice the stdlib's speed.
	"github.com/klauspost/compress/gzip"
)

// memberSize is the amount of uncompressed data after which a file's gzip
// member is finished without waiting for the next flush. It bounds the
// memory held per open file; 256 KiB members compress within a few percent
// of one long stream.
const memberSize = 256 << 10

// errLogEvery limits how often file errors reach the operational log.
const errLogEvery = 10 * time.Second

// run is the goroutine that owns the files.
func (w *Writer) run(fs *fileSet) {
	defer close(w.exited)
	tick := time.NewTicker(w.opts.FlushEvery)
	defer tick.Stop()
	spare := &batch{ents: make([]entry, 0, min(w.opts.Buffer, 1024))}
	drain := func() {
		b := w.take(spare)
		fs.write(b)
		clear(b.ents) // drop the references to callers' prefix and key strings
		// Give a burst's memory back once traffic has been low for a while
		// (64 drains, about a minute at the default FlushEvery).
		if b.quiet++; len(b.buf) >= cap(b.buf)/8 {
			b.quiet = 0
		}
		if b.quiet > 64 && cap(b.buf) > 8<<20 {
			b.buf, b.quiet = nil, 0
		}
		b.ents, b.buf = b.ents[:0], b.buf[:0]
		spare = b
	}
	for {
		select {
		case <-w.kick:
			drain()
		case <-tick.C:
			drain()
			fs.flush()
			fs.closeStale()
		case reply := <-w.flushes:
			drain()
			fs.flush()
			reply <- fs.takeErr()
		case <-w.done:
			drain()
			fs.closeAll()
			w.err = fs.takeErr()
			return
		}
	}
}

// fileKey names one output file: a stream and an hour.
type fileKey struct {
	prefix, key string
	hour        int64
}

// file is one open log file.
type file struct {
	f       *os.File // nil when opening failed: records are dropped until the next tick
	path    string
	hour    int64
	size    int64  // bytes of complete gzip members on disk
	pending []byte // uncompressed lines not yet in a member
	lines   int    // lines in pending
	active  bool   // written since the last tick
}

// fileSet is the state of the goroutine that owns the files.
type fileSet struct {
	dir   string
	json  bool
	now   func() time.Time
	log   *slog.Logger
	errs  *atomic.Uint64 // Writer.Errors
	lost  *atomic.Uint64 // Writer.Dropped
	nopen *atomic.Int64  // open files, for tests
	files map[fileKey]*file
	last  *file
	lastK fileKey
	gz    *gzip.Writer
	out   bytes.Buffer
	err   error // first error since takeErr

	lastLog    time.Time
	suppressed int
}

func newFileSet(o Options) (*fileSet, error) {
	if err := os.MkdirAll(o.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("accesslog: Dir: %w", err)
	}
	// One compressor serves every file: each member is compressed in one go.
	// BestSpeed compresses about twice as fast as the default level (about
	// 190 MB/s on one core) and real logs still shrink about 5x.
	gz, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return &fileSet{
		dir:   o.Dir,
		json:  o.Format == FormatJSON,
		now:   o.Now,
		log:   o.Logger,
		files: make(map[fileKey]*file),
		gz:    gz,
	}, nil
}

// write appends the records of b to their files.
func (fs *fileSet) write(b *batch) {
	start := 0
	for _, e := range b.ents {
		line := b.buf[start:e.end]
		start = e.end
		k := fileKey{e.prefix, e.key, e.hour}
		f := fs.last
		if f == nil || k != fs.lastK {
			f = fs.files[k]
			if f == nil {
				f = fs.open(k)
				fs.files[k] = f
			}
			fs.last, fs.lastK = f, k
		}
		if f.f == nil {
			fs.lost.Add(1)
			continue
		}
		f.pending = append(f.pending, line...)
		f.lines++
		f.active = true
		if len(f.pending) >= memberSize {
			fs.writeMember(f)
		}
	}
}

// open creates the file for k. On failure it returns a file with a nil
// *os.File, which drops records until the next tick retries.
func (fs *fileSet) open(k fileKey) *file {
	f := &file{hour: k.hour}
	name, err := fileBase(k)
	if err == nil {
		name = filepath.Join(fs.dir, filepath.FromSlash(name))
		err = os.MkdirAll(filepath.Dir(name), 0o750)
	}
	for try := 0; err == nil; try++ {
		f.path = name + "." + uniqueID() + ".gz"
		f.f, err = os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
		if errors.Is(err, os.ErrExist) && try < 10 {
			err = nil
			continue
		}
		break
	}
	if err != nil {
		f.f = nil
		fs.fail(fmt.Errorf("accesslog: create log file: %w", err), 0)
		return f
	}
	fs.nopen.Add(1)
	if !fs.json {
		f.pending = append(f.pending, Header...)
	}
	return f
}

// fileBase returns "<prefix><key>.YYYY-MM-DD-HH" relative to Dir, after
// adding the missing "/" to prefix (AccessLogs.md), or an error when the
// name would leave Dir.
func fileBase(k fileKey) (string, error) {
	prefix := strings.TrimLeft(k.prefix, "/")
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	if k.key == "" || strings.ContainsAny(k.key, `/\`) {
		return "", fmt.Errorf("accesslog: invalid log key %q", k.key)
	}
	base := prefix + k.key + "." + time.Unix(k.hour*3600, 0).UTC().Format("2006-01-02-15")
	if !filepath.IsLocal(filepath.FromSlash(base)) {
		return "", fmt.Errorf("accesslog: log prefix %q leaves the log folder", k.prefix)
	}
	return base, nil
}

// uniqueID returns 8 random uppercase letters and digits.
func uniqueID() string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var b [8]byte
	for i := range b {
		b[i] = alnum[rand.IntN(len(alnum))]
	}
	return string(b[:])
}

// writeMember compresses f.pending into one gzip member and appends it to
// the file with a single write.
func (fs *fileSet) writeMember(f *file) {
	if len(f.pending) == 0 || f.f == nil {
		return
	}
	fs.out.Reset()
	fs.gz.Reset(&fs.out)
	fs.gz.Write(f.pending) // writes to a bytes.Buffer cannot fail
	fs.gz.Close()
	n, err := f.f.Write(fs.out.Bytes())
	if err != nil {
		// Cut the partial member so the file stays valid gzip up to here.
		if n > 0 {
			f.f.Truncate(f.size)
		}
		fs.lost.Add(uint64(f.lines))
		fs.fail(fmt.Errorf("accesslog: write %s: %w", f.path, err), f.lines)
		f.f.Close()
		f.f = nil
		fs.nopen.Add(-1)
	} else {
		f.size += int64(n)
	}
	f.pending, f.lines = f.pending[:0], 0
}

// flush finishes the gzip member of every file with pending lines.
func (fs *fileSet) flush() {
	for _, f := range fs.files {
		fs.writeMember(f)
	}
}

// closeStale closes the files that got no record since the last tick and
// whose hour is over, and forgets failed files so that they are retried.
func (fs *fileSet) closeStale() {
	now := fs.now().Unix()
	for k, f := range fs.files {
		if f.f == nil || (!f.active && (f.hour+1)*3600 <= now) {
			fs.closeFile(f)
			delete(fs.files, k)
		}
		f.active = false
	}
	fs.last = nil
}

// closeAll finishes and closes every file.
func (fs *fileSet) closeAll() {
	for k, f := range fs.files {
		fs.closeFile(f)
		delete(fs.files, k)
	}
	fs.last = nil
}

func (fs *fileSet) closeFile(f *file) {
	fs.writeMember(f)
	if f.f == nil {
		return
	}
	err := f.f.Sync()
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	fs.nopen.Add(-1)
	if err != nil {
		fs.fail(fmt.Errorf("accesslog: close %s: %w", f.path, err), 0)
	}
	f.f = nil
}

// fail counts err, keeps it for Flush and Close, and logs it, at most once
// per errLogEvery so that a full disk does not flood the operational log.
func (fs *fileSet) fail(err error, lost int) {
	fs.errs.Add(1)
	if fs.err == nil {
		fs.err = err
	}
	now := fs.now()
	if !fs.lastLog.IsZero() && now.Sub(fs.lastLog) < errLogEvery && now.After(fs.lastLog) {
		fs.suppressed++
		return
	}
	fs.log.Error("access log", "err", err, "lines_lost", lost, "errors_suppressed", fs.suppressed)
	fs.lastLog, fs.suppressed = now, 0
}

func (fs *fileSet) takeErr() error {
	err := fs.err
	fs.err = nil
	return err
}
