package lambdamcp_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// lateTextError is how the call of pieceCall is answered when its
// handler fails with http.Error's "boom" after its event stream began.
const lateTextError = `{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"boom"}}`

// failAfter begins an event stream with what it writes first, and then
// fails with http.Error, in plain text, as a handler does that meets an
// error once the stream is under way.
func failAfter(first string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, first)
		w.(http.Flusher).Flush()
		http.Error(w, "boom", http.StatusInternalServerError)
	}
}

// TestPlainTextErrorAfterStreamBegan checks a handler that calls
// http.Error after its event stream began: where the stream is out, the
// call not yet answered gets the error as a JSON-RPC error event, by its
// id, which clients read; a call answered already gets nothing more.
// Where the stream is still held (a buffered invocation), the error takes
// its place, as JSON. Framed as it came, "data: boom" was an event no
// client parses.
func TestPlainTextErrorAfterStreamBegan(t *testing.T) {
	result := "event: message\n" + resultLine + "\n\n"
	for _, path := range answerPaths {
		t.Run(path.name+"/unanswered", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				body, err := path.run(t, failAfter(lateProgress))
				if err != nil {
					t.Errorf("reading the answer: %v", err)
				}
				want := lateProgress + framedEvent(lateTextError)
				if path.name == "buffered" {
					want = lateTextError
				}
				if diff := cmp.Diff(want, body); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
			})
		})
		if path.name == "buffered" {
			continue // the error takes the held stream's place, answered or not
		}
		t.Run(path.name+"/answered", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				body, err := path.run(t, failAfter(lateProgress+result))
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

// TestPlainTextErrorAfterStreamBeganBuffered checks the head of a
// buffered invocation's answer to a handler that calls http.Error after
// its event stream began: the status the handler chose, with JSON.
func TestPlainTextErrorAfterStreamBeganBuffered(t *testing.T) {
	h := lambdamcp.NewHandler(failAfter(lateProgress), nil)
	resp := invoke(t, h, urlEvent(t, jsonPost(pieceCall)))
	if body := strings.TrimSpace(string(resp.body(t))); resp.StatusCode != 500 || resp.header("Content-Type") != "application/json" || body != lateTextError {
		t.Errorf("answer = %d %q %q, want 500 application/json %s", resp.StatusCode, resp.header("Content-Type"), body, lateTextError)
	}
}

// TestSDKClientReadsPlainTextErrorAfterStreamBegan calls, through the
// guard over real HTTP, a tool whose handler fails with http.Error after
// its event stream began: the go-sdk's client gets the JSON-RPC error, as
// it would have before the stream began, rather than a broken stream.
func TestSDKClientReadsPlainTextErrorAfterStreamBegan(t *testing.T) {
	sdk := streamable(namedServer(t, nil))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Mcp-Method") != "tools/call" {
			sdk.ServeHTTP(w, r)
			return
		}
		failAfter(`event: message`+"\n"+`data: {"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"started"}}`+"\n\n")(w, r)
	})
	srv := httptest.NewServer(lambdamcp.Guard(h, hardOptions(new(bytes.Buffer))))
	defer srv.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "1"}, nil).Connect(t.Context(),
		&mcp.StreamableClientTransport{Endpoint: srv.URL, DisableStandaloneSSE: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	_, err = cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "echo"})
	var rpcErr *jsonrpc.Error
	if !errors.As(err, &rpcErr) || rpcErr.Code != -32603 || rpcErr.Message != "boom" {
		t.Fatalf("call: %v; want the JSON-RPC error -32603 boom", err)
	}
}

// TestPlainTextErrorAfterBatchStreamBegan checks a batch (2025-03-26)
// whose handler answers one call in its event stream and then fails with
// http.Error: where the stream is out, each call not yet answered gets the
// error as an event, by its id; where it is still held (a buffered
// invocation), the error of each call takes its place, as JSON-RPC 2.0
// answers a batch.
func TestPlainTextErrorAfterBatchStreamBegan(t *testing.T) {
	batch := jsonPost(`[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}},` +
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"y"}}]`)
	result := "event: message\n" + resultLine + "\n\n"
	errorOf := func(id string) string {
		return `{"jsonrpc":"2.0","id":` + id + `,"error":{"code":-32603,"message":"boom"}}`
	}
	h := failAfter(result)
	t.Run("buffered", func(t *testing.T) {
		resp := invoke(t, lambdamcp.NewHandler(h, nil), urlEvent(t, batch))
		want := "[" + errorOf("1") + "," + errorOf("2") + "]"
		if body := strings.TrimSpace(string(resp.body(t))); resp.StatusCode != 500 || body != want {
			t.Errorf("answer = %d %s, want 500 %s", resp.StatusCode, body, want)
		}
	})
	// A batch whose errors, one a call, would run past 64 KiB gets one
	// error without an id, which says how many calls it answers for.
	t.Run("buffered, too many to answer each", func(t *testing.T) {
		const calls = 250 // ids of 200 bytes
		var many strings.Builder
		for i := range calls {
			many.WriteString(map[bool]string{true: "[", false: ","}[i == 0])
			fmt.Fprintf(&many, `{"jsonrpc":"2.0","id":"%s%03d","method":"tools/call","params":{"name":"x"}}`, strings.Repeat("i", 197), i)
		}
		many.WriteString("]")
		resp := invoke(t, lambdamcp.NewHandler(h, nil), urlEvent(t, jsonPost(many.String())))
		want := fmt.Sprintf(`{"jsonrpc":"2.0","error":{"code":-32603,"message":"boom (the batch holds %d requests, too many to answer each)"}}`, calls)
		if body := strings.TrimSpace(string(resp.body(t))); resp.StatusCode != 500 || body != want {
			t.Errorf("answer = %d %.300s, want 500 %s", resp.StatusCode, body, want)
		}
	})
	t.Run("local", func(t *testing.T) {
		w := serveLocally(lambdamcp.Guard(h, nil), batch, nil)
		if diff := cmp.Diff(result+framedEvent(errorOf("2")), w.Body.String()); diff != "" {
			t.Errorf("body (-want +got):\n%s", diff)
		}
	})
	t.Run("url-stream", func(t *testing.T) {
		opts := &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}, Heartbeat: -1}
		s, _ := openStream(t, splitCtx(t), lambdamcp.NewHandler(h, opts), urlEvent(t, batch))
		b, err := io.ReadAll(s.r)
		if err != nil {
			t.Errorf("reading the answer: %v", err)
		}
		if diff := cmp.Diff(result+framedEvent(errorOf("2")), string(b)); diff != "" {
			t.Errorf("body (-want +got):\n%s", diff)
		}
	})
}

// TestPlainTextErrorAfterAnswerLogged checks that a handler failing with
// http.Error after its event stream answered the call, whose error goes
// to no client, is logged as the request's error.
func TestPlainTextErrorAfterAnswerLogged(t *testing.T) {
	var logs bytes.Buffer
	h := lambdamcp.Guard(failAfter("event: message\n"+resultLine+"\n\n"), &lambdamcp.Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	serveLocally(h, jsonPost(pieceCall), nil)
	var line struct {
		Outcome   string `json:"outcome"`
		ErrorCode int    `json:"error_code"`
		Level     string `json:"level"`
	}
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("log %q: %v", logs.String(), err)
	}
	if line.Outcome != "error" || line.ErrorCode != -32603 || line.Level != "WARN" {
		t.Errorf("log line = %s, want a warning of outcome error, error_code -32603", logs.String())
	}
}

// TestPlainTextErrorInsideEvent checks a handler that calls http.Error
// in the middle of an event of its stream: no event can follow the part
// that is out, so the stream ends with an error; a buffered invocation's
// stream, still held, has the call's error in its place.
func TestPlainTextErrorInsideEvent(t *testing.T) {
	for _, path := range answerPaths {
		t.Run(path.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const half = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,"
				body, err := path.run(t, failAfter(half))
				if path.name == "buffered" {
					if body != lateTextError {
						t.Errorf("body = %q, want %s", body, lateTextError)
					}
					return
				}
				if err == nil {
					t.Error("the answer ended cleanly, want an error")
				}
				if body != half {
					t.Errorf("body = %q, want %q, cut there", body, half)
				}
			})
		})
	}
}

// TestPlainTextErrorAfterStreamBeganTraced checks that a tracer is told
// the message of the error a plain-text failure after the event stream
// began was answered as, as it is of every other error it is told the
// code of.
func TestPlainTextErrorAfterStreamBeganTraced(t *testing.T) {
	tr := &resultTracer{}
	h := lambdamcp.Guard(failAfter(lateProgress), &lambdamcp.Options{Tracer: tr})
	serveLocally(h, jsonPost(pieceCall), nil)
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.last.ErrorCode != "-32603" || tr.last.ErrorMessage != "boom" {
		t.Errorf("error = %q %q, want -32603 \"boom\"", tr.last.ErrorCode, tr.last.ErrorMessage)
	}
}
