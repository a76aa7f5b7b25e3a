package auth

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
)

// A subject that is there but is no string nor number (an HTTP API Lambda
// authorizer's context is any JSON) is refused, as an unreadable "exp" is:
// taken for absent, it would leave the caller named by its client, which
// every other user of that client shares.
func TestAuthorizerVerifierUnreadableIdentity(t *testing.T) {
	for _, ctxJSON := range []string{
		`{"sub": ["alice"], "client_id": "webapp"}`,
		`{"sub": {"id": "alice"}, "client_id": "webapp"}`,
		`{"sub": true, "client_id": "webapp"}`,
		`{"sub": null, "client_id": "webapp"}`,
		`{"sub": "alice", "client_id": ["webapp"]}`,
		`{"client_id": {"id": "webapp"}, "azp": "other"}`,
		`{"sub": "alice", "iss": ["https://a", "https://b"]}`,
	} {
		var ac map[string]any
		if err := json.Unmarshal([]byte(ctxJSON), &ac); err != nil {
			t.Fatal(err)
		}
		v := &AuthorizerVerifier{Context: func(context.Context) map[string]any { return ac }}
		id, err := v.Verify(context.Background(), "")
		if !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%s: Verify = (%+v, %v), want ErrInvalidToken", ctxJSON, id, err)
		}
	}
}
