package auth

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
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
// client_id, scope, iss, exp), the claims of an HTTP API JWT authorizer (in
// payload format 2.0, and in 1.0, whose "claims" map has the token's
// "scopes" beside it), and the "claims" map of a REST Cognito user pool
// authorizer. As [JWTVerifier]
// does, it takes the client from "client_id", else "azp", and a token
// without "sub" (nor principalId) for its client's.
//
// API Gateway caches an authorizer's decision per token and may pass on an
// identity whose token has expired since. When the context carries "exp"
// (a NumericDate in Unix seconds, "1700000000", "1700000000.5" or "1.7e9",
// its fraction dropped; or in the date form a REST Cognito user pool
// authorizer writes, "Thu May 04 04:50:06 UTC 2023"), a token more than 30
// seconds past it is refused as invalid, so the client is told to get a new
// one; an "exp" in neither form is refused too. A token whose "token_use" is not
// "access" (a Cognito ID token, which a REST Cognito authorizer accepts on a
// method without OAuth scopes) is refused: it grants nothing at a resource.
// So is a "sub", "principalId", "client_id", "azp" or "iss" that is
// neither a string nor a number (an HTTP API Lambda authorizer's context
// is any JSON), or a number from 2^53 on or with a fraction, read as
// float64: it may have been rounded into another caller's
// (0.10000000000000001 reads as 0.1); an authorizer passes such an id as
// a string.
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
	// An HTTP API's JWT authorizer in payload format 1.0 lists the token's
	// scopes beside its claims, where payload 2.0 has them among the
	// claims (as lambdamcp flattens them): read them there too.
	outer := ac
	if claims, ok := ac["claims"].(map[string]any); ok {
		ac = claims
	} else {
		outer = nil
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
	// An HTTP API Lambda authorizer's context is any JSON. A name that is
	// there must be read, as "exp" must: taken for absent, a "sub" that
	// is an array would leave the caller named by its client, which the
	// client's every other user shares. Numbers are decoded as float64:
	// an integer from 2^53 on (a Snowflake id) may arrive rounded, and two
	// callers would share the name it gives; so may a fraction.
	for _, k := range []string{"sub", "principalId", "client_id", "azp", "iss"} {
		x, present := ac[k]
		if !present {
			continue
		}
		switch x := x.(type) {
		case string, int64, int:
		case float64:
			if math.Abs(x) >= 1<<53 {
				return nil, fmt.Errorf("%w: the authorizer's %s is a number too large to read exactly: pass it as a string", ErrInvalidToken, k)
			}
			if x != math.Trunc(x) {
				return nil, fmt.Errorf("%w: the authorizer's %s is a number with a fraction, which may have been rounded: pass it as a string", ErrInvalidToken, k)
			}
		default:
			return nil, fmt.Errorf("%w: the authorizer's %s is neither a string nor a number", ErrInvalidToken, k)
		}
	}
	id := &Identity{
		Subject: str("sub"),
		// "azp" names the client of an OIDC token, as [JWTVerifier]
		// reads it, and an HTTP API JWT authorizer passes it on.
		ClientID: cmp.Or(str("client_id"), str("azp")),
		Issuer:   str("iss"),
		Method:   "authorizer",
	}
	// An HTTP API JWT authorizer passes the token's scopes apart, and its
	// claims as strings, an array claim as "[a b]": some issuers (Okta,
	// Microsoft Entra ID) put scopes in "scp", as an array or a string,
	// and some "scope" as an array, as [JWTVerifier] reads both. Only
	// brackets around the whole are the array's: one on one side alone
	// is part of a scope's name.
	for _, claim := range []string{"scope", "scp"} {
		s := str(claim)
		if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' {
			s = s[1 : len(s)-1]
		}
		id.Scopes = append(id.Scopes, parseScopes(s)...)
	}
	for _, list := range []any{ac["scope"], ac["scopes"], ac["scp"], outer["scopes"]} {
		id.Scopes = append(id.Scopes, stringList(list)...)
	}
	slices.Sort(id.Scopes)
	id.Scopes = slices.Compact(id.Scopes)
	if id.Subject == "" {
		id.Subject = str("principalId")
	}
	if id.Subject == "" {
		// A machine token without sub, which an HTTP API JWT authorizer
		// passes on as it is: the client is the caller, as [JWTVerifier]
		// has it.
		id.Subject = id.ClientID
	}
	if id.Subject == "" {
		// No API Gateway authorizer runs in front of these: the log
		// line says the deployment is at fault, not the client's token.
		front := map[lambdamcp.Shape]string{lambdamcp.ShapeURL: "a Function URL", lambdamcp.ShapeALB: "a load balancer"}[lambdamcp.EventShape(ctx)]
		if v.Context == nil && front != "" {
			return nil, fmt.Errorf("%w: no authorizer identity in the request: %s runs no API Gateway authorizer, yet the server trusts one's (%s=1); check tokens in the server instead", ErrInvalidToken, front, EnvFromAuthorizer)
		}
		return nil, fmt.Errorf("%w: no authorizer identity in the request", ErrInvalidToken)
	}
	use, present := ac["token_use"]
	if err := notAccessToken(use, present); err != nil {
		return nil, err
	}
	// A present "exp" must be read, even empty or of no known type: taking
	// it for absent would pass a token as never expiring.
	if _, present := ac["exp"]; present {
		expiry, ok := authorizerTime(str("exp"))
		if !ok {
			return nil, fmt.Errorf("%w: unreadable expiry in the authorizer context", ErrInvalidToken)
		}
		id.Expiry = expiry
		// API Gateway reuses a cached Allow until its TTL runs out, however
		// long the token has left; the token's own expiry still counts.
		if time.Now().After(id.Expiry.Add(defaultLeeway)) {
			return nil, fmt.Errorf("%w: token expired", ErrInvalidToken)
		}
	}
	return id, nil
}

// stringList reads a list as an authorizer context or a token's claims
// hold one: the strings of a []string, or of a []any decoded from JSON.
func stringList(list any) []string {
	switch x := list.(type) {
	case []string:
		return x
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

// cognitoDate is how a REST API's Cognito user pool authorizer writes a
// token's time claims (Java's Date.toString).
const cognitoDate = "Mon Jan 02 15:04:05 MST 2006"

// authorizerTime reads a time claim of an authorizer context: a NumericDate
// (lambdamcp's authorizer, an HTTP API JWT authorizer, which passes a
// token's number on as written), or a REST Cognito authorizer's date.
func authorizerTime(s string) (time.Time, bool) {
	if sec, ok := numericDate(s); ok {
		return time.Unix(sec, 0), true
	}
	if t, err := time.Parse(cognitoDate, s); err == nil && t.Location() == time.UTC {
		return t, true
	}
	return time.Time{}, false
}

// numericDate reads a NumericDate: RFC 7519 section 2 allows any JSON
// number, "1700000000", "1700000000.5" or "1.7e9". Those are what
// [JWTVerifier] accepts in a token, and an HTTP API passes the token's
// number on as written, so all are read here as well; anything else a
// JSON number is not ("NaN", "Inf", "0x1p30", " 1", "+1", "01") is
// refused. An integer is read exactly; another number as a float64, as
// [JWTVerifier] decodes a token's number, and at the precision that
// verifier compares dates at, the second: the fraction is dropped toward
// the past, so a token expires up to a second before its "exp" rather
// than after it. A date past int64 seconds is refused, as [JWTVerifier]
// refuses it.
func numericDate(s string) (int64, bool) {
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) || strings.TrimSpace(s) != s || !json.Valid([]byte(s)) {
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	f = math.Floor(f)
	// -2^63 converts exactly; 2^63 does not fit.
	if f < math.MinInt64 || f >= -math.MinInt64 {
		return 0, false
	}
	return int64(f), true
}
