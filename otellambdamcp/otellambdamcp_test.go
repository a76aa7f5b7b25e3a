package otellambdamcp_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/otellambdamcp"
)

// TestSpans serves two tool calls and checks the spans: names, kind,
// attributes, status, and that a tool's own span is the request span's
// child.
func TestSpans(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	server := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	server.AddReceivingMiddleware(lambdamcp.Middleware())
	mcp.AddTool(server, &mcp.Tool{Name: "greet"}, func(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		_, span := tp.Tracer("tool").Start(ctx, "inner")
		span.End()
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "hi"}}}, nil, nil
	})
	mcp.AddTool(server, &mcp.Tool{Name: "boom"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		panic("boom")
	})
	h := lambdamcp.Guard(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true}),
		&lambdamcp.Options{JSONResponse: true, Tracer: otellambdamcp.New(tp)})

	for _, tool := range []string{"greet", "boom"} {
		r := httptest.NewRequest("POST", "/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"`+tool+`"}}`))
		r = r.WithContext(lambdacontext.NewContext(r.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req-" + tool}))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("MCP-Protocol-Version", "2025-11-25")
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	// Not a JSON-RPC request, on a path of the client's choosing.
	probe := httptest.NewRequest("POST", "/probe-1", strings.NewReader(`not json`))
	probe = probe.WithContext(lambdacontext.NewContext(probe.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req-probe"}))
	probe.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(httptest.NewRecorder(), probe)

	type span struct {
		Name   string
		Kind   trace.SpanKind
		Attrs  map[attribute.Key]string
		Status codes.Code
	}
	var got []span
	byName := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range rec.Ended() {
		byName[s.Name()] = s
		attrs := map[attribute.Key]string{}
		for _, a := range s.Attributes() {
			attrs[a.Key] = a.Value.String()
		}
		got = append(got, span{s.Name(), s.SpanKind(), attrs, s.Status().Code})
	}
	want := []span{
		{Name: "inner", Kind: trace.SpanKindInternal, Attrs: map[attribute.Key]string{}},
		{Name: "tools/call greet", Kind: trace.SpanKindServer, Attrs: map[attribute.Key]string{
			"http.request.method": "POST", "url.path": "/mcp", "faas.invocation_id": "req-greet",
			"http.response.status_code": "200", "lambdamcp.outcome": "ok", "mcp.method.name": "tools/call", "gen_ai.tool.name": "greet",
		}},
		{Name: "tools/call boom", Kind: trace.SpanKindServer, Status: codes.Error, Attrs: map[attribute.Key]string{
			"http.request.method": "POST", "url.path": "/mcp", "faas.invocation_id": "req-boom",
			"http.response.status_code": "200", "lambdamcp.outcome": "panic", "mcp.method.name": "tools/call", "gen_ai.tool.name": "boom",
		}},
		{Name: "POST", Kind: trace.SpanKindServer, Attrs: map[attribute.Key]string{
			"http.request.method": "POST", "url.path": "/probe-1", "faas.invocation_id": "req-probe",
			"http.response.status_code": "400", "lambdamcp.outcome": "rejected",
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
	inner, outer := byName["inner"], byName["tools/call greet"]
	if inner == nil || outer == nil || inner.Parent().SpanID() != outer.SpanContext().SpanID() {
		t.Errorf("the tool's span is not the request span's child")
	}
}
