package runtimeapi

import (
	"net"
	"net/http"

	"github.com/lambdamcp/lambdamcp/internal/httpsyntax"
)

// fromBrowser reports whether r comes from a web page rather than the
// function's runtime. Events carry the callers' bearer tokens and cookies,
// and whoever asks for the next event gets one (and answers it): a page
// that reached the API through DNS rebinding (a Host of its own name) or
// sent a cross-site request to it (browsers mark those with Origin or
// Sec-Fetch-Site, which no runtime sends) must get nothing. The Host check
// applies on a loopback listener, where the runtime always names a
// loopback address.
func fromBrowser(r *http.Request) bool {
	if r.Header.Get("Origin") != "" || r.Header.Get("Sec-Fetch-Site") != "" {
		return true
	}
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	return ok && local != nil && Loopback(local.String()) && !Loopback(r.Host)
}

// Loopback reports whether hostport (with or without a port) names a
// loopback address or localhost.
func Loopback(hostport string) bool { return httpsyntax.Loopback(hostport) }
