package localfront

import (
	"strings"
)

// JWTIssuer is an authorization server whose JWT access tokens the
// functions behind a front check, configured as the deploy stack
// configures its Cognito user pool (deploy/stack/auth.go: cognitoAuth,
// serverEnv, authorizerEnv; url.go): the app client's id is the
// audience, matched in the client_id claim, since Cognito's access
// tokens carry no aud.
type JWTIssuer struct {
	// JWKSURL empty leaves MCP_JWT_JWKS_URL unset: the functions read the
	// key set's URL from the issuer's discovery document, as the stack
	// has them do for an issuer of the user's.
	Issuer, JWKSURL string
	// ClientID is the app client whose tokens are taken.
	ClientID string
	// Scopes are those every token must carry; a client_id audience
	// needs at least one (a token of any client of the issuer would
	// pass otherwise).
	Scopes []string
}

// VerifyEnv is the environment of whichever function checks the tokens:
// a Lambda authorizer, or the server itself where none runs.
func (j JWTIssuer) VerifyEnv() []string {
	env := []string{"MCP_JWT_ISSUER=" + j.Issuer}
	if j.JWKSURL != "" {
		env = append(env, "MCP_JWT_JWKS_URL="+j.JWKSURL)
	}
	env = append(env, "MCP_JWT_AUDIENCE="+j.ClientID, "MCP_JWT_AUDIENCE_CLAIM=client_id")
	if len(j.Scopes) > 0 {
		env = append(env, "MCP_REQUIRED_SCOPES="+strings.Join(j.Scopes, " "))
	}
	return env
}

// Env is the environment of an MCP server at base+"/mcp", base being a
// front's URL (Front.URL; with a custom domain, ending in basePath), and,
// when authorizer, of the Lambda authorizer in front of it (nil
// otherwise). Behind an authorizer the server trusts its verdict and
// publishes the metadata, as the stack's serverEnv has it, and the
// authorizer checks the tokens and the endpoint a token's aud must name;
// without one the server checks the tokens itself, as on the stack's
// Function URL. Both name the endpoint and the metadata inside the API,
// as the stack's endpoints do, since the URL a function sees behind a
// stage or a base path is not the client's.
func (j JWTIssuer) Env(base, basePath string, authorizer bool) (server, auth []string) {
	resource := base + "/mcp"
	metadata := base + "/.well-known/oauth-protected-resource/mcp"
	if basePath != "" {
		metadata = base + "/.well-known/oauth-protected-resource/" + basePath + "/mcp"
	}
	endpoint := []string{
		"MCP_RESOURCE_URL=" + resource,
		"MCP_RESOURCE_METADATA_URL=" + metadata,
		"MCP_AUTHORIZATION_SERVERS=" + j.Issuer,
	}
	if !authorizer {
		return append(j.VerifyEnv(), endpoint...), nil
	}
	server = append([]string{"MCP_AUTH_FROM_AUTHORIZER=1"}, endpoint...)
	if len(j.Scopes) > 0 {
		server = append(server, "MCP_REQUIRED_SCOPES="+strings.Join(j.Scopes, " "))
	}
	return server, append(j.VerifyEnv(), "MCP_RESOURCE_URL="+resource)
}
