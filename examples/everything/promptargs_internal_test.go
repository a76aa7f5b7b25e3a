package everything

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestRequireArgumentsOnlyRequired checks that requireArguments refuses a
// prompt only for the arguments it declares required: one it declares
// optional may be absent or empty. (Every argument of this server's own
// prompts is required.)
func TestRequireArgumentsOnlyRequired(t *testing.T) {
	p := &mcp.Prompt{Name: "p", Arguments: []*mcp.PromptArgument{
		{Name: "need", Required: true},
		{Name: "may"},
	}}
	rendered := &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: "rendered"}}}}
	h := requireArguments(p, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		return rendered, nil
	})
	tests := []struct {
		name    string
		args    map[string]string
		wantErr string // empty: rendered
	}{
		{"the optional one absent", map[string]string{"need": "x"}, ""},
		{"the optional one empty", map[string]string{"need": "x", "may": ""}, ""},
		{"both", map[string]string{"need": "x", "may": "y"}, ""},
		{"the required one absent", map[string]string{"may": "y"}, "p needs the argument need"},
		{"none", nil, "p needs the argument need"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := h(t.Context(), &mcp.GetPromptRequest{Params: &mcp.GetPromptParams{Name: p.Name, Arguments: tc.args}})
			if tc.wantErr == "" {
				if err != nil || res != rendered {
					t.Errorf("arguments %v: %v, %v; want the prompt rendered", tc.args, res, err)
				}
				return
			}
			var rpcErr *jsonrpc.Error
			if !errors.As(err, &rpcErr) {
				t.Fatalf("arguments %v: %v, %v; want the error %q", tc.args, res, err, tc.wantErr)
			}
			if diff := cmp.Diff(jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: tc.wantErr}, *rpcErr); diff != "" {
				t.Errorf("arguments %v: error (-want +got):\n%s", tc.args, diff)
			}
		})
	}
}
