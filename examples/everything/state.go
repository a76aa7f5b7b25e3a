package everything

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// errBadState is returned for a requestState this server did not seal for the
// request at hand: forged, altered, or minted for another tool.
var errBadState = errors.New("requestState failed its integrity check")

// stateSealer seals the requestState of input-required results with
// AES-256-GCM. A stateless server keeps nothing between rounds, so whatever it
// needs later travels through the client, encrypted and authenticated.
type stateSealer struct {
	aead  cipher.AEAD
	nonce io.Reader // source of nonces; tests make it repeatable
}

func newStateSealer(key []byte) (*stateSealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("state key is %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &stateSealer{aead: aead, nonce: rand.Reader}, nil
}

// seal encodes v as JSON and encrypts it, bound to purpose (the tool or prompt
// name) so state minted for one cannot be replayed against another.
func (s *stateSealer) seal(purpose string, v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encoding state: %w", err)
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := io.ReadFull(s.nonce, nonce); err != nil {
		return "", fmt.Errorf("making a nonce: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte(purpose))), nil
}

// open reverses seal into v, or returns errBadState.
func (s *stateSealer) open(purpose, state string, v any) error {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(state)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return errBadState
	}
	nonce, sealed := raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():]
	plain, err := s.aead.Open(nil, nonce, sealed, []byte(purpose))
	if err != nil {
		return errBadState
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return errBadState
	}
	return nil
}
