package localfront

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// TestJWTAuthorizerRoutes checks that a front with the HTTP API's JWT
// authorizer routes as the deploy stack's http variant does: its routes
// by their keys, anything else answered 404 before the authorizer.
func TestJWTAuthorizerRoutes(t *testing.T) {
	iss := startJWTIssuer(t)
	issuer := iss.url + "/pool"
	now := time.Now().Unix()
	token := "Bearer " + sign(t, iss.key, map[string]any{"iss": issuer, "client_id": "app", "sub": "u1", "scope": "lambdamcp/mcp",
		"exp": now + 3600, "iat": now, "token_use": "access"})
	jwt := &JWTAuthorizer{Issuer: issuer, Audience: []string{"app"}, Scopes: []string{"lambdamcp/mcp"}}
	const metadata = "/.well-known/oauth-protected-resource"
	tests := []struct {
		name         string
		jwt          *JWTAuthorizer
		method, path string
		noToken      bool
		wantStatus   int
		wantRouteKey string
	}{
		{name: "POST /mcp", jwt: jwt, method: "POST", path: "/mcp", wantStatus: 200, wantRouteKey: "POST /mcp"},
		{name: "GET /mcp", jwt: jwt, method: "GET", path: "/mcp", wantStatus: 200, wantRouteKey: "GET /mcp"},
		{name: "DELETE /mcp", jwt: jwt, method: "DELETE", path: "/mcp", wantStatus: 200, wantRouteKey: "DELETE /mcp"},
		{name: "metadata", jwt: jwt, method: "GET", path: metadata + "/mcp", noToken: true, wantStatus: 200, wantRouteKey: "GET " + metadata + "/mcp"},
		{name: "metadata at the root", jwt: jwt, method: "GET", path: metadata, noToken: true, wantStatus: 200, wantRouteKey: "GET " + metadata},
		{name: "no PUT route", jwt: jwt, method: "PUT", path: "/mcp", wantStatus: 404},
		{name: "no route below /mcp", jwt: jwt, method: "POST", path: "/mcp/x", wantStatus: 404},
		{name: "no route with a slash after", jwt: jwt, method: "POST", path: "/mcp/", wantStatus: 404},
		{name: "no route at the root", jwt: jwt, method: "GET", path: "/", wantStatus: 404},
		{name: "no POST of the metadata", jwt: jwt, method: "POST", path: metadata + "/mcp", wantStatus: 404},
		{name: "unrouted before the authorizer", jwt: jwt, method: "POST", path: "/other", noToken: true, wantStatus: 404},
		{name: "without it: the $default route", method: "POST", path: "/other", noToken: true, wantStatus: 200, wantRouteKey: "$default"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := startFront(t, Config{Shape: ShapeHTTP, Function: echoFunction(), JWTAuthorizer: tc.jwt})
			s := sent{method: tc.method, url: f.URL() + tc.path, header: http.Header{}}
			if !tc.noToken {
				s.header.Set("Authorization", token)
			}
			resp, body := do(t, s)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tc.wantStatus)
			}
			if tc.wantStatus == http.StatusNotFound {
				if got, want := string(body), "{\"message\":\"Not Found\"}\n"; got != want {
					t.Errorf("body %q, want %q", got, want)
				}
				if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type %q, want application/json", ct)
				}
				return
			}
			var ev events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(body, &ev); err != nil {
				t.Fatal(err)
			}
			if ev.RouteKey != tc.wantRouteKey || ev.RequestContext.RouteKey != tc.wantRouteKey {
				t.Errorf("routeKey %q, requestContext.routeKey %q, want %q", ev.RouteKey, ev.RequestContext.RouteKey, tc.wantRouteKey)
			}
		})
	}
}
