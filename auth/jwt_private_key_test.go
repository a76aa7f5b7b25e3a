package auth

import (
	"testing"
)

// A key published with its private part (an issuer's mistake) is anyone's
// to sign with: a token it verifies proves nothing, so it verifies none.
// The public keys beside it stay usable.
func TestJWTVerifierRefusesPublishedPrivateKey(t *testing.T) {
	leaked, rsaPublic, ecPublic := newRSAKey(t, "leaked"), newRSAKey(t, "public"), newECKey(t, "ec-public")
	leakedEC := newECKey(t, "leaked-ec")
	for _, k := range []*signingKey{leaked, leakedEC} {
		k.pub = k.priv // the JWKS holds "d"
	}
	srv := newJWKSServer(t, leaked, leakedEC, rsaPublic, ecPublic)
	v := newTestJWTVerifier(t, srv.url(), nil)
	wantVerified(t, v, []signerCase{
		{"an RSA key published with its private part", leaked, false},
		{"an EC key published with its private part", leakedEC, false},
		{"an RSA public key beside them", rsaPublic, true},
		{"an EC public key beside them", ecPublic, true},
	})
}
