package serve

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/internal/awsevents"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
)

var functionURLEvent = awsevents.Sample("lambda-urls-request.json")

// On a Function URL nothing stands in front of the function: the server
// checks the token itself, and derives its resource URL from the event when
// MCP_RESOURCE_URL is unset.
func TestFunctionURLAuth(t *testing.T) {
	const (
		token  = "function-url-static-token-0123456789"
		domain = "abcdefghijklmnop.lambda-url.us-west-2.on.aws"
		ping   = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ping","arguments":{"delay_ms":0}}}`
	)
	cfg, err := auth.ConfigFromEnv(func(k string) string {
		return map[string]string{auth.EnvTokenSHA256: auth.HashToken(token), auth.EnvAuthorizationServers: "https://issuer.example.com"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := protect(Handler(demoserver.New(demoserver.Options{}), nil), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	invoke := func(method, path, authorization, body string) events.LambdaFunctionURLResponse {
		t.Helper()
		var ev events.LambdaFunctionURLRequest
		if err := json.Unmarshal(functionURLEvent, &ev); err != nil {
			t.Fatal(err)
		}
		ev.RawPath, ev.RequestContext.HTTP.Path, ev.RequestContext.HTTP.Method = path, path, method
		ev.RawQueryString, ev.QueryStringParameters, ev.Cookies = "", nil, nil
		ev.RequestContext.DomainName = domain
		ev.Headers = map[string]string{
			"content-type": "application/json", "accept": "application/json, text/event-stream",
			"mcp-protocol-version": "2025-11-25", "host": domain,
		}
		if authorization != "" {
			ev.Headers["authorization"] = authorization
		}
		ev.Body = body
		payload, _ := json.Marshal(ev)
		out, err := lambdamcp.NewHandler(h, nil).Invoke(context.Background(), payload)
		if err != nil {
			t.Fatal(err)
		}
		var resp events.LambdaFunctionURLResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatal(err)
		}
		return resp
	}

	resp := invoke("POST", "/mcp", "", ping)
	wantChallenge := `Bearer resource_metadata="https://` + domain + `/.well-known/oauth-protected-resource/mcp"`
	if got := header(resp.Headers, "WWW-Authenticate"); resp.StatusCode != 401 || got != wantChallenge {
		t.Errorf("without a token: %d %q, want 401 %q", resp.StatusCode, got, wantChallenge)
	}

	resp = invoke("GET", "/.well-known/oauth-protected-resource/mcp", "", "")
	var meta oauthex.ProtectedResourceMetadata
	if err := json.Unmarshal([]byte(resp.Body), &meta); err != nil || resp.StatusCode != 200 {
		t.Fatalf("metadata: %d %s", resp.StatusCode, resp.Body)
	}
	if diff := cmp.Diff(oauthex.ProtectedResourceMetadata{Resource: "https://" + domain + "/mcp", AuthorizationServers: []string{"https://issuer.example.com"}, BearerMethodsSupported: []string{"header"}}, meta); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}

	resp = invoke("POST", "/mcp", "Bearer "+token, ping)
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, "pong!") {
		t.Errorf("with the token: %d %s", resp.StatusCode, resp.Body)
	}
}

// header looks a response header up by name, ignoring case as HTTP does.
func header(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}
