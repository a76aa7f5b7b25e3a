package lambdamcp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdamcp/lambdamcp"
)

// progressLine is one progress notification's data line, without its end.
const progressLine = `data: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}}`

// TestStreamHeartbeatBetweenEvents checks that a heartbeat never lands
// inside an event that a handler writes in several parts: the comment, or
// the blank line after it, would split the event's data or dispatch the
// event early. Each row pauses the handler at another point of the event,
// for longer than the heartbeat interval.
func TestStreamHeartbeatBetweenEvents(t *testing.T) {
	tests := []struct {
		name  string
		parts []string // written with a long pause between each
	}{
		{"mid line", []string{"event: message\n" + progressLine[:40], progressLine[40:] + "\n\n"}},
		{"before the blank line", []string{"event: message\n" + progressLine + "\n", "\n"}},
		{"crlf, before the blank line", []string{"event: message\r\n" + progressLine + "\r\n", "\r\n"}},
		{"cr, mid line", []string{"event: message\r" + progressLine[:40], progressLine[40:] + "\r\r"}},
	}
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
					fmt.Fprint(w, "event: message\n"+`data: {"jsonrpc":"2.0","id":1,"result":{"content":[]}}`+"\n\n")
				}), &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}, Heartbeat: interval})
				s, _ := openStream(t, splitCtx(t), h, urlEvent(t, jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}`)))
				body, err := io.ReadAll(s.r)
				if err != nil {
					t.Fatalf("reading stream: %v", err)
				}
				// The event as the handler wrote it, heartbeats only
				// around it.
				event := strings.Join(tc.parts, "")
				if !strings.Contains(string(body), event) {
					t.Errorf("stream =\n%q\nwant the handler's event whole:\n%q", body, event)
				}
				if !strings.Contains(string(body), ": heartbeat") {
					t.Errorf("stream =\n%q\nwant heartbeats in the pauses between events", body)
				}
			})
		})
	}
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
