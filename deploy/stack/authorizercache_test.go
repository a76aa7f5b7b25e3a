package stack_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/deploy/stack"
)

// localFrontAuthorizer is the file that holds the local front
// (internal/localfront, lambdamcp-local -like-deploy) to the result cache,
// identity source and (rest) validation expression of the stack's Lambda
// authorizers, and to the http variant's with static tokens: its payload
// format, its simple responses and the routes it guards.
var localFrontAuthorizer = filepath.Join("..", "..", "internal", "localfront", "testdata", "deploy-authorizer.json")

// authorizerFacts is what the local front emulates of an authorizer: how
// long API Gateway keeps its result, the identity source that keys it, the
// expression a REST token must match to reach it, and for the HTTP API's
// Lambda authorizer the event it is sent, the answer it gives and the
// routes (by key, with their authorization type) it guards.
type authorizerFacts struct {
	CacheTTLSeconds          float64           `json:"cacheTtlSeconds"`
	RESTIdentitySource       string            `json:"restIdentitySource"`
	RESTValidationExpression string            `json:"restValidationExpression"`
	HTTPIdentitySource       []string          `json:"httpIdentitySource"`
	HTTPPayloadFormatVersion string            `json:"httpPayloadFormatVersion"`
	HTTPSimpleResponses      bool              `json:"httpSimpleResponses"`
	HTTPRoutes               map[string]string `json:"httpRoutes"`
}

// TestAuthorizerCacheMatchesLocalFront checks that the rest variant's
// TOKEN authorizer and the http variant's Lambda authorizer (static
// tokens), by default, cache their results as long as the local front
// does, keyed by the same header, and that the http variant sends the
// event and reads the answer the front does, on the routes the front
// has, so that neither changes without the other.
func TestAuthorizerCacheMatchesLocalFront(t *testing.T) {
	b, err := os.ReadFile(localFrontAuthorizer)
	if err != nil {
		t.Fatal(err)
	}
	var want authorizerFacts
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if want.CacheTTLSeconds <= 0 {
		t.Fatalf("%s: no cache TTL", localFrontAuthorizer)
	}
	var got authorizerFacts
	_, doc, _ := synth(t, stack.Props{})
	for _, a := range one(t, resources(doc, "AWS::ApiGateway::Authorizer")) {
		got.CacheTTLSeconds, _ = a["AuthorizerResultTtlInSeconds"].(float64)
		got.RESTIdentitySource = render(a["IdentitySource"])
		got.RESTValidationExpression, _ = a["IdentityValidationExpression"].(string)
	}
	_, doc, _ = synth(t, stack.Props{Variant: stack.VariantHTTP})
	for _, a := range one(t, resources(doc, "AWS::ApiGatewayV2::Authorizer")) {
		if ttl, _ := a["AuthorizerResultTtlInSeconds"].(float64); ttl != got.CacheTTLSeconds {
			t.Errorf("http authorizer cache TTL %v s, rest's %v s", ttl, got.CacheTTLSeconds)
		}
		for _, s := range list(a["IdentitySource"]) {
			got.HTTPIdentitySource = append(got.HTTPIdentitySource, render(s))
		}
		got.HTTPPayloadFormatVersion = render(a["AuthorizerPayloadFormatVersion"])
		got.HTTPSimpleResponses, _ = a["EnableSimpleResponses"].(bool)
	}
	got.HTTPRoutes = httpRoutes(doc)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("authorizers (-local front +stack):\n%s", diff)
	}
}

// one fails the test unless rs holds exactly one resource.
func one(t *testing.T, rs map[string]map[string]any) map[string]map[string]any {
	t.Helper()
	if len(rs) != 1 {
		t.Fatalf("%d resources, want 1", len(rs))
	}
	return rs
}
