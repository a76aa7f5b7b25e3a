// Command authorizer is an API Gateway Lambda authorizer for an MCP server:
// REST API TOKEN and REQUEST authorizers and HTTP API authorizers (payload
// format 2.0 with simple responses), told apart by the event.
//
// It verifies the bearer token with static token hashes and/or a JWT
// issuer's JWKS, configured by environment (see docs/auth.md):
//
//	MCP_AUTH_TOKEN_SHA256      comma-separated hex SHA-256 hashes of static tokens
//	MCP_JWT_ISSUER, MCP_JWT_JWKS_URL, MCP_JWT_AUDIENCE, MCP_JWT_AUDIENCE_CLAIM
//	                           (MCP_JWT_JWKS_URL unset: the issuer's OpenID discovery document names it)
//	MCP_REQUIRED_SCOPES        space-separated scopes every caller needs
//	MCP_SCOPE_IMPLIES          scopes that imply others: "mcp:admin=mcp:tools mcp:read; …"
//	MCP_RESOURCE_URL           the MCP endpoint, which a JWT whose audience is in client_id
//	                           must name in its aud, if it has one (deploy/ sets it)
//
// A missing or invalid token fails with "Unauthorized" (401); a valid token
// lacking a scope is denied (403); a valid token is allowed with the caller's
// identity in the authorizer context, which the MCP server reads with
// MCP_AUTH_FROM_AUTHORIZER=1.
//
// To make a static token, generate a random one and print its hash:
//
//	openssl rand -base64 32 | tee token.txt | go run ./cmd/authorizer -hash-token
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Environ, os.Stdin, os.Stdout, os.Stderr, lambda.Start))
}
