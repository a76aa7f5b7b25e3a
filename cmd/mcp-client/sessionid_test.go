package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestSessionIDHidden checks that the id of a stateful server's session
// stays hidden in the line of a failure whose words the go-sdk wrote with
// it (a 2025-11-25 stream that could not be resumed), as in -trace:
// whoever holds it may send requests in the session.
func TestSessionIDHidden(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "stateful", Version: "1"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "ping"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{}, nil, nil
	})
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil)
	var mu sync.Mutex
	var sessionID string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.Header.Get("Last-Event-ID") != "" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var msg struct {
			Method string `json:"method"`
		}
		json.Unmarshal(body, &msg)
		if msg.Method != "tools/call" {
			h.ServeHTTP(w, r)
			return
		}
		// A stream whose event has an id, then ends: the go-sdk resumes it.
		mu.Lock()
		sessionID = r.Header.Get("Mcp-Session-Id")
		mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "id: 1\nretry: 1\n"+progressEvent)
	}))
	defer srv.Close()
	for _, trace := range []bool{false, true} {
		args := []string{"-endpoint", srv.URL + "/mcp", "-protocol", "2025-11-25", "-timeout", "10s", "-call", "ping"}
		if trace {
			args = append(args, "-trace")
		}
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), args, noEnv, &stdout, &stderr)
		mu.Lock()
		id := sessionID
		mu.Unlock()
		if code != 1 || !strings.Contains(stderr.String(), "(session ID: [hidden])") || id == "" || strings.Contains(stderr.String(), id) {
			t.Errorf("-trace %v: exit %d, session id %q, stderr:\n%s\nwant exit 1 and the session id hidden", trace, code, id, stderr.String())
		}
	}
}
