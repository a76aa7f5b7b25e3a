package serve

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/internal/awsevents"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
)

var (
	restEvent            = awsevents.Sample("apigw-request.json")
	tokenAuthorizerEvent = awsevents.Sample("apigw-custom-auth-request.json")
)

// Behind API Gateway: the Lambda authorizer verifies the token, API Gateway
// passes its context on in the REST event, and the server started with
// MCP_AUTH_FROM_AUTHORIZER=1 hands that identity to whoami.
func TestIdentityFromAuthorizer(t *testing.T) {
	const token = "authorizer-static-token-0123456789"
	getenv := func(k string) string {
		return map[string]string{auth.EnvTokenSHA256: auth.HashToken(token), auth.EnvRequiredScopes: "mcp:tools"}[k]
	}

	// The authorizer's half.
	cfg, err := auth.ConfigFromEnv(getenv)
	if err != nil {
		t.Fatal(err)
	}
	v, err := cfg.Verifier(nil)
	if err != nil {
		t.Fatal(err)
	}
	authEvent := strings.Replace(string(tokenAuthorizerEvent), `"allow"`, `"Bearer `+token+`"`, 1)
	out, err := auth.NewAuthorizer(v, &auth.AuthorizerOptions{Scopes: cfg.Scopes}).Invoke(context.Background(), []byte(authEvent))
	if err != nil {
		t.Fatal(err)
	}
	var decision events.APIGatewayCustomAuthorizerResponse
	if err := json.Unmarshal(out, &decision); err != nil {
		t.Fatal(err)
	}

	// The server's half, fed the REST event API Gateway would send.
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(restEvent, &ev); err != nil {
		t.Fatal(err)
	}
	ev.Path, ev.Resource = "/mcp", "/mcp"
	ev.RequestContext.Authorizer = map[string]any{"principalId": decision.PrincipalID}
	for k, v := range decision.Context {
		ev.RequestContext.Authorizer[k] = v
	}
	for k, v := range map[string]string{"Authorization": "Bearer " + token, "Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25"} {
		ev.Headers[k] = v
		ev.MultiValueHeaders[k] = []string{v}
	}
	ev.Body = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{}}}`
	payload, _ := json.Marshal(ev)

	status, body := serveFromAuthorizer(t, payload)
	checkWhoami(t, status, body, token)

	// Without an authorizer in front, the same server refuses everyone.
	ev.RequestContext.Authorizer = nil
	payload, _ = json.Marshal(ev)
	if status, _ := serveFromAuthorizer(t, payload); status != 401 {
		t.Errorf("no authorizer context: status %d, want 401", status)
	}
}

var (
	httpAPIEvent           = awsevents.Sample("apigw-v2-request-lambda-authorizer.json")
	httpAPIAuthorizerEvent = awsevents.Sample("apigw-v2-custom-authorizer-v2-request.json")
)

// The same through an HTTP API: the Lambda authorizer's simple response
// context arrives as requestContext.authorizer.lambda.
func TestIdentityFromHTTPAPIAuthorizer(t *testing.T) {
	const token = "http-api-static-token-0123456789"
	v, err := auth.NewStaticVerifier([]string{auth.HashToken(token)}, &auth.StaticOptions{Scopes: []string{"mcp:tools"}})
	if err != nil {
		t.Fatal(err)
	}
	var authEv events.APIGatewayV2CustomAuthorizerV2Request
	if err := json.Unmarshal(httpAPIAuthorizerEvent, &authEv); err != nil {
		t.Fatal(err)
	}
	authEv.Headers = map[string]string{"authorization": "Bearer " + token}
	decision, err := auth.NewAuthorizer(v, &auth.AuthorizerOptions{Scopes: []string{"mcp:tools"}}).AuthorizeHTTP(context.Background(), authEv)
	if err != nil || !decision.IsAuthorized {
		t.Fatalf("authorizer: %+v, %v", decision, err)
	}

	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(httpAPIEvent, &ev); err != nil {
		t.Fatal(err)
	}
	ev.RawPath, ev.RequestContext.HTTP.Path, ev.RequestContext.HTTP.Method = "/mcp", "/mcp", "POST"
	ev.RawQueryString, ev.QueryStringParameters, ev.Cookies = "", nil, nil
	ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: decision.Context}
	ev.Headers = map[string]string{
		"authorization": "Bearer " + token, "content-type": "application/json",
		"accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25",
	}
	ev.Body = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{}}}`
	payload, _ := json.Marshal(ev)

	status, body := serveFromAuthorizer(t, payload)
	checkWhoami(t, status, body, token)
}

// serveFromAuthorizer serves an event with the reference server started
// with MCP_AUTH_FROM_AUTHORIZER=1, and returns the response's status and body.
func serveFromAuthorizer(t *testing.T, payload []byte) (int, string) {
	t.Helper()
	h, err := protect(Handler(demoserver.New(demoserver.Options{}), nil), auth.Config{FromAuthorizer: true}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	out, err := lambdamcp.NewHandler(h, nil).Invoke(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	var resp struct { // the fields REST and HTTP API responses share
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Body
}

// checkWhoami checks that whoami answered for the static token, as the
// authorizer vouched for it.
func checkWhoami(t *testing.T, status int, body, token string) {
	t.Helper()
	var rpc struct {
		Result struct {
			StructuredContent demoserver.WhoamiOutput `json:"structuredContent"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(body), &rpc); err != nil || status != 200 {
		t.Fatalf("response %d %s (%v)", status, body, err)
	}
	want := demoserver.WhoamiOutput{Authenticated: true, Subject: "static:" + auth.HashToken(token)[:12], Scopes: []string{"mcp:tools"}, Method: "authorizer"}
	if diff := cmp.Diff(want, rpc.Result.StructuredContent); diff != "" {
		t.Errorf("whoami (-want +got):\n%s", diff)
	}
}
