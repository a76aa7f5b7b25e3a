package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
)

// signInCase is a -login run against an authorization server shaped by
// as: the last line of its standard error, with {MCP} for the MCP
// endpoint, {RS} for its root and {AS} for the authorization server's,
// the times the browser was opened, and the requests the authorization
// server was sent.
type signInCase struct {
	name     string
	as       oauthtest.Options
	args     []string
	wantErr  string
	opens    int
	requests []string
}

// runSignIns runs each case as a person's sign-in with a browser that
// follows the authorization server's redirects, and checks it fails so.
func runSignIns(t *testing.T, tests []signInCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			as := startAS(t, tc.as)
			endpoint := startJWTReference(t, as, nil)
			b := newBrowser()
			withOpener(t, b.open)
			args := append([]string{"-login", "-client-id", as.ClientID, "-issuer", as.Issuer, "-redirect-port", "0", "-endpoint", endpoint}, tc.args...)
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), args, func(string) string { return "" }, &stdout, &stderr)
			if code != 1 {
				t.Fatalf("exit %d, want 1; stderr %q", code, stderr.String())
			}
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			want := strings.NewReplacer("{MCP}", endpoint, "{RS}", strings.TrimSuffix(endpoint, "/mcp"), "{AS}", as.URL).Replace(tc.wantErr)
			if diff := cmp.Diff(want, lines[len(lines)-1]); diff != "" {
				t.Errorf("the explanation (-want +got):\n%s", diff)
			}
			if opened, _, _ := b.seen(); len(opened) != tc.opens {
				t.Errorf("the browser was opened %d times, want %d: %q", len(opened), tc.opens, opened)
			}
			if diff := cmp.Diff(tc.requests, as.Requests()); diff != "" {
				t.Errorf("the authorization server's requests (-want +got):\n%s", diff)
			}
		})
	}
}

// signInOptions are those of a public client's authorization server,
// changed by f.
func signInOptions(f func(*oauthtest.Options)) oauthtest.Options {
	o := oauthtest.Options{Public: true, Scopes: []string{testScope}}
	f(&o)
	return o
}

const (
	rfc8414   = "GET /.well-known/oauth-authorization-server"
	openID    = "GET /.well-known/openid-configuration"
	authorize = "GET /oauth2/authorize"
	tokenPost = "POST /oauth2/token"
	// signInRefusedPrefix is what the run says, before the reason, of a
	// sign-in that got no token.
	signInRefusedPrefix = `mcp-client: {MCP} asks for a token, and client "client-7f3a" could not get one: `
	resourceMetadata    = "{RS}/.well-known/oauth-protected-resource/mcp (HTTP 200)"
)

// TestSignInWithoutAuthorizationEndpoint checks that the browser is sent
// nowhere when the issuer's metadata names no authorization endpoint, or
// when there is no metadata, and that the run tells the one from the
// other.
func TestSignInWithoutAuthorizationEndpoint(t *testing.T) {
	runSignIns(t, []signInCase{
		{name: "no metadata", as: signInOptions(func(o *oauthtest.Options) { o.NoMetadata = true }),
			wantErr: signInRefusedPrefix + "no authorization server metadata of issuer {AS} was found; tried " + resourceMetadata +
				", {AS}/.well-known/oauth-authorization-server (HTTP 404), {AS}/.well-known/openid-configuration (HTTP 404); the browser goes only to the authorization endpoint that metadata names, not to one the go-sdk falls back on, and was sent nowhere",
			requests: []string{rfc8414, openID}},
		{name: "metadata naming none", as: signInOptions(func(o *oauthtest.Options) { o.NoAuthEndpoint = true }),
			wantErr:  signInRefusedPrefix + "the authorization server metadata of issuer {AS} ({AS}/.well-known/oauth-authorization-server) names no authorization_endpoint, where a person signs in: the server may not offer the authorization code grant; the browser was sent nowhere",
			requests: []string{rfc8414}},
	})
}

// TestSignInIssuerAnswer checks the sign-in's answer against RFC 9207:
// one that names another issuer, or none where the metadata says it
// names it, is not exchanged for a token.
func TestSignInIssuerAnswer(t *testing.T) {
	runSignIns(t, []signInCase{
		{name: "another issuer", as: signInOptions(func(o *oauthtest.Options) { o.CallbackIss = "https://other.example" }),
			wantErr: signInRefusedPrefix + `the sign-in came back naming the issuer "https://other.example", not {AS} (RFC 9207 iss): the answer may be another authorization server's; its code was not exchanged`,
			opens:   1, requests: []string{rfc8414, authorize}},
		{name: "another issuer, iss announced", as: signInOptions(func(o *oauthtest.Options) { o.CallbackIss = "https://other.example"; o.IssSupported = true }),
			wantErr: signInRefusedPrefix + `the sign-in came back naming the issuer "https://other.example", not {AS} (RFC 9207 iss): the answer may be another authorization server's; its code was not exchanged`,
			opens:   1, requests: []string{rfc8414, authorize}},
		{name: "no iss, iss announced", as: signInOptions(func(o *oauthtest.Options) { o.IssSupported = true }),
			wantErr: signInRefusedPrefix + "the metadata of issuer {AS} says its sign-in answers name it (authorization_response_iss_parameter_supported), and this one did not (RFC 9207): its code was not exchanged",
			opens:   1, requests: []string{rfc8414, authorize}},
	})
}

// TestSignInRefusedOtherwise checks the sign-ins the authorization
// server's metadata or its authorization endpoint stop otherwise: a plain
// http authorization endpoint, which the go-sdk refuses with the metadata
// whatever -insecure says, and an error other than access_denied.
func TestSignInRefusedOtherwise(t *testing.T) {
	plain := signInOptions(func(o *oauthtest.Options) { o.AuthEndpoint = "http://as.example/authorize" })
	plainErr := signInRefusedPrefix + `the authorization server's metadata cannot be used: authorization_endpoint: URL "http://as.example/authorize" does not use HTTPS or is not a loopback address; tried ` +
		resourceMetadata + ", {AS}/.well-known/oauth-authorization-server (HTTP 200)"
	runSignIns(t, []signInCase{
		{name: "plain http authorization endpoint", as: plain, wantErr: plainErr, requests: []string{rfc8414}},
		{name: "plain http authorization endpoint, insecure", as: plain, args: []string{"-insecure"}, wantErr: plainErr, requests: []string{rfc8414}},
		{name: "scope refused", as: signInOptions(func(o *oauthtest.Options) { o.Scopes = []string{"https://mcp.test/other"} }),
			wantErr: signInRefusedPrefix + `the authorization server answered the sign-in with an error: invalid_scope "Invalid scope requested: ` + testScope + `"`,
			opens:   1, requests: []string{rfc8414, authorize}},
		{name: "error without a description", as: signInOptions(func(o *oauthtest.Options) { o.Refuse = "temporarily_unavailable" }),
			wantErr: signInRefusedPrefix + "the authorization server answered the sign-in with an error: temporarily_unavailable",
			opens:   1, requests: []string{rfc8414, authorize}},
		{name: "neither code nor error", as: signInOptions(func(o *oauthtest.Options) { o.NoCode = true }),
			wantErr: signInRefusedPrefix + `the authorization server answered the sign-in with an error: invalid_request "the callback has neither a code nor an error"`,
			opens:   1, requests: []string{rfc8414, authorize}},
	})
}

// TestSignInWithoutBrowser checks that a browser that does not open
// leaves the printed URL to follow, and the sign-in goes on.
func TestSignInWithoutBrowser(t *testing.T) {
	as := startAS(t, signInOptions(func(*oauthtest.Options) {}))
	endpoint := startJWTReference(t, as, nil)
	withOpener(t, func(string) error { return errors.New("no display") })
	b := newBrowser()
	var stdout bytes.Buffer
	stderr := &urlWatcher{b: b, follow: true}
	code := run(t.Context(), []string{"-login", "-client-id", as.ClientID, "-issuer", as.Issuer, "-redirect-port", "0", "-endpoint", endpoint},
		func(string) string { return "" }, &stdout, stderr)
	checkRunOutput(t, code, 0, stdout.String(), stderr.String(), []string{"ping #2"}, []string{"\nmcp-client: no browser opened (no display): open the URL above\n"})
	<-b.done // the printed URL, followed
}

// TestOneFlowPerRefusal checks that a run asks the authorization server
// (and, signing a person in, the person) once for what a refusal asks
// for, though the go-sdk runs a flow for each refused request: the
// connect's server/discover and initialize, and a token the server
// refuses, refused again.
func TestOneFlowPerRefusal(t *testing.T) {
	const jwks = "GET /jwks.json"
	tests := []struct {
		name      string
		as        oauthtest.Options
		serverEnv map[string]string
		login     bool
		secret    string // "": the right one
		wantErr   string // in the last line of standard error
		opens     int
		requests  []string
	}{
		{name: "client secret refused", as: oauthtest.Options{AuthMethods: []string{"client_secret_post"}, Scopes: []string{testScope}}, secret: "wr0ng-s3cr3t-value",
			wantErr: `invalid_client "Client authentication failed"`, requests: []string{rfc8414, tokenPost}},
		{name: "client's token refused", as: oauthtest.Options{AuthMethods: []string{"client_secret_post"}, Scopes: []string{testScope}}, serverEnv: map[string]string{"MCP_JWT_AUDIENCE": "another-client"},
			wantErr: "the server refused the token", requests: []string{rfc8414, tokenPost, jwks}},
		{name: "client's token without the scope", as: oauthtest.Options{AuthMethods: []string{"client_secret_post"}, Scopes: []string{testScope}, Grant: []string{"https://mcp.test/other"}},
			wantErr: "the token lacks a scope this server requires", requests: []string{rfc8414, tokenPost, jwks}},
		{name: "person's token refused", as: signInOptions(func(*oauthtest.Options) {}), serverEnv: map[string]string{"MCP_JWT_AUDIENCE": "another-client"}, login: true,
			wantErr: "the server refused the token", opens: 1, requests: []string{rfc8414, authorize, tokenPost, jwks}},
		{name: "person's token without the scope", as: signInOptions(func(o *oauthtest.Options) { o.Grant = []string{"https://mcp.test/other"} }), login: true,
			wantErr: "the token lacks a scope this server requires", opens: 1, requests: []string{rfc8414, authorize, tokenPost, jwks}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			as := startAS(t, tc.as)
			endpoint := startJWTReference(t, as, tc.serverEnv)
			b := newBrowser()
			withOpener(t, b.open)
			env := map[string]string{"MCP_CLIENT_SECRET": or(tc.secret, as.Secret)}
			args := []string{"-client-id", as.ClientID, "-issuer", as.Issuer, "-endpoint", endpoint}
			if tc.login {
				env = nil
				args = append(args, "-login", "-redirect-port", "0")
			}
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), args, func(k string) string { return env[k] }, &stdout, &stderr)
			checkRunOutput(t, code, 1, stdout.String(), stderr.String(), nil, []string{tc.wantErr})
			if opened, _, _ := b.seen(); len(opened) != tc.opens {
				t.Errorf("the browser was opened %d times, want %d: %q", len(opened), tc.opens, opened)
			}
			if diff := cmp.Diff(tc.requests, as.Requests()); diff != "" {
				t.Errorf("the authorization server's requests (-want +got):\n%s", diff)
			}
		})
	}
}

// TestStepUpStillAsks checks that a refusal asking for more scope than a
// flow was run for runs another: a server that wants a second scope
// (RFC 6750 §3.1 insufficient_scope) gets a token that has it, whether
// its challenge is written as RFC 9110 has it, with its parameters
// separated by spaces (as an HTTP API's JWT authorizer writes it), or
// after a challenge of another scheme, as the go-sdk steps up for each.
func TestStepUpStillAsks(t *testing.T) {
	const more = "https://mcp.test/more"
	for _, tc := range []struct {
		name      string
		challenge func(prm string) []string // the 403's WWW-Authenticate
	}{
		{name: "as RFC 9110 has it", challenge: func(prm string) []string {
			return []string{`Bearer error="insufficient_scope", resource_metadata="` + prm + `", scope="` + testScope + " " + more + `"`}
		}},
		{name: "parameters separated by spaces", challenge: func(prm string) []string {
			return []string{`Bearer scope="` + testScope + " " + more + `" error="insufficient_scope" error_description="expected scopes: [` + more + `]"`}
		}},
		{name: "after another scheme's challenge", challenge: func(prm string) []string {
			return []string{`DPoP algs="ES256"`, `Bearer error="insufficient_scope", resource_metadata="` + prm + `", scope="` + testScope + " " + more + `"`}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			as := startAS(t, oauthtest.Options{AuthMethods: []string{"client_secret_post"}, Scopes: []string{testScope, more}})
			target, err := url.Parse(startJWTReference(t, as, nil))
			if err != nil {
				t.Fatal(err)
			}
			proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(&url.URL{Scheme: target.Scheme, Host: target.Host}) }}
			// The front asks for testScope, then for both: it is the
			// resource, and its metadata says so.
			var front *httptest.Server
			front = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				prm := front.URL + "/.well-known/oauth-protected-resource/mcp"
				tok, sent := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
				switch {
				case r.URL.Path == "/.well-known/oauth-protected-resource/mcp":
					writeJSON(w, http.StatusOK, map[string]any{"resource": front.URL + "/mcp", "authorization_servers": []string{as.Issuer}})
				case !sent:
					w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="`+prm+`", scope="`+testScope+`"`)
					w.WriteHeader(http.StatusUnauthorized)
				case !slices.Contains(tokenScopes(tok), more):
					w.Header()["Www-Authenticate"] = tc.challenge(prm)
					w.WriteHeader(http.StatusForbidden)
				default:
					proxy.ServeHTTP(w, r)
				}
			}))
			t.Cleanup(front.Close)
			env := map[string]string{"MCP_CLIENT_SECRET": as.Secret}
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-client-id", as.ClientID, "-issuer", as.Issuer, "-endpoint", front.URL + "/mcp"}, func(k string) string { return env[k] }, &stdout, &stderr)
			checkRunOutput(t, code, 0, stdout.String(), stderr.String(), []string{"ping #2"}, nil)
			if diff := cmp.Diff([]string{rfc8414, tokenPost, rfc8414, tokenPost}, slices.DeleteFunc(as.Requests(), func(r string) bool { return r == "GET /jwks.json" })); diff != "" {
				t.Errorf("the authorization server's requests (-want +got):\n%s", diff)
			}
		})
	}
}

// tokenScopes are the scopes of a JWT's scope claim, read unverified.
func tokenScopes(tok string) []string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	var claims struct {
		Scope string `json:"scope"`
	}
	json.Unmarshal(payload, &claims)
	return strings.Fields(claims.Scope)
}
