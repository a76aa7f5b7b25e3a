package lambdamcp

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSSEHasResponse(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	for _, tc := range []struct {
		sse  string
		want bool
	}{
		{"event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n", true},
		{"event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32603,\"message\":\"x\"}}\n\n", true},
		{"data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"result\":1}}\n\n", false},
		{"data: {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sampling/createMessage\",\"params\":{}}\n\n", false},
		{"data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}\n\n", false},
		{"data: {\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"" + big + "\"}]}}\n\n", true},
		{": heartbeat\n\n", false},
		{"data: not json\n\n", false},
		{"data: [1,2]\n\n", false},
		{"data: {\"jsonrpc\":\"2.0\",\"id\":\"\xff\",\"result\":{}}\n\n", true},
		{"event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{}}\n\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}\n\n", true},
	} {
		if got := sseHasResponse([]byte(tc.sse)); got != tc.want {
			t.Errorf("sseHasResponse(%.80q) = %v, want %v", tc.sse, got, tc.want)
		}
	}
}

// BenchmarkSSEHasResponse recognises the event answering a call whose
// result is 1 MiB of text, as the guard and a stream do for every event
// they pass on.
func BenchmarkSSEHasResponse(b *testing.B) {
	event := []byte("event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"" + strings.Repeat("x", 1<<20) + "\"}]}}\n\n")
	b.SetBytes(int64(len(event)))
	for b.Loop() {
		if !sseHasResponse(event) {
			b.Fatal("not recognised")
		}
	}
}

// TestStreamDefaults checks the streaming options' documented default: a
// heartbeat every 10 s.
func TestStreamDefaults(t *testing.T) {
	if c := newStreamConfig(&Options{}); c.heartbeat != 10*time.Second {
		t.Errorf("default heartbeat %v, want 10s", c.heartbeat)
	}
}

// TestHeartbeatSettledSpelling checks that a heartbeat sends the head of
// a stream whose settled headers make it an event stream, whichever
// spelling carries the type that goes out first, as the head itself tells
// an event stream (commitLocked); and only then.
func TestHeartbeatSettledSpelling(t *testing.T) {
	tests := []struct {
		name string
		set  http.Header
		want bool
	}{
		{"canonical", http.Header{"Content-Type": {"text/event-stream"}}, true},
		{"lower case", http.Header{"content-type": {"text/event-stream"}}, true},
		{"upper case first", http.Header{"CONTENT-TYPE": {"text/event-stream"}, "Content-Type": {"application/json"}}, true},
		{"json first", http.Header{"CONTENT-TYPE": {"application/json"}, "content-type": {"text/event-stream"}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, pw := io.Pipe()
			_, cancel := context.WithCancelCause(t.Context())
			defer cancel(nil)
			w := &streamWriter{header: tc.set, pw: pw, ready: make(chan streamHead, 1), cancel: cancel,
				done: make(chan struct{}), finished: make(chan struct{})}
			w.settle()
			w.heartbeat(time.Hour) // the head only: the stream has not been quiet that long
			select {
			case head := <-w.ready:
				if !tc.want {
					t.Errorf("head %v sent at a heartbeat, want none before the handler writes", head.header)
				}
			default:
				if tc.want {
					t.Error("no head sent at a heartbeat, want the event stream's")
				}
			}
		})
	}
}
