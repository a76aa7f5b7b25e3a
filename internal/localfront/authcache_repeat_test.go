package localfront

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAuthorizerCacheRepeatedHeader checks that an answer kept for a
// request carrying the Authorization header more than once serves only a
// request carrying the same values. Keyed on the first value alone, the
// answer a REQUEST authorizer gave for the last one (the value of its
// event's single-value headers) served the first one later: any string
// sent once beside a good token passed on its own for the TTL.
func TestAuthorizerCacheRepeatedHeader(t *testing.T) {
	const arn = "REQUEST arn:aws:execute-api:us-east-1:123456789012:local0api1/dev/POST/mcp /mcp"
	tests := []struct {
		name      string
		values    [][]string // the Authorization values of each request
		want      []int
		wantCalls int
	}{
		{"the first value on its own is judged", [][]string{{"Bearer forged", "Bearer good"}, {"Bearer forged"}}, []int{200, 401}, 2},
		{"the last value on its own is judged", [][]string{{"Bearer forged", "Bearer good"}, {"Bearer good"}}, []int{200, 200}, 2},
		{"the same values are kept", [][]string{{"Bearer forged", "Bearer good"}, {"Bearer forged", "Bearer good"}}, []int{200, 200}, 1},
		{"the values in another order are another key", [][]string{{"Bearer good", "Bearer forged"}, {"Bearer forged", "Bearer good"}}, []int{401, 200}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var seen []string
			f := startFront(t, Config{Shape: ShapeREST, AuthorizerType: "request", Function: echoFunction(),
				Authorizer: testAuthorizer(&seen), AuthorizerCacheTTL: DeployAuthorizerCacheTTL})
			var got []int
			for _, values := range tc.values {
				resp, _ := do(t, sent{method: "POST", url: f.URL() + "/mcp", body: `{}`, header: http.Header{"Authorization": values}})
				got = append(got, resp.StatusCode)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("statuses (-want +got):\n%s", diff)
			}
			if len(seen) != tc.wantCalls {
				t.Errorf("authorizer called %d times (%q), want %d", len(seen), seen, tc.wantCalls)
			}
			for _, call := range seen {
				if call != arn {
					t.Errorf("authorizer called with %q, want %q", call, arn)
				}
			}
		})
	}
}
