package auth

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// An issuer that is no http(s) URL (a URN) is checked in tokens, but is no
// OAuth issuer identifier a metadata document may name as its authorization
// server (RFC 9728 section 2, RFC 8414 section 2): it does not stand in for
// MCP_AUTHORIZATION_SERVERS, so no document names it and challenges point
// at none.
func TestConfigFromEnvIssuerNotURLPublishesNoMetadata(t *testing.T) {
	const urn = "urn:example:issuer"
	env := map[string]string{EnvJWTIssuer: urn, EnvJWTJWKSURL: "https://keys.example/jwks.json", EnvJWTAudience: "a",
		EnvResourceURL: "https://mcp.example.com/mcp"}
	c, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if len(c.AuthorizationServers) != 0 {
		t.Errorf("authorization servers %q, want none", c.AuthorizationServers)
	}
	h := staticMiddleware(t, c.MiddlewareOptions(nil))
	for _, path := range []string{WellKnownPath + "/mcp", "/mcp"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if strings.Contains(rec.Body.String(), urn) || strings.Contains(rec.Header().Get("WWW-Authenticate"), "resource_metadata") {
			t.Errorf("GET %s: %d %s %q, want no metadata naming %s and no challenge pointing at one", path, rec.Code, rec.Body, rec.Header().Get("WWW-Authenticate"), urn)
		}
	}
	// Set, the metadata URL would point at a document there is not.
	env[EnvResourceMetadataURL] = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
	if _, err := ConfigFromEnv(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), EnvJWTIssuer) {
		t.Errorf("metadata URL with an issuer that is no URL: %v, want an error naming %s", err, EnvJWTIssuer)
	}
}
