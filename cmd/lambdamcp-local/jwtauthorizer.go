package main

import (
	"errors"
	"strings"

	"github.com/lambdamcp/lambdamcp/internal/localfront"
	"github.com/lambdamcp/lambdamcp/internal/oauthscope"
)

// httpJWT reports whether the flags ask for the deploy stack's http
// variant with JWTs, whose route the HTTP API's own JWT authorizer
// guards (deploy/stack/http.go, newHTTPAuthorizer).
func (o *options) httpJWT() bool {
	return o.likeDeploy && o.shape == string(localfront.ShapeHTTP) && (o.testIssuer || o.jwtIssuer != "")
}

// checkJWTAuthorizer refuses the JWT authorizer's flags where the stack
// has no such authorizer, and -like-deploy on http without an authorizer
// of the stack's: its JWT authorizer, or for static tokens its Lambda
// authorizer.
func (o *options) checkJWTAuthorizer() error {
	given := o.jwtIssuer != "" || o.jwtAudience != ""
	switch {
	case given && (o.shape != string(localfront.ShapeHTTP) || !o.likeDeploy):
		return errors.New("-jwt-issuer and -jwt-audience configure the HTTP API's JWT authorizer: use them with -shape http -like-deploy")
	case given && o.testIssuer:
		return errors.New("-test-issuer is the JWT authorizer's issuer: drop -jwt-issuer and -jwt-audience")
	case given && (o.jwtIssuer == "" || o.jwtAudience == ""):
		return errors.New("the JWT authorizer needs both -jwt-issuer and -jwt-audience")
	case o.httpJWT() && o.hasAuthorizer():
		return errors.New("the deploy stack's http variant checks JWTs with the HTTP API's own JWT authorizer, not a Lambda authorizer: drop -authorizer or -build-authorizer")
	case o.likeDeploy && o.shape == string(localfront.ShapeHTTP) && o.authorizerChecksJWTs():
		// The stack has no variant whose Lambda authorizer checks JWTs on
		// http: with a jwtIssuer its HTTP API routes the metadata and
		// guards /mcp with its own JWT authorizer.
		return errors.New("the deploy stack's http variant checks JWTs with the HTTP API's own JWT authorizer, not a Lambda authorizer: " +
			"give -jwt-issuer and -jwt-audience (or -test-issuer) in place of -authorizer or -build-authorizer and MCP_JWT_ISSUER in -authorizer-env")
	case o.likeDeploy && o.shape == string(localfront.ShapeHTTP) && !o.httpJWT() && !o.hasAuthorizer():
		return errors.New("-like-deploy on http emulates the stack's authorizer: give -test-issuer, or -jwt-issuer and -jwt-audience, for its JWT authorizer, " +
			"or -authorizer or -build-authorizer for its Lambda authorizer with static tokens")
	}
	return nil
}

// authorizerChecksJWTs reports whether the Lambda authorizer is given an
// issuer of JWTs (MCP_JWT_ISSUER in -authorizer-env, its last value not
// empty), as -like-deploy on rest reads the stack's variant with JWTs.
func (o *options) authorizerChecksJWTs() bool {
	v, _ := lookup(o.authorizerEnv, "MCP_JWT_ISSUER")
	return o.hasAuthorizer() && v != ""
}

// jwtAuthorizer is the HTTP API's JWT authorizer the flags describe, nil
// for none: the issuer and audiences given, or -test-issuer's (a
// stand-in until it runs), and as the route's scopes those the stack
// gives the server too, MCP_REQUIRED_SCOPES.
func (o *options) jwtAuthorizer() *localfront.JWTAuthorizer {
	switch {
	case !o.httpJWT():
		return nil
	case o.jwt != nil:
		return o.jwt
	case o.testIssuer:
		return &localfront.JWTAuthorizer{Issuer: "http://127.0.0.1/not-started", Audience: []string{"not-started"}}
	}
	j := &localfront.JWTAuthorizer{Issuer: o.jwtIssuer}
	for a := range strings.SplitSeq(o.jwtAudience, ",") {
		if a = strings.TrimSpace(a); a != "" {
			j.Audience = append(j.Audience, a)
		}
	}
	if v, ok := lookup(o.env, "MCP_REQUIRED_SCOPES"); ok {
		j.Scopes = oauthscope.List(v)
	}
	return j
}
