package lambdamcp_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// TestUnseenCodeInEventStream checks that the code of an error the go-sdk
// answers on its own, before its middleware, is read from its event
// stream (a go-sdk server without JSONResponse, a client that accepts
// event streams) and reaches the request's log line, locally and on a
// stream, with Middleware and without; and that a stream of progress and
// then a result carries no code.
func TestUnseenCodeInEventStream(t *testing.T) {
	progress := func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		for i := range 3 {
			err := req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: req.Params.GetProgressToken(), Progress: float64(i)})
			if err != nil {
				return nil, nil, err
			}
		}
		return text("done"), nil, nil
	}
	servers := withAndWithoutMiddleware("sse", func(s *mcp.Server) { mcp.AddTool(s, &mcp.Tool{Name: "progress"}, progress) })
	paths := unseenCodePaths()
	tests := []struct {
		name   string
		body   string
		answer string // what the event stream holds
		code   any    // the log line's error_code; nil for none
	}{
		{"params that do not decode", `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":"x"}`, `"code":-32602`, float64(-32602)},
		{"a name of the wrong type", `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":5,"arguments":{}}}`, `"code":-32602`, float64(-32602)},
		{"progress, then a result", `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"progress","arguments":{},"_meta":{"progressToken":"p"}}}`,
			`"method":"notifications/progress"`, nil},
	}
	for server, s := range servers {
		// Without JSONResponse: the go-sdk answers with an event stream.
		h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, &mcp.StreamableHTTPOptions{Stateless: true})
		for _, p := range paths {
			for _, tc := range tests {
				t.Run(server+"/"+p.name+"/"+tc.name, func(t *testing.T) {
					var logs bytes.Buffer
					body := p.run(t, h, slog.New(slog.NewJSONHandler(&logs, nil)), jsonPost(tc.body, "MCP-Protocol-Version", legacy))
					if !strings.Contains(body, "data: ") || !strings.Contains(body, tc.answer) {
						t.Fatalf("answer %q, want an event stream holding %s", body, tc.answer)
					}
					lines := logLines(t, logs.Bytes())
					if len(lines) != 1 {
						t.Fatalf("%d log lines, want 1:\n%s", len(lines), logs.Bytes())
					}
					if diff := cmp.Diff(tc.code, lines[0]["error_code"]); diff != "" {
						t.Errorf("error_code (-want +got):\n%s\n%s", diff, logs.Bytes())
					}
				})
			}
		}
	}
}

// unseenCodePath serves req with h, logging to logger, and returns the
// answer's body.
type unseenCodePath struct {
	name string
	run  func(t *testing.T, h http.Handler, logger *slog.Logger, req httpRequest) string
}

// withAndWithoutMiddleware returns two servers named name, each given its
// tools by add: "middleware", with lambdamcp.Middleware, and "no
// middleware", without.
func withAndWithoutMiddleware(name string, add func(*mcp.Server)) map[string]*mcp.Server {
	servers := map[string]*mcp.Server{}
	for _, middleware := range []bool{true, false} {
		s := mcp.NewServer(&mcp.Implementation{Name: name, Version: "1"}, nil)
		if middleware {
			s.AddReceivingMiddleware(lambdamcp.Middleware())
		}
		add(s)
		servers[map[bool]string{true: "middleware", false: "no middleware"}[middleware]] = s
	}
	return servers
}

// unseenCodePaths are the paths an event-stream answer goes out by as it
// is written: the local server, and a streamed Function URL invocation.
func unseenCodePaths() []unseenCodePath {
	return []unseenCodePath{
		{"local", func(t *testing.T, h http.Handler, logger *slog.Logger, req httpRequest) string {
			r := httptest.NewRequestWithContext(streamCtx(t, time.Minute), "POST", "/mcp", strings.NewReader(req.body))
			for k, v := range req.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			lambdamcp.Guard(h, &lambdamcp.Options{Logger: logger}).ServeHTTP(w, r)
			return w.Body.String()
		}},
		{"url-stream", func(t *testing.T, h http.Handler, logger *slog.Logger, req httpRequest) string {
			lh := lambdamcp.NewHandler(h, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}, Heartbeat: -1, Logger: logger})
			out, err := lh.InvokeStream(streamCtx(t, time.Minute), urlEvent(t, req))
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(out)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}},
	}
}
