// Package requeststate seals the requestState a stateless MCP server hands
// its client between the rounds of a multi-round-trip request (2026-07-28's
// input-required results), so that the client can carry it but neither read
// nor change it.
//
// A stateless server on Lambda keeps nothing between requests, and the next
// round may reach another execution environment; whatever the server needs
// later travels through the client, encrypted and authenticated with
// AES-256-GCM. Every instance serving an endpoint must share the key, and
// each deployment (staging, production, another server) should have its own,
// since a state sealed by one opens wherever the key and purpose match. Give
// it through configuration: FromEnv reads MCP_REQUEST_STATE_KEY (with
// -c serverSecretEnv=MCP_REQUEST_STATE_KEY the deploy stack passes it as a
// NoEcho parameter; in the function's environment it is readable by whoever
// may read the function's configuration), or keep it in AWS Secrets Manager
// and give it to New at start-up.
//
//	sealer, ephemeral, err := requeststate.FromEnv(os.Getenv) // ephemeral: a key of this process only; say so
//	purpose := "tools/call book_flight " + argsDigest + " " + caller // caller: auth.Identity's Caller()
//	state, err := sealer.Seal(purpose, pending, 10*time.Minute)  // into the result's RequestState (mcp.CallToolResult)
//	err = sealer.Open(purpose, req.Params.RequestState, &pending) // on the next round
//	// on ErrInvalid: return requeststate.Error(err), a JSON-RPC invalid-params error
//
// To change the key while states are in flight, seal with the new key and
// keep the old one for opening (MCP_REQUEST_STATE_KEY=NEW,OLD, that is
// New(newKey, oldKey)) until the longest lifetime has passed, then drop it.
// Where versions overlap (a gradual deployment, a canary), take three
// steps, each deployed everywhere before the next: OLD,NEW (every instance
// opens what the new key will seal), then NEW,OLD, then NEW. Each seal takes
// a random 12-byte nonce, and GCM's bound for random nonces is 2^32 seals
// under one key: change it before that (about 16 months at 100 input-required
// rounds a second, all instances together), and sooner at higher rates.
//
// The purpose is what the state is good for, and nothing else opens it:
// name in it the method and the tool or prompt, what of the arguments the
// state applies to (a digest of them, say), and, when the server
// authenticates its callers, the caller (auth's Identity.Caller: its method,
// issuer and subject, a subject being unique only within its issuer), so that a
// state one user was given does not work for another. Behind AWS_IAM (a
// Function URL's or an HTTP API route's), no token reaches the server and
// the caller is the request's signer: name its userArn from
// lambdamcp.AuthorizerContext instead. Within its lifetime a state opens as
// often as it is presented, as the spec's rounds need; a state that must
// work only once needs storage on the server's side, which a stateless
// server has not.
package requeststate

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

// KeySize is the size of a key: AES-256.
const KeySize = 32

// MaxTTL bounds the lifetime Seal gives a state. The spec asks for a short
// one: minutes, the time a person takes to answer; a day is the most that
// could be meant.
const MaxTTL = 24 * time.Hour

// clockAhead is how far ahead of this instance's clock another instance's
// may run for Open to take the expiry it sealed: beyond MaxTTL by more
// than this, a state was sealed by a clock set wrong.
const clockAhead = 5 * time.Minute

// EnvKey is the variable FromEnv reads the keys from.
const EnvKey = "MCP_REQUEST_STATE_KEY"

// ErrInvalid is what Open says about state it did not seal for this
// purpose: forged, altered, expired or minted for another call.
var ErrInvalid = errors.New("requestState is not valid for this request")

// ErrNoKey is what FromEnv says on Lambda when EnvKey is not set.
var ErrNoKey = errors.New(EnvKey + " is not set: on Lambda every execution environment must share the key that seals requestState")

// Sealer seals request state with one key and opens it with that key or
// earlier ones. A Sealer is safe for concurrent use: make one at start-up
// and share it among every call the server handles.
type Sealer struct {
	aeads []cipher.AEAD // the first seals
	now   func() time.Time
}

// New returns a Sealer that seals with key and opens what key or one of
// previous sealed: the keys a rotation replaced, kept while states they
// sealed may still be presented. Each key has KeySize bytes.
func New(key []byte, previous ...[]byte) (*Sealer, error) {
	s := &Sealer{now: time.Now}
	for _, k := range append([][]byte{key}, previous...) {
		if len(k) != KeySize {
			return nil, fmt.Errorf("requestState key is %d bytes, want %d", len(k), KeySize)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		s.aeads = append(s.aeads, aead)
	}
	return s, nil
}

// FromEnv returns the Sealer EnvKey describes, read through getenv
// (os.Getenv, which nil means): a comma-separated list of keys, as ParseKeys reads it. Unset,
// it returns ErrNoKey on Lambda (AWS_LAMBDA_RUNTIME_API set), where a key of
// each execution environment's own would fail every round that reaches
// another; elsewhere a Sealer with a random key of this process, and
// ephemeral true, so that the caller can say state survives only there.
func FromEnv(getenv func(string) string) (s *Sealer, ephemeral bool, err error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	v := strings.TrimSpace(getenv(EnvKey))
	if v == "" {
		if getenv("AWS_LAMBDA_RUNTIME_API") != "" {
			return nil, false, ErrNoKey
		}
		key := make([]byte, KeySize)
		rand.Read(key)
		s, err := New(key)
		return s, true, err
	}
	keys, err := ParseKeys(v)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", EnvKey, err)
	}
	s, err = New(keys[0], keys[1:]...)
	return s, false, err
}

// ParseKeys decodes a comma-separated list of keys, each as ParseKey
// reads it: the first seals, the others, earlier keys, only open. A key
// listed twice is refused: no rotation step lists one key twice, so it is
// a slip of the paste (NEW,NEW for NEW,OLD), which would otherwise leave
// the states the old key sealed unopened until they expire.
func ParseKeys(s string) ([][]byte, error) {
	var keys [][]byte
	n := strings.Count(s, ",") + 1
	for i, part := range strings.Split(s, ",") {
		key, err := ParseKey(part)
		if err != nil {
			return nil, fmt.Errorf("key %d of %d: %w", i+1, n, err)
		}
		for j, k := range keys {
			if bytes.Equal(k, key) {
				return nil, fmt.Errorf("key %d of %d is key %d again: list each key once", i+1, n, j+1)
			}
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// Error is the JSON-RPC error a server answers an error of Open with. A
// state Open refused (ErrInvalid) is invalid params (-32602), as the spec
// asks protocol errors to be answered (a tool error would ask the model to
// mend what it cannot); any other error is the server's own (a Sealer not
// made with New, a target that is no pointer), an internal error (-32603)
// that does not blame the client. The message is fixed, whatever a server
// wrapped around the error: ErrInvalid's text after "invalid requestState: ",
// or "internal error"; a purpose quoted there would tell the client whose
// state it was meant to be.
func Error(err error) *jsonrpc.Error {
	if errors.Is(err, ErrInvalid) {
		return &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "invalid requestState: " + ErrInvalid.Error()}
	}
	return &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: "internal error"}
}

// ParseKey decodes a key given as 64 hex digits or as padded base64
// (standard or URL alphabet; what openssl rand -base64 32 prints) of
// KeySize bytes. Unpadded base64 is refused, so that a passphrase of 43
// letters is not taken for a key, and so is a key of one byte repeated
// (all zeros, say), which is no secret.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	key, err := decodeKey(s)
	if err != nil {
		return nil, err
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("requestState key is %d bytes, want %d", len(key), KeySize)
	}
	if bytes.Count(key, key[:1]) == len(key) {
		return nil, errors.New("requestState key is one byte repeated: make a random one (openssl rand -base64 32)")
	}
	return key, nil
}

func decodeKey(s string) ([]byte, error) {
	// Characters, not bytes: a typo of several bytes (an é) is one
	// character of the key as typed.
	if utf8.RuneCountInString(s) == 2*KeySize {
		key, err := hex.DecodeString(s)
		if err == nil {
			return key, nil
		}
		// As base64, 64 characters are 48 bytes, never a key: mostly hex
		// digits, this is hex with a typo, so point at it (the key itself
		// is not shown). Base64 of 48 random bytes (openssl rand -base64
		// 48) has about 42 characters that are no hex digit, and is told
		// its length below, as any base64 of the wrong length.
		notHex := func(r rune) bool { return !isHexDigit(r) }
		if i := strings.IndexFunc(s, notHex); i >= 0 && countFunc(s, notHex) <= maxHexTypos {
			return nil, fmt.Errorf("requestState key has %d characters, as %d bytes in hex, but the one at position %d is no hex digit", 2*KeySize, KeySize, utf8.RuneCountInString(s[:i])+1)
		}
	}
	// Hex digits alone, but not 64 of them (openssl rand -hex 16, a digit
	// lost in the paste), is hex of the wrong length: as base64 it would be
	// told a byte count it never had. No padded base64 of a key is all hex
	// digits, since it ends in "=".
	if s != "" && len(s) != 2*KeySize && strings.IndexFunc(s, func(r rune) bool { return !isHexDigit(r) }) < 0 {
		return nil, fmt.Errorf("requestState key is %d hex digits, want %d", len(s), 2*KeySize)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		if key, err := enc.Strict().DecodeString(s); err == nil && !strings.ContainsAny(s, "\r\n") {
			return key, nil
		}
	}
	return nil, fmt.Errorf("requestState key is neither %d hex digits nor padded base64", 2*KeySize)
}

// maxHexTypos is the most characters of a 64-character key that may be no
// hex digit for the key to be taken for hex with typos rather than base64.
const maxHexTypos = KeySize / 2

// countFunc is how many characters of s satisfy f.
func countFunc(s string, f func(rune) bool) int {
	n := 0
	for _, r := range s {
		if f(r) {
			n++
		}
	}
	return n
}

func isHexDigit(r rune) bool {
	return '0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F'
}

// sealed is what travels inside the ciphertext.
type sealed struct {
	Expires int64           `json:"exp"` // Unix milliseconds
	Data    json.RawMessage `json:"data"`
}

// associated is the data a state is bound to besides its ciphertext: its
// purpose, after a label of this package and format, so that nothing else
// sealed with the same key opens as request state.
func associated(purpose string) []byte {
	return append([]byte("lambdamcp/requeststate/v1\x00"), purpose...)
}

// Seal encrypts v (as JSON) for purpose, valid for ttl (positive, at most
// MaxTTL). purpose is bound as associated data, so state sealed for one
// purpose opens for no other: see the package documentation for what to
// name in it. v comes back from Open as encoding/json gives it back: a
// string holding invalid UTF-8 returns with U+FFFD in place of each bad
// byte, so seal bytes as a []byte (base64 in the JSON), not as a string.
func (s *Sealer) Seal(purpose string, v any, ttl time.Duration) (string, error) {
	if s == nil || len(s.aeads) == 0 {
		return "", errNotMade
	}
	if ttl <= 0 || ttl > MaxTTL {
		return "", fmt.Errorf("requestState lifetime %v: it must be positive and at most %v", ttl, MaxTTL)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encoding requestState: %w", err)
	}
	plain, err := json.Marshal(sealed{Expires: s.now().Add(ttl).UnixMilli(), Data: data})
	if err != nil {
		return "", fmt.Errorf("encoding requestState: %w", err)
	}
	aead := s.aeads[0]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("making a nonce: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, associated(purpose))), nil
}

// errNotMade is the error of a Sealer's zero value.
var errNotMade = errors.New("requeststate: a Sealer is made with New")

// Open decrypts state sealed for purpose into v, or returns ErrInvalid,
// also for a state expired or expiring more than MaxTTL ahead (sealed where
// the clock runs ahead by more than five minutes). v must be a non-nil pointer, as for json.Unmarshal: anything else is the
// caller's mistake, reported as such, whatever the state, and so is a
// Sealer not made with New. v is set only when Open succeeds, and then
// to a fresh value of its type, not merged into what it held as
// json.Unmarshal would: a field the state lacks comes back zero, and an
// any comes back as JSON decodes into an empty one (a map for an object),
// whatever it held.
func (s *Sealer) Open(purpose, state string, v any) error {
	if s == nil || len(s.aeads) == 0 {
		return errNotMade
	}
	target := reflect.ValueOf(v)
	if target.Kind() != reflect.Pointer || target.IsNil() {
		return fmt.Errorf("requeststate: Open into %T: want a non-nil pointer", v)
	}
	// The decoder skips line breaks, even strictly; the sealer never
	// writes them, and state has one spelling only.
	if strings.ContainsAny(state, "\r\n") {
		return ErrInvalid
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(state)
	n := s.aeads[0].NonceSize() // GCM's, the same for every key
	if err != nil || len(raw) < n {
		return ErrInvalid
	}
	for _, aead := range s.aeads {
		plain, err := aead.Open(nil, raw[:n], raw[n:], associated(purpose))
		if err != nil {
			continue // another key's, perhaps
		}
		// An expiry further ahead than Seal gives (and a clock a little
		// ahead would set) was set by a clock running far ahead, and would
		// outlive MaxTTL here.
		var sd sealed
		now := s.now()
		if json.Unmarshal(plain, &sd) != nil || now.UnixMilli() > sd.Expires || sd.Expires > now.Add(MaxTTL+clockAhead).UnixMilli() {
			return ErrInvalid
		}
		// Decoded apart, so that a state of another shape leaves v as it was.
		fresh := reflect.New(target.Elem().Type())
		if err := json.Unmarshal(sd.Data, fresh.Interface()); err != nil {
			return ErrInvalid
		}
		target.Elem().Set(fresh.Elem())
		return nil
	}
	return ErrInvalid
}
