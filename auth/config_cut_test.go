package auth

import (
	"strings"
	"testing"
)

// A value ConfigFromEnv refuses is quoted cut, and escaped, in its error:
// a variable of any size, or one holding controls, makes one short line
// that names it, not the value again.
func TestConfigFromEnvRefusalCut(t *testing.T) {
	long := strings.Repeat("x", 10_000)
	hash := HashToken("t")
	tests := []struct {
		name, key string
		env       map[string]string
	}{
		{"origin with a path", EnvAllowedOrigins, map[string]string{EnvTokenSHA256: hash, EnvAllowedOrigins: "https://a\x1b[31m/" + long}},
		{"origin pattern", EnvAllowedOrigins, map[string]string{EnvTokenSHA256: hash, EnvAllowedOrigins: "https://*.a" + long}},
		{"origin in Unicode", EnvAllowedOrigins, map[string]string{EnvTokenSHA256: hash, EnvAllowedOrigins: "https://\u00e9\u202e" + long}},
		{"resource URL with a fragment", EnvResourceURL, map[string]string{EnvTokenSHA256: hash, EnvResourceURL: "https://a/\u202e" + long + "#f"}},
		{"resource URL with white space", EnvResourceURL, map[string]string{EnvTokenSHA256: hash, EnvResourceURL: "https://a/" + long + " x"}},
		{"resource URL of another scheme", EnvResourceURL, map[string]string{EnvTokenSHA256: hash, EnvResourceURL: "ftp://a/" + long}},
		{"resource URL with a user", EnvResourceURL, map[string]string{EnvTokenSHA256: hash, EnvResourceURL: "https://u@a/" + long}},
		{"resource URL that does not parse", EnvResourceURL, map[string]string{EnvTokenSHA256: hash, EnvResourceURL: "https://a:" + long + "/mcp"}},
		{"authorization server that does not parse", EnvAuthorizationServers, map[string]string{EnvTokenSHA256: hash, EnvAuthorizationServers: "https://a/" + long + "%zz"}},
		{"issuer standing in", EnvJWTIssuer, map[string]string{EnvTokenSHA256: hash, EnvJWTIssuer: "https://a/" + long + " x", EnvJWTJWKSURL: "https://iss/jwks.json", EnvJWTAudience: "a"}},
		{"issuer of white space", EnvJWTIssuer, map[string]string{EnvTokenSHA256: hash, EnvJWTIssuer: strings.Repeat(" \t", 5_000)}},
		{"token hashes of commas", EnvTokenSHA256, map[string]string{EnvTokenSHA256: strings.Repeat(" ,", 5_000)}},
		{"from authorizer", EnvFromAuthorizer, map[string]string{EnvFromAuthorizer: "yes\x1b[2J" + long}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ConfigFromEnv(func(k string) string { return tc.env[k] })
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if len(msg) > 1200 || !strings.Contains(msg, "…") || !strings.Contains(msg, tc.key) || strings.ContainsAny(msg, "\x1b\u202e") {
				t.Errorf("error of %d bytes, %.300q; want it naming %s, cut (…) under 1200 bytes, controls escaped", len(msg), msg, tc.key)
			}
		})
	}
}

// MCP_JWT_AUDIENCE_CLAIM is named in the error that asks for a required
// scope beside it quoted, escaped and cut, as other values are: written
// raw, a claim holding a terminal's controls would act on the terminal
// that shows the error.
func TestConfigFromEnvAudienceClaimQuoted(t *testing.T) {
	env := map[string]string{EnvJWTIssuer: "urn:iss", EnvJWTJWKSURL: "https://iss/jwks.json", EnvJWTAudience: "a",
		EnvJWTAudienceClaim: "client_id\x1b[2J\u202e" + strings.Repeat("x", 10_000)}
	_, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	if !strings.Contains(msg, EnvJWTAudienceClaim+`="client_id\x1b[2J\u202exxx`) || len(msg) > 600 || !strings.Contains(msg, "…") {
		t.Errorf("error of %d bytes, %.300q; want the claim quoted, escaped and cut (…)", len(msg), msg)
	}
}

// A JWKS URL refused is quoted cut, as the URLs ConfigFromEnv refuses
// are, and so is the one the key cache's log lines name.
func TestJWKSURLQuotedCut(t *testing.T) {
	for _, u := range []string{"http://keys.example/" + strings.Repeat("x", 10_000), "ftp://keys.example/" + strings.Repeat("\u00e9", 5_000)} {
		_, err := NewJWTVerifier(JWTOptions{Issuer: "urn:iss", Audience: "a", JWKSURL: u})
		if err == nil {
			t.Fatalf("%.30q… accepted", u)
		}
		if msg := err.Error(); len(msg) > 1200 || !strings.Contains(msg, "…") {
			t.Errorf("error of %d bytes, %.300q; want it cut (…) under 1200 bytes", len(msg), msg)
		}
	}
}

// A JWKS URL refused at start-up is named by its variable, as the token
// hashes are: the operator who set it reads which one to change.
func TestConfigVerifierNamesJWKSURL(t *testing.T) {
	env := map[string]string{EnvJWTIssuer: "https://iss", EnvJWTJWKSURL: "http://keys.example/jwks.json", EnvJWTAudience: "a"}
	c, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Verifier(nil); err == nil || !strings.HasPrefix(err.Error(), EnvJWTJWKSURL+": ") || !strings.Contains(err.Error(), "http://keys.example/jwks.json") {
		t.Errorf("Verifier = %v, want an error naming %s and the URL", err, EnvJWTJWKSURL)
	}
}

// A URL or an origin whose port is beyond TCP's (1 to 65535) is refused
// at start-up, as one of another scheme is: the parser takes any digits,
// and the metadata would name a resource no client can reach, or the
// origin would match no browser's Origin.
func TestConfigFromEnvRefusesPortOutOfRange(t *testing.T) {
	for _, tc := range []struct{ key, value string }{
		{EnvResourceURL, "https://mcp.example.com:99999/mcp"},
		{EnvResourceURL, "https://mcp.example.com:0/mcp"},
		{EnvResourceMetadataURL, "https://mcp.example.com:18446744073709551617/.well-known/oauth-protected-resource/mcp"},
		{EnvAuthorizationServers, "https://iss.example:65536"},
		{EnvAllowedOrigins, "https://app.example:99999"},
		{EnvAllowedOrigins, "http://[::1]:0"},
	} {
		env := map[string]string{EnvJWTIssuer: "https://iss.example", EnvJWTJWKSURL: "https://iss.example/jwks.json", EnvJWTAudience: "a", tc.key: tc.value}
		_, err := ConfigFromEnv(func(k string) string { return env[k] })
		if err == nil || !strings.Contains(err.Error(), tc.key) || !strings.Contains(err.Error(), "port") {
			t.Errorf("%s=%s: ConfigFromEnv = %v, want an error naming it and the port", tc.key, tc.value, err)
		}
	}
	for _, tc := range []struct{ key, value string }{
		{EnvResourceURL, "https://mcp.example.com:65535/mcp"},
		{EnvResourceURL, "http://127.0.0.1:1/mcp"},
		{EnvAllowedOrigins, "http://localhost:5173"},
		{EnvAllowedOrigins, "https://app.example"},
	} {
		env := map[string]string{EnvJWTIssuer: "https://iss.example", EnvJWTJWKSURL: "https://iss.example/jwks.json", EnvJWTAudience: "a", tc.key: tc.value}
		if _, err := ConfigFromEnv(func(k string) string { return env[k] }); err != nil {
			t.Errorf("%s=%s refused: %v", tc.key, tc.value, err)
		}
	}
}

// A URL refused for its port is not shown when it holds an @, as other
// URLs refused are not: it may mark a password.
func TestConfigFromEnvPortOutOfRangeHidesPassword(t *testing.T) {
	env := map[string]string{EnvTokenSHA256: HashToken("t"), EnvResourceURL: "https://mcp.example.com:99999/u:s3cret@x/mcp"}
	_, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), `port "99999"`) || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("ConfigFromEnv = %v, want an error naming the port without the password", err)
	}
}

// Only the JWKS URL's refusal is named by its variable: a Config built in
// code may hold what the environment never sets (an algorithm, no
// issuer), and an error naming MCP_JWT_JWKS_URL would send its author to
// the wrong setting.
func TestConfigVerifierNamesJWKSURLOnlyForIt(t *testing.T) {
	for _, opts := range []JWTOptions{
		{Issuer: "https://iss", JWKSURL: "https://keys.example/jwks.json", Audience: "a", Algorithms: []string{"HS256"}},
		{Issuer: "https://iss", JWKSURL: "https://keys.example/jwks.json", Audience: "a", Algorithms: []string{"XX999"}},
		{JWKSURL: "https://keys.example/jwks.json", Audience: "a"},
		{Issuer: "https://iss", JWKSURL: "http://keys.example/jwks.json"},
	} {
		_, err := Config{JWT: &opts}.Verifier(nil)
		if err == nil || strings.Contains(err.Error(), EnvJWTJWKSURL) {
			t.Errorf("Verifier(%+v) = %v, want an error that does not name %s", opts, err, EnvJWTJWKSURL)
		}
	}
}

// An origin refused without being shown (it holds an @) is numbered by
// its place in MCP_ALLOWED_ORIGINS as written, empty entries counted: the
// third entry of a,,b is origin 3.
func TestConfigFromEnvOriginNumberedAsWritten(t *testing.T) {
	for _, tc := range []struct{ value, want string }{
		{"https://a.example,https://u:s3cret@b.example", "origin 2 "},
		{"https://a.example,,https://u:s3cret@b.example", "origin 3 "},
		{",https://u:s3cret@b.example", "origin 2 "},
		{"https://a.example, ,https://u:s3cret@b.example/x", "origin 3 "},
	} {
		env := map[string]string{EnvTokenSHA256: HashToken("t"), EnvAllowedOrigins: tc.value}
		_, err := ConfigFromEnv(func(k string) string { return env[k] })
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s=%s: ConfigFromEnv = %v, want an error naming %q without the password", EnvAllowedOrigins, tc.value, err, tc.want)
		}
	}
}
