// Package auth protects an MCP endpoint with bearer tokens, as the MCP
// authorization spec asks of an OAuth 2.1 resource server.
//
// A [Verifier] turns a bearer token into an [Identity]. Three are provided:
// [StaticVerifier] accepts tokens whose SHA-256 hash is configured,
// [JWTVerifier] validates JWT access tokens against an issuer's JWKS
// (Amazon Cognito, Auth0, Okta, any OIDC issuer), and [AuthorizerVerifier]
// trusts the identity an API Gateway Lambda authorizer already checked.
//
// The same verifiers serve two entry points:
//
//   - [Middleware] wraps an http.Handler for deployments with no API Gateway
//     in front (Function URLs, ALB, local mode): it answers 401 and 403 with
//     the WWW-Authenticate challenges the spec describes, serves the RFC 9728
//     Protected Resource Metadata document, validates Origin and answers CORS
//     preflights.
//   - [Authorizer] is a Lambda authorizer for API Gateway REST APIs (TOKEN and
//     REQUEST) and HTTP APIs (simple responses).
//
// Either way tools read the caller through the go-sdk's own mechanism,
// req.Extra.TokenInfo, so a tool sees one identity type wherever the token
// was checked.
package auth
