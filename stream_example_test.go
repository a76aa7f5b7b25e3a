package lambdamcp_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

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
// a slow tool says anything: here the response head reaches the client
// while the tool still waits.
func ExampleStreamMiddleware() {
	release := make(chan struct{})
	server := mcp.NewServer(&mcp.Implementation{Name: "slow", Version: "1.0.0"}, nil)
	server.AddReceivingMiddleware(lambdamcp.StreamMiddleware)
	mcp.AddTool(server, &mcp.Tool{Name: "slow"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		<-release // silent until the client has the response head
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "done"}}}, nil, nil
	})
	handler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Stateless: true, PropagateRequestCancellation: true})
	// The head goes out at the first heartbeat tick, half of Heartbeat
	// (10 s unless set) after the call reached the server.
	h := lambdamcp.NewHandler(handler, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}, Heartbeat: 200 * time.Millisecond})

	event := `{
	  "version": "2.0", "rawPath": "/mcp",
	  "headers": {"content-type": "application/json", "accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25"},
	  "requestContext": {"domainName": "abc.lambda-url.eu-west-1.on.aws", "http": {"method": "POST", "path": "/mcp"}},
	  "body": "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\",\"arguments\":{}}}"
	}`
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "example"})
	// InvokeStream returns once the head is out.
	type invoked struct {
		r   io.Reader
		err error
	}
	done := make(chan invoked, 1)
	go func() { r, err := h.InvokeStream(ctx, []byte(event)); done <- invoked{r, err} }()
	var br *bufio.Reader
	select {
	case inv := <-done:
		if inv.err != nil {
			fmt.Println("error:", inv.err)
			return
		}
		br = bufio.NewReader(inv.r)
		prelude, _ := br.ReadString(0)
		fmt.Println("while the tool waits:", strings.TrimSuffix(prelude, "\x00"))
	case <-time.After(5 * time.Second):
		fmt.Println("no response head while the tool waits")
		return
	}
	close(release)
	br.Discard(7)
	for {
		line, err := br.ReadString('\n')
		if data, ok := strings.CutPrefix(line, "data: "); ok {
			fmt.Print("then: ", data)
		}
		if err != nil {
			break
		}
	}
	// Output:
	// while the tool waits: {"statusCode":200,"headers":{"Cache-Control":"no-cache, no-transform","Content-Type":"text/event-stream","X-Accel-Buffering":"no"}}
	// then: {"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"done"}]}}
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
	h := lambdamcp.NewHandler(handler, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}})

	event := []byte(`{
	  "version": "2.0", "rawPath": "/mcp",
	  "headers": {"content-type": "application/json", "accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25"},
	  "requestContext": {"domainName": "abc.lambda-url.eu-west-1.on.aws", "http": {"method": "POST", "path": "/mcp"}},
	  "body": "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"
	}`)
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "example"})
	// A streamed invocation (InvokeStream, as Start calls it for the
	// shapes in Options.Stream) gets the event stream...
	r, err := h.InvokeStream(ctx, event)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	prelude, _ := bufio.NewReader(r).ReadString(0)
	var head struct{ Headers map[string]string }
	json.Unmarshal([]byte(strings.TrimSuffix(prelude, "\x00")), &head)
	fmt.Println("streamed:", head.Headers["Content-Type"])
	io.Copy(io.Discard, r)
	// ...and a buffered one one JSON body.
	out, err := h.Invoke(ctx, event)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	json.Unmarshal(out, &head)
	fmt.Println("buffered:", head.Headers["Content-Type"])
	// Output:
	// streamed: text/event-stream
	// buffered: application/json
}
