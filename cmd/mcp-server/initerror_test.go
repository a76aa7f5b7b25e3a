package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/auth"
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

// TestBootstrapWarnsWithoutAuthentication checks that the real bootstrap,
// started on Lambda with nothing that checks tokens, says so in its log as
// it starts: a Function URL with auth type NONE then leaves the tools to
// anyone, and a verifier variable misspelt or lost on the way to the
// function shows nowhere else. With a verifier, or behind an authorizer,
// it does not.
func TestBootstrapWarnsWithoutAuthentication(t *testing.T) {
	bin := buildCommand(t, t.TempDir(), "github.com/lambdamcp/lambdamcp/cmd/mcp-server")
	for _, tc := range []struct {
		name string
		env  []string
		want bool
	}{
		{"nothing set", nil, true},
		{"a verifier variable misspelt", []string{"MCP_AUTH_TOKEN_SHA=" + auth.HashToken("bootstrap-static-token-0123456789")}, true},
		{"static tokens", []string{auth.EnvTokenSHA256 + "=" + auth.HashToken("bootstrap-static-token-0123456789")}, false},
		{"behind an authorizer", []string{auth.EnvFromAuthorizer + "=1"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := runtimeapi.NewServer()
			p := bootstraptest.Start(t, bin, api, api, tc.env...)
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			// The first invocation is fetched once the start-up is over.
			if resp, err := api.Invoke(ctx, &runtimeapi.Invocation{RequestID: "r1", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Minute)}); err == nil {
				resp.Body.Close()
			} else if fe := (*runtimeapi.FunctionError)(nil); !errors.As(err, &fe) {
				t.Fatalf("Invoke = %v\n%s", err, p.Out)
			}
			p.Stop()
			var warned bool
			for line := range strings.Lines(p.Out.String()) {
				var rec struct{ Level, Msg string }
				if json.Unmarshal([]byte(line), &rec) == nil && rec.Level == "WARN" && strings.HasPrefix(rec.Msg, "no authentication") {
					warned = true
				}
			}
			if warned != tc.want {
				t.Errorf("warned of no authentication: %v, want %v\n%s", warned, tc.want, p.Out)
			}
		})
	}
}
