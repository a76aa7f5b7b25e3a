package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// cognitoDocument is the shape of a Cognito user pool's OpenID discovery
// document: no code_challenge_methods_supported.
const cognitoDocument = `{"authorization_endpoint":"https://demo.auth.eu-west-1.amazoncognito.com/oauth2/authorize",
"id_token_signing_alg_values_supported":["RS256"],
"issuer":"https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test",
"jwks_uri":"https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test/.well-known/jwks.json",
"response_types_supported":["code","token"],
"scopes_supported":["openid","email","phone","profile"],
"subject_types_supported":["public"],
"token_endpoint":"https://demo.auth.eu-west-1.amazoncognito.com/oauth2/token",
"token_endpoint_auth_methods_supported":["client_secret_basic","client_secret_post"],
"userinfo_endpoint":"https://demo.auth.eu-west-1.amazoncognito.com/oauth2/userInfo",
"revocation_endpoint":"https://demo.auth.eu-west-1.amazoncognito.com/oauth2/revoke"}`

// TestMetadataGetsPKCEMethod checks that authorization server metadata
// without code_challenge_methods_supported gets ["S256"] and nothing
// else, and that no other answer is touched.
func TestMetadataGetsPKCEMethod(t *testing.T) {
	const appended = testIssuer + "/.well-known/openid-configuration"
	tests := []struct {
		name        string
		url         string
		status      int
		contentType string
		body        string
		mended      bool
	}{
		{"cognito, appended", appended, 200, "application/json;charset=UTF-8", cognitoDocument, true},
		{"rfc 8414, inserted", "https://cognito-idp.eu-west-1.amazonaws.com/.well-known/oauth-authorization-server/eu-west-1_Test", 200, "application/json", `{"issuer":"` + testIssuer + `"}`, true},
		{"openid, inserted", "https://auth.example.com/.well-known/openid-configuration/tenant", 200, "application/json", `{"issuer":"https://auth.example.com/tenant"}`, true},
		{"has the member", appended, 200, "application/json", `{"issuer":"x", "code_challenge_methods_supported":["plain"]}`, false},
		{"has it empty", appended, 200, "application/json", `{"code_challenge_methods_supported":[]}`, false},
		{"resource metadata", "https://mcp.example.com/.well-known/oauth-protected-resource/mcp", 200, "application/json", `{"resource":"https://mcp.example.com/mcp"}`, false},
		{"not found", appended, 404, "application/json", `{"message":"not found"}`, false},
		{"not json", appended, 200, "text/html", `{"issuer":"x"}`, false},
		{"not an object", appended, 200, "application/json", `["issuer"]`, false},
		{"null", appended, 200, "application/json", `null`, false},
		{"broken", appended, 200, "application/json", `{"issuer":`, false},
		// As much as the go-sdk reads is mended; one byte more is left
		// whole for the go-sdk to refuse.
		{"as large as read", appended, 200, "application/json", paddedDocument(maxMetadata), true},
		{"a byte too large", appended, 200, "application/json", paddedDocument(maxMetadata + 1), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := &flowTransport{log: &exchangeLog{}, pin: newPinnedIssuer(testIssuer), base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				h := http.Header{"Content-Type": {tc.contentType}, "Content-Length": {strconv.Itoa(len(tc.body))}}
				return &http.Response{StatusCode: tc.status, Header: h, ContentLength: int64(len(tc.body)), Body: io.NopCloser(strings.NewReader(tc.body)), Request: r}, nil
			})}
			resp, err := tr.RoundTrip(httptest.NewRequest(http.MethodGet, tc.url, nil))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			if n := strconv.Itoa(len(got)); resp.Header.Get("Content-Length") != n || resp.ContentLength != int64(len(got)) {
				t.Errorf("Content-Length %q (%d) for a body of %s bytes", resp.Header.Get("Content-Length"), resp.ContentLength, n)
			}
			if !tc.mended {
				if string(got) != tc.body {
					t.Errorf("body %q, want it as it came, %q", got, tc.body)
				}
				return
			}
			var want, gotDoc map[string]any
			if err := json.Unmarshal([]byte(tc.body), &want); err != nil {
				t.Fatal(err)
			}
			want["code_challenge_methods_supported"] = []any{"S256"}
			if err := json.Unmarshal(got, &gotDoc); err != nil {
				t.Fatalf("mended body %q: %v", got, err)
			}
			if diff := cmp.Diff(want, gotDoc); diff != "" {
				t.Errorf("mended document (-want +got):\n%s", diff)
			}
		})
	}
}

// paddedDocument is a metadata document of exactly n bytes.
func paddedDocument(n int) string {
	const head, tail = `{"issuer":"` + testIssuer + `","padding":"`, `"}`
	return head + strings.Repeat("x", n-len(head)-len(tail)) + tail
}
