package everything

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// suggestions are the completion candidates per prompt argument or template variable.
var suggestions = map[string][]string{
	"arg1":        {"paris", "park", "party", "test", "testing"},
	"arg2":        {"hello", "help", "world"},
	"resourceUri": {"test://static-text", "test://static-binary", "test://template/1/data"},
	"id":          {"1", "2", "3", "42", "123"},
}

// completions knows the prompts and resource templates a server offers,
// including those added while it runs, so that a completion for anything
// else is invalid params, as the spec's completion page asks, rather than an
// empty list that reads as "no suggestions".
type completions struct {
	mu   sync.Mutex
	args map[string][]string // by refKey: argument or variable names
}

// refKey names a prompt or resource template as a completion refers to it.
func refKey(ref *mcp.CompleteReference) string {
	if ref.Type == "ref/resource" {
		return ref.Type + " " + ref.URI
	}
	return ref.Type + " " + ref.Name
}

// addPrompt adds p to srv and makes it known to c.
func (c *completions) addPrompt(srv *mcp.Server, p *mcp.Prompt, h mcp.PromptHandler) {
	var names []string
	for _, a := range p.Arguments {
		names = append(names, a.Name)
	}
	c.add(refKey(&mcp.CompleteReference{Type: "ref/prompt", Name: p.Name}), names)
	srv.AddPrompt(p, requireArguments(p, h))
}

// requireArguments answers a prompts/get that lacks an argument p declares
// required, or gives it empty, with invalid params, as the spec's prompts
// page asks: the go-sdk renders such a prompt anyway, the argument blank.
func requireArguments(p *mcp.Prompt, h mcp.PromptHandler) mcp.PromptHandler {
	return func(ctx context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		for _, a := range p.Arguments {
			if a.Required && req.Params.Arguments[a.Name] == "" {
				return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: p.Name + " needs the argument " + a.Name}
			}
		}
		return h(ctx, req)
	}
}

// addResourceTemplate adds t to srv and makes it known to c, with the
// variables its URI template names ({id}).
func (c *completions) addResourceTemplate(srv *mcp.Server, t *mcp.ResourceTemplate, h mcp.ResourceHandler) {
	var names []string
	for rest := t.URITemplate; ; {
		_, after, ok := strings.Cut(rest, "{")
		if !ok {
			break
		}
		name, tail, _ := strings.Cut(after, "}")
		names, rest = append(names, name), tail
	}
	c.add(refKey(&mcp.CompleteReference{Type: "ref/resource", URI: t.URITemplate}), names)
	srv.AddResourceTemplate(t, h)
}

func (c *completions) add(key string, names []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.args == nil {
		c.args = map[string][]string{}
	}
	c.args[key] = names
}

// complete suggests values for prompt arguments and template variables that
// start with what the user typed so far. An argument the prompt or template
// does not have gets no values.
func (c *completions) complete(_ context.Context, req *mcp.CompleteRequest) (*mcp.CompleteResult, error) {
	ref := req.Params.Ref
	if ref == nil { // refused by the go-sdk unless its validation is turned off
		return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "completion without a ref"}
	}
	c.mu.Lock()
	names, known := c.args[refKey(ref)]
	c.mu.Unlock()
	if !known {
		what := "prompt " + ref.Name
		if ref.Type == "ref/resource" {
			what = "resource template " + ref.URI
		}
		return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "no " + what + " to complete"}
	}
	values := []string{} // the schema wants an array, even an empty one
	if slices.Contains(names, req.Params.Argument.Name) {
		for _, v := range suggestions[req.Params.Argument.Name] {
			if strings.HasPrefix(v, req.Params.Argument.Value) {
				values = append(values, v)
			}
		}
	}
	slices.Sort(values)
	return &mcp.CompleteResult{Completion: mcp.CompletionResultDetails{Values: values, Total: len(values)}}, nil
}
