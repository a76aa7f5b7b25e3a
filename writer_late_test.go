package lambdamcp_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp"
)

// lateWriter answers and returns, leaving a goroutine that writes once
// more when told to, after the answer went out, and reports what the
// write returned.
type lateWriter struct {
	write  chan struct{}
	result chan int
	errs   chan error
	t      *testing.T // for lateOnLog
	flush  bool       // flush the answer before returning
}

func newLateWriter() *lateWriter {
	return &lateWriter{write: make(chan struct{}), result: make(chan int, 1), errs: make(chan error, 1)}
}

func (l *lateWriter) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"ok":true}`)
	if l.flush {
		w.(http.Flusher).Flush()
	}
	go func() {
		<-l.write
		w.Header().Set("X-Late", "1")
		n, err := io.WriteString(w, `{"late":true}`)
		l.result <- n
		l.errs <- err
	}()
}

// check tells the goroutine to write, and that its write was refused.
func (l *lateWriter) check(t *testing.T) {
	t.Helper()
	close(l.write)
	if n, err := <-l.result, <-l.errs; n != 0 || err == nil {
		t.Errorf("write after the handler returned = %d, %v; want 0 and an error", n, err)
	}
}

// TestWriteAfterReturn checks that what a handler's goroutine writes
// after the handler returned is refused, as http.ResponseWriter may not be
// used then: it would otherwise be written into a buffered Lambda
// response as it is encoded, or, locally, into net/http's buffer, which
// net/http hands to the next connection once the handler returns.
func TestWriteAfterReturn(t *testing.T) {
	for _, shape := range shapes {
		t.Run(shape.name, func(t *testing.T) {
			l := newLateWriter()
			resp := invoke(t, lambdamcp.NewHandler(l, nil), shape.build(t, jsonPost(`{}`)))
			if string(resp.body(t)) != `{"ok":true}` || resp.header("X-Late") != "" {
				t.Errorf("answer = %s with X-Late %q, want {\"ok\":true} without it", resp.body(t), resp.header("X-Late"))
			}
			l.check(t)
		})
	}
	for _, shape := range streamShapes {
		t.Run(shape.name+"-stream", func(t *testing.T) {
			l := newLateWriter()
			streamedOK(t, l, shape)
			l.check(t)
		})
	}
	t.Run("local", func(t *testing.T) {
		// Flushed, so that net/http sets no Content-Length, which would
		// refuse the late write itself: it would then be written into
		// the buffer net/http has put back for another connection.
		l := newLateWriter()
		l.flush = true
		localOK(t, l)
		l.check(t)
	})
}

// streamedOK serves one POST through h on shape's streamed front and
// checks that its answer is {"ok":true}, as the late writers' handlers
// answer before they return.
func streamedOK(t *testing.T, h http.Handler, shape eventShape) {
	t.Helper()
	opts := &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}}
	s, _ := openStream(t, streamCtx(t, time.Minute), lambdamcp.NewHandler(h, opts), shape.build(t, jsonPost(`{}`)))
	if body, _ := io.ReadAll(s.r); string(body) != `{"ok":true}` {
		t.Errorf("body = %s, want {\"ok\":true}", body)
	}
}

// localOK serves one POST through h guarded on a local server and checks
// that its answer is {"ok":true}.
func localOK(t *testing.T, h http.Handler) {
	t.Helper()
	srv := httptest.NewServer(lambdamcp.Guard(h, nil))
	defer srv.Close()
	r, err := http.Post(srv.URL+"/mcp", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if string(body) != `{"ok":true}` {
		t.Errorf("body = %s, want {\"ok\":true}", body)
	}
}

// lateOnLog is a slog.Handler that, as the request is logged, which the
// guard does once the handler returned, has a lateWriter write, and waits
// for its write to end.
type lateOnLog struct{ l *lateWriter }

func (h lateOnLog) Enabled(context.Context, slog.Level) bool { return true }
func (h lateOnLog) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h lateOnLog) WithGroup(string) slog.Handler            { return h }
func (h lateOnLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "request" {
		h.l.check(h.l.t)
	}
	return nil
}

// TestStreamWriteAfterReturn checks that, on a stream, what a handler's
// goroutine writes once the handler returned and the request is being
// logged is refused too: it would go out after the answer the log line
// describes, and past the end of a JSON answer.
func TestStreamWriteAfterReturn(t *testing.T) {
	for _, shape := range streamShapes {
		t.Run(shape.name, func(t *testing.T) {
			l := newLateWriter()
			l.t = t
			opts := &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}, Logger: slog.New(lateOnLog{l})}
			s, _ := openStream(t, streamCtx(t, time.Minute), lambdamcp.NewHandler(l, opts), shape.build(t, jsonPost(`{}`)))
			if body, _ := io.ReadAll(s.r); string(body) != `{"ok":true}` {
				t.Errorf("body = %s, want {\"ok\":true}", body)
			}
		})
	}
}
