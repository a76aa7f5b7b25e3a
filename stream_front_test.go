package lambdamcp_test

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp/internal/localfront"
)

// startStreamingFront runs testdata/streamfn, compiled, as the function
// behind a local Function URL front in RESPONSE_STREAM mode. Its tool
// blocks until the returned channel is closed.
func startStreamingFront(t *testing.T) (endpoint string, release chan struct{}) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	t.Cleanup(cancel)
	bin, err := localfront.Build(ctx, "./testdata/streamfn", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	release = make(chan struct{})
	waiter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(waiter.Close)
	fn, err := localfront.NewProcess(bin, &localfront.FunctionConfig{Name: "streamfn", Env: []string{"RELEASE_URL=" + waiter.URL}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fn.Close() })
	front, err := localfront.Start(ctx, localfront.Config{Shape: localfront.ShapeURL, Stream: true, Function: fn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { front.Close() })
	return front.URL() + "/mcp", release
}

// TestStreamBehindLocalFunctionURL sends a tools/call through the local
// Function URL front, in RESPONSE_STREAM mode, to a real bootstrap: the
// progress message is read over HTTP while the tool is still blocked.
func TestStreamBehindLocalFunctionURL(t *testing.T) {
	endpoint, release := startStreamingFront(t)
	req := callWait(legacy)
	hr, err := http.NewRequestWithContext(t.Context(), "POST", endpoint, strings.NewReader(req.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range req.header {
		hr.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" || resp.Header.Get("X-Accel-Buffering") != "no" {
		t.Fatalf("answer %d %v, want 200 text/event-stream with X-Accel-Buffering: no", resp.StatusCode, resp.Header)
	}
	s := &streamReader{t: t, r: bufio.NewReader(resp.Body)}
	if m := s.nextMessage(); kind(m) != "notifications/progress" {
		t.Fatalf("first message = %v, want progress", m)
	}
	close(release) // the tool is still waiting: only now may it finish
	if m := s.nextMessage(); kind(m) != "result" || m["id"] != 42.0 {
		t.Fatalf("message = %v, want the result of call 42", m)
	}
	s.wantEnd()
}

// TestSDKClientSeesProgressFirst is the same through the go-sdk client in
// the 2026-07-28 era: its progress handler runs while the tool waits.
func TestSDKClientSeesProgressFirst(t *testing.T) {
	endpoint, release := startStreamingFront(t)
	client := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
			if req.Params.Message == "started" {
				close(release)
			}
		},
	})
	cs, err := client.Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: endpoint, DisableStandaloneSSE: true},
		&mcp.ClientSessionOptions{ProtocolVersion: modern})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	params := &mcp.CallToolParams{Name: "wait", Arguments: map[string]any{}}
	params.SetProgressToken("p")
	res, err := cs.CallTool(t.Context(), params)
	if err != nil || res.IsError || res.Content[0].(*mcp.TextContent).Text != "released" {
		t.Fatalf("call = %+v, %v; want released", res, err)
	}
}
