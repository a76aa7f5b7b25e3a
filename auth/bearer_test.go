package auth

import (
	"errors"
	"strings"
	"testing"
	"unicode"
)

func TestBearerToken(t *testing.T) {
	tests := []struct {
		name, header, want string
		wantInvalid        bool // error wraps ErrInvalidToken (a token was presented)
		wantErr            bool
	}{
		{name: "bearer", header: "Bearer abc", want: "abc"},
		{name: "lower case", header: "bearer abc", want: "abc"},
		{name: "mixed case", header: "bEaReR abc", want: "abc"},
		{name: "extra spaces", header: "  Bearer   abc  ", want: "abc"},
		{name: "missing", header: "", wantErr: true},
		{name: "other scheme", header: "Basic abc", wantErr: true},
		{name: "scheme only", header: "Bearer", wantErr: true, wantInvalid: true},
		{name: "empty token", header: "Bearer   ", wantErr: true, wantInvalid: true},
		{name: "two tokens", header: "Bearer a b", wantErr: true, wantInvalid: true},
		{name: "tab inside the token", header: "Bearer a\tb", wantErr: true, wantInvalid: true},
		{name: "line feed inside the token", header: "Bearer a\nb", wantErr: true, wantInvalid: true},
		{name: "carriage return inside the token", header: "Bearer a\rb", wantErr: true, wantInvalid: true},
		{name: "no-break space inside the token", header: "Bearer a\u00a0b", wantErr: true, wantInvalid: true},
		{name: "ideographic space inside the token", header: "Bearer a\u3000b", wantErr: true, wantInvalid: true},
		{name: "no-break space after the token", header: "Bearer abc\u00a0", want: "abc"},
		{name: "largest header", header: "Bearer " + strings.Repeat("a", MaxHeaderBytes-len("Bearer ")), want: strings.Repeat("a", MaxHeaderBytes-len("Bearer "))},
		{name: "a byte too large", header: "Bearer " + strings.Repeat("a", MaxHeaderBytes-len("Bearer ")+1), wantErr: true, wantInvalid: true},
		{name: "oversized", header: "Bearer " + strings.Repeat("a", MaxHeaderBytes), wantErr: true, wantInvalid: true},
		{name: "oversized, other scheme", header: "Basic " + strings.Repeat("a", MaxHeaderBytes), wantErr: true},
		{name: "oversized by white space around the token", header: "Bearer abc" + strings.Repeat(" ", MaxHeaderBytes), wantErr: true, wantInvalid: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := BearerToken(tc.header)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("BearerToken = (%q, %v), want (%q, error %v)", got, err, tc.want, tc.wantErr)
			}
			if errors.Is(err, ErrInvalidToken) != tc.wantInvalid {
				t.Errorf("errors.Is(err, ErrInvalidToken) = %v, want %v", !tc.wantInvalid, tc.wantInvalid)
			}
		})
	}
}

// FuzzBearerToken checks that a token taken from a header is one, found in
// the header, and the one the go-sdk reads of the same header after
// Middleware (its RequireBearerToken splits the header at every Unicode
// space and wants "bearer" and the token): a token a verifier accepted
// must not be refused, or read differently, there.
func FuzzBearerToken(f *testing.F) {
	for _, s := range []string{"Bearer abc", "bearer  x", "Basic x", "", "Bearer", "Bearer \t", "\u00a0Bearer abc\u2028", "Bearer\tabc", "Bearerx abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		tok, err := BearerToken(header)
		if err != nil {
			return
		}
		if tok == "" || strings.ContainsFunc(tok, unicode.IsSpace) || !strings.Contains(header, tok) {
			t.Fatalf("BearerToken(%q) = %q", header, tok)
		}
		if fields := strings.Fields(header); len(fields) != 2 || strings.ToLower(fields[0]) != "bearer" || fields[1] != tok {
			t.Fatalf("BearerToken(%q) = %q; the go-sdk reads %q", header, tok, fields)
		}
	})
}
