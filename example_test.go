package lambdamcp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

type greetInput struct {
	Name string `json:"name"`
}

func greet(_ context.Context, _ *mcp.CallToolRequest, in greetInput) (*mcp.CallToolResult, any, error) {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "Hello, " + in.Name + "!"}}}, nil, nil
}

// A go-sdk server becomes a Lambda function with one call in main.
func ExampleStart() {
	server := mcp.NewServer(&mcp.Implementation{Name: "hello", Version: "1.0.0"}, &mcp.ServerOptions{
		// A fixed tool list: no list-changed promise, which would hold a
		// subscriptions/listen open until a streamed invocation's deadline.
		Capabilities: &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{}},
	})
	// Tool calls end before the invocation's deadline; a panic answers an
	// error instead of ending the process.
	server.AddReceivingMiddleware(lambdamcp.Middleware())
	mcp.AddTool(server, &mcp.Tool{Name: "greet", Description: "Greets someone"}, greet)
	handler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true})
	// JSONResponse as the handler's: a client that accepts only JSON is
	// served, not refused 406.
	lambdamcp.Start(handler, &lambdamcp.Options{JSONResponse: true}) // serves invocations until the environment ends
}

// NewHandler answers one invocation at a time, which is also how to test a
// server against real event payloads without Lambda.
func ExampleNewHandler() {
	server := mcp.NewServer(&mcp.Implementation{Name: "hello", Version: "1.0.0"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "greet", Description: "Greets someone"}, greet)
	h := lambdamcp.NewHandler(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true}), nil)

	// A Function URL event carrying a 2026-07-28 tools/call.
	event := `{
	  "version": "2.0", "rawPath": "/mcp",
	  "headers": {"content-type": "application/json", "accept": "application/json, text/event-stream",
	    "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "greet"},
	  "requestContext": {"domainName": "abc.lambda-url.eu-west-1.on.aws", "http": {"method": "POST", "path": "/mcp"}},
	  "body": "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"greet\",\"arguments\":{\"name\":\"Lambda\"},\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientInfo\":{\"name\":\"example\",\"version\":\"1\"},\"io.modelcontextprotocol/clientCapabilities\":{}}}}"
	}`
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "example"})
	out, err := h.Invoke(ctx, []byte(event))
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	json.Unmarshal(out, &resp)
	var rpc struct {
		Result mcp.CallToolResult `json:"result"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &rpc); err != nil || len(rpc.Result.Content) == 0 {
		fmt.Println(resp.StatusCode, resp.Body)
		return
	}
	fmt.Println(resp.StatusCode, rpc.Result.Content[0].(*mcp.TextContent).Text)
	// Output: 200 Hello, Lambda!
}

// JSONErrors gives a local server the same JSON error bodies the Lambda
// handler gives.
func ExampleJSONErrors() {
	server := mcp.NewServer(&mcp.Implementation{Name: "hello", Version: "1.0.0"}, nil)
	h := lambdamcp.JSONErrors(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Stateless: true}))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/mcp", nil))
	fmt.Println(rec.Code, rec.Header().Get("Allow"), rec.Header().Get("Content-Type"))
	os.Stdout.Write(rec.Body.Bytes())
	fmt.Println()
	// Output:
	// 405 POST application/json
	// {"jsonrpc":"2.0","error":{"code":-32600,"message":"Method Not Allowed"}}
}
