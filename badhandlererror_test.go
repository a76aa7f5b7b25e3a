package lambdamcp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// nilErr is an error type whose Error reads its receiver, as most do: a
// nil *nilErr returned as an error panics when it is asked its message.
type nilErr struct{ msg string }

func (e *nilErr) Error() string { return e.msg }

// isErr is an error type whose Is reads its receiver: a nil *isErr
// returned as an error panics when it is asked what it is, as the go-sdk
// asks every error of a call.
type isErr struct{ target error }

func (*isErr) Error() string { return "is" }

func (e *isErr) Is(target error) bool { return e.target == target }

// TestBadHandlerErrorAnswered checks that a handler's error that cannot be
// answered as it is gets its call an internal error through Middleware, in
// either era: a nil *jsonrpc.Error, bare or wrapped, and an error whose
// Error or Is method panics (a nil pointer of an error type, say). The go-sdk
// panics on each outside any handler, which ends the process and every
// call in flight with it. So does a *jsonrpc.Error whose Data is no JSON,
// which the go-sdk fails to write, leaving the call unanswered; an empty
// Data, which the go-sdk leaves out, is answered as it is.
func TestBadHandlerErrorAnswered(t *testing.T) {
	internal := "internal error (request id test-request-id)"
	for _, tc := range []struct {
		name, method string
		err          error
		message      string
	}{
		{"nil *jsonrpc.Error", "tools/call", (*jsonrpc.Error)(nil), "the tool's error is a nil *jsonrpc.Error"},
		{"wrapped nil *jsonrpc.Error", "tools/call", fmt.Errorf("failed: %w", (*jsonrpc.Error)(nil)), "the tool's error is a nil *jsonrpc.Error"},
		{"nil error pointer", "tools/call", (*nilErr)(nil), internal},
		{"prompt's nil *jsonrpc.Error", "prompts/get", (*jsonrpc.Error)(nil), "the prompts/get handler's error is a nil *jsonrpc.Error"},
		{"prompt's nil error pointer", "prompts/get", (*nilErr)(nil), internal},
		{"nil error pointer asked what it is", "tools/call", (*isErr)(nil), internal},
		{"wrapped nil error pointer asked what it is", "prompts/get", fmt.Errorf("failed: %w", (*isErr)(nil)), internal},
		{"data", "tools/call", &jsonrpc.Error{Code: -32603, Message: "bad", Data: json.RawMessage(`{"field":"a"}`)}, "bad"},
		{"null data", "tools/call", &jsonrpc.Error{Code: -32603, Message: "bad", Data: json.RawMessage(`null`)}, "bad"},
		{"empty data", "tools/call", &jsonrpc.Error{Code: -32603, Message: "bad", Data: json.RawMessage{}}, "bad"},
		{"invalid data", "tools/call", &jsonrpc.Error{Code: -32603, Message: "bad", Data: json.RawMessage(`{oops`)},
			"the tool's error data cannot be encoded as JSON"},
		{"prompt's invalid data", "prompts/get", &jsonrpc.Error{Code: -32603, Message: "bad", Data: json.RawMessage(`{oops`)},
			"the prompts/get handler's error data cannot be encoded as JSON"},
	} {
		s := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, nil)
		s.AddReceivingMiddleware(lambdamcp.Middleware())
		s.AddTool(&mcp.Tool{Name: "t", InputSchema: json.RawMessage(`{"type":"object"}`)},
			func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) { return nil, tc.err })
		s.AddPrompt(&mcp.Prompt{Name: "t"}, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) { return nil, tc.err })
		h := lambdamcp.NewHandler(streamable(s), nil)
		for _, era := range []string{legacy, modern} {
			t.Run(tc.name+"/"+era, func(t *testing.T) {
				resp := invoke(t, h, restEvent(t, callIn(era, tc.method, `"name":"t"`, "t")))
				var ans methodAnswer
				if err := json.Unmarshal(resp.body(t), &ans); err != nil {
					t.Fatalf("answered %d %s: %v", resp.StatusCode, resp.body(t), err)
				}
				want := &answerError{Code: -32603, Message: tc.message}
				if diff := cmp.Diff(want, ans.Error); diff != "" || len(ans.Result) != 0 || resp.StatusCode != 200 {
					t.Errorf("status %d, error (-want +got):\n%s\nresult %s", resp.StatusCode, diff, ans.Result)
				}
			})
		}
	}
}
