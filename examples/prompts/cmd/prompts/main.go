// Command prompts serves the prompts example: a prompt template and completion of its arguments.
//
// It runs with package serve: on Lambda (AWS_LAMBDA_RUNTIME_API set) it serves
// invocations, streaming the shapes named in MCP_STREAM (url, rest); elsewhere it
// listens on MCP_ADDR (default 127.0.0.1:8080) at /mcp. Authentication and
// allowed origins come from the environment as serve describes.
package main

import (
	"github.com/lambdamcp/lambdamcp/examples/prompts"
	"github.com/lambdamcp/lambdamcp/serve"
)

func main() {
	serve.Main(prompts.Handler(prompts.New()), nil)
}
