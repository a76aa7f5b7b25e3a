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
//	state, err := sealer.Seal("book_flight", pending, 10*time.Minute)  // into InputRequiredResult.RequestState
//	err = sealer.Open("book_flight", req.Params.RequestState, &pending) // on the next round
package requeststate

import (
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

// ParseKey decodes a key given as 64 hex digits or as base64 (standard or
// URL alphabet, padded or not) of KeySize bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if key, err := hex.DecodeString(s); err == nil {
			return key, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(s); err == nil {
			if len(key) != KeySize {
				return nil, fmt.Errorf("requestState key is %d bytes, want %d", len(key), KeySize)
			}
			return key, nil
		}
	}
	return nil, fmt.Errorf("requestState key is neither %d hex digits nor base64", 2*KeySize)
}

// sealed is what travels inside the ciphertext.
type sealed struct {
	Expires int64           `json:"exp"` // Unix seconds
	Data    json.RawMessage `json:"data"`
}

// Seal encrypts v (as JSON) for purpose, valid for ttl. purpose (a tool or
// prompt name, say) is bound as associated data, so state sealed for one
// call cannot be replayed against another.
func (s *Sealer) Seal(purpose string, v any, ttl time.Duration) (string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encoding requestState: %w", err)
	}
	plain, err := json.Marshal(sealed{Expires: s.now().Add(ttl).Unix(), Data: data})
	if err != nil {
		return "", fmt.Errorf("encoding requestState: %w", err)
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("making a nonce: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte(purpose))), nil
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
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], []byte(purpose))
	if err != nil {
		return ErrInvalid
	}
	var sd sealed
	if json.Unmarshal(plain, &sd) != nil || s.now().Unix() > sd.Expires {
		return ErrInvalid
	}
	if err := json.Unmarshal(sd.Data, v); err != nil {
		return ErrInvalid
	}
	return nil
}
