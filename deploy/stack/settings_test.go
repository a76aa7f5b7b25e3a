package stack_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/deploy/stack"
)

// TestSizingSettings checks that serverMemory, throttleRate and throttleBurst reach the template
// with the values given, not the defaults, on both gateways, and leave the authorizer's memory
// as it is.
func TestSizingSettings(t *testing.T) {
	for _, variant := range []stack.Variant{stack.VariantREST, stack.VariantHTTP} {
		t.Run(string(variant), func(t *testing.T) {
			_, doc, _ := synth(t, stack.Props{Variant: variant, ServerMemoryMB: 1024, ThrottleRate: 7, ThrottleBurst: 9})
			memory := map[string]any{}
			for _, fn := range resources(doc, "AWS::Lambda::Function") {
				memory[render(fn["Description"])] = fn["MemorySize"]
			}
			want := map[string]any{"lambdamcp MCP server": 1024.0, "lambdamcp bearer token authorizer": 256.0}
			if diff := cmp.Diff(want, memory); diff != "" {
				t.Errorf("memory by function (-want +got):\n%s", diff)
			}
			var limits []any
			for _, st := range resources(doc, "AWS::ApiGateway::Stage") {
				for _, s := range list(st["MethodSettings"]) {
					m, _ := s.(map[string]any)
					limits = append(limits, m["ThrottlingRateLimit"], m["ThrottlingBurstLimit"])
				}
			}
			for _, st := range resources(doc, "AWS::ApiGatewayV2::Stage") {
				m, _ := st["DefaultRouteSettings"].(map[string]any)
				limits = append(limits, m["ThrottlingRateLimit"], m["ThrottlingBurstLimit"])
			}
			if diff := cmp.Diff([]any{7.0, 9.0}, limits); diff != "" {
				t.Errorf("stage throttling, rate and burst (-want +got):\n%s", diff)
			}
		})
	}
}

// TestJWTKeySettings checks that jwtJwksUrl and jwtAudienceClaim reach whichever function checks
// tokens: the authorizer on the rest variant, the server itself on url.
func TestJWTKeySettings(t *testing.T) {
	jwt := &stack.JWT{Issuer: "https://issuer.example.com", Audience: "mcp-client", JWKSURL: "https://keys.example.com/jwks",
		AudienceClaim: "azp", RequiredScopes: []string{"mcp"}}
	for variant, checker := range map[stack.Variant]string{stack.VariantREST: "authorizer", stack.VariantURL: "MCP server"} {
		t.Run(string(variant), func(t *testing.T) {
			_, doc, _ := synth(t, stack.Props{Variant: variant, JWT: jwt})
			got := env(t, doc, checker)
			for k, want := range map[string]string{
				"MCP_JWT_ISSUER":         "https://issuer.example.com",
				"MCP_JWT_JWKS_URL":       "https://keys.example.com/jwks",
				"MCP_JWT_AUDIENCE":       "mcp-client",
				"MCP_JWT_AUDIENCE_CLAIM": "azp",
				"MCP_REQUIRED_SCOPES":    "mcp",
			} {
				if got[k] != want {
					t.Errorf("%s: %s = %q, want %q", checker, k, got[k], want)
				}
			}
		})
	}
}

// TestJWTKeysDiscovered checks that without jwtJwksUrl the function that checks tokens is given no
// JWKS URL: it reads the one the issuer's discovery document names, which few issuers serve at
// <issuer>/.well-known/jwks.json.
func TestJWTKeysDiscovered(t *testing.T) {
	jwt := &stack.JWT{Issuer: "https://login.example.com/oauth2/default", Audience: "api://mcp"}
	for variant, checker := range map[stack.Variant]string{stack.VariantREST: "authorizer", stack.VariantURL: "MCP server"} {
		t.Run(string(variant), func(t *testing.T) {
			_, doc, _ := synth(t, stack.Props{Variant: variant, JWT: jwt})
			got := env(t, doc, checker)
			if v, ok := got["MCP_JWT_JWKS_URL"]; ok {
				t.Errorf("%s: MCP_JWT_JWKS_URL = %q, want it unset", checker, v)
			}
			if got["MCP_JWT_ISSUER"] != jwt.Issuer {
				t.Errorf("%s: MCP_JWT_ISSUER = %q, want %q", checker, got["MCP_JWT_ISSUER"], jwt.Issuer)
			}
		})
	}
}
