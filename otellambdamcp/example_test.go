package otellambdamcp_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/otellambdamcp"
)

// Each request is a server span named after the MCP method and its tool;
// a span a tool starts from its context is the request span's child. A
// real program gives New its exporting provider (otel.GetTracerProvider());
// the recorder here stands in for the exporter.
func ExampleNew() {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))

	server := mcp.NewServer(&mcp.Implementation{Name: "flights", Version: "1.0.0"}, nil)
	server.AddReceivingMiddleware(lambdamcp.Middleware()) // names the tool the span reports
	mcp.AddTool(server, &mcp.Tool{Name: "search"}, func(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		_, span := tp.Tracer("flights").Start(ctx, "query fares")
		defer span.End()
		return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: "no fares today"}}}, nil, nil
	})
	h := lambdamcp.NewHandler(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true}),
		&lambdamcp.Options{Tracer: otellambdamcp.New(tp)})

	event := `{
	  "version": "2.0", "rawPath": "/mcp",
	  "headers": {"content-type": "application/json", "accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25"},
	  "requestContext": {"domainName": "abc.lambda-url.eu-west-1.on.aws", "http": {"method": "POST", "path": "/mcp"}},
	  "body": "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{}}}"
	}`
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "8f5e"})
	if _, err := h.Invoke(ctx, []byte(event)); err != nil {
		fmt.Println("error:", err)
		return
	}

	spans := rec.Ended()
	byName := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		byName[s.Name()] = s
	}
	request, child := byName["tools/call search"], byName["query fares"]
	if request == nil || child == nil {
		fmt.Println("spans:", len(spans))
		return
	}
	attrs := map[string]string{}
	for _, a := range request.Attributes() {
		attrs[string(a.Key)] = a.Value.String()
	}
	fmt.Println(request.Name(), request.SpanKind(), request.Status().Code)
	for _, k := range []string{"mcp.method.name", "gen_ai.tool.name", "error.type", "faas.invocation_id", "lambdamcp.shape"} {
		fmt.Printf("  %s=%s\n", k, attrs[k])
	}
	fmt.Println(child.Name(), "is a child:", child.Parent().SpanID() == request.SpanContext().SpanID())
	// Output:
	// tools/call search server Error
	//   mcp.method.name=tools/call
	//   gen_ai.tool.name=search
	//   error.type=tool_error
	//   faas.invocation_id=8f5e
	//   lambdamcp.shape=url
	// query fares is a child: true
}

// A provider that is not flushed at the end of each request is flushed
// when Lambda shuts the execution environment down: Start runs OnShutdown
// at the SIGTERM Lambda then sends, and Lambda kills the process about
// 500 ms later.
func ExampleNoFlush() {
	tp := sdktrace.NewTracerProvider() // with the exporter's batcher
	server := mcp.NewServer(&mcp.Implementation{Name: "flights", Version: "1.0.0"}, nil)
	handler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true})
	opts := &lambdamcp.Options{
		Tracer: otellambdamcp.New(tp, otellambdamcp.NoFlush()),
		OnShutdown: func() {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			tp.ForceFlush(ctx)
		},
	}
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		lambdamcp.Start(handler, opts)
	}
}
