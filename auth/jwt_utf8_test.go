package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestJWTVerifierRefusesInvalidUTF8 checks that a header or claims set
// that is not UTF-8 is refused (RFC 7519 section 7.2, steps 4 and 10),
// not read with each bad byte turned into U+FFFD: two subjects that
// differ in those bytes alone would be one identity.
func TestJWTVerifierRefusesInvalidUTF8(t *testing.T) {
	key := newRSAKey(t, "k")
	v := newTestJWTVerifier(t, newJWKSServer(t, key).url(), nil)
	claimsSet := func(sub string) string {
		return fmt.Sprintf(`{"iss":%q,"aud":%q,"client_id":"c","exp":%d,"sub":"%s"}`,
			testIssuer, testAudience, time.Now().Add(time.Hour).Unix(), sub)
	}
	const header = `{"alg":"RS256","kid":"k"}`
	t.Run("UTF-8 beyond ASCII", func(t *testing.T) {
		id, err := v.Verify(context.Background(), key.signRaw(t, header, claimsSet("usér")))
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if id.Subject != "usér" {
			t.Errorf("Subject = %q, want %q", id.Subject, "usér")
		}
	})
	for name, token := range map[string]string{
		"a claim":            key.signRaw(t, header, claimsSet("user-\xff")),
		"a claim's name":     key.signRaw(t, header, strings.Replace(claimsSet("s"), `"client_id"`, "\"client_id\xfe\"", 1)),
		"a header parameter": key.signRaw(t, "{\"alg\":\"RS256\",\"kid\":\"k\",\"x\":\"\xc3(\"}", claimsSet("s")),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), token)
			if !errors.Is(err, ErrInvalidToken) || !strings.Contains(err.Error(), "UTF-8") {
				t.Fatalf("err = %v, want ErrInvalidToken mentioning UTF-8", err)
			}
		})
	}
}

// TestJWTVerifierRefusesLoneSurrogate checks that a header or claims set
// escaping half of a UTF-16 surrogate pair (\ud800 without its \udc00) is
// refused as bytes that are not UTF-8 are: the JSON decoder reads each
// such escape as U+FFFD, so two subjects differing in them alone would be
// one identity. A whole pair, and an escaped backslash before a u, pass.
func TestJWTVerifierRefusesLoneSurrogate(t *testing.T) {
	key := newRSAKey(t, "k")
	v := newTestJWTVerifier(t, newJWKSServer(t, key).url(), nil)
	claimsSet := func(sub string) string {
		return fmt.Sprintf(`{"iss":%q,"aud":%q,"client_id":"c","exp":%d,"sub":"%s"}`,
			testIssuer, testAudience, time.Now().Add(time.Hour).Unix(), sub)
	}
	const header = `{"alg":"RS256","kid":"k"}`
	for sub, want := range map[string]string{
		`user-\ud83d\ude00`: "user-\U0001F600",
		`user-\\ud800`:      `user-\ud800`,
		`user-\u00e9`:       "user-é",
	} {
		id, err := v.Verify(context.Background(), key.signRaw(t, header, claimsSet(sub)))
		if err != nil {
			t.Fatalf("sub %s: Verify: %v", sub, err)
		}
		if id.Subject != want {
			t.Errorf("Subject = %q, want %q", id.Subject, want)
		}
	}
	for name, token := range map[string]string{
		"a high surrogate alone":     key.signRaw(t, header, claimsSet(`user-\ud800`)),
		"a low surrogate alone":      key.signRaw(t, header, claimsSet(`user-\uDFFF`)),
		"a high one before no low":   key.signRaw(t, header, claimsSet(`user-\ud800\u0041`)),
		"two high ones":              key.signRaw(t, header, claimsSet(`user-\ud800\ud800`)),
		"a header parameter's value": key.signRaw(t, `{"alg":"RS256","kid":"k","x":"\udc00"}`, claimsSet("s")),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), token)
			if !errors.Is(err, ErrInvalidToken) || !strings.Contains(err.Error(), "UTF-8") {
				t.Fatalf("err = %v, want ErrInvalidToken mentioning UTF-8", err)
			}
		})
	}
}
