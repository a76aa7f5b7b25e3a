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
