package auth

import (
	"net/http"
	"slices"
	"strings"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/corsheader"
	"github.com/lambdamcp/lambdamcp/internal/httpsyntax"
)

// originAllowed reports whether a present Origin may call: a page on another
// origin must not reach the server through the user's browser. Allowed are
// the configured origins and the resource's own origin; without a configured
// resource URL, the origin the request itself names (its Host). That last
// fallback cannot tell a DNS-rebinding page from the server's own, so it is
// only used when nothing better is known: locally the go-sdk refuses
// non-loopback Host headers, and behind a gateway or a Function URL the
// Host is one that routes to it. Not behind an ALB, which passes on any
// Host the client sent: there only the allowed origins are, and a loopback
// Host's own origin (a page from this machine, before the local front's
// ALB; a name rebound to the load balancer is none).
func (m *middleware) originAllowed(r *http.Request, origin string) bool {
	if slices.Contains(m.opts.AllowedOrigins, "*") {
		return true
	}
	origin = httpsyntax.SerializedOrigin(origin)
	if slices.ContainsFunc(m.opts.AllowedOrigins, func(o string) bool {
		return httpsyntax.SerializedOrigin(o) == origin
	}) {
		return true
	}
	if m.resource != nil {
		return httpsyntax.SerializedOrigin(m.resource.Scheme+"://"+m.resource.Host) == origin
	}
	if m.opts.ResourceURL != "" {
		// A resource URL names the server's origin; one that names none
		// (it does not parse, or is relative) leaves only the allowed
		// origins, rather than the request's Host, which a page whose
		// name was rebound to this server names too.
		return false
	}
	if lambdamcp.EventShape(r.Context()) == lambdamcp.ShapeALB && !httpsyntax.Loopback(r.Host) {
		return false
	}
	return httpsyntax.SerializedOrigin(requestOrigin(r)) == origin
}

// cors adds the response headers for an allowed origin and answers a
// preflight, reporting whether it did.
func cors(w http.ResponseWriter, r *http.Request, origin string) (answered bool) {
	h := w.Header()
	corsheader.Allow(h, origin)
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	h.Set("Access-Control-Allow-Methods", corsheader.AllowMethods)
	h.Set("Access-Control-Allow-Headers", corsheader.AllowHeaders+paramHeaders(r.Header.Values("Access-Control-Request-Headers")))
	h.Add("Vary", "Access-Control-Request-Headers") // the answer names what was asked for
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return true
}

// paramHeaders lists, each after ", ", the Mcp-Param-{name} headers a
// preflight asks for: 2026-07-28 clients mirror the arguments a tool marks
// with x-mcp-header into them, under names only the server's tools know.
// Only names that are HTTP tokens are listed.
func paramHeaders(requested []string) string {
	var b strings.Builder
	for _, line := range requested {
		for name := range strings.SplitSeq(line, ",") {
			name = strings.TrimSpace(name)
			if len(name) > len("mcp-param-") && strings.EqualFold(name[:len("mcp-param-")], "mcp-param-") && httpsyntax.IsToken(name) {
				b.WriteString(", ")
				b.WriteString(name)
			}
		}
	}
	return b.String()
}
