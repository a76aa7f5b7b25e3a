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
// the first; the front knows none. testdata/deploy-cors.json holds what
// the stack makes of them, which deploy/stack's
// TestCORSMatchesLocalFront holds the stack to, so the two cannot drift
// apart.
var (
	stackCORSHeaders = []string{"Authorization", "Content-Type", "Accept", "Mcp-Session-Id", "MCP-Protocol-Version", "Mcp-Method", "Mcp-Name", "Last-Event-ID"}
	stackExposed     = []string{"WWW-Authenticate", "Mcp-Session-Id", "MCP-Protocol-Version", "Retry-After"}
	stackMethods     = []string{"GET", "POST", "DELETE", "OPTIONS"}
	stackMaxAge      = 60 * 60
)

// preflightResponse is the integration response of the stack's REST
// preflight methods: its status, its static headers, and the origins its
// response template puts in Access-Control-Allow-Origin, in place of the
// static one, when the request's Origin is one of them.
type preflightResponse struct {
	Status        string            `json:"status"`
	Headers       map[string]string `json:"headers"`
	EchoedOrigins []string          `json:"echoedOrigins"`
}

// deployPreflight is the preflight response the CDK's addCorsPreflight
// gives the stack's REST methods for its origins, nil for the stack's
// default: the first origin as the static one (with Vary: Origin unless
// it is *), the others echoed by the template.
func deployPreflight(origins []string) preflightResponse {
	if len(origins) == 0 {
		origins = []string{"*"}
	}
	p := preflightResponse{Status: strconv.Itoa(http.StatusNoContent), Headers: map[string]string{
		"Access-Control-Allow-Headers":  strings.Join(stackCORSHeaders, ","),
		"Access-Control-Allow-Origin":   origins[0],
		"Access-Control-Allow-Methods":  strings.Join(stackMethods, ","),
		"Access-Control-Max-Age":        strconv.Itoa(stackMaxAge),
		"Access-Control-Expose-Headers": strings.Join(stackExposed, ","),
	}}
	if origins[0] != "*" {
		p.Headers["Vary"] = "Origin"
	}
	if len(origins) > 1 {
		p.EchoedOrigins = origins[1:]
	}
	return p
}

// restPreflight answers, with Deploy, an OPTIONS of a path the stack
// routes as the stack's preflight method does, and reports whether it
// did: the CDK's addCorsPreflight makes it a MOCK integration without an
// authorizer, whose response carries the CORS headers of deployPreflight,
// the request's Origin in place of the static one when the template
// echoes it. It answers every OPTIONS so, preflight or not, since the
// method does not look.
func (f *Front) restPreflight(w http.ResponseWriter, req *request) bool {
	d := f.cfg.Deploy
	if d == nil || f.cfg.Shape != ShapeREST || req.r.Method != http.MethodOptions {
		return false
	}
	p := deployPreflight(d.CORSAllowOrigins)
	h := w.Header()
	for k, v := range p.Headers {
		h.Set(k, v)
	}
	if origin := req.r.Header.Get("Origin"); origin != "" && slices.Contains(p.EchoedOrigins, origin) {
		h.Set("Access-Control-Allow-Origin", origin)
	}
	status, _ := strconv.Atoi(p.Status) // deployPreflight writes a number
	w.WriteHeader(status)
	return true
}
