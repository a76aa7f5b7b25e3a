package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestJWTVerifierTimeClaimsAreNumbers checks that "exp", "nbf" and "iat"
// are read only as RFC 7519 writes them (sections 2 and 4.1.4 to 4.1.6): a
// JSON number of seconds. jwx also reads a string, of digits or an RFC
// 3339 date, so that a token the issuer's other verifiers find without an
// expiry, or malformed, would be taken here as expiring when the string
// says.
func TestJWTVerifierTimeClaimsAreNumbers(t *testing.T) {
	key := newRSAKey(t, "k")
	v := newTestJWTVerifier(t, newJWKSServer(t, key).url(), nil)
	const header = `{"alg":"RS256","kid":"k"}`
	now := time.Now()
	claimsSet := func(times string) string {
		return fmt.Sprintf(`{"iss":%q,"aud":%q,"client_id":"c","sub":"s",%s}`, testIssuer, testAudience, times)
	}
	exp := now.Add(time.Hour).Unix()
	for name, times := range map[string]string{
		"exp, an integer":       fmt.Sprintf(`"exp":%d`, exp),
		"exp, with a fraction":  fmt.Sprintf(`"exp":%d.5`, exp),
		"exp, in exponent form": fmt.Sprintf(`"exp":%de0`, exp),
		"nbf and iat, numbers":  fmt.Sprintf(`"exp":%d,"nbf":%d,"iat":%d`, exp, now.Unix(), now.Unix()),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := v.Verify(context.Background(), key.signRaw(t, header, claimsSet(times))); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
	for name, times := range map[string]string{
		"exp, a string of digits":     fmt.Sprintf(`"exp":"%d"`, exp),
		"exp, an RFC 3339 date":       `"exp":"2099-01-01T00:00:00Z"`,
		"exp, a number then a string": fmt.Sprintf(`"exp":%d,"exp":"%d"`, exp, exp),
		"nbf, a string":               fmt.Sprintf(`"exp":%d,"nbf":"%d"`, exp, now.Unix()),
		"iat, a string":               fmt.Sprintf(`"exp":%d,"iat":"%d"`, exp, now.Unix()),
		"exp, true":                   `"exp":true`,
		"exp, an array":               fmt.Sprintf(`"exp":[%d]`, exp),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), key.signRaw(t, header, claimsSet(times)))
			if !errors.Is(err, ErrInvalidToken) || !strings.Contains(err.Error(), "NumericDate") {
				t.Fatalf("err = %v, want ErrInvalidToken mentioning NumericDate", err)
			}
		})
	}
}
