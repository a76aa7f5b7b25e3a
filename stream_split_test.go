package lambdamcp_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp"
)

// progressLine is one progress notification's data line, without its end.
const progressLine = `data: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}}`

// resultLine is the data line of an event answering call 1.
const resultLine = `data: {"jsonrpc":"2.0","id":1,"result":{"content":[]}}`

// TestStreamHeartbeatInEvent checks heartbeats while a handler pauses in
// the middle of an event it writes in parts, for longer than two heartbeat
// intervals: at the start of a line a comment line goes in, which the
// client's parser skips, so that a gateway's idle timeout does not cut the
// stream; in the middle of a line (or after a CR that may be the first half
// of a CRLF) nothing does, for a comment there would split the line, or
// turn the CRLF into a blank line, which ends the event early. Either way
// the client parses the events the handler wrote.
func TestStreamHeartbeatInEvent(t *testing.T) {
	tests := []struct {
		name   string
		parts  []string // written with a long pause after each
		inside bool     // heartbeats go in after the first part
	}{
		{"mid data line", []string{progressLine[:40], progressLine[40:] + "\n\n"}, false},
		{"mid line", []string{"event: message\n" + progressLine[:40], progressLine[40:] + "\n\n"}, false},
		{"cr, mid line", []string{"event: message\r" + progressLine[:40], progressLine[40:] + "\r\r"}, false},
		{"cr, maybe half a crlf", []string{"event: message\r\n" + progressLine + "\r", "\ndata: 2\r\n\r\n"}, false},
		{"after a data line", []string{"event: message\n" + progressLine + "\n", "data: 2\n\n"}, true},
		{"before the blank line", []string{"event: message\n" + progressLine + "\n", "\n"}, true},
		{"crlf, before the blank line", []string{"event: message\r\n" + progressLine + "\r\n", "\r\n"}, true},
		{"cr, then lf, before the blank line", []string{"event: message\n" + progressLine + "\r", "\n", "\n"}, false},
	}
	const answer = "event: message\n" + `data: {"jsonrpc":"2.0","id":1,"result":{"content":[]}}` + "\n\n"
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const interval = time.Second
				h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "text/event-stream")
					for _, p := range tc.parts {
						fmt.Fprint(w, p)
						time.Sleep(3 * interval)
					}
					fmt.Fprint(w, answer)
				}), &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}, Heartbeat: interval})
				s, _ := openStream(t, splitCtx(t), h, urlEvent(t, jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}`)))
				b, err := io.ReadAll(s.r)
				if err != nil {
					t.Fatalf("reading stream: %v", err)
				}
				body := string(b)
				wrote := strings.Join(tc.parts, "") + answer
				if diff := cmp.Diff(sseData(wrote), sseData(body)); diff != "" {
					t.Errorf("events' data (-handler's +stream's):\n%s\nstream = %q", diff, body)
				}
				beats := ": heartbeat\n: heartbeat\n"
				if !tc.inside {
					beats = tc.parts[1]
				}
				if !strings.Contains(body, tc.parts[0]+beats) {
					t.Errorf("stream =\n%q\nwant %q after the first part", body, beats)
				}
				if !strings.Contains(body, tc.parts[len(tc.parts)-1]+": heartbeat\n\n") {
					t.Errorf("stream =\n%q\nwant heartbeats between events", body)
				}
			})
		})
	}
}

// sseData parses an event stream as a client does (the WHATWG HTML
// event-stream interpretation: lines end with CRLF, LF or CR; comment lines
// are skipped; a blank line dispatches the event) and returns each
// dispatched event's data. An event not ended is dropped.
func sseData(stream string) []string {
	var events []string
	var data strings.Builder
	for len(stream) > 0 {
		i := strings.IndexAny(stream, "\r\n")
		if i < 0 {
			break // a line not ended
		}
		line := stream[:i]
		if strings.HasPrefix(stream[i:], "\r\n") {
			i++
		}
		stream = stream[i+1:]
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch {
		case line == "":
			if data.Len() > 0 {
				events = append(events, strings.TrimSuffix(data.String(), "\n"))
			}
			data.Reset()
		case field == "data":
			data.WriteString(value + "\n")
		}
	}
	return events
}

// TestStreamDeadlineMidEvent checks a stream whose handler stops in the
// middle of an event until the deadline: no event can follow the part, so
// the stream ends with an error (the invocation's error trailers), rather
// than with the deadline's answer spliced into the handler's event, or an
// error event glued to a half-written one. So does a panic there.
func TestStreamDeadlineMidEvent(t *testing.T) {
	tests := []struct {
		name    string
		part    string
		panics  bool
		wantErr bool
	}{
		{name: "deadline mid line", part: "event: message\n" + progressLine[:40], wantErr: true},
		{name: "deadline before the blank line", part: "event: message\n" + progressLine + "\n", wantErr: true},
		{name: "panic mid line", part: "event: message\n" + progressLine[:40], panics: true, wantErr: true},
		// The call's own response, left unended, is no answer: a client
		// drops an event the stream ends inside.
		{name: "deadline before the response's blank line", part: "event: message\n" + resultLine + "\n", wantErr: true},
		{name: "deadline inside the response, crlf", part: "event: message\r\n" + resultLine + "\r", wantErr: true},
		{name: "panic before the response's blank line", part: "event: message\n" + resultLine + "\n", panics: true, wantErr: true},
		// Between events, the deadline's answer is one more event.
		{name: "deadline between events", part: "event: message\n" + progressLine + "\n\n"},
		{name: "deadline between events, crlf", part: "event: message\r\n" + progressLine + "\r\n\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "text/event-stream")
					fmt.Fprint(w, tc.part)
					if tc.panics {
						panic("mid event")
					}
					<-r.Context().Done()
				}), &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}, Heartbeat: -1})
				s, _ := openStream(t, splitCtx(t), h, urlEvent(t, jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}`)))
				body, err := io.ReadAll(s.r)
				if tc.wantErr {
					if err == nil || string(body) != tc.part {
						t.Errorf("stream = %q, %v; want the handler's part, then an error", body, err)
					}
					return
				}
				if err != nil || !strings.HasPrefix(string(body), tc.part+"event: message\n") || !strings.Contains(string(body), `"id":1`) {
					t.Errorf("stream = %q, %v; want the handler's event, then the error answering call 1", body, err)
				}
			})
		})
	}
}

// splitCtx is the context of a streamed invocation a minute long, inside
// the test's synctest bubble.
func splitCtx(t *testing.T) context.Context {
	t.Helper()
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "split-event"})
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// TestBufferedDeadlineMidEvent checks a buffered event stream whose
// handler, ignoring its context, stops inside an event until the deadline:
// the answer, still held, keeps the handler's whole events and ends with
// the error answering the call, without the part of the unfinished event,
// which would have joined the error event's lines.
func TestBufferedDeadlineMidEvent(t *testing.T) {
	tests := []struct {
		name string
		part string // the unfinished event's part
		ct   string // the spelling of Content-Type's name
	}{
		{"mid line", "event: message\n" + progressLine[:40], ""},
		{"before the blank line", "event: message\n" + progressLine + "\n", ""},
		{"crlf, before the blank line", "event: message\r\n" + progressLine + "\r\n", ""},
		{"cr, mid line", "event: message\r" + progressLine[:40], ""},
		// The call's own response, left unended, is no answer: a client
		// drops an event the stream ends inside.
		{"response before the blank line", "event: message\n" + resultLine + "\n", ""},
		// One byte past the last event's end is a part too: kept, it
		// would begin the error event's first field name ("eevent").
		{"one byte", "e", ""},
		// The type set under another spelling of its name is an event
		// stream all the same, as net/http sends it.
		{"content type in lower case", "event: message\n" + progressLine[:40], "content-type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				release := make(chan struct{})
				defer close(release)
				h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					name := "Content-Type"
					if tc.ct != "" {
						name = tc.ct
					}
					w.Header()[name] = []string{"text/event-stream"}
					fmt.Fprint(w, "event: message\n"+progressLine+"\n\n")
					fmt.Fprint(w, tc.part)
					<-release
				}), nil)
				ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "split-event"})
				ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				defer cancel()
				resp, msgs := invokeMessages(t, h, ctx, urlEvent(t, jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}`)))
				whole := "event: message\n" + progressLine + "\n\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"error\""
				if body := resp.body(t); !strings.HasPrefix(string(body), whole) {
					t.Errorf("body = %q, want the whole event, then the error event", body)
				}
				var got []string
				for _, m := range msgs {
					got = append(got, kind(m))
				}
				if want := []string{"notifications/progress", "error"}; !slices.Equal(got, want) || msgs[1]["id"] != 1.0 {
					t.Errorf("messages = %v (%v), want %v, the error answering call 1", got, msgs, want)
				}
			})
		})
	}
}

// TestBufferedListenEndedMidEvent checks a buffered subscriptions/listen
// whose acknowledgement the handler leaves unended (no blank line after
// it): a client would drop such an event, so it acknowledges nothing, and
// the listen is held to its deadline. The deadline's error is then an
// event of its own, the unended part dropped rather than joined to it.
func TestBufferedListenEndedMidEvent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, "event: message\n"+`data: {"jsonrpc":"2.0","method":"notifications/subscriptions/acknowledged","params":{"notifications":{"toolsListChanged":true}}}`+"\n")
			<-release
		}), nil)
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "split-listen"})
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_, msgs := invokeMessages(t, h, ctx, urlEvent(t, jsonPost(`{"jsonrpc":"2.0","id":7,"method":"subscriptions/listen","params":{}}`)))
		if len(msgs) != 1 || kind(msgs[0]) != "error" || msgs[0]["id"] != 7.0 {
			t.Errorf("messages = %v, want the deadline's error alone", msgs)
		}
	})
}

// TestLocalDeadlineMidEvent checks a local event stream whose handler,
// ignoring its context, stops inside an event until the request's
// deadline: the part is out already and no event can follow it, so the
// connection is cut, rather than the deadline's answer joined to it.
func TestLocalDeadlineMidEvent(t *testing.T) {
	tests := []struct{ name, part string }{
		{"mid line", "event: message\n" + progressLine[:40]},
		// The call's own response, left unended, is no answer: a client
		// drops an event the stream ends inside.
		{"response before the blank line", "event: message\n" + resultLine + "\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { localDeadlineMidEvent(t, tc.part) })
	}
}

func localDeadlineMidEvent(t *testing.T, part string) {
	t.Helper()
	release := make(chan struct{})
	defer close(release)
	guarded := lambdamcp.Guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, part)
		w.(http.Flusher).Flush()
		<-release
	}), &lambdamcp.Options{DeadlineMargin: time.Second})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The request's context ends 1 s in: the part, written at once,
		// is out by then however loaded the machine.
		ctx, cancel := context.WithTimeout(r.Context(), 1500*time.Millisecond)
		defer cancel()
		guarded.ServeHTTP(w, r.WithContext(ctx))
	}))
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil || string(body) != part {
		t.Errorf("body = %q, %v; want the handler's part, then a cut connection", body, err)
	}
}

// TestBufferedDeadlineAfterResponse checks a buffered event stream whose
// handler, in the write that ends its response's event, begins another it
// leaves unended until the deadline: the unended part is dropped, and the
// response, whole before it, stays the call's only answer.
func TestBufferedDeadlineAfterResponse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, "event: message\n"+resultLine+"\n\nevent: message\n"+progressLine[:40])
			<-release
		}), nil)
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "split-after-response"})
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_, msgs := invokeMessages(t, h, ctx, urlEvent(t, jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}`)))
		if len(msgs) != 1 || kind(msgs[0]) != "result" || msgs[0]["id"] != 1.0 {
			t.Errorf("messages = %v, want the handler's result alone", msgs)
		}
	})
}

// TestBufferedDeadlineMidEventPastLimit checks a buffered event stream
// whose handler stops, until the deadline, inside an event that alone
// runs past the response limit: the part of that event is dropped, as
// any unended event's is, and what is left, under the limit, ends with
// the error answering the call, not with the error of a response too
// large, which no one sends. An unended event after whole events that
// run past the limit leaves the answer too large.
func TestBufferedDeadlineMidEventPastLimit(t *testing.T) {
	event := "event: message\n" + progressLine + "\n\n"
	for _, tc := range []struct {
		name   string
		events int  // whole events before the unended one
		split  bool // the unended part is written in pieces
		large  bool // the answer is too large
	}{
		{"one write", 1, false, false},
		{"in pieces", 1, true, false},
		{"after whole events past the limit", 2 * testMaxResponse / len(event), false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				release := make(chan struct{})
				defer close(release)
				h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "text/event-stream")
					for range tc.events {
						fmt.Fprint(w, event)
					}
					fmt.Fprint(w, "event: message\ndata: ")
					for range 4 {
						if tc.split {
							fmt.Fprint(w, strings.Repeat("x", testMaxResponse/2))
						} else {
							fmt.Fprint(w, strings.Repeat("x", 2*testMaxResponse))
							break
						}
					}
					<-release
				}), &lambdamcp.Options{Limits: lambdamcp.Limits{MaxResponseBytes: testMaxResponse}})
				ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "split-limit"})
				ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				defer cancel()
				payload := urlEvent(t, jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}`))
				out, err := h.Invoke(ctx, payload)
				if err != nil {
					t.Fatal(err)
				}
				var resp lambdaResponse
				if err := json.Unmarshal(out, &resp); err != nil {
					t.Fatal(err)
				}
				var msgs []map[string]any
				if strings.HasPrefix(resp.header("Content-Type"), "text/event-stream") {
					sr := &streamReader{t: t, r: bufio.NewReader(strings.NewReader(string(resp.body(t))))}
					for item, ok := sr.next(); ok; item, ok = sr.next() {
						if item.msg != nil {
							msgs = append(msgs, item.msg)
						}
					}
				} else {
					var m map[string]any
					if err := json.Unmarshal(resp.body(t), &m); err != nil {
						t.Fatalf("answered %d %.300s: %v", resp.StatusCode, resp.body(t), err)
					}
					msgs = append(msgs, m)
				}
				last := msgs[len(msgs)-1]
				e, _ := last["error"].(map[string]any)
				msg, _ := e["message"].(string)
				if tooLarge := strings.Contains(msg, "exceeds the Lambda response limit"); last["id"] != 1.0 || tooLarge != tc.large {
					t.Errorf("answered %d with %d messages, the last %v; want the call answered with the error of a response too large: %v", resp.StatusCode, len(msgs), last, tc.large)
				}
				if !tc.large && (len(msgs) != tc.events+1 || kind(msgs[0]) != "notifications/progress") {
					t.Errorf("messages = %v, want %d progress notifications, then the error", msgs, tc.events)
				}
			})
		})
	}
}
