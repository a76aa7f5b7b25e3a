package localfront

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDeployTokenPattern checks that, as the deploy stack's REST API, the
// front answers an Authorization header its TOKEN authorizer's validation
// expression refuses with the stack's 401 itself, without calling the
// authorizer; that a REQUEST authorizer, which has no such expression,
// and a front not like the stack, call it for the same header; and that a
// header the expression takes reaches the authorizer (which refuses every
// token but the few it knows with a 401 of its own: the calls tell the
// two apart).
func TestDeployTokenPattern(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		token     string
		want      int
		wantCalls int
	}{
		{"bearer with a token", Config{Deploy: &DeployREST{}}, "Bearer good", http.StatusOK, 1},
		{"lower-case scheme", Config{Deploy: &DeployREST{}}, "bearer good", http.StatusUnauthorized, 1}, // the test authorizer's own refusal
		{"padding", Config{Deploy: &DeployREST{}}, "Bearer Z29vZA==", http.StatusUnauthorized, 1},
		{"another scheme", Config{Deploy: &DeployREST{}}, "Basic Z29vZA==", http.StatusUnauthorized, 0},
		{"two spaces", Config{Deploy: &DeployREST{}}, "Bearer  good", http.StatusUnauthorized, 0},
		{"space inside the token", Config{Deploy: &DeployREST{}}, "Bearer go od", http.StatusUnauthorized, 0},
		{"no token", Config{Deploy: &DeployREST{}}, "Bearer", http.StatusUnauthorized, 0},
		{"a character outside token68", Config{Deploy: &DeployREST{}}, "Bearer go,od", http.StatusUnauthorized, 0},
		{"a REQUEST authorizer has no expression", Config{Deploy: &DeployREST{}, AuthorizerType: "request"}, "Basic Z29vZA==", http.StatusUnauthorized, 1},
		{"not like the stack", Config{}, "Basic Z29vZA==", http.StatusUnauthorized, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var seen []string
			cfg := tc.cfg
			cfg.Shape, cfg.Function, cfg.Authorizer = ShapeREST, echoFunction(), testAuthorizer(&seen)
			f := startFront(t, cfg)
			resp, body := do(t, sent{method: "POST", url: f.URL() + "/mcp", body: `{}`, header: http.Header{"Authorization": {tc.token}}})
			if resp.StatusCode != tc.want || len(seen) != tc.wantCalls {
				t.Errorf("%q: %d %s after %d authorizer calls, want %d after %d", tc.token, resp.StatusCode, body, len(seen), tc.want, tc.wantCalls)
			}
			if tc.wantCalls == 0 && !strings.Contains(string(body), "Unauthorized") {
				t.Errorf("refusal %s, want the gateway's Unauthorized", body)
			}
		})
	}
}

// TestDeployTokenPatternBeforeCache checks that the expression is applied
// before the result cache: a header it refuses is refused even when an
// answer for it could be kept (it never is).
func TestDeployTokenPatternBeforeCache(t *testing.T) {
	var seen []string
	f := startFront(t, Config{Shape: ShapeREST, Function: echoFunction(), Authorizer: testAuthorizer(&seen), Deploy: &DeployREST{}, AuthorizerCacheTTL: DeployAuthorizerCacheTTL})
	var got []int
	for _, token := range []string{"Bearer good", "Bearer go od", "Bearer good"} {
		resp, _ := do(t, sent{method: "POST", url: f.URL() + "/mcp", body: `{}`, header: http.Header{"Authorization": {token}}})
		got = append(got, resp.StatusCode)
	}
	if diff := cmp.Diff([]int{200, 401, 200}, got); diff != "" || len(seen) != 1 {
		t.Errorf("statuses (-want +got):\n%s\nauthorizer calls %v, want one", diff, seen)
	}
}
