package main

import (
	"context"
	"io"
)

// runClients runs real MCP clients against the reference server.
func runClients(ctx context.Context, b *builder, tools *nodeTools, cfg config, getenv func(string) string, log io.Writer) []result {
	return nil
}
