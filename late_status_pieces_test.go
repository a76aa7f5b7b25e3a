package lambdamcp_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/google/go-cmp/cmp"
)

// lateAnswerPaths are the answer paths whose event stream is out when a
// late status comes, so that what follows it is framed as events: the
// local server and the streamed invocations. (A buffered invocation's
// stream is still held: the go-sdk's answer takes its place whole.)
func lateAnswerPaths() []answerPath {
	var paths []answerPath
	for _, p := range answerPaths {
		if p.name != "buffered" {
			paths = append(paths, p)
		}
	}
	return paths
}

// writeLate begins an event stream with progress, sets a late 400, as
// the go-sdk does for an error after progress, and writes pieces.
func writeLate(w http.ResponseWriter, pieces []string) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, lateProgress)
	w.(http.Flusher).Flush()
	w.WriteHeader(http.StatusBadRequest)
	for _, p := range pieces {
		io.WriteString(w, p)
		w.(http.Flusher).Flush()
	}
}

// framedEvent is text as one message event, a data line for each of its
// lines.
func framedEvent(text string) string {
	var b strings.Builder
	b.WriteString("event: message\n")
	for line := range strings.Lines(strings.TrimSpace(text)) {
		b.WriteString("data: " + strings.TrimRight(line, "\n") + "\n")
	}
	return b.String() + "\n"
}

// TestLateStatusInPieces checks a handler that writes its JSON answer
// after a late status in several writes: the answer goes out as one event
// once its JSON is whole, wherever the writes split it (inside a string,
// an escape, between members, over lines, white space apart), on every
// path that frames it. Framed write by write, each piece was an event of
// its own, which no client could parse. Each value is an event of its
// own, too, where one write finishes a value and holds or begins another:
// one event's data holding two values is no JSON either.
func TestLateStatusInPieces(t *testing.T) {
	const tricky = `{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"no \"such\" {argument] \\"}}`
	const indented = "{\n  \"jsonrpc\": \"2.0\",\n  \"id\": 1,\n  \"error\": {\"code\": -32601, \"message\": \"no such method\"}\n}"
	type test struct {
		name   string
		pieces []string
		want   []string // the JSON text each event carries
	}
	tests := []test{
		{"whole", []string{lateError}, []string{lateError}},
		{"inside a string", []string{lateError[:60], lateError[60:]}, []string{lateError}},
		{"between members", strings.SplitAfter(lateError, ","), []string{lateError}},
		{"inside an escape", []string{tricky[:strings.Index(tricky, `\"`)+1], tricky[strings.Index(tricky, `\"`)+1:]}, []string{tricky}},
		{"brackets in strings", []string{tricky[:strings.Index(tricky, "]")], tricky[strings.Index(tricky, "]"):]}, []string{tricky}},
		{"byte by byte", strings.Split(lateError, ""), []string{lateError}},
		{"over lines", strings.SplitAfter(indented, "\n"), []string{indented}},
		{"white space apart", []string{"\n", lateError, "\n"}, []string{lateError}},
		{"value and white space", []string{lateError + "\n\t "}, []string{lateError}},
		// Two values in one write are two events: one event's data holding
		// both is no JSON a client parses.
		{"two values in one write", []string{lateError + tricky}, []string{lateError, tricky}},
		{"two values a line apart", []string{lateError + "\n" + indented + "\n"}, []string{lateError, indented}},
		{"a value and an array", []string{lateError + " [" + lateError + "]"}, []string{lateError, "[" + lateError + "]"}},
		{"three values, the last in pieces", []string{lateError + tricky + tricky[:20], tricky[20:]}, []string{lateError, tricky, tricky}},
		{"a value and text", []string{lateError + "no json"}, []string{lateError, "no json"}},
		{"two values byte by byte", strings.Split(lateError+tricky, ""), []string{lateError, tricky}},
	}
	// Two values split across writes at every byte: the first goes out
	// once whole, the second once whole, wherever the split falls.
	two := lateError + "\n" + tricky
	for i := 1; i < len(two); i++ {
		tests = append(tests, test{fmt.Sprintf("two values split at %d", i), []string{two[:i], two[i:]}, []string{lateError, tricky}})
	}
	for _, path := range lateAnswerPaths() {
		for _, tc := range tests {
			t.Run(path.name+"/"+tc.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					body, err := path.run(t, func(w http.ResponseWriter, _ *http.Request) { writeLate(w, tc.pieces) })
					if err != nil {
						t.Errorf("reading the answer: %v", err)
					}
					want := lateProgress
					for _, v := range tc.want {
						want += framedEvent(v)
					}
					if diff := cmp.Diff(want, body); diff != "" {
						t.Errorf("body (-want +got):\n%s", diff)
					}
				})
			})
		}
	}
}

// TestLateStatusUnfinished checks a handler that leaves the JSON it
// writes after a late status unfinished: no part of it goes out as an
// event, though a whole value written before it, in the same write or
// not, does. A handler that returns so ends the stream with an error (a
// cut connection, the invocation's error trailers); one that hangs past
// the deadline, no response having gone out, has the call answered by
// the deadline's error, an event of its own.
func TestLateStatusUnfinished(t *testing.T) {
	tests := []struct {
		name   string
		pieces []string
		whole  string // the JSON text of the value framed before the unfinished one, if any
	}{
		{"half a value", []string{lateError[:30], lateError[30:50]}, ""},
		// The first value is whole and goes out; the second's start,
		// written with it, is held and never framed.
		{"a value then half", []string{lateError + "\n" + lateError[:30]}, lateError},
		{"a value then half, in pieces", []string{lateError[:40], lateError[40:] + lateError[:30], lateError[30:50]}, lateError},
	}
	for _, path := range lateAnswerPaths() {
		for _, tc := range tests {
			framed := lateProgress
			if tc.whole != "" {
				framed += framedEvent(tc.whole)
			}
			t.Run(path.name+"/"+tc.name+"/handler returns", func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					body, err := path.run(t, func(w http.ResponseWriter, _ *http.Request) { writeLate(w, tc.pieces) })
					if err == nil {
						t.Error("the answer ended cleanly, want an error")
					}
					if diff := cmp.Diff(framed, body); diff != "" {
						t.Errorf("body (-want +got):\n%s", diff)
					}
				})
			})
			t.Run(path.name+"/"+tc.name+"/deadline", func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					body, err := path.hang(t, "text/event-stream", func(w http.ResponseWriter) { writeLate(w, tc.pieces) })
					if err != nil {
						t.Errorf("reading the answer: %v", err)
					}
					if tc.whole != "" {
						// The whole value, a JSON-RPC response, answered
						// the call: the deadline adds nothing.
						if diff := cmp.Diff(framed, body); diff != "" {
							t.Errorf("body (-want +got):\n%s", diff)
						}
						return
					}
					if !strings.HasPrefix(body, framed) {
						t.Fatalf("body = %q, want the progress first", body)
					}
					if diff := cmp.Diff([]string{"error"}, answersTo(t, body)); diff != "" {
						t.Errorf("answers to call 1 (-want +got):\n%s\nbody = %q", diff, body)
					}
				})
			})
		}
	}
}

// TestLateStatusPastBound checks a handler whose JSON after a late status
// runs past the 64 KiB held for it before it is whole: the write fails,
// nothing of it goes out, and the stream ends with an error when the
// handler returns. A value written whole is framed however long, and so
// is each of the values a write holds whole.
func TestLateStatusPastBound(t *testing.T) {
	long := strings.Repeat("x", 70<<10)
	start := `{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"`
	end := `"}}`
	for _, path := range lateAnswerPaths() {
		t.Run(path.name+"/in pieces", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var writeErr error
				body, err := path.run(t, func(w http.ResponseWriter, _ *http.Request) {
					writeLate(w, []string{start})
					_, writeErr = io.WriteString(w, long)
					io.WriteString(w, end)
				})
				if writeErr == nil {
					t.Error("the write past the bound succeeded, want an error")
				}
				if err == nil {
					t.Error("the answer ended cleanly, want an error")
				}
				if diff := cmp.Diff(lateProgress, body); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
			})
		})
		t.Run(path.name+"/whole", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				whole := start + long + end
				body, err := path.run(t, func(w http.ResponseWriter, _ *http.Request) { writeLate(w, []string{whole}) })
				if err != nil {
					t.Errorf("reading the answer: %v", err)
				}
				if body != lateProgress+framedEvent(whole) {
					t.Errorf("body = %.200q…, want the progress and the value as one event", body)
				}
			})
		})
		t.Run(path.name+"/two whole", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				whole := start + long + end
				body, err := path.run(t, func(w http.ResponseWriter, _ *http.Request) { writeLate(w, []string{whole + whole}) })
				if err != nil {
					t.Errorf("reading the answer: %v", err)
				}
				if body != lateProgress+framedEvent(whole)+framedEvent(whole) {
					t.Errorf("body = %.200q…, want the progress and each value as one event", body)
				}
			})
		})
		// A write that finishes a value and begins one past the bound:
		// the whole value goes out, the write fails, and its count stops
		// at the value's end.
		t.Run(path.name+"/after a value", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var n int
				var writeErr error
				body, err := path.run(t, func(w http.ResponseWriter, _ *http.Request) {
					writeLate(w, nil)
					n, writeErr = io.WriteString(w, lateError+start+long)
					io.WriteString(w, end)
				})
				if writeErr == nil || n != len(lateError) {
					t.Errorf("the write past the bound = %d, %v, want %d and an error", n, writeErr, len(lateError))
				}
				if err == nil {
					t.Error("the answer ended cleanly, want an error")
				}
				if diff := cmp.Diff(lateProgress+framedEvent(lateError), body); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// TestRepeatedStatusIgnored checks a handler that sets a status again
// after its event stream began, one that is no late status: the status it
// sent already, as a superfluous WriteHeader does, or an interim one. The
// call is not held for a late answer, and the stream it wrote goes out as
// it wrote it, on every path (net/http ignores such a call too).
func TestRepeatedStatusIgnored(t *testing.T) {
	const result = "event: message\n" + resultLine + "\n\n"
	for _, tc := range []struct {
		name   string
		status int
	}{
		{"the same status", http.StatusOK},
		{"an interim status", http.StatusContinue},
	} {
		for _, path := range answerPaths {
			t.Run(path.name+"/"+tc.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					body, err := path.run(t, func(w http.ResponseWriter, _ *http.Request) {
						w.Header().Set("Content-Type", "text/event-stream")
						w.WriteHeader(http.StatusOK)
						io.WriteString(w, lateProgress)
						w.(http.Flusher).Flush()
						w.WriteHeader(tc.status)
						io.WriteString(w, result)
					})
					if err != nil {
						t.Errorf("reading the answer: %v", err)
					}
					if diff := cmp.Diff(lateProgress+result, body); diff != "" {
						t.Errorf("body (-want +got):\n%s", diff)
					}
				})
			})
		}
	}
}
