package lambdamcp_test

import (
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/serve"
)

var update = flag.Bool("update", false, "rewrite the golden responses in testdata/golden")

const (
	legacy = "2025-11-25"
	modern = "2026-07-28"
)

// jsonPost is a POST of a JSON-RPC body with the headers every MCP client
// sends, plus extra ones.
func jsonPost(body string, extra ...string) httpRequest {
	h := map[string]string{
		"Content-Type": "application/json",
		"Accept":       "application/json, text/event-stream",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = extra[i+1]
	}
	return httpRequest{method: "POST", path: "/mcp", header: h, body: body}
}

const (
	modernMetaFields = `"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"test-client","version":"1.0.0"},"io.modelcontextprotocol/clientCapabilities":{}`
	modernMeta       = `"_meta":{` + modernMetaFields + `}`
)

// protocolCases are the requests every shape must answer identically; the
// expected answer of each is testdata/golden/<name>.json (with -update, the
// answers are written there instead).
// base64ToolsList is a tools/list whose event carries the body base64-encoded.
func base64ToolsList() httpRequest {
	r := jsonPost(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`, "MCP-Protocol-Version", legacy)
	r.base64 = true
	return r
}

// protocolTest is one request of the protocol test and what it is answered.
type protocolTest struct {
	name        string
	req         httpRequest
	status      int
	contentType string // "" means no body
	allow       string
	corruptBody bool // the event's base64 body is made invalid after encoding
}

var protocolCases = []protocolTest{
	{
		name:        "initialize-2025-11-25",
		req:         jsonPost(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"test-client","version":"1.0.0"}}}`),
		status:      200,
		contentType: "application/json",
	},
	{
		name:   "initialized-notification-2025-11-25",
		req:    jsonPost(`{"jsonrpc":"2.0","method":"notifications/initialized"}`, "MCP-Protocol-Version", legacy),
		status: 202,
	},
	{
		name:        "tools-list-2025-11-25",
		req:         jsonPost(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`, "MCP-Protocol-Version", legacy),
		status:      200,
		contentType: "application/json",
	},
	{
		name:        "tools-call-ping-2025-11-25",
		req:         jsonPost(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"ping","arguments":{"delay_ms":0}}}`, "MCP-Protocol-Version", legacy),
		status:      200,
		contentType: "application/json",
	},
	{
		name:        "server-discover-2026-07-28",
		req:         jsonPost(`{"jsonrpc":"2.0","id":"discover-1","method":"server/discover","params":{`+modernMeta+`}}`, "MCP-Protocol-Version", modern, "Mcp-Method", "server/discover"),
		status:      200,
		contentType: "application/json",
	},
	{
		name:        "tools-list-2026-07-28",
		req:         jsonPost(`{"jsonrpc":"2.0","id":4,"method":"tools/list","params":{`+modernMeta+`}}`, "MCP-Protocol-Version", modern, "Mcp-Method", "tools/list"),
		status:      200,
		contentType: "application/json",
	},
	{
		name:        "tools-call-ping-2026-07-28",
		req:         jsonPost(`{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"ping","arguments":{"delay_ms":0},`+modernMeta+`}}`, "MCP-Protocol-Version", modern, "Mcp-Method", "tools/call", "Mcp-Name", "ping"),
		status:      200,
		contentType: "application/json",
	},
	{
		name:        "tools-call-ping-bad-delay",
		req:         jsonPost(`{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"ping","arguments":{"delay_ms":99999}}}`, "MCP-Protocol-Version", legacy),
		status:      200,
		contentType: "application/json",
	},
	{
		name:        "missing-mcp-name-2026-07-28",
		req:         jsonPost(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"ping","arguments":{"delay_ms":0},`+modernMeta+`}}`, "MCP-Protocol-Version", modern, "Mcp-Method", "tools/call"),
		status:      400,
		contentType: "application/json",
	},
	{
		name:        "get-not-allowed",
		req:         httpRequest{method: "GET", path: "/mcp", header: map[string]string{"Accept": "text/event-stream"}},
		status:      405,
		contentType: "application/json",
		allow:       "POST",
	},
	{
		name:        "delete-not-allowed",
		req:         httpRequest{method: "DELETE", path: "/mcp", header: map[string]string{}},
		status:      405,
		contentType: "application/json",
		allow:       "POST",
	},
	{
		name:        "malformed-body",
		req:         jsonPost(`{"jsonrpc":"2.0","id":8,"method":`, "MCP-Protocol-Version", legacy),
		status:      400,
		contentType: "application/json",
	},
	{
		name:        "base64-body",
		req:         base64ToolsList(),
		status:      200,
		contentType: "application/json",
	},
	{
		name:        "invalid-base64-body",
		req:         base64ToolsList(),
		status:      400,
		contentType: "application/json",
		corruptBody: true,
	},
	{
		name:        "unknown-path",
		req:         jsonPost(`{"jsonrpc":"2.0","id":9,"method":"tools/list"}`),
		status:      404,
		contentType: "application/json",
	},
}

// newDemoHandler is the reference server behind lambdamcp, as cmd/mcp-server
// runs it on Lambda.
func newDemoHandler() *lambdamcp.Handler {
	server := demoserver.New(demoserver.Options{})
	return lambdamcp.NewHandler(serve.Routes(serve.Handler(server, nil)), nil)
}

// invokeCtx is an invocation's context as aws-lambda-go makes it: the
// request id and a deadline.
func invokeCtx(t testing.TB) context.Context {
	return invokeCtxWithin(t, 10*time.Second)
}

// invokeCtxWithin is invokeCtx with its deadline d away.
func invokeCtxWithin(t testing.TB, d time.Duration) context.Context {
	ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "test-request-id"})
	ctx, cancel := context.WithDeadline(ctx, time.Now().Add(d))
	t.Cleanup(cancel)
	return ctx
}

func TestProtocolThroughEveryShape(t *testing.T) {
	h := newDemoHandler()
	for _, tc := range protocolCases {
		golden := filepath.Join("testdata", "golden", tc.name+".json")
		for _, shape := range shapes {
			t.Run(tc.name+"/"+shape.name, func(t *testing.T) {
				req := tc.req
				if tc.name == "unknown-path" {
					req.path = "/elsewhere"
				}
				payload := shape.build(t, req)
				if tc.corruptBody {
					payload = corruptBody(t, payload)
				}
				out, err := h.Invoke(invokeCtx(t), payload)
				if err != nil {
					t.Fatalf("Invoke: %v", err)
				}
				var resp lambdaResponse
				if err := json.Unmarshal(out, &resp); err != nil {
					t.Fatalf("response is not JSON: %v\n%s", err, out)
				}
				if resp.StatusCode != tc.status {
					t.Errorf("status = %d, want %d (body %s)", resp.StatusCode, tc.status, resp.Body)
				}
				if got := resp.header("Content-Type"); tc.contentType != "" && got != tc.contentType {
					t.Errorf("Content-Type = %q, want %q", got, tc.contentType)
				}
				if got := resp.header("Allow"); got != tc.allow {
					t.Errorf("Allow = %q, want %q", got, tc.allow)
				}
				if shape.name == "alb" || shape.name == "alb-multi" {
					if want := http.StatusText(tc.status); resp.StatusDescription != fmtStatus(tc.status) {
						t.Errorf("statusDescription = %q, want %q", resp.StatusDescription, fmtStatus(tc.status)+" ("+want+")")
					}
				}
				body := resp.body(t)
				if tc.contentType == "" {
					if len(body) != 0 {
						t.Errorf("body = %q, want none", body)
					}
					return
				}
				if *update && shape.name == "rest" {
					writeGolden(t, golden, body)
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("reading golden (run with -update to create it): %v", err)
				}
				if diff := cmp.Diff(decode(t, want), decode(t, body)); diff != "" {
					t.Errorf("response body mismatch (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func fmtStatus(code int) string { return strconv.Itoa(code) + " " + http.StatusText(code) }

// corruptBody replaces the event's body with text that is not base64.
func corruptBody(t *testing.T, payload []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatal(err)
	}
	m["body"] = "not*base64!"
	return mustJSON(t, m)
}

func decode(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return v
}

func writeGolden(t *testing.T, path string, body []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, body)
	}
	pretty, _ := json.MarshalIndent(v, "", "  ")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(pretty, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
