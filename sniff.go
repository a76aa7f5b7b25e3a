package lambdamcp

import "net/http"

// sniffLen is how much of a body http.DetectContentType reads.
const sniffLen = 512

// sniffs reports whether net/http's server would guess the type of an
// answer with this status and these headers (as the handler set them, before
// wireHeader) from its first bytes: where no Content-Type key is present,
// not even without a value, nor a Content-Encoding or Transfer-Encoding,
// and the status allows a body. The Lambda responses do as it does, so
// that a handler answers alike locally and on every shape (and a gateway
// adds no type of its own: a REST API's is application/json).
func sniffs(h http.Header, code int) bool {
	if _, typed := h["Content-Type"]; typed || !bodyAllowed(code) {
		return false // first: the common case costs one look-up
	}
	return h.Get("Transfer-Encoding") == "" && h.Get("Content-Encoding") == ""
}

// setSniffed gives h, gone through wireHeader, the type net/http's server
// guesses from first, the bytes of the body that went out first: those
// written before the first flush. It gives none to an empty first part, as
// net/http does, nor where the handler set the type under another
// spelling: net/http would send its guess after the handler's type, which
// a client reads first, and a shape holding one value per name would join
// the two into a type no client parses.
func setSniffed(h http.Header, first []byte) {
	if _, typed := h["Content-Type"]; typed || len(first) == 0 {
		return
	}
	h["Content-Type"] = []string{http.DetectContentType(first[:min(len(first), sniffLen)])}
}
