package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/lambdamcp/lambdamcp/auth"
)

// envLambdaChild makes the test binary run Run as on Lambda, against a
// Runtime API nobody serves: Run logs what it logs at cold start, then
// the runtime ends the process.
const envLambdaChild = "SERVE_TEST_LAMBDA_CHILD"

// TestLambdaWarnsWithoutResourceURL checks that on Lambda, with JWTs or
// an authorization server and no MCP_RESOURCE_URL, Run warns once at cold
// start that the resource is built from each request's Host, and that it
// says nothing of it with the variable set, with static tokens alone or
// without authentication.
func TestLambdaWarnsWithoutResourceURL(t *testing.T) {
	if os.Getenv(envLambdaChild) != "" {
		Run(context.Background(), http.NotFoundHandler(), nil)
		return
	}
	hash := auth.HashToken("s3cr3t")
	jwt := []string{auth.EnvJWTIssuer + "=https://issuer.example.com", auth.EnvJWTJWKSURL + "=https://issuer.example.com/jwks.json", auth.EnvJWTAudience + "=mcp"}
	cases := []struct {
		name string
		env  []string
		want bool
	}{
		{"JWTs, no resource URL", jwt, true},
		{"an authorization server, no resource URL", []string{auth.EnvFromAuthorizer + "=1", auth.EnvAuthorizationServers + "=https://as.example.com"}, true},
		{"JWTs and a resource URL", append(jwt, auth.EnvResourceURL+"=https://mcp.example.com/mcp"), false},
		// No metadata, no challenge naming it, no audience: nothing is
		// taken from the Host but the origin, which the gateway's is.
		{"static tokens alone, no resource URL", []string{auth.EnvTokenSHA256 + "=" + hash}, false},
		{"no authentication", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			warnings, stdout := coldStartWarnings(t, "TestLambdaWarnsWithoutResourceURL", tc.env, auth.EnvResourceURL)
			if !tc.want {
				if len(warnings) > 0 {
					t.Errorf("warnings %q, want none naming %s", warnings, auth.EnvResourceURL)
				}
				return
			}
			if len(warnings) != 1 || !strings.Contains(warnings[0], "Host") {
				t.Errorf("warnings %q, want one naming %s and the Host\nstdout:\n%s", warnings, auth.EnvResourceURL, stdout)
			}
		})
	}
}

// coldStartWarnings runs test, the calling test, again in a child process
// that runs Run as on Lambda with env added, and returns the WARN lines it
// logged whose message holds about, and its whole standard output.
func coldStartWarnings(t *testing.T, test string, env []string, about string) (warnings []string, stdout string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), envLambdaChild+"=1", "AWS_LAMBDA_RUNTIME_API=127.0.0.1:1")
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Run() // the runtime ends the process: no Runtime API answers
	for line := range strings.SplitSeq(out.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["level"] == "WARN" {
			if msg, _ := rec["msg"].(string); strings.Contains(msg, about) {
				warnings = append(warnings, msg)
			}
		}
	}
	return warnings, out.String()
}
