package localfront

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The deploy stack's CORS settings (deploy/stack/stack.go, the
// preflights in rest.go and http.go): the headers an MCP client sends and
// reads, the methods, and an hour's cache. The stack's corsHeaders add to
// the first; the front knows none.
var (
	stackCORSHeaders = []string{"Authorization", "Content-Type", "Accept", "Mcp-Session-Id", "MCP-Protocol-Version", "Mcp-Method", "Mcp-Name", "Last-Event-ID"}
	stackExposed     = []string{"WWW-Authenticate", "Mcp-Session-Id", "MCP-Protocol-Version", "Retry-After"}
	stackMethods     = []string{"GET", "POST", "DELETE", "OPTIONS"}
	stackMaxAge      = strconv.Itoa(60 * 60)
)

// restPreflight answers, with Deploy, an OPTIONS of a path the stack
// routes as the stack's preflight method does, and reports whether it
// did: the CDK's addCorsPreflight makes it a MOCK integration without an
// authorizer, whose 204 carries the CORS headers as static values: the
// first origin (with Vary: Origin unless it is *), or the request's Origin
// when it is one of the others, which the method's response template
// puts in its place. It answers every OPTIONS so, preflight or not, since
// the method does not look.
func (f *Front) restPreflight(w http.ResponseWriter, req *request) bool {
	d := f.cfg.Deploy
	if d == nil || f.cfg.Shape != ShapeREST || req.r.Method != http.MethodOptions {
		return false
	}
	origins := d.CORSAllowOrigins
	if len(origins) == 0 {
		origins = []string{"*"}
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Headers", strings.Join(stackCORSHeaders, ","))
	h.Set("Access-Control-Allow-Origin", origins[0])
	if origin := req.r.Header.Get("Origin"); origin != "" && slices.Contains(origins[1:], origin) {
		h.Set("Access-Control-Allow-Origin", origin)
	}
	if origins[0] != "*" {
		h.Set("Vary", "Origin")
	}
	h.Set("Access-Control-Allow-Methods", strings.Join(stackMethods, ","))
	h.Set("Access-Control-Max-Age", stackMaxAge)
	h.Set("Access-Control-Expose-Headers", strings.Join(stackExposed, ","))
	w.WriteHeader(http.StatusNoContent)
	return true
}
