// Package discover is an MCP server that answers the 2026-07-28
// server/discover request and marks its results cacheable: what a stateless
// client learns in one request, and how long it may keep it.
package discover

import (
	"context"
	"net/http"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// Options configures the server. The zero value is ready to use.
type Options struct {
	// ListTTLMs is how long, in milliseconds, a client or any cache may keep
	// the server's discovery and list results. Zero means 5 minutes: they
	// change only when a new version is deployed. A negative value sends
	// ttlMs 0 (the spec allows none below it): stale at once.
	ListTTLMs int
}

// New returns the server.
func New(opts Options) *mcp.Server {
	ttl := opts.ListTTLMs
	switch {
	case ttl == 0:
		ttl = 5 * 60 * 1000
	case ttl < 0:
		ttl = 0
	}
	s := mcp.NewServer(&mcp.Implementation{Name: "lambdamcp-discover", Version: "1.0.0"}, &mcp.ServerOptions{
		Instructions: "Call whoami to see what the server knows about you.",
		// Discovery and lists are the same for everyone until the next
		// deployment: anyone may cache them. A per-user result would be
		// marked "private" instead.
		SetCacheable: func(_ context.Context, _ mcp.Request, c *mcp.Cacheable) {
			c.TTLMs = ttl
			c.CacheScope = "public"
		},
		// The list never changes: promising list-changed notifications
		// would make a 2026-07-28 subscriptions/listen hold a streamed
		// invocation open until the deadline (a buffered one lambdamcp
		// ends once the listen is acknowledged).
		Capabilities: &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{}},
	})
	// Tool deadlines before the invocation's, panics answered rather
	// than fatal: what lambdamcp asks of every server.
	s.AddReceivingMiddleware(lambdamcp.Middleware())
	mcp.AddTool(s, &mcp.Tool{Name: "whoami", Description: "Says which client called."},
		func(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
			name := "an unnamed client"
			// A 2025-11-25 client names itself only in initialize, whose
			// session a stateless server does not keep. The era is the
			// request's version, whatever its _meta carries.
			if req.ProtocolVersion() >= "2026-07-28" {
				if info, ok := req.Params.GetMeta()["io.modelcontextprotocol/clientInfo"].(map[string]any); ok {
					// A blank name names no one.
					if n, ok := info["name"].(string); ok && strings.TrimSpace(n) != "" {
						name = n
					}
				}
			}
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "you are " + name}}}, nil, nil
		})
	return s
}

// Handler serves s statelessly; see docs/streaming.md for why answers stay
// event streams.
func Handler(s *mcp.Server) http.Handler {
	return mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s },
		&mcp.StreamableHTTPOptions{Stateless: true, PropagateRequestCancellation: true})
}
