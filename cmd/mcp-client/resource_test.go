package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp/serve"
)

// methodErrorServer serves a go-sdk server with the resource docs://readme,
// answering requests for method with the JSON-RPC error code and message
// instead.
func methodErrorServer(t *testing.T, method string, code int, message string) string {
	t.Helper()
	server := mcp.NewServer(&mcp.Implementation{Name: "own", Version: "1.0.0"}, nil)
	server.AddResource(&mcp.Resource{URI: "docs://readme", Name: "readme"}, func(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: req.Params.URI, Text: "read me"}}}, nil
	})
	h := serve.Routes(serve.Handler(server, nil))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var msg struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		if json.Unmarshal(body, &msg) != nil || msg.Method != method {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"error":{"code":%d,"message":%q}}`, msg.ID, code, message)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/mcp"
}

// TestListResourcesFailures checks what the default story makes of a
// server that fails to list its resources: a failure of the run, named
// by its step, except a server that does not know resources/templates/list,
// which the resources capability covers, but which a server without
// templates may leave out.
func TestListResourcesFailures(t *testing.T) {
	for _, tc := range []struct {
		name, method string
		code         int
		message      string
		exit         int
		out, errOut  string
	}{
		{"templates unknown", "resources/templates/list", -32601, "Method not found", 0, "Resources (1):\n  - docs://readme (readme)\n", ""},
		{"templates fail", "resources/templates/list", -32603, "boom", 1, "Resources (1):", "listing resource templates: server error -32603: boom"},
		{"resources fail", "resources/list", -32603, "boom", 1, "Tools (0):", "listing resources: server error -32603: boom"},
	} {
		endpoint := methodErrorServer(t, tc.method, tc.code, tc.message)
		for _, protocol := range []string{"2026-07-28", "2025-11-25"} {
			t.Run(tc.name+"/"+protocol, func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				code := run(t.Context(), []string{"-endpoint", endpoint, "-protocol", protocol}, noEnv, &stdout, &stderr)
				if code != tc.exit || !strings.Contains(stdout.String(), tc.out) || !strings.Contains(stderr.String(), tc.errOut) {
					t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, %q and %q", code, stdout.String(), stderr.String(), tc.exit, tc.out, tc.errOut)
				}
				if strings.Contains(stdout.String(), "Resource templates") {
					t.Errorf("stdout %q lists templates the server has none of", stdout.String())
				}
			})
		}
	}
}
