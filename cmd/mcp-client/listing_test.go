package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestListingWithoutDescription checks that a listed tool or prompt
// without a description, and a resource or resource template without a
// name, is shown by what it has, with no empty ": " or "()" after it.
func TestListingWithoutDescription(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "own", Version: "1.0.0"}, nil)
	for _, tool := range []*mcp.Tool{{Name: "bare"}, {Name: "told", Description: "says what it does"}} {
		mcp.AddTool(server, tool, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
			return &mcp.CallToolResult{}, nil, nil
		})
	}
	for _, p := range []*mcp.Prompt{{Name: "plain"}, {Name: "review", Description: "the review prompt"}} {
		server.AddPrompt(p, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			return &mcp.GetPromptResult{}, nil
		})
	}
	for _, r := range []*mcp.Resource{{URI: "docs://anonymous"}, {URI: "docs://readme", Name: "readme"}} {
		server.AddResource(r, func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{}, nil
		})
	}
	server.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: "docs://notes/{id}"}, func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		return &mcp.ReadResourceResult{}, nil
	})
	endpoint := serveLocally(t, server)
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"-endpoint", endpoint}, noEnv, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	for _, want := range []string{
		"  - bare\n", "  - told: says what it does\n",
		"  - plain\n", "  - review: the review prompt\n",
		"  - docs://anonymous\n", "  - docs://readme (readme)\n",
		"  - docs://notes/{id}\n",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout %q lacks %q", stdout.String(), want)
		}
	}
}
