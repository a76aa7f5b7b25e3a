package everything

import (
	"context"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// suggestions are the completion candidates per prompt argument or template variable.
var suggestions = map[string][]string{
	"arg1":        {"paris", "park", "party", "test", "testing"},
	"arg2":        {"hello", "help", "world"},
	"resourceUri": {"test://static-text", "test://static-binary", "test://template/1/data"},
	"id":          {"1", "2", "3", "42", "123"},
}

// complete suggests values for prompt arguments and template variables that
// start with what the user typed so far.
func complete(_ context.Context, req *mcp.CompleteRequest) (*mcp.CompleteResult, error) {
	values := []string{}
	for _, v := range suggestions[req.Params.Argument.Name] {
		if strings.HasPrefix(v, req.Params.Argument.Value) {
			values = append(values, v)
		}
	}
	slices.Sort(values)
	return &mcp.CompleteResult{Completion: mcp.CompletionResultDetails{Values: values, Total: len(values)}}, nil
}
