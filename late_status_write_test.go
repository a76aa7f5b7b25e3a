package lambdamcp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp"
)

// lateProgress and lateError are what lateCopyHandler writes: an event,
// then, after a late 400, the error as plain JSON.
const (
	lateProgress = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":\"p1\",\"progress\":1}}\n\n"
	lateError    = `{"jsonrpc":"2.0","id":42,"error":{"code":-32602,"message":"no such argument"}}`
)

// readOnly hides a reader's WriteTo, so that io.Copy checks the counts
// Write reports itself.
type readOnly struct{ io.Reader }

// lateCopyHandler begins an event stream, sets a late 400 as the go-sdk
// does for an error after progress, and copies the error into the answer
// with io.Copy from the reader src makes. It sends io.Copy's error, or
// what it panicked with, on copied.
func lateCopyHandler(src func() io.Reader, copied chan<- error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				copied <- fmt.Errorf("panicked: %v", v)
				panic(v)
			}
		}()
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, lateProgress)
		w.(http.Flusher).Flush()
		w.WriteHeader(http.StatusBadRequest)
		_, err := io.Copy(w, src())
		copied <- err
	})
}

// TestLateStatusWriteCountsCallersBytes checks that a write after a late
// status, which goes out framed as an event and so longer than it was
// given, or is held until its JSON is whole, reports the caller's bytes:
// io.Copy refuses a count above what it wrote (a reader's WriteTo panics),
// which would fail a handler copying its error into the answer.
func TestLateStatusWriteCountsCallersBytes(t *testing.T) {
	const framed = lateProgress + "event: message\ndata: " + lateError + "\n\n"
	req := jsonPost(`{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"picky","arguments":{}}}`, "MCP-Protocol-Version", legacy)
	paths := []struct {
		name       string
		wantStatus int
		wantBody   string
		serve      func(t *testing.T, ctx context.Context, h http.Handler) (status int, body string)
	}{
		{"local", http.StatusOK, framed, func(t *testing.T, ctx context.Context, h http.Handler) (int, string) {
			resp, body := serveLocal(t, ctx, h, req)
			return resp.StatusCode, body
		}},
		// The buffered answer is still held: the go-sdk's takes its place.
		{"buffered", http.StatusBadRequest, lateError, func(t *testing.T, ctx context.Context, h http.Handler) (int, string) {
			out, err := lambdamcp.NewHandler(h, nil).Invoke(ctx, urlEvent(t, req))
			if err != nil {
				t.Fatal(err)
			}
			var resp lambdaResponse
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
			return resp.StatusCode, string(resp.body(t))
		}},
		{"streamed", http.StatusOK, framed, func(t *testing.T, ctx context.Context, h http.Handler) (int, string) {
			lh := lambdamcp.NewHandler(h, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}})
			st, head := openStream(t, ctx, lh, urlEvent(t, req))
			body, err := io.ReadAll(st.r)
			if err != nil {
				t.Fatalf("reading the stream: %v", err)
			}
			return head.StatusCode, string(body)
		}},
	}
	sources := []struct {
		name string
		src  func() io.Reader
	}{
		{"reader", func() io.Reader { return readOnly{strings.NewReader(lateError)} }},
		{"writer to", func() io.Reader { return strings.NewReader(lateError) }},
		// Held until the JSON is whole, each write still counts its byte.
		{"byte by byte", func() io.Reader { return readOnly{iotest.OneByteReader(strings.NewReader(lateError))} }},
	}
	for _, p := range paths {
		for _, s := range sources {
			t.Run(p.name+"/"+s.name, func(t *testing.T) {
				// Bounded, so that a handler or an answer that never ends
				// fails the test rather than hanging it.
				ctx := streamCtx(t, 10*time.Second)
				copied := make(chan error, 1)
				status, body := p.serve(t, ctx, lateCopyHandler(s.src, copied))
				select {
				case err := <-copied:
					if err != nil {
						t.Errorf("io.Copy after the late status: %v, want no error", err)
					}
				case <-ctx.Done():
					t.Fatal("the handler did not finish its copy")
				}
				if status != p.wantStatus {
					t.Errorf("status = %d, want %d", status, p.wantStatus)
				}
				if diff := cmp.Diff(p.wantBody, body); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
			})
		}
	}
}
