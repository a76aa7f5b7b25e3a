package everything_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestStructuredOutputOverflow checks that numbers whose sum is beyond a
// float64 get a tool error that says so, rather than a JSON-RPC error
// about a result that JSON cannot hold.
func TestStructuredOutputOverflow(t *testing.T) {
	cs := connect(t, "2026-07-28", nil)
	for _, tc := range []struct {
		name    string
		numbers []float64
	}{
		{"positive", []float64{1e308, 1e308}},
		{"negative", []float64{-1e308, -1e308}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "test_structured_output", Arguments: map[string]any{"numbers": tc.numbers}})
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"text:the sum is beyond the range of a float64"}
			if diff := cmp.Diff(want, texts(t, res.Content)); diff != "" || !res.IsError {
				t.Errorf("content (-want +got):\n%s (isError %v, want true)", diff, res.IsError)
			}
		})
	}
}
