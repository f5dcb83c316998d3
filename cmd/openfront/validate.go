package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
)

func cmdValidate(args []string) error {
	var s settings
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: openfront validate --config PATH [flags]\n\n"+
			"Runs the checks serve runs at start, without listening. Exit status 1 on any error.\n\n")
		fs.PrintDefaults()
	}
	s.register(fs, false)
	if err := s.parse(fs, args); err != nil {
		return err
	}
	if err := s.openASN(slog.New(slog.DiscardHandler)); err != nil {
		return err
	}
	if s.asn != nil {
		defer s.asn.Close()
	}
	l, err := s.load(nil, nil)
	if err != nil {
		for _, e := range splitErrors(err) {
			fmt.Fprintln(os.Stderr, e)
		}
		return fmt.Errorf("configuration refused")
	}
	for _, w := range l.warnings {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	printSummaries(l)
	return nil
}

func printSummaries(l *loaded) {
	for i, d := range l.snap.Summaries() {
		state := "enabled"
		if !d.Enabled {
			state = "disabled"
		}
		aliases := "no aliases"
		if len(d.Aliases) > 0 {
			aliases = strings.Join(d.Aliases, ", ")
		}
		fmt.Printf("%s  %s  %s  %s  %d behaviors  (%s)\n", d.ID, state, d.Domain, aliases, d.Behaviors, l.set.Distributions[i].File)
	}
}

// splitErrors flattens errors.Join trees into one line each.
func splitErrors(err error) []error {
	type joined interface{ Unwrap() []error }
	var out []error
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(joined); ok {
			for _, c := range j.Unwrap() {
				walk(c)
			}
			return
		}
		out = append(out, e)
	}
	walk(err)
	return out
}
