//lint:file-ignore SA1019 sampling and roots are deprecated from 2026-07-28, and a server may still send them

package lambdamcp

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// customResult is a result type of a server's own, which unencodable does
// not know.
type customResult struct {
	mcp.ResultBase
	Score float64 `json:"score"`
}

// TestUnencodableShapes checks, result by result, that unencodable finds
// what json.Marshal cannot encode, however deep, and nothing else.
func TestUnencodableShapes(t *testing.T) {
	nan := math.NaN()
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	deep := func(leaf any) map[string]any {
		m := map[string]any{"v": leaf}
		for range 2 * maxWalkDepth {
			m = map[string]any{"m": []any{m}}
		}
		return m
	}
	text := func(c mcp.Content) *mcp.CallToolResult { return &mcp.CallToolResult{Content: []mcp.Content{c}} }
	nested := func(leaf mcp.Content) *mcp.ToolResultContent {
		c := &mcp.ToolResultContent{Content: []mcp.Content{leaf}}
		for range maxWalkDepth + 8 {
			c = &mcp.ToolResultContent{Content: []mcp.Content{c}}
		}
		return c
	}
	for _, tc := range []struct {
		name   string
		method string
		res    mcp.Result
		want   bool
	}{
		{"no result", "notifications/initialized", nil, false},
		{"nil tool result", "tools/call", (*mcp.CallToolResult)(nil), false},
		{"text", "tools/call", text(&mcp.TextContent{Text: "x"}), false},
		{"no content", "tools/call", text(nil), false},
		{"nil content", "tools/call", text((*mcp.TextContent)(nil)), true},
		{"nil audio", "prompts/get", &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: "user", Content: (*mcp.AudioContent)(nil)}}}, true},
		{"plain _meta", "tools/call", &mcp.CallToolResult{Meta: mcp.Meta{"s": "x", "n": 1.5, "l": []any{true, nil}, "m": map[string]any{"i": 3}}}, false},
		{"NaN _meta", "tools/call", &mcp.CallToolResult{Meta: mcp.Meta{"n": nan}}, true},
		{"float32 infinity", "tools/call", &mcp.CallToolResult{Meta: mcp.Meta{"n": float32(math.Inf(1))}}, true},
		{"deep and plain", "tools/call", &mcp.CallToolResult{StructuredContent: deep(1)}, false},
		{"deep NaN", "tools/call", &mcp.CallToolResult{StructuredContent: deep(nan)}, true},
		{"cycle", "tools/call", &mcp.CallToolResult{StructuredContent: cyclic}, true},
		{"struct", "tools/call", &mcp.CallToolResult{StructuredContent: struct{ N float64 }{1}}, false},
		{"struct NaN", "tools/call", &mcp.CallToolResult{StructuredContent: struct{ N float64 }{nan}}, true},
		{"valid raw", "tools/call", &mcp.CallToolResult{StructuredContent: json.RawMessage(`{"a":1}`)}, false},
		{"nil raw", "tools/call", &mcp.CallToolResult{Meta: mcp.Meta{"r": json.RawMessage(nil)}}, false},
		{"raw in _meta", "tools/call", &mcp.CallToolResult{Meta: mcp.Meta{"r": json.RawMessage(`{`)}}, true},
		{"bad number", "tools/call", &mcp.CallToolResult{Meta: mcp.Meta{"n": json.Number("one")}}, true},
		{"a func", "tools/call", &mcp.CallToolResult{Meta: mcp.Meta{"f": func() {}}}, true},
		{"priority", "tools/call", text(&mcp.AudioContent{Annotations: &mcp.Annotations{Priority: math.Inf(1)}}), true},
		{"link _meta", "tools/call", text(&mcp.ResourceLink{URI: "file:///r", Meta: mcp.Meta{"n": nan}}), true},
		{"embedded contents _meta", "tools/call", text(&mcp.EmbeddedResource{Resource: &mcp.ResourceContents{URI: "file:///r", Meta: mcp.Meta{"n": nan}}}), true},
		{"embedded, no text or blob", "tools/call", text(&mcp.EmbeddedResource{Resource: &mcp.ResourceContents{URI: "file:///r"}}), false},
		{"tool use input", "tools/call", text(&mcp.ToolUseContent{ID: "1", Name: "t", Input: map[string]any{"n": nan}}), true},
		{"tool result block", "tools/call", text(&mcp.ToolResultContent{ToolUseID: "u", Content: []mcp.Content{&mcp.TextContent{Text: "x"}}}), false},
		{"tool result block holding a nil content pointer", "tools/call", text(&mcp.ToolResultContent{ToolUseID: "u", Content: []mcp.Content{(*mcp.TextContent)(nil)}}), true},
		{"tool result block holding a nil tool result block", "prompts/get", &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: "user", Content: &mcp.ToolResultContent{ToolUseID: "u", Content: []mcp.Content{(*mcp.ToolResultContent)(nil)}}}}}, true},
		{"tool result block holding a NaN _meta", "tools/call", text(&mcp.ToolResultContent{ToolUseID: "u", Content: []mcp.Content{&mcp.ToolResultContent{Content: []mcp.Content{&mcp.TextContent{Meta: mcp.Meta{"n": nan}}}}}}), true},
		{"tool result block's own NaN _meta", "tools/call", text(&mcp.ToolResultContent{ToolUseID: "u", Meta: mcp.Meta{"n": nan}}), true},
		{"tool result block's structured content NaN", "tools/call", text(&mcp.ToolResultContent{ToolUseID: "u", StructuredContent: map[string]any{"n": nan}}), true},
		{"input request", "tools/call", &mcp.CallToolResult{InputRequests: mcp.InputRequestMap{"1": &mcp.ElicitParams{Message: "m", RequestedSchema: map[string]any{"type": "object"}}}}, false},
		{"input request NaN", "tools/call", &mcp.CallToolResult{InputRequests: mcp.InputRequestMap{"1": &mcp.ElicitParams{Message: "m", RequestedSchema: map[string]any{"maximum": nan}}}}, true},
		{"sampled message", "tools/call", &mcp.CallToolResult{InputRequests: mcp.InputRequestMap{"1": &mcp.CreateMessageParams{MaxTokens: 8,
			Messages: []*mcp.SamplingMessage{{Role: "user", Content: &mcp.TextContent{Text: "x"}}}}}}, false},
		{"sampled nil content pointer", "tools/call", &mcp.CallToolResult{InputRequests: mcp.InputRequestMap{"1": &mcp.CreateMessageParams{MaxTokens: 8,
			Messages: []*mcp.SamplingMessage{{Role: "user", Content: (*mcp.TextContent)(nil)}}}}}, true},
		{"sampled nil content pointers", "prompts/get", &mcp.GetPromptResult{InputRequests: mcp.InputRequestMap{"1": &mcp.CreateMessageWithToolsParams{MaxTokens: 8,
			Messages: []*mcp.SamplingMessageV2{{Role: "user", Content: []mcp.Content{&mcp.TextContent{Text: "x"}, (*mcp.ImageContent)(nil)}}}}}}, true},
		{"sampled tool result block holding a nil content pointer", "resources/read", &mcp.ReadResourceResult{InputRequests: mcp.InputRequestMap{"1": &mcp.CreateMessageParams{MaxTokens: 8,
			Messages: []*mcp.SamplingMessage{{Role: "user", Content: &mcp.ToolResultContent{Content: []mcp.Content{(*mcp.TextContent)(nil)}}}}}}}, true},
		// Nested past the walk's depth, a nil among the blocks is found
		// without their MarshalJSON, which panics on it.
		{"nested tool result blocks holding a nil content pointer", "tools/call", text(nested((*mcp.TextContent)(nil))), true},
		{"nested tool result blocks holding a nil block", "prompts/get", &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: "user", Content: nested(nil)}}}, true},
		{"sampled nested tool result blocks holding a nil content pointer", "tools/call", &mcp.CallToolResult{InputRequests: mcp.InputRequestMap{"1": &mcp.CreateMessageWithToolsParams{MaxTokens: 8,
			Messages: []*mcp.SamplingMessageV2{{Role: "user", Content: []mcp.Content{nested((*mcp.AudioContent)(nil))}}}}}}, true},
		{"nil input request", "prompts/get", &mcp.GetPromptResult{InputRequests: mcp.InputRequestMap{"1": nil}}, true},
		{"prompt", "prompts/get", &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{nil, {Role: "user", Content: &mcp.TextContent{Text: "x"}}}}, false},
		{"prompt message _meta", "prompts/get", &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: "user", Content: &mcp.ImageContent{Meta: mcp.Meta{"n": nan}}}}}, true},
		{"resource", "resources/read", &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{nil, {URI: "file:///r", Text: "r"}}}, false},
		{"resource _meta", "resources/read", &mcp.ReadResourceResult{Meta: mcp.Meta{"n": nan}}, true},
		{"tools", "tools/list", &mcp.ListToolsResult{Tools: []*mcp.Tool{nil, {Name: "t", Meta: mcp.Meta{"ui": "x"}}}}, false},
		{"tool _meta", "tools/list", &mcp.ListToolsResult{Tools: []*mcp.Tool{{Name: "t", Meta: mcp.Meta{"n": nan}}}}, true},
		{"prompts _meta", "prompts/list", &mcp.ListPromptsResult{Meta: mcp.Meta{"n": nan}}, true},
		{"resource template priority", "resources/templates/list", &mcp.ListResourceTemplatesResult{ResourceTemplates: []*mcp.ResourceTemplate{{Annotations: &mcp.Annotations{Priority: nan}}}}, true},
		{"resource _meta listed", "resources/list", &mcp.ListResourcesResult{Resources: []*mcp.Resource{{Meta: mcp.Meta{"n": nan}}}}, true},
		{"completion _meta", "completion/complete", &mcp.CompleteResult{Meta: mcp.Meta{"n": nan}}, true},
		{"listen _meta", "subscriptions/listen", &mcp.SubscriptionsListenResult{Meta: mcp.Meta{"n": nan}}, true},
		{"initialize", "initialize", &mcp.InitializeResult{Capabilities: &mcp.ServerCapabilities{Extensions: map[string]any{"x/y": map[string]any{}}}}, false},
		{"extension NaN", "server/discover", &mcp.DiscoverResult{Capabilities: &mcp.ServerCapabilities{Extensions: map[string]any{"x/y": map[string]any{"n": nan}}}}, true},
		{"custom", "x/custom", &customResult{Score: 1}, false},
		{"custom NaN", "x/custom", &customResult{Score: nan}, true},
		{"custom _meta NaN", "x/custom", &customResult{ResultBase: mcp.ResultBase{Meta: mcp.Meta{"n": nan}}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := unencodable(tc.method, tc.res); got != tc.want {
				t.Errorf("unencodable = %v, want %v", got, tc.want)
			}
			if err := marshal(tc.res); (err != nil) != tc.want {
				t.Errorf("json.Marshal: %v, and the case wants unencodable %v", err, tc.want)
			}
		})
	}
}

// TestToolResultCycleUnencodable checks that a tool result block that
// holds itself is answered as unencodable, and that the check ends: the
// block's MarshalJSON calls its blocks' own, past encoding/json's check
// for cycles, and would recurse until the stack overflows, which ends the
// process.
func TestToolResultCycleUnencodable(t *testing.T) {
	// A check that does not end fails here, not a gigabyte of stack on.
	defer debug.SetMaxStack(debug.SetMaxStack(64 << 20))
	self := &mcp.ToolResultContent{ToolUseID: "u"}
	self.Content = []mcp.Content{&mcp.TextContent{Text: "x"}, self}
	for _, tc := range []struct {
		method string
		res    mcp.Result
	}{
		{"tools/call", &mcp.CallToolResult{Content: []mcp.Content{self}}},
		{"prompts/get", &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: "user", Content: self}}}},
		{"resources/read", &mcp.ReadResourceResult{InputRequests: mcp.InputRequestMap{"1": &mcp.CreateMessageParams{MaxTokens: 8,
			Messages: []*mcp.SamplingMessage{{Role: "user", Content: self}}}}}},
	} {
		if !unencodable(tc.method, tc.res) {
			t.Errorf("%s: unencodable = false for a tool result block that holds itself", tc.method)
		}
		if part := badPart(tc.res); part != "" {
			t.Errorf("%s: badPart = %q, want none", tc.method, part)
		}
	}
}

// marshal is json.Marshal's error, or its panic as one.
func marshal(v any) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	_, err = json.Marshal(v)
	return err
}

// TestEncodableWithoutEncoding checks that the results of the busiest
// methods, with _meta a server commonly sets, are checked without an
// allocation: none is encoded an extra time.
func TestEncodableWithoutEncoding(t *testing.T) {
	ui := mcp.Meta{"ui": map[string]any{"resourceUri": "ui://x", "prefersBorder": true, "width": 1.5}}
	for _, tc := range []struct {
		method string
		res    mcp.Result
	}{
		{"tools/list", &mcp.ListToolsResult{Tools: []*mcp.Tool{{Name: "a", Meta: ui}, {Name: "b", InputSchema: map[string]any{"type": "object"}}}}},
		{"tools/call", &mcp.CallToolResult{Meta: ui, Content: []mcp.Content{&mcp.TextContent{Text: "x"}}, StructuredContent: json.RawMessage(`{"a":1}`)}},
		{"initialize", &mcp.InitializeResult{Capabilities: &mcp.ServerCapabilities{Extensions: map[string]any{"x/y": map[string]any{}}}, ServerInfo: &mcp.Implementation{Name: "s"}}},
		{"server/discover", &mcp.DiscoverResult{Capabilities: &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{}}}},
		{"ping", pingResult(t)},
	} {
		// Averaged over many calls: under the race detector sync.Pool
		// drops a quarter of what is put back, so json.Valid now and then
		// makes a new scanner (a fraction of an allocation a call), while
		// encoding a result once more costs every call at least one
		// allocation, json.Marshal's copy of what it wrote.
		if allocs := testing.AllocsPerRun(1000, func() { unencodable(tc.method, tc.res) }); allocs != 0 || unencodable(tc.method, tc.res) {
			t.Errorf("%s: unencodable %v, %v allocations, want false and none", tc.method, unencodable(tc.method, tc.res), allocs)
		}
	}
}

// pingResult is the result the go-sdk answers a ping with, of a type it
// does not export.
func pingResult(t *testing.T) mcp.Result {
	t.Helper()
	s := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, nil)
	var res mcp.Result
	s.AddReceivingMiddleware(func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			r, err := next(ctx, method, req)
			if method == "ping" {
				res = r
			}
			return r, err
		}
	})
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, &mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true})
	req := httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2025-11-25")
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, req)
	if res == nil {
		t.Fatalf("ping answered %d %s, and the server saw no result", rr.Code, rr.Body)
	}
	return res
}
