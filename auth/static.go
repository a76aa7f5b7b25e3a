package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// HashToken returns the lowercase hex SHA-256 hash of token, the form in
// which static tokens are configured (MCP_AUTH_TOKEN_SHA256).
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// StaticVerifier accepts bearer tokens whose SHA-256 hash is configured. The
// tokens themselves never appear in configuration.
type StaticVerifier struct {
	hashes [][sha256.Size]byte
	scopes []string
}

// StaticOptions configures a [StaticVerifier].
type StaticOptions struct {
	// Scopes are granted to every holder of a static token. Nil grants none,
	// so a server that requires scopes rejects static tokens with 403.
	Scopes []string
}

// NewStaticVerifier returns a verifier accepting the tokens whose hex
// SHA-256 hashes are given. It fails on a hash that is not 64 hex digits,
// and on an empty list, which would lock everyone out without saying so.
func NewStaticVerifier(hashes []string, opts *StaticOptions) (*StaticVerifier, error) {
	if len(hashes) == 0 {
		return nil, fmt.Errorf("static tokens: no hashes configured")
	}
	v := &StaticVerifier{}
	for i, h := range hashes {
		h = strings.TrimSpace(h)
		b, err := hex.DecodeString(h)
		if err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("static tokens: hash %d is not a hex SHA-256 hash (64 hex digits)", i+1)
		}
		v.hashes = append(v.hashes, [sha256.Size]byte(b))
	}
	if opts != nil {
		v.scopes = slices.Clone(opts.Scopes)
	}
	return v, nil
}

// Verify implements [Verifier]. Every configured hash is compared in constant
// time, so the answer's timing says nothing about which hash came close.
func (v *StaticVerifier) Verify(_ context.Context, token string) (*Identity, error) {
	if token == "" {
		return nil, fmt.Errorf("%w: empty token", ErrInvalidToken)
	}
	sum := sha256.Sum256([]byte(token))
	match := -1
	for i := range v.hashes {
		if subtle.ConstantTimeCompare(sum[:], v.hashes[i][:]) == 1 {
			match = i
		}
	}
	if match < 0 {
		return nil, fmt.Errorf("%w: unknown static token", ErrInvalidToken)
	}
	return &Identity{
		// The hash prefix names the token without revealing it, so logs and
		// tools can tell static callers apart.
		Subject: "static:" + hex.EncodeToString(v.hashes[match][:6]),
		Scopes:  slices.Clone(v.scopes),
		Method:  "static",
	}, nil
}
