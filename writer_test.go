package lambdamcp_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// The writers lambdamcp gives a handler follow http.ResponseWriter's rules
// where a Lambda response differs from an HTTP connection.

// earlyHints answers with a 103 before its 200, as net/http allows.
var earlyHints = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Link", "</style.css>; rel=preload")
	w.WriteHeader(http.StatusEarlyHints)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, `{"ok":true}`)
})

// TestInterimStatusDropped checks that a 1xx status, which no Lambda
// response can carry, is dropped and the final status and headers sent.
func TestInterimStatusDropped(t *testing.T) {
	req := jsonPost(`{}`)
	for _, shape := range shapes {
		t.Run(shape.name, func(t *testing.T) {
			resp := invoke(t, lambdamcp.NewHandler(earlyHints, nil), shape.build(t, req))
			if resp.StatusCode != 200 || resp.header("Content-Type") != "application/json" || string(resp.body(t)) != `{"ok":true}` {
				t.Errorf("answer = %d %q %s, want 200 application/json {\"ok\":true}", resp.StatusCode, resp.header("Content-Type"), resp.body(t))
			}
		})
	}
	for _, shape := range streamShapes {
		t.Run(shape.name+"-stream", func(t *testing.T) {
			h := lambdamcp.NewHandler(earlyHints, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}})
			s, head := openStream(t, streamCtx(t, time.Minute), h, shape.build(t, req))
			body, _ := io.ReadAll(s.r)
			if head.StatusCode != 200 || head.header("Content-Type") != "application/json" || string(body) != `{"ok":true}` {
				t.Errorf("answer = %d %q %s, want 200 application/json {\"ok\":true}", head.StatusCode, head.header("Content-Type"), body)
			}
		})
	}
	t.Run("local", func(t *testing.T) {
		srv := httptest.NewServer(lambdamcp.Guard(earlyHints, nil))
		defer srv.Close()
		r, err := http.Post(srv.URL+"/mcp", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/json" || string(body) != `{"ok":true}` {
			t.Errorf("answer = %d %q %s, want 200 application/json {\"ok\":true}", r.StatusCode, r.Header.Get("Content-Type"), body)
		}
	})
}

// TestNoBodyStatus checks that a body written after 204 or 304 is refused
// with http.ErrBodyNotAllowed and not sent, as net/http does.
func TestNoBodyStatus(t *testing.T) {
	for _, status := range []int{http.StatusNoContent, http.StatusNotModified} {
		var writeErr error
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(status)
			_, writeErr = io.WriteString(w, "x")
		})
		for _, shape := range shapes {
			writeErr = nil
			resp := invoke(t, lambdamcp.NewHandler(h, nil), shape.build(t, jsonPost(`{}`)))
			if resp.StatusCode != status || len(resp.body(t)) != 0 || !errors.Is(writeErr, http.ErrBodyNotAllowed) {
				t.Errorf("%s %d: answer %d %q, Write error %v; want %d, no body, http.ErrBodyNotAllowed", shape.name, status, resp.StatusCode, resp.body(t), writeErr, status)
			}
		}
		for _, shape := range streamShapes {
			writeErr = nil
			opts := &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}}
			s, head := openStream(t, streamCtx(t, time.Minute), lambdamcp.NewHandler(h, opts), shape.build(t, jsonPost(`{}`)))
			body, _ := io.ReadAll(s.r)
			if head.StatusCode != status || len(body) != 0 || !errors.Is(writeErr, http.ErrBodyNotAllowed) {
				t.Errorf("%s-stream %d: answer %d %q, Write error %v; want %d, no body, http.ErrBodyNotAllowed", shape.name, status, head.StatusCode, body, writeErr, status)
			}
		}
	}
}

// TestHeaderWithoutWrite checks a handler that sets headers and returns
// without writing a status or a byte of body: net/http answers 200 with
// those headers (the go-sdk answers so a call it leaves unanswered, its
// Content-Type set), and so does every shape, buffered, streamed and on
// the local server.
func TestHeaderWithoutWrite(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Set", "yes")
	})
	for _, shape := range shapes {
		resp := invoke(t, lambdamcp.NewHandler(h, nil), shape.build(t, jsonPost(`{}`)))
		if resp.StatusCode != 200 || resp.header("Content-Type") != "application/json" || resp.header("X-Set") != "yes" {
			t.Errorf("%s: answer %d %v %v, want 200 with the handler's headers", shape.name, resp.StatusCode, resp.Headers, resp.MultiValueHeaders)
		}
	}
	for _, shape := range streamShapes {
		opts := &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}}
		s, head := openStream(t, streamCtx(t, time.Minute), lambdamcp.NewHandler(h, opts), shape.build(t, jsonPost(`{}`)))
		io.ReadAll(s.r)
		if head.StatusCode != 200 || head.header("Content-Type") != "application/json" || head.header("X-Set") != "yes" {
			t.Errorf("%s-stream: answer %d %v %v, want 200 with the handler's headers", shape.name, head.StatusCode, head.Headers, head.MultiValueHeaders)
		}
	}
	ts := httptest.NewServer(lambdamcp.Guard(h, nil))
	defer ts.Close()
	resp, err := ts.Client().Post(ts.URL, "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("X-Set") != "yes" {
		t.Errorf("local: answer %d %v, want 200 with the handler's headers", resp.StatusCode, resp.Header)
	}
}

// TestPanicAfterPartialAnswer checks a handler that panics after it began
// its answer: a buffered invocation still holds the answer, so it is
// replaced by the internal error; a local server's client has part of it
// already, so the connection is cut rather than the answer ended as if it
// were whole.
func TestPanicAfterPartialAnswer(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Partial", "1")
		io.WriteString(w, `{"jsonrpc":"2.0","id":7,"res`)
		panic("boom")
	})
	req := call("echo", `{}`)
	for _, shape := range shapes {
		t.Run(shape.name, func(t *testing.T) {
			resp := invoke(t, lambdamcp.NewHandler(h, nil), shape.build(t, req))
			var a rpcAnswer
			if err := json.Unmarshal(resp.body(t), &a); err != nil || resp.StatusCode != 500 || a.Error == nil || a.Error.Code != -32603 || string(a.ID) != "7" {
				t.Errorf("answer = %d %s, want 500 with an internal error for id 7", resp.StatusCode, resp.body(t))
			} else if want := "internal error (request id test-request-id)"; a.Error.Message != want {
				t.Errorf("message = %q, want %q", a.Error.Message, want)
			}
			if resp.header("X-Partial") != "" {
				t.Errorf("the broken answer's header X-Partial was kept")
			}
		})
	}
	t.Run("local", func(t *testing.T) {
		srv := httptest.NewServer(lambdamcp.Guard(h, nil))
		defer srv.Close()
		r, err := http.Post(srv.URL+"/mcp", "application/json", strings.NewReader(req.body))
		if err != nil {
			return // cut before the head: also a failure the client sees
		}
		_, err = io.ReadAll(r.Body)
		r.Body.Close()
		if err == nil {
			t.Errorf("the client read a whole %d answer from a handler that panicked halfway", r.StatusCode)
		}
	})
}

// TestJSONErrorsAfterInterimStatus checks that JSONErrors, which also runs
// on its own in front of net/http, passes a 1xx on and still gives the
// final error status a JSON body.
func TestJSONErrorsAfterInterimStatus(t *testing.T) {
	srv := httptest.NewServer(lambdamcp.JSONErrors(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusEarlyHints)
		http.Error(w, "no such thing", http.StatusNotFound)
	})))
	defer srv.Close()
	r, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	var a rpcAnswer
	if err := json.Unmarshal(body, &a); err != nil || r.StatusCode != 404 || a.Error == nil || a.Error.Message != "no such thing" {
		t.Errorf("answer = %d %s, want 404 with a JSON-RPC error", r.StatusCode, body)
	}
}

// TestAbortHandler checks a handler that panics with http.ErrAbortHandler,
// net/http's request to drop the connection: a local server drops it once
// the request is logged; a Lambda invocation, which has no connection to
// drop and whose runtime would end the process on a panic, is answered
// with the internal error, and logged, as for any panic.
func TestAbortHandler(t *testing.T) {
	abort := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })
	requestLines := func(logs []byte) (n int, outcome any) {
		for _, l := range logLines(t, logs) {
			if l["msg"] == "request" {
				n, outcome = n+1, l["outcome"]
			}
		}
		return n, outcome
	}
	req := call("echo", `{}`)
	for _, shape := range shapes {
		t.Run(shape.name, func(t *testing.T) {
			var logs lockedBuffer
			h := lambdamcp.NewHandler(abort, &lambdamcp.Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
			resp := invoke(t, h, shape.build(t, req)) // a panic here fails the test
			var a rpcAnswer
			if err := json.Unmarshal(resp.body(t), &a); err != nil || resp.StatusCode != 500 || a.Error == nil || a.Error.Code != -32603 || string(a.ID) != "7" {
				t.Errorf("answer = %d %s, want 500 with an internal error for id 7", resp.StatusCode, resp.body(t))
			}
			if n, outcome := requestLines(logs.Bytes()); n != 1 || outcome != lambdamcp.OutcomePanic {
				t.Errorf("%d request lines, outcome %v; want 1, panic:\n%s", n, outcome, logs.Bytes())
			}
		})
	}
	t.Run("url-stream", func(t *testing.T) {
		var logs lockedBuffer
		h := lambdamcp.NewHandler(abort, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
		s, head := openStream(t, streamCtx(t, time.Minute), h, urlEvent(t, req))
		body, _ := io.ReadAll(s.r)
		if !strings.Contains(string(body), `"code":-32603`) {
			t.Errorf("answer = %d %s, want the internal error", head.StatusCode, body)
		}
		if n, outcome := requestLines(logs.Bytes()); n != 1 || outcome != lambdamcp.OutcomePanic {
			t.Errorf("%d request lines, outcome %v; want 1, panic:\n%s", n, outcome, logs.Bytes())
		}
	})
	t.Run("local", func(t *testing.T) {
		var logs lockedBuffer
		srv := httptest.NewServer(lambdamcp.Guard(abort, &lambdamcp.Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))}))
		defer srv.Close()
		r, err := http.Post(srv.URL+"/mcp", "application/json", strings.NewReader(req.body))
		if err == nil {
			r.Body.Close()
			t.Errorf("the client got an answer (%d) from a handler that asked for the connection to be dropped", r.StatusCode)
		}
		if n, outcome := requestLines(logs.Bytes()); n != 1 || outcome != lambdamcp.OutcomePanic {
			t.Errorf("%d request lines, outcome %v; want 1, panic:\n%s", n, outcome, logs.Bytes())
		}
	})
}

// TestStreamLoggedStatus checks that a streamed request is logged with the
// status its client got when the stream answered without the handler: 504
// for a notification still unanswered at the deadline, 500 for a panic
// before the handler wrote anything.
func TestStreamLoggedStatus(t *testing.T) {
	notification := jsonPost(`{"jsonrpc":"2.0","method":"notifications/initialized"}`, "MCP-Protocol-Version", legacy)
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		status  int
	}{
		{"silent until the deadline", func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, 504},
		{"panic before writing", func(http.ResponseWriter, *http.Request) { panic("boom") }, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs lockedBuffer
			h := lambdamcp.NewHandler(tc.handler, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL},
				DeadlineMargin: time.Second, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
			s, head := openStream(t, streamCtx(t, 2*time.Second), h, urlEvent(t, notification))
			io.ReadAll(s.r)
			if head.StatusCode != tc.status {
				t.Errorf("client got %d, want %d", head.StatusCode, tc.status)
			}
			var logged []any
			for _, l := range logLines(t, logs.Bytes()) {
				if l["msg"] == "request" {
					logged = append(logged, l["status"])
				}
			}
			if len(logged) != 1 || logged[0] != float64(tc.status) {
				t.Errorf("logged statuses %v, want [%d]", logged, tc.status)
			}
		})
	}
}

// TestEventStreamAnsweredAtDeadline checks a buffered call answered with an
// event stream whose tool sent progress and then ignored its context past
// the deadline: the answer ends with the call's timeout error as one more
// event, as a streamed one does.
func TestEventStreamAnsweredAtDeadline(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	s := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	s.AddReceivingMiddleware(lambdamcp.Middleware())
	mcp.AddTool(s, &mcp.Tool{Name: "stuck"}, func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		req.Session.NotifyProgress(context.WithoutCancel(ctx), &mcp.ProgressNotificationParams{ProgressToken: req.Params.GetProgressToken(), Progress: 1, Total: 2})
		<-release // ignores its context
		return text("late"), nil, nil
	})
	h := lambdamcp.NewHandler(sseHandler(s), &lambdamcp.Options{DeadlineMargin: 2 * time.Second})
	req := jsonPost(`{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"stuck","arguments":{},"_meta":{"progressToken":"p1"}}}`,
		"MCP-Protocol-Version", legacy)
	resp, msgs := invokeMessages(t, h, streamCtx(t, 4*time.Second), urlEvent(t, req))
	var got []string
	for _, m := range msgs {
		got = append(got, kind(m))
	}
	last := msgs[len(msgs)-1]
	errObj, _ := last["error"].(map[string]any)
	if len(got) != 2 || last["id"] != 42.0 || errObj["code"] != -32001.0 {
		t.Errorf("%d %s answered with %v, last %v; want the progress, then error -32001 for call 42", resp.StatusCode, resp.header("Content-Type"), got, last)
	}
}

// invokeMessages invokes h with payload and returns the response and the
// JSON-RPC messages of its event-stream body; it fails the test if there
// are none.
func invokeMessages(t *testing.T, h *lambdamcp.Handler, ctx context.Context, payload []byte) (lambdaResponse, []map[string]any) {
	t.Helper()
	out, err := h.Invoke(ctx, payload)
	if err != nil {
		t.Fatal(err)
	}
	var resp lambdaResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	sr := &streamReader{t: t, r: bufio.NewReader(bytes.NewReader(resp.body(t)))}
	var msgs []map[string]any
	for item, ok := sr.next(); ok; item, ok = sr.next() {
		if item.msg != nil {
			msgs = append(msgs, item.msg)
		}
	}
	if len(msgs) == 0 {
		t.Fatalf("%d %s: no message in %q", resp.StatusCode, resp.header("Content-Type"), resp.body(t))
	}
	return resp, msgs
}

// TestStreamPanicAfterPartialAnswer checks a streamed answer that is not an
// event stream, cut short by a panic: the stream ends with an error, which
// the runtime sends as the invocation's error trailers, rather than as if
// the part were whole. So it does untyped, where the part is held for
// its type to be guessed from.
func TestStreamPanicAfterPartialAnswer(t *testing.T) {
	opts := &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}}
	for _, shape := range streamShapes {
		for _, typ := range []string{"application/json", ""} {
			h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if typ != "" {
					w.Header().Set("Content-Type", typ)
				}
				io.WriteString(w, `{"jsonrpc":"2.0","id":7,"res`)
				panic("boom")
			})
			t.Run(shape.name+"/"+typ, func(t *testing.T) {
				s, _ := openStream(t, streamCtx(t, time.Minute), lambdamcp.NewHandler(h, opts), shape.build(t, call("echo", `{}`)))
				body, err := io.ReadAll(s.r)
				if err == nil {
					t.Errorf("the stream ended cleanly after %q, a handler's answer cut short by a panic", body)
				}
				if want := `{"jsonrpc":"2.0","id":7,"res`; !strings.HasPrefix(string(body), want) {
					t.Errorf("body %q, want the part written, %q", body, want)
				}
			})
		}
		// A handler that panics before it writes anything gets the whole
		// internal error, which ends cleanly.
		t.Run(shape.name+"/before writing", func(t *testing.T) {
			early := lambdamcp.NewHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }), opts)
			s, _ := openStream(t, streamCtx(t, time.Minute), early, shape.build(t, call("echo", `{}`)))
			body, err := io.ReadAll(s.r)
			if err != nil || !strings.Contains(string(body), `"code":-32603`) {
				t.Errorf("answer %q, %v; want the whole internal error, ended cleanly", body, err)
			}
		})
	}
}

// TestOversizeResponseLogged checks that a buffered response replaced for
// its size is logged and measured as what the client gets: status 200 and
// outcome error, one line, one metric with an error.
func TestOversizeResponseLogged(t *testing.T) {
	var logs, metrics lockedBuffer
	h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"`+strings.Repeat("x", 4096)+`"}]}}`)
	}), &lambdamcp.Options{
		Limits:  lambdamcp.Limits{MaxResponseBytes: 1024},
		Logger:  slog.New(slog.NewJSONHandler(&logs, nil)),
		Metrics: &metrics,
	})
	resp := invoke(t, h, urlEvent(t, call("echo", `{}`)))
	var a rpcAnswer
	if err := json.Unmarshal(resp.body(t), &a); err != nil || resp.StatusCode != 200 || a.Error == nil || a.Error.Code != -32603 || string(a.ID) != "7" {
		t.Fatalf("answer = %d %s, want 200 with an internal error for id 7", resp.StatusCode, resp.body(t))
	}
	lines := logLines(t, logs.Bytes())
	if len(lines) != 1 || lines[0]["status"] != 200.0 || lines[0]["outcome"] != lambdamcp.OutcomeError {
		t.Errorf("log = %v, want one line with status 200, outcome error", lines)
	}
	if !strings.Contains(string(metrics.Bytes()), `"Errors":1`) {
		t.Errorf("metrics = %s, want the call counted as an error", metrics.Bytes())
	}
}

// TestStreamDeadlineWithBlockedWrite checks a stream whose reader is slower
// than its handler at the deadline (backpressure), so that a write waits
// for it: the stream ends at the deadline anyway, with an error, rather than
// after that write; the call's context ends with ErrDeadlineNear.
func TestStreamDeadlineWithBlockedWrite(t *testing.T) {
	cause := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		w.Write(bytes.Repeat([]byte(" "), 1<<20)) // waits for the reader
		<-r.Context().Done()
		cause <- context.Cause(r.Context())
	})
	var logs lockedBuffer
	// The stream ends 100 ms into a minute's invocation; a call that waited
	// for the write instead would run until the backstop, half a minute in.
	// The test waits 20 s: long, however loaded the machine, yet short of
	// the backstop.
	hd := lambdamcp.NewHandler(h, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL},
		DeadlineMargin: 2*time.Minute - 200*time.Millisecond,
		Logger:         slog.New(slog.NewJSONHandler(&logs, nil))})
	s, _ := openStream(t, streamCtx(t, time.Minute), hd, urlEvent(t, call("echo", `{}`)))
	// The reader reads nothing more until the call has ended.
	select {
	case c := <-cause:
		if !errors.Is(c, lambdamcp.ErrDeadlineNear) {
			t.Errorf("the call ended with %v, want ErrDeadlineNear", c)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the call did not end at the stream's deadline while a write waited for the reader")
	}
	if _, err := io.ReadAll(s.r); err == nil {
		t.Error("the stream ended cleanly, as if the answer were whole")
	}
	s.raw.(io.Closer).Close() // as the runtime does; returns once the request is logged
	if lines := logLines(t, logs.Bytes()); len(lines) != 1 || lines[0]["outcome"] != lambdamcp.OutcomeTimeout {
		t.Errorf("log = %v, want one line with outcome timeout", lines)
	}
}

// TestStreamDeadlineWithStalledReader checks a stream whose reader stopped
// reading while the handler is quiet (a client that stalled on a listen):
// a heartbeat, or without heartbeats the deadline's own answer, then waits
// for the reader, holding the stream. The call still ends with
// ErrDeadlineNear, and the request is logged before the invocation's
// deadline, not left for Lambda to kill unrecorded.
func TestStreamDeadlineWithStalledReader(t *testing.T) {
	for name, heartbeat := range map[string]time.Duration{"heartbeats": 40 * time.Millisecond, "no heartbeats": -1} {
		t.Run(name, func(t *testing.T) {
			cause := make(chan error, 1)
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				w.WriteHeader(200)
				w.(http.Flusher).Flush()
				<-r.Context().Done() // quiet: only heartbeats would flow
				cause <- context.Cause(r.Context())
			})
			var logs lockedBuffer
			logged := make(chan struct{})
			var once sync.Once
			// The stream ends 0.5 s into a 4 s invocation; the backstop cuts
			// it a quarter of the margin before the deadline, which leaves
			// 1.75 s for the request to be logged, however loaded the
			// machine.
			hd := lambdamcp.NewHandler(h, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL},
				Heartbeat:      heartbeat,
				DeadlineMargin: 7 * time.Second,
				Logger: slog.New(slog.NewJSONHandler(writerFunc(func(p []byte) (int, error) {
					defer once.Do(func() { close(logged) })
					return logs.Write(p)
				}), nil))})
			deadline := time.Now().Add(4 * time.Second)
			s, _ := openStream(t, streamCtx(t, time.Until(deadline)), hd, urlEvent(t, call("echo", `{}`)))
			// The reader reads nothing more.
			select {
			case c := <-cause:
				if !errors.Is(c, lambdamcp.ErrDeadlineNear) {
					t.Errorf("the call ended with %v, want ErrDeadlineNear", c)
				}
			case <-time.After(time.Until(deadline)):
				t.Fatal("the call did not end before the invocation's deadline while a write waited for the reader")
			}
			select {
			case <-logged:
			case <-time.After(time.Until(deadline)):
			}
			if lines := logLines(t, logs.Bytes()); len(lines) != 1 || lines[0]["outcome"] != lambdamcp.OutcomeTimeout {
				t.Errorf("log by the invocation's deadline = %v, want one line with outcome timeout", lines)
			}
			io.ReadAll(s.r)
			s.raw.(io.Closer).Close()
		})
	}
}

// TestStreamShortDeadlineAnswered checks that the deadline's answer reaches
// a reader that reads, whole: the backstop for stalled readers must not cut
// a stream begun with less than the margin left (the answer due at once),
// nor must the deadline take the writer's lock, held for a moment by a
// handler that flushes, for a write waiting for the reader. The invocation
// is long, for the backstop to leave the reader seconds however loaded the
// machine; the test does not wait for it.
func TestStreamShortDeadlineAnswered(t *testing.T) {
	tests := []struct {
		name    string
		margin  time.Duration // of a 10 s invocation
		handler http.HandlerFunc
	}{
		{"silent, answer due at once", time.Minute, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }},
		{"flushing, answer due 50 ms in", 19*time.Second + 900*time.Millisecond, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			for r.Context().Err() == nil {
				w.(http.Flusher).Flush() // holds the writer's lock, often
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for range 20 {
				hd := lambdamcp.NewHandler(tc.handler, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}, Heartbeat: -1,
					DeadlineMargin: tc.margin})
				s, _ := openStream(t, streamCtx(t, 10*time.Second), hd, urlEvent(t, call("echo", `{}`)))
				b, err := io.ReadAll(s.r)
				s.raw.(io.Closer).Close()
				// Begun with the answer due at once, the call gets a
				// buffered one's timeout error; later, the stream's.
				if err != nil || !strings.Contains(string(b), `"id":7,"error"`) || !strings.Contains(string(b), "timed out") && !strings.Contains(string(b), "deadline is near") {
					t.Fatalf("body %q, error %v; want the deadline's JSON-RPC answer, whole", b, err)
				}
			}
		})
	}
}

// TestLogHandlerRequestIDOutsideGroups checks that the request id stays a
// top-level field, where CloudWatch queries look for it, when a logger
// opens groups, and that the groups still hold their attributes.
func TestLogHandlerRequestIDOutsideGroups(t *testing.T) {
	var buf bytes.Buffer
	base := slog.New(lambdamcp.NewLogHandler(slog.NewJSONHandler(&buf, nil))).With("app", "a")
	h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base.WithGroup("tool").With("k", 1).WithGroup("inner").InfoContext(r.Context(), "ran", "v", 2)
		base.InfoContext(r.Context(), "plain")
	}), nil)
	invoke(t, h, urlEvent(t, call("echo", `{}`)))
	lines := logLines(t, buf.Bytes())
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), buf.Bytes())
	}
	for _, l := range lines {
		if l["request_id"] != "test-request-id" || l["app"] != "a" {
			t.Errorf("line %v: want request_id and app at the top level", l)
		}
	}
	tool, _ := lines[0]["tool"].(map[string]any)
	inner, _ := tool["inner"].(map[string]any)
	if tool["k"] != 1.0 || inner["v"] != 2.0 || tool["request_id"] != nil {
		t.Errorf("groups = %v, want tool.k, tool.inner.v and no request_id inside", lines[0]["tool"])
	}
}

// TestLogHandlerLeavesRecord checks that Handle adds the request id to a
// copy of the record, as slog.Handler asks: a caller that goes on with the
// record (a handler that fans out, say) does not find it changed.
func TestLogHandlerLeavesRecord(t *testing.T) {
	h := lambdamcp.NewLogHandler(slog.NewJSONHandler(io.Discard, nil))
	ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "test-request-id"})
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "m", 0)
	var want []string
	for i := range 8 { // more than a record holds inline, with room to spare
		want = append(want, fmt.Sprint("a", i))
		r.AddAttrs(slog.Int(want[i], i))
	}
	if err := h.Handle(ctx, r); err != nil {
		t.Fatal(err)
	}
	r.AddAttrs(slog.String("after", "x"))
	want = append(want, "after")
	var got []string
	r.Attrs(func(a slog.Attr) bool {
		got = append(got, a.Key)
		return true
	})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the record's attributes after Handle (-want +got):\n%s", diff)
	}
}

// TestBadEventLoggedAndTraced checks that an event which makes no valid
// request is refused by the guard like any request: one log line with the
// method, path and duration, one span, buffered and streamed.
func TestBadEventLoggedAndTraced(t *testing.T) {
	req := call("echo", `{}`)
	req.base64 = true
	for _, streamed := range []bool{false, true} {
		var logs lockedBuffer
		tracer := &recordingTracer{}
		opts := &lambdamcp.Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Tracer: tracer}
		if streamed {
			opts.Stream = []lambdamcp.Shape{lambdamcp.ShapeURL}
		}
		called := false
		h := lambdamcp.NewHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }), opts)
		var ev map[string]any
		if err := json.Unmarshal(urlEvent(t, req), &ev); err != nil {
			t.Fatal(err)
		}
		ev["body"] = "not base64!"
		if streamed {
			s, head := openStream(t, streamCtx(t, time.Minute), h, mustJSON(t, ev))
			body, _ := io.ReadAll(s.r)
			s.raw.(io.Closer).Close()
			if head.StatusCode != 400 || !strings.Contains(string(body), `"code":-32700`) {
				t.Errorf("streamed answer %d %s, want 400 with -32700", head.StatusCode, body)
			}
		} else {
			resp := invoke(t, h, mustJSON(t, ev))
			if resp.StatusCode != 400 || !strings.Contains(resp.Body, `"code":-32700`) {
				t.Errorf("answer %d %s, want 400 with -32700", resp.StatusCode, resp.Body)
			}
		}
		if called {
			t.Error("the handler ran for an event that makes no valid request")
		}
		lines := logLines(t, logs.Bytes())
		if len(lines) != 1 || lines[0]["method"] != "POST" || lines[0]["path"] != "/mcp" || lines[0]["duration_ms"] == nil ||
			lines[0]["outcome"] != lambdamcp.OutcomeRejected || lines[0]["status"] != 400.0 {
			t.Errorf("streamed %v: log = %v, want one complete request line, rejected with 400", streamed, lines)
		}
		tracer.mu.Lock()
		spans := len(tracer.spans)
		tracer.mu.Unlock()
		if spans != 1 {
			t.Errorf("streamed %v: %d spans, want 1", streamed, spans)
		}
	}
}

// TestLocalEventStreamUnbuffered checks that an event stream served through
// Guard says X-Accel-Buffering: no, as Streamable HTTP asks, so that a
// proxy in front of the local server passes each event on as it comes; a
// handler's own value stands.
func TestLocalEventStreamUnbuffered(t *testing.T) {
	for _, tc := range []struct{ set, want string }{{"", "no"}, {"yes", "yes"}} {
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			if tc.set != "" {
				w.Header().Set("X-Accel-Buffering", tc.set)
			}
			io.WriteString(w, "event: message\ndata: {}\n\n")
		})
		srv := httptest.NewServer(lambdamcp.Guard(h, nil))
		r, err := http.Post(srv.URL+"/mcp", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		srv.Close()
		if got := r.Header.Get("X-Accel-Buffering"); got != tc.want {
			t.Errorf("handler's X-Accel-Buffering %q: answered %q, want %q", tc.set, got, tc.want)
		}
	}
	// A JSON answer does not say it.
	srv := httptest.NewServer(lambdamcp.Guard(earlyHints, nil))
	defer srv.Close()
	r, err := http.Post(srv.URL+"/mcp", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if got := r.Header.Get("X-Accel-Buffering"); got != "" {
		t.Errorf("JSON answer has X-Accel-Buffering %q", got)
	}
}

// TestContentEncoding checks that a content-encoded body is refused with
// 415 and Accept-Encoding: identity (RFC 9110 §15.5.16), and that
// identity is served; and that a REST API event, whose body API Gateway
// decompressed, is served with the client's Content-Encoding still in it.
func TestContentEncoding(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	})
	srv := httptest.NewServer(lambdamcp.Guard(ok, nil))
	defer srv.Close()
	// Empty list elements name no coding (RFC 9110 §5.6.1).
	for coding, want := range map[string]int{"gzip": 415, "GZIP, identity": 415, "identity": 200, " Identity ": 200,
		"": 200, "identity, ,": 200} {
		req, _ := http.NewRequest("POST", srv.URL+"/mcp", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Content-Encoding", coding)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Content-Encoding %q: %d, want %d", coding, resp.StatusCode, want)
		}
		if ae := resp.Header.Get("Accept-Encoding"); (want == 415) != (ae == "identity") {
			t.Errorf("Content-Encoding %q: Accept-Encoding %q", coding, ae)
		}
	}
	h := lambdamcp.NewHandler(ok, nil)
	for _, shape := range shapes {
		resp := invoke(t, h, shape.build(t, jsonPost(`{}`, "Content-Encoding", "gzip")))
		if want := map[bool]int{true: 200, false: 415}[shape.name == "rest"]; resp.StatusCode != want {
			t.Errorf("%s event with Content-Encoding: gzip and a plain body: %d, want %d", shape.name, resp.StatusCode, want)
		}
	}
	// A REST API's body, decompressed, keeps the label: it is served while
	// it reads as JSON text, white space between tokens included, and
	// refused once it holds any other control byte, as a coded body does.
	for body, want := range map[string]int{"{\r\n\t}": 200, "{\n}": 200, "{\x01}": 415, "\x1f\x8b\x08": 415} {
		resp := invoke(t, h, restEvent(t, jsonPost(body, "Content-Encoding", "gzip")))
		if resp.StatusCode != want {
			t.Errorf("REST event with Content-Encoding: gzip and the body %q: %d, want %d", body, resp.StatusCode, want)
		}
	}
	// An HTTP API's payload 1.0 event is served as a REST one, but an HTTP
	// API decompresses nothing: the body is as the client coded it.
	resp := invoke(t, h, httpAPIv1Event(t, jsonPost(`{}`, "Content-Encoding", "gzip")))
	if resp.StatusCode != 415 || resp.header("Accept-Encoding") != "identity" {
		t.Errorf("HTTP API payload 1.0 event with Content-Encoding: gzip: %d, Accept-Encoding %q; want 415, identity", resp.StatusCode, resp.header("Accept-Encoding"))
	}
}

// TestContentEncodingEmptyRESTBody checks that a REST event whose body
// API Gateway decompressed to nothing (a client's gzip of an empty body:
// "body" null, or empty) is served as an empty body with the client's
// Content-Encoding, its Content-Length that of the body the handler reads;
// an HTTP API's payload 1.0 event, which nothing decompressed, is refused
// as a coded body is.
func TestContentEncodingEmptyRESTBody(t *testing.T) {
	type seenBody struct {
		body                           string
		length                         int64
		noBody                         bool // http.NoBody, as net/http gives a request without one
		contentLength, contentEncoding string
	}
	var got seenBody
	h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading the body: %v", err)
		}
		got = seenBody{string(b), r.ContentLength, r.Body == http.NoBody, r.Header.Get("Content-Length"), r.Header.Get("Content-Encoding")}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	}), nil)
	// 20 bytes: gzip's header and trailer around nothing.
	req := jsonPost("", "Content-Encoding", "gzip", "Content-Length", "20")
	withBody := func(body any) []byte {
		var m map[string]any
		if err := json.Unmarshal(restEvent(t, req), &m); err != nil {
			t.Fatal(err)
		}
		m["body"] = body
		return mustJSON(t, m)
	}
	want := seenBody{"", 0, true, "0", "gzip"}
	for name, payload := range map[string][]byte{"a null": withBody(nil), "an empty": withBody("")} {
		got = seenBody{}
		resp := invoke(t, h, payload)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("REST event with Content-Encoding: gzip and %s body: %d %s, want 200", name, resp.StatusCode, resp.Body)
		}
		if got != want {
			t.Errorf("REST event with Content-Encoding: gzip and %s body: handler saw %+v, want %+v", name, got, want)
		}
	}
	resp := invoke(t, h, httpAPIv1Event(t, req))
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("HTTP API payload 1.0 event with Content-Encoding: gzip and an empty body: %d, want 415", resp.StatusCode)
	}
}

// TestJSONErrorsHeld400 checks that JSONErrors, which holds a JSON 400 to
// read it, sends what it does not recode as the handler wrote it: a short
// error, and one too long to be held, written in parts and flushed.
func TestJSONErrorsHeld400(t *testing.T) {
	short := `{"jsonrpc":"2.0","id":3,"error":{"code":-32020,"message":"header mismatch: Mcp-Name header value 'a' does not match body value 'b'"}}`
	long := `{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"` + strings.Repeat("x", 3000) + `"}}`
	for _, body := range []string{short, long, `not JSON at all`} {
		h := lambdamcp.JSONErrors(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Handler", "kept")
			w.WriteHeader(http.StatusBadRequest)
			w.Header().Set("X-Late", "set after WriteHeader, as net/http would not send")
			for part := range slices.Chunk([]byte(body), 700) {
				w.Write(part)
				w.(http.Flusher).Flush()
			}
		}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/mcp", nil))
		if rec.Code != 400 || rec.Body.String() != body || rec.Header().Get("X-Handler") != "kept" || rec.Header().Get("X-Late") != "" {
			t.Errorf("answer %d %q %.80s…, want the handler's 400 unchanged", rec.Code, rec.Header(), rec.Body)
		}
	}
}

// TestHeld400Code checks the code a request's log line gives a JSON 400
// the guard held to read: a JSON-RPC error's, and none for JSON that is no
// JSON-RPC error, which names no code (0 would log it as an error the
// server gave no code).
func TestHeld400Code(t *testing.T) {
	tests := []struct {
		name string
		body string
		code any // the log line's error_code; nil for none
	}{
		{"a JSON-RPC error", `{"jsonrpc":"2.0","id":3,"error":{"code":-32020,"message":"header mismatch"}}`, float64(-32020)},
		{"JSON without an error", `{"message":"bad request"}`, nil},
		{"a result", `{"jsonrpc":"2.0","id":3,"result":{}}`, nil},
	}
	for _, p := range unseenCodePaths() {
		for _, tc := range tests {
			t.Run(p.name+"/"+tc.name, func(t *testing.T) {
				h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusBadRequest)
					io.WriteString(w, tc.body)
				})
				var logs bytes.Buffer
				req := jsonPost(`{"jsonrpc":"2.0","id":3,"method":"tools/list"}`, "MCP-Protocol-Version", legacy)
				// A streamed invocation's answer follows its prelude.
				if body := p.run(t, h, slog.New(slog.NewJSONHandler(&logs, nil)), req); !strings.HasSuffix(body, tc.body) {
					t.Errorf("answer %q, want the handler's %q", body, tc.body)
				}
				lines := logLines(t, logs.Bytes())
				if len(lines) != 1 {
					t.Fatalf("%d log lines, want 1:\n%s", len(lines), logs.Bytes())
				}
				if diff := cmp.Diff(tc.code, lines[0]["error_code"]); diff != "" {
					t.Errorf("error_code (-want +got):\n%s\n%s", diff, logs.Bytes())
				}
			})
		}
	}
}

// TestDrainingEndsListen checks what draining does to a
// subscriptions/listen call: one whose event stream has begun ends with the
// subscription's final result, and so does one whose stream begins after
// the drain; one whose handler has written nothing gets the handler's own
// answer when it comes (a refusal, here), not a result made up for it;
// other calls are left be.
func TestDrainingEndsListen(t *testing.T) {
	refuse, release, late := make(chan struct{}), make(chan struct{}), make(chan struct{})
	defer close(release)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("X-Test") {
		case "late": // its stream begins only after the drain
			<-late
			fallthrough
		case "stream":
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/subscriptions/acknowledged\"}\n\n")
			w.(http.Flusher).Flush()
		case "refuse":
			<-refuse // say, a token still being checked
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"unauthorized"}`)
			return
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	ctx, drain := lambdamcp.Draining(t.Context())
	srv := httptest.NewUnstartedServer(lambdamcp.Guard(h, nil))
	srv.Config.BaseContext = func(net.Listener) context.Context { return ctx }
	srv.Start()
	defer srv.Close()
	post := func(c context.Context, kind, body string) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(c, "POST", srv.URL+"/mcp", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("X-Test", kind)
		return http.DefaultClient.Do(req)
	}
	const listen = `{"jsonrpc":"2.0","id":"s1","method":"subscriptions/listen","params":{}}`

	// Bounded, so that a listen never closed fails the test rather than
	// hanging it.
	bounded, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	stream, err := post(bounded, "stream", listen)
	if err != nil {
		t.Fatal(err)
	}
	lateAnswer := make(chan string, 1)
	go func() {
		resp, err := post(bounded, "late", listen)
		if err != nil {
			lateAnswer <- err.Error()
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			lateAnswer <- err.Error()
			return
		}
		lateAnswer <- string(b)
	}()
	refused := make(chan *http.Response, 1)
	go func() {
		resp, err := post(t.Context(), "refuse", listen)
		if err != nil {
			t.Error(err)
		}
		refused <- resp
	}()
	other := make(chan error, 1)
	go func() {
		c, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
		defer cancel()
		_, err := post(c, "", `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)
		other <- err
	}()
	drain()

	body, err := io.ReadAll(stream.Body)
	stream.Body.Close()
	want := `data: {"id":"s1","jsonrpc":"2.0","result":{"_meta":{"io.modelcontextprotocol/subscriptionId":"s1"},"resultType":"complete"}}`
	if err != nil || !strings.Contains(string(body), want) {
		t.Errorf("listen under way, drained: %s (%v), want its result", body, err)
	}
	close(late)
	if got := <-lateAnswer; !strings.Contains(got, want) {
		t.Errorf("listen whose stream began after the drain: %s, want its result", got)
	}
	close(refuse)
	if resp := <-refused; resp != nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || strings.Contains(string(b), "resultType") {
			t.Errorf("listen refused while draining: %d %s, want the handler's 401", resp.StatusCode, b)
		}
	}
	if err := <-other; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("another call while draining: %v, want it still waiting on its handler", err)
	}
}

// TestLogHandlerRequestIDWithoutContext checks that a record logged
// through NewSDKLogHandler without the request's context (as the go-sdk
// logs) gets the request id of the one invocation in flight, and none when
// two are, or none is, also through a logger With attributes and in a
// group; and that NewLogHandler's records never take it.
func TestLogHandlerRequestIDWithoutContext(t *testing.T) {
	awaitNoInvocations(t) // those of earlier tests would count
	var logs lockedBuffer
	logger := slog.New(lambdamcp.NewSDKLogHandler(slog.NewJSONHandler(&logs, nil))).With("component", "sdk")
	plain := slog.New(lambdamcp.NewLogHandler(slog.NewJSONHandler(&logs, nil)))
	entered := make(chan struct{}, 2)
	release := map[string]chan struct{}{"/a": make(chan struct{}), "/b": make(chan struct{})}
	h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logger.Info("no context", "path", r.URL.Path)
		plain.Info("no context, NewLogHandler", "path", r.URL.Path) // none taken from the invocation in flight
		if r.URL.Path == "/one" {
			logger.With("path", r.URL.Path).WithGroup("g").Info("no context, in a group")
		}
		if wait := release[r.URL.Path]; wait != nil {
			entered <- struct{}{}
			<-wait
			logger.Info("no context, after", "path", r.URL.Path)
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	}), nil)
	invokeAt := func(id, path string) {
		ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: id})
		req := jsonPost(`{}`)
		req.path = path
		if _, err := h.Invoke(ctx, urlEvent(t, req)); err != nil {
			t.Error(err)
		}
	}
	invokeAt("req-one", "/one")
	doneA, doneB := make(chan struct{}), make(chan struct{})
	go func() { invokeAt("req-a", "/a"); close(doneA) }()
	<-entered // a logged alone
	go func() { invokeAt("req-b", "/b"); close(doneB) }()
	<-entered // b logged while a ran
	close(release["/a"])
	<-doneA // a logged again while b ran, and ended
	close(release["/b"])
	<-doneB // b logged again alone
	logger.Info("between invocations")

	var got []string
	for line := range strings.SplitSeq(strings.TrimSpace(string(logs.Bytes())), "\n") {
		var rec map[string]any
		json.Unmarshal([]byte(line), &rec)
		id, _ := rec["request_id"].(string)
		got = append(got, fmt.Sprint(rec["msg"], " ", rec["path"], " ", id))
	}
	want := []string{
		"no context /one req-one",
		"no context, NewLogHandler /one ",
		"no context, in a group /one req-one",
		"no context /a req-a",
		"no context, NewLogHandler /a ",
		"no context /b ",
		"no context, NewLogHandler /b ",
		"no context, after /a ",
		"no context, after /b req-b",
		"between invocations <nil> ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

// TestJSONErrorsRewrites checks how JSONErrors rewrites a handler's error
// answers, through a real server: the code for a server error, the message
// when there is no text, its bound, a flush before the end, a
// Content-Length of the handler's text or JSON, JSON media types passed
// through as they are, and the bound of a JSON 400 held to be recoded.
func TestJSONErrorsRewrites(t *testing.T) {
	long := strings.Repeat("y", 10_000)
	problem := `{"type":"about:blank","title":"Bad Request","status":400}`
	atBound, pastBound := strings.Repeat("y", 1024), strings.Repeat("y", 1025)
	mismatchAtBound, mismatchPastBound := headerMismatch(1024), headerMismatch(1025)
	mismatch := headerMismatch(200)
	tests := []struct {
		name     string
		h        http.HandlerFunc
		status   int
		code     int    // 0: the body passes through as written
		message  string // the whole message, or its prefix with wantLen
		maxLen   int
		passBody string
	}{
		{name: "server error", status: 500, code: -32603, message: "boom",
			h: func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "boom", 500) }},
		{name: "no text", status: 405, code: -32600, message: "Method Not Allowed",
			h: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(405) }},
		{name: "long text", status: 400, code: -32600, message: "yyyy", maxLen: 1024,
			h: func(w http.ResponseWriter, _ *http.Request) { http.Error(w, long, 400) }},
		{name: "flushed", status: 400, code: -32600, message: "bad",
			h: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(400)
				io.WriteString(w, "bad")
				w.(http.Flusher).Flush()
			}},
		{name: "Content-Length of the text", status: 400, code: -32600, message: "bad",
			h: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				w.Header().Set("Content-Length", "3")
				w.WriteHeader(400)
				io.WriteString(w, "bad")
			}},
		{name: "text at the bound", status: 400, code: -32600, message: atBound,
			h: writes(400, "text/plain", atBound)},
		{name: "text a byte past the bound", status: 400, code: -32600, message: atBound,
			h: writes(400, "text/plain", pastBound)},
		// The go-sdk's -32020 for params it cannot decode, recoded -32602:
		// held whole up to the bound, passed through as written past it.
		{name: "held JSON at the bound", status: 400, code: -32602, message: mismatchMessage(mismatchAtBound),
			h: writes(400, "application/json", mismatchAtBound)},
		{name: "held JSON a byte past the bound", status: 400, passBody: mismatchPastBound,
			h: writes(400, "application/json", mismatchPastBound)},
		// Recoded, the answer is a byte shorter than the length the
		// handler gave.
		{name: "Content-Length of the JSON", status: 400, code: -32602, message: mismatchMessage(mismatch),
			h: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", strconv.Itoa(len(mismatch)+1))
				w.WriteHeader(400)
				io.WriteString(w, mismatch+"\n")
			}},
		{name: "problem+json 400", status: 400, passBody: problem,
			h: writes(400, "application/problem+json", problem)},
		{name: "problem+json 422", status: 422, passBody: problem,
			h: writes(422, "application/problem+json", problem)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(lambdamcp.JSONErrors(tc.h))
			defer srv.Close()
			resp, err := http.Post(srv.URL, "application/json", strings.NewReader(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Errorf("reading the answer: %v", err) // one shorter than its Content-Length
			}
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.passBody != "" {
				if string(body) != tc.passBody {
					t.Errorf("body %s, want it as written: %s", body, tc.passBody)
				}
				return
			}
			var answer struct {
				Error struct {
					Code    int    `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if err := json.Unmarshal(body, &answer); err != nil || resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("answer %s %s is no JSON-RPC error (%v)", resp.Header.Get("Content-Type"), body, err)
			}
			if answer.Error.Code != tc.code {
				t.Errorf("code %d, want %d", answer.Error.Code, tc.code)
			}
			switch {
			case tc.maxLen > 0 && (len(answer.Error.Message) > tc.maxLen || !strings.HasPrefix(answer.Error.Message, tc.message)):
				t.Errorf("message of %d bytes %.20q…, want at most %d starting %q", len(answer.Error.Message), answer.Error.Message, tc.maxLen, tc.message)
			case tc.maxLen == 0 && answer.Error.Message != tc.message:
				t.Errorf("message %q, want %q", answer.Error.Message, tc.message)
			}
		})
	}
}

// writes is a handler that answers status with body, of contentType.
func writes(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// headerMismatch is the go-sdk's HeaderMismatch answer to params it could
// not decode, size bytes long.
func headerMismatch(size int) string {
	const head, tail = `{"jsonrpc":"2.0","id":3,"error":{"code":-32020,"message":"failed to extract name from parameters: `, `"}}`
	return head + strings.Repeat("z", size-len(head)-len(tail)) + tail
}

// mismatchMessage is the message of a headerMismatch answer.
func mismatchMessage(answer string) string {
	var e struct {
		Error struct{ Message string } `json:"error"`
	}
	json.Unmarshal([]byte(answer), &e)
	return e.Error.Message
}

// TestEventStreamReturnedWithoutAnswer checks a handler that begins an
// event stream and returns when the request's time runs out without
// answering the call: the guard, woken by the deadline, answers the call
// with the timeout error as one more event, and the request is a timeout,
// not a success, whether or not the handler has returned by then.
func TestEventStreamReturnedWithoutAnswer(t *testing.T) {
	var logs lockedBuffer
	h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":\"p\",\"progress\":1}}\n\n")
		<-r.Context().Done() // returns at the deadline, the call unanswered
	}), &lambdamcp.Options{DeadlineMargin: 1600 * time.Millisecond, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	req := jsonPost(`{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"t","arguments":{}}}`, "MCP-Protocol-Version", legacy)
	_, msgs := invokeMessages(t, h, streamCtx(t, 2*time.Second), urlEvent(t, req))
	last := msgs[len(msgs)-1]
	if errObj, _ := last["error"].(map[string]any); last["id"] != 42.0 || errObj["code"] != -32001.0 {
		t.Errorf("last message %v, want error -32001 for call 42", last)
	}
	lines := logLines(t, logs.Bytes())
	if len(lines) != 1 || lines[0]["outcome"] != "timeout" {
		t.Errorf("log %v, want one line with outcome timeout", lines)
	}
}

// TestEventStreamOfNotificationAtDeadline checks a notification whose
// handler began an event stream and still runs at the deadline: the guard
// adds no error event, as a notification has no call to answer (an error
// without an id would answer none the client sent), and the stream ends
// as the handler wrote it.
func TestEventStreamOfNotificationAtDeadline(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":\"x\"}}\n\n")
		<-release // past the deadline
	}), &lambdamcp.Options{DeadlineMargin: 1600 * time.Millisecond})
	req := jsonPost(`{"jsonrpc":"2.0","method":"notifications/initialized"}`, "MCP-Protocol-Version", legacy)
	resp, msgs := invokeMessages(t, h, streamCtx(t, 2*time.Second), urlEvent(t, req))
	var got []string
	for _, m := range msgs {
		got = append(got, kind(m))
	}
	if diff := cmp.Diff([]string{"notifications/message"}, got); diff != "" || resp.StatusCode != 200 {
		t.Errorf("answer %d, messages (-want +got):\n%s", resp.StatusCode, diff)
	}
}

// writerFunc is an io.Writer of a function.
type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestInvalidStatus checks that a handler's status that is no three-digit
// code panics in WriteHeader, as net/http's writer does, and so is
// answered as the internal error it is: in a Lambda response a gateway
// would answer it with a 502 of its own, and a response stream's head
// would carry it (a REST stream's 0 included). So is a 101, which a
// gateway would take for a final status with no protocol switched.
func TestInvalidStatus(t *testing.T) {
	for _, code := range []int{0, 99, 101, 600, 999, 1000} {
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			io.WriteString(w, `{"ok":true}`)
		})
		check := func(t *testing.T, status int, body []byte) {
			t.Helper()
			var a rpcAnswer
			if err := json.Unmarshal(body, &a); err != nil || status != 500 || a.Error == nil || a.Error.Code != -32603 {
				t.Errorf("answer = %d %s, want 500 with an internal error", status, body)
			}
		}
		for _, shape := range shapes {
			t.Run(fmt.Sprintf("%s-%d", shape.name, code), func(t *testing.T) {
				resp := invoke(t, lambdamcp.NewHandler(h, nil), shape.build(t, jsonPost(`{}`)))
				check(t, resp.StatusCode, resp.body(t))
			})
		}
		for _, shape := range streamShapes {
			t.Run(fmt.Sprintf("%s-stream-%d", shape.name, code), func(t *testing.T) {
				opts := &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}}
				s, head := openStream(t, streamCtx(t, time.Minute), lambdamcp.NewHandler(h, opts), shape.build(t, jsonPost(`{}`)))
				body, _ := io.ReadAll(s.r)
				check(t, head.StatusCode, body)
			})
		}
	}
}

// TestResponseHeaderLines checks that a handler's response headers reach a
// Lambda response as net/http would write them: a name that is no token
// dropped, CR and LF in a value made spaces, so that no header of the
// handler's adds a line of its own to the gateway's answer.
func TestResponseHeaderLines(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Split", "a\r\nSet-Cookie: evil=1")
		w.Header().Set("X-Line", "b\nX-Injected: 1\r")
		w.Header().Set("Set-Cookie", "c=1\r\nX-Injected: 1")
		w.Header()["Bad Name"] = []string{"v"}
		w.Header()["X-Bad\r\nX-Injected"] = []string{"v"}
		io.WriteString(w, `{"ok":true}`)
	})
	want := map[string]string{
		"Content-Type": "application/json",
		"X-Split":      "a  Set-Cookie: evil=1",
		"X-Line":       "b X-Injected: 1",
		"Set-Cookie":   "c=1  X-Injected: 1",
	}
	// sent gathers the headers as the client would get them, cookies
	// included, keyed by canonical name.
	sent := func(single map[string]string, multi map[string][]string, cookies []string) map[string]string {
		got := map[string]string{}
		for k, v := range single {
			got[http.CanonicalHeaderKey(k)] = v
		}
		for k, vs := range multi {
			got[http.CanonicalHeaderKey(k)] = strings.Join(vs, ", ")
		}
		if len(cookies) > 0 {
			got["Set-Cookie"] = strings.Join(cookies, ", ")
		}
		return got
	}
	for _, shape := range shapes {
		t.Run(shape.name, func(t *testing.T) {
			resp := invoke(t, lambdamcp.NewHandler(h, nil), shape.build(t, jsonPost(`{}`)))
			if diff := cmp.Diff(want, sent(resp.Headers, resp.MultiValueHeaders, resp.Cookies)); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
		})
	}
	for _, shape := range streamShapes {
		t.Run(shape.name+"-stream", func(t *testing.T) {
			opts := &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}}
			s, head := openStream(t, streamCtx(t, time.Minute), lambdamcp.NewHandler(h, opts), shape.build(t, jsonPost(`{}`)))
			io.Copy(io.Discard, s.r)
			got := sent(head.Headers, head.MultiValueHeaders, head.Cookies)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("local", func(t *testing.T) {
		srv := httptest.NewServer(lambdamcp.Guard(h, nil))
		defer srv.Close()
		r, err := http.Post(srv.URL+"/mcp", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		got := sent(nil, r.Header, nil)
		for _, k := range []string{"Content-Length", "Date"} {
			delete(got, k) // net/http's own
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("headers (-want +got):\n%s", diff)
		}
	})
}

// TestHopByHopHeaders checks that headers describing a connection, or the
// body's framing on it, stay out of every Lambda response, buffered as
// streamed: the gateway's connection to the client is its own.
func TestHopByHopHeaders(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Connection", "close")
		w.Header().Set("Keep-Alive", "timeout=5")
		w.Header().Set("Transfer-Encoding", "chunked")
		w.Header().Set("Content-Length", "3")
		w.Header()["connection"] = []string{"upgrade"} // set past canonicalisation
		io.WriteString(w, `{"ok":true}`)
	})
	hop := func(single map[string]string, multi map[string][]string) []string {
		var found []string
		for k := range single {
			if http.CanonicalHeaderKey(k) != "Content-Type" {
				found = append(found, k)
			}
		}
		for k := range multi {
			if http.CanonicalHeaderKey(k) != "Content-Type" {
				found = append(found, k)
			}
		}
		slices.Sort(found)
		return found
	}
	for _, shape := range shapes {
		t.Run(shape.name, func(t *testing.T) {
			resp := invoke(t, lambdamcp.NewHandler(h, nil), shape.build(t, jsonPost(`{}`)))
			if got := hop(resp.Headers, resp.MultiValueHeaders); len(got) > 0 || string(resp.body(t)) != `{"ok":true}` {
				t.Errorf("answer has headers %q and body %s, want none of them and {\"ok\":true}", got, resp.body(t))
			}
		})
	}
	for _, shape := range streamShapes {
		t.Run(shape.name+"-stream", func(t *testing.T) {
			opts := &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}}
			s, head := openStream(t, streamCtx(t, time.Minute), lambdamcp.NewHandler(h, opts), shape.build(t, jsonPost(`{}`)))
			body, _ := io.ReadAll(s.r)
			if got := hop(head.Headers, head.MultiValueHeaders); len(got) > 0 || string(body) != `{"ok":true}` {
				t.Errorf("answer has headers %q and body %s, want none of them and {\"ok\":true}", got, body)
			}
		})
	}
}
