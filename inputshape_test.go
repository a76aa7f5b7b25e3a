//lint:file-ignore SA1019 sampling is deprecated from 2026-07-28, and a server may still ask for it

package lambdamcp_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// TestInputRequestShapeAnswered checks that an input-required result whose
// elicitation or sampling request is of a shape the 2026-07-28 schema has
// no room for, and which a client cannot act on (the go-sdk's own client
// refuses the elicitations, and cannot read a result whose sampled
// messages hold such blocks), is answered with an internal error naming it, where the
// go-sdk would send it as the handler built it; and that a form the
// handler left without its requested schema, or with one lacking its type
// or properties, is sent with them, the handler's request left as it is.
func TestInputRequestShapeAnswered(t *testing.T) {
	hi := &mcp.TextContent{Text: "hi"}
	elicit := func(p *mcp.ElicitParams) mcp.InputRequestMap { return mcp.InputRequestMap{"e": p} }
	form := func(schema any) mcp.InputRequestMap {
		return elicit(&mcp.ElicitParams{Message: "m", RequestedSchema: schema})
	}
	tools := func(choice *mcp.ToolChoice, ts ...*mcp.Tool) mcp.InputRequestMap {
		return mcp.InputRequestMap{"s": &mcp.CreateMessageWithToolsParams{MaxTokens: 8,
			Messages: []*mcp.SamplingMessageV2{{Role: "user", Content: []mcp.Content{hi}}}, Tools: ts, ToolChoice: choice}}
	}
	object := json.RawMessage(`{"type":"object"}`)
	for _, tc := range []struct {
		name, method string
		ask          mcp.InputRequestMap
		message      string // "" for a result
		result       string // what the result holds
	}{
		{name: "form", method: "tools/call", ask: form(json.RawMessage(`{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}`)),
			result: `"requestedSchema":{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}`},
		{name: "form spaced out", method: "tools/call", ask: form(json.RawMessage(`{ "type" : "object", "properties" : { "a" : { "type" : "string" } } }`)),
			result: `"requestedSchema":{"type":"object","properties":{"a":{"type":"string"}}}`},
		{name: "form of every primitive type", method: "tools/call", ask: form(&jsonschema.Schema{Type: "object", Properties: map[string]*jsonschema.Schema{
			"s": {Type: "string"}, "n": {Type: "number"}, "i": {Type: "integer"}, "b": {Type: "boolean"},
			"a": {Type: "array", Items: &jsonschema.Schema{Type: "string", Enum: []any{"x"}}}}}),
			result: `"requestedSchema":{"type":"object","properties":`},
		// Mended: the schema asks a form for an object schema of
		// properties, and a form without them asks for nothing but the
		// user's answer.
		{name: "form without schema", method: "tools/call", ask: form(nil),
			result: `"params":{"mode":"form","message":"m","requestedSchema":{"type":"object","properties":{}}}`},
		{name: "prompt's form of a nil schema", method: "prompts/get", ask: form((*jsonschema.Schema)(nil)),
			result: `"requestedSchema":{"type":"object","properties":{}}`},
		{name: "resource's form of a null schema", method: "resources/read", ask: form(json.RawMessage(`null`)),
			result: `"requestedSchema":{"type":"object","properties":{}}`},
		{name: "form without type", method: "tools/call", ask: form(&jsonschema.Schema{Properties: map[string]*jsonschema.Schema{"a": {Type: "string"}}}),
			result: `"requestedSchema":{"properties":{"a":{"type":"string"}},"type":"object"}`},
		{name: "form without properties", method: "tools/call", ask: form(object),
			result: `"requestedSchema":{"properties":{},"type":"object"}`},
		{name: "form of null properties", method: "tools/call", ask: form(map[string]any{"type": "object", "properties": nil}),
			result: `"requestedSchema":{"properties":{},"type":"object"}`},
		{name: "url", method: "tools/call", ask: elicit(&mcp.ElicitParams{Message: "m", URL: "https://example.com/k?state=s", ElicitationID: "e"}),
			result: `"params":{"mode":"url","message":"m","url":"https://example.com/k?state=s","elicitationId":"e"}`},

		{name: "form of a schema of another type", method: "tools/call", ask: form(&jsonschema.Schema{Type: "string"}),
			message: `the tool's result holds an elicitation request whose requested schema's type is not "object"`},
		{name: "prompt's form of a schema of types", method: "prompts/get", ask: form(&jsonschema.Schema{Types: []string{"object", "null"}}),
			message: `the prompts/get result holds an elicitation request whose requested schema's type is not "object"`},
		{name: "resource's form of a schema that is no object", method: "resources/read", ask: form(json.RawMessage(`"object"`)),
			message: `the resources/read result holds an elicitation request whose requested schema is no object`},
		{name: "form of properties that are no object", method: "tools/call", ask: form(map[string]any{"type": "object", "properties": []string{"a"}}),
			message: `the tool's result holds an elicitation request whose requested schema's properties are no object`},
		{name: "form of a nested property", method: "tools/call", ask: form(json.RawMessage(`{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"object"}}}`)),
			message: `the tool's result holds an elicitation request whose requested schema's property "a" is of none of the types a form has`},
		{name: "form of a null property", method: "tools/call", ask: form(json.RawMessage(`{"type":"object","properties":{"a":null}}`)),
			message: `the tool's result holds an elicitation request whose requested schema's property "a" is of none of the types a form has`},
		{name: "form of an untyped property", method: "tools/call", ask: form(json.RawMessage(`{"type":"object","properties":{"a":{}}}`)),
			message: `the tool's result holds an elicitation request whose requested schema's property "a" is of none of the types a form has`},
		{name: "form with a url", method: "tools/call", ask: elicit(&mcp.ElicitParams{Mode: "form", Message: "m", URL: "https://example.com/k", RequestedSchema: object}),
			message: `the tool's result holds a form elicitation request with a url`},
		{name: "url without url", method: "tools/call", ask: elicit(&mcp.ElicitParams{Mode: "url", Message: "m"}),
			message: `the tool's result holds a url elicitation request without its url`},
		// The go-sdk sends an elicitation named by its id as a URL one.
		{name: "prompt's named elicitation without url", method: "prompts/get", ask: elicit(&mcp.ElicitParams{Message: "m", ElicitationID: "e"}),
			message: `the prompts/get result holds a url elicitation request without its url`},
		{name: "resource's url that is not absolute", method: "resources/read", ask: elicit(&mcp.ElicitParams{Message: "m", URL: "/ui/k?state=secret"}),
			message: `the resources/read result holds a url elicitation request whose url is not an absolute URL`},
		{name: "url with a schema", method: "tools/call", ask: elicit(&mcp.ElicitParams{Mode: "url", Message: "m", URL: "https://example.com/k", RequestedSchema: object}),
			message: `the tool's result holds a url elicitation request with a requested schema`},
		{name: "mode of neither", method: "tools/call", ask: elicit(&mcp.ElicitParams{Mode: "Form", Message: "m", RequestedSchema: object}),
			message: `the tool's result holds an elicitation request whose mode "Form" is neither "form" nor "url"`},

		{name: "tools", method: "tools/call", ask: tools(&mcp.ToolChoice{Mode: "required"}, &mcp.Tool{Name: "w", InputSchema: object}),
			result: `"tools":[{"inputSchema":{"type":"object"},"name":"w"}],"toolChoice":{"mode":"required"}`},
		{name: "nil tool", method: "tools/call", ask: tools(nil, &mcp.Tool{Name: "w", InputSchema: object}, nil),
			message: `the tool's result holds a sampling request offering a nil tool`},
		{name: "prompt's tool without input schema", method: "prompts/get", ask: tools(nil, &mcp.Tool{Name: "w"}),
			message: `the prompts/get result holds a sampling request offering tool "w" without its input schema`},
		{name: "resource's tool of a nil input schema", method: "resources/read", ask: tools(nil, &mcp.Tool{Name: "w", InputSchema: (*jsonschema.Schema)(nil)}),
			message: `the resources/read result holds a sampling request offering tool "w" without its input schema`},
		{name: "tool of another input schema", method: "tools/call", ask: tools(nil, &mcp.Tool{Name: "w", InputSchema: &jsonschema.Schema{Type: "string"}}),
			message: `the tool's result holds a sampling request offering tool "w" whose input schema's type is not "object"`},
		{name: "tool choice of another mode", method: "tools/call", ask: tools(&mcp.ToolChoice{Mode: "any"}, &mcp.Tool{Name: "w", InputSchema: object}),
			message: `the tool's result holds a sampling request whose tool choice mode "any" is none of "auto", "required" and "none"`},

		{name: "sampled resource link", method: "tools/call", ask: mcp.InputRequestMap{"s": &mcp.CreateMessageParams{MaxTokens: 8,
			Messages: []*mcp.SamplingMessage{{Role: "user", Content: &mcp.ResourceLink{URI: "file:///r", Name: "r"}}}}},
			message: `the tool's result holds a sampling request whose messages hold a resource link, which a sampled message cannot hold`},
		{name: "prompt's sampled embedded resource", method: "prompts/get", ask: mcp.InputRequestMap{"s": &mcp.CreateMessageWithToolsParams{MaxTokens: 8,
			Messages: []*mcp.SamplingMessageV2{{Role: "user", Content: []mcp.Content{hi, &mcp.EmbeddedResource{Resource: &mcp.ResourceContents{URI: "file:///r", Text: "t"}}}}}}},
			message: `the prompts/get result holds a sampling request whose messages hold an embedded resource, which a sampled message cannot hold`},
		// A tool result block holds any block a tool's result does.
		{name: "resource link in a tool result block", method: "tools/call", ask: mcp.InputRequestMap{"s": &mcp.CreateMessageWithToolsParams{MaxTokens: 8,
			Messages: []*mcp.SamplingMessageV2{{Role: "user", Content: []mcp.Content{&mcp.ToolResultContent{ToolUseID: "u", Content: []mcp.Content{&mcp.ResourceLink{URI: "file:///r", Name: "r"}}}}}}}},
			result: `"type":"resource_link"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := string(mustJSON(t, tc.ask))
			ans, status, body := askForInput(t, tc.method, tc.ask)
			if after := string(mustJSON(t, tc.ask)); after != before {
				t.Errorf("the handler's input requests were changed:\n%s\nwere\n%s", after, before)
			}
			if tc.message == "" {
				if ans.Error != nil || !strings.Contains(string(ans.Result), tc.result) {
					t.Errorf("answered %s, want the result, holding %s", body, tc.result)
				}
				return
			}
			want := &answerError{Code: -32603, Message: tc.message}
			if diff := cmp.Diff(want, ans.Error); diff != "" || len(ans.Result) != 0 || status != 200 {
				t.Errorf("status %d, error (-want +got):\n%s\nresult %s", status, diff, ans.Result)
			}
		})
	}
}

// askForInput answers a 2026-07-28 call of method (tools/call, prompts/get
// or resources/read) through Middleware with a result asking for ask.
func askForInput(t *testing.T, method string, ask mcp.InputRequestMap) (ans methodAnswer, status int, body []byte) {
	t.Helper()
	s := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, nil)
	s.AddReceivingMiddleware(lambdamcp.Middleware())
	s.AddTool(&mcp.Tool{Name: "t", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{InputRequests: ask}, nil
		})
	s.AddPrompt(&mcp.Prompt{Name: "t"}, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		return &mcp.GetPromptResult{InputRequests: ask}, nil
	})
	s.AddResource(&mcp.Resource{URI: "file:///r", Name: "r"}, func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		return &mcp.ReadResourceResult{InputRequests: ask}, nil
	})
	h := lambdamcp.NewHandler(streamable(s), nil)
	params, name := `"name":"t"`, "t"
	if method == "resources/read" {
		params, name = `"uri":"file:///r"`, "file:///r"
	}
	resp := invoke(t, h, restEvent(t, callIn(modern, method, params, name)))
	body = resp.body(t)
	if err := json.Unmarshal(body, &ans); err != nil {
		t.Fatalf("answered %d %s: %v", resp.StatusCode, body, err)
	}
	return ans, resp.StatusCode, body
}

// TestFormPropertySchemaAnswered checks that a form whose requested
// schema holds a property of its type in a shape the 2026-07-28 schema's
// primitive schema definitions have no room for, or that the go-sdk's
// client refuses, or that requires a name none of its properties has, is
// answered with an internal error naming it; and that each shape the
// schema gives a form's property (the string, number and boolean schemas,
// the enum schemas, single- and multi-select, titled or not) is sent, and
// taken by the go-sdk's own client.
func TestFormPropertySchemaAnswered(t *testing.T) {
	form := func(props string) json.RawMessage {
		return json.RawMessage(`{"type":"object","properties":{"a":` + props + `}}`)
	}
	for _, tc := range []struct {
		name       string
		schema     json.RawMessage
		message    string // "" for a result
		sdkRefuses bool   // the schema allows it, the go-sdk's client does not
	}{
		{name: "untitled single-select", schema: form(`{"type":"string","enum":["x","y"],"default":"x"}`)},
		{name: "legacy titled enum", schema: form(`{"type":"string","enum":["x","y"],"enumNames":["X","Y"]}`)},
		{name: "titled single-select", schema: form(`{"type":"string","title":"T","oneOf":[{"const":"x","title":"X"},{"const":"y","title":"Y"}]}`)},
		{name: "untitled multi-select", schema: form(`{"type":"array","minItems":1,"maxItems":2,"items":{"type":"string","enum":["x","y"]},"default":["x"]}`)},
		{name: "titled multi-select", schema: form(`{"type":"array","items":{"anyOf":[{"const":"x","title":"X"}]}}`)},
		{name: "option of an empty const and title", schema: form(`{"type":"string","oneOf":[{"const":"","title":""},{"const":"x","title":"X"}]}`), sdkRefuses: true},
		{name: "array option of an empty const and title", schema: form(`{"type":"array","items":{"anyOf":[{"const":"","title":""}]}}`), sdkRefuses: true},
		{name: "empty enum", schema: form(`{"type":"string","enum":[]}`)},
		{name: "string of a format and lengths", schema: form(`{"type":"string","format":"date-time","minLength":1,"maxLength":9,"default":"d"}`)},
		{name: "number of bounds", schema: form(`{"type":"integer","minimum":1,"maximum":9,"default":1.5}`)},
		{name: "boolean", schema: form(`{"type":"boolean","default":true}`)},
		{name: "keyword of no definition", schema: form(`{"type":"string","x-widget":"wide"}`)},
		{name: "valid pattern", schema: form(`{"type":"string","pattern":"^a+$"}`)},
		{name: "required property", schema: json.RawMessage(`{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}`)},
		{name: "reference to a definition", schema: json.RawMessage(`{"type":"object","properties":{"a":{"type":"string","$ref":"#/$defs/s"},"b":{"type":"string","$ref":"#/$defs/s"}},"$defs":{"s":{"maxLength":9}}}`)},
		{name: "reference within a part", schema: json.RawMessage(`{"type":"object","properties":{"a":{"type":"string","$ref":"#/$defs/x"}},` +
			`"$defs":{"x":{"anyOf":[{"type":"string"},{"type":"array","items":{"$ref":"#/$defs/x"}}]}}}`)},
		{name: "loop in a definition nothing refers to", schema: json.RawMessage(`{"type":"object","properties":{"a":{"type":"string"}},"$defs":{"x":{"$ref":"#/$defs/x"}}}`)},
		{name: "nested 32 levels", schema: form(`{"type":"string","x-deep":` + strings.Repeat("[", 29) + strings.Repeat("]", 29) + `}`)},

		{name: "enum of numbers", schema: form(`{"type":"string","enum":[1,2]}`),
			message: `property "a" has an enum of other than strings`},
		{name: "enumNames too few", schema: form(`{"type":"string","enum":["x","y"],"enumNames":["X"]}`),
			message: `property "a" has enumNames that are not one string for each enum value`},
		{name: "enumNames of numbers", schema: form(`{"type":"string","enum":["x"],"enumNames":[1]}`),
			message: `property "a" has enumNames that are not one string for each enum value`},
		{name: "option without title", schema: form(`{"type":"string","oneOf":[{"const":"x"}]}`),
			message: `property "a" has an option (oneOf) without a const string or a title`},
		{name: "option of a number", schema: form(`{"type":"string","oneOf":[{"const":1,"title":"X"}]}`),
			message: `property "a" has an option (oneOf) without a const string or a title`},
		{name: "option of a null title", schema: form(`{"type":"string","oneOf":[{"const":"x","title":null}]}`),
			message: `property "a" has an option (oneOf) without a const string or a title`},
		{name: "array option without title", schema: form(`{"type":"array","items":{"anyOf":[{"const":"x"}]}}`),
			message: `property "a" has an option (items.anyOf) without a const string or a title`},
		{name: "null option", schema: form(`{"type":"string","oneOf":[null]}`),
			message: `property "a" has an option (oneOf) without a const string or a title`},
		{name: "array without items", schema: form(`{"type":"array"}`),
			message: `property "a" is an array whose items are no enum of strings (items.enum or items.anyOf)`},
		{name: "array of numbers", schema: form(`{"type":"array","items":{"type":"number"}}`),
			message: `property "a" is an array whose items are no enum of strings (items.enum or items.anyOf)`},
		{name: "array of free strings", schema: form(`{"type":"array","items":{"type":"string"}}`),
			message: `property "a" is an array whose items are no enum of strings (items.enum or items.anyOf)`},
		{name: "array of untyped items without options", schema: form(`{"type":"array","items":{}}`),
			message: `property "a" is an array whose items are no enum of strings (items.enum or items.anyOf)`},
		{name: "array of an enum of numbers", schema: form(`{"type":"array","items":{"type":"string","enum":[1]}}`),
			message: `property "a" has an enum of other than strings`},
		{name: "array option without const", schema: form(`{"type":"array","items":{"anyOf":[{"title":"X"}]}}`),
			message: `property "a" has an option (items.anyOf) without a const string or a title`},
		{name: "array default of a string", schema: form(`{"type":"array","items":{"type":"string","enum":["x"]},"default":"x"}`),
			message: `property "a" has a default that is no list of strings`},
		{name: "format of none of the four", schema: form(`{"type":"string","format":"phone"}`),
			message: `property "a" has a format other than "uri", "email", "date" and "date-time"`},
		{name: "negative minLength", schema: form(`{"type":"string","minLength":-1}`),
			message: `property "a" has a negative length bound`},
		{name: "maxLength below minLength", schema: form(`{"type":"string","minLength":3,"maxLength":2}`),
			message: `property "a" has a maxLength below its minLength`},
		{name: "maximum below minimum", schema: form(`{"type":"number","minimum":3,"maximum":2}`),
			message: `property "a" has a maximum below its minimum`},
		{name: "number default of a string", schema: form(`{"type":"number","default":"1"}`),
			message: `property "a" has a default that is no number`},
		{name: "boolean default of a string", schema: form(`{"type":"boolean","default":"yes"}`),
			message: `property "a" has a default that is no boolean`},
		{name: "string default of a number", schema: form(`{"type":"string","enum":["x"],"default":1}`),
			message: `property "a" has a default that is no string`},
		{name: "nested properties", schema: form(`{"type":"string","properties":{"b":{"type":"string"}}}`),
			message: `property "a" has properties of its own`},
		{name: "title of a number", schema: form(`{"type":"string","title":5}`),
			message: `property "a" is no valid JSON Schema`},
		{name: "nested 33 levels", schema: form(`{"type":"string","not":` + strings.Repeat(`{"not":`, 29) + `{}` + strings.Repeat("}", 29) + `}`),
			message: `an elicitation request whose requested schema nests deeper than 32 levels`},
		{name: "invalid pattern", schema: form(`{"type":"string","pattern":"["}`),
			message: `an elicitation request whose requested schema does not resolve (an invalid pattern, a null or unresolvable subschema)`},
		{name: "null subschema", schema: form(`{"type":"string","allOf":[null]}`),
			message: `an elicitation request whose requested schema does not resolve (an invalid pattern, a null or unresolvable subschema)`},
		{name: "reference to nothing", schema: form(`{"type":"string","$ref":"#/$defs/none"}`),
			message: `an elicitation request whose requested schema does not resolve (an invalid pattern, a null or unresolvable subschema)`},
		{name: "reference to itself", schema: form(`{"type":"string","$ref":"#/properties/a"}`),
			message: `an elicitation request whose requested schema holds a $ref that leads back to itself`},
		{name: "root referring to itself", schema: json.RawMessage(`{"type":"object","$ref":"#","properties":{"a":{"type":"string"}}}`),
			message: `an elicitation request whose requested schema holds a $ref that leads back to itself`},
		{name: "references in a loop", schema: json.RawMessage(`{"type":"object","properties":{"a":{"type":"string","$ref":"#/$defs/x"}},` +
			`"$defs":{"x":{"allOf":[{"$ref":"#/$defs/y"}]},"y":{"not":{"$ref":"#/$defs/x"}}}}`),
			message: `an elicitation request whose requested schema holds a $ref that leads back to itself`},
		{name: "reference in a loop spelled escaped", schema: json.RawMessage(`{"type":"object","properties":{"a":{"type":"string","\u0024ref":"#/$defs/x"}},` +
			`"$defs":{"x":{"$ref":"#/properties/a"}}}`),
			message: `an elicitation request whose requested schema holds a $ref that leads back to itself`},
		{name: "reference to an anchor in a loop", schema: json.RawMessage(`{"type":"object","properties":{"a":{"type":"string","$anchor":"a","allOf":[{"$ref":"#a"}]}}}`),
			message: `an elicitation request whose requested schema holds a $ref that leads back to itself`},
		{name: "required name of no property", schema: json.RawMessage(`{"type":"object","properties":{"a":{"type":"string"}},"required":["a","b"]}`),
			message: `an elicitation request whose requested schema requires "b", which is none of its properties`},
		{name: "required name without properties", schema: json.RawMessage(`{"type":"object","required":["a"]}`),
			message: `an elicitation request whose requested schema requires "a", which is none of its properties`},
		{name: "required of a string", schema: json.RawMessage(`{"type":"object","properties":{"a":{"type":"string"}},"required":"a"}`),
			message: `an elicitation request whose requested schema is no valid JSON Schema`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ask := mcp.InputRequestMap{"e": &mcp.ElicitParams{Message: "m", RequestedSchema: tc.schema}}
			ans, status, body := askForInput(t, "tools/call", ask)
			if tc.message == "" {
				if ans.Error != nil || !strings.Contains(string(ans.Result), `"requestedSchema":`) {
					t.Fatalf("answered %s, want the result", body)
				}
				if err := sdkClientElicits(t, tc.schema); (err != nil) != tc.sdkRefuses {
					t.Errorf("the go-sdk's client answered %v, want it to refuse the form: %v", err, tc.sdkRefuses)
				}
				return
			}
			if ans.Error == nil || ans.Error.Code != -32603 || !strings.HasPrefix(ans.Error.Message, "the tool's result holds an elicitation request whose requested schema") ||
				!strings.HasSuffix(ans.Error.Message, tc.message) || len(ans.Result) != 0 || status != 200 {
				t.Errorf("status %d, answered %s; want -32603 ending %q", status, body, tc.message)
			}
		})
	}
}

// sdkClientElicits has the go-sdk's client, over HTTP, answer a tool that
// asks for a form of schema (the user declines), and returns the error of
// the call, nil if the client took the form.
func sdkClientElicits(t *testing.T, schema json.RawMessage) error {
	t.Helper()
	s := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, nil)
	s.AddTool(&mcp.Tool{Name: "t", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			if req.Params.InputResponses != nil {
				return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "done"}}}, nil
			}
			return &mcp.CallToolResult{InputRequests: mcp.InputRequestMap{"e": &mcp.ElicitParams{Message: "m", RequestedSchema: schema}}}, nil
		})
	srv := httptest.NewServer(streamable(s))
	defer srv.Close()
	c := mcp.NewClient(&mcp.Implementation{Name: "c", Version: "1"}, &mcp.ClientOptions{
		ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			return &mcp.ElicitResult{Action: "decline"}, nil
		},
	})
	cs, err := c.Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: srv.URL, DisableStandaloneSSE: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	_, err = cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "t"})
	return err
}

// TestSchemaHoldingItselfUnencodable checks that a form's requested
// schema, or a sampled tool's input schema, given as a *jsonschema.Schema
// that holds itself, whose encoding would overflow the stack and end the
// process, is answered as a result that cannot be encoded; and that one
// whose properties share a schema, which encodes, is sent.
func TestSchemaHoldingItselfUnencodable(t *testing.T) {
	looped := &jsonschema.Schema{Type: "object", Properties: map[string]*jsonschema.Schema{}}
	looped.Properties["a"] = looped
	inMap := &jsonschema.Schema{Type: "object"}
	inMap.Extra = map[string]any{"x-self": map[string]any{"s": inMap}}
	str := &jsonschema.Schema{Type: "string"}
	shared := &jsonschema.Schema{Type: "object", Properties: map[string]*jsonschema.Schema{"a": str, "b": str}}
	hi := &mcp.TextContent{Text: "hi"}
	for _, tc := range []struct {
		name   string
		ask    mcp.InputRequestMap
		encode bool
	}{
		{"form holding itself", mcp.InputRequestMap{"e": &mcp.ElicitParams{Message: "m", RequestedSchema: looped}}, false},
		{"form holding itself through a map", mcp.InputRequestMap{"e": &mcp.ElicitParams{Message: "m", RequestedSchema: inMap}}, false},
		{"sampled tool holding itself", mcp.InputRequestMap{"s": &mcp.CreateMessageWithToolsParams{MaxTokens: 8,
			Messages: []*mcp.SamplingMessageV2{{Role: "user", Content: []mcp.Content{hi}}}, Tools: []*mcp.Tool{{Name: "t", InputSchema: looped}}}}, false},
		{"form of a shared schema", mcp.InputRequestMap{"e": &mcp.ElicitParams{Message: "m", RequestedSchema: shared}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ans, status, body := askForInput(t, "tools/call", tc.ask)
			if tc.encode {
				if ans.Error != nil || !strings.Contains(string(ans.Result), `"b":{"type":"string"}`) {
					t.Errorf("answered %s, want the result", body)
				}
				return
			}
			want := &answerError{Code: -32603, Message: "the tool's result cannot be encoded as JSON"}
			if diff := cmp.Diff(want, ans.Error); diff != "" || status != 200 {
				t.Errorf("status %d, error (-want +got):\n%s", status, diff)
			}
		})
	}
}
