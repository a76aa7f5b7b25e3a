package lambdamcp_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/lambdamcp/lambdamcp"
)

// lateStatus answers and returns, leaving a goroutine that sets a status
// no answer may carry when told to, and reports what it panicked with.
type lateStatus struct {
	code     int
	write    chan struct{}
	panicked chan any
}

func (l *lateStatus) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"ok":true}`)
	go func() {
		defer func() { l.panicked <- recover() }()
		<-l.write
		w.WriteHeader(l.code)
	}()
}

// check tells the goroutine to set its status, and that it was dropped.
func (l *lateStatus) check(t *testing.T) {
	t.Helper()
	close(l.write)
	if v := <-l.panicked; v != nil {
		t.Errorf("WriteHeader(%d) after the handler returned panicked: %v; want it dropped as a write is", l.code, v)
	}
}

// TestWriteHeaderAfterReturn checks that a status a goroutine of the
// handler's sets after the handler returned is dropped, whatever it is, as
// its writes are: net/http does not look at the code of a status that
// comes after the answer, and a panic on a goroutine of the handler's own,
// which nothing recovers, would end the process and every invocation in it.
func TestWriteHeaderAfterReturn(t *testing.T) {
	for _, code := range []int{0, 101, 600, 1000} {
		for _, shape := range shapes {
			t.Run(fmt.Sprint(shape.name, "/", code), func(t *testing.T) {
				l := &lateStatus{code: code, write: make(chan struct{}), panicked: make(chan any, 1)}
				resp := invoke(t, lambdamcp.NewHandler(l, nil), shape.build(t, jsonPost(`{}`)))
				if string(resp.body(t)) != `{"ok":true}` {
					t.Errorf("answer = %s, want {\"ok\":true}", resp.body(t))
				}
				l.check(t)
			})
		}
		for _, shape := range streamShapes {
			t.Run(fmt.Sprint(shape.name, "-stream/", code), func(t *testing.T) {
				l := &lateStatus{code: code, write: make(chan struct{}), panicked: make(chan any, 1)}
				streamedOK(t, l, shape)
				l.check(t)
			})
		}
		t.Run(fmt.Sprint("local/", code), func(t *testing.T) {
			l := &lateStatus{code: code, write: make(chan struct{}), panicked: make(chan any, 1)}
			localOK(t, l)
			l.check(t)
		})
	}
}
