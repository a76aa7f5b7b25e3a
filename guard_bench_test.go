package lambdamcp_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// BenchmarkGuard measures what the guard adds to a tools/call answered by
// the go-sdk: "bare" is the SDK handler alone, "guard" with the guard and
// Middleware, "guard+log+metrics" as Start runs it on Lambda.
//
//	go test -run '^$' -bench BenchmarkGuard -benchmem .
func BenchmarkGuard(b *testing.B) {
	newServer := func(middleware bool) *mcp.Server {
		s := mcp.NewServer(&mcp.Implementation{Name: "bench", Version: "1"}, nil)
		if middleware {
			s.AddReceivingMiddleware(lambdamcp.Middleware())
		}
		mcp.AddTool(s, &mcp.Tool{Name: "greet"}, greet)
		return s
	}
	body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"greet","arguments":{"name":"you"}}}`
	var sink bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&sink, nil))
	cases := []struct {
		name    string
		handler http.Handler
	}{
		{"bare", streamable(newServer(false))},
		{"guard", lambdamcp.Guard(streamable(newServer(true)), &lambdamcp.Options{JSONResponse: true})},
		{"guard+log+metrics", lambdamcp.Guard(streamable(newServer(true)), &lambdamcp.Options{JSONResponse: true, Logger: logger, Metrics: &sink})},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink.Reset()
				r := httptest.NewRequest("POST", "/mcp", strings.NewReader(body))
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("Accept", "application/json, text/event-stream")
				r.Header.Set("MCP-Protocol-Version", "2025-11-25")
				w := httptest.NewRecorder()
				c.handler.ServeHTTP(w, r)
				if w.Code != 200 {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}
