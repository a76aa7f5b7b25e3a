package oauthtest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRevoke checks the revocation endpoint against RFC 7009: the client
// authenticates as at the token endpoint; a refresh token revoked is then
// refused by the refresh_token grant, and another left as it was; a token
// the server does not know is answered 200; a request without a token is
// refused.
func TestRevoke(t *testing.T) {
	tests := []struct {
		name   string
		public bool
		form   url.Values // "{rt}" is the refresh token of the sign-in
		basic  bool       // the client authenticates with Basic, its secret right
		status int
		err    string // the answer's error
		// refresh is the error of a refresh with the sign-in's refresh
		// token afterwards.
		refresh string
	}{
		{name: "public client revokes its refresh token", public: true,
			form:   url.Values{"client_id": {DefaultClientID}, "token": {"{rt}"}, "token_type_hint": {"refresh_token"}},
			status: http.StatusOK, refresh: "invalid_grant"},
		{name: "confidential client, basic",
			form:  url.Values{"token": {"{rt}"}, "token_type_hint": {"refresh_token"}},
			basic: true, status: http.StatusOK, refresh: "invalid_grant"},
		{name: "confidential client, post",
			form:   url.Values{"client_id": {DefaultClientID}, "client_secret": {DefaultSecret}, "token": {"{rt}"}},
			status: http.StatusOK, refresh: "invalid_grant"},
		{name: "unknown token", public: true,
			form:   url.Values{"client_id": {DefaultClientID}, "token": {"rt-not-issued"}},
			status: http.StatusOK},
		{name: "confidential client without its secret",
			form:   url.Values{"client_id": {DefaultClientID}, "token": {"{rt}"}},
			status: http.StatusUnauthorized, err: "invalid_client"},
		{name: "wrong secret of a public client", public: true,
			form:   url.Values{"client_id": {DefaultClientID}, "client_secret": {"wrong-secret"}, "token": {"{rt}"}},
			status: http.StatusUnauthorized, err: "invalid_client"},
		{name: "another client", public: true,
			form:   url.Values{"client_id": {"client-other"}, "token": {"{rt}"}},
			status: http.StatusUnauthorized, err: "invalid_client"},
		{name: "no token", public: true,
			form:   url.Values{"client_id": {DefaultClientID}, "token_type_hint": {"refresh_token"}},
			status: http.StatusBadRequest, err: "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Start(Options{Public: tc.public, Scopes: []string{"s1"}, Refresh: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			rt := signInAt(t, a).RefreshToken
			form := url.Values{}
			for k, vs := range tc.form {
				for _, v := range vs {
					form.Add(k, strings.ReplaceAll(v, "{rt}", rt))
				}
			}
			req, err := http.NewRequest(http.MethodPost, a.URL+"/oauth2/revoke", strings.NewReader(form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.basic {
				req.SetBasicAuth(url.QueryEscape(a.ClientID), url.QueryEscape(a.Secret))
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var answer struct {
				Error string `json:"error"`
			}
			if len(body) > 0 {
				if err := json.Unmarshal(body, &answer); err != nil {
					t.Fatalf("status %d, body %q: %v", resp.StatusCode, body, err)
				}
			}
			if resp.StatusCode != tc.status || answer.Error != tc.err {
				t.Errorf("status %d, error %q; want %d, %q", resp.StatusCode, answer.Error, tc.status, tc.err)
			}
			refresh := url.Values{"grant_type": {"refresh_token"}, "client_id": {a.ClientID}, "refresh_token": {rt}}
			if !tc.public {
				refresh.Set("client_secret", a.Secret)
			}
			if got := tokenAt(t, a, refresh).Error; got != tc.refresh {
				t.Errorf("the refresh afterwards answered %q, want %q", got, tc.refresh)
			}
		})
	}
}

// TestNoRevocation checks Options.NoRevocation: the metadata names no
// revocation endpoint, and none is served; without it, the metadata
// names the one served.
func TestNoRevocation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   Options
		named  bool
		status int // of a revocation request
	}{
		{name: "served", named: true, status: http.StatusOK},
		{name: "served, cognito", opts: Options{Pool: "eu-west-1_Test", Cognito: true}, named: true, status: http.StatusOK},
		{name: "none", opts: Options{NoRevocation: true}, status: http.StatusNotFound},
		{name: "none, cognito", opts: Options{Pool: "eu-west-1_Test", Cognito: true, NoRevocation: true}, status: http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Start(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			at := a.URL + "/.well-known/oauth-authorization-server"
			if tc.opts.Pool != "" {
				at = a.Issuer + "/.well-known/openid-configuration"
			}
			resp, err := http.Get(at)
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			err = json.NewDecoder(resp.Body).Decode(&doc)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			want := map[bool]any{true: a.URL + "/oauth2/revoke", false: nil}[tc.named]
			if diff := cmp.Diff(want, doc["revocation_endpoint"]); diff != "" {
				t.Errorf("revocation_endpoint (-want +got):\n%s", diff)
			}
			resp, err = http.PostForm(a.URL+"/oauth2/revoke", url.Values{"client_id": {a.ClientID}, "client_secret": {a.Secret}, "token": {"rt-any"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("a revocation request answered %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}
}

// signInAt has a person sign in, at once, and returns the token answer:
// with a refresh token when the server offers one.
func signInAt(t *testing.T, a *Server) tokenResponse {
	t.Helper()
	sum := sha256.Sum256([]byte(testVerifier))
	_, back := authorizeAt(t, a, url.Values{"response_type": {"code"}, "client_id": {a.ClientID}, "redirect_uri": {testRedirect},
		"scope": {"s1"}, "state": {"st-42"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}})
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {a.ClientID}, "code": {back.Get("code")},
		"redirect_uri": {testRedirect}, "code_verifier": {testVerifier}}
	if !a.opts.Public {
		form.Set("client_secret", a.Secret)
	}
	tok := tokenAt(t, a, form)
	if tok.RefreshToken == "" {
		t.Fatalf("the sign-in gave no refresh token: %+v", tok)
	}
	return tok
}
