package auth

import (
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// Keys of a set may share a kid when their types differ (RFC 7517 section
// 4.5: "equivalent alternatives"), so the kid alone does not pick the key:
// the one that fits the token's algorithm and is for signatures does, and
// a key that fits none of the token's needs verifies nothing.
func TestJWTVerifierKidSharedByKeys(t *testing.T) {
	encTwin, rsaTwin, ecTwin := newRSAKey(t, "shared"), newRSAKey(t, "shared"), newECKey(t, "shared")
	_ = encTwin.pub.Set(jwk.KeyUsageKey, "enc")
	stranger := newRSAKey(t, "shared") // not in the set
	srv := newJWKSServer(t, encTwin, rsaTwin, ecTwin)
	v := newTestJWTVerifier(t, srv.url(), nil)
	wantVerified(t, v, []signerCase{
		{"the RSA key of the kid", rsaTwin, true},
		{"the EC key of the kid, listed after an RSA one", ecTwin, true},
		{"the encryption key of the kid", encTwin, false},
		{"a key the set lacks, naming the kid", stranger, false},
	})
}

// A key published without a kid answers only a token without one, and
// only as the set's one key: it does not stand in for a kid the set lacks,
// which must send the verifier to fetch the set again (a key rotated in).
func TestJWTVerifierKeyWithoutKid(t *testing.T) {
	unnamed, named := newRSAKey(t, "rotated"), newRSAKey(t, "a")
	_ = unnamed.pub.Remove(jwk.KeyIDKey) // the set names it not; its tokens do
	srv := newJWKSServer(t, unnamed, named)
	v := newTestJWTVerifier(t, srv.url(), nil)
	wantVerified(t, v, []signerCase{
		{"a kid the set lacks, signed by its key without kid", unnamed, false},
		{"the named key", named, true},
	})
}
