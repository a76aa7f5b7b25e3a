// Command streamfn is a Lambda bootstrap for lambdamcp's streaming tests:
// its tool wait reports progress, then blocks on a GET of RELEASE_URL, which
// the test answers only once it has read the progress from the stream.
package main

import (
	"context"
	"net/http"
	"os"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

func main() {
	release := os.Getenv("RELEASE_URL")
	s := mcp.NewServer(&mcp.Implementation{Name: "streamfn", Version: "1.0.0"}, nil)
	s.AddReceivingMiddleware(lambdamcp.StreamMiddleware)
	mcp.AddTool(s, &mcp.Tool{Name: "wait", Description: "Reports progress, then waits for the test."},
		func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
			req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: req.Params.GetProgressToken(), Progress: 1, Total: 2, Message: "started"})
			r, err := http.NewRequestWithContext(ctx, "GET", release, nil)
			if err != nil {
				return nil, nil, err
			}
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				return nil, nil, err
			}
			resp.Body.Close()
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "released"}}}, nil, nil
		})
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s },
		&mcp.StreamableHTTPOptions{Stateless: true, PropagateRequestCancellation: true})
	lambdamcp.Start(h, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}})
}
