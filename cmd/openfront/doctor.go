package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/openfront-edge/openfront/internal/doctor"
	"github.com/openfront-edge/openfront/internal/resource"
)

// errFindings makes the command exit 1: the doctor found 403 causes.
var errFindings = errors.New("found 403 causes")

const doctorUsage = `Usage:
  openfront doctor logs   [flags] PATH...   classify the refused requests of CloudFront standard logs
  openfront doctor url    [flags] URL       request a URL and explain its answer
  openfront doctor config [flags] PATH...   find the settings that cause 403s

Exit status: 0 no 403 cause found, 1 causes found, 2 usage or input error.
Run 'openfront doctor COMMAND --help' for a command's flags. The --json output is documented in docs/doctor.md.
`

// cmdDoctor runs "openfront doctor".
func cmdDoctor(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, doctorUsage)
		return errUsage
	}
	switch args[0] {
	case "logs":
		return doctorLogs(args[1:])
	case "url":
		return doctorURL(args[1:])
	case "config":
		return doctorConfig(args[1:])
	case "help", "-h", "--help":
		fmt.Print(doctorUsage)
		return nil
	}
	fmt.Fprintf(os.Stderr, "openfront doctor: unknown command %q\n\n%s", args[0], doctorUsage)
	return errUsage
}

// parseInterspersed parses flags that may come after positional arguments,
// as in "doctor logs ./logs --json".
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// inputError reports a problem with the command's input and exits 2.
func inputError(format string, args ...any) error {
	fmt.Fprintf(os.Stderr, "openfront doctor: "+format+"\n", args...)
	return errUsage
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// style colours stdout only on a terminal, and never with NO_COLOR set
// (no-color.org) or TERM=dumb.
func style() doctor.Style {
	_, noColor := os.LookupEnv("NO_COLOR")
	return doctor.Style{Color: !noColor && os.Getenv("TERM") != "dumb" && isTerminal(os.Stdout)}
}

// loadModel reads --config paths. Documents that do not decode are
// reported and skipped; none at all is an input error.
func loadModel(paths []string, domain string) (*doctor.Model, []string, error) {
	if len(paths) == 0 {
		return nil, nil, nil
	}
	set, err := resource.Load(paths)
	var problems []string
	if err != nil {
		for _, e := range flatten(err) {
			problems = append(problems, e.Error())
		}
	}
	if set == nil || len(set.Distributions) == 0 {
		if len(problems) == 0 {
			problems = []string{"no distribution documents found"}
		}
		return nil, problems, fmt.Errorf("--config: %s", strings.Join(problems, "; "))
	}
	return doctor.NewModel(set, domain), problems, nil
}

func flatten(err error) []error {
	type joined interface{ Unwrap() []error }
	if j, ok := err.(joined); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// parseTime reads --since/--until: RFC 3339, a date and time in UTC
// ("2024-05-01 10:00", "2024-05-01T10:00:00"), a date, or a duration before
// now ("24h").
func parseTime(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: use RFC 3339, \"2006-01-02 15:04\", a date, or a duration such as 24h", s)
}

func doctorLogs(args []string) error {
	fs := flag.NewFlagSet("doctor logs", flag.ContinueOnError)
	var configs, wafLogs listFlag
	var since, until, domain string
	var asJSON, quiet bool
	var maxReqs, jobs int
	fs.Var(&configs, "config", "distribution configs (files or folders, as the AWS CLI prints them; repeatable)")
	fs.Var(&wafLogs, "waf-logs", "AWS WAF logs: files or folders, JSON lines, plain or gzip (repeatable)")
	fs.StringVar(&since, "since", "", "only lines logged at or after this time (UTC; RFC 3339, \"2006-01-02 15:04\", or a duration like 24h)")
	fs.StringVar(&until, "until", "", "only lines logged before this time")
	fs.BoolVar(&asJSON, "json", false, "print one JSON document (docs/doctor.md)")
	fs.IntVar(&maxReqs, "max-requests", doctor.DefaultMaxRequests, "most classified requests listed in --json's requests (the earliest); aggregates count all")
	fs.IntVar(&jobs, "jobs", 0, "files read at once (default: the number of CPUs, at most 8)")
	fs.StringVar(&domain, "domain", "cloudfront.localhost", "this edge's default-domain suffix, to map its cs(Host) values to distributions")
	fs.BoolVar(&quiet, "no-progress", false, "no progress bar on stderr")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: openfront doctor logs [flags] PATH...\n\n"+
			"Reads CloudFront standard logs (real CloudFront's and this edge's, plain or .gz, files or folders as\n"+
			"delivered to S3, and the _unrouted log) and explains every refused request.\n\n")
		fs.PrintDefaults()
	}
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		fmt.Fprintln(os.Stderr, "openfront doctor logs: give at least one log file or folder")
		fs.Usage()
		return errUsage
	}
	if maxReqs < 0 {
		return inputError("--max-requests must not be negative")
	}
	now := time.Now()
	o := doctor.LogOptions{MaxRequests: maxReqs, Workers: jobs}
	if o.Since, err = parseTime(since, now); err != nil {
		return inputError("--since: %v", err)
	}
	if o.Until, err = parseTime(until, now); err != nil {
		return inputError("--until: %v", err)
	}
	model, problems, err := loadModel(configs, domain)
	if err != nil {
		return inputError("%v", err)
	}
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "openfront doctor: not read:", p)
	}
	o.Model = model
	if len(wafLogs) > 0 {
		files, err := doctor.ListFiles(wafLogs)
		if err != nil {
			return inputError("--waf-logs: %v", err)
		}
		idx := doctor.NewWAFIndex()
		for _, f := range files {
			if err := idx.ReadWAF(f); err != nil {
				return inputError("--waf-logs: %v", err)
			}
		}
		o.WAF = idx
	}
	// Reading allocates nothing for the lines that are not refusals
	// (internal/accesslog.Reader.Scan) and one string or so per refused
	// request: a higher GOGC runs the collector, and its write barriers,
	// less often, and the memory limit keeps RSS bounded.
	debug.SetGCPercent(400)
	debug.SetMemoryLimit(150 << 20)
	if !quiet && isTerminal(os.Stderr) {
		o.Progress = &doctor.Progress{}
	}
	stop := func() {}
	if o.Progress != nil {
		stop = showProgress(os.Stderr, o.Progress)
	}
	rep, err := doctor.AnalyzeLogs(paths, o)
	stop()
	if err != nil {
		return inputError("%v", err)
	}
	if asJSON {
		err = rep.WriteJSON(os.Stdout)
	} else {
		err = rep.WriteText(os.Stdout, style())
	}
	if err != nil {
		return err
	}
	if len(rep.Findings) > 0 {
		return errFindings
	}
	return nil
}

// showProgress draws a progress bar on w once the work has taken a second,
// and returns the function that stops and clears it.
func showProgress(w io.Writer, p *doctor.Progress) func() {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	start := time.Now()
	go func() {
		defer wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		drawn := false
		for {
			select {
			case <-done:
				if drawn {
					fmt.Fprint(w, "\r\x1b[K")
				}
				return
			case <-t.C:
				el := time.Since(start)
				if el < time.Second {
					continue
				}
				drawn = true
				frac := 0.0
				if tot := p.Total.Load(); tot > 0 {
					frac = min(float64(p.Bytes.Load())/float64(tot), 0.99)
				}
				const width = 30
				n := int(frac * width)
				lines := p.Lines.Load()
				fmt.Fprintf(w, "\r\x1b[K[%s%s] %3.0f%%  %d lines  %.0f lines/s  %d/%d files",
					strings.Repeat("=", n), strings.Repeat(" ", width-n), 100*frac, lines,
					float64(lines)/el.Seconds(), p.FilesDone.Load(), p.Files.Load())
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done); wg.Wait() }) }
}

func doctorURL(args []string) error {
	fs := flag.NewFlagSet("doctor url", flag.ContinueOnError)
	var configs, resolve, headers listFlag
	var cacert, method, domain string
	var asJSON, signOrigin bool
	var timeout time.Duration
	var s3 settings
	fs.Var(&configs, "config", "distribution configs, to name the distribution, behavior and origin (repeatable)")
	fs.Var(&resolve, "resolve", "HOST:PORT:ADDR (or HOST:PORT:ADDR:PORT2): connect there instead, as curl (repeatable)")
	fs.Var(&headers, "header", "request header \"Name: value\"; a Host header sets the Host (repeatable)")
	fs.Var(&headers, "H", "short for --header")
	fs.StringVar(&cacert, "cacert", "", "PEM file of CA certificates to trust besides the system's (this edge's local CA)")
	fs.StringVar(&method, "method", "GET", "request method")
	fs.StringVar(&method, "X", "GET", "short for --method")
	fs.StringVar(&domain, "domain", "cloudfront.localhost", "this edge's default-domain suffix")
	fs.DurationVar(&timeout, "timeout", 10*time.Second, "timeout of each request")
	fs.BoolVar(&asJSON, "json", false, "print one JSON document (docs/doctor.md)")
	fs.StringVar(&s3.s3Endpoint, "s3-endpoint", "", "as openfront serve's: where S3 REST origins are, for the origin probe")
	fs.StringVar(&s3.s3Website, "s3-website-endpoint", "", "as openfront serve's: where S3 website origins are, for the origin probe")
	fs.Var(&s3.s3Buckets, "s3-bucket-endpoint", "BUCKET=URL, as openfront serve's (repeatable)")
	fs.BoolVar(&signOrigin, "sign-origin", false, "sign the probes of S3 origins with origin access as this edge does, with the AWS credentials of the default chain (environment, shared files, profile)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: openfront doctor url [flags] URL\n\n"+
			"Requests URL (from this edge or real CloudFront), reads what answered, and runs follow-up requests\n"+
			"that separate causes: the other scheme, another method, the distribution's own domain, the origin.\n\n")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprintln(os.Stderr, "openfront doctor url: give exactly one URL")
		fs.Usage()
		return errUsage
	}
	model, problems, err := loadModel(configs, domain)
	if err != nil {
		return inputError("%v", err)
	}
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "openfront doctor: not read:", p)
	}
	po := doctor.ProbeOptions{
		URL: pos[0], Method: strings.ToUpper(method), Headers: headers, Resolve: resolve, CACert: cacert, Model: model, Timeout: timeout,
	}
	if err := s3.s3Endpoints(&po.Origin); err != nil {
		return inputError("%v", err)
	}
	if signOrigin {
		if po.OriginCredentials, err = s3.awsCredentials(); err != nil {
			return inputError("--sign-origin: %v", err)
		}
	}
	rep, err := doctor.ProbeURL(context.Background(), po)
	if err != nil {
		return inputError("%v", err)
	}
	if asJSON {
		err = rep.WriteJSON(os.Stdout)
	} else {
		err = rep.WriteText(os.Stdout, style())
	}
	if err != nil {
		return err
	}
	if rep.Finding != nil {
		return errFindings
	}
	return nil
}

func doctorConfig(args []string) error {
	fs := flag.NewFlagSet("doctor config", flag.ContinueOnError)
	var logs, certs listFlag
	var domain string
	var asJSON bool
	fs.Var(&logs, "logs", "standard logs whose c-country values are checked against geo restrictions (repeatable)")
	fs.Var(&certs, "cert", "ARN=CERT.pem: the certificate of a ViewerCertificate's ACMCertificateArn or IAMCertificateId, to check alias coverage (repeatable)")
	fs.StringVar(&domain, "domain", "cloudfront.localhost", "this edge's default-domain suffix")
	fs.BoolVar(&asJSON, "json", false, "print one JSON document (docs/doctor.md)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: openfront doctor config [flags] PATH...\n\n"+
			"Checks distribution configs (openfront's, or aws cloudfront get-distribution-config output) for the\n"+
			"settings that cause 403s. Exit status 1 on errors or warnings; notes alone exit 0.\n\n")
		fs.PrintDefaults()
	}
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		fmt.Fprintln(os.Stderr, "openfront doctor config: give at least one config file or folder")
		fs.Usage()
		return errUsage
	}
	model, problems, err := loadModel(paths, domain)
	if err != nil {
		return inputError("%v", err)
	}
	o := doctor.ConfigOptions{LoadErrors: problems, Certificates: map[string][]string{}}
	for _, c := range certs {
		arn, file, ok := strings.Cut(c, "=")
		if !ok {
			return inputError("--cert %q: want ARN=CERT.pem", c)
		}
		names, err := doctor.CertificateNames(file)
		if err != nil {
			return inputError("--cert: %v", err)
		}
		o.Certificates[arn] = names
	}
	if len(logs) > 0 {
		rep, err := doctor.AnalyzeLogs(logs, doctor.LogOptions{Model: model, CountCountries: true})
		if err != nil {
			return inputError("--logs: %v", err)
		}
		o.Countries, o.LogLines = rep.Countries, rep.Summary.Lines
	}
	rep := doctor.CheckConfig(model, o)
	if asJSON {
		err = rep.WriteJSON(os.Stdout)
	} else {
		err = rep.WriteText(os.Stdout, style())
	}
	if err != nil {
		return err
	}
	if rep.Failing() {
		return errFindings
	}
	return nil
}
