package serve_test

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/serve"
)

type greetInput struct {
	Name string `json:"name" jsonschema:"who to greet"`
}

type greetOutput struct {
	Greeting string `json:"greeting"`
}

func greet(_ context.Context, _ *mcp.CallToolRequest, in greetInput) (*mcp.CallToolResult, greetOutput, error) {
	return nil, greetOutput{Greeting: "Hello, " + in.Name + "!"}, nil
}

// newHello builds the server with its one tool.
func newHello() *mcp.Server {
	server := mcp.NewServer(&mcp.Implementation{Name: "hello", Version: "1.0.0"}, &mcp.ServerOptions{
		// The tool list never changes. Left to infer, the go-sdk promises
		// list-changed notifications, and a 2026-07-28 subscriptions/listen
		// then holds a streamed invocation open, billed, until the deadline.
		Capabilities: &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{}},
	})
	// Deadlines and panics (docs/errors.md); streamed answers start at once
	// (docs/streaming.md).
	server.AddReceivingMiddleware(lambdamcp.StreamMiddleware, lambdamcp.Middleware())
	mcp.AddTool(server, &mcp.Tool{Name: "greet", Description: "Greets someone"}, greet)
	return server
}

// A server of your own, run as cmd/mcp-server runs the reference server:
// on Lambda behind any of its fronts, or locally at
// http://127.0.0.1:8080/mcp, with bearer authentication and allowed origins
// taken from the environment. deploy/ can deploy it as it is
// (-c serverPackage=...).
func Example() {
	serve.Main(serve.Handler(newHello(), nil), nil)
}
