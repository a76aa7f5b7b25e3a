package lambdamcp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// logLines parses JSON log lines.
func logLines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for l := range bytes.Lines(b) {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, l)
		}
		lines = append(lines, m)
	}
	return lines
}

func invokeAs(t *testing.T, h *lambdamcp.Handler, requestID string, req httpRequest) (lambdaResponse, rpcAnswer) {
	t.Helper()
	return invokeIn(t, t.Context(), h, requestID, req)
}

// invokeIn is invokeAs with the invocation's context made from parent.
func invokeIn(t *testing.T, parent context.Context, h *lambdamcp.Handler, requestID string, req httpRequest) (lambdaResponse, rpcAnswer) {
	t.Helper()
	ctx := lambdacontext.NewContext(parent, &lambdacontext.LambdaContext{AwsRequestID: requestID})
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := h.Invoke(ctx, restEvent(t, req))
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	var resp lambdaResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	var a rpcAnswer
	if err := json.Unmarshal(resp.body(t), &a); err != nil {
		t.Fatalf("body is not JSON: %s", resp.body(t))
	}
	return resp, a
}

// TestPanickingTool checks that a tool's panic answers an internal error
// naming the request id, logs the stack under that id (never in the
// answer), and that the next invocation is served.
func TestPanickingTool(t *testing.T) {
	server, _ := newHardServer(t)
	var logs bytes.Buffer
	h := lambdamcp.NewHandler(streamable(server), hardOptions(&logs))

	_, a := invokeAs(t, h, "req-panic", call("boom", `{}`))
	if a.Error == nil || a.Error.Code != -32603 || a.Error.Message != "internal error (request id req-panic)" {
		t.Fatalf("answer = %+v, want internal error naming req-panic", a.Error)
	}
	if strings.Contains(a.Error.Message, "the tool broke") || strings.Contains(a.Error.Message, "goroutine") {
		t.Errorf("answer leaks the panic: %q", a.Error.Message)
	}
	_, next := invokeAs(t, h, "req-next", call("echo", `{"bytes":2}`))
	if next.Result == nil || next.Result.Content[0].Text != "xx" {
		t.Errorf("next invocation answered %+v, want xx", next)
	}

	lines := logLines(t, logs.Bytes())
	if len(lines) != 2 {
		t.Fatalf("got %d log lines, want 2:\n%s", len(lines), logs.String())
	}
	l := lines[0]
	if l["level"] != "ERROR" || l["request_id"] != "req-panic" || l["outcome"] != "panic" || l["panic"] != "the tool broke" || l["tool"] != "boom" {
		t.Errorf("panic log line = %v", l)
	}
	if stack, _ := l["stack"].(string); !strings.Contains(stack, "badinput_test.go") {
		t.Errorf("stack does not show the tool: %q", stack)
	}
	if lines[1]["outcome"] != "ok" || lines[1]["request_id"] != "req-next" {
		t.Errorf("next log line = %v", lines[1])
	}
}

// TestPanickingHandler checks a panic in the http.Handler itself (outside
// the SDK): a 500 with a JSON-RPC error, the stack logged.
func TestPanickingHandler(t *testing.T) {
	var logs bytes.Buffer
	h := lambdamcp.NewHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("handler broke")
	}), hardOptions(&logs))
	resp, a := invokeAs(t, h, "req-h", call("echo", `{}`))
	if resp.StatusCode != 500 || a.Error == nil || a.Error.Code != -32603 || string(a.ID) != "7" {
		t.Errorf("answer = %d %s, want 500 with an internal error for id 7", resp.StatusCode, resp.Body)
	}
	lines := logLines(t, logs.Bytes())
	if len(lines) != 1 || lines[0]["panic"] != "handler broke" || lines[0]["request_id"] != "req-h" || lines[0]["status"] != 500.0 {
		t.Errorf("log = %v", lines)
	}
}

// TestPanickingHandlerLocal checks the same through Guard on a request
// without a deadline, as a local server serves it: a 500 with a JSON-RPC
// error, the stack logged, and net/http's http.ErrAbortHandler passed on.
func TestPanickingHandlerLocal(t *testing.T) {
	var logs bytes.Buffer
	var abort bool
	h := lambdamcp.Guard(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		if abort {
			panic(http.ErrAbortHandler)
		}
		panic("handler broke")
	}), hardOptions(&logs))
	req := call("echo", `{}`)
	newReq := func() *http.Request {
		r := httptest.NewRequest("POST", "/mcp", strings.NewReader(req.body))
		for k, v := range req.header {
			r.Header.Set(k, v)
		}
		return r
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, newReq())
	var a rpcAnswer
	if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil || w.Code != 500 || a.Error == nil || a.Error.Code != -32603 || a.Error.Message != "internal error" || string(a.ID) != "7" {
		t.Errorf("answer = %d %s, want 500 with an internal error for id 7, naming no request id (there is none off Lambda)", w.Code, w.Body)
	}
	lines := logLines(t, logs.Bytes())
	if len(lines) != 1 || lines[0]["panic"] != "handler broke" || lines[0]["outcome"] != "panic" || !strings.Contains(lines[0]["stack"].(string), "operability_test.go") {
		t.Errorf("log = %v", lines)
	}

	abort = true
	func() {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("recovered %v, want http.ErrAbortHandler", v)
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), newReq())
	}()
}

// TestClientCancellation checks, over real HTTP, that a client that goes
// away ends the tool's context.
func TestClientCancellation(t *testing.T) {
	s := mcp.NewServer(&mcp.Implementation{Name: "cancel", Version: "1"}, nil)
	s.AddReceivingMiddleware(lambdamcp.Middleware())
	started, ended := make(chan struct{}), make(chan error, 1)
	mcp.AddTool(s, &mcp.Tool{Name: "wait"}, func(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		close(started)
		<-ctx.Done()
		ended <- ctx.Err()
		return nil, nil, ctx.Err()
	})
	srv := httptest.NewServer(lambdamcp.Guard(streamable(s), &lambdamcp.Options{JSONResponse: true}))
	defer srv.Close()

	ctx, cancel := context.WithCancel(t.Context())
	req := call("wait", `{}`)
	hr, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/mcp", strings.NewReader(req.body))
	for k, v := range req.header {
		hr.Header.Set(k, v)
	}
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(hr)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-started
	cancel()
	if err := <-ended; err != context.Canceled {
		t.Errorf("tool context ended with %v, want context.Canceled", err)
	}
	if err := <-errc; err == nil {
		t.Error("cancelled request succeeded")
	}
}

// TestSubjectLogged checks that the caller's subject, from the go-sdk's
// auth.TokenInfo, reaches the log line, and the token does not.
func TestSubjectLogged(t *testing.T) {
	server, _ := newHardServer(t)
	long := strings.Repeat("u", 300)
	for _, tc := range []struct{ subject, want string }{
		{"user-1", "user-1"},
		{long, long[:256] + "…"}, // its size is the issuer's: cut as the other names are
	} {
		verify := func(_ context.Context, token string, _ *http.Request) (*auth.TokenInfo, error) {
			if token != "s3cr3t" {
				return nil, auth.ErrInvalidToken
			}
			return &auth.TokenInfo{UserID: tc.subject, Expiration: time.Now().Add(time.Hour)}, nil
		}
		handler := auth.RequireBearerToken(verify, nil)(streamable(server))
		var logs bytes.Buffer
		h := lambdamcp.NewHandler(handler, hardOptions(&logs))
		invokeAs(t, h, "req-sub", call("echo", `{"bytes":1}`, "Authorization", "Bearer s3cr3t"))
		if strings.Contains(logs.String(), "s3cr3t") {
			t.Errorf("log contains the token:\n%s", logs.String())
		}
		lines := logLines(t, logs.Bytes())
		if len(lines) != 1 || lines[0]["subject"] != tc.want {
			t.Errorf("log = %v, want subject %.20s… (%d bytes)", lines, tc.want, len(tc.want))
		}
	}
}

// TestMetricsNamespace checks that a namespace CloudWatch would refuse,
// which would drop every metric line, is replaced by the default with a
// warning, and that one it takes is kept. The default is spelled out:
// deploy/'s ServerFaultsAlarm and docs/operations.md name it.
func TestMetricsNamespace(t *testing.T) {
	server, _ := newHardServer(t)
	for ns, want := range map[string]string{
		"":                       "lambdamcp",
		"My App/mcp_1.0#a:b-c":   "My App/mcp_1.0#a:b-c",
		strings.Repeat("n", 255): strings.Repeat("n", 255),
		strings.Repeat("n", 256): lambdamcp.DefaultMetricsNamespace,
		"AWS/Lambda":             lambdamcp.DefaultMetricsNamespace,
		":app":                   lambdamcp.DefaultMetricsNamespace,
		"   ":                    lambdamcp.DefaultMetricsNamespace,
		"app\n":                  lambdamcp.DefaultMetricsNamespace,
		"caf\u00e9":              lambdamcp.DefaultMetricsNamespace,
		"app,other":              lambdamcp.DefaultMetricsNamespace,
	} {
		var metrics, logs bytes.Buffer
		opts := hardOptions(&logs)
		opts.Metrics, opts.MetricsNamespace = &metrics, ns
		invokeAs(t, lambdamcp.NewHandler(streamable(server), opts), "req-ns", call("echo", `{"bytes":1}`))
		var line struct {
			AWS struct{ CloudWatchMetrics []struct{ Namespace string } } `json:"_aws"`
		}
		if err := json.Unmarshal(metrics.Bytes(), &line); err != nil || len(line.AWS.CloudWatchMetrics) != 1 || line.AWS.CloudWatchMetrics[0].Namespace != want {
			t.Errorf("namespace %.20q: metric line %s (%v), want namespace %.20q", ns, metrics.Bytes(), err, want)
		}
		if warned := strings.Contains(logs.String(), "MetricsNamespace"); warned != (ns != "" && want != ns) {
			t.Errorf("namespace %.20q: warned %v; logs %s", ns, warned, logs.String())
		}
	}
}

// TestMetricsPerFunction checks that on Lambda every metric is kept apart
// per function, as AWS/Lambda's own are, so that two deployments sharing
// an account and a namespace do not add up; and that the line stays what
// the format requires: each dimension a string member of the line.
func TestMetricsPerFunction(t *testing.T) {
	saved := lambdacontext.FunctionName
	t.Cleanup(func() { lambdacontext.FunctionName = saved })
	lambdacontext.FunctionName = "mcp-prod-Server"
	server, _ := newHardServer(t)
	var metrics bytes.Buffer
	opts := hardOptions(new(bytes.Buffer))
	opts.Metrics = &metrics
	invokeAs(t, lambdamcp.NewHandler(streamable(server), opts), "req-fn", call("echo", `{"bytes":1}`))
	var line map[string]any
	if err := json.Unmarshal(metrics.Bytes(), &line); err != nil {
		t.Fatalf("metric line %s: %v", metrics.Bytes(), err)
	}
	directives := line["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)
	dims := directives[0].(map[string]any)["Dimensions"]
	want := []any{[]any{"FunctionName", "Tool"}, []any{"FunctionName"}}
	if diff := cmp.Diff(want, dims); diff != "" {
		t.Errorf("dimensions (-want +got):\n%s", diff)
	}
	if line["FunctionName"] != "mcp-prod-Server" || line["Tool"] != "echo" {
		t.Errorf("metric line %s, want FunctionName mcp-prod-Server and Tool echo", metrics.Bytes())
	}
}

// TestRequestLogLevel checks that a request the server failed (5xx) is
// logged as a warning, and one the client got wrong (4xx) as information,
// like a success: a client's mistakes must not raise alarms.
func TestRequestLogLevel(t *testing.T) {
	for status, want := range map[int]string{200: "INFO", 404: "INFO", 500: "WARN", 503: "WARN"} {
		var logs bytes.Buffer
		h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			w.Write([]byte(`{}`))
		}), hardOptions(&logs))
		invokeAs(t, h, "req-level", call("echo", `{}`))
		if lines := logLines(t, logs.Bytes()); len(lines) != 1 || lines[0]["status"] != float64(status) || lines[0]["level"] != want {
			t.Errorf("%d: log = %v, want one line at %s", status, lines, want)
		}
	}
}

// TestMetrics checks the Embedded Metric Format lines: one per tool call,
// in the schema CloudWatch reads, with count, errors and latency per tool.
// Only a tool the server ran names its metrics: a client that invents
// names, refused or not, must not create a metric per name.
func TestMetrics(t *testing.T) {
	saved := lambdacontext.FunctionName // off Lambda, whatever the environment says
	t.Cleanup(func() { lambdacontext.FunctionName = saved })
	lambdacontext.FunctionName = ""
	server, _ := newHardServer(t)
	var metrics bytes.Buffer
	var logs bytes.Buffer
	opts := hardOptions(new(bytes.Buffer))
	opts.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	opts.Metrics = &metrics
	opts.MetricsNamespace = "test-ns"
	tracer := &recordingTracer{}
	opts.Tracer = tracer
	h := lambdamcp.NewHandler(streamable(server), opts)
	invokeAs(t, h, "req-1", call("echo", `{"bytes":1}`))
	invokeAs(t, h, "req-2", call("boom", `{}`))
	invokeAs(t, h, "req-3", jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, "MCP-Protocol-Version", legacy))
	long := strings.Repeat("é", 100) // 200 bytes
	invokeAs(t, h, "req-4", call("invented-"+long, `{}`))

	deny := func(context.Context, string, *http.Request) (*auth.TokenInfo, error) {
		return nil, auth.ErrInvalidToken
	}
	refusing := lambdamcp.NewHandler(auth.RequireBearerToken(deny, nil)(streamable(server)), opts)
	if resp, _ := invokeAs(t, refusing, "req-5", call("echo", `{"bytes":1}`)); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", resp.StatusCode)
	}

	bare := mcp.NewServer(&mcp.Implementation{Name: "bare", Version: "1"}, nil) // no lambdamcp.Middleware
	mcp.AddTool(bare, &mcp.Tool{Name: "plain"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		return text("ok"), nil, nil
	})
	invokeAs(t, lambdamcp.NewHandler(streamable(bare), opts), "req-6", call("plain", `{}`))

	// A client's mistake is an error, not a fault. A tool that fails with
	// JSON-RPC's internal error, or with an error the server gave no
	// JSON-RPC code (the go-sdk answers code 0), is both. (A protocol error
	// does not confirm the tool: the go-sdk answers an invented name so.)
	invokeAs(t, h, "req-7", call("echo", `{"bytes":"many"}`))
	failing := mcp.NewServer(&mcp.Implementation{Name: "failing", Version: "1"}, nil)
	failing.AddReceivingMiddleware(lambdamcp.Middleware())
	for name, err := range map[string]error{
		"db":       errors.New("the database is down"),
		"internal": &jsonrpc.Error{Code: -32603, Message: "internal"},
		"picky":    &jsonrpc.Error{Code: -32602, Message: "no such row"},
	} {
		failing.AddTool(&mcp.Tool{Name: name, InputSchema: json.RawMessage(`{"type":"object"}`)}, func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return nil, err
		})
	}
	untraced := *opts // the metrics must not depend on a tracer
	untraced.Tracer = nil
	for i, name := range []string{"db", "internal", "picky"} {
		if _, ans := invokeAs(t, lambdamcp.NewHandler(streamable(failing), &untraced), fmt.Sprintf("req-%d", 8+i), call(name, `{}`)); ans.Error == nil {
			t.Fatalf("%s: answer %+v, want an error", name, ans)
		}
	}

	type metric struct{ Name, Unit string }
	type directive struct {
		Namespace  string
		Dimensions [][]string
		Metrics    []metric
	}
	type line struct {
		AWS struct {
			Timestamp         int64
			CloudWatchMetrics []directive
		} `json:"_aws"`
		Tool, Outcome, RequestId string
		Calls, Errors, Faults    int
		Latency                  float64
	}
	var got []line
	for l := range bytes.Lines(metrics.Bytes()) {
		var v line
		dec := json.NewDecoder(bytes.NewReader(l))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("metric line does not match the schema: %v: %s", err, l)
		}
		if ts := time.UnixMilli(v.AWS.Timestamp); time.Since(ts) > time.Minute || time.Since(ts) < 0 {
			t.Errorf("_aws.Timestamp %v is not now", ts)
		}
		if v.Latency <= 0 {
			t.Errorf("Latency = %v, want > 0", v.Latency)
		}
		got = append(got, v)
	}
	schema := []directive{{Namespace: "test-ns", Dimensions: [][]string{{"Tool"}, {}},
		Metrics: []metric{{"Calls", "Count"}, {"Errors", "Count"}, {"Faults", "Count"}, {"Latency", "Milliseconds"}}}}
	want := []line{
		{Tool: "echo", Outcome: "ok", RequestId: "req-1", Calls: 1},
		{Tool: "boom", Outcome: "panic", RequestId: "req-2", Calls: 1, Errors: 1, Faults: 1},
		// Spelled out, as docs/operations.md names it for queries.
		{Tool: "other", Outcome: "error", RequestId: "req-4", Calls: 1, Errors: 1},
		{Tool: lambdamcp.OtherTool, Outcome: "ok", RequestId: "req-6", Calls: 1},
		{Tool: "echo", Outcome: "error", RequestId: "req-7", Calls: 1, Errors: 1},
		{Tool: lambdamcp.OtherTool, Outcome: "error", RequestId: "req-8", Calls: 1, Errors: 1, Faults: 1},
		{Tool: lambdamcp.OtherTool, Outcome: "error", RequestId: "req-9", Calls: 1, Errors: 1, Faults: 1},
		{Tool: lambdamcp.OtherTool, Outcome: "error", RequestId: "req-10", Calls: 1, Errors: 1},
	}
	for i := range want {
		want[i].AWS.CloudWatchMetrics = schema
	}
	ignore := cmp.Options{cmpopts.IgnoreFields(line{}, "Latency"), cmpopts.IgnoreFields(line{}.AWS, "Timestamp")}
	if diff := cmp.Diff(want, got, ignore); diff != "" {
		t.Errorf("metric lines (-want +got):\n%s", diff)
	}

	// Spans are named by the tool only when the server ran it.
	wantSpans := []string{
		"req-1 rest tools/call echo ok", "req-2 rest tools/call boom panic", "req-3 rest tools/list  ok",
		"req-4 rest tools/call  error", "req-5 rest tools/call  rejected", "req-6 rest tools/call  ok",
		"req-7 rest tools/call echo error",
	}
	if diff := cmp.Diff(wantSpans, tracer.spans); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
	// The log line names the tool the client sent, cut to MCP's 128.
	for _, l := range logLines(t, logs.Bytes()) {
		if l["request_id"] == "req-4" {
			if tool, _ := l["tool"].(string); tool != "invented-"+strings.Repeat("é", 59)+"…" {
				t.Errorf("logged tool = %q (%d bytes), want the name cut to 128 bytes", tool, len(tool))
			}
		}
	}
}

// TestMetricsCallWithoutName checks that a tools/call naming no tool (none,
// an empty name, or one that is no string) is counted as a call the client
// got wrong, under Tool other, like a name no tool has: the go-sdk answers
// each with an error, which the Errors metric counts.
func TestMetricsCallWithoutName(t *testing.T) {
	server, _ := newHardServer(t)
	for _, params := range []string{`{}`, `{"name":""}`, `{"name":5}`, `{"name":null}`} {
		var metrics bytes.Buffer
		opts := hardOptions(new(bytes.Buffer))
		opts.Metrics = &metrics
		h := lambdamcp.NewHandler(streamable(server), opts)
		body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":` + params + `}`
		if _, ans := invokeAs(t, h, "req-noname", jsonPost(body, "MCP-Protocol-Version", legacy)); ans.Error == nil {
			t.Fatalf("params %s: answer %+v, want an error", params, ans)
		}
		var line struct {
			Tool, Outcome         string
			Calls, Errors, Faults int
		}
		if err := json.Unmarshal(metrics.Bytes(), &line); err != nil {
			t.Errorf("params %s: metric line %q: %v", params, metrics.Bytes(), err)
			continue
		}
		if line.Tool != lambdamcp.OtherTool || line.Outcome != lambdamcp.OutcomeError || line.Calls != 1 || line.Errors != 1 || line.Faults != 0 {
			t.Errorf("params %s: metric line %s, want one call under %q, an error and no fault", params, metrics.Bytes(), lambdamcp.OtherTool)
		}
	}
}

// TestBatchCannotNameTelemetry checks that a name a client invents in a
// batch (served for 2025-03-26) does not become a tool the server ran when
// another call of the batch, running alongside it, runs one: a later call
// of that name would name a metric, and a client could make one per name
// it invents.
func TestBatchCannotNameTelemetry(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	gate := make(chan struct{})
	var opened sync.Once
	// Inside lambdamcp.Middleware (added before it, so wrapped by it): the
	// invented call has been noted when it opens the gate.
	server.AddReceivingMiddleware(func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			res, err := next(ctx, method, req)
			if p, ok := req.GetParams().(*mcp.CallToolParamsRaw); ok && p.Name == "invented-batch" {
				opened.Do(func() { close(gate) })
			}
			return res, err
		}
	})
	server.AddReceivingMiddleware(lambdamcp.Middleware())
	// Outside it: the invented call is noted once the gated one runs.
	started := make(chan struct{})
	server.AddReceivingMiddleware(func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if p, ok := req.GetParams().(*mcp.CallToolParamsRaw); ok && p.Name == "invented-batch" {
				select {
				case <-started:
				case <-ctx.Done():
				}
			}
			return next(ctx, method, req)
		}
	})
	var once sync.Once
	mcp.AddTool(server, &mcp.Tool{Name: "gated"}, func(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		once.Do(func() { close(started) })
		select {
		case <-gate:
			return text("ok"), nil, nil
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	})
	var metrics bytes.Buffer
	opts := hardOptions(new(bytes.Buffer))
	opts.Metrics = &metrics
	h := lambdamcp.NewHandler(streamable(server), opts)
	body := `[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"gated","arguments":{}}},` +
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"invented-batch"}}]`
	ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req-batch"})
	out, err := h.Invoke(ctx, restEvent(t, jsonPost(body, "MCP-Protocol-Version", "2025-03-26")))
	if err != nil || !bytes.Contains(out, []byte(`\"text\":\"ok\"`)) {
		t.Fatalf("Invoke: %s, %v; want the gated tool answered", out, err)
	}
	metrics.Reset()
	invokeAs(t, h, "req-later", call("invented-batch", `{}`))
	if bytes.Contains(metrics.Bytes(), []byte("invented")) {
		t.Errorf("a tool the client invented names a metric: %s", metrics.Bytes())
	}
}

// TestMetricsBatch checks that each tool call of a batch (served for
// 2025-03-26) writes a line of its own, with its own tool, outcome and
// fault: one line for the whole batch would count one call, and put one
// call's panic on another's tool.
func TestMetricsBatch(t *testing.T) {
	saved := lambdacontext.FunctionName
	t.Cleanup(func() { lambdacontext.FunctionName = saved })
	lambdacontext.FunctionName = ""
	server, _ := newHardServer(t)
	bare := mcp.NewServer(&mcp.Implementation{Name: "bare", Version: "1"}, nil) // no lambdamcp.Middleware
	mcp.AddTool(bare, &mcp.Tool{Name: "plain"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		return text("ok"), nil, nil
	})
	type line struct {
		Tool, Outcome, RequestId string
		Calls, Errors, Faults    int
	}
	for _, tc := range []struct {
		name     string
		server   *mcp.Server
		calls    []string
		deadline time.Duration // 0: 10 s
		want     []line
	}{
		{"each call its own", server, []string{`"echo","arguments":{"bytes":1}`, `"boom","arguments":{}`, `"invented","arguments":{}`}, 0, []line{
			{Tool: "echo", Outcome: "ok", Calls: 1},
			{Tool: "boom", Outcome: "panic", Calls: 1, Errors: 1, Faults: 1},
			{Tool: lambdamcp.OtherTool, Outcome: "error", Calls: 1, Errors: 1},
		}},
		// A call still running at the deadline is measured with the
		// request, by its tool (listed in the batch), and only then.
		{"one still running", server, []string{`"echo","arguments":{"bytes":1}`, `"stubborn","arguments":{}`}, 2 * testMargin, []line{
			{Tool: "echo", Outcome: "ok", Calls: 1},
			{Tool: "stubborn", Outcome: "timeout", Calls: 1, Errors: 1, Faults: 1},
		}},
		// A call the go-sdk refuses before Middleware runs it (a name
		// that is no string) was answered with an error, as it is alone.
		{"one the go-sdk refuses", server, []string{`"echo","arguments":{"bytes":1}`, `5,"arguments":{}`}, 0, []line{
			{Tool: "echo", Outcome: "ok", Calls: 1},
			{Tool: lambdamcp.OtherTool, Outcome: "error", Calls: 1, Errors: 1},
		}},
		{"without Middleware", bare, []string{`"plain","arguments":{}`, `"plain","arguments":{}`}, 0, []line{
			{Tool: lambdamcp.OtherTool, Outcome: "ok", Calls: 1},
			{Tool: lambdamcp.OtherTool, Outcome: "ok", Calls: 1},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var metrics bytes.Buffer
			opts := hardOptions(new(bytes.Buffer))
			opts.Metrics = &metrics
			h := lambdamcp.NewHandler(streamable(tc.server), opts)
			var elems []string
			for i, c := range tc.calls {
				elems = append(elems, fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":%s}}`, i+1, c))
			}
			elems = append(elems, `{"jsonrpc":"2.0","id":99,"method":"tools/list"}`)
			invokeCase(t, h, badInputCase{req: jsonPost("["+strings.Join(elems, ",")+"]", "MCP-Protocol-Version", "2025-03-26"), deadline: tc.deadline}, shapes[0])
			var got []line
			for l := range bytes.Lines(metrics.Bytes()) {
				var v line
				if err := json.Unmarshal(l, &v); err != nil {
					t.Fatalf("metric line %q: %v", l, err)
				}
				got = append(got, v)
			}
			for i := range tc.want {
				tc.want[i].RequestId = "test-request-id"
			}
			byTool := cmpopts.SortSlices(func(a, b line) bool { return a.Tool+a.Outcome < b.Tool+b.Outcome })
			if diff := cmp.Diff(tc.want, got, byTool); diff != "" {
				t.Errorf("metric lines (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMetricsBatchRefused checks that a batch whose every call the go-sdk
// refuses before its middleware (params it cannot decode) counts each as
// the error it was answered, as one such call alone, with or without
// lambdamcp.Middleware: no call of the batch ran.
func TestMetricsBatchRefused(t *testing.T) {
	server, _ := newHardServer(t)
	bare := mcp.NewServer(&mcp.Implementation{Name: "bare", Version: "1"}, nil) // no lambdamcp.Middleware
	for name, server := range map[string]*mcp.Server{"Middleware": server, "without Middleware": bare} {
		var metrics bytes.Buffer
		opts := hardOptions(new(bytes.Buffer))
		opts.Metrics = &metrics
		h := lambdamcp.NewHandler(streamable(server), opts)
		body := `[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":5}},` +
			`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":7}]`
		invokeCase(t, h, badInputCase{req: jsonPost(body, "MCP-Protocol-Version", "2025-03-26")}, shapes[0])
		var outcomes []string
		for l := range bytes.Lines(metrics.Bytes()) {
			var v struct{ Tool, Outcome string }
			if err := json.Unmarshal(l, &v); err != nil {
				t.Fatalf("%s: metric line %q: %v", name, l, err)
			}
			outcomes = append(outcomes, v.Tool+" "+v.Outcome)
		}
		if want := []string{"other error", "other error"}; !slices.Equal(outcomes, want) {
			t.Errorf("%s: metric lines %q, want %q", name, outcomes, want)
		}
	}
}

// TestClientCannotNameTelemetry checks that what a client invents names
// no metric and no span, and is logged bounded: a method no server serves,
// a long one, an Mcp-Method header (a header value, never logged), and
// tools a middleware of the server's refuses before the go-sdk does.
func TestClientCannotNameTelemetry(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	// A middleware of the server's that refuses tools by name, inside
	// lambdamcp.Middleware (added before it, so wrapped by it): its error
	// is no sign that the tool ran.
	server.AddReceivingMiddleware(func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if p, ok := req.GetParams().(*mcp.CallToolParamsRaw); ok && strings.HasPrefix(p.Name, "invented") {
				return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "not allowed"}
			}
			return next(ctx, method, req)
		}
	})
	server.AddReceivingMiddleware(lambdamcp.Middleware())
	mcp.AddTool(server, &mcp.Tool{Name: "echo"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		return text("ok"), nil, nil
	})
	var logs, metrics lockedBuffer
	opts := hardOptions(new(bytes.Buffer))
	opts.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	opts.Metrics = &metrics
	tracer := &recordingTracer{}
	opts.Tracer = tracer
	h := lambdamcp.NewHandler(streamable(server), opts)
	long := "invented/" + strings.Repeat("x", 1000)
	invokeAs(t, h, "req-1", jsonPost(`{"jsonrpc":"2.0","id":1,"method":"`+long+`"}`, "MCP-Protocol-Version", legacy))
	invokeAs(t, h, "req-2", withHeader(jsonPost(`not json`, "MCP-Protocol-Version", legacy), "Mcp-Method", "s3cr3t-header-value"))
	invokeAs(t, h, "req-3", call("invented-a", `{}`))
	invokeAs(t, h, "req-4", call("invented-b", `{}`))
	invokeAs(t, h, "req-5", call("echo", `{}`))

	wantSpans := []string{"req-1 rest   error", "req-2 rest   rejected", "req-3 rest tools/call  error", "req-4 rest tools/call  error", "req-5 rest tools/call echo ok"}
	if diff := cmp.Diff(wantSpans, tracer.spans); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
	if strings.Contains(string(logs.Bytes()), "s3cr3t") {
		t.Errorf("a header value was logged:\n%s", logs.Bytes())
	}
	for _, l := range logLines(t, logs.Bytes()) {
		if m, _ := l["mcp_method"].(string); len(m) > 128+len("…") {
			t.Errorf("mcp_method logged with %d bytes", len(m))
		}
	}
	for l := range bytes.Lines(metrics.Bytes()) {
		if bytes.Contains(l, []byte("invented")) {
			t.Errorf("a tool the client invented names a metric: %s", l)
		}
	}
}

// recordingTracer is a Tracer that keeps what it saw.
type recordingTracer struct {
	mu    sync.Mutex
	spans []string
}

type spanKey struct{}

func (tr *recordingTracer) Start(ctx context.Context, info lambdamcp.RequestInfo) (context.Context, func(lambdamcp.RequestResult)) {
	ctx = context.WithValue(ctx, spanKey{}, info.RequestID)
	return ctx, func(r lambdamcp.RequestResult) {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		tr.spans = append(tr.spans, info.RequestID+" "+string(info.Shape)+" "+r.MCPMethod+" "+r.Tool+" "+r.Outcome)
	}
}

// TestTracer checks that the tracing hook sees each request start and end,
// and that its context reaches the tool.
func TestTracer(t *testing.T) {
	s := mcp.NewServer(&mcp.Implementation{Name: "trace", Version: "1"}, nil)
	s.AddReceivingMiddleware(lambdamcp.Middleware())
	var inTool any
	mcp.AddTool(s, &mcp.Tool{Name: "echo"}, func(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		inTool = ctx.Value(spanKey{})
		return text("ok"), nil, nil
	})
	tr := &recordingTracer{}
	h := lambdamcp.NewHandler(streamable(s), &lambdamcp.Options{JSONResponse: true, Tracer: tr})
	invokeAs(t, h, "req-t", call("echo", `{}`))
	if diff := cmp.Diff([]string{"req-t rest tools/call echo ok"}, tr.spans); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
	if inTool != "req-t" {
		t.Errorf("tool saw span %v, want the request's", inTool)
	}
}

// dueTracer is a Tracer that keeps the deadline it was told.
type dueTracer struct{ due time.Time }

func (tr *dueTracer) Start(ctx context.Context, info lambdamcp.RequestInfo) (context.Context, func(lambdamcp.RequestResult)) {
	tr.due = info.Deadline
	return ctx, func(lambdamcp.RequestResult) {}
}

// TestGatewayTimeout checks which deadline the request gets: API Gateway's
// 29 s from the time the gateway received the request, for REST and HTTP
// API events, when it comes before the invocation's; the invocation's for
// Function URLs and ALBs, which have no such timeout. A tracer is told
// that deadline itself (RequestInfo.Deadline), the time its work at the
// end of the request has, which the request's context ends before.
func TestGatewayTimeout(t *testing.T) {
	received := time.Now().Add(-28 * time.Second).Truncate(time.Millisecond)
	tests := []struct {
		shape string
		event func(t *testing.T) []byte
		want  time.Duration // after received
	}{
		{"rest", func(t *testing.T) []byte { return restEventAt(t, call("echo", `{}`), received) }, lambdamcp.DefaultGatewayTimeout},
		{"http", func(t *testing.T) []byte {
			var ev map[string]any
			json.Unmarshal(httpAPIEvent(t, call("echo", `{}`)), &ev)
			ev["requestContext"].(map[string]any)["timeEpoch"] = received.UnixMilli()
			return mustJSON(t, ev)
		}, lambdamcp.DefaultGatewayTimeout},
		{"url", func(t *testing.T) []byte { return urlEvent(t, call("echo", `{}`)) }, 0},
		{"alb", func(t *testing.T) []byte { return albEvent(t, call("echo", `{}`)) }, 0},
	}
	invocationDeadline := time.Now().Add(10 * time.Second)
	for _, tc := range tests {
		t.Run(tc.shape, func(t *testing.T) {
			got := deadlineSeen(t, nil, tc.event(t), invocationDeadline)
			want := invocationDeadline
			if tc.want != 0 {
				want = received.Add(tc.want)
			}
			tr := &dueTracer{}
			deadlineSeen(t, &lambdamcp.Options{Tracer: tr}, tc.event(t), invocationDeadline)
			if !tr.due.Equal(want) {
				t.Errorf("RequestInfo.Deadline = %v, want %v", tr.due, want)
			}
			want = want.Add(-lambdamcp.DefaultDeadlineMargin / 2)
			if !got.Equal(want) {
				t.Errorf("request deadline = %v, want %v", got, want)
			}
		})
	}
}

// TestStreamedDeadline checks that a tracer is told the invocation's
// deadline for a streamed request, which is when its stream must end: a
// streamed REST response is not bounded by API Gateway's integration
// timeout, however long ago the gateway received it.
func TestStreamedDeadline(t *testing.T) {
	received := time.Now().Add(-28 * time.Second).Truncate(time.Millisecond)
	tests := []struct {
		shape string
		event []byte
	}{
		{"url", urlEvent(t, call("echo", `{}`))},
		{"rest", restEventAt(t, call("echo", `{}`), received)},
	}
	for _, tc := range tests {
		t.Run(tc.shape, func(t *testing.T) {
			tr := &dueTracer{}
			h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }),
				&lambdamcp.Options{Tracer: tr, Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}})
			invocation := time.Now().Add(10 * time.Second)
			ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req-due"})
			ctx, cancel := context.WithDeadline(ctx, invocation)
			defer cancel()
			out, err := h.InvokeStream(ctx, tc.event)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadAll(out); err != nil {
				t.Fatal(err)
			}
			if !tr.due.Equal(invocation) {
				t.Errorf("RequestInfo.Deadline = %v, want the invocation's, %v", tr.due, invocation)
			}
		})
	}
}

// TestTrailingSlash checks that the reference server serves /mcp/ as /mcp
// rather than redirecting (redirects break POSTs in several clients).
func TestTrailingSlash(t *testing.T) {
	h := newDemoHandler()
	for _, shape := range shapes {
		t.Run(shape.name, func(t *testing.T) {
			req := jsonPost(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`, "MCP-Protocol-Version", legacy)
			req.path = "/mcp/"
			resp := invoke(t, h, shape.build(t, req))
			var a rpcAnswer
			if err := json.Unmarshal(resp.body(t), &a); resp.StatusCode != 200 || err != nil || a.Result == nil {
				t.Errorf("POST /mcp/ = %d %s, want a result", resp.StatusCode, resp.body(t))
			}
		})
	}
}

// TestJSONResponseMismatch checks that Options.JSONResponse set over a
// handler that streams is told to the operator: the client that accepted
// only JSON got text/event-stream, and only then.
func TestJSONResponseMismatch(t *testing.T) {
	server, _ := newHardServer(t)
	sse := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, &mcp.StreamableHTTPOptions{Stateless: true})
	var logs bytes.Buffer
	h := lambdamcp.NewHandler(sse, hardOptions(&logs))
	resp, err := h.Invoke(invokeCtx(t), restEvent(t, withHeader(call("echo", `{"bytes":1}`), "Accept", "application/json")))
	if err != nil {
		t.Fatal(err)
	}
	var r lambdaResponse
	json.Unmarshal(resp, &r)
	if got := r.header("Content-Type"); got != "text/event-stream" {
		t.Fatalf("Content-Type = %q; the test needs a streaming handler", got)
	}
	lines := logLines(t, logs.Bytes())
	if len(lines) != 2 || lines[1]["level"] != "WARN" || !strings.Contains(lines[1]["msg"].(string), "StreamableHTTPOptions.JSONResponse") {
		t.Errorf("log = %v, want a warning naming StreamableHTTPOptions.JSONResponse", lines)
	}

	// A client that sends no Accept admits an event stream: no warning.
	logs.Reset()
	noAccept := call("echo", `{"bytes":1}`)
	delete(noAccept.header, "Accept")
	resp, err = h.Invoke(invokeCtx(t), urlEvent(t, noAccept))
	if err != nil {
		t.Fatal(err)
	}
	r = lambdaResponse{}
	json.Unmarshal(resp, &r)
	if got := r.header("Content-Type"); r.StatusCode != 200 || got != "text/event-stream" {
		t.Errorf("answer %d %q, want 200 text/event-stream", r.StatusCode, got)
	}
	if lines := logLines(t, logs.Bytes()); len(lines) != 1 || lines[0]["level"] != "INFO" {
		t.Errorf("log = %v, want the request line alone", lines)
	}

	// A handler that answers JSON, as the option says: no warning.
	logs.Reset()
	resp, err = lambdamcp.NewHandler(streamable(server), hardOptions(&logs)).Invoke(invokeCtx(t), urlEvent(t, withHeader(call("echo", `{"bytes":1}`), "Accept", "application/json")))
	if err != nil {
		t.Fatal(err)
	}
	r = lambdaResponse{}
	json.Unmarshal(resp, &r)
	if got := r.header("Content-Type"); r.StatusCode != 200 || got != "application/json" {
		t.Errorf("answer %d %q, want 200 application/json", r.StatusCode, got)
	}
	if lines := logLines(t, logs.Bytes()); len(lines) != 1 || lines[0]["level"] != "INFO" {
		t.Errorf("log = %v, want the request line alone", lines)
	}
}

// TestStreamedRequestLogged checks the log line and the panic answer of a
// streamed invocation: the guard logs it as it logs a buffered one, marked
// streamed, and a tool's panic ends the stream with an internal error.
func TestStreamedRequestLogged(t *testing.T) {
	server, _ := newHardServer(t)
	var logs bytes.Buffer
	opts := hardOptions(&logs)
	opts.Stream = []lambdamcp.Shape{lambdamcp.ShapeURL}
	h := lambdamcp.NewHandler(sseHandler(server), opts)
	for _, tool := range []string{"echo", "boom"} {
		args := `{"bytes":1}`
		if tool == "boom" {
			args = `{}`
		}
		out, err := h.InvokeStream(streamCtx(t, time.Minute), urlEvent(t, call(tool, args)))
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(out)
		if err != nil {
			t.Fatal(err)
		}
		if tool == "boom" && !strings.Contains(string(b), `"code":-32603`) {
			t.Errorf("streamed answer to a panicking tool = %q, want an internal error", b)
		}
	}
	lines := logLines(t, logs.Bytes())
	if len(lines) != 2 {
		t.Fatalf("got %d log lines, want 2:\n%s", len(lines), logs.String())
	}
	for i, want := range []map[string]any{
		{"streamed": true, "shape": "url", "tool": "echo", "outcome": "ok", "request_id": "stream-request-id"},
		{"streamed": true, "shape": "url", "tool": "boom", "outcome": "panic", "level": "ERROR"},
	} {
		for k, v := range want {
			if lines[i][k] != v {
				t.Errorf("line %d: %s = %v, want %v (%v)", i, k, lines[i][k], v, lines[i])
			}
		}
	}
}

// lockedBuffer is a bytes.Buffer that a late handler and the test may use
// at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}

// TestNilToolListed checks that a tools/list result holding a nil tool (a
// server middleware's doing) is answered as the go-sdk answers it, not
// turned into an internal error by Middleware reading the names.
func TestNilToolListed(t *testing.T) {
	s := mcp.NewServer(&mcp.Implementation{Name: "nil", Version: "1"}, nil)
	s.AddReceivingMiddleware(lambdamcp.Middleware(), func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			res, err := next(ctx, method, req)
			if lr, ok := res.(*mcp.ListToolsResult); ok {
				lr.Tools = append(lr.Tools, nil)
			}
			return res, err
		}
	})
	mcp.AddTool(s, &mcp.Tool{Name: "one"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		return text("ok"), nil, nil
	})
	resp := invoke(t, lambdamcp.NewHandler(streamable(s), hardOptions(new(bytes.Buffer))),
		restEvent(t, jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, "MCP-Protocol-Version", legacy)))
	if body := string(resp.body(t)); resp.StatusCode != 200 || !strings.Contains(body, `"one"`) {
		t.Errorf("answer %d %s; want the list", resp.StatusCode, body)
	}
}

// TestTimeoutNamesKnownTool checks that a call whose tool does not answer
// in time is measured under the tool's name when the server has run that
// tool before, or listed it, in the execution environment, and under
// "other" when it has not: the guard answers before the server says
// whether the tool exists, and a server's middleware may hold a call of a
// name the client invented until the deadline too.
func TestTimeoutNamesKnownTool(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() {
		close(release)
		awaitNoInvocations(t) // the stuck tools' handlers end now
	})
	s := mcp.NewServer(&mcp.Implementation{Name: "nap", Version: "1"}, nil)
	s.AddReceivingMiddleware(lambdamcp.Middleware(), func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if p, ok := req.GetParams().(*mcp.CallToolParamsRaw); ok && p.Name == "invented" {
				<-ctx.Done() // a check of the server's own that waits (a remote policy, a limiter)
				return nil, ctx.Err()
			}
			return next(ctx, method, req)
		}
	})
	type napArgs struct {
		Stuck bool `json:"stuck,omitempty"`
	}
	for _, name := range []string{"nap", "fresh", "listed"} {
		mcp.AddTool(s, &mcp.Tool{Name: name}, func(_ context.Context, _ *mcp.CallToolRequest, in napArgs) (*mcp.CallToolResult, any, error) {
			if in.Stuck {
				<-release // ignores its context
			}
			return text("rested"), nil, nil
		})
	}
	var metrics lockedBuffer
	opts := hardOptions(new(bytes.Buffer))
	opts.Metrics = &metrics
	opts.DeadlineMargin = 9*time.Second + 800*time.Millisecond // the guard answers 100 ms into a 5 s invocation
	h := lambdamcp.NewHandler(streamable(s), opts)
	invoke := func(req httpRequest, timeout time.Duration) {
		t.Helper()
		ctx, cancel := context.WithTimeout(lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req"}), timeout)
		defer cancel()
		if _, err := h.Invoke(ctx, restEvent(t, req)); err != nil {
			t.Fatal(err)
		}
	}
	invoke(call("nap", `{}`), time.Minute)
	invoke(call("nap", `{"stuck":true}`), 5*time.Second)
	invoke(call("fresh", `{"stuck":true}`), 5*time.Second)
	invoke(call("invented", `{}`), 5*time.Second)
	invoke(jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, "MCP-Protocol-Version", legacy), time.Minute)
	invoke(call("listed", `{"stuck":true}`), 5*time.Second)
	invoke(call("invented", `{}`), 5*time.Second)
	var got []string
	for l := range bytes.Lines(metrics.Bytes()) {
		var m struct{ Tool, Outcome string }
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatal(err)
		}
		got = append(got, m.Tool+" "+m.Outcome)
	}
	want := []string{"nap ok", "nap timeout", lambdamcp.OtherTool + " timeout", lambdamcp.OtherTool + " timeout", "listed timeout", lambdamcp.OtherTool + " timeout"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
}

// TestStreamEndLoggedAtOnce checks that a streamed request whose stream
// ends while its tool, ignoring its context, still runs (the go-sdk waits
// for it) is logged, measured and traced by the time the invocation ends
// (the runtime read the end of the stream, or closed it), and not again
// when the tool returns.
func TestStreamEndLoggedAtOnce(t *testing.T) {
	for _, tc := range []struct{ name, outcome string }{{"deadline", "timeout"}, {"client gone", "cancelled"}} {
		t.Run(tc.name, func(t *testing.T) {
			started, release, returned := make(chan struct{}), make(chan struct{}), make(chan struct{})
			s := mcp.NewServer(&mcp.Implementation{Name: "stubborn", Version: "1"}, nil)
			s.AddReceivingMiddleware(lambdamcp.Middleware(), lambdamcp.StreamMiddleware)
			mcp.AddTool(s, &mcp.Tool{Name: "stubborn"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
				close(started)
				<-release // ignores its context
				return text("late"), nil, nil
			})
			sdk := sseHandler(s)
			handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				defer close(returned)
				sdk.ServeHTTP(w, r)
			})
			var logs, metrics lockedBuffer
			tracer := &recordingTracer{}
			opts := &lambdamcp.Options{
				Stream:  []lambdamcp.Shape{lambdamcp.ShapeURL},
				Logger:  slog.New(slog.NewJSONHandler(&logs, nil)),
				Metrics: &metrics,
				Tracer:  tracer,
			}
			ctx := streamCtx(t, time.Minute)
			if tc.outcome == "timeout" {
				// The deadline is 5 s away; the stream ends at half the
				// margin before it, 100 ms from now.
				opts.DeadlineMargin = 9*time.Second + 800*time.Millisecond
				ctx = streamCtx(t, 5*time.Second)
			} else {
				opts.Heartbeat = 20 * time.Millisecond // sends the head before the tool answers
			}
			h := lambdamcp.NewHandler(handler, opts)

			begin := time.Now()
			out, err := h.InvokeStream(ctx, urlEvent(t, call("stubborn", `{}`)))
			if err != nil {
				t.Fatal(err)
			}
			var body []byte
			if tc.outcome == "timeout" {
				body, err = io.ReadAll(out) // to the end of the stream: the invocation is over
				if err != nil {
					t.Fatal(err)
				}
			} else {
				<-started
				out.(io.Closer).Close() // the runtime closes the stream: the invocation is over
			}
			took := time.Since(begin)
			select {
			case <-returned:
				t.Fatal("the handler returned before its tool was released")
			default:
			}
			if tc.outcome == "timeout" && !strings.Contains(string(body), `"code":-32001`) {
				t.Errorf("streamed answer = %q, want a -32001 error", body)
			}

			check := func(when string) {
				t.Helper()
				lines := logLines(t, logs.Bytes())
				if len(lines) != 1 {
					t.Fatalf("%s: got %d log lines, want 1:\n%s", when, len(lines), logs.Bytes())
				}
				l := lines[0]
				if l["outcome"] != tc.outcome || l["tool"] != "stubborn" || l["streamed"] != true {
					t.Errorf("%s: log line %v, want outcome %q for the streamed call of stubborn", when, l, tc.outcome)
				}
				if d, _ := l["duration_ms"].(float64); d <= 0 || d > float64(took.Microseconds())/1000 {
					t.Errorf("%s: duration_ms = %v, want the time until the stream ended (at most %v)", when, l["duration_ms"], took)
				}
				// A timeout is the server's fault; a client gone is not.
				fault := map[string]string{"timeout": `"Faults":1`, "cancelled": `"Faults":0`}[tc.outcome]
				if m := bytes.Count(metrics.Bytes(), []byte("\n")); m != 1 || !bytes.Contains(metrics.Bytes(), []byte(`"Outcome":"`+tc.outcome+`"`)) ||
					!bytes.Contains(metrics.Bytes(), []byte(fault)) {
					t.Errorf("%s: metric lines:\n%s\nwant one with outcome %q and %s", when, metrics.Bytes(), tc.outcome, fault)
				}
				tracer.mu.Lock()
				spans := slices.Clone(tracer.spans)
				tracer.mu.Unlock()
				if len(spans) != 1 || !strings.HasSuffix(spans[0], " "+tc.outcome) {
					t.Errorf("%s: spans = %q, want one ended with outcome %q", when, spans, tc.outcome)
				}
			}
			check("when the invocation ended")
			close(release)
			<-returned
			check("after the tool returned")
		})
	}
}

// TestPanickingCheckOrigin checks that a panic in Options.CheckOrigin, the
// server's own code run on the guard's goroutine, is answered as a
// handler's panic is (500, -32603, JSON), and still logged and traced.
func TestPanickingCheckOrigin(t *testing.T) {
	server, _ := newHardServer(t)
	var logs lockedBuffer
	opts := hardOptions(new(bytes.Buffer))
	opts.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	tracer := &recordingTracer{}
	opts.Tracer = tracer
	opts.CheckOrigin = func(*http.Request) bool { panic("the origin list broke") }
	w := serveLocally(lambdamcp.Guard(streamable(server), opts), withHeader(call("echo", `{"bytes":1}`), "Origin", "https://a.example"), nil)
	if w.Code != 500 || !strings.Contains(w.Body.String(), `"code":-32603`) || strings.Contains(w.Body.String(), "origin list") {
		t.Errorf("answer %d %s, want 500 with -32603 and no panic value", w.Code, w.Body)
	}
	if len(tracer.spans) != 1 || !strings.HasSuffix(tracer.spans[0], " panic") {
		t.Errorf("spans %q, want one ended as a panic", tracer.spans)
	}
	if !bytes.Contains(logs.Bytes(), []byte(`"outcome":"panic"`)) {
		t.Errorf("log %s, want the request logged as a panic", logs.Bytes())
	}
}

// resultTracer keeps the last RequestResult it was given.
type resultTracer struct {
	mu   sync.Mutex
	last lambdamcp.RequestResult
}

func (tr *resultTracer) Start(ctx context.Context, _ lambdamcp.RequestInfo) (context.Context, func(lambdamcp.RequestResult)) {
	return ctx, func(r lambdamcp.RequestResult) {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		tr.last = r
	}
}

// TestTracerResult checks what a span learns of the JSON-RPC answer
// through the event path: the request's id and protocol version, the error
// code of lambdamcp's own answers (a timeout, a panic, a refusal), the tool
// or prompt the server served, and a resource method's URI.
func TestTracerResult(t *testing.T) {
	s, hs := newHardServer(t)
	// In an invocation meant to time out, tool calls end tracerTimeoutAfter
	// in and the guard answers a second later (half the margin), by when a
	// call has reached Middleware however loaded the machine. Any other
	// invocation lasts a minute: an answer due at once is never late.
	const (
		tracerMargin       = 2 * time.Second
		tracerTimeoutAfter = 200 * time.Millisecond
	)
	tests := []struct {
		name    string
		req     httpRequest
		timeout bool // the invocation ends tracerTimeoutAfter past the margin
		want    lambdamcp.RequestResult
	}{
		{"answered", call("echo", `{"bytes":1}`), false, lambdamcp.RequestResult{
			Status: 200, MCPMethod: "tools/call", Tool: "echo", Outcome: "ok", RPCID: "7", ProtocolVersion: legacy}},
		{"tool error", call("echo", `{}`), false, lambdamcp.RequestResult{ // bytes missing
			Status: 200, MCPMethod: "tools/call", Tool: "echo", Outcome: "error", RPCID: "7", ProtocolVersion: legacy, ToolError: true}},
		{"panic", call("boom", `{}`), false, lambdamcp.RequestResult{
			Status: 200, MCPMethod: "tools/call", Tool: "boom", Outcome: "panic", RPCID: "7", ProtocolVersion: legacy, ErrorCode: "-32603"}},
		{"timeout, answered by Middleware", call("slow", `{}`), true, lambdamcp.RequestResult{
			Status: 200, MCPMethod: "tools/call", Tool: "slow", Outcome: "timeout", RPCID: "7", ProtocolVersion: legacy, ErrorCode: "-32001"}},
		{"timeout, answered by the guard", call("stubborn", `{}`), true, lambdamcp.RequestResult{ // its tool never returned, nor was listed
			Status: 200, MCPMethod: "tools/call", Outcome: "timeout", RPCID: "7", ProtocolVersion: legacy, ErrorCode: "-32001"}},
		{"string id, refused header", withHeader(jsonPost(`{"jsonrpc":"2.0","id":"a\u00e9","method":"tools/list","params":{`+modernMeta+`}}`, "MCP-Protocol-Version", modern),
			"Mcp-Method", "tools/list", "mcp-method", "ping"), false, lambdamcp.RequestResult{ // given twice, refused from 2026-07-28
			Status: 400, MCPMethod: "tools/list", Outcome: "rejected", RPCID: "a\u00e9", ProtocolVersion: modern, ErrorCode: "-32020"}},
		{"unknown method, answered 200", rpc7("foo/bar", `{}`), false, lambdamcp.RequestResult{ // the go-sdk's plain-text 400, rewritten
			Status: 200, Outcome: "error", RPCID: "7", ProtocolVersion: legacy, ErrorCode: "-32601"}},
		{"params the go-sdk cannot decode, answered 200", rpc7("tools/call", `{"name":5}`), false, lambdamcp.RequestResult{ // before Middleware
			Status: 200, MCPMethod: "tools/call", Outcome: "error", RPCID: "7", ProtocolVersion: legacy, ErrorCode: "-32602"}},
		{"2026-07-28 header the go-sdk finds at odds with the body", jsonPost(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{},`+modernMeta+`}}`,
			"MCP-Protocol-Version", modern, "Mcp-Method", "tools/call", "Mcp-Name", "boom"), false, lambdamcp.RequestResult{ // its JSON 400, held
			Status: 400, MCPMethod: "tools/call", Outcome: "rejected", RPCID: "7", ProtocolVersion: modern, ErrorCode: "-32020"}},
		{"prompt", rpc7("prompts/get", `{"name":"greeting"}`), false, lambdamcp.RequestResult{
			Status: 200, MCPMethod: "prompts/get", Prompt: "greeting", Outcome: "ok", RPCID: "7", ProtocolVersion: legacy}},
		{"unknown prompt", rpc7("prompts/get", `{"name":"nope"}`), false, lambdamcp.RequestResult{ // a name the client made up
			Status: 200, MCPMethod: "prompts/get", Outcome: "error", RPCID: "7", ProtocolVersion: legacy, ErrorCode: "-32602"}},
		{"panicking prompt", rpc7("prompts/get", `{"name":"broken"}`), false, lambdamcp.RequestResult{
			Status: 200, MCPMethod: "prompts/get", Prompt: "broken", Outcome: "panic", RPCID: "7", ProtocolVersion: legacy, ErrorCode: "-32603"}},
		{"resource", rpc7("resources/read", `{"uri":"file:///notes.txt"}`), false, lambdamcp.RequestResult{
			Status: 200, MCPMethod: "resources/read", ResourceURI: "file:///notes.txt", Outcome: "ok", RPCID: "7", ProtocolVersion: legacy}},
		{"unknown resource", rpc7("resources/read", `{"uri":"file:///missing.txt"}`), false, lambdamcp.RequestResult{
			Status: 200, MCPMethod: "resources/read", ResourceURI: "file:///missing.txt", Outcome: "error", RPCID: "7", ProtocolVersion: legacy, ErrorCode: "-32002"}},
		{"resource URI cut", rpc7("resources/read", `{"uri":"file:///`+strings.Repeat("a", 1020)+`\u00e9.txt"}`), false, lambdamcp.RequestResult{
			Status: 200, MCPMethod: "resources/read", ResourceURI: "file:///" + strings.Repeat("a", 1016) + "…", Outcome: "error", RPCID: "7", ProtocolVersion: legacy, ErrorCode: "-32002"}},
		{"resource, refused before the server", withHeader(rpc7("resources/subscribe", `{"uri":"file:///notes.txt"}`), "MCP-Protocol-Version", "2999-01-01"), false, lambdamcp.RequestResult{
			Status: 400, MCPMethod: "resources/subscribe", ResourceURI: "file:///notes.txt", Outcome: "rejected", RPCID: "7", ErrorCode: "-32022"}},
		{"uri of a method without one", rpc7("prompts/get", `{"name":"greeting","uri":"file:///notes.txt"}`), false, lambdamcp.RequestResult{
			Status: 200, MCPMethod: "prompts/get", Prompt: "greeting", Outcome: "ok", RPCID: "7", ProtocolVersion: legacy}},
		{"2025-03-26 batch, resource", jsonPost(`[{"jsonrpc":"2.0","id":7,"method":"resources/read","params":{"uri":"file:///notes.txt"}}]`, "MCP-Protocol-Version", "2025-03-26"),
			false, lambdamcp.RequestResult{Status: 200, MCPMethod: "resources/read", ResourceURI: "file:///notes.txt", Outcome: "ok", ProtocolVersion: "2025-03-26"}},
		{"2025-03-26 batch, prompt", jsonPost(`[{"jsonrpc":"2.0","id":7,"method":"prompts/get","params":{"name":"greeting"}}]`, "MCP-Protocol-Version", "2025-03-26"),
			false, lambdamcp.RequestResult{Status: 200, MCPMethod: "prompts/get", Prompt: "greeting", Outcome: "ok", ProtocolVersion: "2025-03-26"}},
		{"2025-03-26 batch, a refused log level beside an accepted one", jsonPost(`[{"jsonrpc":"2.0","id":7,"method":"logging/setLevel","params":{"level":"loud"}},{"jsonrpc":"2.0","id":8,"method":"logging/setLevel","params":{"level":"info"}}]`, "MCP-Protocol-Version", "2025-03-26"),
			false, lambdamcp.RequestResult{Status: 200, MCPMethod: "logging/setLevel", Outcome: "error", ProtocolVersion: "2025-03-26", ErrorCode: "-32602"}},
		// A batch's span names the call that failed, whose error it reports.
		{"2025-03-26 batch, a tool error beside a listing", jsonPost(`[{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{}}},{"jsonrpc":"2.0","id":8,"method":"tools/list"}]`, "MCP-Protocol-Version", "2025-03-26"),
			false, lambdamcp.RequestResult{Status: 200, MCPMethod: "tools/call", Tool: "echo", Outcome: "error", ProtocolVersion: "2025-03-26", ToolError: true}},
		{"2025-03-26 batch, an unknown tool beside a listing", jsonPost(`[{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"nope"}},{"jsonrpc":"2.0","id":8,"method":"tools/list"}]`, "MCP-Protocol-Version", "2025-03-26"),
			false, lambdamcp.RequestResult{Status: 200, MCPMethod: "tools/call", Outcome: "error", ProtocolVersion: "2025-03-26", ErrorCode: "-32602"}},
		{"2025-03-26 batch, a panic beside another tool's result", jsonPost(`[{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"boom","arguments":{}}},{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"echo","arguments":{"bytes":1}}}]`, "MCP-Protocol-Version", "2025-03-26"),
			false, lambdamcp.RequestResult{Status: 200, MCPMethod: "tools/call", Tool: "boom", Outcome: "panic", ProtocolVersion: "2025-03-26", ErrorCode: "-32603"}},
		{"2025-03-26 batch, an unknown prompt beside an answered one", jsonPost(`[{"jsonrpc":"2.0","id":7,"method":"prompts/get","params":{"name":"nope"}},{"jsonrpc":"2.0","id":8,"method":"prompts/get","params":{"name":"greeting"}}]`, "MCP-Protocol-Version", "2025-03-26"),
			false, lambdamcp.RequestResult{Status: 200, MCPMethod: "prompts/get", Outcome: "error", ProtocolVersion: "2025-03-26", ErrorCode: "-32602"}},
		// The failed call names no prompt: none is reported, not the one an
		// earlier call of the batch answered.
		{"2025-03-26 batch, a tool error after an answered prompt", jsonPost(`[{"jsonrpc":"2.0","id":7,"method":"prompts/get","params":{"name":"greeting"}},{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"echo","arguments":{}}}]`, "MCP-Protocol-Version", "2025-03-26"),
			false, lambdamcp.RequestResult{Status: 200, MCPMethod: "tools/call", Tool: "echo", Outcome: "error", ProtocolVersion: "2025-03-26", ToolError: true}},
	}
	s.AddPrompt(&mcp.Prompt{Name: "greeting"}, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		return &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: "hello"}}}}, nil
	})
	s.AddPrompt(&mcp.Prompt{Name: "broken"}, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		panic("the prompt broke")
	})
	s.AddResource(&mcp.Resource{URI: "file:///notes.txt", Name: "notes"}, func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: "file:///notes.txt", Text: "notes"}}}, nil
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := &resultTracer{}
			opts := &lambdamcp.Options{JSONResponse: true, DeadlineMargin: tracerMargin, Tracer: tr}
			h := lambdamcp.NewHandler(streamable(s), opts)
			invocation := time.Minute
			if tc.timeout {
				invocation = tracerMargin + tracerTimeoutAfter
			}
			ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req"})
			ctx, cancel := context.WithTimeout(ctx, invocation)
			defer cancel()
			if _, err := h.Invoke(ctx, restEvent(t, tc.req)); err != nil {
				t.Fatal(err)
			}
			tr.mu.Lock()
			defer tr.mu.Unlock()
			// The messages are the answers' (one says how long the
			// tool ran): each error has one, and no result does.
			if diff := cmp.Diff(tc.want, tr.last, cmpopts.IgnoreFields(lambdamcp.RequestResult{}, "ErrorMessage")); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			if (tr.last.ErrorCode != "") != (tr.last.ErrorMessage != "") {
				t.Errorf("error code %q with message %q", tr.last.ErrorCode, tr.last.ErrorMessage)
			}
		})
	}
	hs.once.Do(func() { close(hs.release) })
}

// rpc7 is a request of the 2025-11-25 era, id 7, with params.
func rpc7(method, params string) httpRequest {
	return jsonPost(`{"jsonrpc":"2.0","id":7,"method":"`+method+`","params":`+params+`}`, "MCP-Protocol-Version", legacy)
}

// TestGuardOutcomes checks outcomes the guard decides itself: a plain 500
// from a handler without Middleware is an error, counted in the metrics
// (under the default namespace); a
// local client that goes away is cancelled, not timed out; and CheckOrigin
// is asked only about requests that carry an Origin.
func TestGuardOutcomes(t *testing.T) {
	var logs, metrics lockedBuffer
	opts := &lambdamcp.Options{
		Logger:  slog.New(slog.NewJSONHandler(&logs, nil)),
		Metrics: &metrics,
		CheckOrigin: func(*http.Request) bool {
			return false // every Origin refused
		},
	}
	entered := make(chan struct{}, 1)
	h := lambdamcp.Guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/wait" {
			entered <- struct{}{}
			<-r.Context().Done()
			return
		}
		http.Error(w, "broken", http.StatusInternalServerError)
	}), opts)
	srv := httptest.NewServer(h)
	defer srv.Close()

	// No Origin: CheckOrigin is not asked, and the handler's 500 answers.
	resp, err := http.Post(srv.URL+"/mcp", "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t"}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("without Origin: %d, want the handler's 500", resp.StatusCode)
	}

	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/wait", strings.NewReader(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`))
	req.Header.Set("Content-Type", "application/json")
	go func() {
		select {
		case <-entered:
		case <-ctx.Done():
		}
		cancel()
	}()
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Error("the cancelled request was answered")
	}
	srv.Close() // waits for the guard to finish

	var outcomes []string
	for _, l := range logLines(t, logs.Bytes()) {
		outcomes = append(outcomes, fmt.Sprint(l["path"], " ", l["outcome"]))
	}
	if diff := cmp.Diff([]string{"/mcp error", "/wait cancelled"}, outcomes); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	var emf struct {
		Errors float64
		Tool   string
		AWS    struct {
			CloudWatchMetrics []struct{ Namespace string }
		} `json:"_aws"`
	}
	if err := json.Unmarshal(metrics.Bytes(), &emf); err != nil || emf.Errors != 1 || emf.Tool != lambdamcp.OtherTool {
		t.Errorf("metric line %s (%v), want one error for tool %q", metrics.Bytes(), err, lambdamcp.OtherTool)
	}
	if m := emf.AWS.CloudWatchMetrics; len(m) != 1 || m[0].Namespace != lambdamcp.DefaultMetricsNamespace {
		t.Errorf("metric line %s, want the default namespace %q", metrics.Bytes(), lambdamcp.DefaultMetricsNamespace)
	}
}

// TestMiddlewareKeepsLateSuccess checks that a call whose handler succeeds
// just as its time runs out keeps its result: only a failure then is
// answered as a timeout.
func TestMiddlewareKeepsLateSuccess(t *testing.T) {
	want := &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "made it"}}}
	handle := lambdamcp.Middleware()(func(ctx context.Context, _ string, _ mcp.Request) (mcp.Result, error) {
		<-ctx.Done()
		return want, nil
	})
	ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(10*time.Millisecond))
	defer cancel()
	res, err := handle(ctx, "tools/call", &mcp.CallToolRequest{Params: &mcp.CallToolParamsRaw{Name: "late"}})
	if err != nil || res != want {
		t.Errorf("late success answered %v, %v; want its result", res, err)
	}
}

// TestMiddlewareLogLevelWithoutHeaders checks the per-request log level on
// a transport without HTTP headers (stdio, in memory): the era is read from
// the request's _meta, and a bad level refused there too; a 2025-11-25
// request is left as it is.
func TestMiddlewareLogLevelWithoutHeaders(t *testing.T) {
	handle := lambdamcp.Middleware()(func(context.Context, string, mcp.Request) (mcp.Result, error) {
		return &mcp.CallToolResult{}, nil
	})
	call := func(meta mcp.Meta) error {
		_, err := handle(t.Context(), "tools/call", &mcp.CallToolRequest{Params: &mcp.CallToolParamsRaw{Name: "t", Meta: meta}})
		return err
	}
	err := call(mcp.Meta{"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/logLevel": "bogus"})
	var rpcErr *jsonrpc.Error
	if !errors.As(err, &rpcErr) || rpcErr.Code != jsonrpc.CodeInvalidParams {
		t.Errorf("2026-07-28, bad level: %v, want -32602", err)
	}
	if err := call(mcp.Meta{"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/logLevel": "warning"}); err != nil {
		t.Errorf("2026-07-28, good level: %v", err)
	}
	if err := call(mcp.Meta{"io.modelcontextprotocol/logLevel": "bogus"}); err != nil {
		t.Errorf("no version (2025-11-25): %v, want the call served", err)
	}
	// A notification has no answer to carry the error: it is passed on.
	notified := &mcp.InitializedRequest{Params: &mcp.InitializedParams{Meta: mcp.Meta{"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/logLevel": "bogus"}}}
	if _, err := handle(t.Context(), "notifications/initialized", notified); err != nil {
		t.Errorf("2026-07-28 notification, bad level: %v, want it passed on", err)
	}
}

// TestMiddlewareNilParams checks that Middleware takes a tools/call without
// params, as a caller of the handler chain may build one, to its handler
// rather than panicking on it.
func TestMiddlewareNilParams(t *testing.T) {
	var ran bool
	handle := lambdamcp.Middleware()(func(context.Context, string, mcp.Request) (mcp.Result, error) {
		ran = true
		return &mcp.CallToolResult{}, nil
	})
	if _, err := handle(t.Context(), "tools/call", &mcp.CallToolRequest{}); err != nil || !ran {
		t.Errorf("tools/call without params: ran %v, %v", ran, err)
	}
}

// metricFaults is the Faults of the one metric line in b.
func metricFaults(t *testing.T, b []byte) int {
	t.Helper()
	var line struct{ Errors, Faults *int }
	if err := json.Unmarshal(b, &line); err != nil || line.Faults == nil || line.Errors == nil {
		t.Fatalf("metric line %s: %v", b, err)
	}
	if *line.Faults > *line.Errors {
		t.Errorf("metric line %s: more faults than errors", b)
	}
	return *line.Faults
}

// guardedCall serves one 2025-11-25 tools/call of tool through h, with
// ctx as the request's context.
func guardedCall(ctx context.Context, h http.Handler, tool string) {
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/mcp",
		strings.NewReader(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"`+tool+`","arguments":{}}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", legacy)
	h.ServeHTTP(httptest.NewRecorder(), req)
}

// TestCancelledCallNoFault checks that a call whose client went away is no
// fault of the server's, even when its tool answers the cancellation with
// the context's error, a plain Go error the go-sdk sends with code 0.
func TestCancelledCallNoFault(t *testing.T) {
	s := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, nil)
	s.AddReceivingMiddleware(lambdamcp.Middleware())
	started := make(chan struct{}, 1)
	s.AddTool(&mcp.Tool{Name: "wait", InputSchema: json.RawMessage(`{"type":"object"}`)}, func(ctx context.Context, _ *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		started <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	})
	for range 10 {
		var metrics bytes.Buffer
		h := lambdamcp.Guard(streamable(s), &lambdamcp.Options{Metrics: &metrics, JSONResponse: true})
		ctx, cancel := context.WithCancel(t.Context())
		go func() { <-started; cancel() }()
		guardedCall(ctx, h, "wait")
		if metricFaults(t, metrics.Bytes()) != 0 {
			t.Fatalf("metric line %s: a client gone counted as a fault", metrics.Bytes())
		}
	}
}

// TestFaultsWithoutMiddleware checks that, on a server without Middleware,
// a tool's plain Go error, which the go-sdk answers with code 0, counts as
// a fault (read from the go-sdk's answer) whether or not a tracer is set.
func TestFaultsWithoutMiddleware(t *testing.T) {
	s := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, nil)
	s.AddTool(&mcp.Tool{Name: "db", InputSchema: json.RawMessage(`{"type":"object"}`)}, func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return nil, errors.New("the database is down")
	})
	for _, tracer := range []lambdamcp.Tracer{nil, &recordingTracer{}} {
		var metrics bytes.Buffer
		guardedCall(t.Context(), lambdamcp.Guard(streamable(s), &lambdamcp.Options{Metrics: &metrics, JSONResponse: true, Tracer: tracer}), "db")
		if metricFaults(t, metrics.Bytes()) != 1 {
			t.Errorf("tracer %v: metric line %s, want a fault: the error has no code", tracer != nil, metrics.Bytes())
		}
	}
}

// TestOversizedAnswerIsFault checks that an answer past MaxResponseBytes,
// replaced by a -32603 error, counts as the server's fault.
func TestOversizedAnswerIsFault(t *testing.T) {
	var metrics bytes.Buffer
	h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"` + strings.Repeat("x", 4096) + `"}]}}`))
	}), &lambdamcp.Options{Limits: lambdamcp.Limits{MaxResponseBytes: 1024}, Metrics: &metrics})
	invoke(t, h, urlEvent(t, call("echo", `{}`)))
	if metricFaults(t, metrics.Bytes()) != 1 {
		t.Errorf("metric line %s, want a fault for the -32603 answer", metrics.Bytes())
	}
}

// TestUnencodableResultAnswered checks that a tool result whose structured
// content JSON cannot hold is answered at once with -32603, a fault: the
// go-sdk fails to write it and leaves the call unanswered until the
// deadline.
func TestUnencodableResultAnswered(t *testing.T) {
	for name, res := range map[string]*mcp.CallToolResult{
		"structured content": {Content: []mcp.Content{&mcp.TextContent{Text: "x"}}, StructuredContent: map[string]any{"v": math.NaN()}},
		"invalid raw JSON":   {Content: []mcp.Content{&mcp.TextContent{Text: "x"}}, StructuredContent: json.RawMessage(`{oops`)},
		"result _meta":       {Content: []mcp.Content{&mcp.TextContent{Text: "x"}}, Meta: mcp.Meta{"v": math.Inf(1)}},
		"content _meta":      {Content: []mcp.Content{&mcp.TextContent{Text: "x", Meta: mcp.Meta{"v": math.NaN()}}}},
		"nil content":        {Content: []mcp.Content{(*mcp.TextContent)(nil)}},
		"content priority":   {Content: []mcp.Content{&mcp.TextContent{Text: "x", Annotations: &mcp.Annotations{Priority: math.NaN()}}}},
		"nested structured":  {Content: []mcp.Content{&mcp.TextContent{Text: "x"}}, StructuredContent: map[string]any{"a": []any{map[string]any{"v": math.Inf(-1)}}}},
	} {
		t.Run(name, func(t *testing.T) {
			s := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, nil)
			s.AddReceivingMiddleware(lambdamcp.Middleware())
			s.AddTool(&mcp.Tool{Name: "nan", InputSchema: json.RawMessage(`{"type":"object"}`)}, func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				return res, nil
			})
			var metrics bytes.Buffer
			h := lambdamcp.Guard(streamable(s), &lambdamcp.Options{Metrics: &metrics, JSONResponse: true})
			// Unanswered, the call would end at this deadline with a timeout error.
			ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
			defer cancel()
			req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/mcp",
				strings.NewReader(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"nan","arguments":{}}}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			req.Header.Set("MCP-Protocol-Version", legacy)
			rr := httptest.NewRecorder()
			h.ServeHTTP(rr, req)
			if rr.Code != 200 || !strings.Contains(rr.Body.String(), `{"code":-32603,"message":"the tool's result cannot be encoded as JSON"}`) {
				t.Errorf("answered %d %s, want a -32603 error", rr.Code, rr.Body.String())
			}
			if metricFaults(t, metrics.Bytes()) != 1 {
				t.Errorf("metric line %s, want a fault", metrics.Bytes())
			}
		})
	}
}

// TestResultAnswered5xxIsFault checks that a call Middleware saw answered
// with a result, which a handler between it and the client turned into a
// 500, is logged and measured as the error and fault the client got.
func TestResultAnswered5xxIsFault(t *testing.T) {
	s := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, nil)
	s.AddReceivingMiddleware(lambdamcp.Middleware())
	mcp.AddTool(s, &mcp.Tool{Name: "echo"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		return text("ok"), nil, nil
	})
	sdk := streamable(s)
	failing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sdk.ServeHTTP(httptest.NewRecorder(), r) // the result, then lost
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"jsonrpc":"2.0","id":7,"error":{"code":-32603,"message":"lost"}}`))
	})
	var metrics, logs bytes.Buffer
	guardedCall(t.Context(), lambdamcp.Guard(failing, &lambdamcp.Options{Metrics: &metrics, JSONResponse: true,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))}), "echo")
	if metricFaults(t, metrics.Bytes()) != 1 || !bytes.Contains(logs.Bytes(), []byte(`"outcome":"error"`)) {
		t.Errorf("metric line %s, log %s: want a fault and outcome error", metrics.Bytes(), logs.Bytes())
	}
}

// TestPanicValueEscaped checks that the request's line writes a panic's
// value as it writes what the client chose: a value may repeat the
// client's text, bidi controls and all.
func TestPanicValueEscaped(t *testing.T) {
	var logs bytes.Buffer
	h := lambdamcp.NewHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(fmt.Errorf("no tool named %s", "evil\u202etxt\x7f\\u202e"))
	}), hardOptions(&logs))
	invokeAs(t, h, "req-p", call("echo", `{}`))
	lines := logLines(t, logs.Bytes())
	if want := `no tool named evil\u202etxt\x7f\\u202e`; len(lines) != 1 || lines[0]["panic"] != want {
		t.Errorf("log = %v, want panic %q", lines, want)
	}
}

// panickingTracer is a Tracer whose Start, or the end it returns, panics.
type panickingTracer struct{ atStart bool }

func (tr panickingTracer) Start(ctx context.Context, _ lambdamcp.RequestInfo) (context.Context, func(lambdamcp.RequestResult)) {
	if tr.atStart {
		panic("tracer start")
	}
	return ctx, func(lambdamcp.RequestResult) { panic("tracer end") }
}

// TestPanickingTracer checks that a Tracer's panic, at the start of a
// request or at its end, costs the request its span, not its answer, and
// is logged with the request's id.
func TestPanickingTracer(t *testing.T) {
	for _, atStart := range []bool{true, false} {
		s := mcp.NewServer(&mcp.Implementation{Name: "trace", Version: "1"}, nil)
		s.AddReceivingMiddleware(lambdamcp.Middleware())
		mcp.AddTool(s, &mcp.Tool{Name: "echo"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
			return text("ok"), nil, nil
		})
		var logs bytes.Buffer
		opts := hardOptions(&logs)
		opts.Tracer = panickingTracer{atStart: atStart}
		h := lambdamcp.NewHandler(streamable(s), opts)
		resp, a := invokeAs(t, h, "req-tp", call("echo", `{}`))
		if resp.StatusCode != http.StatusOK || a.Result == nil || len(a.Result.Content) != 1 || a.Result.Content[0].Text != "ok" {
			t.Errorf("panic at start %v: status %d, answer %+v; want the tool's result", atStart, resp.StatusCode, a)
		}
		logged := false
		for _, l := range strings.Split(logs.String(), "\n") {
			logged = logged || strings.Contains(l, `"msg":"tracer panicked"`) && strings.Contains(l, "req-tp")
		}
		if !logged {
			t.Errorf("panic at start %v: the tracer's panic is not logged with the request id: %s", atStart, logs.String())
		}
	}
}

// TestOversizedResultLoggedAsError checks that a tool's result past
// MaxResponseBytes, replaced by a -32603 error, is logged and measured as
// the error the client gets, not as the result Middleware saw the tool
// return.
func TestOversizedResultLoggedAsError(t *testing.T) {
	server, _ := newHardServer(t)
	var logs, metrics bytes.Buffer
	opts := hardOptions(&logs)
	opts.Metrics = &metrics
	invoke(t, lambdamcp.NewHandler(streamable(server), opts), urlEvent(t, call("echo", fmt.Sprintf(`{"bytes":%d}`, 2*testMaxResponse))))
	lines := logLines(t, logs.Bytes())
	if len(lines) != 1 || lines[0]["outcome"] != lambdamcp.OutcomeError || lines[0]["error_code"] != float64(-32603) {
		t.Errorf("log lines:\n%s\nwant one, outcome error with error_code -32603", logs.Bytes())
	}
	if metricFaults(t, metrics.Bytes()) != 1 {
		t.Errorf("metric line %s, want a fault for the -32603 answer", metrics.Bytes())
	}
}

// TestFirstPanicLogged checks that where a tool panics and then the
// handler around the go-sdk panics too (a middleware that fails on the
// error answer), the log line tells the first panic, the cause, with its
// stack, not the one it set off.
func TestFirstPanicLogged(t *testing.T) {
	server, _ := newHardServer(t)
	sdk := streamable(server)
	var logs bytes.Buffer
	h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sdk.ServeHTTP(w, r)
		panic("the middleware broke")
	}), hardOptions(&logs))
	invoke(t, h, urlEvent(t, call("boom", `{}`)))
	lines := logLines(t, logs.Bytes())
	if len(lines) != 1 || lines[0]["outcome"] != lambdamcp.OutcomePanic || lines[0]["panic"] != "the tool broke" {
		t.Errorf("log lines\n%s\nwant one, of the tool's panic", logs.Bytes())
	}
}
