package localfront

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

// A REST API's REQUEST authorizer gets the request's parameters as the
// proxy event has them, each both single- and multi-value, and the
// context's caller and resource, as aws-lambda-go's
// apigw-custom-auth-request-type-request.json (captured from API
// Gateway) has them: headers and multiValueHeaders,
// queryStringParameters and multiValueQueryStringParameters,
// pathParameters, requestContext.identity.sourceIp and resourcePath.
func TestRESTRequestAuthorizerEvent(t *testing.T) {
	var auth counter
	allow := auth.wrap(func(context.Context, []byte) ([]byte, error) {
		return []byte(`{"principalId":"p","policyDocument":{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]}}`), nil
	})
	f := startFront(t, Config{Shape: ShapeREST, Function: echoFunction(), Authorizer: allow, AuthorizerType: "request"})
	s := sample
	s.url = f.URL() + "/mcp?a=1&a=2"
	s.header = sample.header.Clone()
	s.header.Set("Authorization", "Bearer good")
	if resp, body := do(t, s); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d (%s), want 200", resp.StatusCode, body)
	}
	_, payload := auth.state()
	var ev events.APIGatewayCustomAuthorizerRequestTypeRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	got := events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type: ev.Type, Resource: ev.Resource, Path: ev.Path, HTTPMethod: ev.HTTPMethod,
		Headers:                         map[string]string{"X-Test": ev.Headers["X-Test"]},
		MultiValueHeaders:               map[string][]string{"X-Test": ev.MultiValueHeaders["X-Test"]},
		QueryStringParameters:           ev.QueryStringParameters,
		MultiValueQueryStringParameters: ev.MultiValueQueryStringParameters,
		PathParameters:                  ev.PathParameters,
		RequestContext: events.APIGatewayCustomAuthorizerRequestTypeRequestContext{
			Path: ev.RequestContext.Path, Stage: ev.RequestContext.Stage, ResourcePath: ev.RequestContext.ResourcePath,
			HTTPMethod: ev.RequestContext.HTTPMethod, APIID: ev.RequestContext.APIID,
			Identity: events.APIGatewayCustomAuthorizerRequestTypeRequestIdentity{SourceIP: ev.RequestContext.Identity.SourceIP},
		},
	}
	want := events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type: "REQUEST", Resource: "/{proxy+}", Path: "/mcp", HTTPMethod: "POST",
		Headers:                         map[string]string{"X-Test": "two"},
		MultiValueHeaders:               map[string][]string{"X-Test": {"one", "two"}},
		QueryStringParameters:           map[string]string{"a": "2"},
		MultiValueQueryStringParameters: map[string][]string{"a": {"1", "2"}},
		PathParameters:                  map[string]string{"proxy": "mcp"},
		RequestContext: events.APIGatewayCustomAuthorizerRequestTypeRequestContext{
			Path: "/dev/mcp", Stage: "dev", ResourcePath: "/{proxy+}", HTTPMethod: "POST", APIID: "local0api1",
			Identity: events.APIGatewayCustomAuthorizerRequestTypeRequestIdentity{SourceIP: "127.0.0.1"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("REQUEST authorizer event (-want +got):\n%s", diff)
	}
}
