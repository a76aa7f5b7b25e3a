package oauthtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
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
			doc := getDocument(t, a.Issuer+"/.well-known/openid-configuration")
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

// TestClientCredentials checks the client credentials grant: the client
// authenticates by a method the metadata allows, is granted the scopes
// it asks for among its own (all of them when it asks none), and gets a
// JWT the JWKS verifies, with the claims a Cognito token of the grant
// carries; a refusal is RFC 6749 §5.2's.
func TestClientCredentials(t *testing.T) {
	post := func(id, secret string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
	}
	withScope := func(v url.Values, scope string) url.Values {
		v.Set("scope", scope)
		return v
	}
	tests := []struct {
		name      string
		opts      Options
		form      url.Values
		basic     []string // the Basic credentials, if any
		status    int
		err       string
		scope     string // of the token
		challenge string // the WWW-Authenticate of a refusal
	}{
		{name: "a scope asked", opts: Options{Scopes: []string{"s1", "s2"}}, form: withScope(post(DefaultClientID, DefaultSecret), "s2"),
			status: http.StatusOK, scope: "s2"},
		{name: "no scope asked", opts: Options{Scopes: []string{"s1", "s2"}}, form: post(DefaultClientID, DefaultSecret),
			status: http.StatusOK, scope: "s1 s2"},
		{name: "a scope not the client's", opts: Options{Scopes: []string{"s1"}}, form: withScope(post(DefaultClientID, DefaultSecret), "s1 s3"),
			status: http.StatusBadRequest, err: "invalid_scope"},
		{name: "granted less than asked", opts: Options{Scopes: []string{"s1", "s2"}, Grant: []string{"s1"}}, form: withScope(post(DefaultClientID, DefaultSecret), "s1 s2"),
			status: http.StatusOK, scope: "s1"},
		{name: "a pool's issuer", opts: Options{Scopes: []string{"s1"}, Pool: "eu-west-1_Test"}, form: post(DefaultClientID, DefaultSecret),
			status: http.StatusOK, scope: "s1"},
		{name: "basic", opts: Options{Scopes: []string{"s1"}}, form: url.Values{"grant_type": {"client_credentials"}},
			basic: []string{DefaultClientID, DefaultSecret}, status: http.StatusOK, scope: "s1"},
		{name: "basic, a method the metadata does not allow", opts: Options{Scopes: []string{"s1"}, AuthMethods: []string{"client_secret_post"}},
			form: url.Values{"grant_type": {"client_credentials"}}, basic: []string{DefaultClientID, DefaultSecret},
			status: http.StatusUnauthorized, err: "invalid_client", challenge: `Basic realm="oauthtest"`},
		{name: "basic, a wrong secret", opts: Options{Scopes: []string{"s1"}}, form: url.Values{"grant_type": {"client_credentials"}},
			basic: []string{DefaultClientID, "wrong"}, status: http.StatusUnauthorized, err: "invalid_client", challenge: `Basic realm="oauthtest"`},
		{name: "post, a wrong secret", opts: Options{Scopes: []string{"s1"}}, form: post(DefaultClientID, "wrong"),
			status: http.StatusUnauthorized, err: "invalid_client"},
		{name: "post, another client", opts: Options{Scopes: []string{"s1"}}, form: post("client-other", DefaultSecret),
			status: http.StatusUnauthorized, err: "invalid_client"},
		// A public client is one for the authorization code grant: its
		// credentials are still needed for this one.
		{name: "public client without its secret", opts: Options{Scopes: []string{"s1"}, Public: true},
			form:   url.Values{"grant_type": {"client_credentials"}, "client_id": {DefaultClientID}},
			status: http.StatusUnauthorized, err: "invalid_client"},
		{name: "a grant not supported", opts: Options{Scopes: []string{"s1"}},
			form:   url.Values{"grant_type": {"password"}, "client_id": {DefaultClientID}, "client_secret": {DefaultSecret}},
			status: http.StatusBadRequest, err: "unsupported_grant_type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Start(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			body := tokenAt(t, a, tc.form, tc.basic...)
			if body.Status != tc.status || body.Error != tc.err {
				t.Fatalf("status %d, error %q; want %d, %q", body.Status, body.Error, tc.status, tc.err)
			}
			if got := body.Header.Get("WWW-Authenticate"); got != tc.challenge {
				t.Errorf("WWW-Authenticate %q, want %q", got, tc.challenge)
			}
			if tc.status != http.StatusOK {
				return
			}
			if body.TokenType != "Bearer" || body.ExpiresIn != 3600 || body.RefreshToken != "" {
				t.Errorf("token_type %q, expires_in %d, refresh_token %q; want Bearer, 3600 and none", body.TokenType, body.ExpiresIn, body.RefreshToken)
			}
			keys, err := jwk.Fetch(t.Context(), a.JWKSURL())
			if err != nil {
				t.Fatal(err)
			}
			tok, err := jwt.ParseString(body.AccessToken, jwt.WithKeySet(keys), jwt.WithIssuer(a.Issuer))
			if err != nil {
				t.Fatalf("the token does not verify: %v", err)
			}
			iat, _ := tok.IssuedAt()
			exp, _ := tok.Expiration()
			if got := exp.Sub(iat); got != time.Hour {
				t.Errorf("the token lasts %v, want the hour expires_in says", got)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(claims(t, body.AccessToken)), &got); err != nil {
				t.Fatal(err)
			}
			want := map[string]any{"iss": a.Issuer, "sub": DefaultClientID, "client_id": DefaultClientID, "scope": tc.scope, "token_use": "access"}
			if diff := cmp.Diff(want, got, cmpopts.IgnoreMapEntries(func(k string, _ any) bool { return k == "exp" || k == "iat" || k == "jti" })); diff != "" {
				t.Errorf("claims (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMetadata checks the RFC 8414 document at the root: it names the
// server's endpoints, S256 as the one PKCE method (a client refuses a
// server that names none, MCP's authorization), and what Options add or
// take away.
func TestMetadata(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		want func(a *Server) map[string]any // the members checked
	}{
		{name: "default", want: func(a *Server) map[string]any {
			return map[string]any{"issuer": a.Issuer, "authorization_endpoint": a.URL + "/oauth2/authorize", "token_endpoint": a.URL + "/oauth2/token",
				"jwks_uri": a.JWKSURL(), "code_challenge_methods_supported": []any{"S256"}, "authorization_response_iss_parameter_supported": nil}
		}},
		{name: "no authorization endpoint", opts: Options{NoAuthEndpoint: true}, want: func(*Server) map[string]any {
			return map[string]any{"authorization_endpoint": nil}
		}},
		{name: "another authorization endpoint", opts: Options{AuthEndpoint: "http://127.0.0.1:1/authorize"}, want: func(*Server) map[string]any {
			return map[string]any{"authorization_endpoint": "http://127.0.0.1:1/authorize"}
		}},
		{name: "iss supported", opts: Options{IssSupported: true}, want: func(*Server) map[string]any {
			return map[string]any{"authorization_response_iss_parameter_supported": true}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Start(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			doc := getDocument(t, a.URL+"/.well-known/oauth-authorization-server")
			want := tc.want(a)
			got := map[string]any{}
			for m := range want {
				got[m] = doc[m]
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("metadata (-want +got):\n%s", diff)
			}
		})
	}
}

// getDocument fetches a metadata document and decodes it.
func getDocument(t *testing.T, url string) map[string]any {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatalf("%s: status %d: %v", url, resp.StatusCode, err)
	}
	return doc
}
