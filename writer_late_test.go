package lambdamcp_test

import (
	"io"
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
}

func newLateWriter() *lateWriter {
	return &lateWriter{write: make(chan struct{}), result: make(chan int, 1), errs: make(chan error, 1)}
}

func (l *lateWriter) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"ok":true}`)
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
			opts := &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}}
			s, _ := openStream(t, streamCtx(t, time.Minute), lambdamcp.NewHandler(l, opts), shape.build(t, jsonPost(`{}`)))
			if body, _ := io.ReadAll(s.r); string(body) != `{"ok":true}` {
				t.Errorf("body = %s, want {\"ok\":true}", body)
			}
			l.check(t)
		})
	}
	t.Run("local", func(t *testing.T) {
		l := newLateWriter()
		srv := httptest.NewServer(lambdamcp.Guard(l, nil))
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
		l.check(t)
	})
}
