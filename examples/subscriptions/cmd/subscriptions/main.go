// Command subscriptions serves the subscriptions example: subscriptions/listen answered as a stateless server can.
//
// On Lambda (AWS_LAMBDA_RUNTIME_API set) it serves invocations, streaming the
// shapes named in MCP_STREAM (url, rest); elsewhere it listens on MCP_ADDR
// (default 127.0.0.1:8080) at /mcp.
package main

import (
	"github.com/lambdamcp/lambdamcp/examples/internal/serve"
	"github.com/lambdamcp/lambdamcp/examples/subscriptions"
)

func main() {
	serve.Main(subscriptions.Handler(subscriptions.New()))
}
