package auth

import (
	"context"
	"strings"
	"testing"
	"unicode"
)

// TestJWTVerifierReasonPrintable checks that a refusal's reason holds no
// character a log line shows other than as written: jwx repeats a claim
// it cannot read (through the time package, which leaves a DEL as it is)
// and joins the failures of several signatures with a line break.
func TestJWTVerifierReasonPrintable(t *testing.T) {
	k := newRSAKey(t, "rsa-1")
	v := newTestJWTVerifier(t, newJWKSServer(t, k).url(), nil)
	for _, tc := range []struct{ header, payload string }{
		{`{"alg":"RS256","kid":"rsa-1"}`, "{\"exp\":\"\x7f\u202e\"}"},
		{`{"alg":"RS256","kid":"rsa-1"}`, "{\"nbf\":\"\u0085\x7f\",\"exp\":9999999999}"},
		{"{\"alg\":\"RS256\",\"kid\":\"rsa-2\x7f\"}", `{"exp":9999999999}`},
	} {
		_, err := v.Verify(context.Background(), k.signRaw(t, tc.header, tc.payload))
		if err == nil {
			t.Fatalf("%s.%s: verified", tc.header, tc.payload)
		}
		if i := strings.IndexFunc(err.Error(), func(r rune) bool { return !unicode.IsPrint(r) }); i >= 0 {
			t.Errorf("%s.%s: reason %q holds %q", tc.header, tc.payload, err, []rune(err.Error()[i:])[0])
		}
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain text: é, 日本":          "plain text: é, 日本",
		"a\xffb\ufffdc":              `a\xffb` + "\ufffd" + "c",
		"\x7f\u0085\u202e\u200b\n\t": `\x7f\u0085\u202e\u200b\n\t`,
		// A backslash stays: jwx quotes the token's text, backslashes
		// escaped.
		`exp "\\u202e" ` + "\u202e": `exp "\\u202e" \u202e`,
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestJWTVerifierReasonQuotedOnce checks that the text jwx and the
// verifier quote with %q (a claim, a kid, a typ) is not escaped a second
// time: its backslashes are %q's own, and a token's U+202E reads as
// \u202e, not as the text \\u202e that a token holding a backslash gives.
func TestJWTVerifierReasonQuotedOnce(t *testing.T) {
	k := newRSAKey(t, "rsa-1")
	v := newTestJWTVerifier(t, newJWKSServer(t, k).url(), nil)
	for _, tc := range []struct{ header, payload, want string }{
		{`{"alg":"RS256","kid":"rsa-1"}`, "{\"exp\":\"\u202e\"}", `failed to accept string "\u202e"`},
		{`{"alg":"RS256","kid":"rsa-1"}`, `{"exp":"\\u202e"}`, `failed to accept string "\\u202e"`},
		{"{\"alg\":\"RS256\",\"kid\":\"rsa-2\x7f\"}", `{"exp":9999999999}`, `no signing key with kid "rsa-2\x7f"`},
		{"{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"typ\":\"a\u202eb\"}", `{"exp":9999999999}`, `token type "a\u202eb" is not`},
	} {
		_, err := v.Verify(context.Background(), k.signRaw(t, tc.header, tc.payload))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s.%s: reason %q, want it to hold %q", tc.header, tc.payload, err, tc.want)
		}
	}
}
