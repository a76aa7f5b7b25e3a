package everything_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/examples/everything"
	"github.com/lambdamcp/lambdamcp/internal/lambdatest"
)

// TestSchemaToolValidatesArguments checks that json_schema_2020_12_tool,
// whose schema the go-sdk lists but does not check (a tool added with
// Server.AddTool checks its own arguments), serves only the arguments its
// schema allows, and answers the others with a tool error that says why.
func TestSchemaToolValidatesArguments(t *testing.T) {
	tests := []struct {
		name    string
		args    any
		want    string // the text, or for a tool error what it must contain
		isError bool
	}{
		{"email", map[string]any{"email": "a@example.test"}, `arguments: {"email":"a@example.test"}`, false},
		{"phone by choice", map[string]any{"contactMethod": "phone", "phone": "1"}, `arguments: {"contactMethod":"phone","phone":"1"}`, false},
		{"no arguments", nil, `missing properties: ["email"]`, true},
		{"phone without choosing it", map[string]any{"phone": "1"}, `missing properties: ["email"]`, true},
		{"an unknown property", map[string]any{"email": "a@example.test", "zz": 1}, `unexpected additional properties ["zz"]`, true},
		{"a wrong type", map[string]any{"email": 5}, `/properties/email: type: 5 has type "integer", want "string"`, true},
		{"a wrong type in a $ref", map[string]any{"email": "a@example.test", "address": map[string]any{"city": []any{}}}, `has type "array", want "string"`, true},
		{"not an object", json.RawMessage(`"str"`), `want "object"`, true},
	}
	for _, era := range eras {
		cs := connect(t, era, nil)
		for _, tc := range tests {
			t.Run(era+"/"+tc.name, func(t *testing.T) {
				res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "json_schema_2020_12_tool", Arguments: tc.args})
				if err != nil {
					t.Fatal(err)
				}
				got := strings.Join(texts(t, res.Content), "\n")
				if res.IsError != tc.isError {
					t.Errorf("isError = %t, want %t (%s)", res.IsError, tc.isError, got)
				}
				if tc.isError && !strings.Contains(got, tc.want) || !tc.isError && got != "text:"+tc.want {
					t.Errorf("content %q, want %q", got, tc.want)
				}
			})
		}
	}
}

// TestSchemaToolArgumentsAbsentOrNull checks that a call of
// json_schema_2020_12_tool without arguments, or with arguments null,
// which a client may send where the go-sdk's client sends {}, is checked
// as an empty object, as the go-sdk takes them for the tools it checks:
// refused for the contact the schema requires, not for being no object.
func TestSchemaToolArgumentsAbsentOrNull(t *testing.T) {
	h := everything.Handler(everything.New(nil), nil)
	route := lambdatest.Route{Shape: lambdamcp.ShapeURL}
	tests := []struct {
		name   string
		params map[string]any
	}{
		{"absent", map[string]any{"name": "json_schema_2020_12_tool"}},
		{"null", map[string]any{"name": "json_schema_2020_12_tool", "arguments": nil}},
	}
	for _, era := range eras {
		for _, tc := range tests {
			t.Run(era+"/"+tc.name, func(t *testing.T) {
				var res struct {
					Content []struct{ Text string } `json:"content"`
					IsError bool                    `json:"isError"`
				}
				lambdatest.Invoke(t, h, route, lambdatest.Call(era, 1, "tools/call", tc.params, nil)).Result(t, &res)
				const want = `missing properties: ["email"]`
				if !res.IsError || len(res.Content) != 1 || !strings.Contains(res.Content[0].Text, want) {
					t.Errorf("answer %+v, want a tool error saying %q", res, want)
				}
			})
		}
	}
}
