package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/localfront"
)

// startFront runs a command of this module, compiled as a Lambda bootstrap
// with env, behind the local Function URL front in RESPONSE_STREAM mode.
func startFront(t *testing.T, pkg string, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	t.Cleanup(cancel)
	bin, err := localfront.Build(ctx, pkg, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	fn, err := localfront.NewProcess(bin, &localfront.FunctionConfig{Env: env})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fn.Close() })
	front, err := localfront.Start(ctx, localfront.Config{Shape: localfront.ShapeURL, Stream: true, Function: fn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { front.Close() })
	return front.URL() + "/mcp"
}

// TestCallThroughStreamingFunctionURL calls the progress example, a real
// bootstrap streaming through the local Function URL front, and the
// reference server deployed the same way, in both eras.
func TestCallThroughStreamingFunctionURL(t *testing.T) {
	progress := startFront(t, "github.com/lambdamcp/lambdamcp/examples/progress/cmd/progress", "MCP_STREAM=url")
	reference := startFront(t, "github.com/lambdamcp/lambdamcp/cmd/mcp-server", "MCP_STREAM=url")
	for _, protocol := range []string{"2026-07-28", "2025-11-25"} {
		t.Run("progress/"+protocol, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-endpoint", progress, "-protocol", protocol, "-call", "count", "-args", `{"steps":3,"interval_ms":10}`},
				func(string) string { return "" }, &stdout, &stderr)
			if code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
			}
			if want := `{"counted":3}` + "\n"; stdout.String() != want {
				t.Errorf("stdout %q, want %q", stdout.String(), want)
			}
			for _, want := range []string{"progress 1/3: step 1 of 3\n", "progress 3/3: step 3 of 3\n", "log info count: step 3\n"} {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
		})
		t.Run("reference/"+protocol, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-endpoint", reference, "-protocol", protocol}, func(string) string { return "" }, &stdout, &stderr)
			if code != 0 || !strings.Contains(stdout.String(), "ping #2: pong!") {
				t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
			}
		})
	}
}
