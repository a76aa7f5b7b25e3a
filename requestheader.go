package lambdamcp

import "net/http"

// The header checks below hold an event's request to what net/http
// accepts of a client's, so that a request is answered alike on Lambda
// and off it: net/http refuses the request before any handler runs, and
// lambdamcp has the guard refuse it (eventError), in JSON.

// errBadHeaderName marks an event with a header name that is no RFC 9110
// token, which net/http refuses with 400.
type errBadHeaderName struct{}

func (errBadHeaderName) Error() string { return "request has a header name that is no token" }

// errBadHeaderValue marks an event with a header value holding a control
// character other than HTAB (NUL, CR, LF, DEL…), which net/http refuses
// with 400: a handler that copies the value into a header or a log line
// of its own would carry the line break on.
type errBadHeaderValue struct{}

func (errBadHeaderValue) Error() string { return "request has a header value with a control character" }

// checkHeaderFields reports the first name or value of h that net/http
// would refuse in a request it reads. It allocates nothing.
func checkHeaderFields(h http.Header) error {
	for k, vs := range h {
		if !isToken(k) {
			return errBadHeaderName{}
		}
		for _, v := range vs {
			if !validFieldValue(v) {
				return errBadHeaderValue{}
			}
		}
	}
	return nil
}

// validFieldValue reports whether v holds no control character but HTAB;
// obs-text (bytes from 0x80) is allowed, as net/http allows it.
func validFieldValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
