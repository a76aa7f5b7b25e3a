package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
	"golang.org/x/oauth2"

	"github.com/lambdamcp/lambdamcp/internal/localfront"
	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
)

// TestClientCredentials runs the whole flow offline: the protected
// reference server's 401, its resource metadata, the authorization
// server's metadata (Cognito's form, at a path, and the root form), the
// token endpoint (Basic and form authentication), and the retry with the
// token it issued.
func TestClientCredentials(t *testing.T) {
	tests := []struct {
		name       string
		as         oauthtest.Options
		serverEnv  map[string]string
		secret     string // "" the right one
		args       []string
		code       int
		wantOut    []string // in stdout
		wantErr    []string // in stderr
		wantStyles []string // how the token requests authenticated
	}{
		{name: "cognito form, basic", as: oauthtest.Options{Pool: "eu-west-1_Test", AuthMethods: []string{"client_secret_basic"}, Scopes: []string{testScope}},
			wantOut: []string{"ping #2"}, wantStyles: []string{"basic"}},
		{name: "cognito's document, without code_challenge_methods_supported", as: oauthtest.Options{Pool: "us-east-1_Pool42", Cognito: true, AuthMethods: []string{"client_secret_basic", "client_secret_post"}, Scopes: []string{testScope}},
			wantOut: []string{"whoami", "ping #2"}, wantStyles: []string{"post"}},
		{name: "root form, post", as: oauthtest.Options{AuthMethods: []string{"client_secret_post"}, Scopes: []string{testScope}},
			wantOut: []string{"ping #2"}, wantStyles: []string{"post"}},
		{name: "whoami", as: oauthtest.Options{Pool: "eu-west-1_Test", AuthMethods: []string{"client_secret_basic", "client_secret_post"}, Scopes: []string{testScope}},
			args: []string{"-call", "whoami"}, wantOut: []string{`"client_id":"client-7f3a"`, `"method":"jwt"`}, wantStyles: []string{"post"}},
		{name: "wrong secret", as: oauthtest.Options{Pool: "eu-west-1_Test", AuthMethods: []string{"client_secret_basic"}, Scopes: []string{testScope}},
			secret: "wr0ng-s3cr3t-value", code: 1,
			wantErr: []string{`client "client-7f3a" could not get one`, `/oauth2/token refused it (HTTP 401): invalid_client "Client authentication failed"`, "MCP_CLIENT_SECRET"}, wantStyles: []string{"basic"}},
		{name: "wrong secret echoed", as: oauthtest.Options{AuthMethods: []string{"client_secret_post"}, Scopes: []string{testScope}, Echo: true},
			secret: "wr0ng-s3cr3t-value", code: 1, wantErr: []string{`invalid_client "Client authentication failed with secret [hidden]"`}, wantStyles: []string{"post"}},
		{name: "scope not granted", as: oauthtest.Options{AuthMethods: []string{"client_secret_post"}, Scopes: []string{"https://mcp.test/other"}},
			code: 1, wantErr: []string{`invalid_scope "Invalid scope requested: https://mcp.test/tools"`, "allow it that scope"}, wantStyles: []string{"post"}},
		{name: "token lacks the scope", as: oauthtest.Options{AuthMethods: []string{"client_secret_post"}, Scopes: []string{testScope}, Grant: []string{"https://mcp.test/other"}},
			code: 1, wantErr: []string{"HTTP 403", "the token lacks a scope this server requires"}, wantStyles: []string{"post"}},
		{name: "token refused", as: oauthtest.Options{AuthMethods: []string{"client_secret_post"}, Scopes: []string{testScope}},
			serverEnv: map[string]string{"MCP_JWT_AUDIENCE": "another-client"}, code: 1,
			wantErr: []string{`(HTTP 401): the server refused the token client "client-7f3a" obtained from the authorization server: invalid_token`}, wantStyles: []string{"post"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			as := startAS(t, tc.as)
			endpoint := startJWTReference(t, as, tc.serverEnv)
			secret := or(tc.secret, as.Secret)
			env := map[string]string{"MCP_SERVER_ENDPOINT": endpoint, "MCP_CLIENT_ID": as.ClientID, "MCP_CLIENT_SECRET": secret, "MCP_CLIENT_ISSUER": as.Issuer}
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tc.args, func(k string) string { return env[k] }, &stdout, &stderr)
			checkRunOutput(t, code, tc.code, stdout.String(), stderr.String(), tc.wantOut, tc.wantErr)
			styles, issued := as.Seen()
			if tc.wantStyles != nil {
				if diff := cmp.Diff(tc.wantStyles, styles); diff != "" {
					t.Errorf("token requests (-want +got):\n%s", diff)
				}
			}
			for _, s := range append(issued, secret) {
				if strings.Contains(stdout.String()+stderr.String(), s) {
					t.Errorf("a secret or token shows: stdout %q, stderr %q", stdout.String(), stderr.String())
				}
			}
		})
	}
}

// TestClientCredentialsTrace checks that -trace shows the flow's
// exchanges with the client secret and the token hidden: in the Basic
// header, in a form body, in the token endpoint's answer, and in the
// Authorization of the requests that carry it.
func TestClientCredentialsTrace(t *testing.T) {
	for _, method := range []string{"client_secret_basic", "client_secret_post"} {
		t.Run(method, func(t *testing.T) {
			as := startAS(t, oauthtest.Options{Pool: "eu-west-1_Test", AuthMethods: []string{method}, Scopes: []string{testScope}})
			endpoint := startJWTReference(t, as, nil)
			env := map[string]string{"MCP_CLIENT_SECRET": as.Secret}
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), []string{"-endpoint", endpoint, "-client-id", as.ClientID, "-issuer", as.Issuer, "-trace"}, func(k string) string { return env[k] }, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d; stderr %q", code, stderr.String())
			}
			_, issued := as.Seen()
			if len(issued) == 0 {
				t.Fatal("no token issued")
			}
			trace := stderr.String()
			for _, s := range append(issued, as.Secret) {
				if strings.Contains(trace, s) {
					t.Errorf("the trace shows %q", s)
				}
			}
			for _, want := range []string{"POST " + as.URL + "/oauth2/token", `"access_token":"[hidden]"`, "Authorization: Bearer [hidden]", "/.well-known/oauth-protected-resource"} {
				if !strings.Contains(trace, want) {
					t.Errorf("the trace lacks %q:\n%s", want, trace)
				}
			}
		})
	}
}

// TestClientCredentialsCommandLine checks the command lines that cannot
// run: a token and a client at once, a client without its secret or its
// issuer, an issuer that is none, a secret for plain http elsewhere. Those that may go on get an ended
// context: they stop interrupted (130), not with a usage error.
func TestClientCredentialsCommandLine(t *testing.T) {
	tests := []commandLine{
		{"token and client", []string{"-token", "t0k3n-abcdefgh", "-client-id", "c1"}, map[string]string{"MCP_CLIENT_SECRET": "s3cr3t-abcdefgh"}, 2, "exclude each other"},
		{"token from env and client", []string{"-client-id", "c1"}, map[string]string{"MCP_TOKEN": "t0k3n-abcdefgh", "MCP_CLIENT_SECRET": "s3cr3t-abcdefgh"}, 2, "exclude each other"},
		{"client from env and token", []string{"-token", "t0k3n-abcdefgh"}, map[string]string{"MCP_CLIENT_ID": "c1", "MCP_CLIENT_SECRET": "s3cr3t-abcdefgh"}, 2, "exclude each other"},
		{"no secret", []string{"-client-id", "c1", "-issuer", testIssuer}, nil, 2, "set MCP_CLIENT_SECRET"},
		{"no issuer", []string{"-client-id", "c1"}, map[string]string{"MCP_CLIENT_SECRET": "s3cr3t-abcdefgh"}, 2, `client "c1" has no issuer: give the URL of the authorization server it is registered with, -issuer or MCP_CLIENT_ISSUER`},
		{"no issuer, client from env", nil, map[string]string{"MCP_CLIENT_ID": "c1", "MCP_CLIENT_SECRET": "s3cr3t-abcdefgh"}, 2, "has no issuer"},
		{"issuer without client", []string{"-issuer", testIssuer}, nil, 2, "use it with -client-id"},
		{"issuer not a URL", []string{"-client-id", "c1", "-issuer", "eu-west-1_AbCdEf123"}, map[string]string{"MCP_CLIENT_SECRET": "s3cr3t-abcdefgh"}, 2, "is not an http(s) URL"},
		{"issuer with a query", []string{"-client-id", "c1", "-issuer", testIssuer + "?x=1"}, map[string]string{"MCP_CLIENT_SECRET": "s3cr3t-abcdefgh"}, 2, "which an issuer has not"},
		{"issuer over plain http", []string{"-client-id", "c1", "-issuer", "http://cognito-idp.example.com/pool"}, map[string]string{"MCP_CLIENT_SECRET": "s3cr3t-abcdefgh"}, 2, "use https"},
		{"issuer with user information", []string{"-client-id", "c1", "-issuer", "https://user@cognito-idp.example.com/pool"}, map[string]string{"MCP_CLIENT_SECRET": "s3cr3t-abcdefgh"}, 2, "has a query, a fragment or user information"},
		{"plain http elsewhere", []string{"-client-id", "c1", "-issuer", testIssuer, "-endpoint", "http://mcp.example.com/mcp"}, map[string]string{"MCP_CLIENT_SECRET": "s3cr3t-abcdefgh"}, 2, "plain http"},
		{"plain http elsewhere, insecure", []string{"-client-id", "c1", "-issuer", testIssuer, "-endpoint", "http://mcp.example.com/mcp", "-insecure"}, map[string]string{"MCP_CLIENT_SECRET": "s3cr3t-abcdefgh"}, 130, ""},
		{"client from env", nil, map[string]string{"MCP_CLIENT_ID": "c1", "MCP_CLIENT_ISSUER": testIssuer, "MCP_CLIENT_SECRET": "s3cr3t-abcdefgh"}, 130, ""},
	}
	checkCommandLines(t, tests)
}

// TestFlowPlainHTTP checks that the flow's own requests go over plain
// http to loopback hosts alone, unless -insecure: the go-sdk checks the
// metadata's URLs, not the ones it falls back on.
func TestFlowPlainHTTP(t *testing.T) {
	tests := []struct {
		url      string
		insecure bool
		sent     bool
	}{
		{"http://192.0.2.1/token", false, false},
		{"http://auth.example.com/token", false, false},
		{"http://auth.example.com/token", true, true},
		{"https://auth.example.com/token", false, true},
		{"http://127.0.0.1:9/token", false, true},
		{"http://localhost:9/token", false, true},
	}
	for _, tc := range tests {
		sent := false
		pin := newPinnedIssuer(testIssuer)
		pin.tokenEndpoints[tc.url] = true
		tr := &flowTransport{insecure: tc.insecure, log: &exchangeLog{}, pin: pin, base: roundTripFunc(func(*http.Request) (*http.Response, error) {
			sent = true
			return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(""))}, nil
		})}
		req := httptest.NewRequest(http.MethodPost, tc.url, strings.NewReader("client_secret=s3cr3t"))
		_, err := tr.RoundTrip(req)
		if sent != tc.sent || (err != nil) == tc.sent {
			t.Errorf("%s (insecure %v): sent %v, err %v; want sent %v", tc.url, tc.insecure, sent, err, tc.sent)
		}
	}
}

// TestNoAuthorizationServer checks the explanation of resource metadata
// that names no authorization server.
func TestNoAuthorizationServer(t *testing.T) {
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("/.well-known/oauth-protected-resource/mcp", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"resource": srv.URL + "/mcp", "authorization_servers": []string{}})
	})
	mux.HandleFunc("/mcp", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="`+srv.URL+`/.well-known/oauth-protected-resource/mcp"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	env := map[string]string{"MCP_CLIENT_SECRET": "s3cr3t-abcdefgh"}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-endpoint", srv.URL + "/mcp", "-client-id", "c1", "-issuer", testIssuer}, func(k string) string { return env[k] }, &stdout, &stderr)
	want := "protected resource metadata (" + srv.URL + "/.well-known/oauth-protected-resource/mcp) names no authorization server"
	if code != 1 || !strings.Contains(stderr.String(), want) {
		t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr.String(), want)
	}
}

// TestObtainedTokenStaysWithOrigin checks that a token the flow obtained
// goes to the endpoint's origin alone, as a -token does: were the go-sdk's
// transport to attach it, net/http would send it on after a redirect to
// the same host on another port (or a subdomain).
func TestObtainedTokenStaysWithOrigin(t *testing.T) {
	for _, tc := range []struct {
		name string
		want string // the Authorization the redirect's target sees
		via  func(target string) string
	}{
		{"same host, other port", "", func(target string) string {
			redirector := httptest.NewServer(http.RedirectHandler(target+"/mcp", http.StatusTemporaryRedirect))
			t.Cleanup(redirector.Close)
			return redirector.URL + "/mcp"
		}},
		{"same origin", "Bearer obt41ned-t0ken", func(target string) string { return target + "/old" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seenBy := startAuthSeen(t)
			flow := &oauthFlow{clientID: "c1", log: &exchangeLog{}, source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "obt41ned-t0ken"})}
			endpoint := tc.via(seenBy.srv.URL)
			session, _, err := connect(t.Context(), target{endpoint: endpoint, oauth: flow, interrupted: t.Context(), reach: standingIn(endpoint, seenBy.srv.URL)}, nil, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			session.Close()
			seenBy.checkSentOnly(t, tc.want)
		})
	}
}

// TestForbiddenNotAFlow checks that a 403 which asks for no scope (API
// Gateway's answer to a path outside its routes) is explained as the 403,
// not run through the flow, which would end at a token endpoint that is
// not there.
func TestForbiddenNotAFlow(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "Missing Authentication Token"})
	}))
	t.Cleanup(srv.Close)
	env := map[string]string{"MCP_CLIENT_SECRET": "s3cr3t-abcdefgh"}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-endpoint", srv.URL + "/prod/mpc", "-client-id", "c1", "-issuer", testIssuer}, func(k string) string { return env[k] }, &stdout, &stderr)
	if want := "check the URL's path and stage"; code != 1 || !strings.Contains(stderr.String(), want) {
		t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr.String(), want)
	}
}

// TestObtainedSecretsHidden checks that the client secret and a token
// obtained during the run are hidden in what a server echoes.
func TestObtainedSecretsHidden(t *testing.T) {
	s := newSecretSet("https://mcp.example.com/mcp", "", "s3cr3t/Zq9+xV2")
	s.addObtained("eyJhbGciOi.obtained.t0ken", minSecret)
	got := string(s.hide([]byte(`secret s3cr3t/Zq9+xV2 as form s3cr3t%2FZq9%2BxV2, token eyJhbGciOi.obtained.t0ken`)))
	if diff := cmp.Diff("secret [hidden] as form [hidden], token [hidden]", got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestClientCredentialsBehindHTTPAPIJWTAuthorizer checks the flow behind
// an HTTP API's JWT authorizer, whose challenge the go-sdk's parser
// refuses (parameters separated by spaces, an empty scope) and which names
// no metadata: the flow goes on from the metadata's well-known URL.
func TestClientCredentialsBehindHTTPAPIJWTAuthorizer(t *testing.T) {
	gateway := localfront.HTTPJWTChallenge("invalid_token", "", localfront.JWTInvalidIssuer)
	if _, err := oauthex.ParseWWWAuthenticate([]string{gateway}); err == nil {
		t.Fatal("the go-sdk parses the gateway's challenge: this test no longer tests the flow's way around it")
	}
	as := startAS(t, oauthtest.Options{Pool: "eu-west-1_Test", AuthMethods: []string{"client_secret_post"}, Scopes: []string{testScope}})
	var upstream atomic.Pointer[url.URL]
	front := httptest.NewServer(&httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(upstream.Load()) },
		ModifyResponse: func(resp *http.Response) error {
			if resp.StatusCode == http.StatusUnauthorized {
				resp.Header.Set("WWW-Authenticate", gateway)
			}
			return nil
		},
	})
	t.Cleanup(front.Close)
	endpoint := startJWTReference(t, as, map[string]string{"MCP_RESOURCE_URL": front.URL + "/mcp"})
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = ""
	upstream.Store(u)

	env := map[string]string{"MCP_SERVER_ENDPOINT": front.URL + "/mcp", "MCP_CLIENT_ID": as.ClientID, "MCP_CLIENT_SECRET": as.Secret, "MCP_CLIENT_ISSUER": as.Issuer}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), nil, func(k string) string { return env[k] }, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d; stderr %q", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "ping #2") {
		t.Errorf("stdout %q lacks ping #2", stdout.String())
	}
}

// TestFlowChallenge checks what the flow is handed of a challenge the
// go-sdk's parser refuses: the parameters it reads, in a form it parses.
func TestFlowChallenge(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`Bearer scope="" error="invalid_token"`, `Bearer error="invalid_token"`},
		{`Bearer resource_metadata="https://a.test/.well-known/oauth-protected-resource/mcp" scope="mcp:tools" error="insufficient_scope"`,
			`Bearer resource_metadata="https://a.test/.well-known/oauth-protected-resource/mcp", scope="mcp:tools", error="insufficient_scope"`},
		{`Bearer realm="", scope="a b"`, `Bearer scope="a b"`},
		{`Bearer realm="" scope="a\"b" resource_metadata=https://a.test/m`, `Bearer resource_metadata="https://a.test/m"`},
	} {
		got := flowChallenge(tc.in)
		if got != tc.want {
			t.Errorf("flowChallenge(%s) = %s, want %s", tc.in, got, tc.want)
		}
		if _, err := oauthex.ParseWWWAuthenticate([]string{got}); err != nil {
			t.Errorf("the go-sdk refuses %s: %v", got, err)
		}
	}
}

// commandLine is a command line and what the run must make of it, started
// with an ended context: a line the CLI accepts stops interrupted (130).
type commandLine struct {
	name string
	args []string
	env  map[string]string
	code int
	want string // in stderr
}

// checkCommandLines runs each command line: its exit status and message,
// the usage line with a status 2, and no secret of the tests' in stderr.
func checkCommandLines(t *testing.T, tests []commandLine) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			var stdout, stderr bytes.Buffer
			code := run(ctx, tc.args, func(k string) string { return tc.env[k] }, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr.String(), tc.code, tc.want)
			}
			if code == 2 && !strings.Contains(stderr.String(), "usage: mcp-client") {
				t.Errorf("stderr %q lacks the usage line", stderr.String())
			}
			if strings.Contains(stderr.String(), "s3cr3t") || strings.Contains(stderr.String(), "t0k3n") {
				t.Errorf("stderr %q shows a secret", stderr.String())
			}
		})
	}
}

// checkRunOutput checks a run's exit status, and that its standard output
// and error hold each of wantOut and wantErr. The run's stderr is logged.
func checkRunOutput(t *testing.T, code, wantCode int, stdout, stderr string, wantOut, wantErr []string) {
	t.Helper()
	t.Logf("stderr: %s", stderr)
	if code != wantCode {
		t.Fatalf("exit %d, want %d; stderr %q", code, wantCode, stderr)
	}
	for _, w := range wantOut {
		if !strings.Contains(stdout, w) {
			t.Errorf("stdout %q lacks %q", stdout, w)
		}
	}
	for _, w := range wantErr {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr %q lacks %q", stderr, w)
		}
	}
}

// TestTokenRequestNotRedirected checks that a token endpoint's redirect
// is not followed: the token request carries the client secret (in its
// body, or as Basic credentials net/http sends on to the same host or a
// subdomain), or an authorization code and its verifier, and the
// metadata named no other place for them.
func TestTokenRequestNotRedirected(t *testing.T) {
	const token = "https://demo.auth.eu-west-1.amazoncognito.com/oauth2/token"
	metadata := `{"issuer":"` + testIssuer + `","token_endpoint":"` + token + `","code_challenge_methods_supported":["S256"]}`
	for _, status := range []int{http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			client, _, _ := flowClient("https://mcp.example.com/mcp", testIssuer, false, nil, nil)
			var sent []string
			client.Transport.(*flowTransport).base = roundTripFunc(func(r *http.Request) (*http.Response, error) {
				sent = append(sent, r.Method+" "+r.URL.String())
				resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(metadata)), Request: r}
				if r.Method == http.MethodPost {
					resp.StatusCode = status
					resp.Header.Set("Location", "/oauth2/elsewhere")
				}
				return resp, nil
			})
			resp, err := client.Get(testIssuer + "/.well-known/openid-configuration")
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			req, err := http.NewRequest(http.MethodPost, token, strings.NewReader("grant_type=client_credentials"))
			if err != nil {
				t.Fatal(err)
			}
			req.SetBasicAuth("client-7f3a", "s3cr3t-abcdefgh")
			_, err = client.Do(req)
			if want := "the token endpoint redirects to https://demo.auth.eu-west-1.amazoncognito.com/oauth2/elsewhere: the token request is not sent on"; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("the token request's error %v, want %q in it", err, want)
			}
			want := []string{"GET " + testIssuer + "/.well-known/openid-configuration", "POST " + token}
			if diff := cmp.Diff(want, sent); diff != "" {
				t.Errorf("the requests sent (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFlowRedirectsBounded checks that the sign-in's GETs (the discovery
// of the authorization server's metadata) stop after ten requests, as
// net/http's own client does: nine redirects are followed and the tenth
// is not, so a server that redirects for ever ends the flow.
func TestFlowRedirectsBounded(t *testing.T) {
	client, _, _ := flowClient("https://mcp.example.com/mcp", testIssuer, false, nil, nil)
	sent := 0
	client.Transport.(*flowTransport).base = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent++
		return &http.Response{StatusCode: http.StatusFound, Header: http.Header{"Location": {"/.well-known/openid-configuration/" + strconv.Itoa(sent)}}, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
	})
	_, err := client.Get(testIssuer + "/.well-known/openid-configuration")
	if err == nil || !strings.Contains(err.Error(), "stopped after 10 redirects") {
		t.Errorf("error %v, want one saying it stopped after 10 redirects", err)
	}
	if sent != 10 {
		t.Errorf("%d requests sent, want 10: the first and nine redirects", sent)
	}
}
