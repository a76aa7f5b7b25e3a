package localfront

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// deployGolden holds the stack's Gateway Responses as deploy/stack writes
// them; deploy/stack's TestGatewayResponsesMatchLocalFront holds the stack
// to the same file.
//
//go:embed testdata/deploy-gateway-responses.json
var deployGolden []byte

func TestDeployResponsesMatchStack(t *testing.T) {
	var cases []struct {
		Name        string            `json:"name"`
		MetadataURL string            `json:"metadataURL"`
		Scopes      []string          `json:"scopes"`
		CORSOrigins []string          `json:"corsOrigins"`
		Responses   []gatewayResponse `json:"responses"`
	}
	if err := json.Unmarshal(deployGolden, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no cases in testdata/deploy-gateway-responses.json")
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			if diff := cmp.Diff(tc.Responses, deployResponses(tc.MetadataURL, tc.Scopes, tc.CORSOrigins)); diff != "" {
				t.Errorf("gateway responses (-stack +front):\n%s", diff)
			}
		})
	}
}

// Without a metadata document (an issuer that is no URL), the required
// scopes are the challenges' parameters, after the scheme.
func TestDeployResponsesScopesWithoutMetadata(t *testing.T) {
	want := map[string]string{
		responseUnauthorized: `Bearer scope="mcp:tools mcp:admin"`,
		responseAccessDenied: `Bearer error="insufficient_scope", scope="mcp:tools mcp:admin"`,
	}
	for _, r := range deployResponses("", []string{"mcp:tools", "mcp:admin"}, nil) {
		if w, ok := want[r.Type]; ok && r.Headers["WWW-Authenticate"] != w {
			t.Errorf("%s challenges %s, want %s", r.Type, r.Headers["WWW-Authenticate"], w)
		}
	}
}

// TestDeployREST sends requests through a front that answers as the deploy
// stack's REST API does, and through one that does not.
func TestDeployREST(t *testing.T) {
	jwt := &DeployREST{JWT: true, RequiredScopes: []string{"mcp:tools", "mcp:admin"}}
	const (
		metadata   = `resource_metadata="{base}/.well-known/oauth-protected-resource/mcp"`
		scope      = `scope="mcp:tools mcp:admin"`
		invalid    = `{"error":"invalid_token","message":"Unauthorized"}`
		defaultNo  = `{"message":"Unauthorized"}`
		deniedBody = `{"error":"insufficient_scope","message":"User is not authorized to access this resource with an explicit deny"}`
		noRoute    = `{"error":"not_found","message":"no route for this method and path"}`
	)
	tests := []struct {
		name          string
		deploy        *DeployREST
		basePath      string
		method, path  string
		token         string
		wantStatus    int
		wantChallenge string // {base} is the front's URL
		wantBody      string // for a refusal
		wantCalls     int    // of the authorizer
	}{
		{name: "no token", deploy: jwt, method: "POST", path: "/mcp",
			wantStatus: 401, wantChallenge: "Bearer " + metadata + ", " + scope, wantBody: invalid},
		{name: "refused token", deploy: jwt, method: "POST", path: "/mcp", token: "Bearer bad",
			wantStatus: 401, wantChallenge: "Bearer " + metadata + ", " + scope, wantBody: invalid, wantCalls: 1},
		{name: "explicit deny", deploy: jwt, method: "POST", path: "/mcp", token: "Bearer noscope",
			wantStatus: 403, wantChallenge: `Bearer error="insufficient_scope", ` + metadata + ", " + scope, wantBody: deniedBody, wantCalls: 1},
		{name: "no matching allow", deploy: jwt, method: "POST", path: "/mcp", token: "Bearer elsewhere",
			wantStatus: 403, wantChallenge: `Bearer error="insufficient_scope", ` + metadata + ", " + scope,
			wantBody: `{"error":"insufficient_scope","message":"User is not authorized to access this resource"}`, wantCalls: 1},
		{name: "authorizer failure", deploy: jwt, method: "POST", path: "/mcp", token: "Bearer boom",
			wantStatus: 500, wantBody: `{"error":"server_error","message":null}`, wantCalls: 1},
		{name: "allowed", deploy: jwt, method: "POST", path: "/mcp", token: "Bearer good", wantStatus: 200, wantCalls: 1},
		{name: "metadata for the endpoint is public", deploy: jwt, method: "GET", path: "/.well-known/oauth-protected-resource/mcp", wantStatus: 200},
		{name: "metadata at the root is public", deploy: jwt, method: "GET", path: "/.well-known/oauth-protected-resource", wantStatus: 200},
		{name: "metadata with a slash after is public", deploy: jwt, method: "GET", path: "/.well-known/oauth-protected-resource/mcp/", wantStatus: 200},
		// The stack's API has no other methods: API Gateway answers before the authorizer.
		{name: "metadata has no POST method", deploy: jwt, method: "POST", path: "/.well-known/oauth-protected-resource/mcp",
			wantStatus: 404, wantBody: noRoute},
		{name: "no resource for other paths", deploy: jwt, method: "GET", path: "/.well-known/oauth-authorization-server",
			wantStatus: 404, wantBody: noRoute},
		{name: "no resource below /mcp", deploy: jwt, method: "POST", path: "/mcp/x", token: "Bearer good",
			wantStatus: 404, wantBody: noRoute},
		{name: "no method at the stage's root", deploy: jwt, method: "GET", path: "", token: "Bearer good",
			wantStatus: 404, wantBody: noRoute},
		{name: "/mcp with a slash after is routed", deploy: jwt, method: "POST", path: "/mcp/", token: "Bearer good", wantStatus: 200, wantCalls: 1},
		{name: "resources are matched case-sensitively", deploy: jwt, method: "POST", path: "/MCP", token: "Bearer good",
			wantStatus: 404, wantBody: noRoute},
		{name: "no route outside the base path's API", deploy: jwt, basePath: "tools", method: "POST", path: "/other", token: "Bearer good",
			wantStatus: 404, wantBody: noRoute},
		{name: "behind a base path", deploy: jwt, basePath: "tools", method: "POST", path: "/mcp",
			wantStatus: 401, wantChallenge: `Bearer resource_metadata="{base}/.well-known/oauth-protected-resource/tools/mcp", ` + scope, wantBody: invalid},
		{name: "metadata behind a base path is public", deploy: jwt, basePath: "tools", method: "GET", path: "/.well-known/oauth-protected-resource/tools/mcp", wantStatus: 200},
		{name: "static tokens", deploy: &DeployREST{}, method: "POST", path: "/mcp",
			wantStatus: 401, wantChallenge: `Bearer realm="mcp"`, wantBody: invalid},
		{name: "static tokens deny", deploy: &DeployREST{}, method: "POST", path: "/mcp", token: "Bearer noscope",
			wantStatus: 403, wantChallenge: `Bearer error="insufficient_scope"`, wantBody: deniedBody, wantCalls: 1},
		{name: "static tokens have no metadata route", deploy: &DeployREST{}, method: "GET", path: "/.well-known/oauth-protected-resource/mcp",
			wantStatus: 404, wantBody: noRoute},
		{name: "off: no token", method: "POST", path: "/mcp", wantStatus: 401, wantBody: defaultNo},
		{name: "off: explicit deny", method: "POST", path: "/mcp", token: "Bearer noscope", wantStatus: 403,
			wantBody: `{"message":"User is not authorized to access this resource with an explicit deny"}`, wantCalls: 1},
		{name: "off: metadata needs a token", method: "GET", path: "/.well-known/oauth-protected-resource/mcp", wantStatus: 401, wantBody: defaultNo},
		{name: "off: every path is routed", method: "POST", path: "/other", token: "Bearer good", wantStatus: 200, wantCalls: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var seen []string
			f := startFront(t, Config{Shape: ShapeREST, Function: echoFunction(), Authorizer: testAuthorizer(&seen), Deploy: tc.deploy, BasePath: tc.basePath})
			s := sent{method: tc.method, url: f.URL() + tc.path}
			if tc.token != "" {
				s.header = http.Header{"Authorization": {tc.token}}
			}
			resp, body := do(t, s)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tc.wantStatus)
			}
			if len(seen) != tc.wantCalls {
				t.Errorf("authorizer called %d times (%v), want %d", len(seen), seen, tc.wantCalls)
			}
			want := strings.ReplaceAll(tc.wantChallenge, "{base}", f.URL())
			if got := resp.Header.Get("WWW-Authenticate"); got != want {
				t.Errorf("WWW-Authenticate = %q, want %q", got, want)
			}
			if tc.wantStatus != http.StatusOK {
				if got := strings.TrimSpace(string(body)); got != tc.wantBody {
					t.Errorf("body = %s, want %s", got, tc.wantBody)
				}
				if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type = %q, want application/json", ct)
				}
				if got := resp.Header.Get("Access-Control-Allow-Origin"); tc.deploy != nil && got != "*" {
					t.Errorf("Access-Control-Allow-Origin = %q, want the stack's *", got)
				}
				return
			}
			authCtx, latency := echoedAuthorizer(t, ShapeREST, body)
			if public := tc.wantCalls == 0; public && (authCtx != nil || latency != nil) {
				t.Errorf("a public method's event has an authorizer context: %v (integrationLatency %v)", authCtx, latency)
			}
		})
	}
}
