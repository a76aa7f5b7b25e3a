package lambdamcp_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp"
)

// sessionTracer is a Tracer that keeps the session each span is told.
type sessionTracer struct {
	mu       sync.Mutex
	sessions []string
}

func (tr *sessionTracer) Start(ctx context.Context, _ lambdamcp.RequestInfo) (context.Context, func(lambdamcp.RequestResult)) {
	return ctx, func(r lambdamcp.RequestResult) {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		tr.sessions = append(tr.sessions, r.SessionID)
	}
}

// waitWriter holds every write until ready is closed.
type waitWriter struct{ ready <-chan struct{} }

func (w waitWriter) Write(p []byte) (int, error) {
	<-w.ready
	return len(p), nil
}

// lateHeaderMargin ends a minute's streamed invocation 100 ms in, with
// its answer; the backstop that would cut the stream instead is half a
// minute away.
const lateHeaderMargin = 2*time.Minute - 200*time.Millisecond

// TestStreamSpanSessionIsTheHeadSent checks that the span of a streamed
// invocation that ended at its deadline is told the session of the head
// that went out (lambdamcp's own timeout answer, which names none), not a
// header the handler, still running, set after the stream ended: the
// handler's header map is its own then, and reading it raced its writes.
func TestStreamSpanSessionIsTheHeadSent(t *testing.T) {
	set := make(chan struct{})
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // the stream ended at the deadline
		w.Header().Set("Mcp-Session-Id", "never-sent")
		close(set)
	})
	tr := &sessionTracer{}
	h := lambdamcp.NewHandler(handler, &lambdamcp.Options{
		Stream:         []lambdamcp.Shape{lambdamcp.ShapeURL},
		DeadlineMargin: lateHeaderMargin,
		Tracer:         tr,
		// The request's line is written before the span ends: held until
		// the handler has set its header.
		Logger: slog.New(slog.NewJSONHandler(waitWriter{set}, nil)),
	})
	st, head := openStream(t, streamCtx(t, time.Minute), h, urlEvent(t, call("slow", `{}`)))
	if got := head.header("Mcp-Session-Id"); got != "" {
		t.Fatalf("head's Mcp-Session-Id = %q, want none", got)
	}
	if body, _ := io.ReadAll(st.r); !strings.Contains(string(body), `"error":{"code":-32`) {
		t.Fatalf("answer %s, want the deadline's error", body)
	}
	st.raw.(io.Closer).Close() // returns once the span has ended
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if len(tr.sessions) != 1 || tr.sessions[0] != "" {
		t.Errorf("span sessions %q, want one with none", tr.sessions)
	}
}

// TestStreamHandlerHeadersAfterEnd runs streamed invocations whose handler
// answers with http.Error, which writes its headers, once the deadline has
// ended the stream, while a Tracer is told of each: run with -race, the
// guard must not read the handler's headers meanwhile.
func TestStreamHandlerHeadersAfterEnd(t *testing.T) {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
		http.Error(w, "gone", http.StatusServiceUnavailable)
	})
	tr := &sessionTracer{}
	h := lambdamcp.NewHandler(handler, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}, DeadlineMargin: lateHeaderMargin, Tracer: tr})
	payload := urlEvent(t, call("slow", `{}`))
	const n = 20
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			st, _ := openStream(t, streamCtx(t, time.Minute), h, payload)
			if body, _ := io.ReadAll(st.r); !strings.Contains(string(body), `"error":{"code":-32`) {
				t.Errorf("answer %s, want the deadline's error", body)
			}
			st.raw.(io.Closer).Close()
		})
	}
	wg.Wait()
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if len(tr.sessions) != n {
		t.Errorf("%d spans, want %d", len(tr.sessions), n)
	}
}
