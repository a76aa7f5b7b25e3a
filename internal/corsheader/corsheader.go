// Package corsheader holds the CORS response headers an allowed browser
// origin gets, so that the answers of package auth and those lambdamcp's
// guard writes itself let such a page read them alike.
package corsheader

import (
	"net/http"
	"strings"
)

// Headers a browser client may send and read, per the streamable HTTP
// transport of both protocol eras. Retry-After is exposed for the 429s and
// 503s that carry it: a browser hides every header that is not CORS-
// safelisted or exposed.
const (
	AllowHeaders  = "Authorization, Content-Type, Accept, Mcp-Method, Mcp-Name, MCP-Protocol-Version, Mcp-Session-Id, Last-Event-ID"
	ExposeHeaders = "WWW-Authenticate, Mcp-Session-Id, MCP-Protocol-Version, Retry-After"
	AllowMethods  = "GET, POST, DELETE, OPTIONS"
)

// Allow adds to h the headers that let a page on origin, an Origin already
// allowed, read the answer. Called again on the same header it adds
// nothing more. It never allows credentials: a token travels in
// Authorization, which needs none.
func Allow(h http.Header, origin string) {
	h.Set("Access-Control-Allow-Origin", origin)
	if !varies(h, "Origin") {
		h.Add("Vary", "Origin")
	}
	h.Set("Access-Control-Expose-Headers", ExposeHeaders)
}

// varies reports whether h's Vary already names the request header name.
func varies(h http.Header, name string) bool {
	for _, line := range h.Values("Vary") {
		for v := range strings.SplitSeq(line, ",") {
			if strings.EqualFold(strings.TrimSpace(v), name) {
				return true
			}
		}
	}
	return false
}
