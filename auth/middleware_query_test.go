package auth

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The MCP authorization spec (both eras) forbids an access token in the
// URI query: a URL ends up in logs, histories and Referer headers. A
// request that puts one there is refused with invalid_request (RFC 6750
// section 3.1), whether or not it also sends the header, so that the
// client learns of the leak instead of being served or sent to
// authenticate again; the token is named in no answer and no log.
func TestMiddlewareRefusesTokenInQuery(t *testing.T) {
	type answer struct {
		Status    int
		Challenge string
		Error     string
	}
	refused := answer{http.StatusBadRequest, `Bearer error="invalid_request", resource_metadata="https://mcp.test/.well-known/oauth-protected-resource/mcp"`, "invalid_request"}
	tests := []struct {
		name   string
		query  string
		header bool // sends the token in Authorization too
		want   answer
	}{
		{"query alone", "access_token=" + staticToken, false, refused},
		{"query and header", "access_token=" + staticToken, true, refused},
		{"empty query parameter", "access_token=", true, refused},
		{"among other parameters", "a=1&access_token=" + staticToken, true, refused},
		// Pairs url.ParseQuery skips: the token is in the URL all the same.
		{"a semicolon in its pair", "access_token=" + staticToken + ";a=b", true, refused},
		{"after a semicolon", "a=b;access_token=" + staticToken, true, refused},
		{"a value that does not unescape", "access_token=" + staticToken + "%zz", true, refused},
		{"an escaped name", "access%5Ftoken=" + staticToken, true, refused},
		{"another parameter", "session=1", true, answer{Status: http.StatusOK}},
		{"a name that does not unescape", "access_token%zz=x", true, answer{Status: http.StatusOK}},
		{"a name that only looks alike", "Access_Token=x", true, answer{Status: http.StatusOK}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logger, logs := jsonLogger()
			h := staticMiddleware(t, &MiddlewareOptions{
				ResourceURL:          "https://mcp.test/mcp",
				AuthorizationServers: []string{testIssuer},
				Logger:               logger,
			})
			req := httptest.NewRequest(http.MethodPost, "https://mcp.test/mcp?"+tc.query, strings.NewReader(`{}`))
			if tc.header {
				req.Header.Set("Authorization", "Bearer "+staticToken)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := answer{Status: rec.Code, Challenge: rec.Header().Get("WWW-Authenticate")}
			if rec.Code != http.StatusOK {
				var body struct{ Error string }
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
					t.Fatalf("body %q: %v", rec.Body, err)
				}
				got.Error = body.Error
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
			if strings.Contains(rec.Body.String(), staticToken) || strings.Contains(logs.String(), staticToken) {
				t.Errorf("the token leaked: body %q, log %q", rec.Body, logs)
			}
		})
	}
}
