package lambdamcp_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// A Function URL with invoke mode RESPONSE_STREAM: progress reaches the
// client while the tool runs. The function's main would call
// lambdamcp.Start(handler, opts) with the same options.
func ExampleHandler_InvokeStream() {
	server := mcp.NewServer(&mcp.Implementation{Name: "count", Version: "1.0.0"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "count"}, func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		for i := 1; i <= 2; i++ {
			req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: req.Params.GetProgressToken(), Progress: float64(i), Total: 2})
		}
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "counted"}}}, nil, nil
	})
	// No JSONResponse: the answer is an event stream.
	handler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Stateless: true, PropagateRequestCancellation: true})
	h := lambdamcp.NewHandler(handler, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}})

	event := `{
	  "version": "2.0", "rawPath": "/mcp",
	  "headers": {"content-type": "application/json", "accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25"},
	  "requestContext": {"domainName": "abc.lambda-url.eu-west-1.on.aws", "http": {"method": "POST", "path": "/mcp"}},
	  "body": "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"count\",\"arguments\":{},\"_meta\":{\"progressToken\":\"t\"}}}"
	}`
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "example"})
	r, err := h.InvokeStream(ctx, []byte(event))
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	// The runtime sends the prelude (status, headers), eight NUL bytes, then
	// each event as it is written.
	br := bufio.NewReader(r)
	prelude, _ := br.ReadString(0)
	fmt.Println(strings.TrimSuffix(prelude, "\x00"))
	br.Discard(7)
	for {
		line, err := br.ReadString('\n')
		if data, ok := strings.CutPrefix(line, "data: "); ok {
			fmt.Print(data)
		}
		if err != nil {
			break
		}
	}
	// Output:
	// {"statusCode":200,"headers":{"Cache-Control":"no-cache, no-transform","Content-Type":"text/event-stream","X-Accel-Buffering":"no"}}
	// {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"t","progress":1,"total":2}}
	// {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"t","progress":2,"total":2}}
	// {"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"counted"}]}}
}

// StreamMiddleware lets a streamed answer start, and heartbeats flow, before
// a slow tool says anything.
func ExampleStreamMiddleware() {
	server := mcp.NewServer(&mcp.Implementation{Name: "slow", Version: "1.0.0"}, nil)
	server.AddReceivingMiddleware(lambdamcp.StreamMiddleware)
	fmt.Println("ok")
	// Output: ok
}

// Streamed lets one handler answer with an event stream where the
// invocation streams and with one JSON body where it is buffered, as the
// reference server does.
func ExampleStreamed() {
	server := mcp.NewServer(&mcp.Implementation{Name: "hello", Version: "1.0.0"}, nil)
	getServer := func(*http.Request) *mcp.Server { return server }
	sse := mcp.NewStreamableHTTPHandler(getServer, &mcp.StreamableHTTPOptions{Stateless: true, PropagateRequestCancellation: true})
	plain := mcp.NewStreamableHTTPHandler(getServer, &mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true})
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if lambdamcp.Streamed(r.Context()) {
			sse.ServeHTTP(w, r)
			return
		}
		plain.ServeHTTP(w, r)
	})
	_ = lambdamcp.NewHandler(handler, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}})
	fmt.Println(lambdamcp.Streamed(context.Background()))
	// Output: false
}
