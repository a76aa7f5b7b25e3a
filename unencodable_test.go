package lambdamcp_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// TestUnencodableResultsAnswered checks that a result of any method that
// JSON cannot hold (a NaN in a _meta the server filled, say) is answered at
// once with -32603, a fault, and that the same method's normal result is
// answered as it is: the go-sdk fails to write such a result and leaves the
// call unanswered until the request's deadline.
func TestUnencodableResultsAnswered(t *testing.T) {
	for _, tc := range []struct {
		name, method, params string
		// server registers what the method serves, unencodable if bad.
		server func(s *mcp.Server, bad bool)
		// opts are the server's options, unencodable if bad.
		opts func(bad bool) *mcp.ServerOptions
	}{
		{
			name: "prompt result _meta", method: "prompts/get", params: `{"name":"p"}`,
			server: func(s *mcp.Server, bad bool) {
				addPrompt(s, &mcp.Prompt{Name: "p"}, &mcp.GetPromptResult{Meta: nanIf(bad), Messages: []*mcp.PromptMessage{
					{Role: "user", Content: &mcp.TextContent{Text: "hi"}}}})
			},
		},
		{
			name: "prompt message _meta", method: "prompts/get", params: `{"name":"p"}`,
			server: func(s *mcp.Server, bad bool) {
				addPrompt(s, &mcp.Prompt{Name: "p"}, &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{
					{Role: "user", Content: &mcp.TextContent{Text: "hi", Meta: nanIf(bad)}}}})
			},
		},
		{
			name: "prompt message priority", method: "prompts/get", params: `{"name":"p"}`,
			server: func(s *mcp.Server, bad bool) {
				addPrompt(s, &mcp.Prompt{Name: "p"}, &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{
					{Role: "user", Content: &mcp.ImageContent{MIMEType: "image/png", Data: []byte{1},
						Annotations: &mcp.Annotations{Priority: priorityIf(bad)}}}}})
			},
		},
		{
			name: "prompt embedded resource _meta", method: "prompts/get", params: `{"name":"p"}`,
			server: func(s *mcp.Server, bad bool) {
				addPrompt(s, &mcp.Prompt{Name: "p"}, &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{
					{Role: "user", Content: &mcp.EmbeddedResource{Resource: &mcp.ResourceContents{URI: "file:///r", Text: "r", Meta: nanIf(bad)}}}}})
			},
		},
		{
			name: "resource result _meta", method: "resources/read", params: `{"uri":"file:///r"}`,
			server: func(s *mcp.Server, bad bool) {
				addResource(s, &mcp.ReadResourceResult{Meta: nanIf(bad), Contents: []*mcp.ResourceContents{{URI: "file:///r", Text: "r"}}})
			},
		},
		{
			name: "resource contents _meta", method: "resources/read", params: `{"uri":"file:///r"}`,
			server: func(s *mcp.Server, bad bool) {
				addResource(s, &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: "file:///r", Text: "r", Meta: nanIf(bad)}}})
			},
		},
		{
			name: "listed prompt _meta", method: "prompts/list", params: `{}`,
			server: func(s *mcp.Server, bad bool) {
				addPrompt(s, &mcp.Prompt{Name: "p", Meta: nanIf(bad)}, &mcp.GetPromptResult{})
			},
		},
		{
			name: "listed resource priority", method: "resources/list", params: `{}`,
			server: func(s *mcp.Server, bad bool) {
				s.AddResource(&mcp.Resource{URI: "file:///r", Name: "r", Annotations: &mcp.Annotations{Priority: priorityIf(bad)}},
					func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) { return nil, nil })
			},
		},
		{
			name: "listed template _meta", method: "resources/templates/list", params: `{}`,
			server: func(s *mcp.Server, bad bool) {
				s.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: "file:///{name}", Name: "t", Meta: nanIf(bad)},
					func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) { return nil, nil })
			},
		},
		{
			name: "listed tool _meta", method: "tools/list", params: `{}`,
			server: func(s *mcp.Server, bad bool) {
				s.AddTool(&mcp.Tool{Name: "t", InputSchema: json.RawMessage(`{"type":"object"}`), Meta: nanIf(bad)},
					func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) { return text("ok"), nil })
			},
		},
		{
			name: "completion _meta", method: "completion/complete",
			params: `{"ref":{"type":"ref/prompt","name":"p"},"argument":{"name":"a","value":"x"}}`,
			opts: func(bad bool) *mcp.ServerOptions {
				return &mcp.ServerOptions{CompletionHandler: func(context.Context, *mcp.CompleteRequest) (*mcp.CompleteResult, error) {
					return &mcp.CompleteResult{Meta: nanIf(bad), Completion: mcp.CompletionResultDetails{Values: []string{"xy"}}}, nil
				}}
			},
		},
		{
			name: "initialize experimental capability", method: "initialize",
			params: `{"protocolVersion":"` + legacy + `","capabilities":{},"clientInfo":{"name":"c","version":"1"}}`,
			opts: func(bad bool) *mcp.ServerOptions {
				return &mcp.ServerOptions{Capabilities: &mcp.ServerCapabilities{Experimental: map[string]any{"x": map[string]any{"v": priorityIf(bad)}}}}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, bad := range []bool{false, true} {
				var opts *mcp.ServerOptions
				if tc.opts != nil {
					opts = tc.opts(bad)
				}
				s := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, opts)
				s.AddReceivingMiddleware(lambdamcp.Middleware())
				if tc.server != nil {
					tc.server(s, bad)
				}
				tr := &resultTracer{}
				h := lambdamcp.Guard(streamable(s), &lambdamcp.Options{JSONResponse: true, Tracer: tr})
				// Unanswered, the call would end at this deadline with a timeout error.
				ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
				defer cancel()
				ans := serveMethod(ctx, t, h, tc.method, tc.params)
				if ctx.Err() != nil {
					t.Fatalf("bad %v: answered %+v only at the deadline", bad, ans)
				}
				tr.mu.Lock()
				got := tr.last
				tr.mu.Unlock()
				if !bad {
					if ans.Error != nil || len(ans.Result) == 0 || got.Outcome != lambdamcp.OutcomeOK || got.ErrorCode != "" {
						t.Errorf("normal result: answered %+v, outcome %q code %q, want the result", ans, got.Outcome, got.ErrorCode)
					}
					continue
				}
				want := &answerError{Code: -32603, Message: "the " + tc.method + " result cannot be encoded as JSON"}
				if diff := cmp.Diff(want, ans.Error); diff != "" || len(ans.Result) != 0 {
					t.Errorf("unencodable result: error (-want +got):\n%s\nresult %s", diff, ans.Result)
				}
				// What makes a tool call's answer a fault: an error, -32603.
				if got.Outcome != lambdamcp.OutcomeError || got.ErrorCode != "-32603" {
					t.Errorf("unencodable result: outcome %q code %q, want %q -32603", got.Outcome, got.ErrorCode, lambdamcp.OutcomeError)
				}
			}
		})
	}
}

type answerError struct {
	Code    int
	Message string
}

// methodAnswer is a JSON-RPC response, as far as these tests read it.
type methodAnswer struct {
	Result json.RawMessage
	Error  *answerError
}

// serveMethod serves one 2025-11-25 call of method through h, with ctx as
// the request's context, and decodes its answer.
func serveMethod(ctx context.Context, t *testing.T, h http.Handler, method, params string) methodAnswer {
	t.Helper()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/mcp",
		strings.NewReader(`{"jsonrpc":"2.0","id":7,"method":"`+method+`","params":`+params+`}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", legacy)
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, req)
	var ans methodAnswer
	if err := json.Unmarshal(rr.Body.Bytes(), &ans); err != nil {
		t.Fatalf("%s: answered %d %s: %v", method, rr.Code, rr.Body, err)
	}
	return ans
}

// nanIf is a _meta holding a NaN if bad, and a number JSON holds if not.
func nanIf(bad bool) mcp.Meta {
	if bad {
		return mcp.Meta{"v": math.NaN()}
	}
	return mcp.Meta{"v": 1.5}
}

// priorityIf is an infinite priority if bad, and a valid one if not.
func priorityIf(bad bool) float64 {
	if bad {
		return math.Inf(1)
	}
	return 0.5
}

func addPrompt(s *mcp.Server, p *mcp.Prompt, res *mcp.GetPromptResult) {
	s.AddPrompt(p, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) { return res, nil })
}

func addResource(s *mcp.Server, res *mcp.ReadResourceResult) {
	s.AddResource(&mcp.Resource{URI: "file:///r", Name: "r"}, func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		return res, nil
	})
}
