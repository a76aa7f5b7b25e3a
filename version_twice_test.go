package lambdamcp_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"testing/synctest"

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
