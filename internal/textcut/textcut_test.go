package textcut

import "testing"

// TestCut checks where a text is cut: not when it fits, whole runes only
// when it does not.
func TestCut(t *testing.T) {
	tests := []struct {
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
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Cut(tc.s, tc.n); got != tc.want {
				t.Errorf("Cut(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
			}
		})
	}
}
