package everything_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestProgressToolAnswer checks test_tool_with_progress's answer in both
// eras: the progress token it reported to, or, for a call without one, a
// line saying so (not Go's "<nil>").
func TestProgressToolAnswer(t *testing.T) {
	for _, era := range []string{"2025-11-25", "2026-07-28"} {
		t.Run(era, func(t *testing.T) {
			cs := connect(t, era, nil)
			for _, tc := range []struct {
				name  string
				token any
				want  string
			}{
				{"with a token", "tok-1", "tok-1"},
				{"without one", nil, "no progress token: no progress sent"},
			} {
				params := &mcp.CallToolParams{Name: "test_tool_with_progress"}
				if tc.token != nil {
					params.SetProgressToken(tc.token)
				}
				res, err := cs.CallTool(t.Context(), params)
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				var got []string
				for _, c := range res.Content {
					if txt, ok := c.(*mcp.TextContent); ok {
						got = append(got, txt.Text)
					}
				}
				if diff := cmp.Diff([]string{tc.want}, got); diff != "" {
					t.Errorf("%s: answer (-want +got):\n%s", tc.name, diff)
				}
			}
		})
	}
}
