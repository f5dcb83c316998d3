package geo

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oschwald/maxminddb-golang/v2"
)

// pollInterval is how often an open database checks its file for a change.
const pollInterval = 3 * time.Second

// countryProbe is how many networks a new file is searched for one country
// before it is accepted; a database without countries (an ASN database, say)
// would silently let every viewer through a geo restriction.
const countryProbe = 10000

var errFileChanging = errors.New("file changed while being read")

// MMDB is a MaxMind-format database file (GeoIP2 or GeoLite2 Country or City,
// DB-IP, IPinfo). A goroutine polls the file's size, modification time and
// identity every few seconds and swaps in a changed file atomically; a file
// that fails to load is logged and the loaded one keeps serving. Replace the
// file by renaming a complete new file over it; rewriting it in place also
// works, because the file is read into memory rather than mapped, at the cost
// of holding the whole database in memory.
//
// MMDB implements [Locator] and io.Closer and is safe for concurrent use.
type MMDB struct {
	path     string
	logger   *slog.Logger
	interval time.Duration
	want     content // what a file must hold to be loaded
	cur      atomic.Pointer[mmdbFile]

	mu      sync.Mutex  // serialises loads; guards seen and lastErr
	seen    os.FileInfo // the version last loaded or refused; nil while missing
	lastErr error

	stop, done chan struct{}
	closeOnce  sync.Once
}

// mmdbFile is one loaded version of the file. Apart from its caches it is
// immutable. A country database has the country, region and address
// caches, an ASN database only the ASN cache: each is hundreds of KiB.
type mmdbFile struct {
	reader    *maxminddb.Reader
	layout    *layout
	ipv4Only  bool
	countries *countryCache
	regions   *regionCache
	addrs     *addrCache
	asns      *asnCache
}

// content is what a database must hold to be loaded: a country database
// without countries would let every viewer through a geo restriction, and an
// ASN database without numbers would put every viewer in AS0.
type content uint8

const (
	hasCountries content = iota
	hasASNs
)

func (c content) String() string {
	if c == hasASNs {
		return "ASN database"
	}
	return "geo database"
}

// Status describes the database being served.
type Status struct {
	Path         string
	DatabaseType string    // from the file's metadata, such as "GeoLite2-City"
	BuildTime    time.Time // from the file's metadata
	LastError    error     // why the file last failed to load; nil once a version loads
}

// OpenMMDB loads the database at path and starts following it. logger
// receives reloads and refused files; nil means slog.Default(). Close stops
// the following.
func OpenMMDB(path string, logger *slog.Logger) (*MMDB, error) {
	return openMMDB(path, logger, pollInterval)
}

func openMMDB(path string, logger *slog.Logger, interval time.Duration) (*MMDB, error) {
	return openDB(path, logger, interval, hasCountries)
}

func openDB(path string, logger *slog.Logger, interval time.Duration, want content) (*MMDB, error) {
	if logger == nil {
		logger = slog.Default()
	}
	var (
		f    *mmdbFile
		info os.FileInfo
		err  error
	)
	for range 3 { // a file being written when we start: read it again
		if f, info, err = loadMMDB(path, want); !errors.Is(err, errFileChanging) {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open %s %s: %w", want, path, err)
	}
	m := &MMDB{
		path: path, logger: logger, interval: interval, want: want, seen: info,
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	m.cur.Store(f)
	go m.watch()
	return m, nil
}

// Country returns the address's country or "". It does not allocate.
func (m *MMDB) Country(ip netip.Addr) string {
	// f.lookup and f.country written out: this is the hot path, and the
	// compiler inlines neither.
	f := m.cur.Load()
	if ip = ip.Unmap(); f.ipv4Only && ip.Is6() {
		return ""
	}
	if c, ok := f.addrs.get(ip); ok {
		return c
	}
	c := ""
	if res := f.reader.Lookup(ip); res.Found() {
		var ok bool
		if c, ok = f.countries.get(res.Offset()); !ok {
			c = f.decodeCountry(res)
		}
	}
	f.addrs.put(ip, c)
	return c
}

// Lookup returns everything the database knows about the address.
func (m *MMDB) Lookup(ip netip.Addr) Location {
	f := m.cur.Load()
	res, ok := f.lookup(ip)
	if !ok {
		return Location{}
	}
	return recordLocation(res, f.layout, f.country(res))
}

// Region returns the address's country and first-level subdivision, as
// Lookup's Country and Region, or "". Once the record's region is cached it
// does not allocate.
func (m *MMDB) Region(ip netip.Addr) (country, region string) {
	f := m.cur.Load()
	res, ok := f.lookup(ip)
	if !ok {
		return "", ""
	}
	country = f.country(res)
	if r, ok := f.regions.get(res.Offset()); ok {
		return country, r
	}
	region = recordRegion(res, f.layout)
	f.regions.put(res.Offset(), region)
	return country, region
}

// lookup finds the address's record. An IPv4-mapped address is looked up as
// IPv4. An IPv6 address in an IPv4 database is simply not found: the library
// would build an error (and allocate) to say so.
func (f *mmdbFile) lookup(ip netip.Addr) (maxminddb.Result, bool) {
	if ip = ip.Unmap(); f.ipv4Only && ip.Is6() {
		return maxminddb.Result{}, false
	}
	res := f.reader.Lookup(ip)
	return res, res.Found()
}

// country returns the country of a found record, from the cache if it can.
func (f *mmdbFile) country(res maxminddb.Result) string {
	if c, ok := f.countries.get(res.Offset()); ok {
		return c
	}
	return f.decodeCountry(res)
}

// decodeCountry decodes a record's country and caches it.
func (f *mmdbFile) decodeCountry(res maxminddb.Result) string {
	c := recordCountry(res, f.layout)
	f.countries.put(res.Offset(), c)
	return c
}

// Reload reads the file now, whether or not it changed. On error the loaded
// database keeps serving.
func (m *MMDB) Reload() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.reloadLocked(); err != nil {
		return fmt.Errorf("reload %s %s: %w", m.want, m.path, err)
	}
	return nil
}

// Status reports the database being served and the last refused reload.
func (m *MMDB) Status() Status {
	md := m.cur.Load().reader.Metadata
	m.mu.Lock()
	defer m.mu.Unlock()
	return Status{Path: m.path, DatabaseType: md.DatabaseType, BuildTime: md.BuildTime(), LastError: m.lastErr}
}

// Close stops following the file. Lookups keep answering from the last
// loaded version. Close always returns nil.
func (m *MMDB) Close() error {
	m.closeOnce.Do(func() {
		close(m.stop)
		<-m.done
	})
	return nil
}

func (m *MMDB) watch() {
	defer close(m.done)
	t := time.NewTicker(m.interval)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.check()
		}
	}
}

// check reloads the file if it is not the version last tried.
func (m *MMDB) check() {
	info, err := os.Stat(m.path)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		if m.seen != nil { // say it once, not every tick
			m.logger.Warn(m.want.String()+" file unavailable; keeping the loaded one", "path", m.path, "error", err)
			m.seen, m.lastErr = nil, err
		}
		return
	}
	if m.seen == nil || !sameVersion(m.seen, info) {
		_ = m.reloadLocked() // logged there
	}
}

func (m *MMDB) reloadLocked() error {
	f, info, err := loadMMDB(m.path, m.want)
	if errors.Is(err, errFileChanging) {
		return err // still being written: the next check reads it again
	}
	if err != nil {
		m.seen, m.lastErr = info, err
		m.logger.Error(m.want.String()+" refused; keeping the loaded one", "path", m.path, "error", err)
		return err
	}
	m.cur.Store(f)
	m.seen, m.lastErr = info, nil
	md := f.reader.Metadata
	m.logger.Info(m.want.String()+" loaded", "path", m.path, "type", md.DatabaseType,
		"build_time", md.BuildTime().UTC(), "nodes", md.NodeCount)
	return nil
}

// loadMMDB reads, opens and verifies the file. info describes the version
// read, also when it is refused.
func loadMMDB(path string, want content) (f *mmdbFile, info os.FileInfo, err error) {
	before, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	buf, err := os.ReadFile(path)
	if err != nil {
		return nil, before, err
	}
	if info, err = os.Stat(path); err != nil {
		return nil, before, err
	}
	if !sameVersion(before, info) || int64(len(buf)) != info.Size() {
		return nil, info, errFileChanging
	}
	// The reader keeps buf, which nothing else holds, so rewriting the file
	// in place cannot change a loaded version; maxminddb.Open would map the
	// file, which its documentation forbids rewriting in place.
	r, err := maxminddb.OpenBytes(buf)
	if err != nil {
		return nil, info, err
	}
	// Verify walks the whole tree and data section, so a damaged file is
	// refused here rather than answering garbage for some addresses. It also
	// insists on a description, which nothing here reads and which databases
	// built with mmdbwriter's defaults lack.
	if len(r.Metadata.Description) == 0 {
		r.Metadata.Description = map[string]string{"en": "(none)"}
	}
	if err := r.Verify(); err != nil {
		return nil, info, err
	}
	if want == hasASNs {
		lo := findASNLayout(r)
		if lo == nil {
			return nil, info, fmt.Errorf("no autonomous system number in the first %d networks: not an ASN database (type %q)",
				countryProbe, r.Metadata.DatabaseType)
		}
		return &mmdbFile{reader: r, layout: lo, ipv4Only: r.Metadata.IPVersion == 4, asns: new(asnCache)}, info, nil
	}
	lo := findLayout(r)
	if lo == nil {
		return nil, info, fmt.Errorf("no country in the first %d networks: not a country or city database (type %q)",
			countryProbe, r.Metadata.DatabaseType)
	}
	return &mmdbFile{reader: r, layout: lo, ipv4Only: r.Metadata.IPVersion == 4,
		countries: new(countryCache), regions: new(regionCache), addrs: new(addrCache)}, info, nil
}

// sameVersion reports whether two stats describe the same version of a file:
// a rename over the path changes its identity, a rewrite its time or size.
func sameVersion(a, b os.FileInfo) bool {
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}
