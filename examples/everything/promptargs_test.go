package everything_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestPromptRequiredArguments checks that a prompt rendered without an
// argument it declares required is an invalid-params error naming the
// argument, as the spec's prompts page asks, never a prompt rendered with
// the argument blank (for test_prompt_with_embedded_resource, a resource
// without a URI); and that the resource it embeds has a valid URI, as the
// spec asks of every embedded resource.
func TestPromptRequiredArguments(t *testing.T) {
	tests := []struct {
		name    string
		prompt  string
		args    map[string]string
		want    string // the first message's text or resource URI; empty: an error
		wantErr string
	}{
		{"both", "test_prompt_with_arguments", map[string]string{"arg1": "a", "arg2": "b"}, "Prompt with arguments: arg1='a', arg2='b'", ""},
		{"none", "test_prompt_with_arguments", nil, "", "test_prompt_with_arguments needs the argument arg1"},
		{"arg2 missing", "test_prompt_with_arguments", map[string]string{"arg1": "a"}, "", "test_prompt_with_arguments needs the argument arg2"},
		{"arg2 empty", "test_prompt_with_arguments", map[string]string{"arg1": "a", "arg2": ""}, "", "test_prompt_with_arguments needs the argument arg2"},
		{"an extra argument", "test_prompt_with_arguments", map[string]string{"arg1": "a", "arg2": "b", "other": "c"}, "Prompt with arguments: arg1='a', arg2='b'", ""},
		{"resourceUri", "test_prompt_with_embedded_resource", map[string]string{"resourceUri": "test://static-text"}, "test://static-text", ""},
		{"resourceUri not a URI", "test_prompt_with_embedded_resource", map[string]string{"resourceUri": "static text"}, "", "resourceUri must be an absolute URI, such as test://static-text"},
		{"resourceUri relative", "test_prompt_with_embedded_resource", map[string]string{"resourceUri": "static-text"}, "", "resourceUri must be an absolute URI, such as test://static-text"},
		{"resourceUri misspelt", "test_prompt_with_embedded_resource", map[string]string{"resourceURI": "test://static-text"}, "", "test_prompt_with_embedded_resource needs the argument resourceUri"},
	}
	for _, era := range eras {
		cs := connect(t, era, nil)
		for _, tc := range tests {
			t.Run(era+"/"+tc.name, func(t *testing.T) {
				res, err := cs.GetPrompt(t.Context(), &mcp.GetPromptParams{Name: tc.prompt, Arguments: tc.args})
				if tc.wantErr != "" {
					var rpcErr *jsonrpc.Error
					if !errors.As(err, &rpcErr) {
						t.Fatalf("arguments %v: got %v, want the error %q", tc.args, res, tc.wantErr)
					}
					if diff := cmp.Diff(jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: tc.wantErr}, *rpcErr); diff != "" {
						t.Errorf("arguments %v: error (-want +got):\n%s", tc.args, diff)
					}
					return
				}
				if err != nil {
					t.Fatalf("arguments %v: %v", tc.args, err)
				}
				var got string
				switch c := res.Messages[0].Content.(type) {
				case *mcp.TextContent:
					got = c.Text
				case *mcp.EmbeddedResource:
					got = c.Resource.URI
				}
				if got != tc.want {
					t.Errorf("arguments %v: first message %q, want %q", tc.args, got, tc.want)
				}
			})
		}
	}
}
