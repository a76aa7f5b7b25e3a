package lambdamcp_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// TestNoResultAnswered checks that a handler answering neither a result nor
// an error (a nil *GetPromptResult, say) gets its call an internal error
// through Middleware, in either era: the go-sdk answers such a call with a
// null result before 2026-07-28, and from then on panics on it outside any
// handler, which ends the process and every call in flight with it.
func TestNoResultAnswered(t *testing.T) {
	s := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, &mcp.ServerOptions{
		CompletionHandler: func(context.Context, *mcp.CompleteRequest) (*mcp.CompleteResult, error) { return nil, nil },
	})
	s.AddReceivingMiddleware(lambdamcp.Middleware())
	s.AddTool(&mcp.Tool{Name: "t", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) { return nil, nil })
	s.AddPrompt(&mcp.Prompt{Name: "p"}, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) { return nil, nil })
	h := lambdamcp.NewHandler(streamable(s), nil)
	for _, tc := range []struct {
		method, params, name, message string
	}{
		{"tools/call", `"name":"t"`, "t", "the tool returned no result"},
		{"prompts/get", `"name":"p"`, "p", "the prompts/get handler returned no result"},
		{"completion/complete", `"ref":{"type":"ref/prompt","name":"p"},"argument":{"name":"a","value":"x"}`, "", "the completion/complete handler returned no result"},
	} {
		for _, era := range []string{legacy, modern} {
			t.Run(tc.method+"/"+era, func(t *testing.T) {
				req := modernCall(tc.method, tc.params, tc.name)
				if era == legacy {
					req = jsonPost(`{"jsonrpc":"2.0","id":1,"method":"`+tc.method+`","params":{`+tc.params+`}}`, "MCP-Protocol-Version", legacy)
				}
				resp := invoke(t, h, restEvent(t, req))
				if resp.StatusCode != 200 {
					t.Errorf("status = %d, want 200", resp.StatusCode)
				}
				var ans methodAnswer
				if err := json.Unmarshal(resp.body(t), &ans); err != nil {
					t.Fatalf("answered %d %s: %v", resp.StatusCode, resp.body(t), err)
				}
				want := &answerError{Code: -32603, Message: tc.message}
				if diff := cmp.Diff(want, ans.Error); diff != "" || len(ans.Result) != 0 {
					t.Errorf("error (-want +got):\n%s\nresult %s", diff, ans.Result)
				}
			})
		}
	}
}
