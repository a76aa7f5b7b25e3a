package oauthtest

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestOpenIDDiscovery checks that a document served as OpenID discovery
// (a pool's) has every member OpenID Connect Discovery 1.0 §3 requires:
// clients such as the TypeScript SDK refuse one that lacks any.
func TestOpenIDDiscovery(t *testing.T) {
	required := []string{"issuer", "authorization_endpoint", "jwks_uri", "response_types_supported",
		"subject_types_supported", "id_token_signing_alg_values_supported"}
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"pool", Options{Pool: "eu-west-1_Test"}},
		{"cognito", Options{Pool: "eu-west-1_Test", Cognito: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Start(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			resp, err := http.Get(a.Issuer + "/.well-known/openid-configuration")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var doc map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
				t.Fatalf("status %d: %v", resp.StatusCode, err)
			}
			for _, m := range required {
				if doc[m] == nil {
					t.Errorf("the document lacks %s: %v", m, doc)
				}
			}
			if doc["issuer"] != a.Issuer {
				t.Errorf("issuer %v, want %s", doc["issuer"], a.Issuer)
			}
		})
	}
}
