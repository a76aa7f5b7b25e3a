package lambdamcp_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// undecodable returns the data of the first message event of an event
// stream that the go-sdk client cannot decode (it then fails the whole
// connection), or "" if there is none.
func undecodable(stream string) string {
	for _, data := range sseData(stream) {
		if _, err := jsonrpc.DecodeMessage([]byte(data)); err != nil {
			return data
		}
	}
	return ""
}

// TestStreamStandaloneAtDeadline checks a stateful session's standalone
// stream (a GET, which answers no call) near the invocation's deadline: it
// ends cleanly, as a server may end it at any time and the client opens
// another, and without an error event, which would have no id to carry:
// the go-sdk client reads a message with neither id nor method as a broken
// stream and fails its connection, session and all.
func TestStreamStandaloneAtDeadline(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "stateful", Version: "1"}, nil)
	sdk := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil)
	h := lambdamcp.NewHandler(sdk, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}})

	s, head := openStream(t, streamCtx(t, time.Minute), h, urlEvent(t, jsonPost(openSession)))
	io.Copy(io.Discard, s.r)
	session := head.header("Mcp-Session-Id")
	if session == "" {
		t.Fatalf("initialize answered with no session: %+v", head)
	}
	s, _ = openStream(t, streamCtx(t, time.Minute), h, urlEvent(t, jsonPost(`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		"Mcp-Session-Id", session, "MCP-Protocol-Version", "2025-11-25")))
	io.Copy(io.Discard, s.r)

	get := httpRequest{method: "GET", path: "/mcp", header: map[string]string{
		"Accept": "text/event-stream", "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"}}
	s, head = openStream(t, streamCtx(t, 2*time.Second), h, urlEvent(t, get))
	if head.StatusCode != http.StatusOK || head.header("Content-Type") != "text/event-stream" {
		t.Fatalf("head %d %q, want the standalone event stream", head.StatusCode, head.header("Content-Type"))
	}
	body, err := io.ReadAll(s.r)
	if err != nil {
		t.Errorf("stream ended with %v, want a clean end", err)
	}
	if data := undecodable(string(body)); data != "" {
		t.Errorf("stream = %q\nhas message %s, which the client cannot decode", body, data)
	}
}

// TestStreamStandalonePanics checks a handler that panics in an event
// stream answering no call: no error event can name the call it answers,
// so the stream ends with an error (the invocation's error trailers), as
// the local server cuts the connection of such a stream.
func TestStreamStandalonePanics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const part = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}\n\n"
		h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, part)
			panic("boom")
		}), &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}, Heartbeat: -1})
		get := httpRequest{method: "GET", path: "/mcp", header: map[string]string{"Accept": "text/event-stream"}}
		s, _ := openStream(t, splitCtx(t), h, urlEvent(t, get))
		body, err := io.ReadAll(s.r)
		if err == nil || !strings.HasPrefix(string(body), part) {
			t.Errorf("stream = %q, %v; want the handler's event, then an error", body, err)
		}
		if data := undecodable(string(body)); data != "" {
			t.Errorf("stream = %q\nhas message %s, which the client cannot decode", body, data)
		}
	})
}
