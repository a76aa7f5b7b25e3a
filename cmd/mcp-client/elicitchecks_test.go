package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestElicitCheckedAsArgsIs checks that -elicit's object, given on the
// command line or read from standard input (@-), is refused as -args is
// when it gives a key twice in one object, which the server would take one
// of, or escapes a lone surrogate, which it would read as U+FFFD; a pair
// escaped, and keys alike in different objects, are no refusal.
func TestElicitCheckedAsArgsIs(t *testing.T) {
	for _, tc := range []struct{ content, want string }{
		{`{"confirm":true,"confirm":false}`, `gives the key "confirm" twice in one object`},
		{`{"a":{"b":1,"\u0062":2}}`, `gives the key "b" twice in one object`},
		{`{"name":"\ud800"}`, "escapes a lone surrogate"},
		{`{"\udc00":1}`, "escapes a lone surrogate"},
	} {
		for _, given := range []struct{ value, name, stdin string }{{tc.content, "-elicit", ""}, {"@-", "-elicit @-", tc.content + "\n"}} {
			var stdout, stderr bytes.Buffer
			code := runIn(t.Context(), []string{"-endpoint", "http://127.0.0.1:1/mcp", "-call", "ping", "-elicit", given.value}, noEnv, strings.NewReader(given.stdin), &stdout, &stderr)
			line, _, _ := strings.Cut(stderr.String(), "\n")
			if want := "mcp-client: " + given.name + " " + tc.want; code != 2 || !strings.HasPrefix(line, want) {
				t.Errorf("-elicit %s (stdin %s): exit %d, %q; want exit 2 and %q", given.value, given.stdin, code, line, want)
			}
		}
	}
	for _, content := range []string{`{"a":"\ud83d\ude00","b":{"a":1},"A":2}`} {
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), []string{"-endpoint", "http://127.0.0.1:1/mcp", "-call", "ping", "-elicit", content}, noEnv, &stdout, &stderr); code == 2 {
			t.Errorf("-elicit %s: exit 2, stderr %q; want it taken", content, stderr.String())
		}
	}
}
