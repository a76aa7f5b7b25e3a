package auth

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
)

// An HTTP API Lambda authorizer's context is any JSON, and its numbers
// arrive as float64: a numeric id past 2^53 (a Snowflake id) is rounded,
// so two callers would share one subject. Such an id is refused rather
// than served as another caller's.
func TestAuthorizerVerifierInexactNumber(t *testing.T) {
	for _, ctxJSON := range []string{
		`{"sub": 9007199254740993}`,
		`{"sub": 9007199254740992}`,
		`{"sub": -1234567890123456789}`,
		`{"principalId": 1234567890123456789}`,
		`{"client_id": 1234567890123456789}`,
		`{"sub": "user-1", "azp": 1234567890123456789}`,
		// A fraction is rounded as well: 0.10000000000000001 reads as 0.1.
		`{"sub": 0.10000000000000001}`,
		`{"sub": 0.5}`,
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
	// A number read exactly is still a subject.
	for ctxJSON, want := range map[string]string{`{"sub": 9007199254740991}`: "9007199254740991", `{"sub": 1e3}`: "1000"} {
		var ac map[string]any
		if err := json.Unmarshal([]byte(ctxJSON), &ac); err != nil {
			t.Fatal(err)
		}
		v := &AuthorizerVerifier{Context: func(context.Context) map[string]any { return ac }}
		id, err := v.Verify(context.Background(), "")
		if err != nil || id.Subject != want {
			t.Errorf("%s: Verify = (%+v, %v), want subject %q", ctxJSON, id, err, want)
		}
	}
}
