package otellambdamcp_test

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

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
			"http.request.method": "POST", "url.path": "/mcp", "url.scheme": "http", "faas.invocation_id": "req-greet",
			"client.address": "192.0.2.1", "client.port": "1234", "server.address": "example.com", "server.port": "80",
			"network.protocol.name": "http", "network.protocol.version": "1.1", "network.transport": "tcp",
			"http.response.status_code": "200", "lambdamcp.outcome": "ok", "mcp.method.name": "tools/call", "gen_ai.tool.name": "greet",
			"gen_ai.operation.name": "execute_tool", "jsonrpc.request.id": "1", "mcp.protocol.version": "2025-11-25",
		}},
		{Name: "tools/call boom", Kind: trace.SpanKindServer, Status: codes.Error, Attrs: map[attribute.Key]string{
			"http.request.method": "POST", "url.path": "/mcp", "url.scheme": "http", "faas.invocation_id": "req-boom",
			"client.address": "192.0.2.1", "client.port": "1234", "server.address": "example.com", "server.port": "80",
			"network.protocol.name": "http", "network.protocol.version": "1.1", "network.transport": "tcp",
			"http.response.status_code": "200", "lambdamcp.outcome": "panic", "mcp.method.name": "tools/call", "gen_ai.tool.name": "boom",
			"gen_ai.operation.name": "execute_tool", "jsonrpc.request.id": "1", "mcp.protocol.version": "2025-11-25",
			"error.type": "-32603", "rpc.response.status_code": "-32603",
		}},
		{Name: "POST", Kind: trace.SpanKindServer, Attrs: map[attribute.Key]string{
			"http.request.method": "POST", "url.path": "/probe-1", "url.scheme": "http", "faas.invocation_id": "req-probe",
			"client.address": "192.0.2.1", "client.port": "1234", "server.address": "example.com", "server.port": "80",
			"network.protocol.name": "http", "network.protocol.version": "1.1", "network.transport": "tcp",
			"http.response.status_code": "400", "lambdamcp.outcome": "rejected", "rpc.response.status_code": "-32700",
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

// spanOf serves one request through a guard traced with tracer and returns
// the request's span.
func spanOf(t *testing.T, tp *sdktrace.TracerProvider, rec *tracetest.SpanRecorder, tracer lambdamcp.Tracer, h http.Handler, r *http.Request) sdktrace.ReadOnlySpan {
	t.Helper()
	lambdamcp.Guard(h, &lambdamcp.Options{JSONResponse: true, Tracer: tracer}).ServeHTTP(httptest.NewRecorder(), r)
	ended := rec.Ended()
	if len(ended) == 0 {
		t.Fatal("no span ended")
	}
	return ended[len(ended)-1]
}

func attrsOf(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	out := map[attribute.Key]attribute.Value{}
	for _, a := range s.Attributes() {
		out[a.Key] = a.Value
	}
	return out
}

// TestMethodsAndStatus checks that a method the client invents names no
// span, and which outcomes make a span named after the HTTP method an
// error: the server's failures (5xx, a timeout, a panic), not what the
// client asked amiss.
func TestMethodsAndStatus(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	tracer := otellambdamcp.New(tp)
	status := func(code int) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			w.Write([]byte(`{}`))
		})
	}

	s := spanOf(t, tp, rec, tracer, status(405), httptest.NewRequest("X-INVENTED", "/mcp", nil))
	a := attrsOf(s)
	if s.Name() != "HTTP" || a["http.request.method"].AsString() != "_OTHER" || a["http.request.method_original"].AsString() != "X-INVENTED" {
		t.Errorf("invented method: span %q, attributes %v", s.Name(), a)
	}
	if s.Status().Code != codes.Unset {
		t.Errorf("a 405 made the span %v", s.Status())
	}
	// The invented method is the client's to size: kept to 64 bytes.
	long := "X-" + strings.Repeat("A", 100)
	s = spanOf(t, tp, rec, tracer, status(405), httptest.NewRequest(long, "/mcp", nil))
	if got := attrsOf(s)["http.request.method_original"].AsString(); got != long[:64] {
		t.Errorf("a %d-byte method: method_original %q (%d bytes), want its first 64 bytes", len(long), got, len(got))
	}
	if a["http.response.status_code"].Type() != attribute.INT64 {
		t.Errorf("http.response.status_code is %v, want an integer", a["http.response.status_code"].Type())
	}

	for _, tc := range []struct {
		name      string
		h         http.Handler
		wantError string // error.type; "" for no error
	}{
		{"404", status(404), ""},
		{"499", status(499), ""},
		{"500", status(500), "500"},
		{"503", status(503), "503"},
		{"panic", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }), "panic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := spanOf(t, tp, rec, tracer, tc.h, httptest.NewRequest("GET", "/mcp", nil))
			wantCode := codes.Unset
			if tc.wantError != "" {
				wantCode = codes.Error
			}
			if got := attrsOf(s)["error.type"].AsString(); s.Status().Code != wantCode || got != tc.wantError {
				t.Errorf("status %v, error.type %q; want %v, %q", s.Status().Code, got, wantCode, tc.wantError)
			}
		})
	}
}

// TestPathAttributeIsUTF8 checks that url.path, decoded from whatever
// percent-encoding the client sent, is valid UTF-8 of bounded length: an
// OTLP exporter refuses a span with invalid UTF-8, and the whole batch
// with it.
func TestPathAttributeIsUTF8(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	tracer := otellambdamcp.New(tp)
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{}`)) })
	for _, tc := range []struct{ target, want string }{
		{"/mcp%FF%FE", "/mcp\uFFFD"}, // one replacement for the run of invalid bytes
		{"/" + strings.Repeat("a", 1022) + "%C3%A9", "/" + strings.Repeat("a", 1022)}, // é would end past 1024 bytes
	} {
		s := spanOf(t, tp, rec, tracer, ok, httptest.NewRequest("GET", tc.target, nil))
		got := attrsOf(s)["url.path"].AsString()
		if got != tc.want || !utf8.ValidString(got) {
			t.Errorf("%.20s…: url.path %.40q… (%d bytes), want %.40q… (%d bytes)", tc.target, got, len(got), tc.want, len(tc.want))
		}
	}
}

// flushCounter is a TracerProvider that counts its flushes.
type flushCounter struct {
	*sdktrace.TracerProvider
	n int
}

func (f *flushCounter) ForceFlush(ctx context.Context) error {
	f.n++
	return f.TracerProvider.ForceFlush(ctx)
}

// fixedParent is a propagator that finds a parent in the runtime's trace
// header, as the X-Ray propagator would, and in nothing else.
type fixedParent struct{ trace.SpanContext }

func (p fixedParent) Extract(ctx context.Context, c propagation.TextMapCarrier) context.Context {
	if c.Get("X-Amzn-Trace-Id") == "" {
		return ctx
	}
	return trace.ContextWithRemoteSpanContext(ctx, p.SpanContext)
}
func (fixedParent) Inject(context.Context, propagation.TextMapCarrier) {}
func (fixedParent) Fields() []string                                   { return []string{"X-Amzn-Trace-Id"} }

// TestOnLambda checks what a span takes from the invocation: the function's
// ARN and account, the runtime's trace as its parent (with WithPropagator;
// a client's traceparent never), and a flush at its end (unless NoFlush).
func TestOnLambda(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	fc := &flushCounter{TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))}
	parent := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1, 2, 3}, SpanID: trace.SpanID{4, 5, 6}, TraceFlags: trace.FlagsSampled, Remote: true,
	})
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	invocation := func(traceHeader string) *http.Request {
		r := httptest.NewRequest("GET", "/healthz", nil)
		r.Header.Set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01") // the client's: never trusted
		ctx := lambdacontext.NewContext(r.Context(), &lambdacontext.LambdaContext{
			AwsRequestID: "req-1", InvokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:mcp",
		})
		//lint:ignore SA1029 the key aws-lambda-go hands the trace header on under
		ctx = context.WithValue(ctx, "x-amzn-trace-id", traceHeader)
		return r.WithContext(ctx)
	}

	s := spanOf(t, fc.TracerProvider, rec, otellambdamcp.New(fc, otellambdamcp.WithPropagator(fixedParent{parent})), h, invocation("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"))
	a := attrsOf(s)
	if a["aws.lambda.invoked_arn"].AsString() != "arn:aws:lambda:eu-west-1:123456789012:function:mcp" || a["cloud.account.id"].AsString() != "123456789012" {
		t.Errorf("attributes %v, want the function's ARN and account", a)
	}
	if s.Parent().TraceID() != parent.TraceID() || s.Parent().SpanID() != parent.SpanID() {
		t.Errorf("parent %v, want the runtime's trace", s.Parent())
	}

	s = spanOf(t, fc.TracerProvider, rec, otellambdamcp.New(fc), h, invocation("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"))
	if s.Parent().IsValid() {
		t.Errorf("without a propagator the span has parent %v (the client's traceparent?)", s.Parent())
	}
	// Guard serves no Lambda shape, so these spans were not flushed.
	if fc.n != 0 {
		t.Errorf("flushed %d times off Lambda", fc.n)
	}
}

// TestFlushOnLambda checks that the provider is flushed at the end of each
// invocation, as Lambda freezes the environment once it is answered, and
// not with NoFlush.
func TestFlushOnLambda(t *testing.T) {
	event := []byte(`{"version":"2.0","rawPath":"/healthz","headers":{"host":"x.lambda-url.eu-west-1.on.aws"},
		"requestContext":{"domainName":"x.lambda-url.eu-west-1.on.aws","http":{"method":"GET","path":"/healthz"}}}`)
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for _, tc := range []struct {
		name string
		opts []otellambdamcp.Option
		want int
	}{{"default", nil, 2}, {"NoFlush", []otellambdamcp.Option{otellambdamcp.NoFlush()}, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			fc := &flushCounter{TracerProvider: sdktrace.NewTracerProvider()}
			lh := lambdamcp.NewHandler(h, &lambdamcp.Options{Tracer: otellambdamcp.New(fc, tc.opts...)})
			for range 2 {
				ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req"})
				if _, err := lh.Invoke(ctx, event); err != nil {
					t.Fatal(err)
				}
			}
			if fc.n != tc.want {
				t.Errorf("flushed %d times, want %d", fc.n, tc.want)
			}
		})
	}
}

// deadlineFlusher is a TracerProvider that keeps the deadline of each flush.
type deadlineFlusher struct {
	*sdktrace.TracerProvider
	deadlines []time.Time
}

func (f *deadlineFlusher) ForceFlush(ctx context.Context) error {
	d, _ := ctx.Deadline()
	f.deadlines = append(f.deadlines, d)
	return f.TracerProvider.ForceFlush(ctx)
}

// TestFlushLeavesTimeToAnswer checks that the flush at the end of a request
// stops before the answer is due: a streamed invocation's stream is closed
// after it, and an exporter slow to answer would otherwise hold the
// invocation past its deadline, which Lambda reports as a timeout, or a
// buffered HTTP API answer past API Gateway's integration timeout, which
// the gateway answers with a 504 of its own.
func TestFlushLeavesTimeToAnswer(t *testing.T) {
	event := func(domain string) []byte {
		return []byte(`{"version":"2.0","rawPath":"/healthz","headers":{"host":"` + domain + `"},
		"requestContext":{"domainName":"` + domain + `","http":{"method":"GET","path":"/healthz"}}}`)
	}
	url, httpAPI := event("x.lambda-url.eu-west-1.on.aws"), event("x.execute-api.eu-west-1.amazonaws.com")
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for _, tc := range []struct {
		name     string
		event    []byte
		streamed bool
		gateway  time.Duration // API Gateway's integration timeout; 0: the default, which does not bound a Function URL
		lambda   time.Duration // the invocation's deadline, from now
	}{
		{"buffered", url, false, 0, 800 * time.Millisecond},
		{"streamed", url, true, 0, 800 * time.Millisecond},
		{"the gateway's timeout first", httpAPI, false, 800 * time.Millisecond, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &deadlineFlusher{TracerProvider: sdktrace.NewTracerProvider()}
			opts := &lambdamcp.Options{Tracer: otellambdamcp.New(f), GatewayTimeout: tc.gateway}
			if tc.streamed {
				opts.Stream = []lambdamcp.Shape{lambdamcp.ShapeURL}
			}
			lh := lambdamcp.NewHandler(h, opts)
			deadline := time.Now().Add(tc.lambda)
			ctx, cancel := context.WithDeadline(lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req"}), deadline)
			defer cancel()
			if tc.streamed {
				r, err := lh.InvokeStream(ctx, tc.event)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := io.ReadAll(r); err != nil {
					t.Fatal(err)
				}
			} else if _, err := lh.Invoke(ctx, tc.event); err != nil {
				t.Fatal(err)
			}
			if tc.gateway > 0 {
				// At the latest: the gateway's clock started at the
				// invocation, before now.
				deadline = time.Now().Add(tc.gateway)
			}
			if len(f.deadlines) != 1 {
				t.Fatalf("flushed %d times, want 1", len(f.deadlines))
			}
			if got := f.deadlines[0]; got.IsZero() || deadline.Sub(got) < 50*time.Millisecond {
				t.Errorf("flush given until %v, %v before the answer is due; want it to stop well before", got, deadline.Sub(got))
			}
		})
	}
}

// TestFlushBoundedByContextWithoutDeadline checks that a flush for a
// request whose RequestInfo names no Deadline (a caller of Start other than
// lambdamcp) still stops flushMargin before its context's deadline, rather
// than running for the whole second a flush may take.
func TestFlushBoundedByContextWithoutDeadline(t *testing.T) {
	f := &deadlineFlusher{TracerProvider: sdktrace.NewTracerProvider()}
	deadline := time.Now().Add(800 * time.Millisecond)
	ctx, cancel := context.WithDeadline(t.Context(), deadline)
	defer cancel()
	_, end := otellambdamcp.New(f).Start(ctx, lambdamcp.RequestInfo{Method: "GET", Scheme: "https", Path: "/healthz", Shape: lambdamcp.ShapeURL})
	end(lambdamcp.RequestResult{Status: http.StatusNoContent})
	if len(f.deadlines) != 1 {
		t.Fatalf("flushed %d times, want 1", len(f.deadlines))
	}
	if got := f.deadlines[0]; got.IsZero() || deadline.Sub(got) < 50*time.Millisecond {
		t.Errorf("flush given until %v, %v before the context's deadline; want it to stop well before", got, deadline.Sub(got))
	}
}

// TestFlushAfterTimeout checks that the span of a buffered request whose
// handler outlasts its deadline is still exported by the flush at its end:
// the request's context has ended by then, but lambdamcp answers the
// timeout a margin before the invocation's deadline, and the flush has
// until flushMargin before that deadline, as for any other request.
func TestFlushAfterTimeout(t *testing.T) {
	event := []byte(`{"version":"2.0","rawPath":"/mcp","headers":{"host":"x.lambda-url.eu-west-1.on.aws","content-type":"application/json",
		"accept":"application/json, text/event-stream","mcp-protocol-version":"2025-11-25"},
		"requestContext":{"domainName":"x.lambda-url.eu-west-1.on.aws","http":{"method":"POST","path":"/mcp"}},
		"body":"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}"}`)
	release := make(chan struct{})
	defer close(release)
	// Ignores its context: still running when the guard answers.
	stuck := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release })
	exp := tracetest.NewInMemoryExporter()
	// Exports only when flushed.
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(time.Hour)))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	f := &deadlineFlusher{TracerProvider: tp}
	lh := lambdamcp.NewHandler(stuck, &lambdamcp.Options{Tracer: otellambdamcp.New(f), DeadlineMargin: 800 * time.Millisecond})
	deadline := time.Now().Add(1200 * time.Millisecond)
	ctx, cancel := context.WithDeadline(lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req"}), deadline)
	defer cancel()
	if _, err := lh.Invoke(ctx, event); err != nil {
		t.Fatal(err)
	}
	type seen struct {
		Flushes  int
		Exported []string // the outcome of each span exported
	}
	got := seen{Flushes: len(f.deadlines)}
	for _, s := range exp.GetSpans() {
		for _, a := range s.Attributes {
			if a.Key == "lambdamcp.outcome" {
				got.Exported = append(got.Exported, a.Value.AsString())
			}
		}
	}
	if diff := cmp.Diff(seen{1, []string{lambdamcp.OutcomeTimeout}}, got); diff != "" {
		t.Errorf("a request that timed out (-want +got):\n%s", diff)
	}
	if len(f.deadlines) == 1 {
		if d := f.deadlines[0]; d.IsZero() || d.After(deadline.Add(-50*time.Millisecond)) {
			t.Errorf("flush given until %v, %v before the invocation's deadline; want it to stop well before", d, deadline.Sub(d))
		}
	}
}

// TestMCPAnswers checks what a span says of the JSON-RPC answer: the
// request id, the protocol version, the prompt the server answered or the
// resource URI read, and, as the MCP conventions have it, an error for a
// JSON-RPC error (error.type its code) or a tool error, whoever caused it.
func TestMCPAnswers(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	server := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	server.AddReceivingMiddleware(lambdamcp.Middleware())
	mcp.AddTool(server, &mcp.Tool{Name: "greet"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "hi"}}}, nil, nil
	})
	mcp.AddTool(server, &mcp.Tool{Name: "fail"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: "no"}}}, nil, nil
	})
	server.AddPrompt(&mcp.Prompt{Name: "summary"}, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		return &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: "sum up"}}}}, nil
	})
	server.AddResource(&mcp.Resource{URI: "file:///notes.txt", Name: "notes"}, func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: "file:///notes.txt", Text: "notes"}}}, nil
	})
	h := lambdamcp.Guard(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true}),
		&lambdamcp.Options{JSONResponse: true, Tracer: otellambdamcp.New(tp)})

	const initialize = `{"jsonrpc":"2.0","id":"init-1","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}`
	tests := []struct {
		name    string
		body    string
		headers map[string]string
		status  int
		span    string
		error   bool
		want    map[attribute.Key]string // "" for absent
	}{
		{"initialize", initialize, nil, 200, "initialize", false, map[attribute.Key]string{
			"jsonrpc.request.id": "init-1", "mcp.protocol.version": "2025-06-18", "error.type": "", "rpc.response.status_code": "", "gen_ai.operation.name": "",
		}},
		{"unknown tool", `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"nope"}}`,
			map[string]string{"MCP-Protocol-Version": "2025-11-25"}, 200, "tools/call", true, map[attribute.Key]string{
				"jsonrpc.request.id": "7", "error.type": "-32602", "rpc.response.status_code": "-32602", "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "",
			}},
		{"params that do not decode, refused before the middleware", `{"jsonrpc":"2.0","id":11,"method":"tools/call","params":"x"}`,
			map[string]string{"MCP-Protocol-Version": "2025-11-25"}, 200, "tools/call", true, map[attribute.Key]string{
				"jsonrpc.request.id": "11", "error.type": "-32602", "rpc.response.status_code": "-32602",
			}},
		{"tool error", `{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"fail"}}`,
			map[string]string{"MCP-Protocol-Version": "2025-11-25"}, 200, "tools/call fail", true, map[attribute.Key]string{
				"error.type": "tool_error", "rpc.response.status_code": "", "gen_ai.tool.name": "fail",
			}},
		{"header mismatch, the go-sdk's JSON error", `{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"greet","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"c","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}`,
			map[string]string{"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/list", "Mcp-Name": "greet"}, 400, "tools/call", true, map[attribute.Key]string{
				"jsonrpc.request.id": "9", "mcp.protocol.version": "2026-07-28", "error.type": "-32020", "rpc.response.status_code": "-32020",
			}},
		{"unsupported version, refused by lambdamcp", `{"jsonrpc":"2.0","id":10,"method":"tools/list"}`,
			map[string]string{"MCP-Protocol-Version": "2999-01-01"}, 400, "tools/list", true, map[attribute.Key]string{
				"jsonrpc.request.id": "10", "mcp.protocol.version": "", "error.type": "-32022",
			}},
		{"prompt", `{"jsonrpc":"2.0","id":12,"method":"prompts/get","params":{"name":"summary"}}`,
			map[string]string{"MCP-Protocol-Version": "2025-11-25"}, 200, "prompts/get summary", false, map[attribute.Key]string{
				"mcp.method.name": "prompts/get", "gen_ai.prompt.name": "summary", "gen_ai.operation.name": "", "error.type": "",
			}},
		{"unknown prompt", `{"jsonrpc":"2.0","id":13,"method":"prompts/get","params":{"name":"nope"}}`,
			map[string]string{"MCP-Protocol-Version": "2025-11-25"}, 200, "prompts/get", true, map[attribute.Key]string{
				"gen_ai.prompt.name": "", "error.type": "-32602",
			}},
		{"resource", `{"jsonrpc":"2.0","id":14,"method":"resources/read","params":{"uri":"file:///notes.txt"}}`,
			map[string]string{"MCP-Protocol-Version": "2025-11-25"}, 200, "resources/read", false, map[attribute.Key]string{
				"mcp.method.name": "resources/read", "mcp.resource.uri": "file:///notes.txt", "error.type": "",
			}},
		{"unknown resource", `{"jsonrpc":"2.0","id":15,"method":"resources/read","params":{"uri":"file:///missing.txt"}}`,
			map[string]string{"MCP-Protocol-Version": "2025-11-25"}, 200, "resources/read", true, map[attribute.Key]string{
				"mcp.resource.uri": "file:///missing.txt", "error.type": "-32002",
			}},
		{"notification", `{"jsonrpc":"2.0","method":"notifications/initialized"}`,
			map[string]string{"MCP-Protocol-Version": "2025-11-25"}, 202, "notifications/initialized", false, map[attribute.Key]string{
				"jsonrpc.request.id": "", "error.type": "",
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/mcp", strings.NewReader(tc.body))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Accept", "application/json, text/event-stream")
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			ended := rec.Ended()
			s := ended[len(ended)-1]
			if s.Name() != tc.span || (s.Status().Code == codes.Error) != tc.error {
				t.Errorf("span %q, status %v; want %q, error %v", s.Name(), s.Status(), tc.span, tc.error)
			}
			a := attrsOf(s)
			for k, want := range tc.want {
				if got := a[k].String(); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

// TestTargetOnlyForItsMethod checks that a span names a tool, in its name
// and gen_ai.tool.name, only when its method is tools/call, a prompt (its
// name and gen_ai.prompt.name) only on a prompts/get, and records a
// resource URI (mcp.resource.uri, never in its name) only on a resource
// method: a 2025-03-26 batch that ran a tool and then listed the tools
// ends with the method of one call and the tool of another, and is no
// "tools/list greet".
func TestTargetOnlyForItsMethod(t *testing.T) {
	uri := "file:///notes.txt"
	none := map[attribute.Key]string{"gen_ai.tool.name": "", "gen_ai.prompt.name": "", "mcp.resource.uri": "", "gen_ai.operation.name": ""}
	with := func(kv ...string) map[attribute.Key]string {
		m := maps.Clone(none)
		for i := 0; i+1 < len(kv); i += 2 {
			m[attribute.Key(kv[i])] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name     string
		result   lambdamcp.RequestResult
		wantSpan string
		want     map[attribute.Key]string // "" for absent
	}{
		{"a tool call", lambdamcp.RequestResult{Status: 200, MCPMethod: "tools/call", Tool: "greet"}, "tools/call greet",
			with("gen_ai.tool.name", "greet", "gen_ai.operation.name", "execute_tool")},
		{"a batch that listed the tools last", lambdamcp.RequestResult{Status: 200, MCPMethod: "tools/list", Tool: "greet"}, "tools/list", none},
		{"a prompt", lambdamcp.RequestResult{Status: 200, MCPMethod: "prompts/get", Prompt: "summary"}, "prompts/get summary",
			with("gen_ai.prompt.name", "summary")},
		{"a prompt the server did not answer", lambdamcp.RequestResult{Status: 200, MCPMethod: "prompts/get"}, "prompts/get", none},
		{"a batch that listed the prompts last", lambdamcp.RequestResult{Status: 200, MCPMethod: "prompts/list", Prompt: "summary"}, "prompts/list", none},
		{"a batch that called a tool last", lambdamcp.RequestResult{Status: 200, MCPMethod: "tools/call", Tool: "greet", Prompt: "summary", ResourceURI: uri},
			"tools/call greet", with("gen_ai.tool.name", "greet", "gen_ai.operation.name", "execute_tool")},
		{"a batch that got a prompt last", lambdamcp.RequestResult{Status: 200, MCPMethod: "prompts/get", Tool: "greet", Prompt: "summary", ResourceURI: uri},
			"prompts/get summary", with("gen_ai.prompt.name", "summary")},
		{"a resource read", lambdamcp.RequestResult{Status: 200, MCPMethod: "resources/read", ResourceURI: uri}, "resources/read",
			with("mcp.resource.uri", uri)},
		{"a subscription", lambdamcp.RequestResult{Status: 200, MCPMethod: "resources/subscribe", ResourceURI: uri}, "resources/subscribe",
			with("mcp.resource.uri", uri)},
		{"an unsubscription", lambdamcp.RequestResult{Status: 200, MCPMethod: "resources/unsubscribe", ResourceURI: uri}, "resources/unsubscribe",
			with("mcp.resource.uri", uri)},
		{"a batch that read a resource last", lambdamcp.RequestResult{Status: 200, MCPMethod: "resources/read", Tool: "greet", Prompt: "summary", ResourceURI: uri},
			"resources/read", with("mcp.resource.uri", uri)},
		{"a batch that listed the resources last", lambdamcp.RequestResult{Status: 200, MCPMethod: "resources/list", ResourceURI: uri}, "resources/list", none},
		{"a URI of invalid UTF-8, too long", lambdamcp.RequestResult{Status: 200, MCPMethod: "resources/read", ResourceURI: "file:///\xff" + strings.Repeat("a", 2000)},
			"resources/read", with("mcp.resource.uri", "file:///\uFFFD"+strings.Repeat("a", 1027-len("file:///\uFFFD")))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
			_, end := otellambdamcp.New(tp).Start(t.Context(), lambdamcp.RequestInfo{Method: "POST", Scheme: "http", Path: "/mcp"})
			end(tc.result)
			ended := rec.Ended()
			if len(ended) != 1 {
				t.Fatalf("%d spans ended, want 1", len(ended))
			}
			got := map[attribute.Key]string{}
			for k := range tc.want {
				got[k] = attrsOf(ended[0])[k].AsString()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" || ended[0].Name() != tc.wantSpan {
				t.Errorf("span %q, want %q; attributes (-want +got):\n%s", ended[0].Name(), tc.wantSpan, diff)
			}
		})
	}
}

// TestResourceURIRedacted checks that mcp.resource.uri keeps out the
// credentials OpenTelemetry's conventions keep out of url.full: a URL's
// userinfo, and the values of the query parameters that sign a presigned
// URL, the parameters' names kept, and the rest of the URI as the client
// sent it, its percent-encoding included. What is no URL (a relative
// reference, an opaque URI) is recorded as sent.
func TestResourceURIRedacted(t *testing.T) {
	long := "https://user:" + strings.Repeat("p", 1100) + "@example.com/"
	tests := []struct{ name, uri, want string }{
		{"userinfo", "https://user:secret@example.com/notes?q=1", "https://REDACTED:REDACTED@example.com/notes?q=1"},
		{"a user alone", "https://ghp_token@example.com/repo", "https://REDACTED:REDACTED@example.com/repo"},
		{"an @ in the password", "postgres://app:p@ss@db:5432/orders", "postgres://REDACTED:REDACTED@db:5432/orders"},
		{"a scheme with a digit, a plus and a dot", "git+ssh.v2://alice:s3cret@example.com/repo?sig=1", "git+ssh.v2://REDACTED:REDACTED@example.com/repo?sig=REDACTED"},
		{"a scheme starting with a digit", "3s://user:pw@example.com/?sig=1", "3s://user:pw@example.com/?sig=1"},
		{"an @ past the authority", "https://example.com/users/a@b?to=c@d#e@f", "https://example.com/users/a@b?to=c@d#e@f"},
		{"AWS presigned", "https://b.s3.amazonaws.com/k%20y?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20260101%2Fus-east-1&X-Amz-Expires=60&X-Amz-Security-Token=IQo&X-Amz-Signature=fe5f",
			"https://b.s3.amazonaws.com/k%20y?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=REDACTED&X-Amz-Expires=60&X-Amz-Security-Token=REDACTED&X-Amz-Signature=REDACTED"},
		{"Azure SAS", "https://a.blob.core.windows.net/c/b.txt?sv=2022-11-02&sig=abc%2Bdef%3D&se=2026", "https://a.blob.core.windows.net/c/b.txt?sv=2022-11-02&sig=REDACTED&se=2026"},
		{"AWS signed, version 2", "https://b.s3.amazonaws.com/k?AWSAccessKeyId=AKIAEXAMPLE&Expires=1&Signature=abc%2Bd", "https://b.s3.amazonaws.com/k?AWSAccessKeyId=REDACTED&Expires=1&Signature=REDACTED"},
		{"Google signed", "gs://bucket/o?X-Goog-Date=20260101&X-Goog-Signature=0a1b#part", "gs://bucket/o?X-Goog-Date=20260101&X-Goog-Signature=REDACTED#part"},
		{"both, and a file URL", "file://me:pw@/tmp/x?sig=1&sig=2&sig", "file://REDACTED:REDACTED@/tmp/x?sig=REDACTED&sig=REDACTED&sig"},
		{"names matched case-sensitively", "https://example.com/?SIG=1&x-amz-signature=2", "https://example.com/?SIG=1&x-amz-signature=2"},
		{"a name percent-encoded", "https://example.com/?si%67=1", "https://example.com/?si%67=REDACTED"},
		{"a ? in the fragment", "https://example.com/p#a?sig=1", "https://example.com/p#a?sig=1"},
		{"no credentials", "https://example.com/a%2Fb?q=%41", "https://example.com/a%2Fb?q=%41"},
		{"opaque", "mailto:user:pw@example.com?sig=1", "mailto:user:pw@example.com?sig=1"},
		{"a URN", "urn:example:user:pw@x?sig=1", "urn:example:user:pw@x?sig=1"},
		{"no scheme", "notes/user:pw@x?sig=1", "notes/user:pw@x?sig=1"},
		{"a scheme-relative reference", "//user:pw@example.com/?sig=1", "//user:pw@example.com/?sig=1"},
		{"userinfo cut short", long[:1024] + "…", "https://REDACTED:REDACTED@…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
			_, end := otellambdamcp.New(tp).Start(t.Context(), lambdamcp.RequestInfo{Method: "POST", Scheme: "https", Path: "/mcp"})
			end(lambdamcp.RequestResult{Status: 200, MCPMethod: "resources/read", ResourceURI: tc.uri})
			ended := rec.Ended()
			if len(ended) != 1 {
				t.Fatalf("%d spans ended, want 1", len(ended))
			}
			if diff := cmp.Diff(tc.want, attrsOf(ended[0])["mcp.resource.uri"].AsString()); diff != "" {
				t.Errorf("mcp.resource.uri (-want +got):\n%s", diff)
			}
		})
	}
}

// TestProviders checks that a tracer of a nil provider, the global one,
// and of a no-op provider serve requests as any other: a nil provider is
// no nil dereference at start-up, nor is a nil pointer of a provider type,
// such as a *sdktrace.TracerProvider a program declared and did not set.
func TestProviders(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	global := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	before := otel.GetTracerProvider()
	otel.SetTracerProvider(global)
	t.Cleanup(func() { otel.SetTracerProvider(before) })
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for _, tc := range []struct {
		name  string
		tp    trace.TracerProvider
		spans int // recorded by the global provider
	}{
		{"nil: the global provider", nil, 1},
		{"a nil *sdktrace.TracerProvider: the global provider", (*sdktrace.TracerProvider)(nil), 1},
		{"no-op", noop.NewTracerProvider(), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec.Reset()
			w := httptest.NewRecorder()
			lambdamcp.Guard(h, &lambdamcp.Options{Tracer: otellambdamcp.New(tc.tp)}).ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
			if w.Code != http.StatusNoContent || len(rec.Ended()) != tc.spans {
				t.Errorf("status %d, %d spans; want %d, %d", w.Code, len(rec.Ended()), http.StatusNoContent, tc.spans)
			}
		})
	}
}

// TestNilProviderSetLater checks that a tracer of a nil provider uses the
// global provider set after New, as a program that makes its tracer before
// it configures tracing has it: its spans go to that provider, which is
// flushed at the end of each request on Lambda, as a provider given to New
// is, rather than waiting in a batch while Lambda freezes the environment.
func TestNilProviderSetLater(t *testing.T) {
	event := []byte(`{"version":"2.0","rawPath":"/healthz","headers":{"host":"x.lambda-url.eu-west-1.on.aws"},
		"requestContext":{"domainName":"x.lambda-url.eu-west-1.on.aws","http":{"method":"GET","path":"/healthz"}}}`)
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	before := otel.GetTracerProvider()
	t.Cleanup(func() { otel.SetTracerProvider(before) })
	// What the global provider is before the program sets its own: one
	// that cannot be flushed.
	otel.SetTracerProvider(noop.NewTracerProvider())
	tracer := otellambdamcp.New(nil)
	rec := tracetest.NewSpanRecorder()
	fc := &flushCounter{TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))}
	otel.SetTracerProvider(fc)
	lh := lambdamcp.NewHandler(h, &lambdamcp.Options{Tracer: tracer})
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req"})
	if _, err := lh.Invoke(ctx, event); err != nil {
		t.Fatal(err)
	}
	type seen struct{ Spans, Flushes int }
	if diff := cmp.Diff(seen{1, 1}, seen{len(rec.Ended()), fc.n}); diff != "" {
		t.Errorf("the global provider set after New (-want +got):\n%s", diff)
	}
}

// TestColdStart checks faas.coldstart, which the FaaS conventions recommend
// on an invocation's span: true on the first Lambda request the tracer
// traces, the one that waited for the execution environment to start;
// false on later ones, and on the first of an environment Lambda started
// ahead of time (provisioned concurrency, Lambda Managed Instances). A
// request off Lambda has none.
func TestColdStart(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	coldstarts := func(tracer lambdamcp.Tracer, infos ...lambdamcp.RequestInfo) []string {
		var got []string
		for _, info := range infos {
			_, end := tracer.Start(t.Context(), info)
			end(lambdamcp.RequestResult{Status: 200, Outcome: lambdamcp.OutcomeOK})
			ended := rec.Ended()
			v, ok := attrsOf(ended[len(ended)-1])["faas.coldstart"]
			if !ok {
				got = append(got, "none")
				continue
			}
			if v.Type() != attribute.BOOL {
				t.Errorf("faas.coldstart is %v, want a boolean", v.Type())
			}
			got = append(got, strconv.FormatBool(v.AsBool()))
		}
		return got
	}
	local := lambdamcp.RequestInfo{Method: "POST", Scheme: "http", Path: "/mcp"}
	onLambda := func(id string) lambdamcp.RequestInfo {
		return lambdamcp.RequestInfo{Method: "POST", Scheme: "https", Path: "/mcp", Shape: lambdamcp.ShapeURL, RequestID: id}
	}
	got := coldstarts(otellambdamcp.New(tp, otellambdamcp.NoFlush()), local, onLambda("a"), onLambda("b"))
	if diff := cmp.Diff([]string{"none", "true", "false"}, got); diff != "" {
		t.Errorf("faas.coldstart (-want +got):\n%s", diff)
	}
	t.Setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "provisioned-concurrency")
	got = coldstarts(otellambdamcp.New(tp, otellambdamcp.NoFlush()), onLambda("c"))
	if diff := cmp.Diff([]string{"false"}, got); diff != "" {
		t.Errorf("provisioned concurrency: faas.coldstart (-want +got):\n%s", diff)
	}
	// Lambda Managed Instances start every environment before it gets
	// traffic: no invocation waits for one.
	t.Setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "lambda-managed-instances")
	got = coldstarts(otellambdamcp.New(tp, otellambdamcp.NoFlush()), onLambda("d"), onLambda("e"))
	if diff := cmp.Diff([]string{"false", "false"}, got); diff != "" {
		t.Errorf("managed instances: faas.coldstart (-want +got):\n%s", diff)
	}
}

// TestColdStartConcurrent checks that of the invocations an environment
// serves at once (AWS_LAMBDA_MAX_CONCURRENCY), exactly one is cold.
func TestColdStartConcurrent(t *testing.T) {
	t.Setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
	rec := tracetest.NewSpanRecorder()
	tr := otellambdamcp.New(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)), otellambdamcp.NoFlush())
	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, end := tr.Start(t.Context(), lambdamcp.RequestInfo{Method: "POST", Scheme: "https", Path: "/mcp",
				Shape: lambdamcp.ShapeURL, RequestID: fmt.Sprint("req-", i)})
			end(lambdamcp.RequestResult{Status: 200, Outcome: lambdamcp.OutcomeOK})
		})
	}
	wg.Wait()
	cold := 0
	for _, s := range rec.Ended() {
		if v, ok := attrsOf(s)["faas.coldstart"]; ok && v.AsBool() {
			cold++
		}
	}
	if len(rec.Ended()) != n || cold != 1 {
		t.Errorf("%d spans, %d of them cold; want %d, 1 cold", len(rec.Ended()), cold, n)
	}
}

// TestListenEndedAtDeadline checks that a subscriptions/listen that
// lambdamcp ended near the deadline with the successful result the spec
// prescribes (outcome timeout, no error code) is no error: the call was
// answered with a result, as a subscription ended on purpose is. A request
// of no MCP method that ran out of time is the server's failure.
func TestListenEndedAtDeadline(t *testing.T) {
	tests := []struct {
		name      string
		result    lambdamcp.RequestResult
		wantError string // error.type; "" for none
	}{
		{"listen ended with its result", lambdamcp.RequestResult{Status: 200, MCPMethod: "subscriptions/listen", Outcome: lambdamcp.OutcomeTimeout,
			RPCID: "7", ProtocolVersion: "2026-07-28"}, ""},
		{"listen ended with an error", lambdamcp.RequestResult{Status: 200, MCPMethod: "subscriptions/listen", Outcome: lambdamcp.OutcomeTimeout,
			RPCID: "7", ProtocolVersion: "2026-07-28", ErrorCode: "-32603"}, "-32603"},
		{"a GET that ran out of time", lambdamcp.RequestResult{Status: 504, Outcome: lambdamcp.OutcomeTimeout}, "timeout"},
		{"a GET answered 200 that ran out of time", lambdamcp.RequestResult{Status: 200, Outcome: lambdamcp.OutcomeTimeout}, "timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
			_, end := otellambdamcp.New(tp).Start(t.Context(), lambdamcp.RequestInfo{Method: "POST", Scheme: "https", Path: "/mcp"})
			end(tc.result)
			s := rec.Ended()[0]
			wantCode := codes.Unset
			if tc.wantError != "" {
				wantCode = codes.Error
			}
			if got := attrsOf(s)["error.type"].AsString(); got != tc.wantError || s.Status().Code != wantCode {
				t.Errorf("span %q: status %v, error.type %q; want %v, %q", s.Name(), s.Status(), got, wantCode, tc.wantError)
			}
		})
	}
}

// TestPeerAndSession checks the attributes of where a request came from
// and went to, as the HTTP conventions have them, and of the MCP session
// it was served in, as the MCP conventions do.
func TestPeerAndSession(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	server := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	h := lambdamcp.Guard(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{JSONResponse: true}),
		&lambdamcp.Options{JSONResponse: true, Tracer: otellambdamcp.New(tp)})
	post := func(body, session string) *http.Request {
		r := httptest.NewRequest("POST", "https://mcp.example.com:8443/mcp", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Accept", "application/json, text/event-stream")
		r.Header.Set("MCP-Protocol-Version", "2025-11-25")
		if session != "" {
			r.Header.Set("Mcp-Session-Id", session)
		}
		return r
	}
	r := post(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}`, "")
	r.RemoteAddr = "[2001:db8::1]:50000"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	session := w.Header().Get("Mcp-Session-Id")
	if session == "" {
		t.Fatal("no session id")
	}
	r = post(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`, session)
	r.RemoteAddr = "198.51.100.7" // as lambdamcp has it from an event: no port
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/2.0", 2, 0
	h.ServeHTTP(httptest.NewRecorder(), r)
	r = post(`{"jsonrpc":"2.0","id":3,"method":"tools/list"}`, "invented")
	r.Host, r.RemoteAddr, r.Proto = "mcp.example.com", "2001:db8::2", ""
	h.ServeHTTP(httptest.NewRecorder(), r)

	keys := []attribute.Key{"client.address", "client.port", "server.address", "server.port",
		"network.protocol.name", "network.protocol.version", "network.transport", "mcp.session.id"}
	var got []map[attribute.Key]string
	for _, s := range rec.Ended() {
		a := attrsOf(s)
		m := map[attribute.Key]string{}
		for _, k := range keys {
			if v, ok := a[k]; ok {
				m[k] = v.String()
			}
		}
		got = append(got, m)
	}
	want := []map[attribute.Key]string{
		{"client.address": "2001:db8::1", "client.port": "50000", "server.address": "mcp.example.com", "server.port": "8443",
			"network.protocol.name": "http", "network.protocol.version": "1.1", "network.transport": "tcp", "mcp.session.id": session},
		{"client.address": "198.51.100.7", "server.address": "mcp.example.com", "server.port": "8443",
			"network.protocol.name": "http", "network.protocol.version": "2", "network.transport": "tcp", "mcp.session.id": session},
		// A session the server does not know (404) is none; nor is an
		// HTTP version unknown.
		{"client.address": "2001:db8::2", "server.address": "mcp.example.com", "server.port": "443"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attributes (-want +got):\n%s", diff)
	}
}

// TestStatusDescription checks that a span that failed with a JSON-RPC
// error describes its status with the error's message, as the MCP
// conventions ask, bounded, whoever answered it: the server, lambdamcp
// for a panic, or the go-sdk itself.
func TestStatusDescription(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	server := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	server.AddReceivingMiddleware(lambdamcp.Middleware())
	mcp.AddTool(server, &mcp.Tool{Name: "boom"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		panic("boom")
	})
	h := lambdamcp.Guard(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true}),
		&lambdamcp.Options{JSONResponse: true, Tracer: otellambdamcp.New(tp)})
	long := strings.Repeat("x", 2000)
	for _, body := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"nope"}}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"boom"}}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"` + long + `"}}`,
	} {
		r := httptest.NewRequest("POST", "/mcp", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("MCP-Protocol-Version", "2025-11-25")
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	var got []sdktrace.Status
	for _, s := range rec.Ended() {
		got = append(got, s.Status())
	}
	if len(got) != 3 {
		t.Fatalf("%d spans, want 3", len(got))
	}
	if want := (sdktrace.Status{Code: codes.Error, Description: `unknown tool "nope"`}); got[0] != want {
		t.Errorf("unknown tool: status %+v, want %+v", got[0], want)
	}
	if want := (sdktrace.Status{Code: codes.Error, Description: "internal error"}); got[1] != want {
		t.Errorf("panic: status %+v, want %+v", got[1], want)
	}
	if d := got[2].Description; got[2].Code != codes.Error || !strings.HasPrefix(d, `unknown tool "xxx`) || len(d) > 300 || !utf8.ValidString(d) {
		t.Errorf("long tool name: status %+v, want the message cut short", got[2])
	}
}

// TestDirectSpan checks what a span records when the tracer is called as
// lambdamcp calls it: faas.trigger http on Lambda, as the FaaS conventions
// name a function an HTTP request invoked; a session id bounded; and the
// status of an HTTP span the server failed described with its error type,
// not with the message of a JSON-RPC error of no MCP method's.
func TestDirectSpan(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	tracer := otellambdamcp.New(tp, otellambdamcp.NoFlush())
	_, end := tracer.Start(t.Context(), lambdamcp.RequestInfo{Method: "POST", Scheme: "https", Path: "/mcp", Shape: lambdamcp.ShapeURL, RequestID: "req-1"})
	end(lambdamcp.RequestResult{Status: 500, Outcome: lambdamcp.OutcomePanic, ErrorCode: "-32603", ErrorMessage: "internal error: the database is down",
		SessionID: strings.Repeat("s", 1000)})
	ended := rec.Ended()
	if len(ended) != 1 {
		t.Fatalf("%d spans, want 1", len(ended))
	}
	a := attrsOf(ended[0])
	if v := a["faas.trigger"]; v.AsString() != "http" {
		t.Errorf("faas.trigger = %q, want http", v.String())
	}
	if v := a["mcp.session.id"]; v.AsString() != strings.Repeat("s", 256) {
		t.Errorf("mcp.session.id is %d bytes, want cut to 256", len(v.AsString()))
	}
	if want := (sdktrace.Status{Code: codes.Error, Description: lambdamcp.OutcomePanic}); ended[0].Status() != want {
		t.Errorf("status %+v, want %+v", ended[0].Status(), want)
	}
}

// TestFlushBounded checks that the flush at the end of a request takes at
// most a second when the answer is due much later, and that no flush is
// made once the time for one has passed.
func TestFlushBounded(t *testing.T) {
	df := &deadlineFlusher{TracerProvider: sdktrace.NewTracerProvider()}
	tracer := otellambdamcp.New(df)
	info := lambdamcp.RequestInfo{Method: "POST", Path: "/mcp", Shape: lambdamcp.ShapeURL, Deadline: time.Now().Add(time.Hour)}
	_, end := tracer.Start(t.Context(), info)
	end(lambdamcp.RequestResult{Status: 200, Outcome: lambdamcp.OutcomeOK})
	after := time.Now()
	if len(df.deadlines) != 1 || df.deadlines[0].After(after.Add(time.Second)) {
		t.Errorf("flush deadlines %v, want one no later than a second after %v", df.deadlines, after)
	}

	df.deadlines = nil
	info.Deadline = time.Now().Add(-time.Second)
	_, end = tracer.Start(t.Context(), info)
	end(lambdamcp.RequestResult{Status: 504, Outcome: lambdamcp.OutcomeTimeout})
	if len(df.deadlines) != 0 {
		t.Errorf("flushed with deadlines %v past the answer's deadline, want no flush", df.deadlines)
	}
}
