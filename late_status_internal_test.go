package lambdamcp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
)

// shortWriter is a ResponseWriter whose connection takes only room bytes
// more.
type shortWriter struct {
	header http.Header
	room   int
}

func (w *shortWriter) Header() http.Header { return w.header }
func (w *shortWriter) WriteHeader(int)     {}
func (w *shortWriter) Write(p []byte) (int, error) {
	if len(p) <= w.room {
		w.room -= len(p)
		return len(p), nil
	}
	n := w.room
	w.room = 0
	return n, io.ErrShortWrite
}

// TestShortLateWriteCounts checks that a write after a late status that
// goes out only in part, its frame included, reports no more bytes than
// the caller gave, and an error, on the local server's writer and a
// streamed invocation's.
func TestShortLateWriteCounts(t *testing.T) {
	p := []byte(`{"jsonrpc":"2.0","id":42,"error":{"code":-32602,"message":"no such argument"}}`)
	framed := len(sseEvent(p))
	writers := []struct {
		name string
		// write writes p after a late status to a writer that takes room
		// bytes of it.
		write func(t *testing.T, room int) (int, error)
	}{
		{"local", func(t *testing.T, room int) (int, error) {
			dw := newDetachableWriter(&guardWriter{ResponseWriter: &shortWriter{header: make(http.Header)}})
			dw.Header().Set("Content-Type", "text/event-stream")
			dw.WriteHeader(http.StatusOK)
			dw.WriteHeader(http.StatusBadRequest)
			dw.w.ResponseWriter.(*shortWriter).room = room
			return dw.Write(p)
		}},
		{"streamed", func(t *testing.T, room int) (int, error) {
			pr, pw := io.Pipe()
			_, cancel := context.WithCancelCause(t.Context())
			w := &streamWriter{header: make(http.Header), pw: pw, ready: make(chan streamHead, 1), cancel: cancel,
				done: make(chan struct{}), finished: make(chan struct{})}
			w.header.Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			w.WriteHeader(http.StatusBadRequest)
			// The reader takes room bytes, then goes: the write, which
			// waits for it, returns then.
			go func() {
				io.ReadFull(pr, make([]byte, room))
				pr.CloseWithError(io.ErrShortWrite)
			}()
			return w.Write(p)
		}},
	}
	rooms := []struct {
		name string
		room int
	}{
		{"nothing", 0},
		{"within the caller's bytes", len(p) - 1},
		{"as many as the caller's", len(p)},
		{"more than the caller's", len(p) + 10},
		{"all but the frame's last byte", framed - 1},
	}
	for _, w := range writers {
		for _, r := range rooms {
			t.Run(w.name+"/"+r.name, func(t *testing.T) {
				n, err := w.write(t, r.room)
				if n > len(p) || n < 0 {
					t.Errorf("Write of %d bytes, %d of its %d framed taken, reported %d", len(p), r.room, framed, n)
				}
				if !errors.Is(err, io.ErrShortWrite) {
					t.Errorf("Write error = %v, want %v", err, io.ErrShortWrite)
				}
			})
		}
	}
}
