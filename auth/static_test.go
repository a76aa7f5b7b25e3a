package auth

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHashToken(t *testing.T) {
	// SHA-256 of "abc", FIPS 180-2 appendix B.1.
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got := HashToken("abc"); got != want {
		t.Errorf("HashToken(abc) = %s, want %s", got, want)
	}
}

func TestStaticVerifier(t *testing.T) {
	other := "another-token"
	v, err := NewStaticVerifier([]string{HashToken(staticToken), " " + HashToken(other) + " "}, &StaticOptions{Scopes: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, token string
		wantSub     string // empty: want ErrInvalidToken
	}{
		{"first token", staticToken, "static:" + HashToken(staticToken)[:12]},
		{"second token", other, "static:" + HashToken(other)[:12]},
		{"unknown token", "nope", ""},
		{"the hash itself is not a token", HashToken(staticToken), ""},
		{"empty", "", ""},
		{"prefix of a token", staticToken[:10], ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, err := v.Verify(context.Background(), tc.token)
			if tc.wantSub == "" {
				if !errors.Is(err, ErrInvalidToken) {
					t.Fatalf("Verify = (%v, %v), want ErrInvalidToken", id, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if id.Subject != tc.wantSub || id.Method != "static" || !id.HasScopes("a") || !id.Expiry.IsZero() {
				t.Errorf("identity %+v, want subject %s with scope a", id, tc.wantSub)
			}
		})
	}
}

func TestNewStaticVerifierRejectsBadHashes(t *testing.T) {
	for _, hashes := range [][]string{nil, {"abc"}, {HashToken("x")[:63] + "g"}, {HashToken("x") + "00"}} {
		if _, err := NewStaticVerifier(hashes, nil); err == nil {
			t.Errorf("NewStaticVerifier(%q) accepted bad input", hashes)
		}
	}
}

func TestRequireScopesAndAnyOf(t *testing.T) {
	v, _ := NewStaticVerifier([]string{HashToken(staticToken)}, &StaticOptions{Scopes: []string{"read"}})
	ctx := context.Background()
	if _, err := RequireScopes(v, "read").Verify(ctx, staticToken); err != nil {
		t.Errorf("held scope: %v", err)
	}
	id, err := RequireScopes(v, "read", "write").Verify(ctx, staticToken)
	if !errors.Is(err, ErrInsufficientScope) || id == nil {
		t.Errorf("missing scope: (%v, %v), want the identity and ErrInsufficientScope", id, err)
	}
	// Insufficient scope from one verifier wins over invalid from another,
	// with the identity, for the refusal to name who it was.
	id, err = AnyOf(RequireScopes(v, "write"), AnyOf()).Verify(ctx, staticToken)
	if !errors.Is(err, ErrInsufficientScope) || id == nil {
		t.Errorf("AnyOf: (%v, %v), want the identity and ErrInsufficientScope", id, err)
	}
	if _, err := AnyOf().Verify(ctx, staticToken); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("empty AnyOf: %v, want ErrInvalidToken", err)
	}
}

// TestStaticVerifierKeepsItsScopes checks that the scopes a verifier grants
// are those it was made with, whatever the caller does with its slice next.
func TestStaticVerifierKeepsItsScopes(t *testing.T) {
	scopes := []string{"read"}
	v, err := NewStaticVerifier([]string{HashToken(staticToken)}, &StaticOptions{Scopes: scopes})
	if err != nil {
		t.Fatal(err)
	}
	scopes[0] = "admin"
	id, err := v.Verify(context.Background(), staticToken)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"read"}, id.Scopes); diff != "" {
		t.Errorf("scopes granted (-want +got):\n%s", diff)
	}
}

// TestStaticVerifierRefusesEmptyToken checks that an empty token is refused
// even when the hash of the empty string is among those configured (a
// variable filled from an unset secret): a caller sending no token at all
// must not pass.
func TestStaticVerifierRefusesEmptyToken(t *testing.T) {
	v, err := NewStaticVerifier([]string{HashToken("")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if id, err := v.Verify(context.Background(), ""); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("Verify(\"\") = (%+v, %v), want ErrInvalidToken", id, err)
	}
}

// TestStaticVerifierIdentitiesShareNoScopes checks that an identity's
// scopes are its own: a handler that rewrites them in place changes what
// no later caller is granted.
func TestStaticVerifierIdentitiesShareNoScopes(t *testing.T) {
	v, err := NewStaticVerifier([]string{HashToken(staticToken)}, &StaticOptions{Scopes: []string{"read"}})
	if err != nil {
		t.Fatal(err)
	}
	id, err := v.Verify(context.Background(), staticToken)
	if err != nil {
		t.Fatal(err)
	}
	id.Scopes[0] = "admin"
	id, err = v.Verify(context.Background(), staticToken)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"read"}, id.Scopes); diff != "" {
		t.Errorf("scopes granted after an identity's were rewritten (-want +got):\n%s", diff)
	}
}
