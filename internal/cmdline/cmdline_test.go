package cmdline

import (
	"flag"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParse checks the exit Parse asks for and what it prints: the
// synopsis and every flag for -h and for a flag it cannot read, on the
// stderr it is given; nothing for a command line it reads.
func TestParse(t *testing.T) {
	const synopsis = "usage: cmd [-n N]"
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		wantOK   bool
		wantErr  []string // each in stderr; none means stderr is empty
	}{
		{"flags read", []string{"-n", "3"}, 0, true, nil},
		{"help", []string{"-h"}, 0, false, []string{synopsis, "-n int", "how many"}},
		{"unknown flag", []string{"-x"}, 2, false, []string{"flag provided but not defined: -x", synopsis, "-n int", "how many"}},
		{"bad value", []string{"-n", "many"}, 2, false, []string{`invalid value "many" for flag -n`, synopsis, "-n int"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("cmd", flag.ContinueOnError)
			fs.Int("n", 1, "how many")
			var stderr strings.Builder
			code, ok := Parse(fs, tc.args, &stderr, synopsis)
			if diff := cmp.Diff([]any{tc.wantCode, tc.wantOK}, []any{code, ok}); diff != "" {
				t.Errorf("code, ok (-want +got):\n%s", diff)
			}
			if len(tc.wantErr) == 0 && stderr.Len() != 0 {
				t.Errorf("stderr %q, want it empty", stderr.String())
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr %q lacks %q", stderr.String(), w)
				}
			}
		})
	}
}

func TestUnexpected(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"https://x/mcp"}, `unexpected argument "https://x/mcp"`},
		{[]string{"a b", `"q"`}, `unexpected arguments "a b" "\"q\""`},
	} {
		if got := Unexpected(tc.args); got != tc.want {
			t.Errorf("Unexpected(%q) = %s, want %s", tc.args, got, tc.want)
		}
	}
}
