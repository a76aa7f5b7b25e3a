package mrtr

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// KeySize is the size of a requestState key: AES-256.
const KeySize = 32

// ErrBadState is what Open says about a requestState it did not seal for
// this purpose: forged, altered, expired or minted for another call.
var ErrBadState = errors.New("requestState is not valid for this request")

// Sealer seals requestState with AES-256-GCM, so the client that carries it
// between rounds can neither read nor change it. Every instance serving an
// endpoint must share the key: the next round may reach another execution
// environment.
type Sealer struct {
	aead cipher.AEAD
	now  func() time.Time
}

// NewSealer returns a Sealer for a KeySize-byte key.
func NewSealer(key []byte) (*Sealer, error) {
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

// sealed is what travels inside the ciphertext.
type sealed struct {
	Expires int64           `json:"exp"` // Unix seconds
	Data    json.RawMessage `json:"data"`
}

// Seal encrypts v (as JSON) for purpose, valid for ttl. purpose is bound as
// associated data: state sealed for one call cannot be replayed against
// another.
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

// Open decrypts state sealed for purpose into v, or returns ErrBadState.
func (s *Sealer) Open(purpose, state string, v any) error {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(state)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return ErrBadState
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], []byte(purpose))
	if err != nil {
		return ErrBadState
	}
	var sd sealed
	if json.Unmarshal(plain, &sd) != nil || s.now().Unix() > sd.Expires {
		return ErrBadState
	}
	if err := json.Unmarshal(sd.Data, v); err != nil {
		return ErrBadState
	}
	return nil
}
