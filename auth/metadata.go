package auth

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/lambdamcp/lambdamcp/internal/corsheader"
	"github.com/lambdamcp/lambdamcp/internal/httpsyntax"
	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
)

// WellKnownPath is where RFC 9728 Protected Resource Metadata lives; the
// document for https://host/a/mcp is at
// https://host/.well-known/oauth-protected-resource/a/mcp.
const WellKnownPath = "/.well-known/oauth-protected-resource"

// MetadataURL returns the RFC 9728 metadata URL for a resource URL, by
// inserting the well-known path between the host and the path and query
// (section 3.1), which keep their encoding. Only a slash right after the
// host is removed (https://h/ and https://h/?t=a have theirs at the root
// form); a longer path keeps its trailing slash, so that https://h/mcp/
// has a URL of its own, whose document can name it as its resource.
func MetadataURL(resource string) (string, error) {
	u, err := url.Parse(resource)
	if err != nil {
		return "", err
	}
	path := u.EscapedPath()
	if path == "/" {
		path = ""
	}
	escaped := WellKnownPath + path
	if u.Path, err = url.PathUnescape(escaped); err != nil {
		return "", err
	}
	u.RawPath, u.Fragment = escaped, ""
	return u.String(), nil
}

// Metadata returns the RFC 9728 document for the options: resource,
// authorization servers, scopes and the one bearer method accepted (the
// Authorization header).
func (o *MiddlewareOptions) Metadata(resource string) *oauthex.ProtectedResourceMetadata {
	return &oauthex.ProtectedResourceMetadata{
		Resource:               resource,
		AuthorizationServers:   o.AuthorizationServers,
		ScopesSupported:        o.Scopes,
		BearerMethodsSupported: []string{"header"},
		ResourceName:           o.ResourceName,
	}
}

// hasMetadata reports whether the server has a metadata document: one must
// name an authorization server, and tokens none issues (static ones) have
// none. Without it, nothing is served under WellKnownPath and challenges
// point at nothing.
func (m *middleware) hasMetadata() bool {
	return len(m.opts.AuthorizationServers) > 0
}

// serveMetadata answers a request under WellKnownPath, with no
// authentication; a path naming no resource served here gets a JSON 404.
func (m *middleware) serveMetadata(w http.ResponseWriter, r *http.Request) {
	// Every answer here is public, its refusals too: a browser client
	// must read a 404 to go on to the root form, which it cannot tell from
	// a network error when the answer is not readable cross-origin.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	suffix := strings.TrimPrefix(r.URL.Path, WellKnownPath)
	resource, ok := m.resourceFor(r, suffix)
	if ok && !m.hasMetadata() {
		writeJSONError(w, http.StatusNotFound, "not_found", "no protected resource metadata: no authorization server issues this server's tokens")
		return
	}
	if !ok {
		writeJSONError(w, http.StatusNotFound, "not_found", "no protected resource metadata at this path")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions {
		w.Header().Set("Allow", "GET, HEAD, OPTIONS")
		writeJSONError(w, http.StatusMethodNotAllowed, "method_not_allowed", "metadata is read with GET")
		return
	}
	if r.Method == http.MethodOptions {
		// The go-sdk's handler allows only Content-Type in a preflight; a
		// browser client sends MCP-Protocol-Version on discovery too (the
		// TypeScript SDK does), which would fail the preflight.
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		h.Set("Access-Control-Allow-Headers", corsheader.AllowHeaders)
		h.Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if r.Method == http.MethodHead {
		r = r.Clone(r.Context())
		r.Method = http.MethodGet
	}
	// The go-sdk's handler already does what RFC 9728 section 3 asks of a
	// GET, with the open CORS policy public metadata wants (preflights are
	// answered above).
	sdkauth.ProtectedResourceMetadataHandler(m.opts.Metadata(resource)).ServeHTTP(w, r)
}

// resourceFor finds the resource whose metadata a well-known request asks
// for. With a configured resource URL the root form and the path-suffixed
// form both match, and so does the suffix without a leading stage segment,
// because API Gateway strips the stage before the function sees the path;
// a trailing slash makes no difference there, since clients differ on
// whether to drop one a resource's path ends with. Without one, the path
// after the well-known one is the resource's, its trailing slash too, as
// [MetadataURL] keeps it, and the root form is the host's own.
func (m *middleware) resourceFor(r *http.Request, suffix string) (string, bool) {
	suffix = strings.TrimSuffix(suffix, "/")
	if m.resource == nil {
		if suffix == "" {
			// The root form is the document of the resource at the
			// host's root (section 3.1), which a challenge there names:
			// an endpoint elsewhere is pointed at its path-suffixed form.
			return requestOrigin(r), true
		}
		// The resource as its challenge named it: encoded as sent. A
		// path under the well-known one only once decoded (an encoded
		// slash or letter in it) names no resource of this host.
		rest, ok := strings.CutPrefix(r.URL.EscapedPath(), WellKnownPath+"/")
		if !ok {
			return "", false
		}
		return requestOrigin(r) + "/" + rest, true
	}
	if suffix == "" {
		return m.resource.String(), true
	}
	path := strings.TrimSuffix(m.resource.Path, "/")
	if strings.HasSuffix(path, suffix) && (len(path) == len(suffix) || path[len(path)-len(suffix)] == '/') {
		return m.resource.String(), true
	}
	return "", false
}

// requestOrigin is scheme://host of the request as the client sent it,
// trusting X-Forwarded-Proto, which every AWS front end sets (read as
// [httpsyntax.ForwardedProto] reads it), and the URL scheme lambdamcp fills
// in from the event.
func requestOrigin(r *http.Request) string {
	scheme := "http"
	if r.URL.Scheme == "https" || r.TLS != nil {
		scheme = "https"
	}
	if p := httpsyntax.ForwardedProto(r.Header.Get("X-Forwarded-Proto")); p != "" {
		scheme = p
	}
	return scheme + "://" + r.Host
}
