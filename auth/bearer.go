package auth

import (
	"errors"
	"strings"
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
	if len(header) > MaxHeaderBytes {
		return "", errors.Join(ErrInvalidToken, errors.New("authorization header too large"))
	}
	header = strings.TrimSpace(header)
	if header == "" {
		return "", errNoBearer
	}
	scheme, token, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", errNoBearer
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return "", errors.Join(ErrInvalidToken, errors.New("empty bearer token"))
	}
	if strings.ContainsAny(token, " \t") {
		return "", errors.Join(ErrInvalidToken, errors.New("malformed bearer token"))
	}
	return token, nil
}
