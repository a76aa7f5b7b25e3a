package localfront_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/internal/localfront"
)

// TestJWTIssuerEnv holds the environments to those the deploy stack
// gives its functions with a Cognito user pool (deploy/stack/auth.go):
// the authorizer, or the server without one, checks the tokens; the
// endpoint and its metadata are named inside the API, base path
// included.
func TestJWTIssuerEnv(t *testing.T) {
	j := localfront.JWTIssuer{Issuer: "http://127.0.0.1:1/pool", JWKSURL: "http://127.0.0.1:1/jwks.json", ClientID: "app", Scopes: []string{"a/b", "c"}}
	verify := []string{"MCP_JWT_ISSUER=http://127.0.0.1:1/pool", "MCP_JWT_JWKS_URL=http://127.0.0.1:1/jwks.json",
		"MCP_JWT_AUDIENCE=app", "MCP_JWT_AUDIENCE_CLAIM=client_id", "MCP_REQUIRED_SCOPES=a/b c"}
	tests := []struct {
		name           string
		base, basePath string
		authorizer     bool
		server, auth   []string
	}{
		{name: "the server checks", base: "http://127.0.0.1:9000/dev",
			server: append(verify, "MCP_RESOURCE_URL=http://127.0.0.1:9000/dev/mcp",
				"MCP_RESOURCE_METADATA_URL=http://127.0.0.1:9000/dev/.well-known/oauth-protected-resource/mcp",
				"MCP_AUTHORIZATION_SERVERS=http://127.0.0.1:1/pool")},
		{name: "behind an authorizer, through a base path", base: "http://127.0.0.1:9000/v1/tools", basePath: "v1/tools", authorizer: true,
			server: []string{"MCP_AUTH_FROM_AUTHORIZER=1", "MCP_RESOURCE_URL=http://127.0.0.1:9000/v1/tools/mcp",
				"MCP_RESOURCE_METADATA_URL=http://127.0.0.1:9000/v1/tools/.well-known/oauth-protected-resource/v1/tools/mcp",
				"MCP_AUTHORIZATION_SERVERS=http://127.0.0.1:1/pool", "MCP_REQUIRED_SCOPES=a/b c"},
			auth: append(verify, "MCP_RESOURCE_URL=http://127.0.0.1:9000/v1/tools/mcp")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			server, auth := j.Env(tc.base, tc.basePath, tc.authorizer)
			if diff := cmp.Diff(tc.server, server); diff != "" {
				t.Errorf("server (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.auth, auth); diff != "" {
				t.Errorf("authorizer (-want +got):\n%s", diff)
			}
		})
	}
}

// TestJWTIssuerEnvDiscovers leaves MCP_JWT_JWKS_URL out for an issuer
// given without one, as the deploy stack does for an issuer of the
// user's: the functions read it from the issuer's discovery document.
func TestJWTIssuerEnvDiscovers(t *testing.T) {
	j := localfront.JWTIssuer{Issuer: "http://127.0.0.1:1/pool", ClientID: "app", Scopes: []string{"a/b"}}
	want := []string{"MCP_JWT_ISSUER=http://127.0.0.1:1/pool", "MCP_JWT_AUDIENCE=app", "MCP_JWT_AUDIENCE_CLAIM=client_id", "MCP_REQUIRED_SCOPES=a/b"}
	if diff := cmp.Diff(want, j.VerifyEnv()); diff != "" {
		t.Errorf("environment (-want +got):\n%s", diff)
	}
}
