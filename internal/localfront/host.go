package localfront

import (
	"net"
	"net/http"
	"strings"
)

// foreignHost refuses a request whose Host names something other than the
// front, when the front listens on a loopback address. An AWS front only
// answers for its own domain names, so a function there never sees a request
// addressed to another host; locally, refusing it is also the defence against
// DNS rebinding that the MCP transport asks of local servers.
func foreignHost(r *http.Request) *gatewayError {
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok || local == nil || !isLoopback(local.String()) || isLoopback(r.Host) {
		return nil
	}
	return &gatewayError{status: http.StatusForbidden, message: "Forbidden"}
}

// isLoopback reports whether hostport (with or without a port) names a
// loopback address or localhost.
func isLoopback(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
