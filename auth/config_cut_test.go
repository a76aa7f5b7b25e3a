package auth

import (
	"strings"
	"testing"
)

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
