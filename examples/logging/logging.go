// Package logging is an MCP server whose tool logs at every level, to show
// how log messages reach a client of a stateless server in each protocol
// era: per request through _meta in 2026-07-28, per session (which, for a
// stateless server, is per request too) in 2025-11-25.
package logging

//lint:file-ignore SA1019 MCP logging, sampling and roots are deprecated as of 2026-07-28 but still served and used in the 2025-11-25 era

import (
	"context"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// Levels are the levels work logs at, least severe first.
var Levels = []mcp.LoggingLevel{"debug", "info", "warning", "error"}

// New returns the server.
func New() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "lambdamcp-logging", Version: "1.0.0"}, &mcp.ServerOptions{
		// The list never changes: promising list-changed notifications
		// would make a 2026-07-28 subscriptions/listen hold a streamed
		// invocation open until the deadline (a buffered one lambdamcp
		// ends once the listen is acknowledged).
		Capabilities: &mcp.ServerCapabilities{Logging: &mcp.LoggingCapabilities{}, Tools: &mcp.ToolCapabilities{}},
	})
	// Tool deadlines before the invocation's, panics answered rather
	// than fatal: what lambdamcp asks of every server.
	s.AddReceivingMiddleware(lambdamcp.Middleware())
	mcp.AddTool(s, &mcp.Tool{
		Name:        "work",
		Description: "Logs one message at each level (debug, info, warning, error), then answers done.",
	}, func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		for _, l := range Levels {
			// Log drops what is below the level the client asked for.
			req.Session.Log(ctx, &mcp.LoggingMessageParams{Level: l, Logger: "work", Data: "a message at " + string(l)})
		}
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "done"}}}, nil, nil
	})
	return s
}

// Handler serves s statelessly with event-stream answers, which carry the
// log messages (a JSONResponse handler would drop them).
func Handler(s *mcp.Server) http.Handler {
	return mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s },
		&mcp.StreamableHTTPOptions{Stateless: true, PropagateRequestCancellation: true})
}
