// Command mrtr serves the mrtr example: tools that ask the client for input
// (elicitation, sampling, roots) with the 2026-07-28 input-required flow.
//
// MCP_REQUEST_STATE_KEY is the 32-byte AES-256 key that seals requestState,
// as 64 hex digits or padded base64; every instance of the function must share it.
// Unset, a random key is made locally, and state then only survives within
// this process; on Lambda it must be set, and the command refuses to start
// without it.
//
// It runs with package serve: on Lambda (AWS_LAMBDA_RUNTIME_API set) it serves
// invocations, streaming the shapes named in MCP_STREAM (url, rest); elsewhere it
// listens on MCP_ADDR (default 127.0.0.1:8080) at /mcp. Authentication and
// allowed origins come from the environment as serve describes.
package main

import (
	"crypto/rand"
	"log"
	"os"

	"github.com/lambdamcp/lambdamcp/examples/mrtr"
	"github.com/lambdamcp/lambdamcp/requeststate"
	"github.com/lambdamcp/lambdamcp/serve"
)

func main() {
	key := make([]byte, requeststate.KeySize)
	if k := os.Getenv("MCP_REQUEST_STATE_KEY"); k != "" {
		var err error
		if key, err = requeststate.ParseKey(k); err != nil {
			log.Fatalf("MCP_REQUEST_STATE_KEY: %v", err)
		}
	} else if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		// A key of each execution environment's own would fail every
		// round that reaches another one.
		log.Fatal("MCP_REQUEST_STATE_KEY: not set; on Lambda every execution environment must share the key that seals requestState")
	} else {
		rand.Read(key)
		log.Print("MCP_REQUEST_STATE_KEY is not set: requestState is sealed with a key of this process only")
	}
	sealer, err := requeststate.New(key)
	if err != nil {
		log.Fatalf("MCP_REQUEST_STATE_KEY: %v", err)
	}
	serve.Main(mrtr.Handler(mrtr.New(sealer)), nil)
}
