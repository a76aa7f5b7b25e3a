// Package serve runs an example's MCP handler the way cmd/mcp-server runs the
// reference server: on Lambda (AWS_LAMBDA_RUNTIME_API set) it serves
// invocations, streaming the shapes named in MCP_STREAM (url, rest); anywhere
// else it listens on MCP_ADDR (default 127.0.0.1:8080) at /mcp, behind
// lambdamcp.Guard so that it answers as the function does, until Ctrl-C or
// SIGTERM, then lets requests in flight finish. Logs are JSON lines on
// stdout, the first of them "listening" with the URL once the port is bound.
package serve

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/localserver"
)

// Main serves h until the process ends or, locally, until it is stopped.
func Main(h http.Handler) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if code := run(ctx, h, os.Getenv, os.Stdout, os.Stderr); code != 0 {
		stop()
		os.Exit(code)
	}
}

// run is the testable part of Main; it returns the exit status: 2 for a
// configuration it cannot run with, 1 when it cannot listen or serve.
func run(ctx context.Context, h http.Handler, getenv func(string) string, stdout, stderr io.Writer) int {
	name := filepath.Base(os.Args[0])
	stream, err := lambdamcp.ParseStreamShapes(getenv("MCP_STREAM"))
	if err != nil {
		fmt.Fprintf(stderr, "%s: MCP_STREAM: %v\n", name, err)
		return 2
	}
	logger := slog.New(lambdamcp.NewLogHandler(slog.NewJSONHandler(stdout, nil)))
	opts := &lambdamcp.Options{Stream: stream, Logger: logger}
	if getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		lambdamcp.Start(h, opts)
		return 0
	}

	addr := getenv("MCP_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", h)
	host, _ := localserver.Host(ln.Addr())
	logger.Info("listening", slog.String("url", "http://"+host+"/mcp"))
	if err := localserver.Serve(ctx, ln, lambdamcp.Guard(mux, opts)); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	return 0
}
