package requeststate

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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
	key := bytes.Repeat([]byte{0xfb, 0xfe}, KeySize/2) // base64 of it uses + and / (std) or - and _ (URL)
	for _, in := range []string{
		hex.EncodeToString(key),
		base64.StdEncoding.EncodeToString(key),
		base64.URLEncoding.EncodeToString(key),
		" " + base64.StdEncoding.EncodeToString(key) + "\n",
	} {
		got, err := ParseKey(in)
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("ParseKey(%q) = %x, %v; want the key", in, got, err)
		}
	}
	for _, in := range []string{
		"", "abcd", strings.Repeat("zz", KeySize), base64.StdEncoding.EncodeToString(key[:16]),
		base64.RawStdEncoding.EncodeToString(key),           // unpadded: a 43-letter passphrase would pass
		strings.Repeat("A", 43),                             // the same, and all zeros
		strings.Repeat("0", 2*KeySize),                      // all zeros
		base64.StdEncoding.EncodeToString(make([]byte, 32)), // all zeros
		hex.EncodeToString(bytes.Repeat([]byte{7}, KeySize)),
		base64.StdEncoding.EncodeToString(key)[:20] + "\n" + base64.StdEncoding.EncodeToString(key)[20:],
	} {
		if _, err := ParseKey(in); err == nil {
			t.Errorf("ParseKey(%q) accepted it", in)
		}
	}
}

// TestParseKeyHexTypo checks that a hex key with a typo is refused with the
// typo's position, not as base64 of the wrong length (64 base64 characters
// are 48 bytes), and without the key in the message. Every kind of hex
// digit, the bounds of each range, counts as one, and the characters just
// beyond those bounds as none.
func TestParseKeyHexTypo(t *testing.T) {
	good := hex.EncodeToString(bytes.Repeat([]byte{0xfb, 0xfe}, KeySize/2))
	type test struct {
		in   string
		want string
	}
	tests := []test{
		{good[:9] + "g" + good[10:], "position 10 is no hex digit"},
		{"x" + good[1:], "position 1 is no hex digit"},
		{good[:63] + "O", "position 64 is no hex digit"},
		{good[:63] + "é", "position 64 is no hex digit"}, // 64 characters, 65 bytes
	}
	const digits = "0123456789abcdefABCDEF"
	for _, beyond := range "/:`g@G" {
		tests = append(tests, test{digits + string(beyond) + good[len(digits)+1:], "position 23 is no hex digit"})
	}
	for _, tc := range tests {
		_, err := ParseKey(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseKey(%q) = %v, want an error saying %q", tc.in, err, tc.want)
		} else if strings.Contains(err.Error(), tc.in[10:40]) {
			t.Errorf("ParseKey's error quotes the key: %v", err)
		}
	}
}

// TestParseKeyBase64OfTheWrongLength checks that a key of 64 characters
// that is base64, not hex with a typo (openssl rand -base64 48), is told
// its length, not sent looking for a typo in the hex it never was.
func TestParseKeyBase64OfTheWrongLength(t *testing.T) {
	raw := make([]byte, 48)
	for i := range raw {
		raw[i] = byte(i*37 + 11)
	}
	for _, tc := range []struct {
		name, in, want string
	}{
		{"base64 of 48 bytes", base64.StdEncoding.EncodeToString(raw), "requestState key is 48 bytes, want 32"},
		{"URL-safe base64 of 48 bytes", base64.URLEncoding.EncodeToString(raw), "requestState key is 48 bytes, want 32"},
		{"hex with many typos", strings.Repeat("0123456789abcdeo", 4), "position 16 is no hex digit"},
		{"hex with as many typos as are taken for typos", strings.Repeat("0", 48) + strings.Repeat("o", maxHexTypos), "position 49 is no hex digit"},
		{"one typo more, taken for base64", strings.Repeat("0", 47) + strings.Repeat("o", maxHexTypos+1), "requestState key is 48 bytes, want 32"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.in) != 2*KeySize {
				t.Fatalf("%d characters, want %d", len(tc.in), 2*KeySize)
			}
			_, err := ParseKey(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseKey(%q) = %v, want an error saying %q", tc.in, err, tc.want)
			}
		})
	}
}

// FuzzOpen checks that Open never accepts state the sealer did not make:
// it made exactly one, which opens to what was sealed, and what it refuses
// leaves the target as it was. That one is sealed as Seal seals, but with
// a fixed nonce and expiry, opened by a fixed clock an hour before it, so
// that every process of a fuzzing run (each calls FuzzOpen) holds the same
// one; the seeds also hold what the key sealed that must not open (for
// another purpose, expired, expiring beyond MaxTTL, of another shape) and
// other spellings of that one. Each input is also sealed, as a
// value, and must open to itself for its purpose alone.
func FuzzOpen(f *testing.F) {
	s := newSealer(f, 0)
	now := time.Date(2099, 12, 31, 23, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	plain, err := json.Marshal(sealed{Expires: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), Data: json.RawMessage(`{"round":1}`)})
	if err != nil {
		f.Fatal(err)
	}
	nonce := make([]byte, s.aeads[0].NonceSize())
	valid := base64.RawURLEncoding.EncodeToString(s.aeads[0].Seal(nonce, nonce, plain, associated("t")))
	if err := s.Open("t", valid, &round{}); err != nil {
		f.Fatalf("the fixed state does not open: %v", err)
	}
	f.Add(valid)
	f.Add(valid[:10] + "\n" + valid[10:])
	f.Add(valid + "\r\n")
	f.Add(valid + "-TAMPERED")
	f.Add("")
	f.Add("not base64!")
	// The same bytes spelled otherwise: padded, in the standard alphabet,
	// with the unused bits of the last character set.
	f.Add(valid + "=")
	f.Add(strings.NewReplacer("-", "+", "_", "/").Replace(valid) + "+/")
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	if len(valid)%4 != 3 { // 91 characters: the last has two bits no byte uses
		f.Fatalf("the fixed state has %d characters, which leave no bits of the last unused", len(valid))
	}
	f.Add(valid[:len(valid)-1] + string(alphabet[strings.IndexByte(alphabet, valid[len(valid)-1])|1]))
	// Truncated: to a character less, to the nonce alone, to nonce and tag.
	f.Add(valid[:len(valid)-1])
	f.Add(base64.RawURLEncoding.EncodeToString(nonce))
	f.Add(base64.RawURLEncoding.EncodeToString(s.aeads[0].Seal(nonce, nonce, nil, associated("t"))))
	// Authentic, but not for this call: another purpose, another key, a
	// lapsed expiry, one further ahead than Seal gives, data of another
	// shape.
	f.Add(base64.RawURLEncoding.EncodeToString(s.aeads[0].Seal(nonce, nonce, plain, associated("u"))))
	f.Add(base64.RawURLEncoding.EncodeToString(newSealer(f, 1).aeads[0].Seal(nonce, nonce, plain, associated("t"))))
	for _, other := range []sealed{
		{Expires: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), Data: json.RawMessage(`{"round":1}`)},
		{Expires: now.Add(MaxTTL + clockAhead + time.Millisecond).UnixMilli(), Data: json.RawMessage(`{"round":1}`)},
		{Expires: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), Data: json.RawMessage(`{"round":"1"}`)},
	} {
		p, err := json.Marshal(other)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(base64.RawURLEncoding.EncodeToString(s.aeads[0].Seal(nonce, nonce, p, associated("t"))))
	}
	untouched := round{Round: -1, Name: "untouched"}
	f.Fuzz(func(t *testing.T, state string) {
		r := untouched
		err := s.Open("t", state, &r)
		if err == nil && state != valid {
			t.Errorf("Open accepted state %q that the sealer never made", state)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("Open(%q) = %v, want nil or ErrInvalid", state, err)
		}
		if want := map[bool]round{true: {Round: 1}, false: untouched}[err == nil]; r != want {
			t.Errorf("Open(%q) = %v and set %+v, want %+v", state, err, r, want)
		}

		// JSON holds valid UTF-8 only: json.Marshal would replace the rest.
		in := round{Round: len(state), Name: strings.ToValidUTF8(state, "\uFFFD")}
		sealed, err := s.Seal("t", in, time.Minute)
		if err != nil {
			t.Fatalf("Seal(%+v): %v", in, err)
		}
		var out round
		if err := s.Open("t", sealed, &out); err != nil || out != in {
			t.Errorf("sealed %+v, opened %+v, %v", in, out, err)
		}
		if err := s.Open("u", sealed, &out); !errors.Is(err, ErrInvalid) {
			t.Errorf("state sealed for one purpose opened for another: %v", err)
		}
	})
}

// TestLifetime checks that a lifetime must be positive and is kept to the
// millisecond, not rounded to whole seconds.
func TestLifetime(t *testing.T) {
	s := newSealer(t, 1)
	// A day at most: the spec asks for a short expiry, and a lifetime of
	// years is a mistake (a count of seconds given as minutes, say).
	for _, ttl := range []time.Duration{0, -time.Second, MaxTTL + time.Nanosecond, MaxTTL + time.Millisecond, 100 * 365 * 24 * time.Hour} {
		if _, err := s.Seal("p", "v", ttl); err == nil {
			t.Errorf("Seal accepted lifetime %v", ttl)
		}
	}
	now := time.Unix(1_800_000_000, 900_000_000)
	s.now = func() time.Time { return now }
	state, err := s.Seal("p", "v", 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	now = now.Add(300 * time.Millisecond)
	if err := s.Open("p", state, &got); err != nil {
		t.Fatalf("Open at the end of its lifetime = %v", err)
	}
	now = now.Add(time.Millisecond)
	if err := s.Open("p", state, &got); !errors.Is(err, ErrInvalid) {
		t.Errorf("Open 1 ms after its lifetime = %v, want ErrInvalid", err)
	}
}

// TestOnlyRequestStateOpens checks that what the same key sealed for the
// same purpose, but not as request state (without this package's label),
// does not open.
func TestOnlyRequestStateOpens(t *testing.T) {
	s := newSealer(t, 0)
	plain, _ := json.Marshal(sealed{Expires: time.Now().Add(time.Hour).UnixMilli(), Data: json.RawMessage(`"v"`)})
	nonce := make([]byte, s.aeads[0].NonceSize())
	other := base64.RawURLEncoding.EncodeToString(s.aeads[0].Seal(nonce, nonce, plain, []byte("p")))
	var got string
	if err := s.Open("p", other, &got); !errors.Is(err, ErrInvalid) {
		t.Errorf("Open of state sealed without the label = %v, %q; want ErrInvalid", err, got)
	}
}

// TestOneSpelling checks that a state spelled with the unused bits of its
// last character set, which decodes to the same bytes, is refused: a state
// has one spelling only.
func TestOneSpelling(t *testing.T) {
	sealer := newSealer(t, 7)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for name := ""; len(name) < 3; name += "x" { // one of three lengths leaves bits unused
		state, err := sealer.Seal("p", round{Name: name}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		unused := map[int]int{2: 4, 3: 2}[len(state)%4] // bits of the last character no byte uses
		if unused == 0 {
			continue
		}
		last := strings.IndexByte(alphabet, state[len(state)-1])
		respelled := state[:len(state)-1] + string(alphabet[last|1])
		if respelled == state {
			t.Fatalf("%q: no other spelling made", state)
		}
		a, _ := base64.RawURLEncoding.DecodeString(state)
		b, _ := base64.RawURLEncoding.DecodeString(respelled)
		if !bytes.Equal(a, b) {
			t.Fatalf("%q and %q decode apart: the test respelled a used bit", state, respelled)
		}
		var got round
		if err := sealer.Open("p", respelled, &got); !errors.Is(err, ErrInvalid) {
			t.Errorf("another spelling of a state: Open = %v, want ErrInvalid", err)
		}
		return
	}
	t.Fatal("no state left bits unused")
}

// TestOpenWrongType checks that a state whose data does not decode into
// the value given is ErrInvalid, not a half-filled value.
func TestOpenWrongType(t *testing.T) {
	sealer := newSealer(t, 7)
	state, err := sealer.Seal("p", round{Round: 1, Name: "a"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var s string
	if err := sealer.Open("p", state, &s); !errors.Is(err, ErrInvalid) {
		t.Errorf("Open into a string = %v, want ErrInvalid", err)
	}
	// Not a pointer: the caller's mistake, not a bad state, whether the
	// state is good or not.
	for _, st := range []string{state, "AAAA"} {
		if err := sealer.Open("p", st, round{}); err == nil || errors.Is(err, ErrInvalid) {
			t.Errorf("Open of %q into a value = %v, want an error that is not ErrInvalid", st, err)
		}
	}
	// A state of another shape leaves the target as it was.
	type other struct {
		Round int `json:"round"`
		Name  int `json:"name"` // a string in the state
	}
	got := other{Round: -1}
	if err := sealer.Open("p", state, &got); !errors.Is(err, ErrInvalid) || got.Round != -1 {
		t.Errorf("Open into another shape = %v, target %+v; want ErrInvalid and the target untouched", err, got)
	}
}

// TestZeroSealer checks that a Sealer not made with New fails with an error
// that says so, rather than a nil dereference.
func TestZeroSealer(t *testing.T) {
	for _, s := range []*Sealer{nil, {}} {
		if _, err := s.Seal("p", "v", time.Minute); !errors.Is(err, errNotMade) {
			t.Errorf("Seal on %#v = %v", s, err)
		}
		if err := s.Open("p", "AAAA", new(string)); !errors.Is(err, errNotMade) {
			t.Errorf("Open on %#v = %v", s, err)
		}
	}
}

// TestRotation checks that a Sealer seals with its first key and opens what
// the earlier keys sealed, so that states in flight survive a key change.
func TestRotation(t *testing.T) {
	oldKey, newKey := bytes.Repeat([]byte{1}, KeySize), bytes.Repeat([]byte{2}, KeySize)
	before, err := New(oldKey)
	if err != nil {
		t.Fatal(err)
	}
	during, err := New(newKey, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	after, err := New(newKey)
	if err != nil {
		t.Fatal(err)
	}
	inFlight, err := before.Seal("p", "v", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := during.Open("p", inFlight, &got); err != nil || got != "v" {
		t.Errorf("a state of the old key, opened during the rotation: %q, %v", got, err)
	}
	fresh, err := during.Seal("p", "w", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := after.Open("p", fresh, &got); err != nil || got != "w" {
		t.Errorf("a state sealed during the rotation, opened after it: %q, %v", got, err)
	}
	if err := before.Open("p", fresh, &got); !errors.Is(err, ErrInvalid) {
		t.Errorf("the old key opened a state of the new one: %v", err)
	}
	if err := after.Open("p", inFlight, &got); !errors.Is(err, ErrInvalid) {
		t.Errorf("a state of the dropped key opened: %v", err)
	}
	if _, err := New(newKey, oldKey[:KeySize-1]); err == nil {
		t.Error("New accepted a previous key of the wrong length")
	}
}

// TestFromEnv checks MCP_REQUEST_STATE_KEY: the keys of a rotation, a bad
// one named by its place, none on Lambda refused, none elsewhere a key of
// the process.
func TestFromEnv(t *testing.T) {
	oldKey, newKey := bytes.Repeat([]byte{1, 3}, KeySize/2), bytes.Repeat([]byte{2, 4}, KeySize/2)
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	old, err := New(oldKey)
	if err != nil {
		t.Fatal(err)
	}
	inFlight, err := old.Seal("p", "v", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	s, ephemeral, err := FromEnv(env(map[string]string{EnvKey: hex.EncodeToString(newKey) + " , " + base64.StdEncoding.EncodeToString(oldKey)}))
	if err != nil || ephemeral {
		t.Fatalf("FromEnv with two keys: %v, ephemeral %v", err, ephemeral)
	}
	var got string
	if err := s.Open("p", inFlight, &got); err != nil {
		t.Errorf("the second key does not open: %v", err)
	}
	fresh, _ := s.Seal("p", "w", time.Minute)
	if err := old.Open("p", fresh, &got); !errors.Is(err, ErrInvalid) {
		t.Errorf("sealed with the second key, not the first: %v", err)
	}
	if _, _, err := FromEnv(env(map[string]string{EnvKey: hex.EncodeToString(newKey) + ",short"})); err == nil || !strings.Contains(err.Error(), "key 2 of 2") || strings.Contains(err.Error(), hex.EncodeToString(newKey)) {
		t.Errorf("a bad second key: %v, want an error naming it by place, without the keys", err)
	}
	if _, _, err := FromEnv(env(map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001"})); !errors.Is(err, ErrNoKey) {
		t.Errorf("no key on Lambda: %v, want ErrNoKey", err)
	}
	s, ephemeral, err = FromEnv(env(nil))
	if err != nil || !ephemeral || s == nil {
		t.Fatalf("no key locally: %v, ephemeral %v", err, ephemeral)
	}
	if state, err := s.Seal("p", "v", time.Minute); err != nil || s.Open("p", state, &got) != nil {
		t.Errorf("the process's own key does not round-trip: %v", err)
	}
}

// TestError checks the answer to a refused state: a JSON-RPC
// invalid-params error.
func TestError(t *testing.T) {
	if e := Error(ErrInvalid); e.Code != -32602 || !strings.Contains(e.Message, ErrInvalid.Error()) {
		t.Errorf("Error(ErrInvalid) = %+v", e)
	}
	// The server's own mistake does not blame the client's state.
	if e := Error(errNotMade); e.Code != -32603 || strings.Contains(e.Message, "requestState") {
		t.Errorf("Error(errNotMade) = %+v, want an internal error", e)
	}
	// What a server wrapped around ErrInvalid is its own: the purpose
	// names the caller and a digest of the arguments.
	wrapped := fmt.Errorf("opening for %q: %w", "tools/call book user-42", ErrInvalid)
	if e := Error(wrapped); e.Code != -32602 || e.Message != "invalid requestState: "+ErrInvalid.Error() {
		t.Errorf("Error(wrapped) = %+v, want ErrInvalid's message alone", e)
	}
}

// TestEdges pins what the mutation of this package found unpinned: a nil
// pointer target is the caller's mistake whatever the state; the internal
// error tells the client nothing of the server; MaxTTL itself is allowed;
// a list of keys with an empty entry is refused; a key of spaces is unset.
func TestEdges(t *testing.T) {
	s := newSealer(t, 7)
	state, err := s.Seal("p", 1, MaxTTL)
	if err != nil {
		t.Fatalf("Seal with MaxTTL: %v", err)
	}
	for _, st := range []string{state, "junk"} {
		if err := s.Open("p", st, (*int)(nil)); err == nil || errors.Is(err, ErrInvalid) {
			t.Errorf("Open of %q into a nil pointer = %v, want an error that is not ErrInvalid", st, err)
		}
	}
	if e := Error(errors.New("database password wrong")); e.Message != "internal error" {
		t.Errorf("Error of the server's own = %q, want only \"internal error\"", e.Message)
	}
	key := hex.EncodeToString(bytes.Repeat([]byte{1, 2}, KeySize/2))
	env := func(v string) func(string) string {
		return func(k string) string { return map[string]string{EnvKey: v}[k] }
	}
	if _, _, err := FromEnv(env(key + ",")); err == nil {
		t.Error("a key list ending in a comma was accepted")
	}
	if s, ephemeral, err := FromEnv(env("   ")); err != nil || !ephemeral || s == nil {
		t.Errorf("a key of spaces: %v, ephemeral %v; want it taken as unset", err, ephemeral)
	}
}

// TestParseKeys checks a list of keys: each is read in its place, and a key
// listed twice, which no rotation step does, is refused without printing
// either key.
func TestParseKeys(t *testing.T) {
	a := hex.EncodeToString(bytes.Repeat([]byte{1, 2}, KeySize/2))
	b := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3, 4}, KeySize/2))
	bHex := hex.EncodeToString(bytes.Repeat([]byte{3, 4}, KeySize/2)) // b, spelled otherwise
	tests := []struct {
		name    string
		in      string
		want    int    // keys parsed
		wantErr string // in the error, "" for none
	}{
		{"one", a, 1, ""},
		{"rotation", a + "," + b, 2, ""},
		{"the same key twice", a + "," + a, 0, "key 2 of 2 is key 1 again"},
		{"the same key spelled otherwise", b + " , " + bHex, 0, "key 2 of 2 is key 1 again"},
		{"repeated after another", a + "," + b + "," + b, 0, "key 3 of 3 is key 2 again"},
		{"an empty entry", a + ",," + b, 0, "key 2 of 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keys, err := ParseKeys(tc.in)
			if tc.wantErr == "" {
				if err != nil || len(keys) != tc.want {
					t.Fatalf("ParseKeys = %d keys, %v; want %d keys", len(keys), err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("ParseKeys = %d keys, %v; want an error saying %q", len(keys), err, tc.wantErr)
			}
			for _, key := range []string{a, b, bHex} {
				if strings.Contains(err.Error(), key) {
					t.Errorf("the error %q prints a key", err)
				}
			}
		})
	}
}

// TestOpenFresh pins that Open decodes into a fresh value of v's type, not
// into what v holds, as its doc says: a field the state lacks comes back
// zero, and an any holding a pointer gets what JSON decodes into an empty
// any (a map), where json.Unmarshal would merge into both.
func TestOpenFresh(t *testing.T) {
	sealer := newSealer(t, 7)
	state, err := sealer.Seal("p", map[string]any{"round": 3}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got := round{Round: 1, Name: "kept by json.Unmarshal"}
	if err := sealer.Open("p", state, &got); err != nil || got != (round{Round: 3}) {
		t.Errorf("Open into a filled struct = %v, %+v; want {Round:3} alone", err, got)
	}
	var held any = &round{Name: "kept by json.Unmarshal"}
	if err := sealer.Open("p", state, &held); err != nil {
		t.Fatal(err)
	}
	if m, ok := held.(map[string]any); !ok || m["round"] != 3.0 || len(m) != 1 {
		t.Errorf("Open into an any holding a pointer gave %#v, want map[round:3]", held)
	}
}

// TestParseKeyHexOfTheWrongLength checks that a key of hex digits alone,
// but not 64 of them (openssl rand -hex 16, or a digit lost in the
// paste), is told how many hex digits it has, not taken for base64 and
// told a byte count it never had: no padded base64 of a key is all hex
// digits, since it ends in "=".
func TestParseKeyHexOfTheWrongLength(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"16 bytes (openssl rand -hex 16)", hex.EncodeToString(bytes.Repeat([]byte{0x3f, 0xa1}, 8)), "requestState key is 32 hex digits, want 64"},
		{"48 bytes (openssl rand -hex 48)", hex.EncodeToString(bytes.Repeat([]byte{0x3f, 0xa1}, 24)), "requestState key is 96 hex digits, want 64"},
		{"a digit lost", hex.EncodeToString(bytes.Repeat([]byte{0x3f, 0xa1}, 16))[1:], "requestState key is 63 hex digits, want 64"},
		{"a byte too many", hex.EncodeToString(bytes.Repeat([]byte{0x3f, 0xa1}, 16)) + "7e", "requestState key is 66 hex digits, want 64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseKey(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseKey(%q) = %v, want an error saying %q", tc.in, err, tc.want)
			} else if strings.Contains(err.Error(), tc.in) {
				t.Errorf("ParseKey's error quotes the key: %v", err)
			}
		})
	}
}

// TestExpiryFromAClockAhead checks that a state whose expiry lies more
// than MaxTTL ahead, sealed by an instance whose clock runs far ahead, is
// refused, as an expired one is, while one of MaxTTL opens, also from a
// clock a few minutes ahead.
func TestExpiryFromAClockAhead(t *testing.T) {
	ahead, here := newSealer(t, 1), newSealer(t, 1)
	now := time.Unix(1_800_000_000, 0)
	here.now = func() time.Time { return now }
	ahead.now = func() time.Time { return now.Add(time.Hour) }
	state, err := ahead.Seal("p", "v", MaxTTL)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := here.Open("p", state, &got); !errors.Is(err, ErrInvalid) {
		t.Errorf("Open of a state expiring MaxTTL+1h ahead = %v, want ErrInvalid", err)
	}
	for _, skew := range []time.Duration{0, time.Second, clockAhead} {
		ahead.now = func() time.Time { return now.Add(skew) }
		if state, err = ahead.Seal("p", "v", MaxTTL); err != nil {
			t.Fatal(err)
		}
		got = ""
		if err := here.Open("p", state, &got); err != nil || got != "v" {
			t.Errorf("Open of a state of MaxTTL sealed %v ahead = %q, %v; want v", skew, got, err)
		}
	}
}

// TestParseKeyHexTypoCountsCharacters checks that a hex key holding a
// character of several bytes is told the characters typed, not its bytes:
// 63 characters are not called 64.
func TestParseKeyHexTypoCountsCharacters(t *testing.T) {
	good := hex.EncodeToString(bytes.Repeat([]byte{0xfb, 0xfe}, KeySize/2))
	in := good[:62] + "é" // 63 characters, 64 bytes
	_, err := ParseKey(in)
	if err == nil || strings.Contains(err.Error(), "64 characters") {
		t.Errorf("ParseKey(%q) = %v, want an error that does not call its 63 characters 64", in, err)
	}
}
