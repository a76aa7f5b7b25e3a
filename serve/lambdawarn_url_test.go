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

// TestLambdaWarnsFromAuthorizerOnFunctionURL checks that on Lambda, with
// MCP_AUTH_FROM_AUTHORIZER=1 and MCP_STREAM naming url, which says
// Function URL invocations arrive, Run warns at cold start that those,
// behind no API Gateway authorizer, are all refused; and that it says
// nothing of it where only REST invocations stream or nothing trusts an
// authorizer.
func TestLambdaWarnsFromAuthorizerOnFunctionURL(t *testing.T) {
	if os.Getenv(envLambdaChild) != "" {
		Run(context.Background(), http.NotFoundHandler(), nil)
		return
	}
	cases := []struct {
		name string
		env  []string
		want bool
	}{
		{"from the authorizer, url streamed", []string{auth.EnvFromAuthorizer + "=1", EnvStream + "=url"}, true},
		{"from the authorizer, url and rest streamed", []string{auth.EnvFromAuthorizer + "=1", EnvStream + "=rest,url"}, true},
		{"from the authorizer, rest streamed", []string{auth.EnvFromAuthorizer + "=1", EnvStream + "=rest"}, false},
		{"static tokens, url streamed", []string{auth.EnvTokenSHA256 + "=" + auth.HashToken("s3cr3t"), EnvStream + "=url"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestLambdaWarnsFromAuthorizerOnFunctionURL$")
			cmd.Env = append(os.Environ(), envLambdaChild+"=1", "AWS_LAMBDA_RUNTIME_API=127.0.0.1:1")
			cmd.Env = append(cmd.Env, tc.env...)
			var stdout bytes.Buffer
			cmd.Stdout = &stdout
			cmd.Run() // the runtime ends the process: no Runtime API answers
			var warnings []string
			for line := range strings.SplitSeq(stdout.String(), "\n") {
				var rec map[string]any
				if json.Unmarshal([]byte(line), &rec) == nil && rec["level"] == "WARN" {
					if msg, _ := rec["msg"].(string); strings.Contains(msg, "Function URL") {
						warnings = append(warnings, msg)
					}
				}
			}
			if !tc.want {
				if len(warnings) > 0 {
					t.Errorf("warnings %q, want none naming a Function URL", warnings)
				}
				return
			}
			if len(warnings) != 1 || !strings.Contains(warnings[0], auth.EnvFromAuthorizer) || !strings.Contains(warnings[0], EnvStream) {
				t.Errorf("warnings %q, want one naming %s and %s\nstdout:\n%s", warnings, auth.EnvFromAuthorizer, EnvStream, stdout.String())
			}
		})
	}
}
