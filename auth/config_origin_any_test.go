package auth

import (
	"strings"
	"testing"
)

// TestConfigFromEnvAnyOriginAlone checks that MCP_ALLOWED_ORIGINS gives *
// alone: beside origins it would allow every page, and the origins named
// would narrow nothing, which the person listing them did not mean. * given
// twice is still any origin.
func TestConfigFromEnvAnyOriginAlone(t *testing.T) {
	for _, origins := range []string{"*, https://app.example.com", "https://app.example.com,*", "https://u:s3cret@app.example.com, *"} {
		_, err := ConfigFromEnv(func(k string) string {
			return map[string]string{EnvTokenSHA256: HashToken("t"), EnvAllowedOrigins: origins}[k]
		})
		if err == nil {
			t.Errorf("%s=%q: no error, want one saying to give * alone", EnvAllowedOrigins, origins)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, EnvAllowedOrigins) || !strings.Contains(msg, "* alone") || strings.Contains(msg, "s3cret") {
			t.Errorf("%s=%q: error %q, want one naming the variable and saying to give * alone, without the password", EnvAllowedOrigins, origins, msg)
		}
	}
	for _, origins := range []string{"*", " * ", "*,*"} {
		c, err := ConfigFromEnv(func(k string) string { return map[string]string{EnvAllowedOrigins: origins}[k] })
		if err != nil || len(c.AllowedOrigins) == 0 || c.AllowedOrigins[0] != "*" {
			t.Errorf("%s=%q: %v, %v; want any origin", EnvAllowedOrigins, origins, c.AllowedOrigins, err)
		}
	}
}
