package oauthscope

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestList(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{" a\tb\nc\r\nd\ve\ff ", []string{"a", "b", "c", "d", "e", "f"}},
		{"a\u00a0b \u2003c", []string{"a\u00a0b", "\u2003c"}},
		{" \t", []string{}},
	} {
		if diff := cmp.Diff(tc.want, List(tc.in)); diff != "" {
			t.Errorf("List(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestTrim(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{" \tmcp:admin\f\v\r\n", "mcp:admin"},
		{"\u00a0mcp:admin ", "\u00a0mcp:admin"},
		{" mcp:admin\u2003", "mcp:admin\u2003"},
	} {
		if got := Trim(tc.in); got != tc.want {
			t.Errorf("Trim(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		scopes  []string
		wantErr string
	}{
		{[]string{"mcp:tools", "it's", "https://x/a=b!~"}, ""},
		{[]string{"ok", "a\u00a0b"}, `V: "a\u00a0b" is not a scope: RFC 6749 section 3.3 allows printable ASCII other than space, '"' and '\'`},
		{[]string{`a"b`}, `V: "a\"b" is not a scope: RFC 6749 section 3.3 allows printable ASCII other than space, '"' and '\'`},
		{[]string{""}, `V: "" is not a scope: RFC 6749 section 3.3 allows printable ASCII other than space, '"' and '\'`},
	} {
		var got string
		if err := Check("V", tc.scopes); err != nil {
			got = err.Error()
		}
		if got != tc.wantErr {
			t.Errorf("Check(%q) = %q, want %q", tc.scopes, got, tc.wantErr)
		}
	}
}
