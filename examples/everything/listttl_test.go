package everything_test

import (
	"testing"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/examples/everything"
	"github.com/lambdamcp/lambdamcp/internal/lambdatest"
)

// TestListTTL checks the ttlMs that Options.ListTTLMs gives discovery,
// lists and resource reads: a positive value as it is, and 0 for zero or a
// negative value, since the spec wants ttlMs >= 0.
func TestListTTL(t *testing.T) {
	for _, tc := range []struct {
		name      string
		ttl, want int
	}{
		{"a minute", 60_000, 60_000},
		{"zero", 0, 0},
		{"negative", -1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := everything.Handler(everything.New(&everything.Options{ListTTLMs: tc.ttl}), nil)
			for _, req := range []struct {
				method string
				params map[string]any
			}{
				{"server/discover", nil},
				{"tools/list", nil},
				{"resources/read", map[string]any{"uri": "test://static-text"}},
			} {
				var got struct {
					TTLMs *int `json:"ttlMs"`
				}
				lambdatest.Invoke(t, h, lambdatest.Route{Shape: lambdamcp.ShapeURL}, lambdatest.Call(lambdatest.Modern, 1, req.method, req.params, nil)).Result(t, &got)
				if got.TTLMs == nil {
					t.Errorf("%s: no ttlMs, want %d", req.method, tc.want)
				} else if *got.TTLMs != tc.want {
					t.Errorf("%s ttlMs = %d, want %d", req.method, *got.TTLMs, tc.want)
				}
			}
		})
	}
}
