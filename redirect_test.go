package lambdamcp_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/lambdamcp/lambdamcp"
)

// TestRedirectKeepsPathPrefix checks that a redirect the handler answers
// with a path (an http.ServeMux cleaning //mcp, http.Redirect) points
// below the stage or base path the front took off the request's path, as
// the client has to follow it; and that other Locations are left alone.
func TestRedirectKeepsPathPrefix(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/mcp", func(w http.ResponseWriter, r *http.Request) {
		if to := r.URL.Query().Get("to"); to != "" {
			w.Header().Set("Location", to)
			w.WriteHeader(http.StatusTemporaryRedirect)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":{}}`)
	})
	h := lambdamcp.NewHandler(mux, nil)
	// The front's path prefix of each shape: the sample REST event's stage
	// on the API's default endpoint, the HTTP API's named stage.
	prefix := map[string]string{"rest": "/testStage", "http": "/dev"}
	for _, shape := range shapes {
		r := jsonPost(`{"jsonrpc":"2.0","id":1,"method":"ping"}`)
		r.path = "//mcp"
		resp := invoke(t, h, shape.build(t, r))
		if want := prefix[shape.name] + "/mcp"; resp.StatusCode != http.StatusTemporaryRedirect || resp.header("Location") != want {
			t.Errorf("%s: %d, Location %q; want 307, %q", shape.name, resp.StatusCode, resp.header("Location"), want)
		}
	}
	stream := lambdamcp.NewHandler(mux, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeREST}, Heartbeat: -1})
	r := jsonPost(`{"jsonrpc":"2.0","id":1,"method":"ping"}`)
	r.path = "//mcp"
	s, head := openStream(t, invokeCtx(t), stream, restEvent(t, r))
	io.Copy(io.Discard, s.r)
	if head.StatusCode != http.StatusTemporaryRedirect || head.header("Location") != "/testStage/mcp" {
		t.Errorf("streamed rest: %d, Location %q; want 307, %q", head.StatusCode, head.header("Location"), "/testStage/mcp")
	}

	// Through a custom domain whose mapping has a base path.
	for to, want := range map[string]string{
		"/mcp/next":            "/tools/mcp/next",
		"next":                 "next",
		"https://example.com/": "https://example.com/",
		"//example.com/x":      "//example.com/x",
		`/\example.com/x`:      `/\example.com/x`,
	} {
		ev := customDomainEvent(t, "/mcp", "/tools/mcp")
		ev.MultiValueQueryStringParameters = map[string][]string{"to": {to}}
		for _, version := range []string{"", "1.0"} {
			var m map[string]any
			if err := json.Unmarshal(mustJSON(t, ev), &m); err != nil {
				t.Fatal(err)
			}
			if version != "" {
				m["version"] = version
			}
			resp := invoke(t, h, mustJSON(t, m))
			if got := resp.header("Location"); got != want {
				t.Errorf("base path, version %q, handler's Location %q: Location %q, want %q", version, to, got, want)
			}
		}
	}
}

// TestRedirectPrefixOfRoot checks that a redirect answered at the root
// resource of a custom domain's base path points below the base path: the
// path is the base path alone, which leaves the root.
func TestRedirectPrefixOfRoot(t *testing.T) {
	h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/mcp", http.StatusTemporaryRedirect)
	}), nil)
	ev := customDomainEvent(t, "/", "/tools")
	ev.HTTPMethod, ev.Body = http.MethodGet, ""
	resp := invoke(t, h, mustJSON(t, ev))
	if got := resp.header("Location"); resp.StatusCode != http.StatusTemporaryRedirect || got != "/tools/mcp" {
		t.Errorf("%d, Location %q; want 307, %q", resp.StatusCode, got, "/tools/mcp")
	}
}

// TestRedirectPrefixNamingAHost checks that a Location is left as the
// handler wrote it when the base path the client sent does not begin as a
// path does: put before the Location, it would name another host.
func TestRedirectPrefixNamingAHost(t *testing.T) {
	h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/next")
		w.WriteHeader(http.StatusTemporaryRedirect)
	}), nil)
	for _, path := range []string{"//mcp", "//evil.example/mcp", `/\evil.example/mcp`, "/a\tb/mcp"} {
		ev := customDomainEvent(t, "/mcp", path)
		ev.HTTPMethod, ev.Body = http.MethodGet, ""
		resp := invoke(t, h, mustJSON(t, ev))
		if got := resp.header("Location"); resp.StatusCode != http.StatusTemporaryRedirect || got != "/next" {
			t.Errorf("path %q: %d, Location %q; want 307, %q", path, resp.StatusCode, got, "/next")
		}
	}
}

// customDomainEvent is API Gateway's sample REST event for the resource
// and path given, as it arrives through the custom domain api.example.com
// (its Host), with no path parameters and no query.
func customDomainEvent(t *testing.T, resource, path string) events.APIGatewayProxyRequest {
	t.Helper()
	var ev events.APIGatewayProxyRequest
	loadEvent(t, "apigw-request.json", &ev)
	ev.Resource, ev.PathParameters, ev.Path = resource, nil, path
	ev.RequestContext.ResourcePath, ev.RequestContext.Path = resource, path
	ev.RequestContext.DomainName = "api.example.com"
	ev.QueryStringParameters, ev.MultiValueQueryStringParameters = nil, nil
	ev.Headers, ev.MultiValueHeaders = map[string]string{"Host": "api.example.com"}, map[string][]string{"Host": {"api.example.com"}}
	return ev
}
