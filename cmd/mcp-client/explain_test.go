package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/serve"
)

// TestServerErrorExplained checks that a failure the server explains with
// a JSON-RPC error is reported by that error's code and message, whatever
// the HTTP status it came with, and that an answer without one shows its
// status and its body's message: a gateway's, or that of a JSON-RPC error
// answering no request.
func TestServerErrorExplained(t *testing.T) {
	// A server that declares tools yet knows no tools/list answers
	// "method not found", which in the 2026-07-28 era comes with HTTP 404.
	toolless := mcp.NewServer(&mcp.Implementation{Name: "toolless", Version: "1.0.0"}, &mcp.ServerOptions{
		Capabilities: &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{}},
	})
	toolless.AddReceivingMiddleware(func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method == "tools/list" {
				return nil, &jsonrpc.Error{Code: jsonrpc.CodeMethodNotFound, Message: "method not found"}
			}
			return next(ctx, method, req)
		}
	})
	toollessEndpoint := serveLocally(t, toolless)
	reference := startReference(t)
	// As cmd/mcp-server serves locally: errors as JSON-RPC errors that
	// carry the request's id.
	jsonErrors := httptest.NewServer(lambdamcp.Guard(serve.Routes(serve.Handler(demoserver.New(demoserver.Options{}), nil)), nil))
	t.Cleanup(jsonErrors.Close)
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"message":"boom"}`)
	}))
	t.Cleanup(gateway.Close)

	tests := []struct {
		name     string
		args     []string
		want     []string
		dontWant []string
	}{
		{"method not found, HTTP 404", []string{"-endpoint", toollessEndpoint},
			[]string{"HTTP 404", "listing tools: server error -32601: method not found"}, []string{"no MCP endpoint", "check the URL's path"}},
		// lambdamcp.Guard answers a path it does not serve 404 with
		// a JSON-RPC error, which says less than the status does.
		{"wrong path", []string{"-endpoint", jsonErrors.URL + "/nope"},
			[]string{"no MCP endpoint", "(HTTP 404): check the URL's path"}, []string{"server error"}},
		{"unknown tool, HTTP 400", []string{"-endpoint", reference, "-call", "nosuch"},
			[]string{"HTTP 400", "calling nosuch: server error -32602: ", "nosuch"}, []string{"rejected by transport"}},
		{"unknown tool, HTTP 200", []string{"-endpoint", reference, "-protocol", "2025-11-25", "-call", "nosuch"},
			[]string{"calling nosuch: server error -32602: ", "nosuch"}, []string{"HTTP"}},
		{"gateway failure", []string{"-endpoint", gateway.URL + "/mcp"},
			[]string{`answered HTTP 500, "boom": connecting: `}, []string{"server error"}},
		// lambdamcp refuses a body it would not read with a JSON-RPC error
		// without an id, which the go-sdk client does not take for the
		// call's answer: its message is the body's.
		{"refused without an id", []string{"-endpoint", jsonErrors.URL + "/mcp", "-call", "ping",
			"-args", `{"a":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}`},
			[]string{`answered HTTP 400, "request body nests deeper than 64 levels": calling ping: `}, []string{"server error"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), tc.args, noEnv, &stdout, &stderr); code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			for _, want := range tc.want {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr %q lacks %q", stderr.String(), want)
				}
			}
			for _, dontWant := range tc.dontWant {
				if strings.Contains(stderr.String(), dontWant) {
					t.Errorf("stderr %q says %q", stderr.String(), dontWant)
				}
			}
		})
	}
}

// TestClientSideCodes checks that the go-sdk's own JSON-RPC errors, which
// no server sent, are not reported as the server's, and that a log level
// the client does not know is shown rather than hidden.
func TestClientSideCodes(t *testing.T) {
	for _, code := range []int64{codeRejected, codeClientClosing} {
		if got := explain("http://127.0.0.1:1/mcp", &jsonrpc.Error{Code: code, Message: "client is closing"}, nil); strings.Contains(got, "server error") {
			t.Errorf("code %d explained as %q, a server's error", code, got)
		}
	}
	if below("trace", "info") {
		t.Error("a log level the client does not know is hidden")
	}
	if !below("debug", "info") || below("error", "info") {
		t.Error("levels not ordered as the protocol orders them")
	}
}
