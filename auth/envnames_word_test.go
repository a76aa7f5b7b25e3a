package auth

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A name read written without its AUTH_ or JWT_ word, or with one it does
// not have, is as plainly meant for it as one with a letter wrong: without
// a word, MCP_TOKEN_SHA256 would start the server with no token checked,
// and MCP_FROM_AUTHORIZER with no identity, and say nothing of either.
func TestUnreadVarsWordLeftOut(t *testing.T) {
	environ := []string{
		"MCP_TOKEN_SHA256=ab", "MCP_FROM_AUTHORIZER=1", "MCP_JWKS_URL=https://x", "MCP_ISSUER=https://x",
		"MCP_JWT_REQUIRED_SCOPES=a", "MCP_AUTH_REQUIRED_SCOPES=a", "mcp_token_sha256=ab",
		// Names of their own, left alone as before.
		"MCP_TOKEN=z", "MCP_CLIENT_ID=x", "MCP_AUTH_TOKEN=s",
	}
	want := []UnreadVar{
		{"MCP_TOKEN_SHA256", EnvTokenSHA256}, {"MCP_FROM_AUTHORIZER", EnvFromAuthorizer},
		{"MCP_JWKS_URL", EnvJWTJWKSURL}, {"MCP_ISSUER", EnvJWTIssuer},
		{"MCP_JWT_REQUIRED_SCOPES", EnvRequiredScopes}, {"MCP_AUTH_REQUIRED_SCOPES", EnvRequiredScopes},
		{"mcp_token_sha256", EnvTokenSHA256},
		{Name: "MCP_AUTH_TOKEN"},
	}
	if diff := cmp.Diff(want, UnreadVars(environ)); diff != "" {
		t.Errorf("UnreadVars(%q) (-want +got):\n%s", environ, diff)
	}
}
