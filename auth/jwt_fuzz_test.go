package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// FuzzCompactSerialization checks the token syntax the JWT verifier holds
// a bearer token to before jwx reads it. A token it takes is the one
// spelling of its decoded segments (each re-encodes to itself), its claims
// set one JSON object, its header and claims set UTF-8; and
// escapesLoneSurrogate agrees with jsontext, which refuses an escaped
// lone surrogate in a JSON text that is otherwise valid UTF-8 JSON.
func FuzzCompactSerialization(f *testing.F) {
	enc := base64.RawURLEncoding.EncodeToString
	for _, tc := range [][3]string{
		{`{"alg":"RS256","kid":"k"}`, `{"sub":"a"}`, "sig"},
		{`{"alg":"RS256"}`, `{"sub":"\ud83d\ude00"}`, ""},
		{`{"alg":"RS256"}`, `{"sub":"\ud800"}`, "s"},
		{`{"alg":"RS256"}`, `{"sub":"\udc00\ud800"}`, "s"},
		{`{"alg":"RS256"}`, `{"sub":"\\ud800"}`, "s"},
		{`{"alg":"RS256"}`, `{"sub":"\\\ud800\udc00"}`, "s"},
		{`{"alg":"RS256"}`, `{"sub":"\ud800\\udc00"}`, "s"},
		{`{"alg":"RS256"}`, `{"sub":"\ud800\u0041"}`, "s"},
		{`{"alg":"RS256"}`, `{"sub":"\uD800\uDC00"}`, "s"},
		{`{"alg":"RS256"}`, `{"sub":"\uDBFF\uDFFF"}`, "s"},
		{`{"alg":"RS256"}`, `{"sub":"\udc00\udc00"}`, "s"},
		{`{"alg":"RS256"}`, `{"sub":"\ud800\ue000"}`, "s"},
		{`{"alg":"RS256"}`, `["not","an","object"]`, "s"},
		{`{"alg":"RS256"}`, `{"a":1} {"b":2}`, "s"},
	} {
		f.Add(enc([]byte(tc[0])) + "." + enc([]byte(tc[1])) + "." + enc([]byte(tc[2])))
	}
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJSUzI1NiJ9.e30=.")
	f.Add("eyJhbGciOiJSUzI1NiJ9.e3\n0.")
	f.Add("eyJhbGciOiJSUzI1NiJ9.e31.")
	f.Add("eyJhbGciOiJSUzI1NiJ9.e30")
	f.Fuzz(func(t *testing.T, token string) {
		for _, seg := range strings.Split(token, ".") {
			if b, err := base64.RawURLEncoding.DecodeString(seg); err == nil {
				checkLoneSurrogate(t, b)
			}
		}
		header, _, err := compactSerialization(token)
		if err != nil {
			return
		}
		segments := strings.Split(token, ".")
		var decoded [3][]byte
		for i, seg := range segments {
			b, err := base64.RawURLEncoding.DecodeString(seg)
			if err != nil {
				t.Fatalf("compactSerialization took %q, whose segment %d is no base64url: %v", token, i, err)
			}
			if again := enc(b); again != seg {
				t.Fatalf("compactSerialization took %q, whose segment %d is spelled %q, not %q", token, i, seg, again)
			}
			decoded[i] = b
		}
		if !bytes.Equal(header, decoded[0]) {
			t.Fatalf("compactSerialization(%q) returned header %q, want %q", token, header, decoded[0])
		}
		for i, b := range decoded[:2] {
			if !utf8.Valid(b) || escapesLoneSurrogate(b) {
				t.Fatalf("compactSerialization took %q, whose segment %d %q is not UTF-8", token, i, b)
			}
		}
		var claims map[string]json.RawMessage
		if err := json.Unmarshal(decoded[1], &claims); err != nil || claims == nil {
			t.Fatalf("compactSerialization took %q, whose claims set %q is no JSON object: %v", token, decoded[1], err)
		}
	})
}

// checkLoneSurrogate compares escapesLoneSurrogate with jsontext on b
// when b is UTF-8 JSON text encoding/json takes, where an escaped lone
// surrogate is all jsontext refuses that encoding/json does not.
func checkLoneSurrogate(t *testing.T, b []byte) {
	t.Helper()
	if !utf8.Valid(b) || !json.Valid(b) {
		return
	}
	_, err := jsontext.NewDecoder(bytes.NewReader(b), jsontext.AllowDuplicateNames(true)).ReadValue()
	if got, want := escapesLoneSurrogate(b), err != nil; got != want {
		t.Fatalf("escapesLoneSurrogate(%q) = %v, but jsontext says %v", b, got, err)
	}
}
