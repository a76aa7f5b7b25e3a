package localfront

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDeployHTTPPreflight checks that a front answering as the deploy
// stack's HTTP API answers preflights itself, on any path, before routing
// and the JWT authorizer, and routes an OPTIONS that is no preflight.
func TestDeployHTTPPreflight(t *testing.T) {
	jwt := &JWTAuthorizer{Issuer: "http://127.0.0.1/unused", Audience: []string{"app"}}
	stack := func(origin string) map[string]string {
		return map[string]string{
			"Access-Control-Allow-Origin":  origin,
			"Access-Control-Allow-Methods": "GET,POST,DELETE,OPTIONS",
			"Access-Control-Allow-Headers": "Authorization,Content-Type,Accept,Mcp-Session-Id,MCP-Protocol-Version,Mcp-Method,Mcp-Name,Last-Event-ID",
			"Access-Control-Max-Age":       "3600",
		}
	}
	two := &DeployHTTP{CORSAllowOrigins: []string{"https://app.example", "https://admin.example"}}
	tests := []struct {
		name          string
		deploy        *DeployHTTP
		path          string
		origin        string
		requestMethod string // Access-Control-Request-Method
		wantStatus    int
		wantHeaders   map[string]string
	}{
		{name: "mcp", deploy: &DeployHTTP{}, path: "/mcp", origin: "https://app.example", requestMethod: "POST",
			wantStatus: 204, wantHeaders: stack("*")},
		{name: "metadata", deploy: &DeployHTTP{}, path: "/.well-known/oauth-protected-resource/mcp", origin: "https://app.example", requestMethod: "GET",
			wantStatus: 204, wantHeaders: stack("*")},
		{name: "a path without a route", deploy: &DeployHTTP{}, path: "/other", origin: "https://app.example", requestMethod: "POST",
			wantStatus: 204, wantHeaders: stack("*")},
		{name: "the first of several origins", deploy: two, path: "/mcp", origin: "https://app.example", requestMethod: "POST",
			wantStatus: 204, wantHeaders: stack("https://app.example")},
		{name: "another of several origins", deploy: two, path: "/mcp", origin: "https://admin.example", requestMethod: "DELETE",
			wantStatus: 204, wantHeaders: stack("https://admin.example")},
		{name: "an origin not allowed", deploy: two, path: "/mcp", origin: "https://other.example", requestMethod: "POST",
			wantStatus: 204, wantHeaders: map[string]string{}},
		{name: "no Access-Control-Request-Method: routed", deploy: &DeployHTTP{}, path: "/mcp", origin: "https://app.example", wantStatus: 404},
		{name: "no Origin: routed", deploy: &DeployHTTP{}, path: "/mcp", requestMethod: "POST", wantStatus: 404},
		{name: "off: routed", path: "/mcp", origin: "https://app.example", requestMethod: "POST", wantStatus: 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := startFront(t, Config{Shape: ShapeHTTP, Function: echoFunction(), JWTAuthorizer: jwt, DeployHTTP: tc.deploy})
			s := sent{method: http.MethodOptions, url: f.URL() + tc.path, header: http.Header{}}
			if tc.origin != "" {
				s.header.Set("Origin", tc.origin)
			}
			if tc.requestMethod != "" {
				s.header.Set("Access-Control-Request-Method", tc.requestMethod)
			}
			resp, body := do(t, s)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tc.wantStatus)
			}
			if tc.wantStatus == http.StatusNotFound {
				if got, want := string(body), "{\"message\":\"Not Found\"}\n"; got != want {
					t.Errorf("body %q, want the HTTP API's %q", got, want)
				}
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

// TestDeployHTTPResponseCORS checks that a front answering as the deploy
// stack's HTTP API passes the function's response on with the configured
// CORS headers, for an allowed Origin, in place of the function's own.
func TestDeployHTTPResponseCORS(t *testing.T) {
	jwt := &JWTAuthorizer{Issuer: "http://127.0.0.1/unused", Audience: []string{"app"}}
	fn := respondWith(`{"statusCode":200,"headers":{"Content-Type":"application/json","Access-Control-Allow-Origin":"https://fn.example",` +
		`"Access-Control-Expose-Headers":"X-Fn","Access-Control-Allow-Credentials":"true"},"body":"{}"}`)
	const exposed = "WWW-Authenticate,Mcp-Session-Id,MCP-Protocol-Version,Retry-After"
	two := &DeployHTTP{CORSAllowOrigins: []string{"https://app.example", "https://admin.example"}}
	tests := []struct {
		name   string
		deploy *DeployHTTP
		origin string
		want   map[string]string
	}{
		{name: "any origin", deploy: &DeployHTTP{}, origin: "https://app.example",
			want: map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": exposed}},
		{name: "one of several origins", deploy: two, origin: "https://admin.example",
			want: map[string]string{"Access-Control-Allow-Origin": "https://admin.example", "Access-Control-Expose-Headers": exposed}},
		{name: "an origin not allowed", deploy: two, origin: "https://other.example", want: map[string]string{}},
		{name: "no Origin", deploy: &DeployHTTP{}, want: map[string]string{}},
		{name: "off: the function's", origin: "https://app.example", want: map[string]string{
			"Access-Control-Allow-Origin": "https://fn.example", "Access-Control-Expose-Headers": "X-Fn", "Access-Control-Allow-Credentials": "true"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := startFront(t, Config{Shape: ShapeHTTP, Function: fn, JWTAuthorizer: jwt, DeployHTTP: tc.deploy})
			s := sent{method: http.MethodGet, url: f.URL() + "/.well-known/oauth-protected-resource/mcp", header: http.Header{}}
			if tc.origin != "" {
				s.header.Set("Origin", tc.origin)
			}
			resp, body := do(t, s)
			if resp.StatusCode != http.StatusOK || string(body) != "{}" {
				t.Fatalf("status %d (%s), want the function's 200 {}", resp.StatusCode, body)
			}
			if diff := cmp.Diff(tc.want, corsHeaders(resp)); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDeployHTTPConfig checks that the HTTP API's CORS is refused where the
// front does not route as the stack's http variant does.
func TestDeployHTTPConfig(t *testing.T) {
	jwt := &JWTAuthorizer{Issuer: "http://127.0.0.1/unused", Audience: []string{"app"}}
	for name, cfg := range map[string]Config{
		"rest":                       {Shape: ShapeREST, Function: echoFunction(), DeployHTTP: &DeployHTTP{}},
		"http without an authorizer": {Shape: ShapeHTTP, Function: echoFunction(), DeployHTTP: &DeployHTTP{}},
		"url with a JWT config":      {Shape: ShapeURL, Function: echoFunction(), JWTAuthorizer: jwt, DeployHTTP: &DeployHTTP{}},
	} {
		t.Run(name, func(t *testing.T) {
			if f, err := Start(t.Context(), cfg); err == nil {
				f.Close()
				t.Fatal("Start accepted it")
			}
		})
	}
}

// A function's response written without a status first is a 200, and
// the HTTP API hands it on as it does any other: the function's own CORS
// headers gone, the configured ones set ("Configure CORS for HTTP APIs":
// API Gateway ignores CORS headers returned from the backend).
func TestCORSWriterImplicitStatus(t *testing.T) {
	f := &Front{cfg: Config{DeployHTTP: &DeployHTTP{}}}
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
	r.Header.Set("Origin", "https://app.example")
	w := f.httpCORSWriter(rec, r)
	w.Header().Set("Access-Control-Allow-Origin", "https://function.example")
	w.Write([]byte("{}"))
	if rec.Code != http.StatusOK {
		t.Errorf("status %d, want 200", rec.Code)
	}
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("Access-Control-Allow-Origin = %q, want the configuration's *", got)
	}
	if got := rec.Header().Get("Access-Control-Expose-Headers"); got != strings.Join(stackExposed, ",") {
		t.Errorf("Access-Control-Expose-Headers = %q, want the stack's", got)
	}
}
