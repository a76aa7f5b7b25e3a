package serve

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
)

// TestCustomDomainBasePath serves the reference server, with bearer
// tokens and RFC 9728 metadata, behind a custom domain whose API mapping
// has a base path (tools), as docs/auth.md sets it up: REST events then
// carry the base path in front of the API's own path. The endpoint, its
// challenge and its metadata inside the mapping are all served.
func TestCustomDomainBasePath(t *testing.T) {
	const (
		token    = "base-path-static-token-0123456789"
		endpoint = "https://mcp.example.com/tools/mcp"
		metadata = "https://mcp.example.com/tools/.well-known/oauth-protected-resource/tools/mcp"
	)
	cfg, err := auth.ConfigFromEnv(func(k string) string {
		return map[string]string{
			auth.EnvTokenSHA256:          auth.HashToken(token),
			auth.EnvAuthorizationServers: "https://auth.example.com",
			auth.EnvResourceURL:          endpoint,
			auth.EnvResourceMetadataURL:  metadata,
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := protect(Handler(demoserver.New(demoserver.Options{}), nil), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	handler := lambdamcp.NewHandler(h, &lambdamcp.Options{JSONResponse: true})
	request := func(method, proxy, authorization, body string) events.APIGatewayProxyResponse {
		t.Helper()
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(restEvent, &ev); err != nil {
			t.Fatal(err)
		}
		ev.HTTPMethod, ev.Resource, ev.Path = method, "/{proxy+}", "/tools/"+proxy
		ev.PathParameters = map[string]string{"proxy": proxy}
		ev.QueryStringParameters, ev.MultiValueQueryStringParameters = nil, nil
		ev.RequestContext.DomainName = "mcp.example.com"
		header := map[string]string{"Host": "mcp.example.com", "X-Forwarded-Proto": "https", "Accept": "application/json, text/event-stream",
			"Content-Type": "application/json", "MCP-Protocol-Version": "2025-11-25"}
		if authorization != "" {
			header["Authorization"] = authorization
		}
		ev.Headers, ev.MultiValueHeaders = header, map[string][]string{}
		for k, v := range header {
			ev.MultiValueHeaders[k] = []string{v}
		}
		ev.Body = body
		payload, _ := json.Marshal(ev)
		out, err := handler.Invoke(t.Context(), payload)
		if err != nil {
			t.Fatal(err)
		}
		var resp events.APIGatewayProxyResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatal(err)
		}
		return resp
	}
	const list = `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`

	resp := request("POST", "mcp", "", list)
	if challenge := strings.Join(resp.MultiValueHeaders["Www-Authenticate"], ", "); resp.StatusCode != 401 || !strings.Contains(challenge, `resource_metadata="`+metadata+`"`) {
		t.Errorf("no token: %d, WWW-Authenticate %q; want 401 pointing at %s", resp.StatusCode, challenge, metadata)
	}
	resp = request("POST", "mcp", "Bearer "+token, list)
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, `"name":"ping"`) {
		t.Errorf("tools/list: %d %s", resp.StatusCode, resp.Body)
	}
	resp = request("GET", ".well-known/oauth-protected-resource/tools/mcp", "", "")
	var doc struct{ Resource string }
	if err := json.Unmarshal([]byte(resp.Body), &doc); err != nil || resp.StatusCode != 200 || doc.Resource != endpoint {
		t.Errorf("metadata: %d %s; want 200 naming %s", resp.StatusCode, resp.Body, endpoint)
	}
}
