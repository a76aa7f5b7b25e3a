package everything

import (
	"context"
	"fmt"
	"net/url"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

func addPrompts(srv *mcp.Server, completions *completions) {
	user := func(c mcp.Content) *mcp.PromptMessage { return &mcp.PromptMessage{Role: "user", Content: c} }

	completions.addPrompt(srv, &mcp.Prompt{Name: "test_simple_prompt", Title: "Simple prompt", Description: "A prompt without arguments."},
		func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			return &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{
				user(&mcp.TextContent{Text: "This is a simple prompt for testing."}),
			}}, nil
		})

	completions.addPrompt(srv, &mcp.Prompt{
		Name: "test_prompt_with_arguments", Title: "Prompt with arguments", Description: "A prompt with two required arguments.",
		Arguments: []*mcp.PromptArgument{
			{Name: "arg1", Description: "First test argument", Required: true},
			{Name: "arg2", Description: "Second test argument", Required: true},
		},
	}, func(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		a := req.Params.Arguments
		return &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{
			user(&mcp.TextContent{Text: fmt.Sprintf("Prompt with arguments: arg1='%s', arg2='%s'", a["arg1"], a["arg2"])}),
		}}, nil
	})

	completions.addPrompt(srv, &mcp.Prompt{
		Name: "test_prompt_with_embedded_resource", Title: "Prompt with embedded resource", Description: "A prompt that embeds a resource.",
		Arguments: []*mcp.PromptArgument{{Name: "resourceUri", Description: "URI of the resource to embed", Required: true}},
	}, func(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		// An embedded resource must have a valid URI: one with a scheme.
		uri := req.Params.Arguments["resourceUri"]
		if u, err := url.Parse(uri); err != nil || !u.IsAbs() {
			return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "resourceUri must be an absolute URI, such as test://static-text"}
		}
		return &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{
			user(&mcp.EmbeddedResource{Resource: &mcp.ResourceContents{
				URI: uri, MIMEType: "text/plain", Text: "Embedded resource content for testing.",
			}}),
			user(&mcp.TextContent{Text: "Please process the embedded resource above."}),
		}}, nil
	})

	completions.addPrompt(srv, &mcp.Prompt{Name: "test_prompt_with_image", Title: "Prompt with image", Description: "A prompt that includes an image."},
		func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			return &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{
				user(&mcp.ImageContent{MIMEType: "image/png", Data: pngImage}),
				user(&mcp.TextContent{Text: "Please analyze the image above."}),
			}}, nil
		})

	// Input-required results work for prompts/get too, not only tools/call.
	completions.addPrompt(srv, &mcp.Prompt{Name: "test_input_required_result_prompt", Description: "Asks for context by elicitation before it renders."},
		func(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			if text, ok := acceptedString(req.Params.InputResponses, "user_context", "context"); ok {
				return &mcp.GetPromptResult{Description: "A prompt rendered with elicited context", Messages: []*mcp.PromptMessage{
					user(&mcp.TextContent{Text: "Context: " + text}),
				}}, nil
			}
			ask := mcp.InputRequestMap{"user_context": &mcp.ElicitParams{
				Message: "What context should the prompt use?", RequestedSchema: objectSchema("context", "string"),
			}}
			if req.ProtocolVersion() < "2026-07-28" {
				// Before 2026-07-28 the go-sdk would fail the server-to-client
				// request this becomes with an error that has no JSON-RPC code.
				return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidRequest, Message: req.Params.Name + " asks the user for input, which needs protocol 2026-07-28 or later"}
			}
			if err := lambdamcp.CheckInputRequests(req.ClientCapabilities(), ask); err != nil {
				return nil, err
			}
			return &mcp.GetPromptResult{InputRequests: ask}, nil
		})
}
