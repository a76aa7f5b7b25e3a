package auth

import (
	"errors"
	"testing"
)

// A nil Verifier refuses every token, as Middleware and NewAuthorizer
// take it, wherever it is given: among AnyOf's verifiers (one left unset
// because its configuration is absent), to RequireScopes or to
// TokenVerifier. A panic there would answer the request 500.
func TestNilVerifierRefuses(t *testing.T) {
	static, err := NewStaticVerifier([]string{HashToken(staticToken)}, &StaticOptions{Scopes: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	either := AnyOf(static, nil)
	if id, err := either.Verify(t.Context(), staticToken); err != nil || id == nil {
		t.Errorf("AnyOf(static, nil) refused the static token: %v", err)
	}
	if _, err := either.Verify(t.Context(), "nope"); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("AnyOf(static, nil) on an unknown token: %v, want ErrInvalidToken", err)
	}
	if _, err := RequireScopes(nil, "a").Verify(t.Context(), staticToken); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("RequireScopes(nil, a): %v, want ErrInvalidToken", err)
	}
	if _, err := TokenVerifier(nil)(t.Context(), staticToken, nil); err == nil {
		t.Error("TokenVerifier(nil) accepted a token")
	}
}
