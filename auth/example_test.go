package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/lambdamcp/lambdamcp/auth"
)

func ExampleHashToken() {
	// The hash goes into MCP_AUTH_TOKEN_SHA256; the token goes to the client.
	fmt.Println(auth.HashToken("s3cr3t-example-token"))
	// Output: 36b1913ac5243eaed4fde5ff1b69de8271df42551a46e34e240fbf3ee312141b
}

func ExampleMiddleware() {
	// The static token grants no scopes, so it is known but refused (403).
	v, err := auth.NewStaticVerifier([]string{auth.HashToken("s3cr3t")}, nil)
	if err != nil {
		panic(err)
	}
	mcpHandler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", auth.IdentityFromContext(r.Context()).Subject)
	})
	// The authorization server is where an OAuth client gets its tokens
	// (static tokens come from no such server: without one, challenges
	// point at no metadata).
	h := auth.Middleware(v, &auth.MiddlewareOptions{
		ResourceURL:          "https://mcp.example.com/mcp",
		AuthorizationServers: []string{"https://auth.example.com"},
		Scopes:               []string{"mcp:tools"},
	})(mcpHandler)

	for _, header := range []string{"", "Bearer wrong", "Bearer s3cr3t"} {
		req := httptest.NewRequest("POST", "https://mcp.example.com/mcp", nil)
		req.Header.Set("Authorization", header)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
	// Output:
	// 401 Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="mcp:tools"
	// 401 Bearer error="invalid_token", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="mcp:tools"
	// 403 Bearer error="insufficient_scope", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="mcp:tools"
}

func ExampleAuthorizer_Invoke() {
	v, err := auth.NewStaticVerifier([]string{auth.HashToken("s3cr3t")}, &auth.StaticOptions{Scopes: []string{"mcp:tools"}})
	if err != nil {
		panic(err)
	}
	a := auth.NewAuthorizer(v, &auth.AuthorizerOptions{Scopes: []string{"mcp:tools"}})
	for _, token := range []string{"Bearer s3cr3t", "Bearer wrong"} {
		event := fmt.Sprintf(`{"type":"TOKEN","authorizationToken":%q,"methodArn":"arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/POST/mcp"}`, token)
		out, err := a.Invoke(context.Background(), []byte(event))
		fmt.Println(string(out), err)
	}
	// Output:
	// {"principalId":"static:4e738ca5563c","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":["execute-api:Invoke"],"Effect":"Allow","Resource":["arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*"]}]},"context":{"auth_method":"static","client_id":"","iss":"","scope":"mcp:tools","sub":"static:4e738ca5563c"}} <nil>
	//  Unauthorized
}

func ExampleChallenge() {
	// The values for an API Gateway REST API's gateway responses.
	meta, _ := auth.MetadataURL("https://mcp.example.com/mcp")
	fmt.Println(auth.Challenge("", meta, []string{"mcp:tools"}))
	fmt.Println(auth.Challenge("insufficient_scope", meta, []string{"mcp:tools"}))
	// Output:
	// Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="mcp:tools"
	// Bearer error="insufficient_scope", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="mcp:tools"
}

func ExampleBearerToken() {
	for _, header := range []string{"Bearer abc", "bearer abc", "Basic dXNlcg==", "Bearer "} {
		token, err := auth.BearerToken(header)
		fmt.Printf("%q %q %v\n", token, header, err)
	}
	// Output:
	// "abc" "Bearer abc" <nil>
	// "abc" "bearer abc" <nil>
	// "" "Basic dXNlcg==" no bearer token
	// "" "Bearer " invalid token: empty bearer token
}

func ExampleConfigFromEnv() {
	env := map[string]string{
		"MCP_JWT_ISSUER":         "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
		"MCP_JWT_JWKS_URL":       "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123/.well-known/jwks.json",
		"MCP_JWT_AUDIENCE":       "3n4b5urk1ft4fl3mg5e62d9ado",
		"MCP_JWT_AUDIENCE_CLAIM": "client_id",
		"MCP_REQUIRED_SCOPES":    "https://mcp.example.com/tools",
	}
	cfg, err := auth.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.Enabled(), cfg.JWT.AudienceClaim, cfg.Scopes, cfg.AuthorizationServers)
	// Output: true client_id [https://mcp.example.com/tools] [https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123]
}
