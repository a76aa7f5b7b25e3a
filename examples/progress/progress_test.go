package progress_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/examples/progress"
	"github.com/lambdamcp/lambdamcp/internal/lambdatest"
)

// TestCountThroughEveryRoute calls count through every shape, buffered and
// streamed, in both eras: the same messages arrive in the same order, a
// progress notification after each step's log message only when the
// client asked for progress with a progressToken.
func TestCountThroughEveryRoute(t *testing.T) {
	h := progress.Handler(progress.New(progress.Options{}))
	tests := []struct {
		name         string
		meta         map[string]any
		wantMethods  []string
		wantProgress []map[string]any
	}{
		{
			name:        "with a progress token",
			meta:        map[string]any{"progressToken": "tok", "io.modelcontextprotocol/logLevel": "info"},
			wantMethods: []string{"notifications/message", "notifications/progress", "notifications/message", "notifications/progress", "result"},
			wantProgress: []map[string]any{
				{"progressToken": "tok", "progress": 1.0, "total": 2.0, "message": "step 1 of 2"},
				{"progressToken": "tok", "progress": 2.0, "total": 2.0, "message": "step 2 of 2"},
			},
		},
		{
			name:        "without a progress token",
			meta:        map[string]any{"io.modelcontextprotocol/logLevel": "info"},
			wantMethods: []string{"notifications/message", "notifications/message", "result"},
		},
	}
	for _, tc := range tests {
		for _, era := range []string{lambdatest.Legacy, lambdatest.Modern} {
			for _, route := range lambdatest.Routes {
				t.Run(tc.name+"/"+era+"/"+route.String(), func(t *testing.T) {
					a := lambdatest.Invoke(t, h, route, lambdatest.Call(era, 1, "tools/call",
						map[string]any{"name": "count", "arguments": map[string]any{"steps": 2}}, tc.meta))
					if a.Status != 200 || a.ContentType != "text/event-stream" {
						t.Fatalf("answer %d %q, want 200 text/event-stream", a.Status, a.ContentType)
					}
					if diff := cmp.Diff(tc.wantMethods, a.Methods()); diff != "" {
						t.Errorf("messages (-want +got):\n%s", diff)
					}
					var notes []map[string]any
					for _, m := range a.Messages {
						if m["method"] == "notifications/progress" {
							notes = append(notes, m["params"].(map[string]any))
						}
					}
					if diff := cmp.Diff(tc.wantProgress, notes); diff != "" {
						t.Errorf("progress notifications (-want +got):\n%s", diff)
					}
					var res struct {
						StructuredContent progress.CountOutput `json:"structuredContent"`
					}
					a.Result(t, &res)
					if res.StructuredContent.Counted != 2 {
						t.Errorf("counted = %d, want 2", res.StructuredContent.Counted)
					}
				})
			}
		}
	}
}

// TestCountCancelledWithItsClient checks Handler's promise: a 2026-07-28
// call whose client goes away is cancelled, so count stops instead of
// counting on for no one.
func TestCountCancelledWithItsClient(t *testing.T) {
	started, stopped, release := make(chan struct{}), make(chan error, 1), make(chan struct{})
	srv := httptest.NewServer(progress.Handler(progress.New(progress.Options{
		Step: func(ctx context.Context, _ int, _ time.Duration) error {
			close(started)
			select {
			case <-ctx.Done():
				stopped <- ctx.Err()
				return ctx.Err()
			case <-release: // the test has ended
				return nil
			}
		},
	})))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })

	call := lambdatest.Call(lambdatest.Modern, 1, "tools/call", map[string]any{"name": "count", "arguments": map[string]any{"steps": 1}}, nil)
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, bytes.NewReader(call.Body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = call.Header
	done := make(chan struct{})
	go func() {
		defer close(done)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	select {
	case <-started:
	case <-done:
		t.Fatal("the call ended before count's first step")
	}
	cancel()
	<-done
	select {
	case err := <-stopped:
		if err != context.Canceled {
			t.Errorf("count's context ended with %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("count still counting 10 s after its client went away")
	}
}
