package lambdamcp

import (
	"fmt"
	"testing"
)

// TestKnownToolsBound holds maxKnownTools at its edge: the last name that
// fits is kept, the one after it is not.
func TestKnownToolsBound(t *testing.T) {
	tests := []struct {
		name  string
		known int // names known before
		kept  bool
	}{
		{"the last that fits", maxKnownTools - 1, true},
		{"one past the bound", maxKnownTools, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var k knownTools
			for i := range tc.known {
				k.add(fmt.Sprint("tool-", i))
			}
			k.add("new")
			if got := k.has("new"); got != tc.kept {
				t.Errorf("with %d names known, a new one kept = %v, want %v", tc.known, got, tc.kept)
			}
		})
	}
}

// TestTruncateUTF8 checks where a text is cut: not when it fits, whole
// runes only when it does not.
func TestTruncateUTF8(t *testing.T) {
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
			if got := truncateUTF8(tc.s, tc.n); got != tc.want {
				t.Errorf("truncateUTF8(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
			}
		})
	}
}
