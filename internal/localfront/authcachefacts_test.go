package localfront

import (
	_ "embed"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// authorizerGolden holds the deploy stack's authorizers' result cache TTL,
// identity source and validation expression, and its http variant's
// authorizer payload format, simple responses and routes, as deploy/stack
// synthesizes them by default;
// deploy/stack's TestAuthorizerCacheMatchesLocalFront holds the stack to
// the same file.
//
//go:embed testdata/deploy-authorizer.json
var authorizerGolden []byte

// TestDeployAuthorizerCacheMatchesStack checks that the front caches as
// long as the stack's authorizers do by default, keyed by their identity
// source, validates a REST token as the stack's TOKEN authorizer does,
// and, as the stack's http variant with static tokens, sends its Lambda
// authorizer the events it is configured for on the stack's routes.
func TestDeployAuthorizerCacheMatchesStack(t *testing.T) {
	var stack struct {
		CacheTTLSeconds          int               `json:"cacheTtlSeconds"`
		RESTIdentitySource       string            `json:"restIdentitySource"`
		RESTValidationExpression string            `json:"restValidationExpression"`
		HTTPIdentitySource       []string          `json:"httpIdentitySource"`
		HTTPPayloadFormatVersion string            `json:"httpPayloadFormatVersion"`
		HTTPSimpleResponses      bool              `json:"httpSimpleResponses"`
		HTTPRoutes               map[string]string `json:"httpRoutes"`
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
	if stack.HTTPPayloadFormatVersion != httpAuthorizerPayloadVersion {
		t.Errorf("http authorizer payload format %s, the stack's %s", httpAuthorizerPayloadVersion, stack.HTTPPayloadFormatVersion)
	}
	// The front takes an http authorizer's isAuthorized as the stack's
	// simple responses have it; without them, API Gateway would read
	// only a policy.
	if !stack.HTTPSimpleResponses {
		t.Error("the stack's http authorizer answers policies only; the front takes simple responses from it")
	}
	f, err := New(Config{Shape: ShapeHTTP, Function: echoFunction(), Authorizer: echoFunction(), DeployHTTP: &DeployHTTP{}})
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]string{}
	for _, key := range f.httpRoutes() {
		method, path, _ := strings.Cut(key, " ")
		typ := "CUSTOM" // the Lambda authorizer's
		if f.public(&request{r: httptest.NewRequest(method, path, nil), path: path}) {
			typ = "NONE"
		}
		routes[key] = typ
	}
	if diff := cmp.Diff(stack.HTTPRoutes, routes); diff != "" {
		t.Errorf("http routes with static tokens (-stack +front):\n%s", diff)
	}
}
