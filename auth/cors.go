package auth

import (
	"net/http"
	"slices"
	"strings"
)

// Headers a browser client may send and read, per the streamable HTTP
// transport of both protocol eras.
var (
	corsAllowHeaders  = "Authorization, Content-Type, Accept, Mcp-Method, Mcp-Name, MCP-Protocol-Version, Mcp-Session-Id, Last-Event-ID"
	corsExposeHeaders = "WWW-Authenticate, Mcp-Session-Id, MCP-Protocol-Version"
	corsAllowMethods  = "GET, POST, DELETE, OPTIONS"
)

// originAllowed reports whether a present Origin may call: a page on another
// origin must not reach the server through the user's browser. Allowed are
// the configured origins and the resource's own origin; without a configured
// resource URL, the origin the request itself names (its Host). That last
// fallback cannot tell a DNS-rebinding page from the server's own, so it is
// only used when nothing better is known: locally the go-sdk refuses
// non-loopback Host headers, and behind a gateway the Host is the gateway's.
func (m *middleware) originAllowed(r *http.Request, origin string) bool {
	if slices.Contains(m.opts.AllowedOrigins, "*") {
		return true
	}
	origin = strings.TrimSuffix(origin, "/")
	if slices.ContainsFunc(m.opts.AllowedOrigins, func(o string) bool {
		return strings.EqualFold(strings.TrimSuffix(o, "/"), origin)
	}) {
		return true
	}
	if m.resource != nil {
		return strings.EqualFold(m.resource.Scheme+"://"+m.resource.Host, origin)
	}
	return strings.EqualFold(requestOrigin(r), origin)
}

// cors adds the response headers for an allowed origin and answers a
// preflight, reporting whether it did.
func cors(w http.ResponseWriter, r *http.Request, origin string) (answered bool) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	h.Set("Access-Control-Allow-Methods", corsAllowMethods)
	h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return true
}
