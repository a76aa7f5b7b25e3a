package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestBadValueShownBounded checks that a usage line repeating an -args or
// -elicit value that does not parse (a file's content, given with
// "$(cat file)") shows its start alone, escaped, and says how much was
// left out, as a line quoting a server does.
func TestBadValueShownBounded(t *testing.T) {
	long := strings.Repeat("x", 100_000)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"args not JSON", []string{"-call", "ping", "-args", `{"a":"` + long}, `-args must be a JSON object: unexpected end of JSON input: {"a":"xxx`},
		{"args not an object", []string{"-call", "ping", "-args", `["` + long + `"]`}, `-args must be a JSON object, not ["xxx`},
		{"elicit", []string{"-call", "ping", "-elicit", `{"a":"` + long}, `-elicit must be a JSON object, decline or cancel: {"a":"xxx`},
		{"prompt args", []string{"-prompt", "p", "-args", `{"a":` + strings.Repeat("1", 100_000) + `}`}, `prompts take strings only: "a" is 111`},
		{"prompt args, many", []string{"-prompt", "p", "-args", manyNumbers(20_000)}, `prompts take strings only: "a0" is 0, "a1" is 1, "a10" is 10`},
		{"escaped", []string{"-call", "ping", "-args", "\x1b[2J" + long}, `-args must be a JSON object: invalid character '\x1b' looking for beginning of value: \x1b[2Jxxx`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append([]string{"-endpoint", "http://127.0.0.1:1/mcp"}, tc.args...), noEnv, &stdout, &stderr)
			line, _, _ := strings.Cut(stderr.String(), "\n")
			if code != 2 || !strings.Contains(line, tc.want) || !strings.Contains(line, " more bytes not shown)") || len(line) > 5<<10 || strings.Contains(line, "\x1b") {
				t.Errorf("exit %d, first line of %d bytes %.300q…; want exit 2, %q, the value cut with what was left out said, and no escape character", code, len(line), line, tc.want)
			}
		})
	}
}

// manyNumbers is a JSON object of n numbers, "a0": 0 and on.
func manyNumbers(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"a%d":%d`, i, i)
	}
	b.WriteString("}")
	return b.String()
}
