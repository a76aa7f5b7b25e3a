// Package requeststate seals the requestState a stateless MCP server hands
// its client between the rounds of a multi-round-trip request (2026-07-28's
// input-required results), so that the client can carry it but neither read
// nor change it.
//
// A stateless server on Lambda keeps nothing between requests, and the next
// round may reach another execution environment; whatever the server needs
// later travels through the client, encrypted and authenticated with
// AES-256-GCM. Every instance serving an endpoint must share the key: give it
// through configuration (ParseKey reads the usual encodings), kept in AWS
// Secrets Manager or encrypted with KMS and decrypted once at start-up.
//
//	sealer, err := requeststate.New(key)
//	purpose := "tools/call book_flight " + argsDigest + " " + subject
//	state, err := sealer.Seal(purpose, pending, 10*time.Minute)  // into InputRequiredResult.RequestState
//	err = sealer.Open(purpose, req.Params.RequestState, &pending) // on the next round
//
// The purpose is what the state is good for, and nothing else opens it:
// name in it the method and the tool or prompt, what of the arguments the
// state applies to (a digest of them, say), and, when the server
// authenticates its callers, the caller's subject, so that a state one user
// was given does not work for another. Within its lifetime a state opens as
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
	"strings"
	"time"
)

// KeySize is the size of a key: AES-256.
const KeySize = 32

// ErrInvalid is what Open says about state it did not seal for this
// purpose: forged, altered, expired or minted for another call.
var ErrInvalid = errors.New("requestState is not valid for this request")

// Sealer seals and opens request state with one key.
type Sealer struct {
	aead cipher.AEAD
	now  func() time.Time
}

// New returns a Sealer for a KeySize-byte key.
func New(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("requestState key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead, now: time.Now}, nil
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
	if len(s) == 2*KeySize {
		if key, err := hex.DecodeString(s); err == nil {
			return key, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		if key, err := enc.Strict().DecodeString(s); err == nil && !strings.ContainsAny(s, "\r\n") {
			return key, nil
		}
	}
	return nil, fmt.Errorf("requestState key is neither %d hex digits nor padded base64", 2*KeySize)
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

// Seal encrypts v (as JSON) for purpose, valid for ttl (which must be
// positive). purpose is bound as associated data, so state sealed for one
// purpose opens for no other: see the package documentation for what to
// name in it.
func (s *Sealer) Seal(purpose string, v any, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", fmt.Errorf("requestState lifetime %v: it must be positive", ttl)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encoding requestState: %w", err)
	}
	plain, err := json.Marshal(sealed{Expires: s.now().Add(ttl).UnixMilli(), Data: data})
	if err != nil {
		return "", fmt.Errorf("encoding requestState: %w", err)
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("making a nonce: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, associated(purpose))), nil
}

// Open decrypts state sealed for purpose into v, or returns ErrInvalid.
func (s *Sealer) Open(purpose, state string, v any) error {
	// The decoder skips line breaks, even strictly; the sealer never
	// writes them, and state has one spelling only.
	if strings.ContainsAny(state, "\r\n") {
		return ErrInvalid
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(state)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return ErrInvalid
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], associated(purpose))
	if err != nil {
		return ErrInvalid
	}
	var sd sealed
	if json.Unmarshal(plain, &sd) != nil || s.now().UnixMilli() > sd.Expires {
		return ErrInvalid
	}
	if err := json.Unmarshal(sd.Data, v); err != nil {
		return ErrInvalid
	}
	return nil
}
