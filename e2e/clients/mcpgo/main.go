// Command mcpgo connects to an MCP server with mark3labs/mcp-go's client, a
// Go implementation of MCP written apart from the official go-sdk, over
// Streamable HTTP; it lists the server's tools and calls one, and prints
// both as JSON lines. It exits 1, with the reason on stderr, on any failure.
//
//	MCP_BEARER_TOKEN=... mcpgo <legacy|modern> <url> [tool] [json-arguments]
//
// legacy: pinned to 2025-11-25, the initialize handshake.
// modern: 2026-07-28, server/discover and no session. The client falls back
// to the handshake by itself when discover fails, so the protocol version it
// prints is what tells the two apart. The token comes from the environment
// so that it never shows in a process list.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

func main() {
	if len(os.Args) < 3 || len(os.Args) > 5 || (os.Args[1] != "legacy" && os.Args[1] != "modern") {
		fmt.Fprintln(os.Stderr, "usage: mcpgo <legacy|modern> <url> [tool] [json-arguments]")
		os.Exit(2)
	}
	era, url, tool, rawArgs := os.Args[1], os.Args[2], "ping", "{}"
	if len(os.Args) > 3 {
		tool = os.Args[3]
	}
	if len(os.Args) > 4 {
		rawArgs = os.Args[4]
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, era, url, tool, rawArgs); err != nil {
		fmt.Fprintf(os.Stderr, "mcpgo (%s): %v\n", era, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, era, url, tool, rawArgs string) error {
	var args map[string]any
	if err := json.Unmarshal([]byte(rawArgs), &args); err != nil {
		return fmt.Errorf("arguments: %w", err)
	}
	var opts []transport.StreamableHTTPCOption
	if tok := os.Getenv("MCP_BEARER_TOKEN"); tok != "" {
		opts = append(opts, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + tok}))
	}
	tr, err := transport.NewStreamableHTTP(url, opts...)
	if err != nil {
		return err
	}
	version := mcp.LATEST_PROTOCOL_VERSION
	if era == "legacy" {
		version = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	}
	c := client.NewClient(tr, client.WithProtocolVersion(version))
	defer c.Close()
	if err := c.Start(ctx); err != nil {
		return err
	}
	var init mcp.InitializeRequest
	init.Params.ClientInfo = mcp.Implementation{Name: "lambdamcp-e2e-mcpgo", Version: "1.0.0"}
	if _, err := c.Initialize(ctx, init); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	list, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		return fmt.Errorf("tools/list: %w", err)
	}
	names := make([]string, 0, len(list.Tools))
	for _, t := range list.Tools {
		names = append(names, t.Name)
	}
	if err := printJSON(map[string]any{"era": era, "protocolVersion": c.ProtocolVersion(), "tools": names}); err != nil {
		return err
	}
	var call mcp.CallToolRequest
	call.Params.Name = tool
	call.Params.Arguments = args
	result, err := c.CallTool(ctx, call)
	if err != nil {
		return fmt.Errorf("tools/call %s: %w", tool, err)
	}
	if err := printJSON(map[string]any{"call": tool, "result": result}); err != nil {
		return err
	}
	if result.IsError {
		return errors.New("tool " + tool + " answered an error")
	}
	return nil
}

func printJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Printf("%s\n", b)
	return err
}
