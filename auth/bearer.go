package auth

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// MaxHeaderBytes bounds the Authorization header the entry points read.
const MaxHeaderBytes = 8 << 10

// errNoBearer reports a header that carries no bearer credentials at all;
// RFC 6750 section 3.1 answers it with a challenge but no error code.
var errNoBearer = errors.New("no bearer token")

// BearerToken extracts the token from an Authorization header value. The
// scheme is matched case-insensitively (RFC 7235 section 2.1). A missing
// header or another scheme yields an error that does not wrap
// [ErrInvalidToken]; a bearer header with an empty, malformed or oversized
// token yields one that does.
func BearerToken(header string) (string, error) {
	size := len(header)
	header = strings.TrimSpace(header)
	if header == "" {
		return "", errNoBearer
	}
	scheme, token, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", errNoBearer
	}
	if size > MaxHeaderBytes {
		return "", fmt.Errorf("%w: authorization header too large", ErrInvalidToken)
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return "", fmt.Errorf("%w: empty bearer token", ErrInvalidToken)
	}
	// Any space inside, not only " " and "\t": a token has none (RFC 6750
	// section 2.1), and the go-sdk, which reads the header again after
	// [Middleware], splits it at every Unicode space, so that a token a
	// verifier accepted (a JWT with a line break inside, which jwx reads
	// past) would be refused there with a plain-text 401 and no challenge.
	if strings.ContainsFunc(token, unicode.IsSpace) {
		return "", fmt.Errorf("%w: malformed bearer token", ErrInvalidToken)
	}
	return token, nil
}
