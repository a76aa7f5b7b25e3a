package everything_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp/examples/everything"
	"github.com/lambdamcp/lambdamcp/internal/lambdatest"
)

// TestCallCancelledWithItsClient checks that a 2026-07-28 call whose client
// goes away is cancelled, as that era has a server take a client's
// disconnect: a tool still running would work on for no one.
func TestCallCancelledWithItsClient(t *testing.T) {
	started, stopped, release := make(chan struct{}), make(chan error, 1), make(chan struct{})
	srv := everything.New(nil)
	mcp.AddTool(srv, &mcp.Tool{Name: "wait"}, func(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		close(started)
		select {
		case <-ctx.Done():
			stopped <- ctx.Err()
			return nil, nil, ctx.Err()
		case <-release: // the test has ended
			return nil, nil, nil
		}
	})
	ts := httptest.NewServer(everything.Handler(srv, nil))
	t.Cleanup(ts.Close)
	t.Cleanup(func() { close(release) })

	call := lambdatest.Call(lambdatest.Modern, 1, "tools/call", map[string]any{"name": "wait"}, nil)
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL, bytes.NewReader(call.Body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = call.Header
	done := make(chan struct{})
	go func() {
		defer close(done)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	select {
	case <-started:
	case <-done:
		t.Fatal("the call ended before the tool ran")
	}
	cancel()
	<-done
	select {
	case err := <-stopped:
		if err != context.Canceled {
			t.Errorf("the tool's context ended with %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the tool still running 10 s after its client went away")
	}
}
