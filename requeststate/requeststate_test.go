package requeststate

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

type round struct {
	Round int    `json:"round"`
	Name  string `json:"name"`
}

func newSealer(t testing.TB, fill byte) *Sealer {
	t.Helper()
	s, err := New(bytes.Repeat([]byte{fill}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOpen(t *testing.T) {
	sealer, other := newSealer(t, 7), newSealer(t, 8)
	want := round{Round: 2, Name: "Alice"}
	state, err := sealer.Seal("tool_a", want, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	flipLast := func(s string) string {
		b := []byte(s)
		b[len(b)-1] ^= 1
		return string(b)
	}
	tests := []struct {
		name    string
		sealer  *Sealer
		purpose string
		state   string
		wantErr error
	}{
		{"round trip", sealer, "tool_a", state, nil},
		{"suffix appended", sealer, "tool_a", state + "-TAMPERED", ErrInvalid},
		{"one character changed", sealer, "tool_a", flipLast(state), ErrInvalid},
		{"other purpose", sealer, "tool_b", state, ErrInvalid},
		{"other key", other, "tool_a", state, ErrInvalid},
		{"not base64", sealer, "tool_a", "%%%", ErrInvalid},
		{"too short", sealer, "tool_a", "AAAA", ErrInvalid},
		{"empty", sealer, "tool_a", "", ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got round
			err := tc.sealer.Open(tc.purpose, tc.state, &got)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("Open = %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr == nil && got != want {
				t.Errorf("Open gave %+v, want %+v", got, want)
			}
		})
	}
}

func TestExpiry(t *testing.T) {
	s := newSealer(t, 1)
	now := time.Unix(1_800_000_000, 0)
	s.now = func() time.Time { return now }
	state, err := s.Seal("p", "v", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := s.Open("p", state, &got); err != nil || got != "v" {
		t.Fatalf("Open = %q, %v; want v", got, err)
	}
	now = now.Add(time.Minute + time.Second)
	if err := s.Open("p", state, &got); !errors.Is(err, ErrInvalid) {
		t.Errorf("Open after expiry = %v, want ErrInvalid", err)
	}
}

func TestSealHidesState(t *testing.T) {
	s := newSealer(t, 0)
	a, _ := s.Seal("t", round{Round: 1, Name: "Alice"}, time.Hour)
	b, _ := s.Seal("t", round{Round: 1, Name: "Alice"}, time.Hour)
	if a == b {
		t.Error("sealing the same state twice gave the same text; the nonce is not fresh")
	}
	for _, enc := range []string{a, string(mustDecode(t, a))} {
		if strings.Contains(enc, "Alice") {
			t.Errorf("sealed state shows its content")
		}
	}
}

func mustDecode(t *testing.T, s string) []byte {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNewKeyLength(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := New(make([]byte, n)); err == nil {
			t.Errorf("New accepted a %d-byte key", n)
		}
	}
}

func TestParseKey(t *testing.T) {
	key := bytes.Repeat([]byte{0xfb}, KeySize) // base64 of it uses + and / (std) or - and _ (URL)
	for _, in := range []string{
		hex.EncodeToString(key),
		base64.StdEncoding.EncodeToString(key),
		base64.RawStdEncoding.EncodeToString(key),
		base64.URLEncoding.EncodeToString(key),
		" " + base64.RawURLEncoding.EncodeToString(key) + "\n",
	} {
		got, err := ParseKey(in)
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("ParseKey(%q) = %x, %v; want the key", in, got, err)
		}
	}
	for _, in := range []string{"", "abcd", strings.Repeat("zz", KeySize), base64.StdEncoding.EncodeToString(key[:16])} {
		if _, err := ParseKey(in); err == nil {
			t.Errorf("ParseKey(%q) accepted it", in)
		}
	}
}

// FuzzOpen checks that Open never accepts state the sealer did not make:
// it made exactly one. That one is sealed as Seal seals, but with a fixed
// nonce and expiry, so that every process of a fuzzing run (each calls
// FuzzOpen) holds the same one.
func FuzzOpen(f *testing.F) {
	s := newSealer(f, 0)
	plain, err := json.Marshal(sealed{Expires: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), Data: json.RawMessage(`{"round":1}`)})
	if err != nil {
		f.Fatal(err)
	}
	nonce := make([]byte, s.aead.NonceSize())
	valid := base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte("t")))
	if err := s.Open("t", valid, &round{}); err != nil {
		f.Fatalf("the fixed state does not open: %v", err)
	}
	f.Add(valid)
	f.Add(valid[:10] + "\n" + valid[10:])
	f.Add(valid + "\r\n")
	f.Add(valid + "-TAMPERED")
	f.Add("")
	f.Add("not base64!")
	f.Fuzz(func(t *testing.T, state string) {
		var r round
		err := s.Open("t", state, &r)
		if err == nil && state != valid {
			t.Errorf("Open accepted state %q that the sealer never made", state)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("Open(%q) = %v, want nil or ErrInvalid", state, err)
		}
	})
}
