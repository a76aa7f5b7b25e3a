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

// An issuer is matched exactly, in every token's iss and in the discovery
// document's issuer, and issuers write their scheme in lower case: with it
// in capitals the server would start and then refuse every token.
func TestConfigFromEnvIssuerSchemeInCapitals(t *testing.T) {
	for _, iss := range []string{"HTTPS://iss.example", "Https://iss.example/pool", "HTTP://127.0.0.1:9000"} {
		for _, jwks := range []string{"", "https://iss.example/jwks.json"} {
			env := map[string]string{EnvJWTIssuer: iss, EnvJWTJWKSURL: jwks, EnvJWTAudience: "a"}
			_, err := ConfigFromEnv(func(k string) string { return env[k] })
			if err == nil || !strings.Contains(err.Error(), EnvJWTIssuer) || !strings.Contains(err.Error(), "lower case") {
				t.Errorf("issuer %q, JWKS URL %q: %v, want an error naming %s and asking for its scheme in lower case", iss, jwks, err, EnvJWTIssuer)
			}
		}
	}
	// The same issuer written as issuers write it is taken.
	env := map[string]string{EnvJWTIssuer: "https://iss.example", EnvJWTAudience: "a"}
	if _, err := ConfigFromEnv(func(k string) string { return env[k] }); err != nil {
		t.Errorf("issuer in lower case: %v", err)
	}
}

// Given in code, such an issuer is refused too: no token would carry it.
func TestNewJWTVerifierIssuerSchemeInCapitals(t *testing.T) {
	_, err := NewJWTVerifier(JWTOptions{Issuer: "HTTPS://iss.example", JWKSURL: "https://iss.example/jwks.json", Audience: "a"})
	if err == nil || !strings.Contains(err.Error(), "lower case") {
		t.Errorf("issuer with its scheme in capitals: %v, want an error asking for it in lower case", err)
	}
	if _, err := NewJWTVerifier(JWTOptions{Issuer: "urn:Example:issuer", JWKSURL: "https://iss.example/jwks.json", Audience: "a"}); err != nil {
		t.Errorf("issuer that is a URN with capitals: %v", err)
	}
}

// An authorization server is named by its issuer identifier, which a
// client matches exactly against the issuer its metadata gives (RFC 8414
// section 3.3), and issuers write their scheme in lower case: published in
// capitals, every client's discovery would fail.
func TestConfigFromEnvAuthorizationServerSchemeInCapitals(t *testing.T) {
	for _, as := range []string{"HTTPS://iss.example", "https://a.example,Https://iss.example/pool"} {
		env := map[string]string{EnvTokenSHA256: strings.Repeat("ab", 32), EnvAuthorizationServers: as}
		_, err := ConfigFromEnv(func(k string) string { return env[k] })
		if err == nil || !strings.Contains(err.Error(), EnvAuthorizationServers) || !strings.Contains(err.Error(), "lower case") {
			t.Errorf("authorization servers %q: %v, want an error naming %s and asking for its scheme in lower case", as, err, EnvAuthorizationServers)
		}
	}
	env := map[string]string{EnvTokenSHA256: strings.Repeat("ab", 32), EnvAuthorizationServers: "https://iss.example"}
	if _, err := ConfigFromEnv(func(k string) string { return env[k] }); err != nil {
		t.Errorf("authorization server in lower case: %v", err)
	}
}

// The resource is matched exactly too: a client asks for tokens for the
// URL it uses, with the scheme in lower case as every URL parser gives it,
// and a JWT verifier given the resource in capitals would refuse each
// token whose aud names it. It is refused at start, without the password
// written before a scheme by mistake.
func TestConfigFromEnvResourceURLSchemeInCapitals(t *testing.T) {
	for _, resource := range []string{"HTTPS://mcp.example.com/mcp", "Https://mcp.example.com/mcp", "HTTP://127.0.0.1:9000/mcp", "u:S3cret@HTTPS://mcp.example.com/mcp"} {
		env := map[string]string{EnvTokenSHA256: strings.Repeat("ab", 32), EnvResourceURL: resource}
		_, err := ConfigFromEnv(func(k string) string { return env[k] })
		if err == nil || !strings.Contains(err.Error(), EnvResourceURL) || strings.Contains(err.Error(), "S3cret") {
			t.Errorf("resource URL %q: %v, want an error naming %s without the password", resource, err, EnvResourceURL)
		} else if strings.HasPrefix(resource, "H") && !strings.Contains(err.Error(), "lower case") {
			t.Errorf("resource URL %q: %v, want an error asking for its scheme in lower case", resource, err)
		}
	}
	env := map[string]string{EnvTokenSHA256: strings.Repeat("ab", 32), EnvResourceURL: "https://mcp.example.com/mcp"}
	if _, err := ConfigFromEnv(func(k string) string { return env[k] }); err != nil {
		t.Errorf("resource URL in lower case: %v", err)
	}
}

// Given in code, as a JWTOptions.Resource or a Config's ResourceURL, such a
// resource is refused too: no token's aud would name it.
func TestNewJWTVerifierResourceSchemeInCapitals(t *testing.T) {
	opts := JWTOptions{Issuer: "https://iss.example", JWKSURL: "https://iss.example/jwks.json", Audience: "client", AudienceClaim: "client_id",
		Resource: "HTTPS://mcp.example.com/mcp"}
	if _, err := NewJWTVerifier(opts); err == nil || !strings.Contains(err.Error(), "lower case") {
		t.Errorf("resource with its scheme in capitals: %v, want an error asking for it in lower case", err)
	}
	c := Config{JWT: &JWTOptions{Issuer: opts.Issuer, JWKSURL: opts.JWKSURL, Audience: "a"}, ResourceURL: opts.Resource}
	if _, err := c.Verifier(nil); err == nil || !strings.Contains(err.Error(), "lower case") {
		t.Errorf("Config with a resource URL whose scheme is in capitals: %v, want an error asking for it in lower case", err)
	}
	opts.Resource = "https://mcp.example.com/mcp"
	if _, err := NewJWTVerifier(opts); err != nil {
		t.Errorf("resource in lower case: %v", err)
	}
}
