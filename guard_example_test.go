package lambdamcp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// A local server answers exactly as the Lambda function does when its
// handler is wrapped with Guard: here a client that accepts only JSON is
// served, and one that sends text is told what is wrong, in JSON.
func ExampleGuard() {
	server := mcp.NewServer(&mcp.Implementation{Name: "hello", Version: "1.0.0"}, nil)
	server.AddReceivingMiddleware(lambdamcp.Middleware())
	mcp.AddTool(server, &mcp.Tool{Name: "greet"}, greet)
	h := lambdamcp.Guard(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true}),
		&lambdamcp.Options{JSONResponse: true})

	post := func(contentType, body string) {
		r := httptest.NewRequest("POST", "/mcp", strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		r.Header.Set("Accept", "application/json")
		r.Header.Set("MCP-Protocol-Version", "2025-11-25")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
	}
	post("application/json", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"greet","arguments":{"name":"you"}}}`)
	post("text/plain", `hello?`)
	// Output:
	// 200 {"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"Hello, you!"}]}}
	// 415 {"jsonrpc":"2.0","error":{"code":-32600,"message":"Content-Type must be 'application/json'"}}
}

// Middleware keeps a panicking tool from ending the process: the caller
// gets an internal error naming the Lambda request id, and the stack goes
// to the log line of that request.
func ExampleMiddleware() {
	server := mcp.NewServer(&mcp.Implementation{Name: "hello", Version: "1.0.0"}, nil)
	server.AddReceivingMiddleware(lambdamcp.Middleware())
	mcp.AddTool(server, &mcp.Tool{Name: "broken"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		panic("the cache is corrupt")
	})
	h := lambdamcp.Guard(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true}), nil)

	r := httptest.NewRequest("POST", "/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"broken"}}`))
	r = r.WithContext(lambdacontext.NewContext(r.Context(), &lambdacontext.LambdaContext{AwsRequestID: "8f5e"}))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json, text/event-stream")
	r.Header.Set("MCP-Protocol-Version", "2025-11-25")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
	// Output:
	// 200 {"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"internal error (request id 8f5e)"}}
}

// printTracer stands in for an OpenTelemetry tracer: an adapter starts a
// span in Start (tracer.Start(ctx, "mcp "+info.Path)) and, in the function
// it returns, sets the result's attributes and ends the span.
type printTracer struct{}

func (printTracer) Start(ctx context.Context, info lambdamcp.RequestInfo) (context.Context, func(lambdamcp.RequestResult)) {
	fmt.Println("start", info.Method, info.Path)
	return ctx, func(r lambdamcp.RequestResult) {
		fmt.Println("end", r.Status, r.MCPMethod, r.Tool, r.Outcome)
	}
}

// A Tracer sees every request start and end; lambdamcp itself depends on
// no tracing library.
func ExampleTracer() {
	server := mcp.NewServer(&mcp.Implementation{Name: "hello", Version: "1.0.0"}, nil)
	server.AddReceivingMiddleware(lambdamcp.Middleware())
	mcp.AddTool(server, &mcp.Tool{Name: "greet"}, greet)
	h := lambdamcp.Guard(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true}),
		&lambdamcp.Options{JSONResponse: true, Tracer: printTracer{}})

	r := httptest.NewRequest("POST", "/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"greet","arguments":{"name":"you"}}}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("MCP-Protocol-Version", "2025-11-25")
	h.ServeHTTP(httptest.NewRecorder(), r)
	// Output:
	// start POST /mcp
	// end 200 tools/call greet ok
}
