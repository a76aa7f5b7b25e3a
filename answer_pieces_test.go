package lambdamcp_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp"
)

// pieceCall is the call whose answer the handlers of these tests write.
const pieceCall = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}`

// answerPath runs a handler for pieceCall on one of the paths that answer
// a call at its deadline, and returns the body the client got and the
// error its read of it ended with. The handler is released once the test
// has read the answer.
type answerPath struct {
	name string
	run  func(t *testing.T, h http.HandlerFunc) (body string, err error)
}

var answerPaths = []answerPath{
	{"buffered", func(t *testing.T, h http.HandlerFunc) (string, error) {
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "pieces"})
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		out, err := lambdamcp.NewHandler(h, nil).Invoke(ctx, urlEvent(t, jsonPost(pieceCall)))
		if err != nil {
			t.Fatal(err)
		}
		var resp lambdaResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatal(err)
		}
		return string(resp.body(t)), nil
	}},
	{"local", func(t *testing.T, h http.HandlerFunc) (body string, err error) {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		req := httptest.NewRequestWithContext(ctx, "POST", "/mcp", strings.NewReader(pieceCall))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		rec := httptest.NewRecorder()
		defer func() {
			// The connection is cut: net/http's signal.
			if v := recover(); v != nil {
				if v != http.ErrAbortHandler {
					panic(v)
				}
				body, err = rec.Body.String(), io.ErrUnexpectedEOF
			}
		}()
		lambdamcp.Guard(h, nil).ServeHTTP(rec, req)
		return rec.Body.String(), nil
	}},
	{"url-stream", streamedPath(urlEvent)},
	{"rest-stream", streamedPath(restEvent)},
}

// hang runs on p a handler that answers with contentType, writes what
// write writes, and then hangs past the deadline until the answer is read.
func (p answerPath) hang(t *testing.T, contentType string, write func(http.ResponseWriter)) (string, error) {
	release := make(chan struct{})
	defer close(release)
	return p.run(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		write(w)
		<-release
	})
}

func streamedPath(build func(testing.TB, httpRequest) []byte) func(*testing.T, http.HandlerFunc) (string, error) {
	return func(t *testing.T, h http.HandlerFunc) (string, error) {
		opts := &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}, Heartbeat: -1}
		s, _ := openStream(t, splitCtx(t), lambdamcp.NewHandler(h, opts), build(t, jsonPost(pieceCall)))
		b, err := io.ReadAll(s.r)
		return string(b), err
	}
}

// answersTo returns the kinds ("result", "error") of the responses to call
// 1 in an event stream, as a client parses it.
func answersTo(t *testing.T, stream string) []string {
	t.Helper()
	var got []string
	for _, data := range sseData(stream) {
		var m map[string]any
		if err := json.Unmarshal([]byte(data), &m); err != nil {
			t.Fatalf("event data %q: %v", data, err)
		}
		if m["id"] == 1.0 && m["method"] == nil {
			got = append(got, kind(m))
		}
	}
	return got
}

// TestResponseInPieces checks a handler whose event stream reaches the
// writer in pieces (through bufio, io.Copy) and that then hangs past the
// deadline: wherever the pieces split its response, the response counts,
// and the client gets it as the call's only answer, on every path.
func TestResponseInPieces(t *testing.T) {
	const head = "event: message\n"
	tests := []struct {
		name   string
		pieces []string
	}{
		{"inside event:", []string{"event: mes", "sage\n" + resultLine + "\n\n"}},
		{"inside data:", []string{head + "da", resultLine[2:] + "\n\n"}},
		{"inside the json before result", []string{head + `data: {"jsonrpc":"2.0","id":1,"res`, `ult":{"content":[]}}` + "\n\n"}},
		{"inside the json before its value", []string{head + `data: {"jsonrpc":"2.0","id":1,"result":`, `{"content":[]}}` + "\n\n"}},
		{"between the data line and the blank line", []string{head + resultLine + "\n", "\n"}},
		{"between the cr and lf of the blank line", []string{head + resultLine + "\r\n\r", "\n"}},
		{"multi-line data", []string{head + `data: {"jsonrpc":"2.0","id":1,` + "\n" + `data: "result":{"content":[]}}` + "\n\n"}},
		{"multi-line data, split", []string{head + `data: {"jsonrpc":"2.0",` + "\ndata: ", `"id":1,` + "\n" + `data: "res`, `ult":{"content":[]}}` + "\n", "\n"}},
		{"byte by byte", strings.Split(head+resultLine+"\n\n", "")},
	}
	for _, path := range answerPaths {
		for _, tc := range tests {
			t.Run(path.name+"/"+tc.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					body, err := path.hang(t, "text/event-stream", func(w http.ResponseWriter) {
						for _, p := range tc.pieces {
							io.WriteString(w, p)
							w.(http.Flusher).Flush()
						}
					})
					if err != nil {
						t.Errorf("reading the answer: %v", err)
					}
					if diff := cmp.Diff([]string{"result"}, answersTo(t, body)); diff != "" {
						t.Errorf("answers to call 1 (-want +got):\n%s\nbody = %q", diff, body)
					}
				})
			})
		}
	}
}

// TestBatchStreamCutLocal checks a batch whose event stream the handler
// left inside an event at the deadline, on the local server, where that
// event is out already: no timeout event can follow it, and the
// connection is cut, so that the client does not read the stream as
// ended whole.
func TestBatchStreamCutLocal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,")
			w.(http.Flusher).Flush()
			<-release
		})
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		req := httptest.NewRequestWithContext(ctx, "POST", "/mcp", strings.NewReader(`[`+pieceCall+`]`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("the handler ended with %v, want the connection cut (http.ErrAbortHandler)", v)
			}
		}()
		lambdamcp.Guard(h, nil).ServeHTTP(httptest.NewRecorder(), req)
	})
}
