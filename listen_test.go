package lambdamcp_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// listenServer is a server built as much user code builds one: nil
// options, so the go-sdk infers its capabilities and promises tools
// list-changed notifications.
func listenServer() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "nil-options", Version: "1.0.0"}, nil)
	addTool(s, "noop")
	return s
}

// listenRequest is a 2026-07-28 subscriptions/listen, id 7, asking for
// tools list changes.
func listenRequest() httpRequest {
	return listenFor(`{"toolsListChanged":true}`)
}

// listenFor is a 2026-07-28 subscriptions/listen, id 7, with the given
// notifications filter.
func listenFor(filter string) httpRequest {
	return jsonPost(`{"jsonrpc":"2.0","id":7,"method":"subscriptions/listen","params":{"notifications":`+filter+`,`+modernMeta+`}}`,
		"MCP-Protocol-Version", modern, "Mcp-Method", "subscriptions/listen")
}

// ackOf is the acknowledgement of a listen with id 7 agreeing to filter.
func ackOf(filter map[string]any) map[string]any {
	return map[string]any{"jsonrpc": "2.0", "method": "notifications/subscriptions/acknowledged", "params": map[string]any{
		"notifications": filter,
		"_meta":         map[string]any{"io.modelcontextprotocol/subscriptionId": 7.0},
	}}
}

// listenAck is the acknowledgement of listenRequest by listenServer.
var listenAck = ackOf(map[string]any{"toolsListChanged": true})

// listenEnd is the graceful end of listenRequest's subscription.
var listenEnd = map[string]any{"jsonrpc": "2.0", "id": 7.0, "result": map[string]any{
	"resultType": "complete", "_meta": map[string]any{"io.modelcontextprotocol/subscriptionId": 7.0},
}}

// TestBufferedListenEndsOnceAcknowledged checks that a subscriptions/listen
// reaching a buffered invocation is answered as soon as the server has
// acknowledged it, with the acknowledgement and the subscription's graceful
// end, instead of being held until the deadline: a buffered response
// carries nothing until the invocation ends, so no notification could
// reach the client on it. A listen the go-sdk ends by itself (it agreed to
// nothing) keeps the go-sdk's own answer. The invocation's deadline is
// 30 s away; the request's log line says whether the guard's timeout path
// answered.
func TestBufferedListenEndsOnceAcknowledged(t *testing.T) {
	t.Cleanup(func() { awaitNoInvocations(t) }) // the listens' handlers end with their invocations
	server := listenServer()
	handlers := []struct {
		name    string
		handler http.Handler
	}{
		{"event stream", sseHandler(server)},
		{"JSONResponse", streamable(server)}, // the go-sdk streams a listen all the same
	}
	listens := []struct {
		name string
		req  httpRequest
		want []map[string]any
	}{
		{"promised", listenRequest(), []map[string]any{listenAck, listenEnd}},
		{"nothing agreed", listenFor(`{"promptsListChanged":true}`), []map[string]any{
			ackOf(map[string]any{}),
			{"jsonrpc": "2.0", "id": 7.0, "result": map[string]any{"resultType": "complete", "_meta": map[string]any{
				"io.modelcontextprotocol/subscriptionId": 7.0,
				"io.modelcontextprotocol/serverInfo":     map[string]any{"name": "nil-options", "version": "1.0.0"},
			}}},
		}},
	}
	for _, hc := range handlers {
		for _, lc := range listens {
			for _, shape := range shapes {
				t.Run(hc.name+"/"+lc.name+"/"+shape.name, func(t *testing.T) {
					t.Parallel() // without the early end, each would take its 30 s
					var logs bytes.Buffer
					h := lambdamcp.NewHandler(hc.handler, &lambdamcp.Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
					ctx := invokeCtxWithin(t, 30*time.Second)
					out, err := h.Invoke(ctx, shape.build(t, lc.req))
					if err != nil {
						t.Fatalf("Invoke: %v", err)
					}
					if ctx.Err() != nil {
						t.Fatal("answered after the invocation's deadline")
					}
					var resp lambdaResponse
					if err := json.Unmarshal(out, &resp); err != nil {
						t.Fatal(err)
					}
					if resp.StatusCode != http.StatusOK || resp.header("Content-Type") != "text/event-stream" {
						t.Fatalf("answer %d %q, want 200 text/event-stream: %s", resp.StatusCode, resp.header("Content-Type"), resp.body(t))
					}
					wantTwoMessages(t, resp, lc.want)
					lines := logLines(t, logs.Bytes())
					if len(lines) != 1 || lines[0]["outcome"] != lambdamcp.OutcomeOK {
						t.Errorf("log lines %v, want one with outcome ok (not the deadline's timeout)", lines)
					}
				})
			}
		}
	}
}

// TestStreamedListenStaysOpen checks that a streamed invocation keeps a
// subscriptions/listen open after its acknowledgement: a list change made
// then reaches the client on it.
func TestStreamedListenStaysOpen(t *testing.T) {
	server := listenServer()
	for _, shape := range streamShapes {
		t.Run(shape.name, func(t *testing.T) {
			h := lambdamcp.NewHandler(sseHandler(server), &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}})
			st, _ := openStream(t, streamCtx(t, 30*time.Second), h, shape.build(t, listenRequest()))
			defer st.raw.(io.Closer).Close() // the client goes: the listen ends
			if diff := cmp.Diff(listenAck, st.nextMessage()); diff != "" {
				t.Fatalf("first message (-want +got):\n%s", diff)
			}
			addTool(server, "noop-"+shape.name)
			if diff := cmp.Diff(listChanged, st.nextMessage()); diff != "" {
				t.Errorf("message after a tool was added (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLocalListenStaysOpen checks that Guard in front of a local server
// (net/http, which streams) keeps a subscriptions/listen open after its
// acknowledgement: a list change made then reaches the client on it.
func TestLocalListenStaysOpen(t *testing.T) {
	server := listenServer()
	srv := httptest.NewServer(lambdamcp.Guard(sseHandler(server), nil))
	defer srv.Close()
	lr := listenRequest()
	req, err := http.NewRequestWithContext(t.Context(), lr.method, srv.URL+lr.path, strings.NewReader(lr.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range lr.header {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close() // the client goes: the listen ends
	st := &streamReader{t: t, r: bufio.NewReader(resp.Body)}
	if diff := cmp.Diff(listenAck, st.nextMessage()); diff != "" {
		t.Fatalf("first message (-want +got):\n%s", diff)
	}
	addTool(server, "noop-local")
	if diff := cmp.Diff(listChanged, st.nextMessage()); diff != "" {
		t.Errorf("message after a tool was added (-want +got):\n%s", diff)
	}
}

// addTool adds a tool to s, which tells its listens that the list changed.
func addTool(s *mcp.Server, name string) {
	mcp.AddTool(s, &mcp.Tool{Name: name}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{}, nil, nil
	})
}

// listChanged is the tools list change sent on listenRequest's subscription.
var listChanged = map[string]any{"jsonrpc": "2.0", "method": "notifications/tools/list_changed", "params": map[string]any{
	"_meta": map[string]any{"io.modelcontextprotocol/subscriptionId": 7.0},
}}

// TestBufferedCallNotEndedEarly checks that only a subscriptions/listen is
// ended at its first event on a buffered invocation: a call whose event
// stream begins with progress, then runs past the deadline, still gets its
// progress and the deadline's error, in either era.
func TestBufferedCallNotEndedEarly(t *testing.T) {
	for _, era := range []string{legacy, modern} {
		t.Run(era, func(t *testing.T) {
			release := make(chan struct{})
			t.Cleanup(func() { close(release) })
			s := mcp.NewServer(&mcp.Implementation{Name: "progress", Version: "1.0.0"}, nil)
			mcp.AddTool(s, &mcp.Tool{Name: "wait"}, func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
				req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: req.Params.GetProgressToken(), Progress: 1})
				<-release // ignores its context: only the deadline's error answers the call
				return &mcp.CallToolResult{}, nil, nil
			})
			// The deadline's error comes 1.5 s in: the progress, due at
			// once, is out by then however loaded the machine.
			h := lambdamcp.NewHandler(sseHandler(s), &lambdamcp.Options{DeadlineMargin: time.Second})
			out, err := h.Invoke(invokeCtxWithin(t, 2*time.Second), urlEvent(t, callWait(era)))
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			var resp lambdaResponse
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
			st := &streamReader{t: t, r: bufio.NewReader(bytes.NewReader(resp.body(t)))}
			var got []string
			for item, ok := st.next(); ok; item, ok = st.next() {
				got = append(got, kind(item.msg))
			}
			if diff := cmp.Diff([]string{"notifications/progress", "error"}, got); diff != "" {
				t.Errorf("messages (-want +got):\n%s", diff)
			}
		})
	}
	awaitNoInvocations(t)
}

// TestBufferedListenSplitAck checks that a buffered subscriptions/listen
// is ended at its acknowledgement however the handler's writes split it:
// in the middle of its data line, its data over two lines, its event's
// lines written apart, or after an event without data (a comment), which
// no client dispatches. Each last write ends the acknowledgement's event,
// so that the listen is ended after it (an acknowledgement counts only
// once its event ends: TestBufferedListenAckBlankLineLater,
// TestBufferedListenEndedMidEvent). The
// invocation's deadline is 3 s away: held to it, the listen would end with
// the deadline's error instead.
func TestBufferedListenSplitAck(t *testing.T) {
	t.Cleanup(func() { awaitNoInvocations(t) })
	ack, err := json.Marshal(listenAck)
	if err != nil {
		t.Fatal(err)
	}
	data := "data: " + string(ack)
	half := len(data) / 2
	// Where the JSON text may take a line break: SSE joins data lines
	// with one.
	brk := strings.Index(data, `,"params"`) + 1
	tests := []struct {
		name   string
		writes []string
	}{
		{"whole", []string{"event: message\n" + data + "\n\n"}},
		{"mid data line", []string{"event: message\n" + data[:half], data[half:] + "\n\n"}},
		{"data on two lines", []string{"event: message\n" + data[:brk] + "\n", "data: " + data[brk:] + "\n\n"}},
		{"lines apart", []string{"event: message\n", data, "\n\n"}},
		{"after a comment", []string{": prime\n\n", "event: message\n" + data + "\n\n"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // without the early end, each would take its 3 s
			h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				for _, p := range tc.writes {
					io.WriteString(w, p)
					w.(http.Flusher).Flush()
				}
				<-r.Context().Done() // held open, as the go-sdk holds a listen
			}), nil)
			wantListenEnded(t, h, 3*time.Second)
		})
	}
}

// TestBufferedListenAckBlankLineLater checks a buffered subscriptions/listen
// whose acknowledgement's data line and blank line come in two writes: the
// acknowledgement counts once its event ends, so that the client gets it
// and then the listen's result, on every buffered shape. Taken at its data
// line, the listen was ended before the blank line came, its unended
// acknowledgement dropped: the client got the result alone. The handler
// writes the blank line once every other goroutine waits (synctest.Wait),
// after the guard had its chance to end the listen.
func TestBufferedListenAckBlankLineLater(t *testing.T) {
	ack, err := json.Marshal(listenAck)
	if err != nil {
		t.Fatal(err)
	}
	for _, shape := range shapes {
		t.Run(shape.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "text/event-stream")
					io.WriteString(w, "event: message\ndata: "+string(ack)+"\n")
					w.(http.Flusher).Flush()
					synctest.Wait()
					io.WriteString(w, "\n")
					w.(http.Flusher).Flush()
					<-r.Context().Done() // held open, as the go-sdk holds a listen
				}), nil)
				ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "ack-blank-later"})
				ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				defer cancel()
				_, msgs := invokeMessages(t, h, ctx, shape.build(t, listenRequest()))
				if diff := cmp.Diff([]map[string]any{listenAck, listenEnd}, msgs); diff != "" {
					t.Errorf("messages (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// TestBufferedListenWritesAfterAck checks a buffered subscriptions/listen
// whose handler goes on writing after its acknowledgement, as the go-sdk
// does when a notification follows at once: the acknowledgement is read
// once, and the client gets it and the listen's result, not an internal
// error.
func TestBufferedListenWritesAfterAck(t *testing.T) {
	t.Cleanup(func() { awaitNoInvocations(t) })
	ack, err := json.Marshal(listenAck)
	if err != nil {
		t.Fatal(err)
	}
	h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "event: message\ndata: "+string(ack)+"\n\n")
		for range 3 {
			io.WriteString(w, ": more\n\n")
		}
		<-r.Context().Done() // held open, as the go-sdk holds a listen
	}), nil)
	wantListenEnded(t, h, 10*time.Second)
}

// wantListenEnded invokes h, with within left, with a buffered listen
// and checks that the answer is its acknowledgement and its end.
func wantListenEnded(t *testing.T, h *lambdamcp.Handler, within time.Duration) {
	t.Helper()
	out, err := h.Invoke(invokeCtxWithin(t, within), urlEvent(t, listenRequest()))
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	var resp lambdaResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	wantTwoMessages(t, resp, []map[string]any{listenAck, listenEnd})
}

// wantTwoMessages checks that resp's body is an event stream of two
// messages, want, and nothing after them.
func wantTwoMessages(t *testing.T, resp lambdaResponse, want []map[string]any) {
	t.Helper()
	st := &streamReader{t: t, r: bufio.NewReader(bytes.NewReader(resp.body(t)))}
	got := []map[string]any{st.nextMessage(), st.nextMessage()}
	st.wantEnd()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}
