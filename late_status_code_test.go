package lambdamcp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// TestLateStatusCode checks that the code of an error the go-sdk answers
// with a status of its own after its event stream began (a 2026-07-28
// call that sent progress, then failed with -32602 or -32601) reaches the
// request's log line: written as plain JSON after the late status, it is
// the go-sdk's answer, the only word of the code on a server without
// Middleware. With Middleware, the code Middleware saw stands. A buffered
// invocation, whose answer becomes the go-sdk's JSON whole, reads it too.
func TestLateStatusCode(t *testing.T) {
	fail := func(ctx context.Context, req *mcp.CallToolRequest, in struct {
		Code int64 `json:"code"`
	}) (*mcp.CallToolResult, any, error) {
		err := req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: req.Params.GetProgressToken(), Progress: 1, Total: 2})
		if err != nil {
			return nil, nil, err
		}
		return nil, nil, &jsonrpc.Error{Code: in.Code, Message: "refused late"}
	}
	servers := withAndWithoutMiddleware("late", func(s *mcp.Server) { mcp.AddTool(s, &mcp.Tool{Name: "fail"}, fail) })
	paths := unseenCodePaths()
	paths = append(paths, unseenCodePath{"url-buffered", func(t *testing.T, h http.Handler, logger *slog.Logger, req httpRequest) string {
		out, err := lambdamcp.NewHandler(h, &lambdamcp.Options{Logger: logger}).Invoke(streamCtx(t, time.Minute), urlEvent(t, req))
		if err != nil {
			t.Fatal(err)
		}
		var resp lambdaResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatal(err)
		}
		return string(resp.body(t))
	}})
	for server, s := range servers {
		h := sseHandler(s)
		for _, p := range paths {
			for _, code := range []int{-32602, -32601} {
				t.Run(fmt.Sprintf("%s/%s/%d", server, p.name, code), func(t *testing.T) {
					req := jsonPost(fmt.Sprintf(`{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"fail","arguments":{"code":%d},"_meta":{"progressToken":"p1",%s}}}`, code, modernMetaFields),
						"MCP-Protocol-Version", modern, "Mcp-Method", "tools/call", "Mcp-Name", "fail")
					var logs bytes.Buffer
					body := p.run(t, h, slog.New(slog.NewJSONHandler(&logs, nil)), req)
					if want := fmt.Sprintf(`"code":%d`, code); !strings.Contains(body, want) {
						t.Fatalf("answer %q, want one holding %s", body, want)
					}
					lines := logLines(t, logs.Bytes())
					if len(lines) != 1 {
						t.Fatalf("%d log lines, want 1:\n%s", len(lines), logs.Bytes())
					}
					if diff := cmp.Diff(float64(code), lines[0]["error_code"]); diff != "" {
						t.Errorf("error_code (-want +got):\n%s\n%s", diff, logs.Bytes())
					}
				})
			}
		}
	}
}

// TestLateStatusCodePieces checks which code is read from what a handler
// writes after a late status: that of the first JSON value, however the
// writes split it, as the writers below frame it as the first event; none
// from a value that runs past 64 KiB, whose data the event stream's
// reading gives up on too.
func TestLateStatusCodePieces(t *testing.T) {
	long := `{"jsonrpc":"2.0","id":42,"error":{"code":-32601,"message":"` + strings.Repeat("x", 70<<10) + `"}}`
	other := strings.Replace(lateError, "-32602", "-32601", 1)
	tests := []struct {
		name   string
		pieces []string
		code   any // the log line's error_code; nil for none
	}{
		{"whole", []string{lateError}, float64(-32602)},
		{"byte by byte", strings.Split(lateError, ""), float64(-32602)},
		{"after white space", []string{"\n ", lateError}, float64(-32602)},
		{"two values, the first read", []string{lateError + other}, float64(-32602)},
		{"two values in pieces", []string{lateError[:30], lateError[30:] + other[:10], other[10:]}, float64(-32602)},
		{"past 64 KiB", []string{long}, nil},
	}
	for _, p := range unseenCodePaths() {
		for _, tc := range tests {
			t.Run(p.name+"/"+tc.name, func(t *testing.T) {
				h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", "text/event-stream")
					w.WriteHeader(http.StatusOK)
					io.WriteString(w, lateProgress)
					w.(http.Flusher).Flush()
					w.WriteHeader(http.StatusBadRequest)
					for _, piece := range tc.pieces {
						io.WriteString(w, piece)
					}
				})
				req := jsonPost(`{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"picky","arguments":{}}}`, "MCP-Protocol-Version", modern)
				var logs bytes.Buffer
				p.run(t, h, slog.New(slog.NewJSONHandler(&logs, nil)), req)
				lines := logLines(t, logs.Bytes())
				if len(lines) != 1 {
					t.Fatalf("%d log lines, want 1:\n%s", len(lines), logs.Bytes())
				}
				if diff := cmp.Diff(tc.code, lines[0]["error_code"]); diff != "" {
					t.Errorf("error_code (-want +got):\n%s\n%.2000s", diff, logs.Bytes())
				}
			})
		}
	}
}
