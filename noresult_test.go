//lint:file-ignore SA1019 sampling and roots are deprecated from 2026-07-28, and a server may still send them

package lambdamcp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
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
				resp := invoke(t, h, restEvent(t, callIn(era, tc.method, tc.params, tc.name)))
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

// TestNilPartAnswered checks that a result holding a nil where the schema
// asks for an object (a nil content block, a nil prompt message, an
// embedded resource without its resource), or a prompt message whose role
// is none the schema has (quoted cut short), gets its call an internal
// error through Middleware, in either era, and that the same result
// without it is answered as it is: the go-sdk would answer a null the
// client cannot read as the content or message it was promised.
func TestNilPartAnswered(t *testing.T) {
	hi := &mcp.TextContent{Text: "hi"}
	for _, tc := range []struct {
		name, method string
		tool         *mcp.CallToolResult
		prompt       *mcp.GetPromptResult
		message      string // "" for a result
	}{
		{name: "content", method: "tools/call", tool: &mcp.CallToolResult{Content: []mcp.Content{hi}}},
		{name: "nil content", method: "tools/call", tool: &mcp.CallToolResult{Content: []mcp.Content{hi, nil}},
			message: "the tool's result holds a nil content block"},
		{name: "embedded resource", method: "tools/call", tool: &mcp.CallToolResult{Content: []mcp.Content{
			&mcp.EmbeddedResource{Resource: &mcp.ResourceContents{URI: "file:///r", Text: "r"}}}}},
		{name: "embedded resource without resource", method: "tools/call", tool: &mcp.CallToolResult{Content: []mcp.Content{&mcp.EmbeddedResource{}}},
			message: "the tool's result holds an embedded resource without its resource"},
		{name: "message", method: "prompts/get", prompt: &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: "user", Content: hi}}}},
		{name: "nil message", method: "prompts/get", prompt: &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: "user", Content: hi}, nil}},
			message: "the prompts/get result holds a nil message"},
		{name: "message without content", method: "prompts/get", prompt: &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: "user"}}},
			message: "the prompts/get result holds a nil content block"},
		{name: "assistant message", method: "prompts/get", prompt: &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: "assistant", Content: hi}}}},
		{name: "message without role", method: "prompts/get", prompt: &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Content: hi}}},
			message: `the prompts/get result holds a message whose role "" is neither "user" nor "assistant"`},
		{name: "message of another role", method: "prompts/get", prompt: &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: "system", Content: hi}}},
			message: `the prompts/get result holds a message whose role "system" is neither "user" nor "assistant"`},
		{name: "message of a long role", method: "prompts/get", prompt: &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: mcp.Role(strings.Repeat("r", 1<<20)), Content: hi}}},
			message: `the prompts/get result holds a message whose role "` + strings.Repeat("r", 64) + `…" is neither "user" nor "assistant"`},
		{name: "message's embedded resource without resource", method: "prompts/get", prompt: &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{
			{Role: "user", Content: &mcp.EmbeddedResource{}}}},
			message: "the prompts/get result holds an embedded resource without its resource"},
		// A tool result block (sampling's) holds content blocks of its
		// own, which the go-sdk encodes through the nil too, and panics.
		{name: "tool result block", method: "tools/call", tool: &mcp.CallToolResult{Content: []mcp.Content{
			&mcp.ToolResultContent{ToolUseID: "u", Content: []mcp.Content{hi}}}}},
		{name: "tool result block holding nil content", method: "tools/call", tool: &mcp.CallToolResult{Content: []mcp.Content{
			&mcp.ToolResultContent{ToolUseID: "u", Content: []mcp.Content{hi, nil}}}},
			message: "the tool's result holds a tool result block holding a nil content block"},
		{name: "message's tool result block holding nil content", method: "prompts/get", prompt: &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{
			{Role: "user", Content: &mcp.ToolResultContent{ToolUseID: "u", Content: []mcp.Content{nil}}}}},
			message: "the prompts/get result holds a tool result block holding a nil content block"},
		{name: "tool result block holding an embedded resource without resource", method: "tools/call", tool: &mcp.CallToolResult{Content: []mcp.Content{
			&mcp.ToolResultContent{ToolUseID: "u", Content: []mcp.Content{&mcp.EmbeddedResource{}}}}},
			message: "the tool's result holds a tool result block holding an embedded resource without its resource"},
		// A nil content pointer inside one is no nil block, but cannot be
		// encoded, as among the result's own contents.
		{name: "tool result block holding a nil content pointer", method: "tools/call", tool: &mcp.CallToolResult{Content: []mcp.Content{
			&mcp.ToolResultContent{ToolUseID: "u", Content: []mcp.Content{hi, (*mcp.TextContent)(nil)}}}},
			message: "the tool's result cannot be encoded as JSON"},
	} {
		s := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, nil)
		s.AddReceivingMiddleware(lambdamcp.Middleware())
		s.AddTool(&mcp.Tool{Name: "t", InputSchema: json.RawMessage(`{"type":"object"}`)},
			func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) { return tc.tool, nil })
		s.AddPrompt(&mcp.Prompt{Name: "t"}, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) { return tc.prompt, nil })
		h := lambdamcp.NewHandler(streamable(s), nil)
		for _, era := range []string{legacy, modern} {
			t.Run(tc.name+"/"+era, func(t *testing.T) {
				resp := invoke(t, h, restEvent(t, callIn(era, tc.method, `"name":"t"`, "t")))
				var ans methodAnswer
				if err := json.Unmarshal(resp.body(t), &ans); err != nil {
					t.Fatalf("answered %d %s: %v", resp.StatusCode, resp.body(t), err)
				}
				if tc.message == "" {
					if ans.Error != nil || len(ans.Result) == 0 {
						t.Errorf("answered %s, want the result", resp.body(t))
					}
					return
				}
				want := &answerError{Code: -32603, Message: tc.message}
				if diff := cmp.Diff(want, ans.Error); diff != "" || len(ans.Result) != 0 || resp.StatusCode != 200 {
					t.Errorf("status %d, error (-want +got):\n%s\nresult %s", resp.StatusCode, diff, ans.Result)
				}
			})
		}
	}
}

// TestNilPartInInputRequestAnswered checks that a 2026-07-28 result asking
// the client to sample messages whose content holds a nil where the schema
// asks for an object (a nil content block, one in a tool result block)
// gets its call an internal error through Middleware naming it, and that
// the same request without it is answered as it is: the go-sdk would
// answer a null the client cannot read, or panic encoding a tool result
// block's. (Before 2026-07-28 the go-sdk sends such requests to the
// client itself, inside the handler Middleware wraps.)
func TestNilPartInInputRequestAnswered(t *testing.T) {
	hi := &mcp.TextContent{Text: "hi"}
	sample := func(content ...mcp.Content) mcp.InputRequestMap {
		return mcp.InputRequestMap{"s": &mcp.CreateMessageWithToolsParams{MaxTokens: 8,
			Messages: []*mcp.SamplingMessageV2{{Role: "user", Content: content}}}}
	}
	for _, tc := range []struct {
		name, method string
		ask          mcp.InputRequestMap
		message      string // "" for a result
		result       string // what the result holds
	}{
		{name: "tool result block", method: "tools/call", ask: sample(hi, &mcp.ToolResultContent{ToolUseID: "u", Content: []mcp.Content{hi}})},
		{name: "tool result block holding nil content", method: "tools/call", ask: sample(hi, &mcp.ToolResultContent{ToolUseID: "u", Content: []mcp.Content{nil}}),
			message: "the tool's result holds a sampling request whose messages hold a tool result block holding a nil content block"},
		{name: "prompt's tool result block holding nil content", method: "prompts/get", ask: sample(&mcp.ToolResultContent{ToolUseID: "u", Content: []mcp.Content{hi, nil}}),
			message: "the prompts/get result holds a sampling request whose messages hold a tool result block holding a nil content block"},
		{name: "resource's tool result block holding nil content", method: "resources/read", ask: sample(&mcp.ToolResultContent{ToolUseID: "u", Content: []mcp.Content{nil}}),
			message: "the resources/read result holds a sampling request whose messages hold a tool result block holding a nil content block"},
		{name: "nil content", method: "tools/call", ask: mcp.InputRequestMap{"s": &mcp.CreateMessageParams{MaxTokens: 8,
			Messages: []*mcp.SamplingMessage{{Role: "user", Content: nil}}}},
			message: "the tool's result holds a sampling request whose messages hold a nil content block"},
		{name: "nil message", method: "tools/call", ask: mcp.InputRequestMap{"s": &mcp.CreateMessageWithToolsParams{MaxTokens: 8,
			Messages: []*mcp.SamplingMessageV2{{Role: "user", Content: []mcp.Content{hi}}, nil}}},
			message: "the tool's result holds a sampling request whose messages hold a nil message"},
		{name: "resource's nil message", method: "resources/read", ask: mcp.InputRequestMap{"s": &mcp.CreateMessageParams{MaxTokens: 8,
			Messages: []*mcp.SamplingMessage{nil}}},
			message: "the resources/read result holds a sampling request whose messages hold a nil message"},
		// Encoded "content": null, which the schema has no room for and
		// the go-sdk's client refuses; an empty list is a list.
		{name: "message without content", method: "tools/call", ask: sample(),
			message: "the tool's result holds a sampling request whose messages hold a message without content"},
		{name: "prompt's message without content", method: "prompts/get", ask: sample(),
			message: "the prompts/get result holds a sampling request whose messages hold a message without content"},
		{name: "resource's message without content", method: "resources/read", ask: sample(),
			message: "the resources/read result holds a sampling request whose messages hold a message without content"},
		{name: "message of no blocks", method: "tools/call", ask: sample([]mcp.Content{}...)},
		{name: "message without role", method: "tools/call", ask: mcp.InputRequestMap{"s": &mcp.CreateMessageParams{MaxTokens: 8,
			Messages: []*mcp.SamplingMessage{{Content: hi}}}},
			message: `the tool's result holds a sampling request whose messages hold a message whose role "" is neither "user" nor "assistant"`},
		{name: "prompt's message of another role", method: "prompts/get", ask: mcp.InputRequestMap{"s": &mcp.CreateMessageWithToolsParams{MaxTokens: 8,
			Messages: []*mcp.SamplingMessageV2{{Role: "user", Content: []mcp.Content{hi}}, {Role: "system", Content: []mcp.Content{hi}}}}},
			message: `the prompts/get result holds a sampling request whose messages hold a message whose role "system" is neither "user" nor "assistant"`},
		{name: "resource's message of a long role", method: "resources/read", ask: mcp.InputRequestMap{"s": &mcp.CreateMessageParams{MaxTokens: 8,
			Messages: []*mcp.SamplingMessage{{Role: mcp.Role(strings.Repeat("r", 1<<20)), Content: hi}}}},
			message: `the resources/read result holds a sampling request whose messages hold a message whose role "` + strings.Repeat("r", 64) + `…" is neither "user" nor "assistant"`},
		{name: "assistant's message", method: "tools/call", ask: mcp.InputRequestMap{"s": &mcp.CreateMessageParams{MaxTokens: 8,
			Messages: []*mcp.SamplingMessage{{Role: "user", Content: hi}, {Role: "assistant", Content: hi}}}}},
		// Encoded "params": null, where the schema asks for an object.
		{name: "nil sampling request", method: "tools/call", ask: mcp.InputRequestMap{"s": (*mcp.CreateMessageParams)(nil)},
			message: "the tool's result holds a sampling request without its params"},
		{name: "prompt's nil sampling request", method: "prompts/get", ask: mcp.InputRequestMap{"s": (*mcp.CreateMessageWithToolsParams)(nil)},
			message: "the prompts/get result holds a sampling request without its params"},
		{name: "resource's nil elicitation request", method: "resources/read", ask: mcp.InputRequestMap{"s": (*mcp.ElicitParams)(nil)},
			message: "the resources/read result holds an elicitation request without its params"},
		// The schema lets roots/list go without params: answered with
		// none but an empty object.
		{name: "nil roots request", method: "tools/call", ask: mcp.InputRequestMap{"s": (*mcp.ListRootsParams)(nil)},
			result: `"inputRequests":{"s":{"method":"roots/list","params":{}}}`},
		{name: "prompt's nil roots request", method: "prompts/get", ask: mcp.InputRequestMap{"s": (*mcp.ListRootsParams)(nil)},
			result: `"inputRequests":{"s":{"method":"roots/list","params":{}}}`},
		{name: "resource's nil roots request", method: "resources/read", ask: mcp.InputRequestMap{"r": &mcp.ListRootsParams{}, "s": (*mcp.ListRootsParams)(nil)},
			result: `"inputRequests":{"r":{"method":"roots/list","params":{}},"s":{"method":"roots/list","params":{}}}`},
		// Encoded "messages": null, where the schema asks for a list:
		// answered with an empty one.
		{name: "sampling request without messages", method: "tools/call", ask: mcp.InputRequestMap{"s": &mcp.CreateMessageParams{MaxTokens: 8}},
			result: `"inputRequests":{"s":{"method":"sampling/createMessage","params":{"maxTokens":8,"messages":[]}}}`},
		{name: "prompt's sampling request with tools without messages", method: "prompts/get", ask: mcp.InputRequestMap{"s": &mcp.CreateMessageWithToolsParams{MaxTokens: 8}},
			result: `"inputRequests":{"s":{"method":"sampling/createMessage","params":{"maxTokens":8,"messages":[]}}}`},
		{name: "resource's sampling request without messages", method: "resources/read", ask: mcp.InputRequestMap{"r": (*mcp.ListRootsParams)(nil), "s": &mcp.CreateMessageParams{MaxTokens: 8}},
			result: `"inputRequests":{"r":{"method":"roots/list","params":{}},"s":{"method":"sampling/createMessage","params":{"maxTokens":8,"messages":[]}}}`},
		// A nil content pointer is no nil block, but cannot be encoded, as
		// among the result's own contents.
		{name: "nil content pointer", method: "tools/call", ask: sample(hi, (*mcp.TextContent)(nil)),
			message: "the tool's result cannot be encoded as JSON"},
		{name: "prompt's nil content pointer", method: "prompts/get", ask: mcp.InputRequestMap{"s": &mcp.CreateMessageParams{MaxTokens: 8,
			Messages: []*mcp.SamplingMessage{{Role: "user", Content: (*mcp.AudioContent)(nil)}}}},
			message: "the prompts/get result cannot be encoded as JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, nil)
			s.AddReceivingMiddleware(lambdamcp.Middleware())
			s.AddTool(&mcp.Tool{Name: "t", InputSchema: json.RawMessage(`{"type":"object"}`)},
				func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
					return &mcp.CallToolResult{InputRequests: tc.ask}, nil
				})
			s.AddPrompt(&mcp.Prompt{Name: "t"}, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
				return &mcp.GetPromptResult{InputRequests: tc.ask}, nil
			})
			s.AddResource(&mcp.Resource{URI: "file:///r", Name: "r"}, func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
				return &mcp.ReadResourceResult{InputRequests: tc.ask}, nil
			})
			h := lambdamcp.NewHandler(streamable(s), nil)
			params, name := `"name":"t"`, "t"
			if tc.method == "resources/read" {
				params, name = `"uri":"file:///r"`, "file:///r"
			}
			wasUnlisted := unlisted(tc.ask["s"])
			resp := invoke(t, h, restEvent(t, callIn(modern, tc.method, params, name)))
			var ans methodAnswer
			if err := json.Unmarshal(resp.body(t), &ans); err != nil {
				t.Fatalf("answered %d %s: %v", resp.StatusCode, resp.body(t), err)
			}
			if tc.message == "" {
				if ans.Error != nil || len(ans.Result) == 0 || !strings.Contains(string(ans.Result), tc.result) {
					t.Errorf("answered %s, want the result, holding %s", resp.body(t), tc.result)
				}
				if p, ok := tc.ask["s"].(*mcp.ListRootsParams); ok && p != nil {
					t.Errorf("the handler's input requests were changed: %v", tc.ask)
				}
				if now := unlisted(tc.ask["s"]); now != wasUnlisted {
					t.Errorf("the handler's sampling request was changed: %+v", tc.ask["s"])
				}
				return
			}
			want := &answerError{Code: -32603, Message: tc.message}
			if diff := cmp.Diff(want, ans.Error); diff != "" || len(ans.Result) != 0 || resp.StatusCode != 200 {
				t.Errorf("status %d, error (-want +got):\n%s\nresult %s", resp.StatusCode, diff, ans.Result)
			}
		})
	}
}

// TestBadInputPartNamedInKeyOrder checks that of two input requests the
// schema has no room for, the message names the one first in key order,
// every time: the map's own order changes from call to call.
func TestBadInputPartNamedInKeyOrder(t *testing.T) {
	ask := mcp.InputRequestMap{
		"b": (*mcp.ElicitParams)(nil),
		"a": (*mcp.CreateMessageParams)(nil),
		"c": &mcp.ListRootsParams{},
	}
	s := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, nil)
	s.AddReceivingMiddleware(lambdamcp.Middleware())
	s.AddTool(&mcp.Tool{Name: "t", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{InputRequests: ask}, nil
		})
	h := lambdamcp.NewHandler(streamable(s), nil)
	for range 30 {
		var ans methodAnswer
		resp := invoke(t, h, restEvent(t, callIn(modern, "tools/call", `"name":"t"`, "t")))
		if err := json.Unmarshal(resp.body(t), &ans); err != nil {
			t.Fatal(err)
		}
		want := &answerError{Code: -32603, Message: "the tool's result holds a sampling request without its params"}
		if diff := cmp.Diff(want, ans.Error); diff != "" {
			t.Fatalf("error (-want +got):\n%s", diff)
		}
	}
}

// unlisted reports whether ir is a sampling request whose messages are
// nil.
func unlisted(ir mcp.InputRequest) bool {
	switch p := ir.(type) {
	case *mcp.CreateMessageParams:
		return p != nil && p.Messages == nil
	case *mcp.CreateMessageWithToolsParams:
		return p != nil && p.Messages == nil
	}
	return false
}

// TestNilListAnswered checks that a prompt's nil messages and a
// completion's nil values are answered as empty lists through Middleware,
// in either era, as the go-sdk answers a tool's nil content: the schema
// asks for a list, and the go-sdk would answer null.
func TestNilListAnswered(t *testing.T) {
	s := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, &mcp.ServerOptions{
		CompletionHandler: func(context.Context, *mcp.CompleteRequest) (*mcp.CompleteResult, error) {
			return &mcp.CompleteResult{}, nil
		},
	})
	s.AddReceivingMiddleware(lambdamcp.Middleware())
	s.AddPrompt(&mcp.Prompt{Name: "p"}, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		return &mcp.GetPromptResult{Description: "none"}, nil
	})
	h := lambdamcp.NewHandler(streamable(s), nil)
	for _, tc := range []struct {
		method, params, name string
		list                 func(result []byte) (json.RawMessage, error)
	}{
		{"prompts/get", `"name":"p"`, "p", func(result []byte) (json.RawMessage, error) {
			var r struct{ Messages json.RawMessage }
			return r.Messages, json.Unmarshal(result, &r)
		}},
		{"completion/complete", `"ref":{"type":"ref/prompt","name":"p"},"argument":{"name":"a","value":"x"}`, "", func(result []byte) (json.RawMessage, error) {
			var r struct {
				Completion struct{ Values json.RawMessage }
			}
			return r.Completion.Values, json.Unmarshal(result, &r)
		}},
	} {
		for _, era := range []string{legacy, modern} {
			t.Run(tc.method+"/"+era, func(t *testing.T) {
				resp := invoke(t, h, restEvent(t, callIn(era, tc.method, tc.params, tc.name)))
				var ans methodAnswer
				if err := json.Unmarshal(resp.body(t), &ans); err != nil || ans.Error != nil {
					t.Fatalf("answered %d %s: %v", resp.StatusCode, resp.body(t), err)
				}
				list, err := tc.list(ans.Result)
				if err != nil || string(list) != "[]" {
					t.Errorf("result %s: list %s (%v), want []", ans.Result, list, err)
				}
			})
		}
	}
}

// TestCompletionValuesCapped checks that a completion handler's values
// past the 100 the spec allows are cut to the first 100 through
// Middleware, in either era, the answer saying there are more and how
// many the handler had, or no total when the handler said there were more
// than it gave without one; and that 100 values are answered as they are.
func TestCompletionValuesCapped(t *testing.T) {
	values := func(n int) []string {
		vs := make([]string, n)
		for i := range vs {
			vs[i] = fmt.Sprintf("v%d", i)
		}
		return vs
	}
	for _, tc := range []struct {
		given   mcp.CompletionResultDetails
		want    mcp.CompletionResultDetails
		comment string
	}{
		{mcp.CompletionResultDetails{Values: values(100)}, mcp.CompletionResultDetails{Values: values(100)}, "100 values"},
		{mcp.CompletionResultDetails{Values: values(150)}, mcp.CompletionResultDetails{Values: values(100), HasMore: true, Total: 150}, "150 values"},
		{mcp.CompletionResultDetails{Values: values(150), Total: 900}, mcp.CompletionResultDetails{Values: values(100), HasMore: true, Total: 900}, "150 values of 900"},
		{mcp.CompletionResultDetails{Values: values(150), HasMore: true}, mcp.CompletionResultDetails{Values: values(100), HasMore: true}, "150 values of more"},
	} {
		s := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, &mcp.ServerOptions{
			CompletionHandler: func(context.Context, *mcp.CompleteRequest) (*mcp.CompleteResult, error) {
				return &mcp.CompleteResult{Completion: tc.given}, nil
			},
		})
		s.AddReceivingMiddleware(lambdamcp.Middleware())
		s.AddPrompt(&mcp.Prompt{Name: "p"}, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) { return nil, nil })
		h := lambdamcp.NewHandler(streamable(s), nil)
		params := `"ref":{"type":"ref/prompt","name":"p"},"argument":{"name":"a","value":"x"}`
		for _, era := range []string{legacy, modern} {
			t.Run(tc.comment+"/"+era, func(t *testing.T) {
				req := modernCall("completion/complete", params, "")
				if era == legacy {
					req = jsonPost(`{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{`+params+`}}`, "MCP-Protocol-Version", legacy)
				}
				resp := invoke(t, h, restEvent(t, req))
				var ans methodAnswer
				if err := json.Unmarshal(resp.body(t), &ans); err != nil || ans.Error != nil {
					t.Fatalf("answered %d %s: %v", resp.StatusCode, resp.body(t), err)
				}
				var got struct{ Completion mcp.CompletionResultDetails }
				if err := json.Unmarshal(ans.Result, &got); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, got.Completion); diff != "" {
					t.Errorf("completion (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestInputRequiredPromptLeftAlone checks that a prompt result asking the
// client for input, without messages, is answered without the empty list
// of messages a complete result's nil messages get through Middleware: it
// carries input requests in their place.
func TestInputRequiredPromptLeftAlone(t *testing.T) {
	s := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, nil)
	s.AddReceivingMiddleware(lambdamcp.Middleware())
	s.AddPrompt(&mcp.Prompt{Name: "p"}, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		return &mcp.GetPromptResult{InputRequests: mcp.InputRequestMap{"in": &mcp.ElicitParams{Message: "m", RequestedSchema: map[string]any{"type": "object"}}}}, nil
	})
	h := lambdamcp.NewHandler(streamable(s), nil)
	meta := strings.Replace(modernMeta, `"io.modelcontextprotocol/clientCapabilities":{}`, `"io.modelcontextprotocol/clientCapabilities":{"elicitation":{}}`, 1)
	req := jsonPost(`{"jsonrpc":"2.0","id":1,"method":"prompts/get","params":{"name":"p",`+meta+`}}`,
		"MCP-Protocol-Version", modern, "Mcp-Method", "prompts/get", "Mcp-Name", "p")
	resp := invoke(t, h, restEvent(t, req))
	var ans methodAnswer
	if err := json.Unmarshal(resp.body(t), &ans); err != nil || ans.Error != nil {
		t.Fatalf("answered %d %s: %v", resp.StatusCode, resp.body(t), err)
	}
	var r struct {
		Messages      json.RawMessage
		InputRequests map[string]json.RawMessage
	}
	if err := json.Unmarshal(ans.Result, &r); err != nil || r.InputRequests["in"] == nil || string(r.Messages) == "[]" {
		t.Errorf("result %s (%v), want the input request and no empty list of messages", ans.Result, err)
	}
}
