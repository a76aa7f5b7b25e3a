package localfront

import (
	_ "embed"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// authorizerGolden holds the deploy stack's authorizers' result cache TTL,
// identity source and validation expression as deploy/stack synthesizes
// them by default;
// deploy/stack's TestAuthorizerCacheMatchesLocalFront holds the stack to
// the same file.
//
//go:embed testdata/deploy-authorizer.json
var authorizerGolden []byte

// TestDeployAuthorizerCacheMatchesStack checks that the front caches as
// long as the stack's authorizers do by default, keyed by their identity
// source, and validates a REST token as the stack's TOKEN authorizer does.
func TestDeployAuthorizerCacheMatchesStack(t *testing.T) {
	var stack struct {
		CacheTTLSeconds          int      `json:"cacheTtlSeconds"`
		RESTIdentitySource       string   `json:"restIdentitySource"`
		RESTValidationExpression string   `json:"restValidationExpression"`
		HTTPIdentitySource       []string `json:"httpIdentitySource"`
	}
	if err := json.Unmarshal(authorizerGolden, &stack); err != nil {
		t.Fatal(err)
	}
	if got, want := DeployAuthorizerCacheTTL, time.Duration(stack.CacheTTLSeconds)*time.Second; got != want {
		t.Errorf("DeployAuthorizerCacheTTL = %v, the stack's %v", got, want)
	}
	if got := "method.request.header." + identitySourceHeader; got != stack.RESTIdentitySource {
		t.Errorf("rest identity source %s, the stack's %s", got, stack.RESTIdentitySource)
	}
	if got := deployTokenPattern.String(); got != stack.RESTValidationExpression {
		t.Errorf("rest validation expression %s, the stack's %s", got, stack.RESTValidationExpression)
	}
	if diff := cmp.Diff(stack.HTTPIdentitySource, []string{"$request.header." + identitySourceHeader}); diff != "" {
		t.Errorf("http identity source (-stack +front):\n%s", diff)
	}
}
