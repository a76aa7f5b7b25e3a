package localfront

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// corsGolden holds the stack's CORS settings as deploy/stack synthesizes
// them: its REST preflight methods' response and its HTTP API's
// CorsConfiguration. deploy/stack's TestCORSMatchesLocalFront holds the
// stack to the same file.
//
//go:embed testdata/deploy-cors.json
var corsGolden []byte

// TestDeployCORSMatchesStack checks that the front's preflights and the
// HTTP API's CORS answer with the stack's values.
func TestDeployCORSMatchesStack(t *testing.T) {
	var cases []struct {
		Name          string            `json:"name"`
		CORSOrigins   []string          `json:"corsOrigins"`
		RESTPreflight preflightResponse `json:"restPreflight"`
		HTTPCORS      corsConfiguration `json:"httpCors"`
	}
	if err := json.Unmarshal(corsGolden, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no cases in testdata/deploy-cors.json")
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			if diff := cmp.Diff(tc.RESTPreflight, deployPreflight(tc.CORSOrigins)); diff != "" {
				t.Errorf("rest preflight (-stack +front):\n%s", diff)
			}
			if diff := cmp.Diff(tc.HTTPCORS, deployCORSConfiguration(tc.CORSOrigins)); diff != "" {
				t.Errorf("http CORS configuration (-stack +front):\n%s", diff)
			}
		})
	}
}

// corsHeaders are the CORS headers of resp, and Vary.
func corsHeaders(resp *http.Response) map[string]string {
	out := map[string]string{}
	for k, v := range resp.Header {
		if k == "Vary" || strings.HasPrefix(k, "Access-Control-") {
			out[k] = v[0]
		}
	}
	return out
}

// TestDeployRESTPreflight checks that a front answering as the deploy
// stack answers OPTIONS on the stack's paths as its MOCK preflight
// methods do, without the authorizer or the function.
func TestDeployRESTPreflight(t *testing.T) {
	stack := func(origin string, more map[string]string) map[string]string {
		h := map[string]string{
			"Access-Control-Allow-Headers":  "Authorization,Content-Type,Accept,Mcp-Session-Id,MCP-Protocol-Version,Mcp-Method,Mcp-Name,Last-Event-ID",
			"Access-Control-Allow-Origin":   origin,
			"Access-Control-Allow-Methods":  "GET,POST,DELETE,OPTIONS",
			"Access-Control-Max-Age":        "3600",
			"Access-Control-Expose-Headers": "WWW-Authenticate,Mcp-Session-Id,MCP-Protocol-Version,Retry-After",
		}
		for k, v := range more {
			h[k] = v
		}
		return h
	}
	vary := map[string]string{"Vary": "Origin"}
	two := &DeployREST{JWT: true, CORSAllowOrigins: []string{"https://app.example", "https://admin.example"}}
	tests := []struct {
		name        string
		deploy      *DeployREST
		basePath    string
		path        string
		origin      string
		wantStatus  int
		wantHeaders map[string]string // for a 204
		wantCalls   int               // of the authorizer
	}{
		{name: "mcp", deploy: &DeployREST{JWT: true}, path: "/mcp", origin: "https://app.example",
			wantStatus: 204, wantHeaders: stack("*", nil)},
		{name: "not a preflight", deploy: &DeployREST{JWT: true}, path: "/mcp",
			wantStatus: 204, wantHeaders: stack("*", nil)},
		{name: "static tokens", deploy: &DeployREST{}, path: "/mcp/", origin: "https://app.example",
			wantStatus: 204, wantHeaders: stack("*", nil)},
		{name: "metadata", deploy: &DeployREST{JWT: true}, path: "/.well-known/oauth-protected-resource/mcp", origin: "https://app.example",
			wantStatus: 204, wantHeaders: stack("*", nil)},
		{name: "metadata behind a base path", deploy: &DeployREST{JWT: true}, basePath: "tools", path: "/.well-known/oauth-protected-resource/tools/mcp",
			wantStatus: 204, wantHeaders: stack("*", nil)},
		{name: "one origin", deploy: &DeployREST{CORSAllowOrigins: []string{"https://app.example"}}, path: "/mcp", origin: "https://other.example",
			wantStatus: 204, wantHeaders: stack("https://app.example", vary)},
		{name: "the first of several", deploy: two, path: "/mcp", origin: "https://other.example",
			wantStatus: 204, wantHeaders: stack("https://app.example", vary)},
		{name: "another of several", deploy: two, path: "/mcp", origin: "https://admin.example",
			wantStatus: 204, wantHeaders: stack("https://admin.example", vary)},
		{name: "no method elsewhere", deploy: &DeployREST{JWT: true}, path: "/other", origin: "https://app.example", wantStatus: 404},
		{name: "static tokens have no metadata", deploy: &DeployREST{}, path: "/.well-known/oauth-protected-resource/mcp", wantStatus: 404},
		{name: "off: through the authorizer", path: "/mcp", origin: "https://app.example", wantStatus: 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var seen []string
			f := startFront(t, Config{Shape: ShapeREST, Function: echoFunction(), Authorizer: testAuthorizer(&seen), Deploy: tc.deploy, BasePath: tc.basePath})
			s := sent{method: http.MethodOptions, url: f.URL() + tc.path, header: http.Header{}}
			if tc.origin != "" {
				s.header.Set("Origin", tc.origin)
				s.header.Set("Access-Control-Request-Method", "POST")
			}
			resp, body := do(t, s)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tc.wantStatus)
			}
			if len(seen) != tc.wantCalls {
				t.Errorf("authorizer called %d times, want %d", len(seen), tc.wantCalls)
			}
			if tc.wantStatus != http.StatusNoContent {
				return
			}
			if len(body) != 0 {
				t.Errorf("body %q, want none", body)
			}
			if diff := cmp.Diff(tc.wantHeaders, corsHeaders(resp)); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
		})
	}
}
