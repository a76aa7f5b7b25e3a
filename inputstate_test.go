package lambdamcp_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// TestStateAloneAsksForInput checks that a 2026-07-28 result holding a
// request state without input requests, which the spec has ask for input
// and the go-sdk sends as complete, is sent as one asking for input, with
// empty input requests, the handler's result left as it is; that one
// holding an answer beside its state is answered with an internal error
// naming it; that a resource's nil contents or no result, which the
// go-sdk answers in every era with an error of no code before Middleware
// sees the result, get -32603; and that a 2025-11-25 result, of an era
// without results asking for input, is sent as it is.
func TestStateAloneAsksForInput(t *testing.T) {
	hi := []mcp.Content{&mcp.TextContent{Text: "hi"}}
	for _, tc := range []struct {
		name, era, method string
		tool              *mcp.CallToolResult
		prompt            *mcp.GetPromptResult
		resource          *mcp.ReadResourceResult
		message           string // "" for a result asking for input
	}{
		{name: "tool", era: modern, method: "tools/call", tool: &mcp.CallToolResult{RequestState: "st"}},
		{name: "prompt", era: modern, method: "prompts/get", prompt: &mcp.GetPromptResult{Description: "d", RequestState: "st"}},
		{name: "resource", era: modern, method: "resources/read", resource: &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{}, RequestState: "st"}},

		{name: "tool with content", era: modern, method: "tools/call", tool: &mcp.CallToolResult{Content: hi, RequestState: "st"},
			message: "the tool's result holds a request state beside content, without input requests"},
		{name: "tool with structured content", era: modern, method: "tools/call", tool: &mcp.CallToolResult{StructuredContent: map[string]any{}, RequestState: "st"},
			message: "the tool's result holds a request state beside content, without input requests"},
		{name: "tool error", era: modern, method: "tools/call", tool: &mcp.CallToolResult{IsError: true, RequestState: "st"},
			message: "the tool's result holds a request state beside content, without input requests"},
		{name: "prompt with messages", era: modern, method: "prompts/get",
			prompt:  &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: "user", Content: hi[0]}}, RequestState: "st"},
			message: "the prompts/get result holds a request state beside messages, without input requests"},
		{name: "resource with contents", era: modern, method: "resources/read",
			resource: &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: "file:///r", Text: "t"}}, RequestState: "st"},
			message:  "the resources/read result holds a request state beside contents, without input requests"},
		{name: "resource of nil contents", era: modern, method: "resources/read", resource: &mcp.ReadResourceResult{RequestState: "st"},
			message: "the resources/read handler returned no contents (a result asking for input by its request state alone needs InputRequests set, if empty)"},

		{name: "2025-11-25 tool", era: legacy, method: "tools/call", tool: &mcp.CallToolResult{RequestState: "st"}},
		{name: "2025-11-25 resource of no result", era: legacy, method: "resources/read",
			message: "the resources/read handler returned no contents"},
		{name: "2025-11-25 resource of nil contents", era: legacy, method: "resources/read", resource: &mcp.ReadResourceResult{},
			message: "the resources/read handler returned no contents"},
		{name: "resource of no result", era: modern, method: "resources/read",
			message: "the resources/read handler returned no contents (a result asking for input by its request state alone needs InputRequests set, if empty)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, nil)
			s.AddReceivingMiddleware(lambdamcp.Middleware())
			s.AddTool(&mcp.Tool{Name: "t", InputSchema: json.RawMessage(`{"type":"object"}`)},
				func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) { return tc.tool, nil })
			s.AddPrompt(&mcp.Prompt{Name: "t"}, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) { return tc.prompt, nil })
			s.AddResource(&mcp.Resource{URI: "file:///r", Name: "r"}, func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
				return tc.resource, nil
			})
			params, name := `"name":"t"`, "t"
			if tc.method == "resources/read" {
				params, name = `"uri":"file:///r"`, "file:///r"
			}
			resp := invoke(t, lambdamcp.NewHandler(streamable(s), nil), restEvent(t, callIn(tc.era, tc.method, params, name)))
			var ans methodAnswer
			if err := json.Unmarshal(resp.body(t), &ans); err != nil || resp.StatusCode != 200 {
				t.Fatalf("answered %d %s: %v", resp.StatusCode, resp.body(t), err)
			}
			if tc.tool != nil && tc.tool.InputRequests != nil || tc.prompt != nil && tc.prompt.InputRequests != nil || tc.resource != nil && tc.resource.InputRequests != nil {
				t.Errorf("the handler's result was given input requests")
			}
			if tc.message != "" {
				want := &answerError{Code: -32603, Message: tc.message}
				if diff := cmp.Diff(want, ans.Error); diff != "" || len(ans.Result) != 0 {
					t.Errorf("error (-want +got):\n%s\nresult %s", diff, ans.Result)
				}
				return
			}
			var got struct {
				ResultType    string
				InputRequests json.RawMessage
				RequestState  string
				Description   string
			}
			if ans.Error != nil || json.Unmarshal(ans.Result, &got) != nil {
				t.Fatalf("answered %s, want a result", resp.body(t))
			}
			want := struct{ ResultType, InputRequests, RequestState string }{"input_required", "{}", "st"}
			if tc.era == legacy {
				want.ResultType, want.InputRequests = "", ""
			}
			if diff := cmp.Diff(want, struct{ ResultType, InputRequests, RequestState string }{got.ResultType, string(got.InputRequests), got.RequestState}); diff != "" {
				t.Errorf("result %s (-want +got):\n%s", ans.Result, diff)
			}
			if tc.prompt != nil && got.Description != "d" {
				t.Errorf("result %s lost the prompt's description", ans.Result)
			}
		})
	}
}

// TestSDKClientRetriesWithStateAlone checks, with the go-sdk's own client
// over HTTP, that a tool asking for input by its request state alone has
// the client call again with the state, and get the answer the tool gives
// then.
func TestSDKClientRetriesWithStateAlone(t *testing.T) {
	s := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, nil)
	s.AddReceivingMiddleware(lambdamcp.Middleware())
	s.AddTool(&mcp.Tool{Name: "t", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			if req.Params.RequestState != "st" {
				return &mcp.CallToolResult{RequestState: "st"}, nil
			}
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "done"}}}, nil
		})
	srv := httptest.NewServer(lambdamcp.Guard(streamable(s), nil))
	defer srv.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "c", Version: "1"}, nil).Connect(t.Context(),
		&mcp.StreamableClientTransport{Endpoint: srv.URL, DisableStandaloneSSE: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(mustJSON(t, res.Content)); got != `[{"type":"text","text":"done"}]` {
		t.Errorf("content %s, want the answer to the call with the state", got)
	}
}

// TestMiddlewareAllocatesNothing checks that Middleware, compiled in a
// package of its caller's as a server's is, allocates nothing of its own
// on a plain tools/list or tools/call outside a Lambda request: the checks
// of a result asking for input, and of a request's log level, cost the
// common path nothing.
func TestMiddlewareAllocatesNothing(t *testing.T) {
	list := &mcp.ListToolsResult{Tools: []*mcp.Tool{{Name: "t", InputSchema: json.RawMessage(`{"type":"object"}`)}}}
	call := &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "hi"}}}
	for _, tc := range []struct {
		method string
		req    mcp.Request
		res    mcp.Result
	}{
		{"tools/list", &mcp.ListToolsRequest{Params: &mcp.ListToolsParams{}}, list},
		{"tools/call", &mcp.CallToolRequest{Params: &mcp.CallToolParamsRaw{Name: "t"}}, call},
	} {
		handle := lambdamcp.Middleware()(func(context.Context, string, mcp.Request) (mcp.Result, error) { return tc.res, nil })
		ctx := t.Context()
		if allocs := testing.AllocsPerRun(1000, func() { _, _ = handle(ctx, tc.method, tc.req) }); allocs != 0 {
			t.Errorf("%s: %v allocations, want none", tc.method, allocs)
		}
	}
}

// TestSDKClientGivesUpOnStateAlone checks what the Middleware doc and
// docs/errors.md say of the go-sdk's client: it takes a result asking for
// input by its request state alone for load shedding, and gives up on the
// call at the third, counted over the whole call, a round asking for
// input between them included.
func TestSDKClientGivesUpOnStateAlone(t *testing.T) {
	for _, tc := range []struct {
		name   string
		rounds []string // what the tool answers each round: "state", "ask" or "done"
		fails  bool
	}{
		{"twice", []string{"state", "state", "done"}, false},
		{"thrice", []string{"state", "state", "state", "done"}, true},
		{"thrice with a question between", []string{"state", "ask", "state", "state", "done"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, nil)
			s.AddReceivingMiddleware(lambdamcp.Middleware())
			calls := 0
			s.AddTool(&mcp.Tool{Name: "t", InputSchema: json.RawMessage(`{"type":"object"}`)},
				func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
					round := tc.rounds[min(calls, len(tc.rounds)-1)]
					calls++
					switch round {
					case "state":
						return &mcp.CallToolResult{RequestState: "st"}, nil
					case "ask":
						return &mcp.CallToolResult{RequestState: "st", InputRequests: mcp.InputRequestMap{
							"e": &mcp.ElicitParams{Message: "m", RequestedSchema: json.RawMessage(`{"type":"object","properties":{}}`)}}}, nil
					}
					return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "done"}}}, nil
				})
			srv := httptest.NewServer(lambdamcp.Guard(streamable(s), nil))
			defer srv.Close()
			c := mcp.NewClient(&mcp.Implementation{Name: "c", Version: "1"}, &mcp.ClientOptions{
				ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
					return &mcp.ElicitResult{Action: "accept", Content: map[string]any{}}, nil
				},
			})
			cs, err := c.Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: srv.URL, DisableStandaloneSSE: true}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer cs.Close()
			_, err = cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "t"})
			if tc.fails && (err == nil || !strings.Contains(err.Error(), "load-shedding")) {
				t.Errorf("after %d rounds: %v, want the client to give up on load shedding", calls, err)
			}
			if !tc.fails && err != nil {
				t.Errorf("after %d rounds: %v, want the answer", calls, err)
			}
		})
	}
}
