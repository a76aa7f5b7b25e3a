package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp/serve"
)

// TestCallRefusesHeaderArgs checks that under 2026-07-28 an argument the
// tool's schema sends in a header (x-mcp-header), with a value the go-sdk
// client cannot put there, is refused with a line that names it before the
// call is sent, rather than with the server's refusal of the call for the
// missing Mcp-Param-* header; values it can put there reach the tool, and
// under 2025-11-25, which has no such headers, every value does.
func TestCallRefusesHeaderArgs(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "store", Version: "1.0.0"}, nil)
	schema := map[string]any{"type": "object", "properties": map[string]any{
		"n":     map[string]any{"type": "integer", "x-mcp-header": "N"},
		"outer": map[string]any{"type": "object", "properties": map[string]any{"id": map[string]any{"type": "integer", "x-mcp-header": "Id"}}},
	}}
	server.AddTool(&mcp.Tool{Name: "put", InputSchema: schema}, func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(req.Params.Arguments)}}}, nil
	})
	srv := httptest.NewServer(serve.Routes(serve.Handler(server, nil)))
	defer srv.Close()
	tests := []struct {
		protocol, args string
		refused        string // the argument and its value, "" if the call goes
	}{
		{"2026-07-28", `{"n":9007199254740991}`, ""},
		{"2026-07-28", `{"n":-9007199254740991}`, ""},
		{"2026-07-28", `{"n":1e3}`, ""},
		{"2026-07-28", `{"n":"x","outer":{"id":7}}`, ""},
		{"2026-07-28", `{"n":true,"outer":{"id":false}}`, ""},
		{"2026-07-28", `{"n":null,"other":1.5}`, ""},
		{"2026-07-28", `{"n":9007199254740992}`, "n is 9007199254740992"},
		{"2026-07-28", `{"n":-9007199254740992}`, "n is -9007199254740992"},
		{"2026-07-28", `{"n":1.5}`, "n is 1.5"},
		{"2026-07-28", `{"n":[1]}`, "n is [1]"},
		{"2026-07-28", `{"outer":{"id":1e16}}`, "outer.id is 1e16"},
		{"2025-11-25", `{"n":9007199254740992,"outer":{"id":1.5}}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.protocol+tc.args, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-endpoint", srv.URL + "/mcp", "-protocol", tc.protocol, "-call", "put", "-args", tc.args}, noEnv, &stdout, &stderr)
			if tc.refused == "" {
				if code != 0 || stdout.String() != tc.args+"\n" {
					t.Errorf("exit %d, stdout %q, stderr %q; want exit 0 and the arguments echoed", code, stdout.String(), stderr.String())
				}
				return
			}
			header := "N"
			if strings.HasPrefix(tc.refused, "outer.") {
				header = "Id"
			}
			want := "mcp-client: " + srv.URL + "/mcp: -args: " + tc.refused + ", which cannot be sent under protocol 2026-07-28: tool put has it sent in the Mcp-Param-" + header + " header too, which holds a string, a boolean or an integer of at most 9007199254740991 in magnitude; send one of those\n"
			if code != 1 || !strings.HasSuffix(stderr.String(), want) || stdout.Len() != 0 {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and stderr ending %q", code, stdout.String(), stderr.String(), want)
			}
		})
	}
}
