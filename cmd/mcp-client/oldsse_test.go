package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestHTTPSSEServerNamed checks that a server of the HTTP+SSE transport of
// protocol 2024-11-05, which refuses the POST of Streamable HTTP without
// a JSON-RPC error, is named as one, found as the spec's backward
// compatibility section has clients find it: a GET whose event stream
// opens with an "endpoint" event. A Streamable HTTP server's refusal is
// not taken for one.
func TestHTTPSSEServerNamed(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "old", Version: "1"}, nil)
	sse := mcp.NewSSEHandler(func(*http.Request) *mcp.Server { return srv }, nil)
	code, _, stderr := runAgainst(t, sse)
	if code != 1 || !strings.Contains(stderr, "serves the HTTP+SSE transport of protocol 2024-11-05, which this client does not speak") {
		t.Errorf("exit %d, stderr %q; want the HTTP+SSE server named", code, stderr)
	}

	code, _, stderr = runAgainst(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "bad request", http.StatusBadRequest)
	}))
	if code != 1 || strings.Contains(stderr, "HTTP+SSE") || !strings.Contains(stderr, "HTTP 400") {
		t.Errorf("exit %d, stderr %q; want the refusal told, no HTTP+SSE server named", code, stderr)
	}
}
