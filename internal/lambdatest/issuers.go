package lambdatest

import (
	"context"

	"github.com/lambdamcp/lambdamcp/auth"
)

// Issuers is an auth.Verifier that takes each of its tokens as the same
// subject, "u1", at an issuer of the token's own, as two issuers a server
// trusts may both name a user so: a subject is unique only within its
// issuer.
type Issuers map[string]string

// Verify implements auth.Verifier.
func (v Issuers) Verify(_ context.Context, token string) (*auth.Identity, error) {
	iss, ok := v[token]
	if !ok {
		return nil, auth.ErrInvalidToken
	}
	return &auth.Identity{Subject: "u1", Issuer: iss, Method: "jwt"}, nil
}
