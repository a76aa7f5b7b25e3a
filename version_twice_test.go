package lambdamcp_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// TestStreamDeadlineVersionTwice checks the deadline's error on a stream
// whose request gives MCP-Protocol-Version twice, the newer era's first:
// such a request names no version, as the guard reads it, so its code is
// the one of a request without one (-32001), not the newer era's.
func TestStreamDeadlineVersionTwice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-release
		}), &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeREST}, Heartbeat: -1})
		var ev map[string]any
		if err := json.Unmarshal(restEvent(t, httpRequest{method: "GET", path: "/mcp", header: map[string]string{"Accept": "text/event-stream"}}), &ev); err != nil {
			t.Fatal(err)
		}
		ev["multiValueHeaders"].(map[string]any)["Mcp-Protocol-Version"] = []string{modern, legacy}
		ev["headers"].(map[string]any)["Mcp-Protocol-Version"] = legacy
		s, _ := openStream(t, splitCtx(t), h, mustJSON(t, ev))
		body, err := io.ReadAll(s.r)
		if err != nil {
			t.Fatalf("reading stream: %v", err)
		}
		var got struct {
			Error struct{ Code int }
		}
		if err := json.Unmarshal(body, &got); err != nil || got.Error.Code != -32001 {
			t.Errorf("answer %q (%v): code %d, want -32001", body, err, got.Error.Code)
		}
	})
}

// TestMiddlewareVersionTwice checks the era Middleware gives a call's
// timeout without the guard, from the MCP-Protocol-Version the go-sdk
// hands on: a version given twice names none, as the guard reads it, and
// the call's _meta then tells its era (the go-sdk has a 2026-07-28 call's
// _meta name the header's version).
func TestMiddlewareVersionTwice(t *testing.T) {
	meta := mcp.Meta{"io.modelcontextprotocol/protocolVersion": modern}
	tests := []struct {
		name     string
		versions []string
		meta     mcp.Meta
		want     int64
	}{
		{"2026-07-28", []string{modern}, meta, -32603},
		{"2025-11-25", []string{legacy}, nil, -32001},
		{"twice, the newer first, no _meta", []string{modern, legacy}, nil, -32001},
		{"twice, the older first, no _meta", []string{legacy, modern}, nil, -32001},
		{"twice, _meta 2026-07-28", []string{modern, modern}, meta, -32603},
	}
	handle := lambdamcp.Middleware()(func(ctx context.Context, _ string, _ mcp.Request) (mcp.Result, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithDeadline(t.Context(), time.Now()) // its time is up
			defer cancel()
			req := &mcp.CallToolRequest{
				Params: &mcp.CallToolParamsRaw{Name: "slow", Meta: tc.meta},
				Extra:  &mcp.RequestExtra{Header: http.Header{"Mcp-Protocol-Version": tc.versions}},
			}
			_, err := handle(ctx, "tools/call", req)
			var rpcErr *jsonrpc.Error
			if !errors.As(err, &rpcErr) || rpcErr.Code != tc.want {
				t.Errorf("timeout answered %v, want code %d", err, tc.want)
			}
		})
	}
}
