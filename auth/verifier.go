package auth

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// A Verifier checks a bearer token and says who presented it. Errors wrap
// [ErrInvalidToken] (answer 401), [ErrInsufficientScope] (answer 403) or
// [ErrKeysUnavailable] (answer 503: the token could not be checked); any
// other error is a failure of the verifier itself. A nil identity
// without an error counts as an invalid token. Middleware and Authorizer
// call Verify for requests served at once, so a Verifier must be safe for
// concurrent use, as this package's are.
type Verifier interface {
	Verify(ctx context.Context, token string) (*Identity, error)
}

// verify calls v.Verify. A verifier that reports success without an identity
// is broken; the token counts as invalid, so the request is refused rather
// than let through or crashing on the missing identity. A nil v refuses
// every token, as Middleware and NewAuthorizer take one.
func verify(ctx context.Context, v Verifier, token string) (*Identity, error) {
	if v == nil {
		return nil, fmt.Errorf("%w: no verifier configured", ErrInvalidToken)
	}
	id, err := v.Verify(ctx, token)
	if err == nil && id == nil {
		return nil, fmt.Errorf("%w: the verifier returned no identity", ErrInvalidToken)
	}
	return id, err
}

// AnyOf returns a verifier that accepts a token if any of verifiers accepts
// it, trying them in order. An insufficient-scope answer wins over an
// invalid-token answer, because it proves the token itself was good; and
// when one verifier could not check the token at all ([ErrKeysUnavailable])
// the answer is that, not invalid: another verifier's refusal says nothing
// of a token that was not meant for it. A nil verifier among them refuses
// every token.
func AnyOf(verifiers ...Verifier) Verifier {
	if len(verifiers) == 1 {
		return verifiers[0]
	}
	return anyOf(verifiers)
}

type anyOf []Verifier

func (vs anyOf) Verify(ctx context.Context, token string) (*Identity, error) {
	var errs []error
	for _, v := range vs {
		id, err := verify(ctx, v, token)
		if err == nil {
			return id, nil
		}
		if errors.Is(err, ErrInsufficientScope) {
			return id, err
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil, fmt.Errorf("%w: no verifier configured", ErrInvalidToken)
	}
	joined := errors.Join(errs...)
	if errors.Is(joined, ErrKeysUnavailable) {
		// The soonest any of them may check the token: a zero wait (its
		// next fetch already allowed) counts as one, not as none found.
		var retry time.Duration
		found := false
		for _, err := range errs {
			if d, ok := retryAfter(err); ok && (!found || d < retry) {
				retry, found = d, true
			}
		}
		return nil, &unavailableError{fmt.Errorf("%w (%v)", ErrKeysUnavailable, joined), retry}
	}
	return nil, joined
}

// unavailableError is an error wrapping [ErrKeysUnavailable] with how long
// until the token may be checked: the time until the next fetch of the key
// set is allowed. The Middleware's Retry-After says it.
type unavailableError struct {
	err   error
	retry time.Duration
}

func (e *unavailableError) Error() string { return e.err.Error() }
func (e *unavailableError) Unwrap() error { return e.err }

// retryAfter returns how long until the token err refused may be checked,
// if err is [ErrKeysUnavailable]: what an unavailableError says, and a
// second for any other (no key set loaded yet: the load is retried a
// second later).
func retryAfter(err error) (time.Duration, bool) {
	if !errors.Is(err, ErrKeysUnavailable) {
		return 0, false
	}
	if u, ok := errors.AsType[*unavailableError](err); ok {
		return max(u.retry, 0), true
	}
	return time.Second, true
}

// RequireScopes returns a verifier that accepts what v accepts, provided the
// identity holds every one of scopes, by name ([MiddlewareOptions] and
// [AuthorizerOptions] take a [ScopeHierarchy] too). A missing scope is
// reported as [ErrInsufficientScope] together with the identity, so the
// caller can still log who was refused. A nil v refuses every token.
func RequireScopes(v Verifier, scopes ...string) Verifier {
	if len(scopes) == 0 {
		return v
	}
	return requireScopes{v, scopes}
}

type requireScopes struct {
	next   Verifier
	scopes []string
}

func (r requireScopes) Verify(ctx context.Context, token string) (*Identity, error) {
	id, err := verify(ctx, r.next, token)
	if err != nil {
		return id, err
	}
	return id, ScopeHierarchy(nil).check(id, r.scopes)
}
