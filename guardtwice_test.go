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

// TestGuardedHandlerKeepsItsOriginCheck checks that a handler Guard wraps
// with a CheckOrigin keeps refusing a foreign Origin when it is handed to
// NewHandler or Guard again with options that check none: the outer guard
// serves the request, and the inner one's Origin check must not be lost
// with its other work.
func TestGuardedHandlerKeepsItsOriginCheck(t *testing.T) {
	server, _ := newHardServer(t)
	opts := &lambdamcp.Options{JSONResponse: true, CheckOrigin: func(r *http.Request) bool {
		return r.Header.Get("Origin") == "https://app.example"
	}}
	guarded := lambdamcp.Guard(streamable(server), opts)
	req := call("echo", `{"bytes":1}`, "Origin", "https://evil.example")
	resp := invoke(t, lambdamcp.NewHandler(guarded, nil), urlEvent(t, req))
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(resp.body(t)), "origin not allowed") {
		t.Errorf("NewHandler: %d %s, want 403 origin not allowed", resp.StatusCode, resp.body(t))
	}
	local, body := serveLocal(t, t.Context(), lambdamcp.Guard(guarded, nil), req)
	if local.StatusCode != http.StatusForbidden || !strings.Contains(body, "origin not allowed") {
		t.Errorf("Guard: %d %s, want 403 origin not allowed", local.StatusCode, body)
	}
}

// TestGuardedHandlerOriginCheckLogged checks the inner guard's Origin
// check from the outer guard's side: a request with no Origin (a client
// that is no browser) is not put to it, as a guard of its own does not,
// and a refused one is logged as the refusal it is, with its error code.
func TestGuardedHandlerOriginCheckLogged(t *testing.T) {
	server, _ := newHardServer(t)
	guarded := lambdamcp.Guard(streamable(server), &lambdamcp.Options{JSONResponse: true, CheckOrigin: func(r *http.Request) bool {
		return r.Header.Get("Origin") == "https://app.example"
	}})
	var logs bytes.Buffer
	h := lambdamcp.NewHandler(guarded, &lambdamcp.Options{JSONResponse: true, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if resp := invoke(t, h, urlEvent(t, call("echo", `{"bytes":1}`))); resp.StatusCode != http.StatusOK {
		t.Errorf("no Origin: %d %s, want 200", resp.StatusCode, resp.body(t))
	}
	logs.Reset()
	invoke(t, h, urlEvent(t, call("echo", `{"bytes":1}`, "Origin", "https://evil.example")))
	lines := logLines(t, logs.Bytes())
	if len(lines) != 1 || lines[0]["outcome"] != lambdamcp.OutcomeRejected || lines[0]["error_code"] != float64(-32600) {
		t.Errorf("log lines of a refused Origin:\n%s\nwant one, rejected with error_code -32600", logs.Bytes())
	}
}
