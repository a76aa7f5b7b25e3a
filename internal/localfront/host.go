package localfront

import (
	"net"
	"net/http"

	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// foreignHost refuses a request whose Host names something other than the
// front, when the front listens on a loopback address. An AWS front only
// answers for its own domain names, so a function there never sees a request
// addressed to another host; locally, refusing it is also the defence against
// DNS rebinding that the MCP transport asks of local servers.
func foreignHost(r *http.Request) *gatewayError {
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok || local == nil || !runtimeapi.Loopback(local.String()) || runtimeapi.Loopback(r.Host) {
		return nil
	}
	// No API is chosen for a name that is not one: none of an API's
	// Gateway Responses apply.
	return &gatewayError{status: http.StatusForbidden, message: "Forbidden", domain: true}
}
