package lambdamcp_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdamcp/lambdamcp"
)

// TestUnfinishedJSONAtDeadline checks a handler that begins a JSON answer
// and hangs past the deadline with it empty or cut short: the client is
// not handed it as a success. A buffered answer, still held, is replaced by
// the deadline's error; where the head is out, the local connection is cut
// and a stream ends with an error. A whole answer stands. A JSON type of
// its own (…+json) is read as JSON on every path, as isJSON reads it. A
// status sent with no type is no answer either, on every path, as a stream
// has it.
func TestUnfinishedJSONAtDeadline(t *testing.T) {
	tests := []struct {
		name  string
		write func(w http.ResponseWriter)
		whole bool
	}{
		{"status, empty", func(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) }, false},
		{"flushed, empty", func(w http.ResponseWriter) { w.(http.Flusher).Flush() }, false},
		{"cut object", func(w http.ResponseWriter) { io.WriteString(w, `{"jsonrpc":"2.0","id":1,"res`) }, false},
		{"cut batch", func(w http.ResponseWriter) { io.WriteString(w, `[{"jsonrpc":"2.0","id":1,"result":{}}`) }, false},
		{"whole", func(w http.ResponseWriter) { io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":{}}`) }, true},
		{"whole batch", func(w http.ResponseWriter) { io.WriteString(w, `[{"jsonrpc":"2.0","id":1,"result":{"s":"]}"}}]`) }, true},
	}
	for _, path := range answerPaths {
		for _, contentType := range []string{"application/json", "Application/Problem+JSON; charset=utf-8", ""} {
			for _, tc := range tests {
				if contentType == "" && !strings.HasSuffix(tc.name, "empty") {
					continue // an answer without a type is not read as JSON
				}
				t.Run(path.name+"/"+contentType+"/"+tc.name, func(t *testing.T) {
					synctest.Test(t, func(t *testing.T) {
						body, err := path.hang(t, contentType, func(w http.ResponseWriter) {
							tc.write(w)
							w.(http.Flusher).Flush()
						})
						switch {
						case tc.whole:
							if err != nil || !json.Valid([]byte(body)) {
								t.Errorf("answer %q, %v; want the handler's, whole", body, err)
							}
						default:
							checkNoAnswer(t, path.name, body, err)
						}
					})
				})
			}
		}
	}
}

// TestTypelessAnswerAtDeadline checks a handler that sends a head without
// a type, with no Content-Type at all or one with no value, and hangs past
// the deadline: with no byte of body it is no answer, on every path, even
// where the status was chosen by an empty write; with a body it stands, as
// does an answer whose status carries none (202, 204).
func TestTypelessAnswerAtDeadline(t *testing.T) {
	headers := []struct {
		name string
		set  func(http.Header)
	}{
		{"no Content-Type", func(http.Header) {}},
		{"empty Content-Type", func(h http.Header) { h.Set("Content-Type", "") }},
	}
	tests := []struct {
		name   string
		write  func(w http.ResponseWriter)
		stands bool   // the handler's answer stands
		want   string // its body, if it stands
	}{
		{"status", func(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) }, false, ""},
		{"empty write", func(w http.ResponseWriter) { w.Write(nil) }, false, ""},
		{"body", func(w http.ResponseWriter) { io.WriteString(w, "accepted") }, true, "accepted"},
		{"accepted", func(w http.ResponseWriter) { w.WriteHeader(http.StatusAccepted) }, true, ""},
		{"no content", func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }, true, ""},
	}
	for _, path := range answerPaths {
		for _, hd := range headers {
			for _, tc := range tests {
				t.Run(path.name+"/"+hd.name+"/"+tc.name, func(t *testing.T) {
					synctest.Test(t, func(t *testing.T) {
						release := make(chan struct{})
						defer close(release)
						body, err := path.run(t, func(w http.ResponseWriter, _ *http.Request) {
							hd.set(w.Header())
							tc.write(w)
							w.(http.Flusher).Flush()
							<-release
						})
						switch {
						case tc.stands:
							if err != nil || body != tc.want {
								t.Errorf("answer %q, %v; want the handler's %q, ended cleanly", body, err, tc.want)
							}
						default:
							checkNoAnswer(t, path.name, body, err)
						}
					})
				})
			}
		}
	}
}

// checkNoAnswer checks what the client got on a path for a call the
// handler left unanswered at the deadline: the deadline's error in place
// of a buffered answer, still held; elsewhere, where the head is out, a
// read that ends with an error rather than cleanly.
func checkNoAnswer(t *testing.T, path, body string, err error) {
	t.Helper()
	if path != "buffered" {
		if err == nil {
			t.Errorf("answer %q ended cleanly, want an error", body)
		}
		return
	}
	var got struct {
		ID    any
		Error struct{ Code int }
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || got.ID != 1.0 || got.Error.Code != -32001 {
		t.Errorf("answer %q (%v), want the deadline's error answering call 1", body, err)
	}
}

// TestUnfinishedJSONPastLimitAtDeadline checks a buffered handler that
// hangs past the deadline with a JSON answer cut short after it ran past
// the response limit: it answered nothing in time, and the call gets the
// deadline's error, as for an answer cut short under the limit; a whole
// answer past the limit gets the error of a response too large.
func TestUnfinishedJSONPastLimitAtDeadline(t *testing.T) {
	for _, tc := range []struct {
		name, end string
		code      int
	}{
		{"cut", "", -32001},
		{"whole", `"}}`, -32603},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				release := make(chan struct{})
				defer close(release)
				h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":{"s":"`+strings.Repeat("x", 2*testMaxResponse)+tc.end)
					<-release
				}), &lambdamcp.Options{Limits: lambdamcp.Limits{MaxResponseBytes: testMaxResponse}})
				ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "cut-past-limit"})
				ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				defer cancel()
				out, err := h.Invoke(ctx, urlEvent(t, jsonPost(pieceCall)))
				if err != nil {
					t.Fatal(err)
				}
				var resp lambdaResponse
				if err := json.Unmarshal(out, &resp); err != nil {
					t.Fatal(err)
				}
				var got struct {
					ID    any
					Error struct {
						Code    int
						Message string
					}
				}
				if err := json.Unmarshal(resp.body(t), &got); err != nil || got.ID != 1.0 || got.Error.Code != tc.code {
					t.Errorf("answer %.300s (%v), want the error %d answering call 1", resp.body(t), err, tc.code)
				}
			})
		})
	}
}
