package auth

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestAuthorizerVerifier(t *testing.T) {
	exp := time.Unix(1767225600, 0)
	tests := []struct {
		name string
		ac   map[string]any
		want *Identity // nil: want ErrInvalidToken
	}{
		{"our Lambda authorizer (REST)", map[string]any{
			"principalId": "user-1", "sub": "user-1", "client_id": "c1", "scope": "a b", "iss": "https://iss", "exp": "1767225600", "auth_method": "jwt",
		}, &Identity{Subject: "user-1", ClientID: "c1", Issuer: "https://iss", Scopes: []string{"a", "b"}, Expiry: exp, Method: "authorizer"}},
		{"principal only", map[string]any{"principalId": "user-2"}, &Identity{Subject: "user-2", Method: "authorizer"}},
		{"HTTP API JWT authorizer claims", map[string]any{
			"sub": "user-3", "client_id": "c3", "scope": "mcp:tools", "exp": "1767225600", "scopes": []string{"mcp:tools", "mcp:read"},
		}, &Identity{Subject: "user-3", ClientID: "c3", Scopes: []string{"mcp:read", "mcp:tools"}, Expiry: exp, Method: "authorizer"}},
		{"numbers from JSON", map[string]any{"sub": "user-5", "exp": float64(1767225600), "scopes": []any{"x"}},
			&Identity{Subject: "user-5", Scopes: []string{"x"}, Expiry: exp, Method: "authorizer"}},
		{"REST Cognito user pool authorizer", map[string]any{"claims": map[string]any{"sub": "user-4", "client_id": "c4"}},
			&Identity{Subject: "user-4", ClientID: "c4", Method: "authorizer"}},
		{"no authorizer in front", nil, nil},
		{"no subject", map[string]any{"scope": "a"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := &AuthorizerVerifier{Context: func(context.Context) map[string]any { return tc.ac }}
			got, err := v.Verify(context.Background(), "ignored")
			if tc.want == nil {
				if !errors.Is(err, ErrInvalidToken) {
					t.Fatalf("Verify = (%v, %v), want ErrInvalidToken", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("identity mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// What the Lambda authorizer puts in the context is what the server reads
// back: a tool sees the same identity whichever side checked the token.
func TestAuthorizerContextRoundTrip(t *testing.T) {
	key := newRSAKey(t, "k")
	srv := newJWKSServer(t, key)
	jv := newTestJWTVerifier(t, srv.url(), nil)
	token := key.sign(t, claims{scope: "mcp:tools extra"})
	direct, err := jv.Verify(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}

	ev := withField(t, tokenEventJSON, func(m map[string]any) { m["authorizationToken"] = "Bearer " + token })
	out, err := NewAuthorizer(jv, nil).Invoke(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	var resp events.APIGatewayCustomAuthorizerResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	// API Gateway passes the context on with principalId added.
	ac := resp.Context
	ac["principalId"] = resp.PrincipalID
	viaAuthorizer, err := (&AuthorizerVerifier{Context: func(context.Context) map[string]any { return ac }}).Verify(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(direct, viaAuthorizer, cmpopts.IgnoreFields(Identity{}, "Method"), cmpopts.EquateApproxTime(time.Second)); diff != "" {
		t.Errorf("identity differs by path (-direct +authorizer):\n%s", diff)
	}
}

func FuzzAuthorizerInvoke(f *testing.F) {
	for _, seed := range [][]byte{tokenEventJSON, requestEventJSON, httpV1EventJSON, httpV2EventJSON, []byte(`{"type":"TOKEN"}`)} {
		f.Add(seed)
	}
	v, _ := NewStaticVerifier([]string{HashToken("allow")}, nil)
	a := NewAuthorizer(v, nil)
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := a.Invoke(context.Background(), payload)
		if err == nil && !json.Valid(out) {
			t.Fatalf("invalid JSON response %q", out)
		}
	})
}
