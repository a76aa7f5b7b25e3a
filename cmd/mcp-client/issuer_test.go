package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
)

// TestIssuerPinned checks that the client secret goes only to the token
// endpoint of the metadata of the issuer the client was given, whatever
// the server connected to names; each server here would take the secret,
// so a run that gets a token has leaked it.
func TestIssuerPinned(t *testing.T) {
	scopes := []string{testScope}
	tests := []struct {
		name     string
		named    oauthtest.Options // the authorization server the server names, or the server itself (bareMCP)
		pinNamed bool              // the client is given the named server's issuer, not its own
		wantErr  func(named, own *oauthtest.Server) []string
	}{
		{name: "server names another", named: oauthtest.Options{Pool: "eu-west-1_Other", AuthMethods: []string{"client_secret_post"}, Scopes: scopes},
			wantErr: func(named, own *oauthtest.Server) []string {
				return []string{"the server names the authorization server " + named.Issuer + ", not the issuer the client was given, " + own.Issuer + " (-issuer or MCP_CLIENT_ISSUER); the client secret was not sent"}
			}},
		{name: "server names another without metadata", named: oauthtest.Options{NoMetadata: true, Scopes: scopes},
			wantErr: func(named, own *oauthtest.Server) []string {
				return []string{"the server names the authorization server " + named.Issuer + ", not the issuer the client was given, " + own.Issuer}
			}},
		{name: "the issuer has no metadata", named: oauthtest.Options{NoMetadata: true, Scopes: scopes}, pinNamed: true,
			wantErr: func(named, _ *oauthtest.Server) []string {
				return []string{"no authorization server metadata of issuer " + named.Issuer + " was found; tried ", named.URL + "/.well-known/oauth-authorization-server (HTTP 404)"}
			}},
		{name: "the pool has no metadata", named: oauthtest.Options{Pool: "eu-west-1_Gone", NoMetadata: true, Scopes: scopes}, pinNamed: true,
			wantErr: func(named, _ *oauthtest.Server) []string {
				return []string{"the client secret goes only to the token endpoint that metadata names, not to " + named.Issuer + "/token, which the go-sdk falls back on"}
			}},
		{name: "no resource metadata", named: oauthtest.Options{BareMCP: true, AuthMethods: []string{"client_secret_post"}, Scopes: scopes},
			wantErr: func(named, own *oauthtest.Server) []string {
				return []string{"the server publishes no protected resource metadata, so the go-sdk takes its root " + named.URL + " for the authorization server, not the issuer the client was given, " + own.Issuer}
			}},
		{name: "no resource metadata, the issuer is the server", named: oauthtest.Options{BareMCP: true, NoMetadata: true, Scopes: scopes}, pinNamed: true,
			wantErr: func(named, _ *oauthtest.Server) []string {
				return []string{"no authorization server metadata of issuer " + named.Issuer + " was found"}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			own := startAS(t, oauthtest.Options{Pool: "eu-west-1_Test", AuthMethods: []string{"client_secret_basic"}, Scopes: scopes})
			named := startAS(t, tc.named)
			endpoint := named.URL + "/mcp"
			if !tc.named.BareMCP {
				endpoint = startJWTReference(t, own, map[string]string{"MCP_AUTHORIZATION_SERVERS": named.Issuer})
			}
			issuer := own.Issuer
			if tc.pinNamed {
				issuer = named.Issuer
			}
			env := map[string]string{"MCP_CLIENT_ID": own.ClientID, "MCP_CLIENT_SECRET": own.Secret, "MCP_CLIENT_ISSUER": issuer}
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-endpoint", endpoint}, func(k string) string { return env[k] }, &stdout, &stderr)
			t.Logf("stderr: %s", stderr.String())
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			for _, want := range tc.wantErr(named, own) {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr %q lacks %q", stderr.String(), want)
				}
			}
			for _, as := range []*oauthtest.Server{named, own} {
				if ps := as.Posts(); len(ps) > 0 {
					t.Errorf("%s was sent %q, which carry the client secret", as.Issuer, ps)
				}
			}
			if strings.Contains(stderr.String(), own.Secret) {
				t.Errorf("stderr %q shows the secret", stderr.String())
			}
		})
	}
}

// TestAuthorizesPinnedEndpointAlone checks that a person is sent to sign
// in only at an authorization endpoint the pinned issuer's metadata named,
// with the request's parameters after it: not at a URL that merely begins
// as one does, another path or another host.
func TestAuthorizesPinnedEndpointAlone(t *testing.T) {
	p := &pinnedIssuer{authEndpoints: map[string]bool{"https://as.example/authorize": true, "https://login.example": true, "https://tenant.example/authorize?tenant=t1": true}}
	for _, tc := range []struct {
		url  string
		want bool
	}{
		{"https://as.example/authorize?response_type=code&state=st-1", true},
		{"https://login.example?response_type=code", true},
		{"https://tenant.example/authorize?tenant=t1&response_type=code", true},
		{"https://as.example/authorize", false},
		{"https://as.example/authorized?response_type=code", false},
		{"https://as.example/authorize/../elsewhere?response_type=code", false},
		{"https://login.example.evil.example/?response_type=code", false},
		{"https://tenant.example/authorize?tenant=t10&response_type=code", false},
	} {
		if got := p.authorizes(tc.url); got != tc.want {
			t.Errorf("authorizes(%q) = %v, want %v", tc.url, got, tc.want)
		}
	}
}

// TestTokenRequestOnlyToPinnedEndpoint checks the flow transport's rule:
// the token request goes to the token endpoint named by metadata fetched
// from the pinned issuer's metadata URLs and naming that issuer, and
// nowhere else.
func TestTokenRequestOnlyToPinnedEndpoint(t *testing.T) {
	const (
		cognito = testIssuer + "/.well-known/openid-configuration"
		domain  = "https://demo.auth.eu-west-1.amazoncognito.com/oauth2/token"
	)
	metadata := func(issuer, token string) string {
		return `{"issuer":"` + issuer + `","token_endpoint":"` + token + `","code_challenge_methods_supported":["S256"]}`
	}
	const slashed = "https://tenant.example.com/" // an issuer that ends in a slash
	tests := []struct {
		name       string
		pinned     string // the -issuer; "" for testIssuer
		get        string // the metadata request
		redirected string // the URL it was redirected to, if it was
		status     int
		body       string
		post       string
		sent       bool
	}{
		{"named by the issuer's metadata", "", cognito, "", 200, metadata(testIssuer, domain), domain, true},
		{"an issuer ending in a slash, OpenID", slashed, slashed + ".well-known/openid-configuration/", "", 200, metadata(slashed, slashed+"oauth/token"), slashed + "oauth/token", true},
		{"an issuer ending in a slash, RFC 8414", slashed, slashed + ".well-known/oauth-authorization-server/", "", 200, metadata(slashed, slashed+"oauth/token"), slashed + "oauth/token", true},
		{"an issuer ending in a slash, appended", slashed, slashed + "/.well-known/openid-configuration", "", 200, metadata(slashed, slashed+"oauth/token"), slashed + "oauth/token", true},
		{"an issuer ending in a slash, elsewhere", slashed, slashed + "x/.well-known/openid-configuration", "", 200, metadata(slashed, slashed+"oauth/token"), slashed + "oauth/token", false},
		{"issuer with a trailing slash", "", cognito, "", 200, metadata(testIssuer+"/", domain), domain, true},
		{"metadata inserted before the path", "", "https://cognito-idp.eu-west-1.amazonaws.com/.well-known/oauth-authorization-server/eu-west-1_Test", "", 200, metadata(testIssuer, domain), domain, true},
		{"metadata redirected", "", cognito, "https://cdn.example.com/pool.json", 200, metadata(testIssuer, domain), domain, true},
		{"another endpoint than the one named", "", cognito, "", 200, metadata(testIssuer, domain), testIssuer + "/token", false},
		{"metadata naming another issuer", "", cognito, "", 200, metadata("https://auth.example.com", domain), domain, false},
		{"metadata elsewhere claiming the issuer", "", "https://auth.example.com/.well-known/oauth-authorization-server", "", 200, metadata(testIssuer, "https://auth.example.com/token"), "https://auth.example.com/token", false},
		{"no metadata: the go-sdk's fallback", "", cognito, "", 404, `{}`, testIssuer + "/token", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			posted := false
			tr := &flowTransport{log: &exchangeLog{}, pin: newPinnedIssuer(or(tc.pinned, testIssuer)), base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if r.Method == http.MethodPost {
					posted = true
				}
				return &http.Response{StatusCode: tc.status, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(tc.body)), Request: r}, nil
			})}
			get := httptest.NewRequest(http.MethodGet, tc.get, nil)
			if tc.redirected != "" {
				to := httptest.NewRequest(http.MethodGet, tc.redirected, nil)
				to.Response = &http.Response{StatusCode: http.StatusFound, Request: get}
				get = to
			}
			resp, err := tr.RoundTrip(get)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := io.ReadAll(resp.Body); string(got) != tc.body {
				t.Errorf("the metadata reads %q, want %q as it came", got, tc.body)
			}
			_, err = tr.RoundTrip(httptest.NewRequest(http.MethodPost, tc.post, strings.NewReader("client_secret=s3cr3t")))
			if posted != tc.sent || (err != nil) == tc.sent {
				t.Errorf("POST %s: sent %v, err %v; want sent %v", tc.post, posted, err, tc.sent)
			}
		})
	}
}

// TestResourceMetadataForAnotherResource checks the line of a run whose
// endpoint is not the resource the server's protected resource metadata
// names (another host name for it, a query, a trailing slash): the go-sdk
// does not use that metadata (RFC 9728 §3.3) and falls back on the
// server's root, and the line says so, not that the server names the
// root for its authorization server.
func TestResourceMetadataForAnotherResource(t *testing.T) {
	as := startAS(t, oauthtest.Options{Pool: "eu-west-1_Test", AuthMethods: []string{"client_secret_basic"}, Scopes: []string{testScope}})
	endpoint := startJWTReference(t, as, nil)
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, endpoint string }{
		{name: "another host name", endpoint: "http://localhost:" + u.Port() + u.Path},
		{name: "query", endpoint: endpoint + "?tenant=t1"},
		{name: "trailing slash", endpoint: endpoint + "/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"MCP_CLIENT_ID": as.ClientID, "MCP_CLIENT_SECRET": as.Secret, "MCP_CLIENT_ISSUER": as.Issuer}
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-endpoint", tc.endpoint}, func(k string) string { return env[k] }, &stdout, &stderr)
			want := ") is for the resource " + endpoint + ", not for this endpoint (RFC 9728 §3.3), so the go-sdk did not use it and took the server's root "
			if code != 1 || !strings.Contains(stderr.String(), want) {
				t.Errorf("exit %d, stderr %q; want 1 and a line with %q", code, stderr.String(), want)
			}
			if !strings.HasSuffix(stderr.String(), "; the client secret was not sent: give that resource as -endpoint\n") {
				t.Errorf("stderr %q does not say what to do", stderr.String())
			}
			if ps := as.Posts(); len(ps) > 0 {
				t.Errorf("%s was sent %q", as.Issuer, ps)
			}
		})
	}
}
