// Command openfront runs Amazon CloudFront distributions, as their owners
// describe them in the AWS CLI's JSON, on a self-hosted edge — and explains
// every 403.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `openfront — run CloudFront distributions on your own edge, and explain every 403

Usage:
  openfront serve    --config PATH [flags]   serve distributions
  openfront validate --config PATH [flags]   check a configuration as CloudFront would
  openfront demo                              run an edge with built-in distributions and origins
  openfront sign url|cookies URL [flags]      make a CloudFront signed URL or signed cookies
  openfront doctor logs|url|config ...        explain why requests got a 403
  openfront version                           print the version

Run 'openfront COMMAND --help' for a command's flags.
`

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = cmdServe(args[1:])
	case "validate":
		err = cmdValidate(args[1:])
	case "demo":
		err = cmdDemo(args[1:])
	case "sign":
		err = cmdSign(args[1:])
	case "doctor":
		err = cmdDoctor(args[1:])
	case "version", "--version", "-v":
		fmt.Println("openfront", version)
		return 0
	case "help", "-h", "--help":
		fmt.Print(usage)
		return 0
	default:
		fmt.Fprintf(os.Stderr, "openfront: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, errFindings):
		return 1 // the report already said it
	}
	fmt.Fprintln(os.Stderr, "openfront:", err)
	return 1
}

// errUsage marks a command-line mistake already reported by the flag package.
var errUsage = errors.New("usage")
