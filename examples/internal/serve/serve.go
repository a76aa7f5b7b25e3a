// Package serve runs an example's MCP handler the way cmd/mcp-server runs the
// reference server: on Lambda (AWS_LAMBDA_RUNTIME_API set) it serves
// invocations, streaming the shapes named in MCP_STREAM (url, rest); anywhere
// else it listens on MCP_ADDR (default 127.0.0.1:8080) at /mcp.
package serve

import (
	"log"
	"log/slog"
	"net/http"
	"os"

	"github.com/lambdamcp/lambdamcp"
)

// Main serves h until the process ends.
func Main(h http.Handler) {
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		stream, err := lambdamcp.ParseStreamShapes(os.Getenv("MCP_STREAM"))
		if err != nil {
			log.Fatalf("MCP_STREAM: %v", err)
		}
		logger := slog.New(lambdamcp.NewLogHandler(slog.NewJSONHandler(os.Stdout, nil)))
		lambdamcp.Start(h, &lambdamcp.Options{Stream: stream, Logger: logger})
		return
	}
	addr := os.Getenv("MCP_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", lambdamcp.JSONErrors(h))
	log.Printf("serving http://%s/mcp", addr)
	log.Fatal(http.ListenAndServe(addr, mux))
}
