package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestEchoedSecretsHiddenOnStdout checks that a token a server repeats in
// what goes to standard output (a result's text or structured content, a
// ping's text, the server's name) is hidden there as it is on standard
// error: standard output is piped on, into files and logs.
func TestEchoedSecretsHiddenOnStdout(t *testing.T) {
	// The token as the server read it from the request.
	sent := func(req *mcp.CallToolRequest) string {
		return strings.TrimPrefix(req.Extra.Header.Get("Authorization"), "Bearer ")
	}
	server := mcp.NewServer(&mcp.Implementation{Name: "echoes-" + secretToken, Version: "1.0.0"}, nil)
	server.AddTool(&mcp.Tool{Name: "ping", InputSchema: map[string]any{"type": "object"}}, func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "pong for " + sent(req)}}}, nil
	})
	server.AddTool(&mcp.Tool{Name: "structured", InputSchema: map[string]any{"type": "object"}}, func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return &mcp.CallToolResult{StructuredContent: map[string]any{"token": sent(req)}}, nil
	})
	endpoint := serveLocally(t, server)

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"default story", nil, []string{"Connected to echoes-[hidden] 1.0.0", "ping #1: pong for [hidden] ("}},
		{"result text", []string{"-call", "ping"}, []string{"pong for [hidden]\n"}},
		{"structured content", []string{"-call", "structured"}, []string{`"token": "[hidden]"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append([]string{"-endpoint", endpoint, "-token", secretToken, "-timeout", "10s"}, tc.args...), noEnv, &stdout, &stderr)
			got := stdout.String()
			if code != 0 || strings.Contains(got, secretToken) {
				t.Errorf("exit %d, stdout %q; want exit 0 and no token; stderr %q", code, got, stderr.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("stdout %q lacks %q", got, w)
				}
			}
		})
	}
}

// TestResultKeepsQueryValues checks that a result on standard output keeps
// a long query value of the endpoint whose parameter's name does not mark
// it as a credential (a workspace's name): it is held a secret for its
// length alone, which hides it in what the client says itself, on standard
// error, but a result may hold it as the very data asked for. A
// credential's value stays hidden in the result.
func TestResultKeepsQueryValues(t *testing.T) {
	const workspace, apiKey = "engineering-platform-prod", "k3y-v4lue-0123"
	server := mcp.NewServer(&mcp.Implementation{Name: "in-" + workspace, Version: "1.0.0"}, nil)
	server.AddTool(&mcp.Tool{Name: "whereami", InputSchema: map[string]any{"type": "object"}}, func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "workspace " + workspace + ", key " + apiKey}}}, nil
	})
	endpoint := serveLocally(t, server) + "?workspace=" + workspace + "&api_key=" + apiKey
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-endpoint", endpoint, "-timeout", "10s", "-call", "whereami"}, noEnv, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d; stderr %q", code, stderr.String())
	}
	if want := "workspace " + workspace + ", key [hidden]\n"; stdout.String() != want {
		t.Errorf("standard output %q, want %q", stdout.String(), want)
	}
	if got := stderr.String(); strings.Contains(got, workspace) || !strings.Contains(got, "Connected to in-[hidden] 1.0.0") {
		t.Errorf("standard error %q, want the server's name with the workspace hidden", got)
	}
}
