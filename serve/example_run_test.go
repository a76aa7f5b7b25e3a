package serve_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/serve"
)

// listenLog hands on the URL of Run's "listening" line and drops the rest.
type listenLog struct {
	slog.Handler
	url chan string
}

func (listenLog) Enabled(context.Context, slog.Level) bool { return true }

func (l listenLog) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if r.Message == "listening" && a.Key == "url" {
			l.url <- a.Value.String()
		}
		return true
	})
	return nil
}

// Run configures the server from the environment, here a static token,
// and serves it locally until its context ends.
func ExampleRun() {
	server := mcp.NewServer(&mcp.Implementation{Name: "hello", Version: "1.0.0"}, &mcp.ServerOptions{
		// A fixed tool list: no list-changed promise, which would hold a
		// subscriptions/listen open until a streamed invocation's deadline.
		Capabilities: &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{}},
	})
	server.AddReceivingMiddleware(lambdamcp.StreamMiddleware, lambdamcp.Middleware())
	mcp.AddTool(server, &mcp.Tool{Name: "greet"}, greet)
	env := map[string]string{auth.EnvTokenSHA256: auth.HashToken("s3cr3t")}
	logs := listenLog{Handler: slog.DiscardHandler, url: make(chan string, 1)}

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := make(chan error, 1)
	go func() {
		done <- serve.Run(ctx, serve.Handler(server, nil), &serve.Options{
			Addr:   "127.0.0.1:0", // any free port
			Getenv: func(k string) string { return env[k] },
			Logger: slog.New(logs),
		})
	}()
	var url string
	select {
	case url = <-logs.url:
	case err := <-done:
		fmt.Println("run:", err)
		return
	}

	for _, token := range []string{"", "s3cr3t"} {
		req, _ := http.NewRequest("POST", url, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"greet","arguments":{"name":"you"}}}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("MCP-Protocol-Version", "2025-11-25")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			break
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, strings.TrimSpace(string(body)))
	}
	stop()
	fmt.Println("run:", <-done)
	// Output:
	// 401 {"error":"unauthorized","error_description":"a bearer token is required"}
	// 200 {"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"{\"greeting\":\"Hello, you!\"}"}],"structuredContent":{"greeting":"Hello, you!"}}}
	// run: <nil>
}

// ExitCode tells an environment the server cannot run with from a
// failure to serve, as Main exits.
func ExampleExitCode() {
	h := serve.Handler(mcp.NewServer(&mcp.Implementation{Name: "hello", Version: "1.0.0"}, nil), nil)
	env := map[string]string{serve.EnvStream: "alb"}
	err := serve.Run(context.Background(), h, &serve.Options{Getenv: func(k string) string { return env[k] }})
	var configErr *serve.ConfigError
	fmt.Println(serve.ExitCode(err), errors.As(err, &configErr), err)
	fmt.Println(serve.ExitCode(errors.New("listen tcp 127.0.0.1:8080: bind: address already in use")))
	fmt.Println(serve.ExitCode(nil))
	// Output:
	// 2 true MCP_STREAM: "alb" cannot stream: name url, rest or both
	// 1
	// 0
}

// Routes gives a handler the paths Run serves: the MCP endpoint at /mcp
// and a health check; Guard gives every other path a JSON 404. This is
// the handler to give lambdamcp.Start or Guard when you call them
// yourself.
func ExampleRoutes() {
	server := mcp.NewServer(&mcp.Implementation{Name: "hello", Version: "1.0.0"}, nil)
	h := lambdamcp.Guard(serve.Routes(serve.Handler(server, nil)), &lambdamcp.Options{JSONResponse: true})

	for _, r := range []*http.Request{
		httptest.NewRequest("GET", "/healthz", nil),
		httptest.NewRequest("GET", "/mcp", nil),
		httptest.NewRequest("GET", "/index.html", nil),
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(r.URL.Path, w.Code, strings.TrimSpace(w.Body.String()))
	}
	// Output:
	// /healthz 200 {"status":"ok"}
	// /mcp 405 {"jsonrpc":"2.0","error":{"code":-32600,"message":"Method Not Allowed"}}
	// /index.html 404 {"jsonrpc":"2.0","error":{"code":-32600,"message":"404 page not found"}}
}

// Handler answers with one JSON body where the answer is buffered, so a
// client that accepts only JSON is served too.
func ExampleHandler() {
	server := mcp.NewServer(&mcp.Implementation{Name: "hello", Version: "1.0.0"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "greet"}, greet)
	h := lambdamcp.Guard(serve.Handler(server, nil), &lambdamcp.Options{JSONResponse: true})

	r := httptest.NewRequest("POST", "/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"greet","arguments":{"name":"you"}}}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json")
	r.Header.Set("MCP-Protocol-Version", "2025-11-25")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	fmt.Println(strings.TrimSpace(w.Body.String()))
	// Output:
	// 200 application/json
	// {"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"{\"greeting\":\"Hello, you!\"}"}],"structuredContent":{"greeting":"Hello, you!"}}}
}
