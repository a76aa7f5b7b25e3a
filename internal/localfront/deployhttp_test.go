package localfront

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

// counter counts the invocations of a function, and keeps the last
// event.
type counter struct {
	mu    sync.Mutex
	calls int
	last  []byte
}

// wrap is fn counted by c.
func (c *counter) wrap(fn func(context.Context, []byte) ([]byte, error)) Function {
	return NewInProcess(invokeFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		c.mu.Lock()
		c.calls++
		c.last = payload
		c.mu.Unlock()
		return fn(ctx, payload)
	}), nil)
}

func (c *counter) state() (int, []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls, c.last
}

// TestDeployHTTPLambdaAuthorizer checks that a front answering as the
// deploy stack's http variant with static tokens (DeployHTTP behind
// lambdamcp's own authorizer, its result cache at the stack's TTL) routes,
// authorizes and answers as that variant does: GET, POST and DELETE of
// /mcp through the authorizer, anything else 404 before it, preflights
// answered with the API's CORS before it, its refusals as an HTTP API
// gives them, and one authorizer call for a token used again.
func TestDeployHTTPLambdaAuthorizer(t *testing.T) {
	const token = "static-token-for-the-http-variant"
	lambdamcp := staticTokenAuthorizer(t, token)
	// With static tokens lambdamcp's authorizer never answers false (a
	// static token holds every required scope) and fails only with
	// "Unauthorized": these stand for an authorizer that does.
	refusing := func(context.Context, []byte) ([]byte, error) { return []byte(`{"isAuthorized":false}`), nil }
	failing := func(context.Context, []byte) ([]byte, error) { return nil, errors.New("no configuration") }

	const exposed = "WWW-Authenticate,Mcp-Session-Id,MCP-Protocol-Version,Retry-After"
	preflight := map[string]string{
		"Access-Control-Allow-Origin":  "*",
		"Access-Control-Allow-Methods": "GET,POST,DELETE,OPTIONS",
		"Access-Control-Allow-Headers": "Authorization,Content-Type,Accept,Mcp-Session-Id,MCP-Protocol-Version,Mcp-Method,Mcp-Name,Last-Event-ID",
		"Access-Control-Max-Age":       "3600",
	}
	tests := []struct {
		name          string
		authorizer    func(context.Context, []byte) ([]byte, error) // nil: lambdamcp's
		method, path  string
		token         string
		origin        string
		requestMethod string // Access-Control-Request-Method
		times         int    // requests sent; 0 is one
		wantStatus    int
		wantBody      string // for an answer of the gateway's
		wantRouteKey  string // of the function's event, and the authorizer's
		wantCORS      map[string]string
		wantAuthCalls int
		wantFnCalls   int
	}{
		{name: "POST /mcp", method: "POST", path: "/mcp", token: "Bearer " + token,
			wantStatus: 200, wantRouteKey: "POST /mcp", wantCORS: map[string]string{}, wantAuthCalls: 1, wantFnCalls: 1},
		{name: "GET /mcp", method: "GET", path: "/mcp", token: "Bearer " + token,
			wantStatus: 200, wantRouteKey: "GET /mcp", wantCORS: map[string]string{}, wantAuthCalls: 1, wantFnCalls: 1},
		{name: "DELETE /mcp", method: "DELETE", path: "/mcp", token: "Bearer " + token,
			wantStatus: 200, wantRouteKey: "DELETE /mcp", wantCORS: map[string]string{}, wantAuthCalls: 1, wantFnCalls: 1},
		{name: "the API's CORS in place of the function's", method: "POST", path: "/mcp", token: "Bearer " + token, origin: "https://app.example",
			wantStatus: 200, wantRouteKey: "POST /mcp", wantCORS: map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": exposed},
			wantAuthCalls: 1, wantFnCalls: 1},
		{name: "a token used again: one authorizer call", method: "POST", path: "/mcp", token: "Bearer " + token, times: 3,
			wantStatus: 200, wantRouteKey: "POST /mcp", wantCORS: map[string]string{}, wantAuthCalls: 1, wantFnCalls: 3},
		{name: "no token", method: "POST", path: "/mcp",
			wantStatus: 401, wantBody: `{"message":"Unauthorized"}`},
		// lambdamcp's authorizer fails with "Unauthorized" for a wrong
		// token, not isAuthorized false (a 403): a failure is not kept.
		{name: "a wrong token", method: "POST", path: "/mcp", token: "Bearer wrong-token-of-some-length", times: 2,
			wantStatus: 401, wantBody: `{"message":"Unauthorized"}`, wantAuthCalls: 2},
		{name: "a false simple response", authorizer: refusing, method: "POST", path: "/mcp", token: "Bearer " + token, times: 2,
			wantStatus: 403, wantBody: `{"message":"Forbidden"}`, wantAuthCalls: 1},
		{name: "an authorizer failure", authorizer: failing, method: "POST", path: "/mcp", token: "Bearer " + token,
			wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`, wantAuthCalls: 1},
		{name: "an unrouted path", method: "POST", path: "/other", token: "Bearer " + token,
			wantStatus: 404, wantBody: `{"message":"Not Found"}`},
		{name: "no PUT route", method: "PUT", path: "/mcp", token: "Bearer " + token,
			wantStatus: 404, wantBody: `{"message":"Not Found"}`},
		{name: "no route with a slash after", method: "POST", path: "/mcp/", token: "Bearer " + token,
			wantStatus: 404, wantBody: `{"message":"Not Found"}`},
		{name: "no metadata with static tokens", method: "GET", path: "/.well-known/oauth-protected-resource/mcp",
			wantStatus: 404, wantBody: `{"message":"Not Found"}`},
		{name: "a preflight", method: "OPTIONS", path: "/mcp", origin: "https://app.example", requestMethod: "POST",
			wantStatus: 204, wantCORS: preflight},
		{name: "an OPTIONS that is no preflight", method: "OPTIONS", path: "/mcp", token: "Bearer " + token,
			wantStatus: 404, wantBody: `{"message":"Not Found"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			authorizer := tc.authorizer
			if authorizer == nil {
				authorizer = lambdamcp
			}
			var authCalls, fnCalls counter
			fn := fnCalls.wrap(func(ctx context.Context, payload []byte) ([]byte, error) {
				// The function's own CORS headers, which the API's replace.
				return json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: string(payload),
					Headers: map[string]string{"Content-Type": "application/json", "Access-Control-Allow-Origin": "https://fn.example"}})
			})
			f := startFront(t, Config{Shape: ShapeHTTP, Function: fn, Authorizer: authCalls.wrap(authorizer),
				AuthorizerCacheTTL: DeployAuthorizerCacheTTL, DeployHTTP: &DeployHTTP{}})
			s := sent{method: tc.method, url: f.URL() + tc.path, body: `{}`, header: http.Header{}}
			if tc.token != "" {
				s.header.Set("Authorization", tc.token)
			}
			if tc.origin != "" {
				s.header.Set("Origin", tc.origin)
			}
			if tc.requestMethod != "" {
				s.header.Set("Access-Control-Request-Method", tc.requestMethod)
			}
			var resp *http.Response
			var body []byte
			for i := range max(tc.times, 1) {
				if resp, body = do(t, s); resp.StatusCode != tc.wantStatus {
					t.Fatalf("request %d: status %d (%s), want %d", i, resp.StatusCode, body, tc.wantStatus)
				}
			}
			if tc.wantBody != "" {
				if got := string(body); got != tc.wantBody+"\n" {
					t.Errorf("body %q, want %q", got, tc.wantBody)
				}
				if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type %q, want application/json", ct)
				}
			}
			if tc.wantCORS != nil {
				if diff := cmp.Diff(tc.wantCORS, corsHeaders(resp)); diff != "" {
					t.Errorf("CORS headers (-want +got):\n%s", diff)
				}
			}
			calls, authEvent := authCalls.state()
			if calls != tc.wantAuthCalls {
				t.Errorf("%d authorizer calls, want %d", calls, tc.wantAuthCalls)
			}
			if n, _ := fnCalls.state(); n != tc.wantFnCalls {
				t.Errorf("%d function calls, want %d", n, tc.wantFnCalls)
			}
			if tc.wantRouteKey == "" {
				return
			}
			var ev events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(body, &ev); err != nil {
				t.Fatal(err)
			}
			if ev.RouteKey != tc.wantRouteKey || ev.RequestContext.RouteKey != tc.wantRouteKey {
				t.Errorf("routeKey %q, requestContext.routeKey %q, want %q", ev.RouteKey, ev.RequestContext.RouteKey, tc.wantRouteKey)
			}
			if a := ev.RequestContext.Authorizer; a == nil || a.Lambda["auth_method"] == nil {
				t.Errorf("requestContext.authorizer %+v, want the authorizer's context in lambda", a)
			}
			var authorized events.APIGatewayV2CustomAuthorizerV2Request
			if err := json.Unmarshal(authEvent, &authorized); err != nil {
				t.Fatal(err)
			}
			want := events.APIGatewayV2CustomAuthorizerV2Request{Version: "2.0", Type: "REQUEST", RouteKey: tc.wantRouteKey, IdentitySource: []string{tc.token}}
			got := events.APIGatewayV2CustomAuthorizerV2Request{Version: authorized.Version, Type: authorized.Type, RouteKey: authorized.RouteKey, IdentitySource: authorized.IdentitySource}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("authorizer event (-want +got):\n%s", diff)
			}
		})
	}
}
