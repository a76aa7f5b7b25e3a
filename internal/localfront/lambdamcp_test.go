package localfront

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lambdamcp/lambdamcp"
)

// seenRequest is what an http.Handler behind lambdamcp saw of a request.
type seenRequest struct {
	Shape      string         `json:"shape"`
	Method     string         `json:"method"`
	Path       string         `json:"path"`
	RawPath    string         `json:"rawPath"` // URL.EscapedPath
	Query      string         `json:"query"`
	Cookie     string         `json:"cookie"`
	Body       string         `json:"body"`
	RequestID  bool           `json:"requestId"`
	Authorizer map[string]any `json:"authorizer"`
}

func describingHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ctx := r.Context()
		json.NewEncoder(w).Encode(seenRequest{
			Shape: string(lambdamcp.EventShape(ctx)), Method: r.Method, Path: r.URL.Path, RawPath: r.URL.EscapedPath(), Query: r.URL.Query().Get("q"),
			Cookie: r.Header.Get("Cookie"), Body: string(body), RequestID: lambdamcp.RequestID(ctx) != "",
			Authorizer: lambdamcp.AuthorizerContext(ctx),
		})
	})
}

// TestShapesThroughLambdaMCP sends one request through each shape into an
// http.Handler wrapped by lambdamcp, so the events the front builds are the
// ones the library reads back into the same request. Its path has escapes:
// HTTP APIs decode it, so the client's %2F comes back as a plain slash;
// the other shapes keep the client's encoding.
func TestShapesThroughLambdaMCP(t *testing.T) {
	var seen []string
	tests := []struct {
		name  string
		cfg   Config
		token string
		want  map[string]any
	}{
		{name: "rest", cfg: Config{Shape: ShapeREST}},
		{name: "rest with authorizer", cfg: Config{Shape: ShapeREST, Authorizer: testAuthorizer(&seen)}, token: "Bearer good",
			want: map[string]any{"principalId": "u1", "sub": "u1", "scope": "mcp", "n": "3", "b": "true"}},
		{name: "http", cfg: Config{Shape: ShapeHTTP}},
		{name: "http on a named stage", cfg: Config{Shape: ShapeHTTP, Stage: "v1"}},
		{name: "http with authorizer", cfg: Config{Shape: ShapeHTTP, Authorizer: testAuthorizer(&seen)}, token: "Bearer simple-yes",
			want: map[string]any{"sub": "u2", "n": 3.0}},
		{name: "url", cfg: Config{Shape: ShapeURL}},
		{name: "alb", cfg: Config{Shape: ShapeALB}},
		{name: "alb multi-value", cfg: Config{Shape: ShapeALB, MultiValueHeaders: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Function = NewInProcessHTTP(describingHandler(), nil)
			f := startFront(t, tc.cfg)
			s := sent{method: http.MethodPost, url: f.URL() + "/mcp/acme%20corp%2Fx?q=a+b", body: `{"jsonrpc":"2.0"}`, contentType: "application/json",
				header: http.Header{"Cookie": {"k=v"}}}
			if tc.token != "" {
				s.header.Set("Authorization", tc.token)
			}
			resp, body := do(t, s)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			var got seenRequest
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("%s: %v", body, err)
			}
			if got.Authorizer != nil {
				delete(got.Authorizer, "integrationLatency")
			}
			rawPath := "/mcp/acme%20corp%2Fx"
			if tc.cfg.Shape == ShapeHTTP {
				rawPath = "/mcp/acme%20corp/x"
			}
			want := seenRequest{
				Shape: string(tc.cfg.Shape), Method: "POST", Path: "/mcp/acme corp/x", RawPath: rawPath, Query: "a b", Cookie: "k=v",
				Body: `{"jsonrpc":"2.0"}`, RequestID: true, Authorizer: tc.want,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("handler saw (-want +got):\n%s", diff)
			}
		})
	}
	if len(seen) != 2 || !strings.HasPrefix(seen[0], "TOKEN ") || !strings.HasPrefix(seen[1], "REQUEST ") {
		t.Errorf("authorizer calls = %v", seen)
	}
}
