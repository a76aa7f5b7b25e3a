package lambdamcp_test

import (
	"bufio"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// TestProtocolErrorAfterProgress checks a 2026-07-28 call that sends
// progress and then fails with an error the go-sdk answers with an HTTP
// status of its own (-32602: 400): its event stream has begun, so where
// the stream is out already (a streamed invocation, the local server) the
// error travels as one more event, and where it is still held (a buffered
// invocation) the go-sdk's answer takes its place whole, as it wrote it.
// Written into the event stream as raw JSON, it reached no client.
func TestProtocolErrorAfterProgress(t *testing.T) {
	s := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "picky"}, func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: req.Params.GetProgressToken(), Progress: 1, Total: 2})
		return nil, nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "no such argument"}
	})
	req := jsonPost(`{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"picky","arguments":{},"_meta":{"progressToken":"p1",`+modernMetaFields+`}}}`,
		"MCP-Protocol-Version", modern, "Mcp-Method", "tools/call", "Mcp-Name", "picky")
	const wantErr = `{"jsonrpc":"2.0","id":42,"error":{"code":-32602,"message":"no such argument"}}`

	t.Run("buffered", func(t *testing.T) {
		h := lambdamcp.NewHandler(sseHandler(s), nil)
		out, err := h.Invoke(streamCtx(t, time.Minute), urlEvent(t, req))
		if err != nil {
			t.Fatal(err)
		}
		var resp lambdaResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatal(err)
		}
		if body := string(resp.body(t)); resp.StatusCode != 400 || resp.header("Content-Type") != "application/json" || strings.TrimSpace(body) != wantErr {
			t.Errorf("answer = %d %q %q, want the go-sdk's 400 with %s", resp.StatusCode, resp.header("Content-Type"), body, wantErr)
		}
	})
	t.Run("streamed", func(t *testing.T) {
		h := lambdamcp.NewHandler(sseHandler(s), &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}})
		st, _ := openStream(t, streamCtx(t, time.Minute), h, urlEvent(t, req))
		wantEvents(t, st, "notifications/progress", "error")
	})
	t.Run("local", func(t *testing.T) {
		_, body := serveLocal(t, context.Background(), sseHandler(s), req)
		st := &streamReader{t: t, r: bufio.NewReader(strings.NewReader(body))}
		wantEvents(t, st, "notifications/progress", "error")
	})
}

// wantEvents reads the messages of an event stream to its end and checks
// their kinds, the last the error answering call 42 with -32602.
func wantEvents(t *testing.T, st *streamReader, kinds ...string) {
	t.Helper()
	var got []string
	var last map[string]any
	for item, ok := st.next(); ok; item, ok = st.next() {
		if item.msg != nil {
			got = append(got, kind(item.msg))
			last = item.msg
		}
	}
	if strings.Join(got, " ") != strings.Join(kinds, " ") {
		t.Fatalf("messages = %v, want %v", got, kinds)
	}
	if errObj, _ := last["error"].(map[string]any); last["id"] != 42.0 || errObj["code"] != -32602.0 {
		t.Errorf("last message = %v, want error -32602 answering call 42", last)
	}
}
