package logging_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/examples/logging"
	"github.com/lambdamcp/lambdamcp/internal/lambdatest"
)

// levels returns the levels of the log messages in an answer, and
// reports each message whose logger or data is not work's.
func levels(t *testing.T, a lambdatest.Answer) []string {
	t.Helper()
	var out []string
	for _, m := range a.Messages {
		if m["method"] == "notifications/message" {
			p := m["params"].(map[string]any)
			level := p["level"].(string)
			if p["logger"] != "work" || p["data"] != "a message at "+level {
				t.Errorf("log message %v, want logger work and data %q", p, "a message at "+level)
			}
			out = append(out, level)
		}
	}
	return out
}

func TestLoggingThroughEveryRoute(t *testing.T) {
	h := logging.Handler(logging.New())
	work := map[string]any{"name": "work", "arguments": map[string]any{}}
	tests := []struct {
		name string
		era  string
		meta map[string]any
		want []string
	}{
		// 2026-07-28: the level travels with each request.
		{"per-request warning", lambdatest.Modern, map[string]any{"io.modelcontextprotocol/logLevel": "warning"}, []string{"warning", "error"}},
		{"per-request debug", lambdatest.Modern, map[string]any{"io.modelcontextprotocol/logLevel": "debug"}, []string{"debug", "info", "warning", "error"}},
		{"no level asked", lambdatest.Modern, nil, nil},
		// 2025-11-25: a stateless request's session starts at info.
		{"session default", lambdatest.Legacy, nil, []string{"info", "warning", "error"}},
	}
	for _, tc := range tests {
		for _, route := range lambdatest.Routes {
			t.Run(tc.name+"/"+route.String(), func(t *testing.T) {
				a := lambdatest.Invoke(t, h, route, lambdatest.Call(tc.era, 1, "tools/call", work, tc.meta))
				if diff := cmp.Diff(tc.want, levels(t, a)); diff != "" {
					t.Errorf("log levels (-want +got):\n%s", diff)
				}
				var res struct {
					Content []struct{ Type, Text string } `json:"content"`
				}
				a.Result(t, &res)
				if diff := cmp.Diff([]struct{ Type, Text string }{{"text", "done"}}, res.Content); diff != "" {
					t.Errorf("work's result (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestSetLevel checks that logging/setLevel (2025-11-25) is answered; on a
// stateless server it binds nothing beyond its own request.
func TestSetLevel(t *testing.T) {
	h := logging.Handler(logging.New())
	for _, route := range lambdatest.Routes {
		t.Run(route.String(), func(t *testing.T) {
			a := lambdatest.Invoke(t, h, route, lambdatest.Call(lambdatest.Legacy, 1, "logging/setLevel", map[string]any{"level": "error"}, nil))
			if a.Status != 200 || a.Last()["result"] == nil {
				t.Errorf("logging/setLevel answered %d %v, want a result", a.Status, a.Messages)
			}
		})
	}
}
