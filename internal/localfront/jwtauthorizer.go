package localfront

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/lambdamcp/lambdamcp/auth"
)

// JWTAuthorizer is an HTTP API's own JWT authorizer, as the deploy
// stack's http variant puts it on its MCP route when tokens are JWTs
// (deploy/stack/http.go, newHTTPAuthorizer): the identity source is the
// Authorization header, and the GET routes of the metadata are public.
// It works as "Control access to HTTP APIs with JWT authorizers in API
// Gateway" has it
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html):
// the keys come from the jwks_uri of the issuer's OpenID discovery
// document, only RSA signatures are taken, iss must be the issuer, aud
// (client_id when the token has no aud) one of the audiences, exp after
// now and nbf and iat before it, and the token must carry one of the
// route's scopes in scope or scp.
type JWTAuthorizer struct {
	// Issuer is the issuer identifier; its discovery document is at
	// Issuer+"/.well-known/openid-configuration".
	Issuer string
	// Audience lists the audiences a token may name: the stack's are the
	// app client's id and, for a Cognito client, the endpoint's URL.
	Audience []string
	// Scopes are the route's authorization scopes: a token needs one of
	// them. None: any valid token passes.
	Scopes []string
}

// The WWW-Authenticate descriptions of an HTTP API's JWT authorizer.
// AWS publishes the audience's ("Troubleshooting issues with HTTP API
// JWT authorizers"); the others are the front's words, worded after it,
// since AWS publishes none.
const (
	JWTInvalidAudience = "the token does not have a valid audience"
	JWTInvalidIssuer   = "the token does not have a valid issuer"
	JWTExpired         = "the token has expired"
	JWTNotYetValid     = "the token is not valid yet"
	JWTInvalid         = "the token is not valid"
	JWTMissingScope    = "the token does not have a required scope"
)

// HTTPJWTChallenge is the WWW-Authenticate of an HTTP API's JWT
// authorizer refusing a token: its parameters separated by spaces, as
// AWS writes them, scope empty on a 401.
func HTTPJWTChallenge(errorCode, scope, description string) string {
	return `Bearer scope="` + scope + `" error="` + errorCode + `" error_description="` + description + `"`
}

// jwtRefusal is the HTTP API's answer to a token its JWT authorizer
// refuses: 401 Unauthorized for an invalid one, 403 Forbidden for one
// without any of the route's scopes.
func jwtRefusal(description string) *gatewayError {
	return &gatewayError{status: http.StatusUnauthorized, message: "Unauthorized",
		challenge: HTTPJWTChallenge("invalid_token", "", description)}
}

// rsaAlgorithms are the signatures an HTTP API's JWT authorizer checks:
// "Currently, only RSA-based algorithms are supported."
var rsaAlgorithms = []string{"RS256", "RS384", "RS512"}

// authorizeJWT runs the JWT authorizer on req: the jwt block of the
// event's authorizer on success, else the gateway's refusal.
func (f *Front) authorizeJWT(ctx context.Context, req *request) (*events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription, *gatewayError) {
	j := f.cfg.JWTAuthorizer
	// The identity source holds the token, bare or after "Bearer ".
	token := req.r.Header.Get("Authorization")
	if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
		token = strings.TrimSpace(token[7:])
	}
	if token == "" {
		return nil, errUnauthorized
	}
	claims, err := decodeClaims(token)
	if err != nil || !namesKey(token) {
		return nil, jwtRefusal(JWTInvalid)
	}
	// aud when the token has one, client_id when not.
	claim, named := "aud", stringsOf(claims["aud"])
	if _, ok := claims["aud"]; !ok {
		claim, named = "client_id", stringsOf(claims["client_id"])
	}
	audience := j.Audience[0]
	if i := slices.IndexFunc(named, func(a string) bool { return slices.Contains(j.Audience, a) }); i >= 0 {
		audience = named[i]
	}
	v, err := f.jwtVerifier(ctx, claim, audience)
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return nil, errClientGone
		}
		// A failed discovery was logged by the fetch that met it.
		var failed *discoveryError
		if !errors.As(err, &failed) && ctx.Err() == nil {
			f.logError("JWT authorizer", err)
		}
		return nil, errHTTPAuthorizerFail
	}
	if _, err := v.Verify(ctx, token); err != nil {
		if errors.Is(err, auth.ErrKeysUnavailable) {
			// The client that went away stopped the wait for the keys.
			if errors.Is(ctx.Err(), context.Canceled) {
				return nil, errClientGone
			}
			f.logError("JWT authorizer", err)
			return nil, errHTTPAuthorizerFail
		}
		return nil, jwtRefusal(describe(err))
	}
	scopes := tokenScopes(claims)
	if len(j.Scopes) > 0 && !slices.ContainsFunc(scopes, func(s string) bool { return slices.Contains(j.Scopes, s) }) {
		return nil, &gatewayError{status: http.StatusForbidden, message: "Forbidden",
			challenge: HTTPJWTChallenge("insufficient_scope", strings.Join(j.Scopes, " "), JWTMissingScope)}
	}
	d := &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{}}
	for k, v := range claims {
		d.Claims[k] = flatten(v)
	}
	// A route without scopes passes none on: its events carry null.
	if len(j.Scopes) > 0 {
		d.Scopes = scopes
	}
	return d, nil
}

// describe is the WWW-Authenticate description of a token the verifier
// refused. The verifier's reasons are words of its own: the front's
// tests hold each case to its description.
func describe(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "wrong issuer"):
		return JWTInvalidIssuer
	case strings.Contains(msg, "wrong audience"):
		return JWTInvalidAudience
	case strings.Contains(msg, "token expired"):
		return JWTExpired
	case strings.Contains(msg, "not yet valid"):
		return JWTNotYetValid
	}
	return JWTInvalid
}

// decodeClaims reads a JWT's claims, not verified yet: to pick the
// audience to verify it for, and, once verified, to pass them on.
func decodeClaims(token string) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a compact JWS")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil {
		return nil, err
	}
	return claims, nil
}

// namesKey reports whether the token's header has a kid: API Gateway
// takes only a token whose kid names a key of the set, where the
// verifier would also take a token without one when the set holds a
// single key.
func namesKey(token string) bool {
	raw, err := base64.RawURLEncoding.DecodeString(token[:strings.IndexByte(token, '.')])
	if err != nil {
		return false
	}
	var header struct {
		KeyID string `json:"kid"`
	}
	return json.Unmarshal(raw, &header) == nil && header.KeyID != ""
}

// stringsOf is a claim that is a string or an array of strings.
func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// tokenScopes are the scopes in the token's scope and scp claims, each a
// space-separated string or an array; split at spaces only (RFC 6749
// section 3.3), as auth does, so that one scope holding another Unicode
// space is not taken for two.
func tokenScopes(claims map[string]any) []string {
	var out []string
	for _, c := range []string{"scope", "scp"} {
		for _, s := range stringsOf(claims[c]) {
			out = append(out, strings.FieldsFunc(s, func(r rune) bool { return r == ' ' })...)
		}
	}
	return out
}

// flatten is a claim as an HTTP API passes it on, a string: numbers as
// written, an array as "[a b]".
func flatten(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = flatten(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case nil:
		return ""
	}
	b, _ := json.Marshal(v) // an object: decoded from JSON, it encodes
	return string(b)
}
