package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestJWTVerifierClaimsSetIsOneObject checks that the payload is read only
// as what RFC 7519 section 7.2 (step 10) and RFC 9068 make an access
// token's: one JSON object. jwx reads the first JSON value and leaves what
// follows, and takes a payload that is a JWS as a nested token, verifying
// that one too but judging the claims of the inner token by a header this
// verifier has not checked (its "crit", its spelling).
func TestJWTVerifierClaimsSetIsOneObject(t *testing.T) {
	key := newRSAKey(t, "k")
	v := newTestJWTVerifier(t, newJWKSServer(t, key).url(), nil)
	claimsSet := fmt.Sprintf(`{"iss":%q,"aud":%q,"client_id":"c","exp":%d,"sub":"s"}`,
		testIssuer, testAudience, time.Now().Add(time.Hour).Unix())
	const header = `{"alg":"RS256","kid":"k"}`
	t.Run("trailing white space", func(t *testing.T) {
		if _, err := v.Verify(context.Background(), key.signRaw(t, header, " "+claimsSet+"\n")); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	})
	inner := key.signRaw(t, `{"alg":"RS256","kid":"k","crit":["urn:example:x"],"urn:example:x":1}`, claimsSet)
	for name, token := range map[string]string{
		"bytes after the object": key.signRaw(t, header, claimsSet+`{"sub":"other"}`),
		"a nested JWS":           key.signRaw(t, `{"alg":"RS256","kid":"k","cty":"JWT"}`, inner),
		"a nested JWS, no cty":   key.signRaw(t, header, inner),
		"an array of one object": key.signRaw(t, header, "["+claimsSet+"]"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), token)
			if !errors.Is(err, ErrInvalidToken) || !strings.Contains(err.Error(), "JSON object") {
				t.Fatalf("err = %v, want ErrInvalidToken mentioning a JSON object", err)
			}
		})
	}
}
