package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
)

// TestLoginRegisters signs a person in with no client given: the run
// finds the authorization server in the server's protected resource
// metadata, registers a public client there (RFC 7591), signs in as it,
// and keeps it with the token; the next runs use the token, and sign in
// again as the same client, without registering another.
func TestLoginRegisters(t *testing.T) {
	dir := withCacheDir(t)
	as := startAS(t, oauthtest.Options{Pool: "eu-west-1_Test", Public: true, Scopes: []string{testScope}, Registration: true})
	endpoint := startJWTReference(t, as, nil)
	b := newBrowser()
	withOpener(t, b.open)
	// A secret in the environment belongs to a client given: none is,
	// and none is sent (the public client's token request with a wrong
	// one would be refused).
	env := map[string]string{"MCP_CLIENT_SECRET": "wr0ng-s3cret-abcdefgh"}
	args := []string{"-login", "-redirect-port", "0", "-endpoint", endpoint, "-call", "whoami"}
	signIn := func(wantOpens, wantRegistrations int) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), args, func(k string) string { return env[k] }, &stdout, &stderr)
		checkRunOutput(t, code, 0, stdout.String(), stderr.String(), []string{`"client_id":"` + as.ClientID + `"`}, nil)
		if opened, _, _ := b.seen(); len(opened) != wantOpens {
			t.Errorf("the browser was opened %d times, want %d: %q", len(opened), wantOpens, opened)
		}
		if regs := as.Registrations(); len(regs) != wantRegistrations {
			t.Errorf("%d registrations, want %d: %+v", len(regs), wantRegistrations, regs)
		}
	}

	signIn(1, 1)
	reg := as.Registrations()[0]
	if reg.TokenEndpointAuthMethod != "none" || !slices.Equal(reg.GrantTypes, []string{"authorization_code", "refresh_token"}) ||
		len(reg.RedirectURIs) != 1 || !strings.HasPrefix(reg.RedirectURIs[0], "http://localhost:") || !strings.HasSuffix(reg.RedirectURIs[0], "/callback") {
		t.Errorf("registration %+v, want a public client (none) of the authorization code grant and refresh tokens, at the loopback callback", reg)
	}
	if opened, _, _ := b.seen(); !strings.Contains(opened[0], "client_id="+as.ClientID) || !strings.Contains(opened[0], "redirect_uri="+strings.ReplaceAll(strings.ReplaceAll(reg.RedirectURIs[0], ":", "%3A"), "/", "%2F")) {
		t.Errorf("the sign-in URL %q is not for the registered client at its redirect URI %s", opened[0], reg.RedirectURIs[0])
	}
	path := keptFile(t, dir)
	if path == "" {
		t.Fatal("no sign-in kept")
	}
	if k := readKept(t, path); k.ClientID != as.ClientID || k.Issuer != as.Issuer {
		t.Errorf("kept client %q of %q, want %q of %q", k.ClientID, k.Issuer, as.ClientID, as.Issuer)
	}

	// The kept token: no sign-in, no registration.
	signIn(1, 1)

	// A token that cannot be used (expired, no refresh token): the person
	// signs in again, as the client registered before.
	writeKept(t, path, func(k *keptToken) { k.Expiry = time.Now().Add(-time.Hour); k.RefreshToken = "" })
	signIn(2, 1)

	// A token the server refuses: likewise.
	writeKept(t, path, func(k *keptToken) { k.AccessToken = "n0t-a-t0ken-abcdefgh"; k.Expiry = time.Now().Add(time.Hour) })
	signIn(3, 1)
}

// registeringSignIn runs -login without a client at endpoint, as a
// test's first run: it registers a client, signs in as it, and keeps
// the sign-in. It returns the run's arguments, for the runs after it.
func registeringSignIn(t *testing.T, endpoint string) []string {
	t.Helper()
	args := []string{"-login", "-redirect-port", "0", "-endpoint", endpoint, "-call", "whoami"}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), args, noEnv, &stdout, &stderr); code != 0 {
		t.Fatalf("the first run: exit %d; stderr %q", code, stderr.String())
	}
	return args
}

// TestLoginRegisterRefused checks that a run given no client registers
// nowhere, and sends no one to sign in, where the authorization server is
// not the one the server's metadata names, or offers no registration.
func TestLoginRegisterRefused(t *testing.T) {
	tests := []struct {
		name     string
		as       oauthtest.Options
		issuer   bool // -issuer names another authorization server
		wantErrs []string
	}{
		{name: "another issuer given", as: oauthtest.Options{Public: true, Scopes: []string{testScope}, Registration: true}, issuer: true,
			wantErrs: []string{"given no client (-client-id), could not register one", "names the authorization servers", "not the issuer given", "no client was registered"}},
		{name: "no registration endpoint", as: oauthtest.Options{Public: true, Scopes: []string{testScope}},
			wantErrs: []string{"names no registration_endpoint (RFC 7591): register a client with it, and give it as -client-id and -issuer"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			withCacheDir(t)
			as := startAS(t, tc.as)
			endpoint := startJWTReference(t, as, nil)
			b := newBrowser()
			withOpener(t, b.open)
			args := []string{"-login", "-redirect-port", "0", "-endpoint", endpoint}
			other := startAS(t, tc.as)
			if tc.issuer {
				args = append(args, "-issuer", other.Issuer)
			}
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), args, func(string) string { return "" }, &stdout, &stderr)
			checkRunOutput(t, code, 1, stdout.String(), stderr.String(), nil, tc.wantErrs)
			if opened, _, _ := b.seen(); len(opened) != 0 {
				t.Errorf("the browser was sent to %q", opened)
			}
			for _, s := range []*oauthtest.Server{as, other} {
				if regs := s.Registrations(); len(regs) != 0 {
					t.Errorf("registered at %s: %+v", s.Issuer, regs)
				}
				if ps := s.Posts(); len(ps) != 0 {
					t.Errorf("%s was sent %q", s.Issuer, ps)
				}
			}
		})
	}
}

// TestLoginRegisterMetadataRefused checks that resource metadata the
// go-sdk refuses (an authorization server over plain http to a host that
// is not loopback) is named as such, not taken for metadata not found.
func TestLoginRegisterMetadataRefused(t *testing.T) {
	withCacheDir(t)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/.well-known/oauth-protected-resource/mcp" {
			writeJSON(w, http.StatusOK, map[string]any{"resource": srv.URL + "/mcp", "authorization_servers": []string{"http://as.example.com"}})
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="`+srv.URL+`/.well-known/oauth-protected-resource/mcp"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized"})
	}))
	t.Cleanup(srv.Close)
	withOpener(t, newBrowser().open)
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-login", "-redirect-port", "0", "-endpoint", srv.URL + "/mcp"}, func(string) string { return "" }, &stdout, &stderr)
	checkRunOutput(t, code, 1, stdout.String(), stderr.String(), nil,
		[]string{"the server's protected resource metadata (RFC 9728) cannot be used:", "authorization_servers[0]", "no client was registered"})
}

// TestLoginRegisteredWithSecret checks that a client the authorization
// server registered as a confidential one, with a secret, is not kept:
// the secret is kept nowhere, and the client cannot be used without it.
// The run signs in all the same, and the next registers again. -trace
// shows neither the secret nor the token to manage the client by.
func TestLoginRegisteredWithSecret(t *testing.T) {
	dir := withCacheDir(t)
	as := startAS(t, oauthtest.Options{Public: true, Scopes: []string{testScope}, Registration: true, RegisterSecret: true})
	endpoint := startJWTReference(t, as, nil)
	b := newBrowser()
	withOpener(t, b.open)
	args := []string{"-login", "-redirect-port", "0", "-endpoint", endpoint, "-call", "whoami", "-trace"}
	for run_ := 1; run_ <= 2; run_++ {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), args, func(string) string { return "" }, &stdout, &stderr)
		checkRunOutput(t, code, 0, stdout.String(), stderr.String(), []string{`"client_id":"` + as.ClientID + `"`},
			[]string{"the sign-in is not kept for the next run: the authorization server registered the client with a secret"})
		if path := keptFile(t, dir); path != "" {
			t.Fatalf("run %d kept %s: %+v", run_, path, readKept(t, path))
		}
		if regs := as.Registrations(); len(regs) != run_ {
			t.Errorf("after run %d: %d registrations, want %d", run_, len(regs), run_)
		}
		for _, s := range []string{as.Secret, oauthtest.RegistrationAccessToken} {
			if strings.Contains(stdout.String()+stderr.String(), s) {
				t.Errorf("the registration's %q shows: stdout %q, stderr %q", s, stdout.String(), stderr.String())
			}
		}
		if !strings.Contains(stderr.String(), `"registration_access_token":"[hidden]"`) {
			t.Errorf("the trace shows no registration answer: %q", stderr.String())
		}
	}
}

// TestLoginRegisterIssuerNamedSecond checks that -issuer picks the
// authorization server a client registers at among those the server's
// metadata names, the first or not: the sign-in goes there alone.
func TestLoginRegisterIssuerNamedSecond(t *testing.T) {
	withCacheDir(t)
	opts := oauthtest.Options{Public: true, Scopes: []string{testScope}, Registration: true}
	as := startAS(t, opts)
	other := startAS(t, opts)
	endpoint := startJWTReference(t, as, map[string]string{"MCP_AUTHORIZATION_SERVERS": other.Issuer + "," + as.Issuer})
	b := newBrowser()
	withOpener(t, b.open)
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-login", "-redirect-port", "0", "-issuer", as.Issuer, "-endpoint", endpoint, "-call", "whoami"}, func(string) string { return "" }, &stdout, &stderr)
	checkRunOutput(t, code, 0, stdout.String(), stderr.String(), []string{`"client_id":"` + as.ClientID + `"`}, nil)
	if regs := as.Registrations(); len(regs) != 1 {
		t.Errorf("%d registrations at the issuer given, want 1", len(regs))
	}
	if regs, gets := other.Registrations(), other.Requests(); len(regs) != 0 || len(gets) != 0 {
		t.Errorf("the other authorization server was asked %q, registered %+v", gets, regs)
	}
}

// TestClientIssuerNamedSecond checks that a client given with its issuer
// gets its token there when the server's metadata names that issuer
// after another authorization server: the go-sdk takes the first named,
// and would refuse the run for naming another issuer.
func TestClientIssuerNamedSecond(t *testing.T) {
	as := startAS(t, oauthtest.Options{Scopes: []string{testScope}})
	other := startAS(t, oauthtest.Options{Scopes: []string{testScope}})
	endpoint := startJWTReference(t, as, map[string]string{"MCP_AUTHORIZATION_SERVERS": other.Issuer + "," + as.Issuer})
	env := map[string]string{"MCP_CLIENT_SECRET": as.Secret}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-endpoint", endpoint, "-client-id", as.ClientID, "-issuer", as.Issuer, "-call", "whoami"}, func(k string) string { return env[k] }, &stdout, &stderr)
	checkRunOutput(t, code, 0, stdout.String(), stderr.String(), []string{`"client_id":"` + as.ClientID + `"`}, nil)
	if gets := other.Requests(); len(gets) != 0 {
		t.Errorf("the other authorization server was asked %q", gets)
	}
}

// TestLogoutRegistered checks that -logout without a client finds the
// sign-in kept through the client a -login registered for the endpoint,
// at the authorization server the server's metadata names (or -issuer
// gives, as to -login), deletes it, and revokes its token there as that
// public client: MCP_CLIENT_SECRET, which belongs to a client given, is
// not sent.
func TestLogoutRegistered(t *testing.T) {
	for _, tc := range []struct {
		name   string
		issuer bool // -login and -logout are given -issuer
	}{
		{name: "found"},
		{name: "given", issuer: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := withCacheDir(t)
			as := startAS(t, oauthtest.Options{Public: true, Refresh: true, Scopes: []string{testScope}, Registration: true})
			endpoint := startJWTReference(t, as, nil)
			withOpener(t, newBrowser().open)
			env := map[string]string{"MCP_CLIENT_SECRET": "wr0ng-s3cret-abcdefgh"}
			getenv := func(k string) string { return env[k] }
			var given []string
			if tc.issuer {
				given = []string{"-issuer", as.Issuer}
			}
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append([]string{"-login", "-redirect-port", "0", "-endpoint", endpoint, "-call", "whoami"}, given...), getenv, &stdout, &stderr)
			checkRunOutput(t, code, 0, stdout.String(), stderr.String(), nil, nil)
			path := keptFile(t, dir)
			if path == "" {
				t.Fatal("no sign-in kept")
			}
			kept := readKept(t, path)

			stdout.Reset()
			stderr.Reset()
			code = run(t.Context(), append([]string{"-logout", "-endpoint", endpoint}, given...), getenv, &stdout, &stderr)
			checkRunOutput(t, code, 0, stdout.String(), stderr.String(), nil,
				[]string{"signed out: the kept sign-in of client \"" + as.ClientID + "\", registered at " + as.Issuer + ", for " + endpoint + " is deleted, and its refresh token revoked at " + as.URL + "/oauth2/revoke"})
			if path := keptFile(t, dir); path != "" {
				t.Errorf("%s is kept still", path)
			}
			if diff := cmp.Diff([]string{kept.RefreshToken}, as.Revoked()); diff != "" {
				t.Errorf("revoked (-want +got):\n%s", diff)
			}

			// Nothing kept now: said so.
			stderr.Reset()
			code = run(t.Context(), append([]string{"-logout", "-endpoint", endpoint}, given...), getenv, &stdout, &stderr)
			checkRunOutput(t, code, 0, "", stderr.String(), nil,
				[]string{"no sign-in of a client registered at " + as.Issuer + " for " + endpoint + " was kept"})
		})
	}
}

// TestLogoutRegisteredNotFound checks that -logout without a client, at
// a server that names no authorization server, says in one line to give
// it, and exits 1.
func TestLogoutRegisteredNotFound(t *testing.T) {
	withCacheDir(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-logout", "-endpoint", srv.URL + "/mcp"}, func(string) string { return "" }, &stdout, &stderr)
	checkRunOutput(t, code, 1, stdout.String(), stderr.String(), nil,
		[]string{"mcp-client: no authorization server of a client registered for " + srv.URL + "/mcp is found: no protected resource metadata names the server's authorization server: give it, -issuer or MCP_CLIENT_ISSUER, or the client, -client-id\n"})
}

// TestClientIssuerNamedSecondElsewhere checks what
// TestClientIssuerNamedSecond and TestLoginRegisterIssuerNamedSecond
// check, where the server publishes its protected resource metadata at a
// path of its own, which its challenge names (resource_metadata), and not
// at the well-known URLs: the issuer given is put first in that document
// too.
func TestClientIssuerNamedSecondElsewhere(t *testing.T) {
	for _, tc := range []struct {
		name  string
		login bool // -login with no client: one is registered
	}{
		{name: "client given"},
		{name: "registered", login: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			withCacheDir(t)
			opts := oauthtest.Options{Scopes: []string{testScope}, Public: tc.login, Registration: tc.login}
			as := startAS(t, opts)
			other := startAS(t, opts)
			var reference http.Handler // set once the reference server listens
			front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case strings.HasPrefix(r.URL.Path, "/.well-known/oauth-protected-resource"):
					http.NotFound(w, r)
				case r.URL.Path == "/meta/resource.json":
					r.URL.Path = "/.well-known/oauth-protected-resource/mcp"
					reference.ServeHTTP(w, r)
				default:
					reference.ServeHTTP(w, r)
				}
			}))
			t.Cleanup(front.Close)
			endpoint := startJWTReference(t, as, map[string]string{
				"MCP_AUTHORIZATION_SERVERS": other.Issuer + "," + as.Issuer,
				"MCP_RESOURCE_URL":          front.URL + "/mcp",
				"MCP_RESOURCE_METADATA_URL": front.URL + "/meta/resource.json",
			})
			target, err := url.Parse(endpoint)
			if err != nil {
				t.Fatal(err)
			}
			reference = httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
			args := []string{"-endpoint", front.URL + "/mcp", "-issuer", as.Issuer, "-call", "whoami"}
			env := map[string]string{}
			if tc.login {
				withOpener(t, newBrowser().open)
				args = append(args, "-login", "-redirect-port", "0")
			} else {
				args = append(args, "-client-id", as.ClientID)
				env["MCP_CLIENT_SECRET"] = as.Secret
			}
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), args, func(k string) string { return env[k] }, &stdout, &stderr)
			checkRunOutput(t, code, 0, stdout.String(), stderr.String(), []string{`"client_id":"` + as.ClientID + `"`}, nil)
			if tc.login {
				if regs := as.Registrations(); len(regs) != 1 {
					t.Errorf("%d registrations at the issuer given, want 1", len(regs))
				}
			}
			if gets := other.Requests(); len(gets) != 0 {
				t.Errorf("the other authorization server was asked %q", gets)
			}
		})
	}
}

// TestRegisteredClientGone runs -login with a kept sign-in whose client,
// registered by an earlier -login, the authorization server no longer
// knows (it forgot or deleted the registration): its refusal of the
// refresh (invalid_client), or its page refusing the sign-in, is
// explained as that client's, with what to do (-logout, then -login), not
// as a client id the person never gave.
func TestRegisteredClientGone(t *testing.T) {
	const gone = "f0rgotten-client-0123"
	for _, tc := range []struct {
		name    string
		edit    func(*keptToken)
		signIn  bool // the person is sent to sign in, and the page refuses
		wantErr string
	}{
		{name: "refresh", edit: func(k *keptToken) { k.ClientID = gone; k.Expiry = time.Now().Add(-time.Hour) },
			wantErr: `refused it (HTTP 401): invalid_client "Client authentication failed": the client registered at ISSUER on an earlier sign-in is no longer accepted there (the authorization server forgot or deleted it): -logout, which drops it, then -login to register a client anew` + "\n"},
		{name: "sign-in", edit: func(k *keptToken) { k.ClientID = gone; k.Expiry = time.Now().Add(-time.Hour); k.RefreshToken = "" }, signIn: true,
			wantErr: "\nmcp-client: the sign-in is as the client registered at ISSUER on an earlier sign-in; should the page say it does not know the client, stop the run (Ctrl-C), -logout, which drops it, then -login to register a client anew\nmcp-client: interrupted\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := withCacheDir(t)
			as := startAS(t, oauthtest.Options{Public: true, Refresh: true, Scopes: []string{testScope}, Registration: true})
			endpoint := startJWTReference(t, as, nil)
			b := newBrowser()
			withOpener(t, b.open)
			args := registeringSignIn(t, endpoint)
			writeKept(t, keptFile(t, dir), tc.edit)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if tc.signIn {
				go func() {
					<-b.done // the first run's
					<-b.done // the page refusing the client
					cancel()
				}()
			}
			var stdout, stderr bytes.Buffer
			code := run(ctx, args, func(string) string { return "" }, &stdout, &stderr)
			want := strings.ReplaceAll(tc.wantErr, "ISSUER", as.Issuer)
			if code == 0 || !strings.HasSuffix(stderr.String(), want) || strings.Contains(stderr.String(), "MCP_CLIENT_ID") {
				t.Errorf("exit %d, stderr %q; want a failure ending %q, naming no client id to check", code, stderr.String(), want)
			}
			if _, pages, _ := b.seen(); tc.signIn && (len(pages) != 2 || !strings.Contains(pages[1], "unknown client")) {
				t.Errorf("the browser's pages %q, want the second to refuse the client", pages)
			}
			if regs := as.Registrations(); len(regs) != 1 {
				t.Errorf("%d registrations, want the first run's alone", len(regs))
			}
		})
	}
}

// TestExplainRegisteredClientGone checks the lines of a sign-in as a
// client an earlier -login registered that TestRegisteredClientGone does
// not reach: the token endpoint's invalid_client at the code's exchange,
// and a sign-in that never came back, against those of a client given.
func TestExplainRegisteredClientGone(t *testing.T) {
	const gone = "the client registered at " + testIssuer + " on an earlier sign-in is no longer accepted there (the authorization server forgot or deleted it): -logout, which drops it, then -login to register a client anew"
	invalidClient := &oauth2.RetrieveError{Response: &http.Response{StatusCode: http.StatusUnauthorized}, ErrorCode: "invalid_client"}
	noCallback := &noCallback{redirectURL: "http://localhost:8976/callback", err: context.Canceled}
	tests := []struct {
		name       string
		registered bool
		err        error
		want       string
	}{
		{name: "registered, invalid_client", registered: true, err: invalidClient,
			want: `https://mcp.example/mcp asks for a token, and client "c1" could not get one: the token endpoint refused it (HTTP 401): invalid_client: ` + gone},
		{name: "given, invalid_client", err: invalidClient,
			want: `https://mcp.example/mcp asks for a token, and client "c1" could not get one: the token endpoint refused it (HTTP 401): invalid_client: check the client id (-client-id or MCP_CLIENT_ID), and MCP_CLIENT_SECRET: set for a confidential client, unset for a public one`},
		{name: "registered, no callback", registered: true, err: noCallback,
			want: `https://mcp.example/mcp asks for a token, and client "c1" could not get one: the sign-in did not come back to http://localhost:8976/callback before the run ended: finish it in the browser sooner, or give a longer -timeout; if the authorization server's page refused the client, ` + gone},
		{name: "given, no callback", err: noCallback,
			want: `https://mcp.example/mcp asks for a token, and client "c1" could not get one: the sign-in did not come back to http://localhost:8976/callback before the run ended: finish it in the browser sooner, or give a longer -timeout`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &flowError{clientID: "c1", issuer: testIssuer, login: true, registered: tc.registered, err: tc.err}
			if diff := cmp.Diff(tc.want, explainFlow("https://mcp.example/mcp", e, nil)); diff != "" {
				t.Errorf("explainFlow (-want +got):\n%s", diff)
			}
		})
	}
}
