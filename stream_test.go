package lambdamcp_test

//lint:file-ignore SA1019 MCP logging, sampling and roots are deprecated as of 2026-07-28 but still served and used in the 2025-11-25 era

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/awsevents"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/serve"
)

// waitTool is a tool that reports progress and logs a line, then blocks
// until release is closed or its context ends; what ended it goes to ended.
type waitTool struct {
	release chan struct{}
	ended   chan error // buffered
}

func newWaitTool() *waitTool {
	return &waitTool{release: make(chan struct{}), ended: make(chan error, 1)}
}

func (w *waitTool) server(middleware ...mcp.Middleware) *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "stream-test", Version: "1.0.0"}, nil)
	s.AddReceivingMiddleware(middleware...)
	mcp.AddTool(s, &mcp.Tool{Name: "wait", Description: "Reports progress, then waits to be released."},
		func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
			if tok := req.Params.GetProgressToken(); tok != nil {
				req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: tok, Progress: 1, Total: 2, Message: "started"})
				req.Session.Log(ctx, &mcp.LoggingMessageParams{Level: "info", Data: "working"})
			}
			select {
			case <-w.release:
				select {
				case w.ended <- nil:
				default:
				}
				return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "released"}}}, nil, nil
			case <-ctx.Done():
				w.ended <- context.Cause(ctx)
				return nil, nil, ctx.Err()
			}
		})
	return s
}

// sseHandler is the SDK's stateless handler answering with event streams,
// as a streaming deployment runs it.
func sseHandler(s *mcp.Server) http.Handler {
	return mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s },
		&mcp.StreamableHTTPOptions{Stateless: true, PropagateRequestCancellation: true})
}

// callWait is a tools/call of wait asking for progress, in one era.
func callWait(era string) httpRequest {
	if era == legacy {
		return jsonPost(`{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"wait","arguments":{},"_meta":{"progressToken":"p1"}}}`,
			"MCP-Protocol-Version", legacy)
	}
	return jsonPost(`{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"wait","arguments":{},"_meta":{"progressToken":"p1","io.modelcontextprotocol/logLevel":"info","io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"test-client","version":"1.0.0"},"io.modelcontextprotocol/clientCapabilities":{}}}}`,
		"MCP-Protocol-Version", modern, "Mcp-Method", "tools/call", "Mcp-Name", "wait")
}

var streamShapes = []eventShape{{"url", urlEvent}, {"rest", restEvent}}

// prelude is the head of Lambda's HTTP integration response.
type prelude struct {
	StatusCode        int                 `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Cookies           []string            `json:"cookies"`
}

func (p prelude) header(name string) string {
	r := lambdaResponse{Headers: p.Headers, MultiValueHeaders: p.MultiValueHeaders}
	return r.header(name)
}

// streamReader reads a streamed invocation's response as a client of the
// Function URL or REST API would see it.
type streamReader struct {
	t   *testing.T
	r   *bufio.Reader
	raw io.Reader
}

// openStream invokes h in streaming mode and reads the prelude.
func openStream(t *testing.T, ctx context.Context, h *lambdamcp.Handler, payload []byte) (*streamReader, prelude) {
	t.Helper()
	raw, err := h.InvokeStream(ctx, payload)
	if err != nil {
		t.Fatalf("InvokeStream: %v", err)
	}
	ct, ok := raw.(interface{ ContentType() string })
	if !ok || ct.ContentType() != "application/vnd.awslambda.http-integration-response" {
		t.Fatalf("response %T is not an HTTP integration response", raw)
	}
	r := bufio.NewReader(raw)
	head, err := r.ReadBytes(0)
	if err != nil {
		t.Fatalf("reading prelude: %v", err)
	}
	for range 7 {
		if b, err := r.ReadByte(); err != nil || b != 0 {
			t.Fatalf("prelude is not followed by eight NUL bytes")
		}
	}
	var p prelude
	if err := json.Unmarshal(head[:len(head)-1], &p); err != nil {
		t.Fatalf("prelude %q: %v", head, err)
	}
	return &streamReader{t: t, r: r, raw: raw}, p
}

// sseItem is one thing read from an event stream: a comment or a message.
type sseItem struct {
	comment string
	msg     map[string]any
}

// next reads the next comment or event; ok is false at the end of the stream.
func (s *streamReader) next() (item sseItem, ok bool) {
	s.t.Helper()
	var data strings.Builder
	for {
		line, err := s.r.ReadString('\n')
		if err == io.EOF && line == "" && data.Len() == 0 {
			return sseItem{}, false
		}
		if err != nil && err != io.EOF {
			s.t.Fatalf("reading stream: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(line, ":"):
			return sseItem{comment: strings.TrimSpace(line[1:])}, true
		case strings.HasPrefix(line, "data:"):
			data.WriteString(strings.TrimSpace(line[len("data:"):]))
		case line == "" && data.Len() > 0:
			var m map[string]any
			if err := json.Unmarshal([]byte(data.String()), &m); err != nil {
				s.t.Fatalf("event data %q: %v", data.String(), err)
			}
			return sseItem{msg: m}, true
		}
		if err == io.EOF {
			s.t.Fatalf("stream ended inside an event")
		}
	}
}

// nextMessage reads the next message, skipping heartbeats.
func (s *streamReader) nextMessage() map[string]any {
	s.t.Helper()
	for {
		item, ok := s.next()
		if !ok {
			s.t.Fatal("stream ended, want another message")
		}
		if item.msg != nil {
			return item.msg
		}
	}
}

func (s *streamReader) wantEnd() {
	s.t.Helper()
	for {
		item, ok := s.next()
		if !ok {
			return
		}
		if item.msg != nil {
			s.t.Fatalf("message %v after the response, want the end of the stream", item.msg)
		}
	}
}

// kind summarises a JSON-RPC message for comparison.
func kind(m map[string]any) string {
	switch {
	case m["method"] != nil:
		return m["method"].(string)
	case m["error"] != nil:
		return "error"
	case m["result"] != nil:
		return "result"
	}
	return "?"
}

// streamCtx is the context of a streamed invocation d long; when the test
// ends it is cancelled, and the invocation's handler awaited.
func streamCtx(t *testing.T, d time.Duration) context.Context {
	ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "stream-request-id"})
	ctx, cancel := context.WithDeadline(ctx, time.Now().Add(d))
	t.Cleanup(func() {
		cancel()
		awaitNoInvocations(t) // a stream's handler may end after the stream
	})
	return ctx
}

// TestStreamDeliversEventsAsWritten proves that a streamed invocation hands
// progress and log messages to the client while the tool still runs: the
// tool only finishes after the test has read them.
func TestStreamDeliversEventsAsWritten(t *testing.T) {
	for _, shape := range streamShapes {
		for _, era := range []string{legacy, modern} {
			t.Run(shape.name+"/"+era, func(t *testing.T) {
				tool := newWaitTool()
				h := lambdamcp.NewHandler(sseHandler(tool.server()), &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}})
				s, head := openStream(t, streamCtx(t, time.Minute), h, shape.build(t, callWait(era)))
				if head.StatusCode != 200 {
					t.Errorf("status = %d, want 200", head.StatusCode)
				}
				for name, want := range map[string]string{"Content-Type": "text/event-stream", "X-Accel-Buffering": "no"} {
					if got := head.header(name); got != want {
						t.Errorf("%s = %q, want %q", name, got, want)
					}
				}

				progress := s.nextMessage()
				if diff := cmp.Diff(map[string]any{"progressToken": "p1", "progress": 1.0, "total": 2.0, "message": "started"}, progress["params"]); kind(progress) != "notifications/progress" || diff != "" {
					t.Fatalf("first message = %v, want the progress notification (-want +got params):\n%s", progress, diff)
				}
				if log := s.nextMessage(); kind(log) != "notifications/message" {
					t.Fatalf("second message = %v, want the log message", log)
				}
				select {
				case err := <-tool.ended:
					t.Fatalf("tool ended (%v) before the test released it", err)
				default:
				}
				close(tool.release) // only now may the tool finish

				resp := s.nextMessage()
				if kind(resp) != "result" || resp["id"] != 42.0 {
					t.Fatalf("last message = %v, want the result of call 42", resp)
				}
				s.wantEnd()
			})
		}
	}
}

// TestStreamEndsBeforeDeadline checks that a tool still running near the
// invocation's deadline gets its call answered with a JSON-RPC error (the
// era's code) and the stream closed, and that in the 2026-07-28 era the
// tool is cancelled.
func TestStreamEndsBeforeDeadline(t *testing.T) {
	for _, shape := range streamShapes {
		for _, era := range []string{legacy, modern} {
			t.Run(shape.name+"/"+era, func(t *testing.T) {
				tool := newWaitTool()
				defer close(tool.release)
				h := lambdamcp.NewHandler(sseHandler(tool.server()), &lambdamcp.Options{
					Stream:         []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST},
					DeadlineMargin: 6 * time.Second,
				})
				// The deadline is 5 s away; the stream ends at half the
				// margin before it, 2 s from now: time for the tool's
				// messages on a loaded machine.
				s, _ := openStream(t, streamCtx(t, 5*time.Second), h, shape.build(t, callWait(era)))
				if m := s.nextMessage(); kind(m) != "notifications/progress" {
					t.Fatalf("first message = %v, want progress", m)
				}
				s.nextMessage() // the log line
				resp := s.nextMessage()
				errObj, _ := resp["error"].(map[string]any)
				want := -32001.0 // -32603 from 2026-07-28, which asks for no -32000…-32019
				if era == modern {
					want = -32603
				}
				if kind(resp) != "error" || resp["id"] != 42.0 || errObj["code"] != want {
					t.Fatalf("last message = %v, want error %v answering call 42", resp, want)
				}
				s.wantEnd()
				if era == modern {
					// The request context is cancelled with ErrDeadlineNear;
					// the SDK tears the session down at the same moment and
					// may cancel the call first, with its own cause.
					select {
					case err := <-tool.ended:
						if !errors.Is(err, lambdamcp.ErrDeadlineNear) && !errors.Is(err, context.Canceled) {
							t.Errorf("tool ended with %v, want cancellation", err)
						}
					case <-time.After(10 * time.Second):
						t.Fatal("tool still running 10 s after its stream ended: not cancelled")
					}
				}
			})
		}
	}
}

// TestStreamDeadlineMarginOff checks that a negative DeadlineMargin, which
// Options documents as turning the deadline's answer off, leaves a stream
// to its handler: the handler answers as its context ends, at the
// invocation's deadline, and that answer is what the client reads, not
// lambdamcp's timeout error written earlier.
func TestStreamDeadlineMarginOff(t *testing.T) {
	const answer = "event: message\n" + `data: {"jsonrpc":"2.0","id":7,"result":{"content":[]}}` + "\n\n"
	for _, shape := range streamShapes {
		t.Run(shape.name, func(t *testing.T) {
			h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done()
				w.Header().Set("Content-Type", "text/event-stream")
				fmt.Fprint(w, answer)
			}), &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}, Heartbeat: -1, DeadlineMargin: -1})
			s, _ := openStream(t, streamCtx(t, 300*time.Millisecond), h, shape.build(t, call("echo", `{}`)))
			got, err := io.ReadAll(s.r)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(answer, string(got)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

// TestStreamClientGoneCancelsTool checks that closing the stream (the
// client went away) cancels a 2026-07-28 tool call.
func TestStreamClientGoneCancelsTool(t *testing.T) {
	for _, shape := range streamShapes {
		t.Run(shape.name, func(t *testing.T) {
			tool := newWaitTool()
			h := lambdamcp.NewHandler(sseHandler(tool.server()), &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}})
			s, _ := openStream(t, streamCtx(t, time.Minute), h, shape.build(t, callWait(modern)))
			if m := s.nextMessage(); kind(m) != "notifications/progress" {
				t.Fatalf("first message = %v, want progress", m)
			}
			s.raw.(io.Closer).Close()
			// As at the deadline, the SDK may reach the call with its own
			// cancellation first.
			select {
			case err := <-tool.ended:
				if !errors.Is(err, lambdamcp.ErrClientGone) && !errors.Is(err, context.Canceled) {
					t.Errorf("tool ended with %v, want cancellation", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("tool still running 10 s after the client went away: not cancelled")
			}
		})
	}
}

// TestStreamClientGoneCancelsToolWithMiddleware checks that closing the
// stream cancels a tool call of either era under lambdamcp.Middleware,
// with the cause ErrClientGone, even where the SDK cancels none: a
// 2025-11-25 call, and a handler without PropagateRequestCancellation.
func TestStreamClientGoneCancelsToolWithMiddleware(t *testing.T) {
	for _, era := range []string{legacy, modern} {
		t.Run(era, func(t *testing.T) {
			tool := newWaitTool()
			srv := tool.server(lambdamcp.Middleware())
			sdk := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{Stateless: true})
			h := lambdamcp.NewHandler(sdk, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}})
			s, _ := openStream(t, streamCtx(t, time.Minute), h, urlEvent(t, callWait(era)))
			if m := s.nextMessage(); kind(m) != "notifications/progress" {
				t.Fatalf("first message = %v, want progress", m)
			}
			s.raw.(io.Closer).Close()
			select {
			case err := <-tool.ended:
				if !errors.Is(err, lambdamcp.ErrClientGone) {
					t.Errorf("tool ended with %v, want ErrClientGone", err)
				}
			case <-time.After(10 * time.Second):
				close(tool.release)
				t.Fatal("tool still running 10 s after the client went away: not cancelled")
			}
		})
	}
}

// TestStreamHeartbeat checks that a tool that says nothing still gets its
// stream started (StreamMiddleware) and kept alive by heartbeats.
func TestStreamHeartbeat(t *testing.T) {
	tool := newWaitTool()
	h := lambdamcp.NewHandler(sseHandler(tool.server(lambdamcp.StreamMiddleware)), &lambdamcp.Options{
		Stream:    []lambdamcp.Shape{lambdamcp.ShapeURL},
		Heartbeat: 20 * time.Millisecond,
	})
	quiet := callWait(legacy)
	quiet.body = strings.Replace(quiet.body, `,"_meta":{"progressToken":"p1"}`, "", 1)
	s, head := openStream(t, streamCtx(t, time.Minute), h, urlEvent(t, quiet))
	if got := head.header("Content-Type"); got != "text/event-stream" {
		t.Fatalf("Content-Type = %q, want text/event-stream", got)
	}
	for range 2 {
		item, ok := s.next()
		if !ok || item.comment != "heartbeat" {
			t.Fatalf("got %+v, want a heartbeat comment", item)
		}
	}
	close(tool.release)
	if m := s.nextMessage(); kind(m) != "result" {
		t.Fatalf("message = %v, want the result", m)
	}
	s.wantEnd()
}

// TestReferenceServerStreamHeartbeat checks that the reference server, as
// cmd/mcp-server builds it, starts a stream and keeps it alive while ping
// waits in silence: without StreamMiddleware the head would go out with
// the answer, after a REST API's integration timeout had cut the stream.
func TestReferenceServerStreamHeartbeat(t *testing.T) {
	ping := &stubbornPing{release: make(chan struct{})}
	h := lambdamcp.NewHandler(serve.Routes(serve.Handler(demoserver.New(demoserver.Options{Sleep: ping.sleep}), nil)), &lambdamcp.Options{
		Stream:    []lambdamcp.Shape{lambdamcp.ShapeURL},
		Heartbeat: 20 * time.Millisecond,
	})
	call := jsonPost(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"ping","arguments":{"delay_ms":5000}}}`,
		"MCP-Protocol-Version", legacy)
	s, head := openStream(t, streamCtx(t, time.Minute), h, urlEvent(t, call))
	if got := head.header("Content-Type"); got != "text/event-stream" {
		t.Fatalf("Content-Type = %q, want text/event-stream", got)
	}
	for range 2 {
		if item, ok := s.next(); !ok || item.comment != "heartbeat" {
			ping.stop()
			t.Fatalf("got %+v, want a heartbeat comment while ping waits", item)
		}
	}
	ping.stop()
	if m := s.nextMessage(); kind(m) != "result" {
		t.Fatalf("message = %v, want ping's result", m)
	}
	s.wantEnd()
}

// TestStreamTinyHeartbeat checks that a heartbeat interval too short to
// halve (one nanosecond) is served, not a panic that ends the process.
func TestStreamTinyHeartbeat(t *testing.T) {
	h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "event: message\n"+`data: {"jsonrpc":"2.0","id":1,"result":{"content":[]}}`+"\n\n")
	}), &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}, Heartbeat: time.Nanosecond})
	s, _ := openStream(t, streamCtx(t, time.Minute), h, urlEvent(t, jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}`)))
	if m := s.nextMessage(); kind(m) != "result" {
		t.Fatalf("message = %v, want the result", m)
	}
	s.wantEnd()
}

// TestBufferedShapesCarryTheWholeStream checks that the same handler, on a
// shape that buffers, answers with every message in one body, in order.
func TestBufferedShapesCarryTheWholeStream(t *testing.T) {
	for _, shape := range shapes {
		for _, era := range []string{legacy, modern} {
			t.Run(shape.name+"/"+era, func(t *testing.T) {
				tool := newWaitTool()
				close(tool.release)
				h := lambdamcp.NewHandler(sseHandler(tool.server()), nil)
				resp := invoke(t, h, shape.build(t, callWait(era)))
				if got := resp.header("Content-Type"); got != "text/event-stream" {
					t.Errorf("Content-Type = %q, want text/event-stream", got)
				}
				s := &streamReader{t: t, r: bufio.NewReader(bytes.NewReader(resp.body(t)))}
				var got []string
				for item, ok := s.next(); ok; item, ok = s.next() {
					got = append(got, kind(item.msg))
				}
				if diff := cmp.Diff([]string{"notifications/progress", "notifications/message", "result"}, got); diff != "" {
					t.Errorf("messages (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestStreamOtherAnswers checks answers that are no event stream: JSON
// bodies, transport errors and shapes that cannot stream.
func TestStreamOtherAnswers(t *testing.T) {
	tool := newWaitTool()
	close(tool.release)
	jsonHandler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return tool.server() },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true})
	h := lambdamcp.NewHandler(jsonHandler, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST, lambdamcp.ShapeALB}})
	tests := []struct {
		name        string
		req         httpRequest
		status      int
		contentType string
		bodyHas     string
	}{
		{"json result", callWait(legacy), 200, "application/json", `"text":"released"`},
		{"get", httpRequest{method: "GET", path: "/mcp", header: map[string]string{"Accept": "text/event-stream"}}, 405, "application/json", `"code":-32600`},
		{"malformed", jsonPost(`{"jsonrpc":`, "MCP-Protocol-Version", legacy), 400, "application/json", `"code":-32700`},
	}
	for _, tc := range tests {
		for _, shape := range streamShapes {
			t.Run(tc.name+"/"+shape.name, func(t *testing.T) {
				s, head := openStream(t, streamCtx(t, time.Minute), h, shape.build(t, tc.req))
				body, err := io.ReadAll(s.r)
				if err != nil {
					t.Fatal(err)
				}
				if head.StatusCode != tc.status || head.header("Content-Type") != tc.contentType || !strings.Contains(string(body), tc.bodyHas) {
					t.Errorf("got %d %q %s, want %d %q with %s", head.StatusCode, head.header("Content-Type"), body, tc.status, tc.contentType, tc.bodyHas)
				}
			})
		}
	}
	t.Run("http api payload 1.0 stays buffered", func(t *testing.T) {
		// An HTTP API's payload 1.0 event is a REST one with a version;
		// HTTP APIs cannot stream, so it is answered as a buffered REST one.
		var ev map[string]any
		if err := json.Unmarshal(restEvent(t, callWait(legacy)), &ev); err != nil {
			t.Fatal(err)
		}
		ev["version"] = "1.0"
		payload := mustJSON(t, ev)
		out, err := h.InvokeStream(streamCtx(t, time.Minute), payload)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(out)
		var got lambdaResponse
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("answer is no buffered response: %v\n%q", err, b)
		}
		buffered, err := h.Invoke(streamCtx(t, time.Minute), payload)
		if err != nil {
			t.Fatal(err)
		}
		var want lambdaResponse
		if err := json.Unmarshal(buffered, &want); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("streamed invocation's answer differs from the buffered one (-want +got):\n%s", diff)
		}
		if got.StatusCode != 200 || got.MultiValueHeaders == nil || !strings.Contains(got.Body, "released") {
			t.Errorf("answer = %s, want a buffered REST response with the result", b)
		}
	})
	t.Run("alb stays buffered", func(t *testing.T) {
		out, err := h.InvokeStream(streamCtx(t, time.Minute), albEvent(t, callWait(legacy)))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(out)
		var resp lambdaResponse
		if err := json.Unmarshal(b, &resp); err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Body, "released") {
			t.Errorf("buffered ALB answer = %s (%v)", b, err)
		}
	})
}

// TestStreamBadRequest checks that an event whose request cannot be built
// (a path that is not valid percent-encoding, a body that is not the base64
// it claims to be) is answered 400 through a stream too, without the
// handler, and promptly.
func TestStreamBadRequest(t *testing.T) {
	called := make(chan struct{}, 1)
	h := lambdamcp.NewHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called <- struct{}{} }),
		&lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}})
	badBase64 := func(t *testing.T, payload []byte) []byte {
		var ev map[string]any
		if err := json.Unmarshal(payload, &ev); err != nil {
			t.Fatal(err)
		}
		ev["body"], ev["isBase64Encoded"] = "!!not base64!!", true
		return mustJSON(t, ev)
	}
	tests := []struct {
		name    string
		payload func(t *testing.T, shape eventShape) []byte
		code    string
	}{
		{"invalid path escape", func(t *testing.T, shape eventShape) []byte {
			return shape.build(t, httpRequest{method: "POST", path: "/mcp/%zz", body: "{}"})
		}, `"code":-32600`},
		{"invalid base64 body", func(t *testing.T, shape eventShape) []byte {
			return badBase64(t, shape.build(t, jsonPost(`{}`)))
		}, `"code":-32700`},
	}
	for _, tc := range tests {
		for _, shape := range streamShapes {
			t.Run(tc.name+"/"+shape.name, func(t *testing.T) {
				type answer struct {
					head prelude
					body []byte
				}
				done := make(chan answer, 1)
				go func() {
					s, head := openStream(t, streamCtx(t, time.Minute), h, tc.payload(t, shape))
					body, _ := io.ReadAll(s.r)
					done <- answer{head, body}
				}()
				select {
				case a := <-done:
					if a.head.StatusCode != http.StatusBadRequest || !strings.Contains(string(a.body), tc.code) {
						t.Errorf("got %d %s, want 400 with %s", a.head.StatusCode, a.body, tc.code)
					}
				case <-time.After(10 * time.Second):
					t.Fatal("no answer 10 s after the invocation")
				}
				select {
				case <-called:
					t.Error("the handler was called")
				default:
				}
			})
		}
	}
}

// TestStreamed checks what a handler learns about its invocation.
func TestStreamed(t *testing.T) {
	var got []bool
	probe := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, lambdamcp.Streamed(r.Context()))
	})
	h := lambdamcp.NewHandler(probe, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}})
	req := callWait(legacy)
	for _, payload := range [][]byte{urlEvent(t, req), restEvent(t, req), httpAPIEvent(t, req)} {
		r, err := h.InvokeStream(streamCtx(t, time.Minute), payload)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, r)
	}
	if _, err := h.Invoke(streamCtx(t, time.Minute), urlEvent(t, req)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]bool{true, false, false, false}, got); diff != "" {
		t.Errorf("Streamed (-want +got):\n%s", diff)
	}
}

// TestStreamListenEndsGracefully checks that a subscriptions/listen stream
// still open near the deadline is closed the way the spec asks of a server
// that ends a subscription: a successful response carrying its id, which
// the request's log line shows no error code of.
func TestStreamListenEndsGracefully(t *testing.T) {
	s := mcp.NewServer(&mcp.Implementation{Name: "listen-test", Version: "1.0.0"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "noop"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{}, nil, nil
	})
	var logs lockedBuffer
	h := lambdamcp.NewHandler(sseHandler(s), &lambdamcp.Options{
		Stream:         []lambdamcp.Shape{lambdamcp.ShapeURL},
		DeadlineMargin: 6 * time.Second, // the stream ends 2 s from now, after the acknowledgement
		Logger:         slog.New(slog.NewJSONHandler(&logs, nil)),
	})
	req := jsonPost(`{"jsonrpc":"2.0","id":7,"method":"subscriptions/listen","params":{"notifications":{"toolsListChanged":true},`+modernMeta+`}}`,
		"MCP-Protocol-Version", modern, "Mcp-Method", "subscriptions/listen")
	st, _ := openStream(t, streamCtx(t, 5*time.Second), h, urlEvent(t, req))
	ack := st.nextMessage()
	if kind(ack) != "notifications/subscriptions/acknowledged" {
		t.Fatalf("first message = %v, want the acknowledgement", ack)
	}
	end := st.nextMessage()
	want := map[string]any{"jsonrpc": "2.0", "id": 7.0, "result": map[string]any{
		"resultType": "complete", "_meta": map[string]any{"io.modelcontextprotocol/subscriptionId": 7.0},
	}}
	if diff := cmp.Diff(want, end); diff != "" {
		t.Errorf("closing message (-want +got):\n%s", diff)
	}
	st.wantEnd()
	var logged []map[string]any
	for _, l := range logLines(t, logs.Bytes()) {
		if l["msg"] == "request" {
			logged = append(logged, map[string]any{"outcome": l["outcome"], "error_code": l["error_code"]})
		}
	}
	// Its time ran out, but it ended with a result.
	wantLogged := []map[string]any{{"outcome": lambdamcp.OutcomeTimeout, "error_code": nil}}
	if diff := cmp.Diff(wantLogged, logged); diff != "" {
		t.Errorf("log lines (-want +got):\n%s", diff)
	}
}

// TestStreamHandlerPanics checks that a handler that panics, before or
// after the head went out, ends the stream with a JSON-RPC error instead of
// taking the process down; before, with status 500, as a buffered or local
// answer has it (docs/errors.md). A subscriptions/listen gets the error
// too: the successful response that closes one at the deadline would pass
// the failure for a subscription ended on purpose.
func TestStreamHandlerPanics(t *testing.T) {
	listen := jsonPost(`{"jsonrpc":"2.0","id":42,"method":"subscriptions/listen","params":{"notifications":{"toolsListChanged":true},`+modernMeta+`}}`,
		"MCP-Protocol-Version", modern, "Mcp-Method", "subscriptions/listen")
	beforeWriting := func(http.ResponseWriter, *http.Request) { panic("boom") }
	midStream := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write([]byte("event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{}}\n\n"))
		panic("boom")
	}
	tests := []struct {
		name        string
		req         httpRequest
		handler     http.HandlerFunc
		status      int
		contentType string
	}{
		{"before writing", callWait(legacy), beforeWriting, 500, "application/json"},
		{"mid-stream", callWait(legacy), midStream, 200, "text/event-stream"},
		{"listen, before writing", listen, beforeWriting, 500, "application/json"},
		{"listen, mid-stream", listen, midStream, 200, "text/event-stream"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := lambdamcp.NewHandler(tc.handler, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}, RawErrors: true})
			s, head := openStream(t, streamCtx(t, time.Minute), h, urlEvent(t, tc.req))
			if head.StatusCode != tc.status || head.header("Content-Type") != tc.contentType {
				t.Fatalf("head %d %q, want %d %q", head.StatusCode, head.header("Content-Type"), tc.status, tc.contentType)
			}
			var last map[string]any
			if tc.contentType == "application/json" {
				b, _ := io.ReadAll(s.r)
				if err := json.Unmarshal(b, &last); err != nil {
					t.Fatalf("body %q: %v", b, err)
				}
			} else {
				s.nextMessage()
				last = s.nextMessage()
				s.wantEnd()
			}
			errObj, _ := last["error"].(map[string]any)
			if last["id"] != 42.0 || errObj["code"] != -32603.0 {
				t.Errorf("answer = %v, want error -32603 for call 42", last)
			}
		})
	}
}

// TestStreamRequiresEventStreamAccept checks that Options.JSONResponse does
// not stretch to streamed invocations: their handler answers with an event
// stream, so a client that accepts JSON alone is refused with 406, where a
// buffered invocation of the same handler would be served.
func TestStreamRequiresEventStreamAccept(t *testing.T) {
	tool := newWaitTool()
	defer close(tool.release)
	h := lambdamcp.NewHandler(sseHandler(tool.server()), &lambdamcp.Options{JSONResponse: true, Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}})
	req := withHeader(jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, "MCP-Protocol-Version", legacy), "Accept", "application/json")
	s, head := openStream(t, streamCtx(t, 10*time.Second), h, urlEvent(t, req))
	io.Copy(io.Discard, s.r)
	if head.StatusCode != http.StatusNotAcceptable {
		t.Errorf("streamed, Accept: application/json alone: %d, want 406", head.StatusCode)
	}
}

// TestStreamedToolTimesOutFirst checks that on a streamed invocation a
// tool that honours its context answers its own timeout, naming itself,
// rather than the stream's generic end. (It does not tell a whole margin
// from half of one: the stream's end cancels the tool too, and Middleware
// then answers the same way.)
func TestStreamedToolTimesOutFirst(t *testing.T) {
	server, _ := newHardServer(t)
	h := lambdamcp.NewHandler(sseHandler(server), &lambdamcp.Options{
		Stream:         []lambdamcp.Shape{lambdamcp.ShapeURL},
		DeadlineMargin: time.Second,
	})
	s, _ := openStream(t, streamCtx(t, 2*time.Second), h, urlEvent(t, call("slow", `{}`)))
	var last map[string]any
	for item, ok := s.next(); ok; item, ok = s.next() {
		if item.msg != nil {
			last = item.msg
		}
	}
	errObj, _ := last["error"].(map[string]any)
	if msg, _ := errObj["message"].(string); last["id"] != 7.0 || !strings.Contains(msg, `tool "slow" timed out`) {
		t.Errorf("last message %v, want the tool's own timeout for call 7", last)
	}
}

// TestStreamHeadHasNoLength checks that a streamed answer's head carries no
// Content-Length, even when the handler set one: the body is streamed, and
// a length would let a front wait for it, or cut it.
func TestStreamHeadHasNoLength(t *testing.T) {
	h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "2")
		io.WriteString(w, `{}`)
	}), &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}})
	s, head := openStream(t, streamCtx(t, 10*time.Second), h, urlEvent(t, jsonPost(`{}`)))
	body, _ := io.ReadAll(s.r)
	if head.header("Content-Length") != "" || string(body) != `{}` {
		t.Errorf("head %v, body %q; want no Content-Length and the body", head, body)
	}
}

// TestStreamedIAMCaller checks that a streamed Function URL invocation
// hands its handler the IAM caller, as a buffered one does.
func TestStreamedIAMCaller(t *testing.T) {
	var got map[string]any
	probe := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = lambdamcp.AuthorizerContext(r.Context())
	})
	h := lambdamcp.NewHandler(probe, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}})
	r, err := h.InvokeStream(streamCtx(t, time.Minute), awsevents.Sample("lambda-urls-request.json"))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, r)
	want := map[string]any{
		"accessKey": "AKIA...", "accountId": "111122223333", "callerId": "AIDA...",
		"userArn": "arn:aws:iam::111122223333:user/example-user", "userId": "AIDA...",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AuthorizerContext (-want +got):\n%s", diff)
	}
}

// TestStreamPastDeadline checks that a streamed invocation whose deadline
// has passed when it arrives is answered as a buffered one is, status and
// body: the call's timeout error, or a notification's 504. The handler
// never answers, so that the buffered answer is the guard's.
func TestStreamPastDeadline(t *testing.T) {
	bodies := map[string]httpRequest{
		"call":         callWait(legacy),
		"modern call":  callWait(modern),
		"ping":         jsonPost(`{"jsonrpc":"2.0","id":"p","method":"ping"}`, "MCP-Protocol-Version", legacy),
		"notification": jsonPost(`{"jsonrpc":"2.0","method":"notifications/initialized"}`, "MCP-Protocol-Version", legacy),
	}
	for name, req := range bodies {
		for _, shape := range streamShapes {
			t.Run(name+"/"+shape.name, func(t *testing.T) {
				release := make(chan struct{})
				defer close(release)
				h := lambdamcp.NewHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }),
					&lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}})
				ctx := streamCtx(t, -time.Second)
				buffered, err := h.Invoke(ctx, shape.build(t, req))
				if err != nil {
					t.Fatal(err)
				}
				var want lambdaResponse
				if err := json.Unmarshal(buffered, &want); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(want.Body, "timed out") {
					t.Fatalf("buffered answer = %d %q, want the timeout error", want.StatusCode, want.Body)
				}
				s, head := openStream(t, ctx, h, shape.build(t, req))
				got, err := io.ReadAll(s.r)
				if err != nil {
					t.Errorf("the stream ended with %v", err)
				}
				if head.StatusCode != want.StatusCode || head.header("Content-Type") != "application/json" || string(got) != want.Body {
					t.Errorf("streamed answer = %d %q %q, want %d application/json %q, as buffered", head.StatusCode, head.header("Content-Type"), got, want.StatusCode, want.Body)
				}
			})
		}
	}
}

// TestStreamPastDeadlineLogged checks that the log line of a streamed
// invocation answered at once because its deadline had passed when it
// arrived says timeout, a warning, as a buffered one's does: the client
// got the timeout error, not an answer of the server's.
func TestStreamPastDeadlineLogged(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var logs bytes.Buffer
	h := lambdamcp.NewHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }),
		&lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	s, _ := openStream(t, streamCtx(t, -time.Second), h, urlEvent(t, callWait(legacy)))
	io.Copy(io.Discard, s.r)
	lines := logLines(t, logs.Bytes())
	if len(lines) != 1 || lines[0]["outcome"] != lambdamcp.OutcomeTimeout || lines[0]["level"] != "WARN" {
		t.Errorf("log lines\n%s\nwant one, a WARN of outcome timeout", logs.Bytes())
	}
}
