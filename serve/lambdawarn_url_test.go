package serve

import (
	"context"
	"net/http"
	"os"
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
			warnings, stdout := coldStartWarnings(t, "TestLambdaWarnsFromAuthorizerOnFunctionURL", tc.env, "Function URL")
			if !tc.want {
				if len(warnings) > 0 {
					t.Errorf("warnings %q, want none naming a Function URL", warnings)
				}
				return
			}
			if len(warnings) != 1 || !strings.Contains(warnings[0], auth.EnvFromAuthorizer) || !strings.Contains(warnings[0], EnvStream) {
				t.Errorf("warnings %q, want one naming %s and %s\nstdout:\n%s", warnings, auth.EnvFromAuthorizer, EnvStream, stdout)
			}
		})
	}
}
