package cmdline

import "testing"

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
