package auth

import "testing"

// A tool of a server without authentication finds no token, and
// IdentityFromTokenInfo gives it a nil identity: asking that identity for
// scopes must say no, not panic in the go-sdk's handler goroutine.
func TestNilIdentityHoldsNoScopes(t *testing.T) {
	id := IdentityFromTokenInfo(nil)
	if id.HasScopes("mcp:tools") {
		t.Error("a nil identity holds mcp:tools")
	}
	if !id.HasScopes() {
		t.Error("a nil identity does not hold the empty set of scopes")
	}
	if info := id.TokenInfo(); info != nil {
		t.Errorf("a nil identity's TokenInfo = %+v, want nil", info)
	}
}
