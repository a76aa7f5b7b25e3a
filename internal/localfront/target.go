package localfront

import (
	"net/http"
	"strings"
)

// badTargetMessage is the refusal's message for a request whose target is
// no path.
const badTargetMessage = "Bad Request: the request target is not a path"

// withPath is r with the path "/" when its target is in absolute-form
// without one (GET http://host): an empty path is "/" (RFC 9110 §4.2.3),
// and every event names one.
func withPath(r *http.Request) *http.Request {
	if r.URL.Path != "" || r.URL.Opaque != "" || r.URL.Scheme == "" || r.URL.Host == "" || r.Method == http.MethodConnect {
		return r
	}
	u := *r.URL
	u.Path = "/"
	r2 := r.WithContext(r.Context())
	r2.URL = &u
	return r2
}

// badTarget refuses a request whose target is no path: the asterisk-form
// (OPTIONS *, or * with any other method), the authority-form
// (CONNECT host:443), and what net/http takes as an opaque URL
// (GET host:443). No AWS front hands such a request to a function, whose
// event would carry an empty or odd path; the front refuses it before
// routing, the authorizer and the function, for every shape, as net/http's
// own ServeMux answers * with 400.
func badTarget(r *http.Request) *gatewayError {
	if r.URL.Opaque == "" && strings.HasPrefix(r.URL.Path, "/") {
		return nil
	}
	return &gatewayError{status: http.StatusBadRequest, message: badTargetMessage}
}
