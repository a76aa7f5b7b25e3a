package auth

import (
	"strings"
	"testing"
)

// An allowed origin holding a user and password is refused without
// quoting it: the error reaches the log, and the password with it. The
// entry is named by its place in the list.
func TestConfigFromEnvOriginWithPasswordNotShown(t *testing.T) {
	for _, origins := range []string{
		"https://app.example.com, https://user:s3cret@app.example.com",
		"https://app.example.com, https://user:s3cret@app.example.com/ui",
		"https://app.example.com, https://s3cret@app.example.com:99999",
		"https://app.example.com, https://user:s3cret%zz@app.example.com",
	} {
		_, err := ConfigFromEnv(func(k string) string { return map[string]string{EnvAllowedOrigins: origins}[k] })
		if err == nil {
			t.Errorf("%q accepted", origins)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "s3cret") || !strings.Contains(msg, EnvAllowedOrigins) || !strings.Contains(msg, "2") {
			t.Errorf("%q: error %q, want the variable and the entry's place named, and no password", origins, msg)
		}
	}
}
