package lambdamcp

import (
	"context"
	"fmt"
	"io"
	"iter"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSSEScan checks that an event stream is read as a client reads it,
// whole or in any two pieces: a response counts once its event ends, with
// the data of an event's lines joined.
func TestSSEScan(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	long := strings.Repeat("x", maxHeldEventData)
	tests := []struct {
		name string
		sse  string
		want bool
	}{
		{"result", "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n", true},
		{"error", "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32603,\"message\":\"x\"}}\n\n", true},
		{"notification", "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"result\":1}}\n\n", false},
		{"request", "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sampling/createMessage\",\"params\":{}}\n\n", false},
		{"null result", "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}\n\n", false},
		{"large result", "data: {\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"" + big + "\"}]}}\n\n", true},
		{"heartbeat", ": heartbeat\n\n", false},
		{"not json", "data: not json\n\n", false},
		{"array", "data: [1,2]\n\n", false},
		{"invalid utf-8 id", "data: {\"jsonrpc\":\"2.0\",\"id\":\"\xff\",\"result\":{}}\n\n", true},
		{"second event", "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{}}\n\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}\n\n", true},
		{"data on lines", "event: message\ndata: {\"jsonrpc\":\"2.0\",\ndata: \"id\":1,\ndata: \"result\":{}}\n\n", true},
		{"data on lines, crlf", "event: message\r\ndata:{\"id\":1,\r\ndata:\"result\"\r\ndata::{}}\r\n\r\n", true},
		{"data on lines, cr", "data: {\"id\":1,\rdata: \"result\":{}}\r\r", true},
		{"field without a colon", "data: {\"id\":1,\ndata\ndata: \"result\":{}}\n\n", true},
		{"notification on lines", "data: {\"jsonrpc\":\"2.0\",\ndata: \"method\":\"x\",\"result\":{}}\n\n", false},
		{"not ended", "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n", false},
		{"comment between data lines", "data: {\"id\":1,\n: heartbeat\ndata: \"result\":{}}\n\n", true},
		{"events apart", "data: {\"id\":1,\n\ndata: \"result\":{}}\n\n", false},
		// Past the bound, an event's data is taken for no response.
		{"result past the bound", "data: {\"id\":\"" + long + "\",\"result\":{}}\n\n", false},
		{"result within the bound", "data: {\"id\":\"" + long[:maxHeldEventData-64] + "\",\"result\":{}}\n\n", true},
	}
	for _, tc := range tests {
		// Keeping the first event's data (a listen's), or the first
		// response's (answer), tells the same.
		for _, mode := range []sseScan{{}, {keep: true}, {answer: true}} {
			t.Run(fmt.Sprintf("%s/keep=%v/answer=%v", tc.name, mode.keep, mode.answer), func(t *testing.T) {
				whole := mode
				whole.add([]byte(tc.sse))
				if whole.answered != tc.want {
					t.Errorf("whole: answered = %v, want %v", whole.answered, tc.want)
				}
				for i, s := range splitScans(mode, tc.sse) {
					if s.answered != tc.want {
						t.Fatalf("split at %d (%.40q|%.40q): answered = %v, want %v", i, tc.sse[max(0, i-40):i], tc.sse[i:], s.answered, tc.want)
					}
				}
				for size, s := range pieceScans(mode, tc.sse) {
					if s.answered != tc.want {
						t.Fatalf("in writes of %d bytes: answered = %v, want %v", size, s.answered, tc.want)
					}
				}
			})
		}
	}
}

// TestSSEScanKeepsFirst checks the first event's data a scan keeps for a
// listen's acknowledgement, written whole or in any two pieces: the data
// of the first event that has any, its lines joined, once that event has
// ended (nothing before); keep stays set until then.
func TestSSEScanKeepsFirst(t *testing.T) {
	long := strings.Repeat("x", maxHeldEventData)
	tests := []struct {
		name  string
		sse   string
		first string
		keep  bool // still waiting for the first event to end
	}{
		{"one line", "event: message\ndata: {\"a\":1}\n\n", ` {"a":1}`, false},
		{"data on lines", "data: {\"a\":\ndata: 1}\n\n", " {\"a\":\n 1}", false},
		{"crlf", "data:{\"a\":\r\ndata:1}\r\n\r\n", "{\"a\":\n1}", false},
		{"an event without data first", ": prime\nid: 1\n\ndata:x\n\n", "x", false},
		{"a retry field first", "retry: 1000\n\ndata:x\n\n", "x", false},
		// A priming event's empty data line leaves its data empty: SSE
		// dispatches no such event.
		{"an empty data line first", "id: 1\ndata:\n\ndata:x\n\n", "x", false},
		{"the second event not taken", "data:x\n\ndata:y\n\n", "x", false},
		{"not ended", "data:x\n", "", true},
		{"line not ended", "data:x\ndata:y", "", true},
		{"ended in a later line", "data:x\ndata:y\n\n", "x\ny", false},
		{"nothing", "event: message\n", "", true},
		{"past the bound", "data:" + long + "\ndata:" + long + "\n\n", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i, s := range splitScans(sseScan{keep: true}, tc.sse) {
				if string(s.first) != tc.first || s.keep != tc.keep {
					t.Fatalf("split at %d (%.40q|%.40q): first %.40q, keep %v; want %.40q, %v", i, tc.sse[max(0, i-40):i], tc.sse[i:], s.first, s.keep, tc.first, tc.keep)
				}
			}
			for size, s := range pieceScans(sseScan{keep: true}, tc.sse) {
				if string(s.first) != tc.first || s.keep != tc.keep {
					t.Fatalf("in writes of %d bytes: first %.40q, keep %v; want %.40q, %v", size, s.first, s.keep, tc.first, tc.keep)
				}
			}
		})
	}
}

// BenchmarkSSEScan recognises the event answering a call whose result is
// 1 MiB of text, as the guard and a stream do for every event they pass
// on.
func BenchmarkSSEScan(b *testing.B) {
	event := []byte("event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"" + strings.Repeat("x", 1<<20) + "\"}]}}\n\n")
	b.SetBytes(int64(len(event)))
	b.ReportAllocs()
	for b.Loop() {
		var s sseScan
		if s.add(event); !s.answered {
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

// splitScans yields, for each place i text can be split at (a sample of
// them past 4 KiB, and each of its last four places: a long line written
// whole but for its end), a copy of mode that has read text in two writes
// split there.
func splitScans(mode sseScan, text string) iter.Seq2[int, sseScan] {
	return func(yield func(int, sseScan) bool) {
		for i := range splitPoints(len(text)) {
			s := mode
			s.add([]byte(text[:i]))
			s.add([]byte(text[i:]))
			if !yield(i, s) {
				return
			}
		}
	}
}

// splitPoints are the places a text of n bytes is split at: each of them,
// or past 4 KiB a sample of them and each of the last four.
func splitPoints(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		step := 1
		if n > 4096 {
			step = 997 // long texts: split at a sample of places
		}
		for i := 0; i <= n; i += step {
			if !yield(i) {
				return
			}
		}
		for i := max(n-3, 1); step > 1 && i <= n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

// pieceScans yields, for each size (those below 997 bytes for texts of
// 4 KiB at most), a copy of mode that has read text in writes of that
// size, the last one shorter, as bufio or a loop of small writes cuts a
// stream: many lines split, one after another.
func pieceScans(mode sseScan, text string) iter.Seq2[int, sseScan] {
	return func(yield func(int, sseScan) bool) {
		for _, size := range []int{1, 2, 3, 7, 997, 4096} {
			if size < 997 && len(text) > 4096 {
				continue
			}
			s := mode
			for rest := text; len(rest) > 0; {
				n := min(size, len(rest))
				s.add([]byte(rest[:n]))
				rest = rest[n:]
			}
			if !yield(size, s) {
				return
			}
		}
	}
}
