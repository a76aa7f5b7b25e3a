package mrtr_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/examples/mrtr"
	"github.com/lambdamcp/lambdamcp/internal/lambdatest"
)

// TestOrderDeclaresItsBounds checks that order's input schema says which
// items and quantities order accepts, so that a client can keep to them,
// and that a quantity beyond them, however large, is a tool error about the
// argument, not about the Go type it is decoded into.
func TestOrderDeclaresItsBounds(t *testing.T) {
	h := mrtr.Handler(mrtr.New(newSealer(t)))
	route := lambdatest.Route{Shape: lambdamcp.ShapeURL}
	for _, era := range []string{lambdatest.Legacy, lambdatest.Modern} {
		t.Run(era+"/schema", func(t *testing.T) {
			type property struct {
				Type             string
				Enum             []string
				Minimum, Maximum *float64
			}
			var list struct {
				Tools []struct {
					Name        string
					InputSchema struct {
						Properties map[string]property `json:"properties"`
					} `json:"inputSchema"`
				} `json:"tools"`
			}
			lambdatest.Invoke(t, h, route, lambdatest.Call(era, 1, "tools/list", nil, nil)).Result(t, &list)
			ptr := func(f float64) *float64 { return &f }
			want := map[string]property{
				"item":     {Type: "string", Enum: []string{"cake", "coffee", "tea"}},
				"quantity": {Type: "integer", Minimum: ptr(1), Maximum: ptr(20)},
			}
			for _, tool := range list.Tools {
				if tool.Name == "order" {
					if diff := cmp.Diff(want, tool.InputSchema.Properties); diff != "" {
						t.Errorf("order's properties (-want +got):\n%s", diff)
					}
					return
				}
			}
			t.Fatal("tools/list has no order")
		})
		for _, tc := range []struct {
			name string
			args map[string]any
			want string // in the tool error
		}{
			{"an unknown item", map[string]any{"item": "soup", "quantity": 1}, "item"},
			{"none", map[string]any{"item": "tea", "quantity": 0}, "quantity"},
			{"too many", map[string]any{"item": "tea", "quantity": 21}, "quantity"},
			{"beyond an int64", map[string]any{"item": "tea", "quantity": json.Number("9223372036854775808")}, "quantity"},
			{"1e308", map[string]any{"item": "tea", "quantity": 1e308}, "quantity"},
		} {
			t.Run(era+"/"+tc.name, func(t *testing.T) {
				var res inputRequired
				lambdatest.Invoke(t, h, route, lambdatest.Call(era, 2, "tools/call",
					map[string]any{"name": "order", "arguments": tc.args}, capabilities)).Result(t, &res)
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
