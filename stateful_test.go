package lambdamcp_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// openSession is the initialize that opens a stateful session.
const openSession = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}`

// waitingServer is a server behind Middleware whose tool "wait" answers
// "waited" after 100 ms, or its context's cause once that ends first.
func waitingServer() *mcp.Server {
	server := mcp.NewServer(&mcp.Implementation{Name: "stateful", Version: "1"}, nil)
	server.AddReceivingMiddleware(lambdamcp.Middleware())
	mcp.AddTool(server, &mcp.Tool{Name: "wait"}, func(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		select {
		case <-ctx.Done():
			return nil, nil, context.Cause(ctx)
		case <-time.After(100 * time.Millisecond):
		}
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "waited"}}}, nil, nil
	})
	return server
}

// TestStatefulSessionRecords checks that each request of a stateful
// session is reported as itself: the go-sdk runs every call of such a
// session on the context of the request that opened it (the initialize),
// long over when the later calls come. A call must not end at once for
// that, and its request's log line names its own caller and outcome.
func TestStatefulSessionRecords(t *testing.T) {
	server := waitingServer()
	mcp.AddTool(server, &mcp.Tool{Name: "boom"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		panic("boom")
	})
	verify := func(_ context.Context, token string, _ *http.Request) (*auth.TokenInfo, error) {
		if user, ok := strings.CutPrefix(token, "token-"); ok {
			return &auth.TokenInfo{UserID: user, Expiration: time.Now().Add(time.Hour)}, nil
		}
		return nil, auth.ErrInvalidToken
	}
	var logs bytes.Buffer
	h := lambdamcp.Guard(auth.RequireBearerToken(verify, nil)(mcp.NewStreamableHTTPHandler(
		func(*http.Request) *mcp.Server { return server }, &mcp.StreamableHTTPOptions{JSONResponse: true})),
		&lambdamcp.Options{JSONResponse: true, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	ts := httptest.NewServer(h)
	defer ts.Close()
	post := func(user, session, body string) (sessionID, answer string) {
		req, err := http.NewRequest(http.MethodPost, ts.URL, strings.NewReader(body))
		if err != nil {
			t.Error(err)
			return "", ""
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Authorization", "Bearer token-"+user)
		if session != "" {
			req.Header.Set("MCP-Protocol-Version", "2025-11-25")
			req.Header.Set("Mcp-Session-Id", session)
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Error(err)
			return "", ""
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Error(err)
		}
		return resp.Header.Get("Mcp-Session-Id"), string(b)
	}
	// Two sessions at once, each opened by one request and served by
	// others.
	var wg sync.WaitGroup
	for _, user := range []string{"alice", "bob"} {
		wg.Go(func() {
			session, _ := post(user, "", openSession)
			if session == "" {
				t.Errorf("%s: no session id", user)
				return
			}
			post(user, session, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
			if _, answer := post(user, session, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"wait","arguments":{}}}`); !strings.Contains(answer, "waited") {
				t.Errorf("%s: the call did not run to its end: %s", user, answer)
			}
			post(user, session, `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"boom","arguments":{}}}`)
		})
	}
	wg.Wait()
	type line struct{ Tool, Subject, Outcome string }
	var got []line
	for _, l := range logLines(t, logs.Bytes()) {
		if l["tool"] != nil {
			var x line
			b, _ := json.Marshal(l)
			if err := json.Unmarshal(b, &x); err != nil {
				t.Fatal(err)
			}
			got = append(got, x)
		}
	}
	slices.SortFunc(got, func(a, b line) int { return cmp.Compare(a.Subject+" "+a.Tool, b.Subject+" "+b.Tool) })
	want := []line{{"boom", "alice", "panic"}, {"wait", "alice", "ok"}, {"boom", "bob", "panic"}, {"wait", "bob", "ok"}}
	if !slices.Equal(got, want) {
		t.Errorf("tool log lines %+v, want %+v:\n%s", got, want, logs.Bytes())
	}
}

// TestStatefulSessionPanicRequestID checks that a panic in a later call of
// a stateful session answers with the request id of the invocation that
// carried the call, the one its log line has, not that of the invocation
// that opened the session.
func TestStatefulSessionPanicRequestID(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "stateful", Version: "1"}, nil)
	server.AddReceivingMiddleware(lambdamcp.Middleware())
	mcp.AddTool(server, &mcp.Tool{Name: "boom"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		panic("boom")
	})
	var logs bytes.Buffer
	h := lambdamcp.NewHandler(mcp.NewStreamableHTTPHandler(
		func(*http.Request) *mcp.Server { return server }, &mcp.StreamableHTTPOptions{JSONResponse: true}),
		&lambdamcp.Options{JSONResponse: true, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	resp, _ := invokeAs(t, h, "req-open", jsonPost(openSession))
	session := resp.header("Mcp-Session-Id")
	if session == "" {
		t.Fatal("no session id")
	}
	_, a := invokeAs(t, h, "req-boom", jsonPost(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"boom","arguments":{}}}`,
		"MCP-Protocol-Version", "2025-11-25", "Mcp-Session-Id", session))
	if a.Error == nil || a.Error.Message != "internal error (request id req-boom)" {
		t.Errorf("answer = %+v, want an internal error naming req-boom", a.Error)
	}
	lines := logLines(t, logs.Bytes())
	if l := lines[len(lines)-1]; l["request_id"] != "req-boom" || l["outcome"] != "panic" {
		t.Errorf("log line = %v, want req-boom's panic", l)
	}
}

// TestStatefulSessionStreamHead checks that StreamMiddleware starts the
// stream of the invocation that carries a later call of a stateful
// session, not that of the invocation that opened the session (long
// over): a tool that says nothing still gets its head and heartbeats out.
// The server has StreamMiddleware alone: Middleware, outside it, would
// hand it the call's own stream.
func TestStatefulSessionStreamHead(t *testing.T) {
	tool := newWaitTool()
	server := tool.server(lambdamcp.StreamMiddleware)
	h := lambdamcp.NewHandler(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil),
		&lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}, Heartbeat: 20 * time.Millisecond})
	s, head := openStream(t, streamCtx(t, time.Minute), h, urlEvent(t, jsonPost(
		openSession)))
	s.nextMessage()
	s.wantEnd()
	session := head.header("Mcp-Session-Id")
	if session == "" {
		t.Fatal("no session id")
	}
	s, _ = openStream(t, streamCtx(t, time.Minute), h, urlEvent(t, jsonPost(`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		"MCP-Protocol-Version", legacy, "Mcp-Session-Id", session)))
	s.wantEnd()
	// The call's deadline ends a stream whose head waits for the answer.
	s, head = openStream(t, streamCtx(t, 10*time.Second), h, urlEvent(t, jsonPost(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"wait","arguments":{}}}`,
		"MCP-Protocol-Version", legacy, "Mcp-Session-Id", session)))
	if got := head.header("Content-Type"); got != "text/event-stream" {
		t.Fatalf("Content-Type = %q, want text/event-stream", got)
	}
	if item, ok := s.next(); !ok || item.comment != "heartbeat" {
		t.Fatalf("got %+v, want a heartbeat comment while the tool is silent", item)
	}
	close(tool.release)
	if m := s.nextMessage(); kind(m) != "result" {
		t.Fatalf("message = %v, want the result", m)
	}
	s.wantEnd()
}

// TestStatefulSessionRequestContext checks that a tool of a later call of
// a stateful session reads its own invocation in its context (RequestID,
// Event), not the invocation that opened the session.
func TestStatefulSessionRequestContext(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "stateful", Version: "1"}, nil)
	server.AddReceivingMiddleware(lambdamcp.Middleware())
	mcp.AddTool(server, &mcp.Tool{Name: "who"}, func(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		path := ""
		if ev, ok := lambdamcp.Event(ctx).(*events.APIGatewayProxyRequest); ok {
			path = ev.Path
		}
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: lambdamcp.RequestID(ctx) + " " + path}}}, nil, nil
	})
	h := lambdamcp.NewHandler(mcp.NewStreamableHTTPHandler(
		func(*http.Request) *mcp.Server { return server }, &mcp.StreamableHTTPOptions{JSONResponse: true}),
		&lambdamcp.Options{JSONResponse: true})
	open := jsonPost(openSession)
	open.path = "/mcp/"
	resp, _ := invokeAs(t, h, "req-open", open)
	session := resp.header("Mcp-Session-Id")
	if session == "" {
		t.Fatal("no session id")
	}
	_, a := invokeAs(t, h, "req-who", jsonPost(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"who","arguments":{}}}`,
		"MCP-Protocol-Version", "2025-11-25", "Mcp-Session-Id", session))
	if a.Result == nil || len(a.Result.Content) != 1 {
		t.Fatalf("answer = %+v, want a result", a)
	}
	if got := a.Result.Content[0].Text; got != "req-who /mcp" {
		t.Errorf("the tool read %q, want req-who's invocation (req-who /mcp)", got)
	}
}

// TestStatefulSessionTraceContext checks that a tool of a later call of a
// stateful session traces under its own invocation: the span the Tracer
// started for it, and the X-Ray trace header the Lambda runtime gave that
// invocation, not those of the invocation that opened the session (ended
// long before).
func TestStatefulSessionTraceContext(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "stateful", Version: "1"}, nil)
	server.AddReceivingMiddleware(lambdamcp.Middleware())
	mcp.AddTool(server, &mcp.Tool{Name: "trace"}, func(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		span, _ := ctx.Value(spanKey{}).(string) // recordingTracer's: the request id
		header, _ := ctx.Value("x-amzn-trace-id").(string)
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: span + ", " + header}}}, nil, nil
	})
	h := lambdamcp.NewHandler(mcp.NewStreamableHTTPHandler(
		func(*http.Request) *mcp.Server { return server }, &mcp.StreamableHTTPOptions{JSONResponse: true}),
		&lambdamcp.Options{JSONResponse: true, Tracer: &recordingTracer{}})
	invoke := func(requestID string, req httpRequest) (lambdaResponse, rpcAnswer) {
		t.Helper()
		//lint:ignore SA1029 the key aws-lambda-go hands the trace header on under
		ctx := context.WithValue(t.Context(), "x-amzn-trace-id", "Root=trace-"+requestID)
		return invokeIn(t, ctx, h, requestID, req)
	}
	resp, _ := invoke("req-open", jsonPost(openSession))
	session := resp.header("Mcp-Session-Id")
	if session == "" {
		t.Fatal("no session id")
	}
	_, a := invoke("req-trace", jsonPost(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"trace","arguments":{}}}`,
		"MCP-Protocol-Version", "2025-11-25", "Mcp-Session-Id", session))
	if a.Result == nil || len(a.Result.Content) != 1 {
		t.Fatalf("answer = %+v, want a result", a)
	}
	if got, want := a.Result.Content[0].Text, "req-trace, Root=trace-req-trace"; got != want {
		t.Errorf("the tool traced under %q, want %q", got, want)
	}
}

// TestStatefulSessionVersionRules checks that a GET or DELETE naming a
// session is held to the MCP-Protocol-Version rules a POST is: a version
// later than any the server serves, or one given twice, gets 400, as the
// transport has a server answer an invalid or unsupported version on any
// request. The go-sdk refuses only an unknown version earlier than its
// newest there, and would open the stream, or end the session, for one
// after it. A GET naming no session (a health check, say) is not an MCP
// request and is left to the handler.
func TestStatefulSessionVersionRules(t *testing.T) {
	do, session := openLocalSession(t)
	for _, tc := range []struct {
		name, method string
		header       []string
		code         int
	}{
		{"GET, a later version", http.MethodGet, []string{"MCP-Protocol-Version", "2099-01-01"}, -32022},
		{"DELETE, a later version", http.MethodDelete, []string{"MCP-Protocol-Version", "2099-01-01"}, -32022},
		{"GET, the version twice", http.MethodGet, []string{"MCP-Protocol-Version", legacy, "MCP-Protocol-Version", "2099-01-01"}, -32600},
		{"DELETE, the version twice", http.MethodDelete, []string{"MCP-Protocol-Version", "2099-01-01", "MCP-Protocol-Version", legacy}, -32600},
	} {
		header := append([]string{"Accept", "text/event-stream", "Mcp-Session-Id", session}, tc.header...)
		resp, body := do(tc.method, "/mcp", "", header...)
		if resp.StatusCode != http.StatusBadRequest || errorCode(body) != tc.code {
			t.Errorf("%s: %d %q, want 400 with code %d", tc.name, resp.StatusCode, body, tc.code)
		}
	}
	// The session outlived the refused DELETEs.
	if resp, body := do(http.MethodPost, "/mcp", `{"jsonrpc":"2.0","id":2,"method":"ping"}`, sessionHeader(session)...); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"result":{}`) {
		t.Errorf("ping after the refused DELETEs: %d %s, want the session still served", resp.StatusCode, body)
	}
	if resp, body := do(http.MethodGet, "/healthz", "", "MCP-Protocol-Version", "2099-01-01"); resp.StatusCode != http.StatusOK || body != "ok" {
		t.Errorf("GET /healthz: %d %q, want the handler's answer", resp.StatusCode, body)
	}
}

// errorCode is the code of the JSON-RPC error body is; 0 if it is none.
func errorCode(body string) int {
	var answer struct {
		Error struct{ Code int } `json:"error"`
	}
	if json.Unmarshal([]byte(body), &answer) != nil {
		return 0
	}
	return answer.Error.Code
}

// sessionHeader are the headers of a POST of the session, as header
// pairs.
func sessionHeader(session string) []string {
	return []string{"Content-Type", "application/json", "Accept", "application/json, text/event-stream",
		"MCP-Protocol-Version", legacy, "Mcp-Session-Id", session}
}

// localDo sends a request, its headers given as pairs, and returns the
// answer and its body; "" for an event stream, which it does not read.
type localDo func(method, path, body string, header ...string) (*http.Response, string)

// openLocalSession starts a stateful go-sdk handler at /mcp, beside a
// health check at /healthz, behind Guard on a local server, and opens a
// session (initialize and initialized) on it.
func openLocalSession(t *testing.T) (do localDo, session string) {
	t.Helper()
	server := mcp.NewServer(&mcp.Implementation{Name: "stateful", Version: "1"}, nil)
	sdk := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, &mcp.StreamableHTTPOptions{JSONResponse: true})
	mux := http.NewServeMux()
	mux.Handle("/mcp", sdk)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	ts := httptest.NewServer(lambdamcp.Guard(mux, nil))
	t.Cleanup(ts.Close)
	do = func(method, path, body string, header ...string) (*http.Response, string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, method, ts.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Add(header[i], header[i+1])
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusOK && resp.Header.Get("Content-Type") == "text/event-stream" {
			return resp, "" // the session's stream, opened
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(b)
	}
	resp, body := do(http.MethodPost, "/mcp", openSession, "Content-Type", "application/json", "Accept", "application/json, text/event-stream")
	session = resp.Header.Get("Mcp-Session-Id")
	if session == "" {
		t.Fatalf("initialize: %d %s, no session id", resp.StatusCode, body)
	}
	if resp, body := do(http.MethodPost, "/mcp", `{"jsonrpc":"2.0","method":"notifications/initialized"}`, sessionHeader(session)...); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("initialized: %d %s", resp.StatusCode, body)
	}
	return do, session
}

// TestStatefulSessionStreamAccept checks the Accept rules of a GET that
// opens a session's event stream, as they are a POST's: no Accept admits
// anything (RFC 9110 §12.5.1), and is served; an Accept that does not
// admit text/event-stream, q=0 included, gets 406 Not Acceptable, where
// the go-sdk answers 400 (or, for q=0, opens the stream).
func TestStatefulSessionStreamAccept(t *testing.T) {
	do, session := openLocalSession(t)
	for _, tc := range []struct {
		name   string
		accept []string
		status int
	}{
		{"application/json alone", []string{"Accept", "application/json"}, http.StatusNotAcceptable},
		{"text/event-stream;q=0", []string{"Accept", "text/event-stream;q=0"}, http.StatusNotAcceptable},
		// Last: the session has one stream at a time.
		{"no Accept", nil, http.StatusOK},
	} {
		resp, body := do(http.MethodGet, "/mcp", "", append([]string{"MCP-Protocol-Version", legacy, "Mcp-Session-Id", session}, tc.accept...)...)
		switch {
		case resp.StatusCode != tc.status:
			t.Errorf("%s: %d %q, want %d", tc.name, resp.StatusCode, body, tc.status)
		case tc.status == http.StatusOK && resp.Header.Get("Content-Type") != "text/event-stream":
			t.Errorf("%s: Content-Type %q, want the session's event stream", tc.name, resp.Header.Get("Content-Type"))
		case tc.status != http.StatusOK && (errorCode(body) != -32600 || !strings.Contains(body, "Accept must admit text/event-stream: a GET opens the session's event stream")):
			t.Errorf("%s: %q, want a -32600 error saying the GET needs text/event-stream", tc.name, body)
		}
	}
}

// TestStatefulSessionHeaderReplaced checks a later call of a stateful
// session whose request reaches the go-sdk with a header map of its own (a
// middleware between the guard and the go-sdk cloned the request): the
// call is not taken for one of the request that opened the session, over
// long before, whose end would cancel it at once.
func TestStatefulSessionHeaderReplaced(t *testing.T) {
	server := waitingServer()
	sdk := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, &mcp.StreamableHTTPOptions{JSONResponse: true})
	h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sdk.ServeHTTP(w, r.Clone(r.Context()))
	}), &lambdamcp.Options{JSONResponse: true})
	resp, _ := invokeAs(t, h, "req-open", jsonPost(openSession))
	session := resp.header("Mcp-Session-Id")
	if session == "" {
		t.Fatal("no session id")
	}
	_, a := invokeAs(t, h, "req-wait", jsonPost(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"wait","arguments":{}}}`,
		"MCP-Protocol-Version", "2025-11-25", "Mcp-Session-Id", session))
	if a.Result == nil || len(a.Result.Content) != 1 || a.Result.Content[0].Text != "waited" {
		t.Errorf("answer = %+v, want the call run to its end", a)
	}
}
