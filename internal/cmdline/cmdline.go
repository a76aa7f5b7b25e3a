// Package cmdline holds what the commands share in reading their command
// lines.
package cmdline

import (
	"strconv"
	"strings"
)

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
