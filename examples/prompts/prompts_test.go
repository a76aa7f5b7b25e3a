package prompts_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/examples/prompts"
	"github.com/lambdamcp/lambdamcp/internal/lambdatest"
)

func TestPromptsThroughEveryRoute(t *testing.T) {
	h := prompts.Handler(prompts.New())
	for _, era := range []string{lambdatest.Legacy, lambdatest.Modern} {
		for _, route := range lambdatest.Routes {
			t.Run(era+"/"+route.String(), func(t *testing.T) {
				type argument struct {
					Name     string
					Required bool
				}
				type prompt struct {
					Name      string
					Arguments []argument
				}
				var list struct {
					Prompts []prompt `json:"prompts"`
				}
				lambdatest.Invoke(t, h, route, lambdatest.Call(era, 1, "prompts/list", nil, nil)).Result(t, &list)
				// A client asks for a required argument before it calls.
				want := []prompt{{"deploy", []argument{{"shape", true}, {"streaming", false}}}}
				if diff := cmp.Diff(want, list.Prompts); diff != "" {
					t.Errorf("prompts (-want +got):\n%s", diff)
				}

				var got struct {
					Description string
					Messages    []struct {
						Role    string
						Content struct{ Text string }
					}
				}
				lambdatest.Invoke(t, h, route, lambdatest.Call(era, 2, "prompts/get",
					map[string]any{"name": "deploy", "arguments": map[string]any{"shape": "url", "streaming": "yes"}}, nil)).Result(t, &got)
				wantText := `Plan the deployment of a stateless MCP server on AWS Lambda behind the "url" event shape. Stream responses if the shape allows it, and say what that costs.`
				if len(got.Messages) != 1 || got.Messages[0].Role != "user" || got.Messages[0].Content.Text != wantText {
					t.Errorf("prompt messages = %+v", got.Messages)
				}
				if got.Description != "Deployment plan for url" {
					t.Errorf("prompt description = %q, want %q", got.Description, "Deployment plan for url")
				}

				// A shape it does not know is an invalid-params error.
				bad := lambdatest.Invoke(t, h, route, lambdatest.Call(era, 4, "prompts/get",
					map[string]any{"name": "deploy", "arguments": map[string]any{}}, nil)).Last()
				if e, _ := bad["error"].(map[string]any); e == nil || e["code"] != float64(-32602) || !strings.Contains(e["message"].(string), "shape must be one of") {
					t.Errorf("prompts/get without a shape answered %v, want error -32602", bad)
				}

				var completion struct {
					Completion struct{ Values []string } `json:"completion"`
				}
				lambdatest.Invoke(t, h, route, lambdatest.Call(era, 3, "completion/complete", map[string]any{
					"ref":      map[string]any{"type": "ref/prompt", "name": "deploy"},
					"argument": map[string]any{"name": "shape", "value": "r"},
				}, nil)).Result(t, &completion)
				if diff := cmp.Diff([]string{"rest"}, completion.Completion.Values); diff != "" {
					t.Errorf("completion (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestCompletion checks what completion/complete offers: the values that
// start with what was typed, an empty array (never null) when none do or
// the argument has none, and an invalid-params error naming a ref that is
// not one of the server's prompts.
func TestCompletion(t *testing.T) {
	h := prompts.Handler(prompts.New())
	deploy := map[string]any{"type": "ref/prompt", "name": "deploy"}
	tests := []struct {
		name       string
		ref        map[string]any
		arg, typed string
		want       []any  // nil: an error -32602
		message    string // of that error
	}{
		{"shape", deploy, "shape", "", []any{"alb", "http", "rest", "url"}, ""},
		{"shape typed", deploy, "shape", "r", []any{"rest"}, ""},
		{"shape unknown", deploy, "shape", "x", []any{}, ""},
		{"streaming", deploy, "streaming", "", []any{"yes", "no"}, ""},
		{"streaming typed", deploy, "streaming", "n", []any{"no"}, ""},
		{"unknown argument", deploy, "colour", "", []any{}, ""},
		{"unknown prompt", map[string]any{"type": "ref/prompt", "name": "nosuch"}, "shape", "", nil, `no prompt "nosuch" to complete`},
		{"resource", map[string]any{"type": "ref/resource", "uri": "file:///x"}, "shape", "", nil, `no resource template "file:///x" to complete`},
	}
	for _, era := range []string{lambdatest.Legacy, lambdatest.Modern} {
		for _, tc := range tests {
			t.Run(era+"/"+tc.name, func(t *testing.T) {
				answer := lambdatest.Invoke(t, h, lambdatest.Routes[0], lambdatest.Call(era, 1, "completion/complete", map[string]any{
					"ref":      tc.ref,
					"argument": map[string]any{"name": tc.arg, "value": tc.typed},
				}, nil)).Last()
				if tc.want == nil {
					if e, _ := answer["error"].(map[string]any); e == nil || e["code"] != float64(-32602) || e["message"] != tc.message {
						t.Errorf("answered %v, want error -32602 %q", answer, tc.message)
					}
					return
				}
				result, _ := answer["result"].(map[string]any)
				completion, _ := result["completion"].(map[string]any)
				if diff := cmp.Diff(tc.want, completion["values"]); diff != "" {
					t.Errorf("values (-want +got):\n%s\nin %v", diff, answer)
				}
				if total, _ := completion["total"].(float64); total != float64(len(tc.want)) { // none: left out
					t.Errorf("total %v, want %d, the values offered", completion["total"], len(tc.want))
				}
			})
		}
	}
}

// TestDeployArguments checks how deploy reads its arguments: a value or an
// argument it does not know is an invalid-params error that names the
// values or arguments it takes, never silently read as another or left out.
func TestDeployArguments(t *testing.T) {
	h := prompts.Handler(prompts.New())
	const plan = `Plan the deployment of a stateless MCP server on AWS Lambda behind the "url" event shape.`
	tests := []struct {
		name string
		args map[string]any
		want string // the message's text, or the error's message
	}{
		{"streaming", map[string]any{"shape": "url", "streaming": "yes"}, plan + " Stream responses if the shape allows it, and say what that costs."},
		{"not streaming", map[string]any{"shape": "url", "streaming": "no"}, plan},
		{"streaming left out", map[string]any{"shape": "url"}, plan},
		{"unknown shape", map[string]any{"shape": "lambda"}, "shape must be one of alb, http, rest, url"},
		{"unknown streaming", map[string]any{"shape": "url", "streaming": "maybe"}, "streaming must be yes or no"},
		{"streaming capitalised", map[string]any{"shape": "url", "streaming": "Yes"}, "streaming must be yes or no"},
		{"streaming misspelt", map[string]any{"shape": "url", "stream": "yes"}, `deploy has no argument "stream": its arguments are shape and streaming`},
		{"shape capitalised", map[string]any{"Shape": "url", "shape": "url"}, `deploy has no argument "Shape": its arguments are shape and streaming`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			answer := lambdatest.Invoke(t, h, lambdatest.Routes[0], lambdatest.Call(lambdatest.Modern, 1, "prompts/get",
				map[string]any{"name": "deploy", "arguments": tc.args}, nil)).Last()
			var got string
			if e, _ := answer["error"].(map[string]any); e != nil {
				if e["code"] != float64(-32602) {
					t.Errorf("error code %v, want -32602", e["code"])
				}
				got, _ = e["message"].(string)
			} else {
				result, _ := answer["result"].(map[string]any)
				messages, _ := result["messages"].([]any)
				if len(messages) == 1 {
					content, _ := messages[0].(map[string]any)["content"].(map[string]any)
					got, _ = content["text"].(string)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("answer (-want +got):\n%s\nin %v", diff, answer)
			}
		})
	}
}
