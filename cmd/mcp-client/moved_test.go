package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
)

// movingFront is an MCP server, the reference server trusting as behind
// it, whose protected resource metadata names as, until move is called
// with n: then n more documents name as, and every one after them names
// other alone, as a server moved to another authorization server does.
func movingFront(t *testing.T, as, other *oauthtest.Server) (endpoint string, move func(n int32)) {
	t.Helper()
	var reference http.Handler // set once the reference server listens
	var left atomic.Int32      // documents naming as before the move; negative: no move
	left.Store(-1)
	var front *httptest.Server
	front = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/oauth-protected-resource/mcp" {
			reference.ServeHTTP(w, r)
			return
		}
		named := as.Issuer
		if n := left.Load(); n == 0 {
			named = other.Issuer
		} else if n > 0 {
			left.Add(-1)
		}
		writeJSON(w, http.StatusOK, map[string]any{"resource": front.URL + "/mcp", "authorization_servers": []string{named}})
	}))
	t.Cleanup(front.Close)
	target, err := url.Parse(startJWTReference(t, as, map[string]string{
		"MCP_RESOURCE_URL":          front.URL + "/mcp",
		"MCP_RESOURCE_METADATA_URL": front.URL + "/.well-known/oauth-protected-resource/mcp",
	}))
	if err != nil {
		t.Fatal(err)
	}
	reference = httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	return front.URL + "/mcp", left.Store
}

// TestLoginServerMoved runs -login without a client at a server that,
// within the run, names another authorization server than the one the
// run found at its first refusal, and stays with: the line says so, not
// that the user gave another issuer (they gave none), and what to do,
// by whether a client registered at the first by an earlier sign-in is
// kept (it belongs there: -logout -issuer, then -login) or not (-login
// registers one where the server now points).
func TestLoginServerMoved(t *testing.T) {
	const moved = "the server's protected resource metadata now names the authorization server OTHER, not ISSUER, which this run found first and stays with; no one was sent to sign in"
	for _, tc := range []struct {
		name string
		edit func(*keptToken)
		want string
	}{
		{name: "kept token refused", edit: func(k *keptToken) { k.AccessToken = "n0t-a-t0ken-abcdefgh"; k.Expiry = time.Now().Add(time.Hour) },
			want: moved + ": the client registered at ISSUER on an earlier sign-in belongs to that authorization server alone; -logout -issuer ISSUER drops it, then -login registers a client where the server now points and signs in there\n"},
		{name: "kept token spent", edit: func(k *keptToken) { k.Expiry = time.Now().Add(-time.Hour); k.RefreshToken = "" },
			want: moved + ": the client registered at ISSUER on an earlier sign-in belongs to that authorization server alone; -logout -issuer ISSUER drops it, then -login registers a client where the server now points and signs in there\n"},
		{name: "none kept",
			want: moved + ": run -login again, which registers a client where the server now points and signs in there\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := withCacheDir(t)
			opts := oauthtest.Options{Public: true, Scopes: []string{testScope}, Registration: true}
			as := startAS(t, opts)
			other := startAS(t, opts)
			endpoint, move := movingFront(t, as, other)
			b := newBrowser()
			withOpener(t, b.open)
			args := registeringSignIn(t, endpoint)
			if tc.edit != nil {
				writeKept(t, keptFile(t, dir), tc.edit)
			} else if err := os.Remove(keptFile(t, dir)); err != nil {
				t.Fatal(err)
			}
			move(1) // the run finds as at its first refusal; the flow's document names other
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), args, func(string) string { return "" }, &stdout, &stderr)
			want := strings.NewReplacer("OTHER", other.Issuer, "ISSUER", as.Issuer).Replace(tc.want)
			if code != 1 || !strings.HasSuffix(stderr.String(), want) || strings.Contains(stderr.String(), "MCP_CLIENT_ISSUER") {
				t.Errorf("exit %d, stderr %q; want 1 and a line ending %q", code, stderr.String(), want)
			}
			if opened, _, _ := b.seen(); len(opened) != 1 {
				t.Errorf("the browser was opened %d times, want once, by the first run", len(opened))
			}
			if regs := as.Registrations(); len(regs) != 1 {
				t.Errorf("%d registrations, want the first run's alone", len(regs))
			}
			if reqs := other.Requests(); len(reqs) != 0 {
				t.Errorf("the other authorization server was asked %q", reqs)
			}
		})
	}
}

// TestLoginServerMovedBetweenRuns runs -login without a client at a
// server that, between runs, moves to another authorization server: the
// next run registers a client there, saying that the sign-in kept
// through the client registered at the first is not used, and how to
// drop it; -logout, which finds the new one, says so too once that one's
// sign-in is gone, and -logout -issuer drops the first's.
func TestLoginServerMovedBetweenRuns(t *testing.T) {
	dir := withCacheDir(t)
	opts := oauthtest.Options{Public: true, Scopes: []string{testScope}, Registration: true}
	as := startAS(t, opts)
	other := startAS(t, opts)
	var backend atomic.Pointer[httputil.ReverseProxy]
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { backend.Load().ServeHTTP(w, r) }))
	t.Cleanup(front.Close)
	endpoint := front.URL + "/mcp"
	reference := func(a *oauthtest.Server) *httputil.ReverseProxy {
		u, err := url.Parse(startJWTReference(t, a, map[string]string{
			"MCP_RESOURCE_URL":          endpoint,
			"MCP_RESOURCE_METADATA_URL": front.URL + "/.well-known/oauth-protected-resource/mcp",
		}))
		if err != nil {
			t.Fatal(err)
		}
		return httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	}
	first, moved := reference(as), reference(other)
	backend.Store(first)
	withOpener(t, newBrowser().open)
	getenv := func(string) string { return "" }
	login := registeringSignIn(t, endpoint)

	backend.Store(moved)
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), login, getenv, &stdout, &stderr)
	checkRunOutput(t, code, 0, stdout.String(), stderr.String(), nil, []string{"mcp-client: the server names the authorization server " + other.Issuer +
		", where no client is registered for it yet: one is registered there; the sign-in kept through the client registered at " + as.Issuer +
		" on an earlier sign-in is not used there (-logout -issuer " + as.Issuer + " drops it)\n"})
	if regs := other.Registrations(); len(regs) != 1 {
		t.Errorf("%d registrations where the server now points, want 1", len(regs))
	}

	logout := []string{"-logout", "-endpoint", endpoint}
	for _, want := range []string{
		"signed out: the kept sign-in of client \"" + other.ClientID + "\", registered at " + other.Issuer,
		"no sign-in of a client registered at " + other.Issuer + " for " + endpoint + " was kept; the sign-in kept through the client registered at " + as.Issuer +
			" on an earlier sign-in is kept, for the authorization server the server named then: -logout -issuer " + as.Issuer + " drops it\n",
	} {
		stderr.Reset()
		code := run(t.Context(), logout, getenv, &stdout, &stderr)
		checkRunOutput(t, code, 0, "", stderr.String(), nil, []string{want})
	}
	stderr.Reset()
	code = run(t.Context(), append(logout, "-issuer", as.Issuer), getenv, &stdout, &stderr)
	checkRunOutput(t, code, 0, "", stderr.String(), nil, []string{"signed out: the kept sign-in of client \"" + as.ClientID + "\", registered at " + as.Issuer})
	if path := keptFile(t, dir); path != "" {
		t.Errorf("%s is kept still", path)
	}
}
