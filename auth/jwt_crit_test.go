package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// A "crit" header member is refused whatever its value: jwx reads a null
// one as none, and the last of two members as the only one, where RFC 7515
// section 4.1.11 allows only a list of extensions, none of which this
// verifier understands.
func TestJWTVerifierRefusesAnyCrit(t *testing.T) {
	k := newRSAKey(t, "rsa-1")
	v := newTestJWTVerifier(t, newJWKSServer(t, k).url(), nil)
	payload, err := json.Marshal(validPayload())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		header string
		ok     bool
	}{
		{"no crit", `{"alg":"RS256","kid":"rsa-1","typ":"JWT"}`, true},
		{"crit null", `{"alg":"RS256","kid":"rsa-1","crit":null}`, false},
		{"crit named, then null", `{"alg":"RS256","kid":"rsa-1","urn:x":1,"crit":["urn:x"],"crit":null}`, false},
		{"crit empty", `{"alg":"RS256","kid":"rsa-1","crit":[]}`, false},
		{"crit named", `{"alg":"RS256","kid":"rsa-1","urn:x":1,"crit":["urn:x"]}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), k.signRaw(t, tc.header, string(payload)))
			switch {
			case tc.ok && err != nil:
				t.Fatalf("Verify: %v", err)
			case !tc.ok && !errors.Is(err, ErrInvalidToken):
				t.Fatalf("Verify: err = %v, want ErrInvalidToken", err)
			case !tc.ok && !strings.Contains(err.Error(), "crit"):
				t.Errorf("error %q does not mention crit", err)
			}
		})
	}
}

// TestJWTVerifierCritQuoted checks that the "crit" value a refusal repeats
// is quoted as the header's other values are (%q): a DEL, a C1 control or
// a bidi override, which JSON carries unescaped, never reaches a log line
// as it stands. (A byte that is no UTF-8 refuses the header before its
// "crit" is read.)
func TestJWTVerifierCritQuoted(t *testing.T) {
	k := newRSAKey(t, "rsa-1")
	v := newTestJWTVerifier(t, newJWKSServer(t, k).url(), nil)
	payload, err := json.Marshal(validPayload())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"\x7f", "\u0085", "\u202e"} {
		header := `{"alg":"RS256","kid":"rsa-1","crit":["urn:x` + c + `"]}`
		_, err := v.Verify(context.Background(), k.signRaw(t, header, string(payload)))
		if err == nil {
			t.Fatalf("crit %q: verified", c)
		}
		want := fmt.Sprintf("critical header extensions %q not understood (crit)", `["urn:x`+c+`"]`)
		if !strings.HasSuffix(err.Error(), want) {
			t.Errorf("crit %q: error %q, want it to end %q", c, err, want)
		}
	}
}
