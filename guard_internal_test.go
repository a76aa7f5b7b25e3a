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

// TestKnownToolsWithoutEmptyName checks that a tool listed without a
// name is not recorded: no call is named by "", and the name would take
// room from the server's own up to maxKnownTools.
func TestKnownToolsWithoutEmptyName(t *testing.T) {
	var k knownTools
	for i := range maxKnownTools - 1 {
		k.add(fmt.Sprint("tool-", i))
	}
	k.add("")
	k.add("last")
	if k.has("") {
		t.Error(`"" is among the known tools`)
	}
	if !k.has("last") {
		t.Errorf("with %d names known and \"\" added, the last that fits was not kept", maxKnownTools-1)
	}
}

// TestIsEventStream holds which Content-Type values the guard reads as an
// event stream: the media type in any case, with parameters, and with
// the white space RFC 9110 allows around the semicolon; no other type.
func TestIsEventStream(t *testing.T) {
	for ct, want := range map[string]bool{
		"text/event-stream":                 true,
		"Text/Event-Stream":                 true,
		"text/event-stream; charset=utf-8":  true,
		"text/event-stream ; charset=utf-8": true,
		" text/event-stream":                true,
		"application/json":                  false,
		"text/event-streams":                false,
		"":                                  false,
	} {
		if got := isEventStream(ct); got != want {
			t.Errorf("isEventStream(%q) = %v, want %v", ct, got, want)
		}
	}
}
