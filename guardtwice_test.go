package lambdamcp_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdamcp/lambdamcp"
)

// TestGuardedHandlerGuardedOnce checks that a handler Guard wraps already,
// handed to NewHandler (as a program that serves one handler locally and
// on Lambda does) or to Guard again, is guarded once: one log line and one
// metric line for a call, not one for each guard, which would count every
// call twice.
func TestGuardedHandlerGuardedOnce(t *testing.T) {
	server, _ := newHardServer(t)
	var logs, metrics bytes.Buffer
	opts := &lambdamcp.Options{JSONResponse: true, Metrics: &metrics, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	guarded := lambdamcp.Guard(streamable(server), opts)
	check := func(t *testing.T) {
		t.Helper()
		if n := strings.Count(logs.String(), `"msg":"request"`); n != 1 {
			t.Errorf("%d request lines for one call, want 1:\n%s", n, &logs)
		}
		if n := strings.Count(metrics.String(), "\n"); n != 1 || !strings.Contains(metrics.String(), `"Tool":"echo"`) {
			t.Errorf("%d metric lines for one call, want 1, of tool echo:\n%s", n, &metrics)
		}
		logs.Reset()
		metrics.Reset()
	}

	t.Run("NewHandler", func(t *testing.T) {
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "r1"})
		if _, err := lambdamcp.NewHandler(guarded, opts).Invoke(ctx, urlEvent(t, call("echo", `{"bytes":1}`))); err != nil {
			t.Fatal(err)
		}
		check(t)
	})
	t.Run("Guard", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"bytes":1}}}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("MCP-Protocol-Version", "2025-11-25")
		rec := httptest.NewRecorder()
		lambdamcp.Guard(guarded, opts).ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		check(t)
	})
}
