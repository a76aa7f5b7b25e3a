// Package prompts is an MCP server with a prompt template whose argument the
// client can complete: prompts/list, prompts/get and completion/complete,
// answered statelessly through every Lambda shape.
package prompts

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// Shapes are the values the prompt's shape argument accepts, and what
// completion offers.
var Shapes = []string{"alb", "http", "rest", "url"}

// New returns the server.
func New() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "lambdamcp-prompts", Version: "1.0.0"}, &mcp.ServerOptions{
		CompletionHandler: complete,
		// The list never changes: promising list-changed notifications
		// would make a 2026-07-28 subscriptions/listen hold its request
		// open until the deadline (on a streamed Lambda invocation,
		// billed all that while; a buffered one is ended once acknowledged). The handler adds completions.
		Capabilities: &mcp.ServerCapabilities{Prompts: &mcp.PromptCapabilities{}},
	})
	// Tool deadlines before the invocation's, panics answered rather
	// than fatal: what lambdamcp asks of every server.
	s.AddReceivingMiddleware(lambdamcp.Middleware())
	s.AddPrompt(&mcp.Prompt{
		Name:        "deploy",
		Title:       "Plan a deployment",
		Description: "Asks for a deployment plan of an MCP server on Lambda behind one event shape.",
		Arguments: []*mcp.PromptArgument{
			{Name: "shape", Description: "the event shape: alb, http, rest or url", Required: true},
			{Name: "streaming", Description: "yes to stream responses where the shape can"},
		},
	}, func(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		// A misspelt argument is refused like a misspelt value: left
		// out, it would quietly change the plan.
		for _, name := range slices.Sorted(maps.Keys(req.Params.Arguments)) {
			if name != "shape" && name != "streaming" {
				return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: fmt.Sprintf("deploy has no argument %q: its arguments are shape and streaming", name)}
			}
		}
		shape := req.Params.Arguments["shape"]
		if !slices.Contains(Shapes, shape) {
			// A JSON-RPC error with its code: a plain Go error would reach
			// the client with code 0.
			return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "shape must be one of " + strings.Join(Shapes, ", ")}
		}
		streaming := req.Params.Arguments["streaming"]
		if streaming != "" && streaming != "yes" && streaming != "no" {
			// Read as "no", a typo would quietly change the plan.
			return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "streaming must be yes or no"}
		}
		text := fmt.Sprintf("Plan the deployment of a stateless MCP server on AWS Lambda behind the %q event shape.", shape)
		if streaming == "yes" {
			text += " Stream responses if the shape allows it, and say what that costs."
		}
		return &mcp.GetPromptResult{
			Description: "Deployment plan for " + shape,
			Messages:    []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: text}}},
		}, nil
	})
	return s
}

// complete offers the values of a deploy argument that start with what
// the client typed: none for an argument it has no values for, and an
// invalid-params error for a ref that is not one of its prompts.
func complete(_ context.Context, req *mcp.CompleteRequest) (*mcp.CompleteResult, error) {
	p := req.Params
	switch {
	case p.Ref == nil: // refused by the go-sdk unless its validation is turned off
		return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "completion without a ref"}
	case p.Ref.Type == "ref/resource":
		return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: fmt.Sprintf("no resource template %q to complete", p.Ref.URI)}
	case p.Ref.Type != "ref/prompt" || p.Ref.Name != "deploy":
		return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: fmt.Sprintf("no prompt %q to complete", p.Ref.Name)}
	}
	var offered []string
	switch p.Argument.Name {
	case "shape":
		offered = Shapes
	case "streaming":
		offered = []string{"yes", "no"}
	}
	values := []string{} // the schema wants an array, even an empty one
	for _, v := range offered {
		if strings.HasPrefix(v, p.Argument.Value) {
			values = append(values, v)
		}
	}
	return &mcp.CompleteResult{Completion: mcp.CompletionResultDetails{Values: values, Total: len(values)}}, nil
}

// Handler serves s statelessly; see docs/streaming.md for why answers stay
// event streams.
func Handler(s *mcp.Server) http.Handler {
	return mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s },
		&mcp.StreamableHTTPOptions{Stateless: true, PropagateRequestCancellation: true})
}
