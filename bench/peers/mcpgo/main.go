// Command mcpgo is the mark3labs/mcp-go peer of cmd/lambdamcp-bench: a
// stateless Streamable HTTP server with the reference server's ping tool.
// It lives in its own module so that lambdamcp does not depend on mcp-go.
//
//	go run . -addr 127.0.0.1:0    # prints "listening http://ADDR/mcp"
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	if err := run(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "mcpgo:", err)
		os.Exit(1)
	}
}

func run(addr string) error {
	// Arguments are validated against the tool's schema, as the go-sdk and
	// the TypeScript SDK do by default.
	s := server.NewMCPServer("mcpgo-peer", "0.1.0", server.WithToolCapabilities(false), server.WithInputSchemaValidation())
	s.AddTool(mcp.NewTool("ping",
		mcp.WithDescription("Answers pong with the execution environment's log stream, the server version and how long it waited."),
		mcp.WithNumber("delay_ms", mcp.Description("milliseconds to wait before answering (0 to 5000)"), mcp.Min(0), mcp.Max(5000)),
	), ping)
	h := server.NewStreamableHTTPServer(s, server.WithStateLess(true), server.WithDisableStreaming(true))

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Printf("listening http://%s/mcp\n", ln.Addr())
	mux := http.NewServeMux()
	mux.Handle("/mcp", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(ln)
}

func ping(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	d := time.Duration(req.GetInt("delay_ms", 100)) * time.Millisecond
	if d < 0 || d > 5*time.Second {
		return mcp.NewToolResultError("delay_ms must be between 0 and 5000"), nil
	}
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return mcp.NewToolResultText(fmt.Sprintf("pong! logStream=unknown v=0.1.0 d=%d", d.Milliseconds())), nil
}
