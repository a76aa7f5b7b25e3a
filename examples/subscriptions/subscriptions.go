// Package subscriptions is an MCP server that answers the 2026-07-28
// subscriptions/listen request the way a stateless Lambda function honestly
// can: it acknowledges only the notifications it can deliver (none: its
// tools, prompts and resources change only when a new version is deployed,
// and no invocation sees another's events) and ends the subscription
// gracefully at once, instead of holding a billed invocation open for
// notifications that will never come.
package subscriptions

import (
	"context"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// New returns the server.
func New() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "lambdamcp-subscriptions", Version: "1.0.0"}, &mcp.ServerOptions{
		// Lists are fixed per deployment and resources are not
		// subscribable: advertising list_changed or subscribe would promise
		// notifications this server cannot send.
		Capabilities: &mcp.ServerCapabilities{
			Tools:     &mcp.ToolCapabilities{ListChanged: false},
			Resources: &mcp.ResourceCapabilities{ListChanged: false, Subscribe: false},
		},
	})
	// Tool deadlines before the invocation's, panics answered rather
	// than fatal: what lambdamcp asks of every server.
	s.AddReceivingMiddleware(lambdamcp.Middleware())
	mcp.AddTool(s, &mcp.Tool{Name: "version", Description: "Says which deployment answers."},
		func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "1.0.0"}}}, nil, nil
		})
	s.AddResource(&mcp.Resource{URI: "config://deployment", Name: "deployment", MIMEType: "application/json"},
		func(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: req.Params.URI, MIMEType: "application/json", Text: `{"version":"1.0.0"}`}}}, nil
		})
	return s
}

// Handler serves s statelessly. subscriptions/listen is always answered
// with an event stream (the SDK forces it); the acknowledgement and the
// closing response arrive together, on streamed and buffered routes alike.
func Handler(s *mcp.Server) http.Handler {
	return mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s },
		&mcp.StreamableHTTPOptions{Stateless: true, PropagateRequestCancellation: true})
}
