package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/bootstraptest"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// TestBootstrapReportsConfigError checks that the real bootstrap, started
// on Lambda with settings it cannot run with, tells the Runtime API why
// before it exits: the invocation waiting for it fails with the setting's
// name as Runtime.ConfigInvalid, where Lambda would otherwise report only
// that the process exited.
func TestBootstrapReportsConfigError(t *testing.T) {
	bin := buildCommand(t, t.TempDir(), "github.com/lambdamcp/lambdamcp/cmd/mcp-server")
	for _, tc := range []struct {
		name, env, want string
	}{
		{"stream shape unknown", "MCP_STREAM=bogus", "MCP_STREAM"},
		{"scopes without a verifier", "MCP_REQUIRED_SCOPES=mcp:tools", "MCP_REQUIRED_SCOPES"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := runtimeapi.NewServer()
			p := bootstraptest.Start(t, bin, api, api, tc.env)

			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			_, err := api.Invoke(ctx, &runtimeapi.Invocation{RequestID: "r1", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Minute)})
			var fe *runtimeapi.FunctionError
			if !errors.As(err, &fe) || fe.Type != runtimeapi.ErrorTypeConfigInvalid || !strings.Contains(fe.Message, tc.want) {
				t.Fatalf("Invoke = %v, want %s naming %s\n%s", err, runtimeapi.ErrorTypeConfigInvalid, tc.want, p.Out)
			}
			if code := p.Wait(); code != 2 {
				t.Errorf("exit status %d, want 2\n%s", code, p.Out)
			}
		})
	}
}
