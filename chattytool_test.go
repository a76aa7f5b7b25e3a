package lambdamcp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// TestChattyToolOverTheLimit checks that a tool sending progress past the
// response limit of a buffered shape, in either era, gets its call the
// error of a response too large: the progress travels in the answer, of
// which lambdamcp holds no more than the limit.
func TestChattyToolOverTheLimit(t *testing.T) {
	s := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, nil)
	s.AddReceivingMiddleware(lambdamcp.Middleware())
	s.AddTool(&mcp.Tool{Name: "wait", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			for i := range 2 * testMaxResponse / 100 {
				err := req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: req.Params.GetProgressToken(), Progress: float64(i)})
				if err != nil {
					return nil, err
				}
			}
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "done"}}}, nil
		})
	h := lambdamcp.NewHandler(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s },
		&mcp.StreamableHTTPOptions{Stateless: true}), &lambdamcp.Options{Limits: lambdamcp.Limits{MaxResponseBytes: testMaxResponse}})
	for _, era := range []string{legacy, modern} {
		t.Run(era, func(t *testing.T) {
			resp := invoke(t, h, restEvent(t, callWait(era)))
			var ans methodAnswer
			if err := json.Unmarshal(resp.body(t), &ans); err != nil {
				t.Fatalf("answered %d %.300s: %v", resp.StatusCode, resp.body(t), err)
			}
			want := "bytes exceeds the Lambda response limit of 262144 bytes"
			if resp.StatusCode != 200 || ans.Error == nil || ans.Error.Code != -32603 ||
				!strings.HasPrefix(ans.Error.Message, "response of at least ") || !strings.HasSuffix(ans.Error.Message, want) {
				t.Errorf("answered %d %.300s, want -32603 saying %q", resp.StatusCode, resp.body(t), "response of at least N "+want)
			}
		})
	}
}
