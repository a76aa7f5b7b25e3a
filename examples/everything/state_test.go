package everything

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestStateSealer(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	sealer, err := newStateSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	other, err := newStateSealer(bytes.Repeat([]byte{8}, 32))
	if err != nil {
		t.Fatal(err)
	}
	want := roundState{Round: 2, Name: "Alice"}
	sealed, err := sealer.seal("tool_a", want)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		sealer  *stateSealer
		purpose string
		state   string
		wantErr error
	}{
		{"round trip", sealer, "tool_a", sealed, nil},
		{"suffix appended", sealer, "tool_a", sealed + "-TAMPERED", errBadState},
		{"one character changed", sealer, "tool_a", flipLast(sealed), errBadState},
		{"other tool", sealer, "tool_b", sealed, errBadState},
		{"other key", other, "tool_a", sealed, errBadState},
		{"not base64", sealer, "tool_a", "%%%", errBadState},
		{"too short", sealer, "tool_a", "AAAA", errBadState},
		{"empty", sealer, "tool_a", "", errBadState},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got roundState
			err := tc.sealer.open(tc.purpose, tc.state, &got)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("open: got error %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr == nil {
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("opened state (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestStateSealerHidesState(t *testing.T) {
	sealer, err := newStateSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := sealer.seal("t", roundState{Round: 1, Name: "Alice"})
	b, _ := sealer.seal("t", roundState{Round: 1, Name: "Alice"})
	if a == b {
		t.Error("sealing the same state twice gave the same text; the nonce is not fresh")
	}
	if bytes.Contains([]byte(a), []byte("Alice")) {
		t.Errorf("sealed state %q shows its content", a)
	}
}

func TestNewStateSealerKeyLength(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := newStateSealer(make([]byte, n)); err == nil {
			t.Errorf("newStateSealer accepted a %d-byte key", n)
		}
	}
}

func FuzzStateSealerOpen(f *testing.F) {
	sealer, err := newStateSealer(make([]byte, 32))
	if err != nil {
		f.Fatal(err)
	}
	// A repeatable nonce, so every fuzz worker knows the one valid state.
	sealer.nonce = bytes.NewReader(make([]byte, 12))
	valid, err := sealer.seal("t", roundState{Round: 1})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(valid + "-TAMPERED")
	f.Add("")
	f.Fuzz(func(t *testing.T, state string) {
		var st roundState
		if err := sealer.open("t", state, &st); err == nil && state != valid {
			t.Errorf("open accepted state %q that this sealer never made", state)
		}
	})
}

func flipLast(s string) string {
	b := []byte(s)
	if b[len(b)-1] == 'A' {
		b[len(b)-1] = 'B'
	} else {
		b[len(b)-1] = 'A'
	}
	return string(b)
}
