// Command progress serves the progress example: on Lambda when
// AWS_LAMBDA_RUNTIME_API is set (MCP_STREAM=url,rest names the shapes that
// stream), else locally at http://127.0.0.1:8080/mcp (MCP_ADDR to change).
package main

import (
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/examples/progress"
)

func main() {
	h := progress.Handler(progress.New(progress.Options{}))
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		var stream []lambdamcp.Shape
		for s := range strings.SplitSeq(os.Getenv("MCP_STREAM"), ",") {
			if s != "" {
				stream = append(stream, lambdamcp.Shape(strings.TrimSpace(s)))
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
	log.Fatal(http.ListenAndServe(addr, mux))
}
