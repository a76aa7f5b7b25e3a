package auth

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// An HTTP API JWT authorizer passes an array claim on as "[a b]": a token
// whose "scope" is an array, which JWTVerifier reads as its scopes, holds
// the same scopes through the authorizer, not "[a" and "b]".
func TestAuthorizerVerifierScopeArrayClaim(t *testing.T) {
	for _, tc := range []struct {
		ac   map[string]any
		want []string
	}{
		{map[string]any{"sub": "u", "scope": "[mcp:tools mcp:read]"}, []string{"mcp:read", "mcp:tools"}},
		{map[string]any{"sub": "u", "scope": "[mcp:tools]"}, []string{"mcp:tools"}},
		{map[string]any{"sub": "u", "scp": "[mcp:tools mcp:read]"}, []string{"mcp:read", "mcp:tools"}},
		// Only a whole array is unwrapped: a bracket on one side alone
		// is part of a scope's name.
		{map[string]any{"sub": "u", "scp": "mcp:admin]"}, []string{"mcp:admin]"}},
		{map[string]any{"sub": "u", "scope": "[mcp:admin"}, []string{"[mcp:admin"}},
	} {
		v := &AuthorizerVerifier{Context: func(context.Context) map[string]any { return tc.ac }}
		id, err := v.Verify(context.Background(), "")
		if err != nil {
			t.Fatalf("%v: %v", tc.ac, err)
		}
		if diff := cmp.Diff(tc.want, id.Scopes); diff != "" {
			t.Errorf("%v: scopes (-want +got):\n%s", tc.ac, diff)
		}
	}
}

// An HTTP API Lambda authorizer's context is any JSON: a "scope" passed on
// as an array, as a token may hold it, is read as "scp" and "scopes" are.
func TestAuthorizerVerifierScopeArrayJSON(t *testing.T) {
	ac := map[string]any{"sub": "u", "scope": []any{"mcp:tools", "mcp:read"}}
	v := &AuthorizerVerifier{Context: func(context.Context) map[string]any { return ac }}
	id, err := v.Verify(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"mcp:read", "mcp:tools"}, id.Scopes); diff != "" {
		t.Errorf("scopes (-want +got):\n%s", diff)
	}
}
