package localfront

import (
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

// TestRESTEventThroughBasePath checks the events of a REST API reached
// through a custom domain whose API mapping has a base path: the path as
// the client sent it, base path included and no stage, in path and
// requestContext.path; the resource and its path parameters as the API
// matched the path below the base path; the mapping's stage in
// requestContext.stage.
func TestRESTEventThroughBasePath(t *testing.T) {
	type seen struct {
		Path, Resource, ResourcePath, ContextPath, Stage string
		Params                                           map[string]string
	}
	proxy := func(p string) map[string]string { return map[string]string{"proxy": p} }
	tests := []struct {
		name, base, stage, path string // path: after the front's URL, which ends in the base path
		want                    seen
	}{
		{"endpoint", "tools", "", "/mcp", seen{"/tools/mcp", "/{proxy+}", "/{proxy+}", "/tools/mcp", "dev", proxy("mcp")}},
		{"named stage", "tools", "prod", "/mcp", seen{"/tools/mcp", "/{proxy+}", "/{proxy+}", "/tools/mcp", "prod", proxy("mcp")}},
		{"several levels", "v1/tools", "", "/mcp/x", seen{"/v1/tools/mcp/x", "/{proxy+}", "/{proxy+}", "/v1/tools/mcp/x", "dev", proxy("mcp/x")}},
		{"root of the mapping", "tools", "", "", seen{"/tools", "/", "/", "/tools", "dev", nil}},
		{"root, a slash after", "tools", "", "/", seen{"/tools/", "/", "/", "/tools/", "dev", nil}},
		{"encoded below the base path", "tools", "", "/mcp/a%20b", seen{"/tools/mcp/a%20b", "/{proxy+}", "/{proxy+}", "/tools/mcp/a%20b", "dev", proxy("mcp/a b")}},
		{"stage name below the base path", "tools", "", "/dev/mcp", seen{"/tools/dev/mcp", "/{proxy+}", "/{proxy+}", "/tools/dev/mcp", "dev", proxy("dev/mcp")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := echoed[events.APIGatewayProxyRequest](t, Config{Shape: ShapeREST, BasePath: tc.base, Stage: tc.stage}, tc.path, sample)
			got := seen{ev.Path, ev.Resource, ev.RequestContext.ResourcePath, ev.RequestContext.Path, ev.RequestContext.Stage, ev.PathParameters}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("event (-want +got):\n%s", diff)
			}
			if host, _, _ := net.SplitHostPort(ev.Headers["Host"]); ev.RequestContext.DomainName != host || host == "" {
				t.Errorf("domainName %q, want the name in Host %q", ev.RequestContext.DomainName, ev.Headers["Host"])
			}
		})
	}
}

// TestBasePathEncodedByTheClient checks that a base path is matched
// decoded, level by level: a client may percent-encode a character the
// mapping names as it is, and the event keeps the client's encoding.
func TestBasePathEncodedByTheClient(t *testing.T) {
	f := startFront(t, Config{Shape: ShapeREST, BasePath: "t$1", Function: echoFunction()})
	host := strings.TrimSuffix(f.URL(), "/t$1")
	resp, body := do(t, sent{method: http.MethodGet, url: host + "/t%241/mcp"})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"path":"/t%241/mcp"`) || !strings.Contains(string(body), `"proxy":"mcp"`) {
		t.Errorf("GET /t%%241/mcp = %d %s; want the event of /mcp with the path as sent", resp.StatusCode, body)
	}
}

// TestOutsideBasePath checks the answer for a path no mapping covers: the
// custom domain's 403 {"message":"Forbidden"}, without invoking the
// function. The stage is no part of a custom domain's URL.
func TestOutsideBasePath(t *testing.T) {
	f := startFront(t, Config{Shape: ShapeREST, BasePath: "v1/tools", Function: respondWith(`{"statusCode":200,"body":"invoked"}`)})
	host := strings.TrimSuffix(f.URL(), "/v1/tools")
	for _, path := range []string{"/mcp", "/", "/dev/mcp", "/dev/v1/tools/mcp", "/v1/mcp", "/v1/toolsx/mcp", "/tools/v1/mcp", "/V1/tools/mcp"} {
		resp, body := do(t, sent{method: http.MethodPost, url: host + path})
		if resp.StatusCode != http.StatusForbidden || strings.TrimSpace(string(body)) != `{"message":"Forbidden"}` {
			t.Errorf("%s = %d %s, want 403 {\"message\":\"Forbidden\"}", path, resp.StatusCode, body)
		}
	}
}

func TestCheckBasePath(t *testing.T) {
	tests := []struct {
		base string
		ok   bool
	}{
		{"", true},
		{"tools", true},
		{"v1/tools/x", true},
		{"A-z_0.9$+!*'()", true},
		{"/tools", false},
		{"tools/", false},
		{"v1//tools", false},
		{"tools?x", false},
		{"to ols", false},
		{"tööls", false},
		{"t%20", false},
		{"(none)", false},
	}
	for _, tc := range tests {
		if err := checkBasePath(tc.base); (err == nil) != tc.ok {
			t.Errorf("checkBasePath(%q) = %v, want ok %v", tc.base, err, tc.ok)
		}
	}
}
