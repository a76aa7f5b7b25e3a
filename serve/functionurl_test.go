package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
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

// TestHandlerAnswersAsTheInvocationCarries checks that Handler answers a
// call with an event stream where the invocation streams, so progress and
// log messages reach the client as they happen, and with one JSON body
// where it is buffered.
func TestHandlerAnswersAsTheInvocationCarries(t *testing.T) {
	const ping = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ping","arguments":{"delay_ms":0}}}`
	var ev events.LambdaFunctionURLRequest
	if err := json.Unmarshal(functionURLEvent, &ev); err != nil {
		t.Fatal(err)
	}
	ev.RawPath, ev.RequestContext.HTTP.Path, ev.RequestContext.HTTP.Method = "/mcp", "/mcp", "POST"
	ev.RawQueryString, ev.QueryStringParameters, ev.Cookies = "", nil, nil
	ev.RequestContext.DomainName = "abcdefghijklmnop.lambda-url.us-west-2.on.aws"
	ev.Headers = map[string]string{
		"content-type": "application/json", "accept": "application/json, text/event-stream",
		"mcp-protocol-version": "2025-11-25", "host": ev.RequestContext.DomainName,
	}
	ev.Body, ev.IsBase64Encoded = ping, false
	payload, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	h := lambdamcp.NewHandler(Handler(demoserver.New(demoserver.Options{}), nil),
		&lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}})
	for _, tc := range []struct {
		name   string
		invoke func(context.Context) (status int, contentType, body string)
		want   string
	}{
		{"streamed", func(ctx context.Context) (int, string, string) {
			r, err := h.InvokeStream(ctx, payload)
			if err != nil {
				t.Fatal(err)
			}
			out, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			head, body, ok := bytes.Cut(out, make([]byte, 8))
			if !ok {
				t.Fatalf("no prelude in %q", out)
			}
			var p struct {
				StatusCode int               `json:"statusCode"`
				Headers    map[string]string `json:"headers"`
			}
			if err := json.Unmarshal(head, &p); err != nil {
				t.Fatalf("prelude %q: %v", head, err)
			}
			return p.StatusCode, header(p.Headers, "Content-Type"), string(body)
		}, "text/event-stream"},
		{"buffered", func(ctx context.Context) (int, string, string) {
			out, err := h.Invoke(ctx, payload)
			if err != nil {
				t.Fatal(err)
			}
			var resp events.LambdaFunctionURLResponse
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
			return resp.StatusCode, header(resp.Headers, "Content-Type"), resp.Body
		}, "application/json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "streamed-" + tc.name})
			ctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			status, ct, body := tc.invoke(ctx)
			if status != 200 || ct != tc.want || !strings.Contains(body, "pong!") {
				t.Errorf("answer: %d %q %q, want 200 %q with the tool's result", status, ct, body, tc.want)
			}
		})
	}
}
