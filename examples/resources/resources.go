// Package resources is an MCP server with a fixed resource and a resource
// template: documents a client can list and read, and a family of them named
// by a URI template, read statelessly through every Lambda shape.
package resources

import (
	"context"
	"net/http"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// The resources the server offers.
const (
	ReadmeURI   = "docs://readme"
	ShapeURIFmt = "docs://shapes/{shape}"
)

// shapeNotes are the documents behind the template, one per event shape.
var shapeNotes = map[string]string{
	"rest": "API Gateway REST API: payload 1.0; streams with response transfer mode STREAM.",
	"http": "API Gateway HTTP API: payload 2.0; always buffered.",
	"url":  "Lambda Function URL: payload 2.0; streams with invoke mode RESPONSE_STREAM.",
	"alb":  "Application Load Balancer: always buffered.",
}

// New returns the server.
func New() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "lambdamcp-resources", Version: "1.0.0"}, &mcp.ServerOptions{
		// The list never changes: promising list-changed notifications
		// would make a 2026-07-28 subscriptions/listen hold its request
		// open until the deadline (on a streamed Lambda invocation,
		// billed all that while; a buffered one is ended once acknowledged).
		Capabilities: &mcp.ServerCapabilities{Resources: &mcp.ResourceCapabilities{}},
	})
	// Tool deadlines before the invocation's, panics answered rather
	// than fatal: what lambdamcp asks of every server.
	s.AddReceivingMiddleware(lambdamcp.Middleware())
	s.AddResource(&mcp.Resource{
		URI: ReadmeURI, Name: "readme", Title: "About this server", MIMEType: "text/markdown",
	}, func(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{
			URI: req.Params.URI, MIMEType: "text/markdown",
			Text: "# lambdamcp resources\n\nRead docs://shapes/{shape} for rest, http, url or alb.\n",
		}}}, nil
	})
	s.AddResourceTemplate(&mcp.ResourceTemplate{
		URITemplate: ShapeURIFmt, Name: "shape", Title: "Notes on one Lambda event shape", MIMEType: "text/plain",
	}, func(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		shape := strings.TrimPrefix(req.Params.URI, "docs://shapes/")
		note, ok := shapeNotes[shape]
		if !ok {
			return nil, mcp.ResourceNotFoundError(req.Params.URI)
		}
		return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: req.Params.URI, MIMEType: "text/plain", Text: note}}}, nil
	})
	return s
}

// Handler serves s statelessly; see docs/streaming.md for why answers stay
// event streams.
func Handler(s *mcp.Server) http.Handler {
	return mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s },
		&mcp.StreamableHTTPOptions{Stateless: true, PropagateRequestCancellation: true})
}
