package textcut

import (
	"strings"
	"testing"
	"unicode/utf8"
)

var cutCases = []struct {
	name string
	s    string
	n    int
	want string
}{
	{"shorter", "abc", 4, "abc"},
	{"exactly n bytes", "abcd", 4, "abcd"},
	{"a byte past", "abcde", 4, "abcd…"},
	{"n inside a two-byte rune", "aé", 2, "a…"},
	{"n inside a four-byte rune", "ab😀", 5, "ab…"},
	{"n at a rune's start", "éa", 2, "é…"},
	{"n of 0", "abc", 0, "…"},
	{"no UTF-8 at all", "\x80\x80\x80", 2, "\x80\x80…"},
	{"n past a byte that is no UTF-8", "a\xffbc", 2, "a\xff…"},
	{"n inside bytes that are no rune", "a\xe0\x80\x80", 3, "a\xe0\x80…"},
	{"n inside a rune after bytes that are no UTF-8", "\xff\xffé", 3, "\xff\xff…"},
	{"n below 0", "abc", -1, "…"},
}

// TestCut checks where a text is cut: not when it fits, whole runes only
// when it does not.
func TestCut(t *testing.T) {
	tests := cutCases
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Cut(tc.s, tc.n); got != tc.want {
				t.Errorf("Cut(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
			}
		})
	}
}

// FuzzCut checks that a cut text is a prefix of the text, of at most n
// bytes and all of it that fits in n but a rune's start, marked when it is
// shorter than the text, and that it splits no rune of the text: what it
// keeps reads as the text's first runes and bytes that are no UTF-8.
func FuzzCut(f *testing.F) {
	for _, tc := range cutCases {
		f.Add(tc.s, uint16(max(tc.n, 0)))
	}
	f.Fuzz(func(t *testing.T, s string, n16 uint16) {
		n := int(n16)
		got := Cut(s, n)
		if len(s) <= n {
			if got != s {
				t.Fatalf("Cut(%q, %d) = %q, want it whole", s, n, got)
			}
			return
		}
		kept, marked := strings.CutSuffix(got, "…")
		if !marked || !strings.HasPrefix(s, kept) || len(kept) > n {
			t.Fatalf("Cut(%q, %d) = %q, want a prefix of at most %d bytes and the mark", s, n, got, n)
		}
		if len(kept) <= n-utf8.UTFMax {
			t.Fatalf("Cut(%q, %d) = %q, cut more than a rune short of %d bytes", s, n, got, n)
		}
		for i := 0; i < len(kept); {
			r, size := utf8.DecodeRuneInString(kept[i:])
			if r2, size2 := utf8.DecodeRuneInString(s[i:]); r != r2 || size != size2 {
				t.Fatalf("Cut(%q, %d) = %q, which splits the rune at byte %d", s, n, got, i)
			}
			i += size
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Cut(%q, %d) = %q, not UTF-8", s, n, got)
		}
	})
}
