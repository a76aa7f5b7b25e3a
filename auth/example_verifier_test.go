package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/auth"
)

func ExampleNewStaticVerifier() {
	v, err := auth.NewStaticVerifier([]string{auth.HashToken("s3cr3t")}, &auth.StaticOptions{Scopes: []string{"mcp:tools"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, token := range []string{"s3cr3t", "guess"} {
		id, err := v.Verify(context.Background(), token)
		if err != nil {
			fmt.Println(errors.Is(err, auth.ErrInvalidToken), err)
			continue
		}
		fmt.Println(id.Subject, id.Method, id.Scopes)
	}
	// Output:
	// static:4e738ca5563c static [mcp:tools]
	// true invalid token: unknown static token
}

// Behind an API Gateway Lambda authorizer (cmd/authorizer), the function
// trusts the identity the authorizer passed on, and a tool reads it as it
// would a token the server checked itself.
func ExampleAuthorizerVerifier() {
	server := mcp.NewServer(&mcp.Implementation{Name: "hello", Version: "1.0.0"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "whoami"}, func(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		id := auth.IdentityFromTokenInfo(req.Extra.TokenInfo)
		text := fmt.Sprintf("%s via %s, scopes %v", id.Subject, id.Method, id.Scopes)
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}, nil, nil
	})
	protected := auth.Middleware(&auth.AuthorizerVerifier{}, &auth.MiddlewareOptions{Scopes: []string{"mcp:tools"}})(
		mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
			&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true}))
	h := lambdamcp.NewHandler(protected, nil)

	// A REST API event; requestContext.authorizer is what cmd/authorizer
	// answered for the token.
	event := `{
	  "resource": "/mcp", "path": "/mcp", "httpMethod": "POST",
	  "headers": {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
	    "Authorization": "Bearer the-token-the-authorizer-checked", "MCP-Protocol-Version": "2025-11-25", "Host": "abc123.execute-api.eu-west-1.amazonaws.com"},
	  "requestContext": {"stage": "prod", "requestId": "c6af9ac6", "httpMethod": "POST",
	    "authorizer": {"principalId": "user-1", "sub": "user-1", "client_id": "app", "scope": "mcp:tools", "auth_method": "jwt"}},
	  "body": "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"whoami\",\"arguments\":{}}}"
	}`
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "8f5e"})
	out, err := h.Invoke(ctx, []byte(event))
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	json.Unmarshal(out, &resp)
	fmt.Println(resp.StatusCode, resp.Body)
	// Output:
	// 200 {"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"user-1 via authorizer, scopes [mcp:tools]"}]}}
}

// With the go-sdk's own RequireBearerToken, TokenVerifier puts a Verifier
// of this package in front of a server.
func ExampleTokenVerifier() {
	v, err := auth.NewStaticVerifier([]string{auth.HashToken("s3cr3t")}, &auth.StaticOptions{Scopes: []string{"mcp:tools"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	mcpHandler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "served")
	})
	h := sdkauth.RequireBearerToken(auth.TokenVerifier(v), &sdkauth.RequireBearerTokenOptions{
		Scopes:                 []string{"mcp:tools"},
		AllowMissingExpiration: true, // static tokens do not expire
	})(mcpHandler)

	for _, token := range []string{"s3cr3t", "guess"} {
		r := httptest.NewRequest("POST", "/mcp", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
	}
	// Output:
	// 200 served
	// 401 invalid token: unknown static token
}

// A server without authentication still refuses browser pages of other
// origins, as the MCP transport requires; clients that send no Origin are
// served.
func ExampleOriginProtection() {
	opts := &auth.MiddlewareOptions{AllowedOrigins: []string{"https://app.example.com"}}
	h := auth.OriginProtection(opts)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "served")
	}))
	for _, origin := range []string{"", "https://app.example.com", "https://evil.example"} {
		r := httptest.NewRequest("POST", "https://mcp.example.com/mcp", nil)
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Printf("%q %d %s\n", origin, w.Code, strings.TrimSpace(w.Body.String()))
	}
	// Output:
	// "" 200 served
	// "https://app.example.com" 200 served
	// "https://evil.example" 403 {"error":{"code":-32600,"message":"Forbidden: origin not allowed"},"jsonrpc":"2.0"}
}

// A broader scope holds the scopes it implies, and what those imply.
func ExampleScopeHierarchy_Holds() {
	h := auth.ScopeHierarchy{"mcp:admin": {"mcp:write"}, "mcp:write": {"mcp:read"}}
	fmt.Println(h.Holds([]string{"mcp:admin"}, "mcp:read"))
	fmt.Println(h.Holds([]string{"mcp:read"}, "mcp:write"))
	// Output:
	// true
	// false
}

// A token that is good but lacks a scope is told apart from a bad one: it
// is answered 403, not 401, and the identity is still there to log.
func ExampleRequireScopes() {
	static, err := auth.NewStaticVerifier([]string{auth.HashToken("s3cr3t")}, &auth.StaticOptions{Scopes: []string{"mcp:read"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	v := auth.RequireScopes(static, "mcp:write")
	id, err := v.Verify(context.Background(), "s3cr3t")
	fmt.Println(id.Subject, errors.Is(err, auth.ErrInsufficientScope), errors.Is(err, auth.ErrInvalidToken))
	// Output: static:4e738ca5563c true false
}
