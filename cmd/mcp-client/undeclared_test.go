package main

import (
	"strings"
	"testing"
)

// TestUndeclaredCapabilityNamed checks that a server's "method not found"
// for a prompt or a resource, when it declared no prompts or resources,
// says so: its bare "Method not found" (as the TypeScript SDK answers)
// would leave the user to think the name or URI asked for is wrong. A
// server that declared the capability gets no such note.
func TestUndeclaredCapabilityNamed(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-prompt", "greet"}, "getting prompt greet: server error -32601: Method not found (the server declares no prompts)"},
		{[]string{"-read", "test://a"}, "reading test://a: server error -32601: Method not found (the server declares no resources)"},
	} {
		code, _, stderr := runAgainst(t, &foreignServer{text: "pong"}, tc.args...)
		if code != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", tc.args, code, stderr, tc.want)
		}
	}
	t.Run("tools", func(t *testing.T) {
		code, _, stderr := runAgainst(t, &foreignServer{text: "pong", noTools: true}, "-call", "ping")
		want := "calling ping: server error -32601: Method not found (the server declares no tools)"
		if code != 1 || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, stderr %q; want %q", code, stderr, want)
		}
	})
	t.Run("declared", func(t *testing.T) {
		code, _, stderr := runAgainst(t, &foreignServer{text: "pong", declare: `,"prompts":{},"resources":{}`}, "-prompt", "greet")
		if code != 1 || !strings.Contains(stderr, "server error -32601: Method not found") || strings.Contains(stderr, "declares no") {
			t.Errorf("exit %d, stderr %q; want the server's error alone", code, stderr)
		}
	})
}
