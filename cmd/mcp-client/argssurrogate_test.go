package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestArgsLoneSurrogateRefused checks that -args escaping a UTF-16
// surrogate that is not half of a pair, which is no character, is a usage
// error as text that is not UTF-8 is: a server reads U+FFFD in its place,
// not what was meant. A pair escaped is one character, and is sent.
func TestArgsLoneSurrogateRefused(t *testing.T) {
	for _, args := range []string{`{"a":"\ud800"}`, `{"a":["\udc00\ud800"]}`, `{"\ud83d":1}`, `{"a":"x\ud83d\u0041"}`} {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), []string{"-endpoint", "http://127.0.0.1:1/mcp", "-call", "ping", "-args", args}, noEnv, &stdout, &stderr)
		line, _, _ := strings.Cut(stderr.String(), "\n")
		if code != 2 || !strings.HasPrefix(line, "mcp-client: -args escapes a lone surrogate") {
			t.Errorf("-args %s: exit %d, %q; want exit 2 and the lone surrogate named", args, code, line)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"-endpoint", "http://127.0.0.1:1/mcp", "-call", "ping", "-args", `{"a":"\ud83d\ude00","\\ud800":1}`}, noEnv, &stdout, &stderr); code == 2 {
		t.Errorf("-args with a surrogate pair: exit 2, stderr %q; want it sent", stderr.String())
	}
}
