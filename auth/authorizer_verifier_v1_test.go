package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdamcp/lambdamcp"
)

// An HTTP API whose own JWT authorizer guards a route integrated with
// payload format 1.0 passes the token's scopes in
// requestContext.authorizer.scopes, beside its claims, as AWS documents
// the event: a token granted the required scope there only is served, not
// refused for lack of it.
func TestAuthorizerVerifierHTTPAPIv1JWT(t *testing.T) {
	exp := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	tests := []struct {
		name       string
		authorizer map[string]any
		wantStatus int
	}{
		{"scope listed in scopes", map[string]any{
			"claims": map[string]any{"sub": "user-1", "client_id": "app", "exp": exp},
			"scopes": []string{"mcp:tools"},
		}, http.StatusOK},
		{"another scope listed", map[string]any{
			"claims": map[string]any{"sub": "user-1", "client_id": "app", "exp": exp},
			"scopes": []string{"mcp:read"},
		}, http.StatusForbidden},
		{"no scopes", map[string]any{
			"claims": map[string]any{"sub": "user-1", "client_id": "app", "exp": exp},
			"scopes": nil,
		}, http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			served := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
			h := lambdamcp.NewHandler(Middleware(&AuthorizerVerifier{}, &MiddlewareOptions{Scopes: []string{"mcp:tools"}})(served), nil)
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "8f5e"})
			out, err := h.Invoke(ctx, httpAPIv1JWTEvent(t, tc.authorizer))
			if err != nil {
				t.Fatal(err)
			}
			var resp struct {
				StatusCode int    `json:"statusCode"`
				Body       string `json:"body"`
			}
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status %d, want %d (body %s)", resp.StatusCode, tc.wantStatus, resp.Body)
			}
		})
	}
}

// httpAPIv1JWTEvent is an HTTP API event in payload format 1.0, laid out
// as AWS documents it, whose requestContext.authorizer is authorizer.
func httpAPIv1JWTEvent(t *testing.T, authorizer map[string]any) []byte {
	t.Helper()
	ev := map[string]any{
		"version":           "1.0",
		"resource":          "/mcp",
		"path":              "/mcp",
		"httpMethod":        "POST",
		"headers":           map[string]string{"Content-Type": "application/json", "Accept": "application/json, text/event-stream", "Authorization": "Bearer the-token-the-authorizer-checked", "Host": "id.execute-api.us-east-1.amazonaws.com"},
		"multiValueHeaders": map[string][]string{"Content-Type": {"application/json"}, "Accept": {"application/json, text/event-stream"}, "Authorization": {"Bearer the-token-the-authorizer-checked"}, "Host": {"id.execute-api.us-east-1.amazonaws.com"}},
		"requestContext": map[string]any{
			"accountId":         "123456789012",
			"apiId":             "id",
			"authorizer":        authorizer,
			"domainName":        "id.execute-api.us-east-1.amazonaws.com",
			"domainPrefix":      "id",
			"extendedRequestId": "request-id",
			"httpMethod":        "POST",
			"identity":          map[string]any{"sourceIp": "192.0.2.1", "userAgent": "user-agent"},
			"path":              "/mcp",
			"protocol":          "HTTP/1.1",
			"requestId":         "id=",
			"requestTime":       "04/Mar/2020:19:15:17 +0000",
			"requestTimeEpoch":  1583349317135,
			"resourceId":        "ANY /mcp",
			"resourcePath":      "/mcp",
			"stage":             "$default",
		},
		"body":            `{"jsonrpc":"2.0","id":1,"method":"ping"}`,
		"isBase64Encoded": false,
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
