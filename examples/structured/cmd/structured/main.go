// Command structured serves the structured example: a tool with an outputSchema and structured content.
//
// On Lambda (AWS_LAMBDA_RUNTIME_API set) it serves invocations, streaming the
// shapes named in MCP_STREAM (url, rest); elsewhere it listens on MCP_ADDR
// (default 127.0.0.1:8080) at /mcp.
package main

import (
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/examples/structured"
)

func main() {
	h := structured.Handler(structured.New())
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		var stream []lambdamcp.Shape
		for s := range strings.SplitSeq(os.Getenv("MCP_STREAM"), ",") {
			if s = strings.TrimSpace(s); s != "" {
				stream = append(stream, lambdamcp.Shape(s))
			}
		}
		lambdamcp.Start(h, &lambdamcp.Options{Stream: stream})
		return
	}
	addr := os.Getenv("MCP_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", h)
	log.Printf("serving http://%s/mcp", addr)
	log.Fatal(http.ListenAndServe(addr, mux))
}
