package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
)

// Callers branch on these: ErrInvalidToken means the caller must
// authenticate again (HTTP 401), ErrInsufficientScope means the caller is
// known but lacks a scope (HTTP 403), ErrKeysUnavailable means the token
// could not be checked at all, since the issuer's signing keys could not be
// had: a fault of the server's side, which the caller cannot fix by
// authenticating again (HTTP 503).
var (
	ErrInvalidToken      = errors.New("invalid token")
	ErrInsufficientScope = errors.New("insufficient scope")
	ErrKeysUnavailable   = errors.New("signing keys unavailable")
)

// Identity is a verified caller.
type Identity struct {
	// Subject identifies the caller: the JWT "sub" claim, the authorizer's
	// principal, or a name derived from a static token's hash.
	Subject string
	// ClientID is the OAuth client the token was issued to, if known.
	ClientID string
	// Issuer is the token's issuer, empty for static tokens.
	Issuer string
	// Scopes are the scopes the token grants.
	Scopes []string
	// Expiry is when the token expires; zero when it does not (static tokens).
	Expiry time.Time
	// Method says which verifier accepted the token: "static", "jwt" or
	// "authorizer".
	Method string
}

// Caller names the caller in a form no other caller shares, whichever way
// the server verified it: the method, the issuer and the subject, joined by
// spaces. A subject is unique only within its issuer (OpenID Connect Core
// 1.0, section 2), and a static token's "static:…" subject could be another
// issuer's sub. Key what belongs to one caller by it (the purpose of a
// sealed request state, say), not by Subject alone. It is "" for a nil
// identity, as IdentityFromTokenInfo gives for a request without a token.
func (id *Identity) Caller() string {
	if id == nil {
		return ""
	}
	return id.Method + " " + id.Issuer + " " + id.Subject
}

// HasScopes reports whether the identity holds every one of scopes, each
// by name: [ScopeHierarchy.Holds] counts the scopes broader ones imply too.
// A nil identity, as IdentityFromTokenInfo gives for a request without a
// token, holds none.
func (id *Identity) HasScopes(scopes ...string) bool {
	if id == nil {
		return len(scopes) == 0
	}
	return ScopeHierarchy(nil).Holds(id.Scopes, scopes...)
}

// ScopeHierarchy says which narrower scopes a broader scope implies: a token
// holding a key holds every scope listed under it, and what those imply in
// turn. The MCP authorization spec (2026-07-28) has a server account for
// such hierarchies when it decides whether a token suffices: a token with
// "mcp:admin" must not be sent to get "mcp:tools" when admin implies it.
// Nil implies nothing: every scope is held by name only.
type ScopeHierarchy map[string][]string

// Holds reports whether scopes held, with what they imply, include every
// one of required.
func (h ScopeHierarchy) Holds(held []string, required ...string) bool {
	for _, r := range required {
		if !h.implied(held, r) {
			return false
		}
	}
	return true
}

// check returns nil if id holds every one of required, through h, else the
// ErrInsufficientScope every entry point answers 403 with.
func (h ScopeHierarchy) check(id *Identity, required []string) error {
	if h.Holds(id.Scopes, required...) {
		return nil
	}
	return fmt.Errorf("%w: requires %q", ErrInsufficientScope, strings.Join(required, " "))
}

// notAccessToken refuses a token whose token_use claim (Cognito's) says it
// is not an access token: an ID token says who signed in to a client, and
// grants nothing at a resource. A token without the claim passes. A claim
// that is there but is not "access" is refused, whatever its type: a number
// or an empty string names no use, and counting it absent would let a check
// that exists to refuse tokens fail open.
func notAccessToken(use any, present bool) error {
	if !present {
		return nil
	}
	switch x := use.(type) {
	case string:
		if x == "access" {
			return nil
		}
	case []string:
		if slices.Equal(x, []string{"access"}) {
			return nil
		}
	case []any:
		if len(x) == 1 && x[0] == "access" {
			return nil
		}
	}
	return fmt.Errorf("%w: not an access token (token_use %q)", ErrInvalidToken, fmt.Sprint(use))
}

// implied reports whether want is among held or implied by one of them.
func (h ScopeHierarchy) implied(held []string, want string) bool {
	if slices.Contains(held, want) {
		return true
	}
	if len(h) == 0 {
		return false
	}
	seen := map[string]bool{}
	next := slices.Clone(held)
	for len(next) > 0 {
		s := next[len(next)-1]
		next = next[:len(next)-1]
		if seen[s] {
			continue // a hierarchy may loop
		}
		seen[s] = true
		for _, narrower := range h[s] {
			if narrower == want {
				return true
			}
			next = append(next, narrower)
		}
	}
	return false
}

// TokenInfo converts the identity into the go-sdk's token information, which
// the go-sdk hands to tools as req.Extra.TokenInfo. UserID is the subject;
// Extra carries "client_id", "issuer" and "method". It is nil for a nil
// identity, as IdentityFromTokenInfo's answer to nil is.
func (id *Identity) TokenInfo() *sdkauth.TokenInfo {
	if id == nil {
		return nil
	}
	return &sdkauth.TokenInfo{
		UserID:     id.Subject,
		Scopes:     slices.Clone(id.Scopes),
		Expiration: id.Expiry,
		Extra: map[string]any{
			"client_id": id.ClientID,
			"issuer":    id.Issuer,
			"method":    id.Method,
		},
	}
}

// IdentityFromTokenInfo rebuilds an Identity from the go-sdk's token
// information, as a tool finds it in req.Extra.TokenInfo. It returns nil when
// info is nil.
func IdentityFromTokenInfo(info *sdkauth.TokenInfo) *Identity {
	if info == nil {
		return nil
	}
	str := func(k string) string { s, _ := info.Extra[k].(string); return s }
	return &Identity{
		Subject:  info.UserID,
		ClientID: str("client_id"),
		Issuer:   str("issuer"),
		Scopes:   slices.Clone(info.Scopes),
		Expiry:   info.Expiration,
		Method:   str("method"),
	}
}

type identityKey struct{}

// WithIdentity returns a copy of ctx carrying id.
func WithIdentity(ctx context.Context, id *Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFromContext returns the identity [Middleware] stored in ctx, or nil.
func IdentityFromContext(ctx context.Context) *Identity {
	id, _ := ctx.Value(identityKey{}).(*Identity)
	return id
}

// parseScopes splits a space-separated scope string (RFC 6749 section 3.3)
// at its spaces only. strings.Fields would split at any Unicode space too:
// a scope the issuer granted as "files:x\u00a0mcp:admin" would count as
// mcp:admin.
func parseScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' })
}
