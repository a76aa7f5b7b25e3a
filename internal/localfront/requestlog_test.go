package localfront

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

// The request line repeats the method and path cut short: both are the
// client's, of any size, and the line's size is the front's to choose.
func TestRequestLogCutsMethodAndPath(t *testing.T) {
	longPath := "/" + strings.Repeat("p", 10<<10)
	longMethod := strings.Repeat("M", 10<<10)
	tests := []struct {
		name, method, path   string
		wantMethod, wantPath string
	}{
		{"short ones whole", http.MethodPost, "/mcp", http.MethodPost, "/mcp"},
		{"a long path", http.MethodPost, longPath, http.MethodPost, longPath[:textcut.MaxPathBytes] + "…"},
		{"a long method", longMethod, "/mcp", longMethod[:textcut.MaxMethodBytes] + "…", "/mcp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs := make(logRecords, 16)
			f := startFront(t, Config{Shape: ShapeURL, Function: respondWith(`{"statusCode": 200}`), Logger: slog.New(logs)})
			resp, _ := do(t, sent{method: tc.method, url: f.URL() + tc.path})
			resp.Body.Close()
			line := waitLog(t, logs, "request")
			got := map[string]any{"method": line["method"], "path": line["path"]}
			want := map[string]any{"method": tc.wantMethod, "path": tc.wantPath}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("request line (-want +got):\n%s", diff)
			}
		})
	}
}
