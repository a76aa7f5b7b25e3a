package auth

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lambdamcp/lambdamcp"
)

// AuthorizerVerifier trusts the identity an API Gateway authorizer already
// verified, as found in the event's authorizer context. It ignores the token
// it is given: API Gateway never invokes the function without the
// authorizer's approval. Use it only behind an authorizer; with none in
// front (local mode, a Function URL) it refuses every request. [Middleware]
// still asks for a bearer Authorization header (the one the authorizer was
// given) before it calls Verify, and answers 401 without one.
//
// It understands the context [Authorizer] produces (principalId, sub,
// client_id, scope, iss, exp), the claims of an HTTP API JWT authorizer, and
// the "claims" map of a REST Cognito user pool authorizer.
//
// API Gateway caches an authorizer's decision per token and may pass on an
// identity whose token has expired since. When the context carries "exp" in
// Unix seconds, a token more than 30 seconds past it is refused as invalid,
// so the client is told to get a new one.
type AuthorizerVerifier struct {
	// Context returns the authorizer context of the request in ctx. Nil
	// means lambdamcp.AuthorizerContext.
	Context func(ctx context.Context) map[string]any
}

// Verify implements [Verifier].
func (v *AuthorizerVerifier) Verify(ctx context.Context, _ string) (*Identity, error) {
	get := v.Context
	if get == nil {
		get = lambdamcp.AuthorizerContext
	}
	ac := get(ctx)
	if claims, ok := ac["claims"].(map[string]any); ok {
		ac = claims
	}
	str := func(k string) string {
		switch x := ac[k].(type) {
		case string:
			return x
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64)
		case int64:
			return strconv.FormatInt(x, 10)
		case int:
			return strconv.Itoa(x)
		}
		return ""
	}
	id := &Identity{
		Subject:  str("sub"),
		ClientID: str("client_id"),
		Issuer:   str("iss"),
		Scopes:   parseScopes(str("scope")),
		Method:   "authorizer",
	}
	// An HTTP API JWT authorizer passes the token's scopes apart, and its
	// claims as strings, an array claim as "[a b]": some issuers (Okta,
	// Microsoft Entra ID) put scopes in "scp", as an array or a string.
	id.Scopes = append(id.Scopes, parseScopes(strings.Trim(str("scp"), "[]"))...)
	for _, k := range []string{"scopes", "scp"} {
		switch x := ac[k].(type) {
		case []string:
			id.Scopes = append(id.Scopes, x...)
		case []any:
			for _, e := range x {
				if s, ok := e.(string); ok {
					id.Scopes = append(id.Scopes, s)
				}
			}
		}
	}
	slices.Sort(id.Scopes)
	id.Scopes = slices.Compact(id.Scopes)
	if id.Subject == "" {
		id.Subject = str("principalId")
	}
	if id.Subject == "" {
		return nil, fmt.Errorf("%w: no authorizer identity in the request", ErrInvalidToken)
	}
	if exp, err := strconv.ParseInt(str("exp"), 10, 64); err == nil {
		id.Expiry = time.Unix(exp, 0)
		// API Gateway reuses a cached Allow until its TTL runs out, however
		// long the token has left; the token's own expiry still counts.
		if time.Now().After(id.Expiry.Add(defaultLeeway)) {
			return nil, fmt.Errorf("%w: token expired", ErrInvalidToken)
		}
	}
	return id, nil
}
