package serve

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
)

// TestMetadataFromAnyOrigin checks that the protected resource metadata is
// readable from a page on any origin, as the auth middleware publishes it:
// a browser client discovers the authorization server there before it
// could be allowed anything, and the environment's Origin rule, which the
// guard applies first, must not refuse it.
func TestMetadataFromAnyOrigin(t *testing.T) {
	const token = "serve-static-token-0123456789"
	env := map[string]string{auth.EnvTokenSHA256: auth.HashToken(token), auth.EnvAuthorizationServers: "https://issuer.example.com"}
	url, _ := local(t, Handler(demoserver.New(demoserver.Options{}), nil), env, nil)
	for _, path := range []string{auth.WellKnownPath + "/mcp", auth.WellKnownPath} {
		for _, method := range []string{http.MethodGet, http.MethodOptions} {
			req, err := http.NewRequest(method, strings.Replace(url, "/mcp", path, 1), nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Origin", "https://client.example")
			if method == http.MethodOptions {
				req.Header.Set("Access-Control-Request-Method", "GET")
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			want := map[string]int{http.MethodGet: http.StatusOK, http.MethodOptions: http.StatusNoContent}[method]
			if res.StatusCode != want || res.Header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("%s %s from another origin: %d, Access-Control-Allow-Origin %q (%s); want %d and *", method, path, res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"), body, want)
			}
			if method == http.MethodGet && !json.Valid(body) {
				t.Errorf("%s %s: body %s is no JSON", method, path, body)
			}
		}
	}
}
