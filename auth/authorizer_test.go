package auth

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

// The authorizer's three outcomes, in full: Allow with the identity in the
// context, Unauthorized (401) for a missing, invalid or expired token, and
// Deny (403) for a valid token without the required scope.
func TestAuthorizerThreeOutcomes(t *testing.T) {
	key := newRSAKey(t, "k")
	srv := newJWKSServer(t, key)
	a := NewAuthorizer(newTestJWTVerifier(t, srv.url(), nil), &AuthorizerOptions{Scopes: []string{testScope}})
	const arn = "arn:aws:execute-api:us-east-1:123456789012:s4x3opwd6i/test/*/*"
	good := key.sign(t, claims{scope: testScope + " other"})
	statement := func(effect string) events.APIGatewayCustomAuthorizerPolicy {
		return events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17", Statement: []events.IAMPolicyStatement{
			{Action: []string{"execute-api:Invoke"}, Effect: effect, Resource: []string{arn}},
		}}
	}
	var goodExp string
	{
		id, err := newTestJWTVerifier(t, srv.url(), nil).Verify(context.Background(), good)
		if err != nil {
			t.Fatal(err)
		}
		goodExp = identityContext(id)["exp"].(string)
	}
	tests := []struct {
		name    string
		header  string
		want    *events.APIGatewayCustomAuthorizerResponse
		wantErr string
	}{
		{"allow", "Bearer " + good, &events.APIGatewayCustomAuthorizerResponse{
			PrincipalID:    "user-123",
			PolicyDocument: statement("Allow"),
			Context: map[string]any{
				"sub": "user-123", "client_id": "client-abc", "scope": "mcp:tools other", "iss": testIssuer,
				"exp": goodExp, "auth_method": "jwt",
			},
		}, ""},
		{"missing token", "", nil, "Unauthorized"},
		{"invalid token", "Bearer " + tamper(good), nil, "Unauthorized"},
		{"expired token", "Bearer " + key.sign(t, claims{scope: testScope, exp: -time.Hour}), nil, "Unauthorized"},
		{"valid token without the scope", "Bearer " + key.sign(t, claims{scope: "other"}), &events.APIGatewayCustomAuthorizerResponse{
			PrincipalID:    "user-123",
			PolicyDocument: statement("Deny"),
		}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := withField(t, requestEventJSON, func(m map[string]any) {
				if tc.header != "" {
					m["headers"].(map[string]any)["Authorization"] = tc.header
				}
			})
			out, err := a.Invoke(context.Background(), ev)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("Invoke = (%s, %v), want error %q", out, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := new(events.APIGatewayCustomAuthorizerResponse)
			if err := json.Unmarshal(out, got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("response mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
