package lambdamcp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// TestRequestLogLine checks what an operator reads of each kind of answer
// on the request's log line: the JSON-RPC error code, whoever answered it,
// and the protocol version, the one an initialize agreed included; and a
// level that tells the server's failures (WARN, ERROR for a panic: what
// the Faults metric counts) from a client's mistakes and a tool's own
// isError results (INFO), whatever the HTTP status, but for a 5xx, WARN
// whatever the outcome.
func TestRequestLogLine(t *testing.T) {
	server, _ := newHardServer(t)
	for name, err := range map[string]error{
		"db":       errors.New("the database is down"), // the go-sdk answers code 0
		"internal": &jsonrpc.Error{Code: -32603, Message: "internal"},
		"picky":    &jsonrpc.Error{Code: -32602, Message: "no such row"},
	} {
		server.AddTool(&mcp.Tool{Name: name, InputSchema: json.RawMessage(`{"type":"object"}`)}, func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return nil, err
		})
	}
	modernCall := func(tool, args string) httpRequest {
		return jsonPost(`{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"`+tool+`","arguments":`+args+`,`+modernMeta+`}}`,
			"MCP-Protocol-Version", modern, "Mcp-Method", "tools/call", "Mcp-Name", tool)
	}
	// Of the line, only what these fields say; absent ones are nil.
	type line struct {
		Level, Outcome, ProtocolVersion string
		ErrorCode                       any
	}
	for _, tc := range []struct {
		name string
		req  httpRequest
		want line
	}{
		{"result", call("echo", `{"bytes":1}`), line{"INFO", "ok", legacy, nil}},
		{"result 2026-07-28", modernCall("echo", `{"bytes":1}`), line{"INFO", "ok", modern, nil}},
		{"initialize", jsonPost(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}`),
			line{"INFO", "ok", legacy, nil}},
		{"tool's isError result", call("echo", `{"bytes":"many"}`), line{"INFO", "error", legacy, nil}},
		{"client's mistake", call("picky", `{}`), line{"INFO", "error", legacy, float64(-32602)}},
		{"unknown tool 2026-07-28", modernCall("nosuch", `{}`), line{"INFO", "error", modern, float64(-32602)}},
		{"malformed JSON", jsonPost(`{"jsonrpc":"2.0","id":1,"method":`, "MCP-Protocol-Version", legacy), line{"INFO", "rejected", legacy, float64(-32700)}},
		{"internal error", call("internal", `{}`), line{"WARN", "error", legacy, float64(-32603)}},
		{"error without a code", call("db", `{}`), line{"WARN", "error", legacy, float64(0)}},
		{"panic", call("boom", `{}`), line{"ERROR", "panic", legacy, float64(-32603)}},
		// Refused before the go-sdk sees them: the version is the one the
		// request names, if the go-sdk serves it.
		{"refused: too large", jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"pad":"`+strings.Repeat("x", 4<<20)+`"}}`, "MCP-Protocol-Version", legacy),
			line{"INFO", "rejected", legacy, float64(-32600)}},
		{"refused: Accept", jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, "MCP-Protocol-Version", modern, "Mcp-Method", "tools/list", "Accept", "text/html"),
			line{"INFO", "rejected", modern, float64(-32600)}},
		// A 5xx is the server's to look at, refused or not.
		{"refused: 501", jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, "MCP-Protocol-Version", legacy, "Transfer-Encoding", "gzip"),
			line{"WARN", "rejected", legacy, float64(-32600)}},
		{"refused: a version served in no era", jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, "MCP-Protocol-Version", "1999-01-01"),
			line{"INFO", "rejected", "", float64(-32022)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			invokeAs(t, lambdamcp.NewHandler(streamable(server), hardOptions(&logs)), "req-line", tc.req)
			lines := logLines(t, logs.Bytes())
			if len(lines) != 1 {
				t.Fatalf("%d log lines, want 1:\n%s", len(lines), logs.Bytes())
			}
			l := lines[0]
			version, _ := l["protocol_version"].(string)
			got := line{Level: l["level"].(string), Outcome: l["outcome"].(string), ProtocolVersion: version, ErrorCode: l["error_code"]}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("log line (-want +got):\n%s\n%s", diff, logs.Bytes())
			}
		})
	}
}

// TestRequestLogLineClient checks that the request's log line names the
// client software as it names itself, where the request says: every
// 2026-07-28 request's _meta (server/discover's included), a 2025-11-25
// initialize; and cuts a name or a version the client made long.
func TestRequestLogLineClient(t *testing.T) {
	server, _ := newHardServer(t)
	long := strings.Repeat("n", 200)
	modern := func(meta string) httpRequest {
		return jsonPost(`{"jsonrpc":"2.0","id":5,"method":"tools/list","params":{"_meta":{`+meta+`}}}`,
			"MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/list")
	}
	const version = `"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}`
	for _, tc := range []struct {
		name string
		req  httpRequest
		want any
	}{
		{"2026-07-28", modern(version + `,"io.modelcontextprotocol/clientInfo":{"name":"claude-ai","version":"0.1.0"}`), "claude-ai/0.1.0"},
		{"2026-07-28 without a version", modern(version + `,"io.modelcontextprotocol/clientInfo":{"name":"claude-ai","version":""}`), "claude-ai"},
		{"2026-07-28 without clientInfo", modern(version), nil},
		{"2026-07-28 server/discover", jsonPost(`{"jsonrpc":"2.0","id":5,"method":"server/discover","params":{"_meta":{`+version+`,"io.modelcontextprotocol/clientInfo":{"name":"claude-ai","version":"0.1.0"}}}}`,
			"MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "server/discover"), "claude-ai/0.1.0"},
		{"2026-07-28, a long name", modern(version + `,"io.modelcontextprotocol/clientInfo":{"name":"` + long + `","version":"1"}`), long[:128] + "…/1"},
		{"2026-07-28, a long version", modern(version + `,"io.modelcontextprotocol/clientInfo":{"name":"c","version":"` + long + `"}`), "c/" + long[:128] + "…"},
		{"initialize", jsonPost(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"inspector","version":"2.12.0"}}}`),
			"inspector/2.12.0"},
		{"2025-11-25 after the handshake", call("echo", `{"bytes":1}`), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			invokeAs(t, lambdamcp.NewHandler(streamable(server), hardOptions(&logs)), "req-client", tc.req)
			lines := logLines(t, logs.Bytes())
			if len(lines) != 1 {
				t.Fatalf("%d log lines, want 1:\n%s", len(lines), logs.Bytes())
			}
			if got := lines[0]["client"]; got != tc.want {
				t.Errorf("client = %v, want %v\n%s", got, tc.want, logs.Bytes())
			}
		})
	}
}

// TestRequestLogLinePath checks that the request's log line cuts a path
// the client made long, as it cuts the tool and client names: a gateway
// passes paths of kilobytes, and every line would repeat one in full.
func TestRequestLogLinePath(t *testing.T) {
	server, _ := newHardServer(t)
	long := "/mcp/" + strings.Repeat("p", 10<<10)
	for _, tc := range []struct {
		name, path, want string
	}{
		{"short", "/mcp", "/mcp"},
		{"long", long, long[:512] + "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			req := call("echo", `{"bytes":1}`)
			req.path = tc.path
			h := lambdamcp.NewHandler(streamable(server), hardOptions(&logs))
			ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req-path"})
			if _, err := h.Invoke(ctx, restEvent(t, req)); err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			lines := logLines(t, logs.Bytes())
			if len(lines) != 1 {
				t.Fatalf("%d log lines, want 1:\n%.2000s", len(lines), logs.Bytes())
			}
			if got, _ := lines[0]["path"].(string); got != tc.want {
				t.Errorf("path of %d bytes, want %d: %.40s…", len(got), len(tc.want), got)
			}
		})
	}
}

// TestRequestLogLineMethod checks that the request's log line cuts an HTTP
// method the client made long, as it cuts the path: a Function URL or an
// ALB passes on a method of the client's invention, refused but logged.
func TestRequestLogLineMethod(t *testing.T) {
	server, _ := newHardServer(t)
	long := strings.Repeat("M", 10<<10)
	for _, tc := range []struct {
		name, method, want string
	}{
		{"short", "POST", "POST"},
		{"long", long, long[:64] + "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			req := call("echo", `{"bytes":1}`)
			req.method = tc.method
			h := lambdamcp.NewHandler(streamable(server), hardOptions(&logs))
			ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req-method"})
			if _, err := h.Invoke(ctx, restEvent(t, req)); err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			lines := logLines(t, logs.Bytes())
			if len(lines) != 1 {
				t.Fatalf("%d log lines, want 1:\n%.2000s", len(lines), logs.Bytes())
			}
			if got, _ := lines[0]["method"].(string); got != tc.want {
				t.Errorf("method of %d bytes, want %d: %.40s…", len(got), len(tc.want), got)
			}
		})
	}
}

// TestRequestLogLineRejectedEvent checks that an event that makes no
// request at all (a method that is no token) is answered 400 with a
// JSON-RPC error, and logged as a rejected request, like those the guard
// refuses, with the gateway's request id that joins it to the access
// log's line; and that its log line cuts the error it repeats: net/http
// quotes a method it refuses whole, and the method is the client's, of
// any size.
func TestRequestLogLineRejectedEvent(t *testing.T) {
	server, _ := newHardServer(t)
	for _, tc := range []struct {
		name, method string
	}{
		{"short", "BAD METHOD"},
		{"long", "BAD " + strings.Repeat("M", 10<<10)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			req := call("echo", `{"bytes":1}`)
			req.method = tc.method
			h := lambdamcp.NewHandler(streamable(server), hardOptions(&logs))
			ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req-rejected"})
			out, err := h.Invoke(ctx, restEvent(t, req))
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			var resp lambdaResponse
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatalf("response is not JSON: %v", err)
			}
			checkAnswer(t, resp.StatusCode, resp.header("Content-Type"), resp.body(t), http.StatusBadRequest, -32600, "invalid method", "", "")
			lines := logLines(t, logs.Bytes())
			if len(lines) != 1 {
				t.Fatalf("%d log lines, want 1:\n%.2000s", len(lines), logs.Bytes())
			}
			got, _ := lines[0]["error"].(string)
			if !strings.Contains(got, "invalid method") {
				t.Fatalf("error %.100q, want one about the method", got)
			}
			if len(got) > 1024+len("…") {
				t.Errorf("error of %d bytes, want at most 1 KiB: %.40s…", len(got), got)
			}
			delete(lines[0], "time")
			delete(lines[0], "error")
			want := map[string]any{"level": "INFO", "msg": "request", "shape": "rest", "gateway_request_id": "deef4878-7910-11e6-8f14-25afc3e9ae33",
				"status": 400.0, "outcome": lambdamcp.OutcomeRejected, "request_id": "req-rejected"}
			if diff := cmp.Diff(want, lines[0]); diff != "" {
				t.Errorf("log line (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRequestLogLineEscapesControls checks that the request's log line
// writes as escapes the characters of what the client chose that a log
// viewer or a terminal would not show as written: DEL, the C1 controls,
// the bidi controls that reorder the rest of the line and the line and
// paragraph separators, which the JSON handler passes on raw; and that it
// leaves ordinary text in other scripts as it is.
func TestRequestLogLineEscapesControls(t *testing.T) {
	server, _ := newHardServer(t)
	const hostile = "evil\u202etxt.exe\u0085x\x7fy\u2028z"
	const escaped = `evil\u202etxt.exe\u0085x\x7fy\u2028z`
	toolCall := call(hostile, `{}`)
	toolCall.path = "/mcp/\u202e\u0085"
	listing := jsonPost(`{"jsonrpc":"2.0","id":5,"method":"tools/list","params":{"_meta":{`+
		`"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},`+
		`"io.modelcontextprotocol/clientInfo":{"name":"`+hostile+`","version":"é日本"}}}}`,
		"MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/list")
	for _, tc := range []struct {
		name string
		req  httpRequest
		want map[string]any
	}{
		{"tool and path", toolCall, map[string]any{"tool": escaped, "path": `/mcp/\u202e\u0085`}},
		{"client", listing, map[string]any{"client": escaped + "/é日本"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := lambdamcp.NewHandler(streamable(server), hardOptions(&logs))
			ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req-escape"})
			if _, err := h.Invoke(ctx, restEvent(t, tc.req)); err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			lines := logLines(t, logs.Bytes())
			if len(lines) != 1 {
				t.Fatalf("%d log lines, want 1:\n%s", len(lines), logs.Bytes())
			}
			for field, want := range tc.want {
				if got := lines[0][field]; got != want {
					t.Errorf("%s = %q, want %q", field, got, want)
				}
			}
		})
	}
}

// TestRejectedEventLogLineEscaped checks that the line of an event that
// makes no request at all, a method net/http refuses, repeats the method
// escaped, as the request's line writes what the client chose: no bidi
// control raw, and a backslash the client sent told apart from an escape.
func TestRejectedEventLogLineEscaped(t *testing.T) {
	server, _ := newHardServer(t)
	req := call("echo", `{}`)
	req.method = "GET\u202e\\u202e\u0085"
	var logs bytes.Buffer
	h := lambdamcp.NewHandler(streamable(server), hardOptions(&logs))
	ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req-method"})
	if _, err := h.Invoke(ctx, restEvent(t, req)); err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	lines := logLines(t, logs.Bytes())
	if len(lines) != 1 || lines[0]["outcome"] != "rejected" {
		t.Fatalf("log = %v, want one rejected request", lines)
	}
	got, _ := lines[0]["error"].(string)
	if want := `"GET\u202e\\u202e\u0085"`; !strings.Contains(got, want) {
		t.Errorf("error = %q, want it to hold %q", got, want)
	}
}
