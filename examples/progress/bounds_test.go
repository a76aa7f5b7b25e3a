package progress_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/examples/progress"
	"github.com/lambdamcp/lambdamcp/internal/lambdatest"
)

// TestCountDeclaresItsBounds checks that count's input schema says the
// ranges count accepts, so that a client can keep to them, and that a
// number beyond them, however large, is a tool error about the argument,
// not about the Go type it is decoded into.
func TestCountDeclaresItsBounds(t *testing.T) {
	h := progress.Handler(progress.New(progress.Options{}))
	route := lambdatest.Route{Shape: lambdamcp.ShapeURL}
	for _, era := range []string{lambdatest.Legacy, lambdatest.Modern} {
		t.Run(era+"/schema", func(t *testing.T) {
			type bounds struct {
				Type             string
				Minimum, Maximum *float64
			}
			var list struct {
				Tools []struct {
					InputSchema struct {
						Properties map[string]bounds `json:"properties"`
					} `json:"inputSchema"`
				} `json:"tools"`
			}
			lambdatest.Invoke(t, h, route, lambdatest.Call(era, 1, "tools/list", nil, nil)).Result(t, &list)
			if len(list.Tools) != 1 {
				t.Fatalf("tools/list: %d tools, want 1", len(list.Tools))
			}
			ptr := func(f float64) *float64 { return &f }
			want := map[string]bounds{
				"steps":       {"integer", ptr(1), ptr(progress.MaxSteps)},
				"interval_ms": {"integer", ptr(0), ptr(1000)},
			}
			if diff := cmp.Diff(want, list.Tools[0].InputSchema.Properties); diff != "" {
				t.Errorf("properties (-want +got):\n%s", diff)
			}
		})
		for _, tc := range []struct {
			name string
			args map[string]any
			want string // in the tool error
		}{
			{"no steps", map[string]any{"steps": 0}, "steps"},
			{"too many steps", map[string]any{"steps": progress.MaxSteps + 1}, "steps"},
			{"steps beyond an int64", map[string]any{"steps": json.Number("9223372036854775808")}, "steps"},
			{"steps of 1e308", map[string]any{"steps": 1e308}, "steps"},
			{"a negative interval", map[string]any{"steps": 1, "interval_ms": -1}, "interval_ms"},
			{"an interval of 1e308", map[string]any{"steps": 1, "interval_ms": 1e308}, "interval_ms"},
		} {
			t.Run(era+"/"+tc.name, func(t *testing.T) {
				var res struct {
					Content []struct{ Text string } `json:"content"`
					IsError bool                    `json:"isError"`
				}
				lambdatest.Invoke(t, h, route, lambdatest.Call(era, 2, "tools/call",
					map[string]any{"name": "count", "arguments": tc.args}, nil)).Result(t, &res)
				if !res.IsError || len(res.Content) != 1 {
					t.Fatalf("arguments %v: %+v, want one tool error", tc.args, res)
				}
				if text := res.Content[0].Text; !strings.Contains(text, tc.want) || strings.Contains(text, "Go ") {
					t.Errorf("arguments %v: tool error %q, want one about %s that names no Go type", tc.args, text, tc.want)
				}
			})
		}
	}
}
