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
		// A backslash the token holds does not read as an escape.
		`exp "\u202e"`: `exp "\\u202e"`,
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}
