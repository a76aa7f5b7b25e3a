package oauthtest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	testRedirect = "http://localhost:8976/callback"
	testVerifier = "dBjftJeZ4CVP-mJ0.2k6V-the-verifier-of-this-test_1234"
)

// authorizeAt asks the authorization endpoint for a code and returns the
// query of the redirect it answers with.
func authorizeAt(t *testing.T, a *Server, params url.Values) (int, url.Values) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(a.URL + "/oauth2/authorize?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, loc.Query()
}

// redeemAt sends an authorization_code token request and returns its
// status and the JSON answer's error.
func redeemAt(t *testing.T, a *Server, form url.Values) (int, string) {
	t.Helper()
	body := tokenAt(t, a, form)
	if body.Status == http.StatusOK && body.AccessToken == "" {
		t.Errorf("a 200 without a token")
	}
	return body.Status, body.Error
}

// TestAuthorizationCode checks the authorization endpoint and the
// authorization_code grant: a code is redeemed once, by the verifier of
// its challenge, with its redirect URI; a refusal comes back to the
// redirect URI with the state.
func TestAuthorizationCode(t *testing.T) {
	sum := sha256.Sum256([]byte(testVerifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	authParams := func(mod func(url.Values)) url.Values {
		v := url.Values{"response_type": {"code"}, "client_id": {DefaultClientID}, "redirect_uri": {testRedirect},
			"scope": {"s1"}, "state": {"st-42"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
		if mod != nil {
			mod(v)
		}
		return v
	}
	tests := []struct {
		name       string
		opts       Options
		auth       url.Values
		authStatus int
		authError  string   // in the redirect
		verifier   string   // "" the right one
		redirect   string   // "" the one authorized
		redeems    []string // the errors of redeeming the code, in turn
	}{
		{name: "redeemed once", opts: Options{Public: true, Scopes: []string{"s1"}}, auth: authParams(nil),
			redeems: []string{"", "invalid_grant"}},
		{name: "wrong verifier spends the code", opts: Options{Public: true, Scopes: []string{"s1"}}, auth: authParams(nil),
			verifier: "another-verifier-of-forty-three-characters-long", redeems: []string{"invalid_grant", "invalid_grant"}},
		{name: "other redirect uri", opts: Options{Public: true, Scopes: []string{"s1"}}, auth: authParams(nil),
			redirect: "http://localhost:9999/callback", redeems: []string{"invalid_grant"}},
		{name: "confidential client without its secret", opts: Options{Scopes: []string{"s1"}}, auth: authParams(nil),
			redeems: []string{"invalid_client"}},
		{name: "a registered redirect uri with a query", opts: Options{Public: true, Scopes: []string{"s1"}, RedirectURIs: []string{testRedirect + "?tenant=t1"}},
			auth: authParams(func(v url.Values) { v.Set("redirect_uri", testRedirect+"?tenant=t1") }), redirect: testRedirect + "?tenant=t1", redeems: []string{""}},
		{name: "denied", opts: Options{Public: true, Scopes: []string{"s1"}, Deny: true}, auth: authParams(nil), authError: "access_denied"},
		{name: "no challenge", opts: Options{Public: true, Scopes: []string{"s1"}}, auth: authParams(func(v url.Values) { v.Del("code_challenge") }), authError: "invalid_request"},
		{name: "plain challenge", opts: Options{Public: true, Scopes: []string{"s1"}}, auth: authParams(func(v url.Values) { v.Set("code_challenge_method", "plain") }), authError: "invalid_request"},
		{name: "implicit grant", opts: Options{Public: true, Scopes: []string{"s1"}}, auth: authParams(func(v url.Values) { v.Set("response_type", "token") }), authError: "unsupported_response_type"},
		{name: "scope not allowed", opts: Options{Public: true, Scopes: []string{"s2"}}, auth: authParams(nil), authError: "invalid_scope"},
		{name: "redirect not registered", opts: Options{Public: true, RedirectURIs: []string{"http://localhost:1/callback"}}, auth: authParams(nil), authStatus: http.StatusBadRequest},
		{name: "redirect not loopback", opts: Options{Public: true}, auth: authParams(func(v url.Values) { v.Set("redirect_uri", "http://evil.example/callback") }), authStatus: http.StatusBadRequest},
		{name: "redirect not http", opts: Options{Public: true}, auth: authParams(func(v url.Values) { v.Set("redirect_uri", "app.example://localhost/callback") }), authStatus: http.StatusBadRequest},
		{name: "unknown client", opts: Options{Public: true}, auth: authParams(func(v url.Values) { v.Set("client_id", "other") }), authStatus: http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Start(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			status, back := authorizeAt(t, a, tc.auth)
			if want := cmpOr(tc.authStatus, http.StatusFound); status != want {
				t.Fatalf("authorization endpoint: status %d, want %d", status, want)
			}
			if status != http.StatusFound {
				return
			}
			if back.Get("state") != "st-42" {
				t.Errorf("state %q, want st-42", back.Get("state"))
			}
			// The redirect URI's own query is kept (RFC 6749 §3.1.2).
			registered, err := url.Parse(tc.auth.Get("redirect_uri"))
			if err != nil {
				t.Fatal(err)
			}
			for k := range registered.Query() {
				if back.Get(k) != registered.Query().Get(k) {
					t.Errorf("%s %q, want the redirect URI's %q", k, back.Get(k), registered.Query().Get(k))
				}
			}
			if back.Get("error") != tc.authError {
				t.Fatalf("error %q, want %q", back.Get("error"), tc.authError)
			}
			if tc.authError != "" {
				if back.Has("code") {
					t.Errorf("a refusal with a code: %v", back)
				}
				return
			}
			var got []string
			for range tc.redeems {
				status, e := redeemAt(t, a, url.Values{"grant_type": {"authorization_code"}, "client_id": {a.ClientID}, "code": {back.Get("code")},
					"redirect_uri": {cmpOr(tc.redirect, testRedirect)}, "code_verifier": {cmpOr(tc.verifier, testVerifier)}})
				got = append(got, e)
				// RFC 6749 §5.2: 401 for a client that failed to
				// authenticate, 400 for the other refusals.
				if want := cmpOr(map[string]int{"": http.StatusOK, "invalid_client": http.StatusUnauthorized}[e], http.StatusBadRequest); status != want {
					t.Errorf("a redemption answered %q with status %d, want %d", e, status, want)
				}
			}
			if diff := cmp.Diff(tc.redeems, got); diff != "" {
				t.Errorf("redemptions (-want +got):\n%s", diff)
			}
			_, issued := a.Seen()
			if tc.redeems[0] == "" {
				if len(issued) != 1 || !strings.Contains(claims(t, issued[0]), `"sub":"`+DefaultSubject+`"`) || !strings.Contains(claims(t, issued[0]), `"scope":"s1"`) {
					t.Errorf("issued %q, want one token for %s with the scope asked, s1", issued, DefaultSubject)
				}
			}
		})
	}
}

func cmpOr[T comparable](v, fallback T) T {
	var zero T
	if v == zero {
		return fallback
	}
	return v
}

// claims is the JSON of a JWT's payload.
func claims(t *testing.T, jwt string) string {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRefreshToken checks the refresh_token grant of Options.Refresh: a
// refresh token comes with the code's token, is taken once and rotated,
// and a used or revoked one is refused; without Refresh the grant is not
// supported at all.
func TestRefreshToken(t *testing.T) {
	sum := sha256.Sum256([]byte(testVerifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	tests := []struct {
		name    string
		refresh bool
		revoke  bool
		uses    []int    // the refresh token each refresh sends: the code's (0), then those refreshes gave
		want    []string // the error of each refresh
	}{
		{name: "rotated", refresh: true, uses: []int{0, 0, 1}, want: []string{"", "invalid_grant", ""}},
		{name: "revoked", refresh: true, revoke: true, uses: []int{0}, want: []string{"invalid_grant"}},
		{name: "not offered", uses: []int{0}, want: []string{"unsupported_grant_type"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Start(Options{Public: true, Scopes: []string{"s1"}, Refresh: tc.refresh})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			_, back := authorizeAt(t, a, url.Values{"response_type": {"code"}, "client_id": {DefaultClientID}, "redirect_uri": {testRedirect},
				"scope": {"s1"}, "state": {"st-42"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}})
			first := tokenAt(t, a, url.Values{"grant_type": {"authorization_code"}, "client_id": {a.ClientID}, "code": {back.Get("code")},
				"redirect_uri": {testRedirect}, "code_verifier": {testVerifier}})
			if tc.refresh != (first.RefreshToken != "") {
				t.Fatalf("refresh token %q with Refresh %v", first.RefreshToken, tc.refresh)
			}
			if tc.revoke {
				a.RevokeRefresh()
			}
			tokens := []string{cmpOr(first.RefreshToken, "rt-none")}
			var got []string
			for _, i := range tc.uses {
				b := tokenAt(t, a, url.Values{"grant_type": {"refresh_token"}, "client_id": {a.ClientID}, "refresh_token": {tokens[i]}})
				got = append(got, b.Error)
				if want := map[bool]int{true: http.StatusOK, false: http.StatusBadRequest}[b.Error == ""]; b.Status != want {
					t.Errorf("a refresh answered %q with status %d, want %d", b.Error, b.Status, want)
				}
				if b.Error == "" {
					if !strings.Contains(claims(t, b.AccessToken), `"sub":"`+DefaultSubject+`"`) {
						t.Errorf("the refreshed token is not for %s", DefaultSubject)
					}
					if b.AccessToken == first.AccessToken {
						t.Errorf("the refreshed token is the one it replaces")
					}
					tokens = append(tokens, b.RefreshToken)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("refreshes (-want +got):\n%s", diff)
			}
			grants := a.Grants()
			if want := len(tc.uses) + 1; len(grants) != want || grants[0] != "authorization_code" || grants[1] != "refresh_token" {
				t.Errorf("grants %q, want authorization_code, then refresh_token", grants)
			}
		})
	}
}

// tokenResponse is a token endpoint's JSON answer, and its status and
// header.
type tokenResponse struct {
	Status       int         `json:"-"`
	Header       http.Header `json:"-"`
	Error        string      `json:"error"`
	AccessToken  string      `json:"access_token"`
	TokenType    string      `json:"token_type"`
	ExpiresIn    int         `json:"expires_in"`
	RefreshToken string      `json:"refresh_token"`
}

// tokenAt sends a token request, with the client id and secret of basic
// in Basic when given, and returns its answer. An answer that carries
// tokens must tell caches not to store it (RFC 6749 §5.1).
func tokenAt(t *testing.T, a *Server, form url.Values, basic ...string) tokenResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, a.URL+"/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basic) == 2 {
		req.SetBasicAuth(url.QueryEscape(basic[0]), url.QueryEscape(basic[1]))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body := tokenResponse{Status: resp.StatusCode, Header: resp.Header}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("status %d: %v", resp.StatusCode, err)
	}
	if got := resp.Header.Get("Cache-Control"); body.AccessToken != "" && got != "no-store" {
		t.Errorf("a token answer with Cache-Control %q, want no-store", got)
	}
	return body
}
