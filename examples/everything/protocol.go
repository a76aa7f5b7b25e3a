package everything

//lint:file-ignore SA1019 the 2025-11-25 era's logging, sampling and roots are served on purpose; the conformance suite tests them

import (
	"context"
	"encoding/json"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// addProtocolTools adds the tools the 2026-07-28 suite uses to probe the
// stateless protocol itself: capability checks, what a response stream may
// carry, per-request log levels and list-changed notifications.
func addProtocolTools(srv *mcp.Server, completions *completions, staticLists bool) {
	mcp.AddTool(srv, &mcp.Tool{Name: "test_missing_capability", Description: "Needs the client's sampling capability; without it, fails with -32021."},
		func(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
			// Before 2026-07-28 a client declares its capabilities in
			// initialize, which a stateless server does not see, and
			// -32021 is no error code of that era.
			if req.ProtocolVersion() < "2026-07-28" {
				res := textResult(req.Params.Name + " checks the capabilities a request declares, which needs protocol 2026-07-28 or later")
				res.IsError = true
				return res, nil, nil
			}
			if caps := req.ClientCapabilities(); caps != nil && caps.Sampling != nil {
				return textResult("the client declared sampling"), nil, nil
			}
			// The data written out: mcp.ClientCapabilities would always name
			// roots too.
			return nil, nil, &jsonrpc.Error{
				Code:    mcp.CodeMissingRequiredClientCapabilities,
				Message: "this tool needs the sampling capability, which the client did not declare",
				Data:    json.RawMessage(`{"requiredCapabilities":{"sampling":{}}}`),
			}
		})

	// In the 2026-07-28 era a server needing input answers with an
	// input-required result on the response stream; it never sends the client
	// a request of its own.
	mcp.AddTool(srv, &mcp.Tool{Name: "test_streaming_elicitation", Description: "Asks for input the stateless way, within its own response."},
		func(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
			if name, ok := acceptedString(req.Params.InputResponses, "user_name", "name"); ok {
				return textResult("Hello, " + name + "!"), nil, nil
			}
			return needInput(req, mcp.InputRequestMap{"user_name": askName("What is your name?")}, "")
		})

	// A 2026-07-28 client mirrors an argument marked x-mcp-header into an
	// Mcp-Param-* header, so that gateways can route on it; the go-sdk
	// checks the header against the body.
	mcp.AddTool(srv, &mcp.Tool{
		Name:        "test_x_mcp_header",
		Description: "Echoes its region argument, which clients also send as the Mcp-Param-Region header.",
		InputSchema: json.RawMessage(`{"type":"object","properties":{` +
			`"region":{"type":"string","description":"mirrored into Mcp-Param-Region","x-mcp-header":"Region"},` +
			`"level":{"type":"integer","description":"not mirrored"}}}`),
	}, func(_ context.Context, _ *mcp.CallToolRequest, in struct {
		// level is not read: decoded into a Go int, a level the schema
		// allows (any integer, 1e30 too) would fail the call.
		Region string `json:"region"`
	}) (*mcp.CallToolResult, any, error) {
		return textResult("region=" + in.Region), nil, nil
	})

	// Before 2026-07-28 each request is a session of its own, which the
	// go-sdk starts at info: a logging/setLevel lasts only its own request.
	mcp.AddTool(srv, &mcp.Tool{Name: "test_logging_tool", Description: "Logs one info message; it reaches a 2025-11-25 client always, a 2026-07-28 one only if the request's _meta asks for info or debug."},
		func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
			if err := req.Session.Log(ctx, &mcp.LoggingMessageParams{Level: "info", Logger: Name, Data: "test_logging_tool ran"}); err != nil {
				return nil, nil, err
			}
			return textResult("logged at info"), nil, nil
		})

	// The trigger tools change the server's lists, which the go-sdk announces
	// to open subscriptions/listen streams. With static lists (on Lambda,
	// where each execution environment has its own copy of the lists) they
	// change nothing: a change in one environment would make the lists that
	// clients see depend on which environment answers.
	mcp.AddTool(srv, &mcp.Tool{Name: "test_trigger_tool_change", Description: "Changes the tool list (tools/list_changed)."},
		func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
			if staticLists {
				return textResult("the tool list is static here"), nil, nil
			}
			mcp.AddTool(srv, &mcp.Tool{Name: "test_dynamic_tool", Description: "Added by test_trigger_tool_change."},
				func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
					return textResult("dynamic tool"), nil, nil
				})
			return textResult("tool list changed"), nil, nil
		})
	mcp.AddTool(srv, &mcp.Tool{Name: "test_trigger_prompt_change", Description: "Changes the prompt list (prompts/list_changed)."},
		func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
			if staticLists {
				return textResult("the prompt list is static here"), nil, nil
			}
			completions.addPrompt(srv, &mcp.Prompt{Name: "test_dynamic_prompt", Description: "Added by test_trigger_prompt_change."},
				func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
					return &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: "dynamic prompt"}}}}, nil
				})
			return textResult("prompt list changed"), nil, nil
		})
}
