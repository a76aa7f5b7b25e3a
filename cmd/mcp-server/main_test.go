package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// TestRunRejectsUsageErrors checks that what the command line cannot mean
// stops the server before it listens, with exit status 2 and a usage line.
func TestRunRejectsUsageErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel() // a server that starts anyway stops at once, with status 0
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"stray argument", []string{"-addr", "127.0.0.1:0", "serve"}, `unexpected argument "serve"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			code := run(ctx, tc.args, func(string) string { return "" }, io.Discard, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), tc.want) || !strings.Contains(stderr.String(), "usage: mcp-server") {
				t.Errorf("exit %d, stderr %q; want exit 2, %q and a usage line", code, stderr.String(), tc.want)
			}
		})
	}
}
