package auth

import (
	"context"
	"errors"
	"math"
	"net/http"
	"time"

	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
)

// TokenVerifier adapts v to the go-sdk's [sdkauth.TokenVerifier], for use
// with [sdkauth.RequireBearerToken]. A nil v refuses every token. Invalid
// tokens map to the go-sdk's ErrInvalidToken (401); [ErrKeysUnavailable] does not, and is answered
// 500. Check scopes with RequireBearerTokenOptions.Scopes rather than
// [RequireScopes]: the go-sdk answers other errors with 500. Either matches
// scope names only: for a [ScopeHierarchy], use [Middleware].
//
// RequireBearerToken checks expiry again, by default strictly. If v accepts
// static tokens, which never expire, set
// RequireBearerTokenOptions.AllowMissingExpiration, or the go-sdk refuses
// every one of them ("token missing expiration"); v has checked the expiry
// of the tokens that carry one. Set ClockSkew to the JWT verifier's leeway
// (30 seconds unless configured), or a token the verifier accepted within
// it is refused as expired.
func TokenVerifier(v Verifier) sdkauth.TokenVerifier {
	return func(ctx context.Context, token string, _ *http.Request) (*sdkauth.TokenInfo, error) {
		id, err := verify(ctx, v, token)
		if err != nil {
			// Keys that could not be had are the server's fault, not the
			// token's: the go-sdk answers them 500, not 401.
			if errors.Is(err, ErrInvalidToken) && !errors.Is(err, ErrKeysUnavailable) {
				return nil, sdkInvalidToken{err}
			}
			return nil, err
		}
		return id.TokenInfo(), nil
	}
}

// sdkInvalidToken is an invalid token error that is the go-sdk's too, which
// it answers 401, worded once: err already says "invalid token".
type sdkInvalidToken struct{ err error }

func (e sdkInvalidToken) Error() string   { return e.err.Error() }
func (e sdkInvalidToken) Unwrap() []error { return []error{e.err, sdkauth.ErrInvalidToken} }

// withTokenInfo hands the identity [Middleware] verified to the go-sdk, the
// only way to reach req.Extra.TokenInfo in tools: the go-sdk's context key is
// unexported, so the request passes through RequireBearerToken with a
// verifier that returns the identity already in the context.
func withTokenInfo(next http.Handler) http.Handler {
	bridge := sdkauth.RequireBearerToken(
		func(ctx context.Context, _ string, _ *http.Request) (*sdkauth.TokenInfo, error) {
			id := IdentityFromContext(ctx)
			if id == nil {
				return nil, sdkauth.ErrInvalidToken
			}
			return id.TokenInfo(), nil
		},
		&sdkauth.RequireBearerTokenOptions{
			// The verifier has decided; these only keep the go-sdk's
			// re-check of expiry from disagreeing with it.
			AllowMissingExpiration: true,
			ClockSkew:              bridgeClockSkew,
		},
	)
	return bridge(next)
}

// bridgeClockSkew is the longest duration there is, so that the go-sdk's own
// expiry check passes every token the verifier accepted, whatever its leeway
// (JWTOptions.Leeway may be any length, and a Verifier of one's own may
// accept a token past its expiry): a refusal there would be a plain-text 401
// without a challenge. time.Time.Add saturates rather than wrap.
const bridgeClockSkew = time.Duration(math.MaxInt64)
