// Package cmdline holds what the commands share in reading their command
// lines.
package cmdline

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Parse parses args with fs, which prints synopsis and its flags to stderr
// for -h and for a flag it cannot read. ok is false when the command should
// exit at once, with code: 0 after -h, 2 after a bad flag.
func Parse(fs *flag.FlagSet, args []string, stderr io.Writer, synopsis string) (code int, ok bool) {
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, synopsis)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	return 0, true
}

// UsageError reports a command line (or environment) prog cannot run
// with, followed by its synopsis, and returns the exit status for it.
func UsageError(stderr io.Writer, prog, synopsis, msg string) int {
	fmt.Fprintf(stderr, "%s: %s\n%s\n", prog, msg, synopsis)
	return 2
}

// Unexpected describes the arguments left after the flags, each quoted.
func Unexpected(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = strconv.Quote(a)
	}
	if len(args) == 1 {
		return "unexpected argument " + quoted[0]
	}
	return "unexpected arguments " + strings.Join(quoted, " ")
}
