package localfront

import (
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"
)

// TestStreamWithoutPreludeHint checks that a streamed invocation answered
// without the HTTP integration prelude is relayed as Lambda relays it, and
// logged with a hint: for an HTTP server that is a function not told it
// streams, whose client otherwise sees only a body of the wrong type.
func TestStreamWithoutPreludeHint(t *testing.T) {
	const hint = "response without a streaming prelude"
	streaming, err := NewProcess(fnBinary, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		fn       Function
		path     string
		wantHint bool
	}{
		{"buffered answer", respondWith(`{"statusCode":201,"body":"hi"}`), "/x", true},
		{"streamed answer", streaming, "/stream", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := make(logRecords, 64)
			f := startFront(t, Config{Shape: ShapeURL, Stream: true, Function: tc.fn, Logger: slog.New(logs)})
			resp, body := do(t, sent{method: http.MethodGet, url: f.URL() + tc.path})
			if tc.wantHint && (resp.StatusCode != http.StatusOK || string(body) != `{"statusCode":201,"body":"hi"}`) {
				t.Errorf("answer %d %s, want 200 with the payload as the body", resp.StatusCode, body)
			}
			// The front logs the request's line last.
			var msgs []string
			timeout := time.After(20 * time.Second)
			for !slices.Contains(msgs, "request") {
				select {
				case m := <-logs:
					msgs = append(msgs, m["msg"].(string))
				case <-timeout:
					t.Fatalf("no request line logged; got %q", msgs)
				}
			}
			if got := slices.Contains(msgs, hint); got != tc.wantHint {
				t.Errorf("logged %q; %q logged = %v, want %v", msgs, hint, got, tc.wantHint)
			}
		})
	}
}
