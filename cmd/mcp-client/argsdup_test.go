package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestArgsKeyGivenTwiceRefused checks that -args giving a key twice in one
// object, at the top or nested, for -call or -prompt, is a usage error
// naming the key, escaped and cut as usage lines quote a value, rather
// than sent for the server to take whichever it takes.
func TestArgsKeyGivenTwiceRefused(t *testing.T) {
	long := strings.Repeat("k", 100_000)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"call", []string{"-call", "ping", "-args", `{"a":1,"a":2}`}, `-args gives the key "a" twice in one object`},
		{"call, nested", []string{"-call", "ping", "-args", `{"a":[{"b":1}, {"b":1,"c":{"d":1,"b":2,"d":3}}]}`}, `-args gives the key "d" twice in one object`},
		{"call, escaped alike", []string{"-call", "ping", "-args", `{"a":1,"\u0061":2}`}, `-args gives the key "a" twice in one object`},
		{"prompt", []string{"-prompt", "p", "-args", `{"x":"1","y":"2","x":"3"}`}, `-args gives the key "x" twice in one object`},
		{"escaped", []string{"-call", "ping", "-args", `{"\u001b[2J":1,"\u001b[2J":2}`}, `-args gives the key "\x1b[2J" twice in one object`},
		{"cut", []string{"-call", "ping", "-args", `{"` + long + `":1,"` + long + `":2}`}, `-args gives the key "kkk`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append([]string{"-endpoint", "http://127.0.0.1:1/mcp"}, tc.args...), noEnv, &stdout, &stderr)
			line, _, _ := strings.Cut(stderr.String(), "\n")
			if code != 2 || !strings.Contains(line, tc.want) || len(line) > 5<<10 || strings.Contains(line, "\x1b") {
				t.Errorf("exit %d, first line of %d bytes %.300q…; want exit 2 and %q, escaped and cut", code, len(line), line, tc.want)
			}
		})
	}
	// Keys alike in different objects, or differing in case, are no
	// duplicates: the run goes on to the (closed) endpoint.
	for _, args := range []string{`{"a":{"a":1},"b":[{"a":1},{"a":2}]}`, `{"a":1,"A":2}`} {
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), []string{"-endpoint", "http://127.0.0.1:1/mcp", "-call", "ping", "-args", args}, noEnv, &stdout, &stderr); code == 2 {
			t.Errorf("-args %s: exit 2, stderr %q; want it sent", args, stderr.String())
		}
	}
}
