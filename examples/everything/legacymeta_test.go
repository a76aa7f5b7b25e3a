package everything_test

import (
	"testing"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/examples/everything"
	"github.com/lambdamcp/lambdamcp/internal/lambdatest"
)

// TestLegacyEraWithCapabilitiesInMeta checks that a 2025-11-25 request
// whose _meta declares client capabilities, as a 2026-07-28 request's
// does, is answered as its era is: the go-sdk reads those capabilities in
// every era, but a stateless server still cannot ask the client anything
// before 2026-07-28, and the go-sdk would fail the call with an error the
// client cannot act on (code 0, "client does not support elicitation").
func TestLegacyEraWithCapabilitiesInMeta(t *testing.T) {
	h := everything.Handler(everything.New(nil), nil)
	route := lambdatest.Route{Shape: lambdamcp.ShapeURL}
	meta := map[string]any{"io.modelcontextprotocol/clientCapabilities": map[string]any{
		"elicitation": map[string]any{}, "sampling": map[string]any{}, "roots": map[string]any{},
	}}
	for _, tc := range []struct{ tool, asks string }{
		{"test_input_required_result_elicitation", "the user for input (elicitation)"},
		{"test_input_required_result_sampling", "the client's model for input (sampling)"},
		{"test_input_required_result_list_roots", "the client for its roots"},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			var res struct {
				IsError bool `json:"isError"`
				Content []struct {
					Text string `json:"text"`
				} `json:"content"`
			}
			lambdatest.Invoke(t, h, route, lambdatest.Call(lambdatest.Legacy, 1, "tools/call",
				map[string]any{"name": tc.tool, "arguments": map[string]any{}}, meta)).Result(t, &res)
			want := tc.tool + " asks " + tc.asks + ", which needs protocol 2026-07-28 or later"
			if !res.IsError || len(res.Content) != 1 || res.Content[0].Text != want {
				t.Errorf("result %+v, want the tool error %q", res, want)
			}
		})
	}
	t.Run("prompt", func(t *testing.T) {
		a := lambdatest.Invoke(t, h, route, lambdatest.Call(lambdatest.Legacy, 1, "prompts/get",
			map[string]any{"name": "test_input_required_result_prompt"}, meta))
		e, _ := a.Last()["error"].(map[string]any)
		if code, _ := e["code"].(float64); code != -32600 {
			t.Errorf("answer %v, want error -32600 saying the prompt needs 2026-07-28", a.Messages)
		}
	})
}

// TestLegacyEraCapabilitiesTool checks that
// test_input_required_result_capabilities answers a 2025-11-25 request by
// its era, with or without capabilities in its _meta: a stateless server
// sees no capabilities a client declared in initialize, so it cannot say
// which input that client could give, and could not ask for any.
func TestLegacyEraCapabilitiesTool(t *testing.T) {
	legacyToolError(t, "test_input_required_result_capabilities", map[string]any{
		"elicitation": map[string]any{}, "sampling": map[string]any{}, "roots": map[string]any{},
	}, "test_input_required_result_capabilities asks the client for input, which needs protocol 2026-07-28 or later")
}

// TestLegacyEraMissingCapability checks that test_missing_capability, a
// probe of the capabilities a 2026-07-28 request declares, answers a
// 2025-11-25 request by its era: not with -32021, a code that era does not
// have, saying the client declared nothing (it declared its capabilities
// in initialize, which a stateless server does not see), nor taking
// capabilities from the request's _meta.
func TestLegacyEraMissingCapability(t *testing.T) {
	legacyToolError(t, "test_missing_capability", map[string]any{"sampling": map[string]any{}},
		"test_missing_capability checks the capabilities a request declares, which needs protocol 2026-07-28 or later")
}

// legacyToolError calls tool in a 2025-11-25 request, without
// capabilities in its _meta and with caps there, and checks that each
// call gets the tool error want.
func legacyToolError(t *testing.T, tool string, caps map[string]any, want string) {
	t.Helper()
	h := everything.Handler(everything.New(nil), nil)
	route := lambdatest.Route{Shape: lambdamcp.ShapeURL}
	for name, meta := range map[string]map[string]any{
		"without capabilities": nil,
		"with capabilities":    {"io.modelcontextprotocol/clientCapabilities": caps},
	} {
		t.Run(name, func(t *testing.T) {
			var res struct {
				IsError bool `json:"isError"`
				Content []struct {
					Text string `json:"text"`
				} `json:"content"`
			}
			lambdatest.Invoke(t, h, route, lambdatest.Call(lambdatest.Legacy, 1, "tools/call",
				map[string]any{"name": tool, "arguments": map[string]any{}}, meta)).Result(t, &res)
			if !res.IsError || len(res.Content) != 1 || res.Content[0].Text != want {
				t.Errorf("result %+v, want the tool error %q", res, want)
			}
		})
	}
}
