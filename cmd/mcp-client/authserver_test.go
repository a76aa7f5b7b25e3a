package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"

	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
	"github.com/lambdamcp/lambdamcp/serve"
)

// testScope is the scope the protected reference server requires.
const testScope = "https://mcp.test/tools"

// testIssuer is an issuer for command lines that never reach it.
const testIssuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test"

// startAS runs an authorization server for the test's length.
func startAS(t *testing.T, opts oauthtest.Options) *oauthtest.Server {
	t.Helper()
	a, err := oauthtest.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// listenLog hands on the URL of serve.Run's "listening" line.
type listenLog struct {
	slog.Handler
	url chan string
}

func (listenLog) Enabled(context.Context, slog.Level) bool { return true }

func (l listenLog) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(at slog.Attr) bool {
		if r.Message == "listening" && at.Key == "url" {
			l.url <- at.Value.String()
		}
		return true
	})
	return nil
}

// startJWTReference runs the reference server as cmd/mcp-server does
// locally (serve.Run), checking the authorization server's JWTs as the
// README's Cognito example has it, and returns its MCP endpoint. env adds
// to or replaces the variables.
func startJWTReference(t *testing.T, a *oauthtest.Server, env map[string]string) string {
	t.Helper()
	vars := map[string]string{
		"MCP_JWT_ISSUER":            a.Issuer,
		"MCP_JWT_JWKS_URL":          a.JWKSURL(),
		"MCP_JWT_AUDIENCE":          a.ClientID,
		"MCP_JWT_AUDIENCE_CLAIM":    "client_id",
		"MCP_REQUIRED_SCOPES":       testScope,
		"MCP_AUTHORIZATION_SERVERS": a.Issuer,
	}
	for k, v := range env {
		vars[k] = v
	}
	logs := listenLog{Handler: slog.DiscardHandler, url: make(chan string, 1)}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve.Run(ctx, serve.Handler(demoserver.New(demoserver.Options{}), nil), &serve.Options{
			Addr: "127.0.0.1:0", Logger: slog.New(logs), Getenv: func(k string) string { return vars[k] },
		})
	}()
	t.Cleanup(func() {
		stop()
		<-done
	})
	select {
	case u := <-logs.url:
		return u
	case err := <-done:
		t.Fatalf("serve.Run: %v", err)
		return ""
	}
}
