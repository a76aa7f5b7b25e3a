package localfront

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// routedEvent is what a REST event says of the resource it was routed to.
type routedEvent struct {
	Resource       string            `json:"resource"`
	Path           string            `json:"path"`
	PathParameters map[string]string `json:"pathParameters"`
	ResourcePath   string            `json:"resourcePath"`
}

// TestDeployRESTResources checks that a front answering as the deploy
// stack names the stack's resources in its events, as API Gateway names
// the resource a request matched, and that lambdamcp reads the path the
// handler serves back from them, through a base path too.
func TestDeployRESTResources(t *testing.T) {
	jwt := &DeployREST{JWT: true}
	const metadata = "/.well-known/oauth-protected-resource"
	tests := []struct {
		name      string
		deploy    *DeployREST
		basePath  string
		path      string
		method    string
		want      routedEvent
		wantServe string // the path lambdamcp's handler serves
	}{
		{name: "mcp", deploy: jwt, method: "POST", path: "/mcp",
			want: routedEvent{Resource: "/mcp", Path: "/mcp", ResourcePath: "/mcp"}, wantServe: "/mcp"},
		{name: "mcp with a slash after", deploy: jwt, method: "POST", path: "/mcp/",
			want: routedEvent{Resource: "/mcp", Path: "/mcp/", ResourcePath: "/mcp"}, wantServe: "/mcp/"},
		{name: "metadata", deploy: jwt, method: "GET", path: metadata + "/mcp",
			want: routedEvent{Resource: metadata + "/mcp", Path: metadata + "/mcp", ResourcePath: metadata + "/mcp"}, wantServe: metadata + "/mcp"},
		{name: "metadata at the root", deploy: jwt, method: "GET", path: metadata,
			want: routedEvent{Resource: metadata, Path: metadata, ResourcePath: metadata}, wantServe: metadata},
		{name: "behind a base path", deploy: jwt, basePath: "v1/tools", method: "POST", path: "/mcp",
			want: routedEvent{Resource: "/mcp", Path: "/v1/tools/mcp", ResourcePath: "/mcp"}, wantServe: "/mcp"},
		{name: "metadata behind a base path", deploy: jwt, basePath: "tools", method: "GET", path: metadata + "/tools/mcp",
			want:      routedEvent{Resource: metadata + "/tools/mcp", Path: "/tools" + metadata + "/tools/mcp", ResourcePath: metadata + "/tools/mcp"},
			wantServe: metadata + "/tools/mcp"},
		{name: "off: the greedy proxy resource", method: "POST", path: "/mcp",
			want: routedEvent{Resource: "/{proxy+}", Path: "/mcp", PathParameters: map[string]string{"proxy": "mcp"}, ResourcePath: "/{proxy+}"}, wantServe: "/mcp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			send := func(fn Function) []byte {
				t.Helper()
				var seen []string
				f := startFront(t, Config{Shape: ShapeREST, Function: fn, Authorizer: testAuthorizer(&seen), Deploy: tc.deploy, BasePath: tc.basePath})
				resp, body := do(t, sent{method: tc.method, url: f.URL() + tc.path, header: http.Header{"Authorization": {"Bearer good"}}})
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d: %s", resp.StatusCode, body)
				}
				return body
			}
			var ev struct {
				routedEvent
				RequestContext struct {
					ResourcePath string `json:"resourcePath"`
				} `json:"requestContext"`
			}
			if err := json.Unmarshal(send(echoFunction()), &ev); err != nil {
				t.Fatal(err)
			}
			got := ev.routedEvent
			got.ResourcePath = ev.RequestContext.ResourcePath
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("event (-want +got):\n%s", diff)
			}
			var served seenRequest
			if err := json.Unmarshal(send(NewInProcessHTTP(describingHandler(), nil)), &served); err != nil {
				t.Fatal(err)
			}
			if served.Path != tc.wantServe {
				t.Errorf("handler served %q, want %q", served.Path, tc.wantServe)
			}
		})
	}
}
