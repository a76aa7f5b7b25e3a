package auth

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/oauthex"
)

// An endpoint at the host's root, its URL derived from the request: the
// challenge can only point at the root form (RFC 9728 section 3.1), which
// must then be served, naming the host as the resource. A request's path
// is "/" whether the client wrote the slash or not (RFC 3986 section
// 6.2.3); the resource is named without it, as the MCP spec advises.
func TestDerivedRootEndpointHasMetadata(t *testing.T) {
	h := staticMiddleware(t, &MiddlewareOptions{AuthorizationServers: []string{"https://issuer.example.com"}})
	const resource = "https://fn.lambda-url.test"
	const rootForm = resource + "/.well-known/oauth-protected-resource"
	for _, endpoint := range []string{resource, resource + "/"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", endpoint, nil))
		challenges, err := oauthex.ParseWWWAuthenticate(rec.Header().Values("WWW-Authenticate"))
		if rec.Code != http.StatusUnauthorized || err != nil || len(challenges) != 1 {
			t.Fatalf("POST %s: got %d %q (%v), want 401 with one challenge", endpoint, rec.Code, rec.Header().Values("WWW-Authenticate"), err)
		}
		if meta := challenges[0].Params["resource_metadata"]; meta != rootForm {
			t.Errorf("POST %s: resource_metadata %q, want %q", endpoint, meta, rootForm)
		}
	}
	// The go-sdk client builds the path-suffixed form of a root endpoint
	// with a trailing slash.
	for _, u := range []string{rootForm, rootForm + "/"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", u, nil))
		got := new(oauthex.ProtectedResourceMetadata)
		if err := json.Unmarshal(rec.Body.Bytes(), got); rec.Code != http.StatusOK || err != nil {
			t.Fatalf("GET %s: %d %s (%v), want the document the challenge points at", u, rec.Code, rec.Body, err)
		}
		if got.Resource != resource {
			t.Errorf("GET %s: resource %q, want %q", u, got.Resource, resource)
		}
	}
}
