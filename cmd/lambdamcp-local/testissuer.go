package main

import (
	"crypto/rand"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/lambdamcp/lambdamcp/internal/localfront"
	"github.com/lambdamcp/lambdamcp/internal/oauthscope"
	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
)

// testIssuerPool is the path of the test issuer's URL, where a Cognito
// user pool has its id: it says what the issuer does in every token's
// iss and every document naming it.
const testIssuerPool = "test-issuer-approves-everything"

// defaultTestScope is the scope the deploy stack's Cognito variant
// requires (cognitoResourceServer/cognitoScope): with a client_id
// audience a scope is required, so there is always one.
const defaultTestScope = "lambdamcp/mcp"

// testIssuerScopes are the scopes the test issuer grants and the
// functions require: those the user gave in MCP_REQUIRED_SCOPES (the
// authorizer's, which checks the tokens, first), else the stack's.
func (o *options) testIssuerScopes() []string {
	if !o.testIssuer {
		return nil
	}
	for _, env := range []envList{o.authorizerEnv, o.env} {
		if v, ok := lookup(env, "MCP_REQUIRED_SCOPES"); ok {
			if scopes := oauthscope.List(v); len(scopes) > 0 {
				return scopes
			}
		}
	}
	return []string{defaultTestScope}
}

// checkTestIssuer refuses an issuer of the user's beside -test-issuer's:
// the settings not given are filled in, so the other issuer's name would
// go with the test issuer's keys, and no token of either would pass.
func (o *options) checkTestIssuer() error {
	if !o.testIssuer {
		return nil
	}
	for _, e := range []struct {
		flag string
		env  envList
	}{{"-env", o.env}, {"-authorizer-env", o.authorizerEnv}} {
		for _, key := range []string{"MCP_JWT_ISSUER", "MCP_JWT_JWKS_URL"} {
			if _, ok := lookup(e.env, key); ok {
				return fmt.Errorf("-test-issuer is the issuer of the tokens: drop %s from %s, or -test-issuer to use your own", key, e.flag)
			}
		}
	}
	return nil
}

// checkRequiredScopes refuses, as the functions refuse at start-up
// (auth.ConfigFromEnv), a scope in MCP_REQUIRED_SCOPES that is no RFC 6749
// scope-token, where the front reads them itself (-like-deploy and
// -test-issuer): split at ASCII white space only, as the functions split
// them, a scope holding a no-break space would otherwise be read as two
// here and refused there.
func (o *options) checkRequiredScopes() error {
	if !o.likeDeploy && !o.testIssuer {
		return nil
	}
	for _, e := range []struct {
		flag string
		env  envList
	}{{"-env", o.env}, {"-authorizer-env", o.authorizerEnv}} {
		if v, ok := lookup(e.env, "MCP_REQUIRED_SCOPES"); ok {
			if err := oauthscope.Check(e.flag+" MCP_REQUIRED_SCOPES", oauthscope.List(v)); err != nil {
				return err
			}
		}
	}
	return nil
}

// lookup is the last value env gives key, as the process would see it.
func lookup(env []string, key string) (string, bool) {
	for _, kv := range slices.Backward(env) {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v, true
		}
	}
	return "", false
}

// startTestIssuer starts an authorization server on a loopback port
// with one client made for the run, and fills in the functions'
// environment to take its tokens, as the deploy stack's Cognito variant
// sets it, but for what the user set. The environment names the front's
// URL, so the front's listener is opened first.
func (o *options) startTestIssuer() (*oauthtest.Server, error) {
	if err := o.listen(); err != nil {
		return nil, err
	}
	var authorizer localfront.Function
	if o.hasAuthorizer() {
		authorizer = unbuilt{}
	}
	pre, err := localfront.New(o.frontConfig(unbuilt{}, authorizer, nil))
	if err != nil {
		return nil, err
	}
	scopes := o.testIssuerScopes()
	// oauthtest listens on 127.0.0.1 alone: whoever can reach it is on
	// this machine, which is what makes printing its secret acceptable.
	as, err := oauthtest.Start(oauthtest.Options{
		ClientID: "local-" + strings.ToLower(rand.Text()[:12]), Secret: rand.Text(),
		Pool: testIssuerPool, Cognito: true,
		AuthMethods: []string{"client_secret_basic", "client_secret_post"},
		Scopes:      scopes,
	})
	if err != nil {
		return nil, fmt.Errorf("starting the test issuer: %w", err)
	}
	j := localfront.JWTIssuer{Issuer: as.Issuer, JWKSURL: as.JWKSURL(), ClientID: as.ClientID, Scopes: scopes}
	base := pre.URLAt(o.listener.Addr())
	// Behind the HTTP API's JWT authorizer the server trusts its verdict,
	// as behind a Lambda authorizer; the authorizer takes the client's
	// id, and the endpoint, which a Cognito token asked for a resource
	// names in its aud (newHTTPAuthorizer).
	server, auth := j.Env(base, o.base, o.hasAuthorizer() || o.httpJWT())
	if o.httpJWT() {
		o.jwt = &localfront.JWTAuthorizer{Issuer: as.Issuer, Audience: []string{as.ClientID, base + "/mcp"}, Scopes: scopes}
		auth = nil
	}
	o.env = withDefaults(o.env, server)
	o.authorizerEnv = withDefaults(o.authorizerEnv, auth)
	return as, nil
}

// withDefaults is env with each of defaults whose key env does not set,
// or, for MCP_REQUIRED_SCOPES, sets to no scope: the test issuer's tokens
// name the client, not this server, and only a scope binds them to it
// (testIssuerScopes falls back to the stack's then; the functions refuse
// to start with a client_id audience and no scope).
func withDefaults(env envList, defaults []string) envList {
	for _, kv := range defaults {
		k, _, _ := strings.Cut(kv, "=")
		v, ok := lookup(env, k)
		if !ok || k == "MCP_REQUIRED_SCOPES" && len(oauthscope.List(v)) == 0 {
			env = append(env, kv)
		}
	}
	return env
}

// printTestIssuer tells, after the front's URL, how to get a token from
// the test issuer for the endpoint. The secret is printed, never logged:
// it is a credential made for this run of a server only this machine can
// reach, which approves everything anyway.
func printTestIssuer(w io.Writer, endpoint string, as *oauthtest.Server) {
	client := "go run github.com/lambdamcp/lambdamcp/cmd/mcp-client"
	creds := fmt.Sprintf("-endpoint %s -client-id %s -issuer %s", endpoint, as.ClientID, as.Issuer)
	fmt.Fprintf(w, `test issuer: %s
  It approves every request: for trying, not for production. It listens on loopback only,
  and its client is made for this run, so its secret is printed here.
client id: %s
client secret: %s
token endpoint: %s/oauth2/token
call with a token of the client:
  MCP_CLIENT_SECRET=%s %s %s
sign in as a person (approved at once):
  MCP_CLIENT_SECRET=%s %s -login %s
`, as.Issuer, as.ClientID, as.Secret, as.URL, as.Secret, client, creds, as.Secret, client, creds)
}
