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
		var ev events.APIGatewayProxyRequest
		loadEvent(t, "apigw-request.json", &ev)
		ev.Resource, ev.PathParameters, ev.Path = "/mcp", nil, "/tools/mcp"
		ev.RequestContext.ResourcePath, ev.RequestContext.Path = ev.Resource, ev.Path
		ev.RequestContext.DomainName = "api.example.com"
		ev.QueryStringParameters = nil
		ev.MultiValueQueryStringParameters = map[string][]string{"to": {to}}
		ev.Headers, ev.MultiValueHeaders = map[string]string{"Host": "api.example.com"}, map[string][]string{"Host": {"api.example.com"}}
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
