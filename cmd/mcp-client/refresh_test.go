package main

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
	"golang.org/x/oauth2"
)

// TestKeptSignInRefreshFails runs -login with a kept token whose refresh
// fails for a reason other than a refused refresh token: the line says
// that the kept sign-in's refresh failed, and what to do; the kept
// sign-in is left for a run that can refresh it.
func TestKeptSignInRefreshFails(t *testing.T) {
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("<html>upstream down</html>"))
	}))
	defer down.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/oauth2/token" // nothing listens there
	ln.Close()
	const who = "mcp-client: ENDPOINT asks for a token, and the refresh of the kept sign-in of client \"client-7f3a\" failed: "
	tests := []struct {
		name          string
		confidential  bool   // the client has a secret, a wrong one at the second run
		tokenEndpoint string // the kept token endpoint; "": the server's
		want          string // the last line of stderr; ENDPOINT, AS the URLs
	}{
		{name: "invalid_client", confidential: true,
			want: who + `the token endpoint AS/oauth2/token refused it (HTTP 401): invalid_client "Client authentication failed": check the client id (-client-id or MCP_CLIENT_ID) and MCP_CLIENT_SECRET, set for a confidential client, unset for a public one; or -logout, and run again to sign in anew`},
		{name: "server error", tokenEndpoint: down.URL + "/oauth2/token",
			want: who + "the token endpoint " + down.URL + "/oauth2/token answered HTTP 503, with no OAuth error: run again once it answers, or -logout, and run again to sign in anew"},
		{name: "unreachable", tokenEndpoint: closed,
			want: who + "cannot reach the token endpoint " + closed + ": dial tcp " + strings.TrimSuffix(strings.TrimPrefix(closed, "http://"), "/oauth2/token") + ": connect: connection refused: run again once it can be reached, or -logout, and run again to sign in anew"},
		{name: "plain http", tokenEndpoint: "http://auth.example/oauth2/token",
			want: who + "the token endpoint http://auth.example/oauth2/token is plain http to a host that is not loopback, where anyone on the way could read the refresh token: -logout, and run again to sign in anew, or -insecure to send it so anyway"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := withCacheDir(t)
			opts := oauthtest.Options{Pool: "eu-west-1_Test", Public: !tc.confidential, Scopes: []string{testScope}, Refresh: true}
			if tc.confidential {
				opts.AuthMethods = []string{"client_secret_basic"}
			}
			as := startAS(t, opts)
			endpoint := startJWTReference(t, as, nil)
			b := newBrowser()
			withOpener(t, b.open)
			args := []string{"-login", "-client-id", as.ClientID, "-issuer", as.Issuer, "-redirect-port", "0", "-endpoint", endpoint, "-call", "whoami"}
			env := map[string]string{}
			if tc.confidential {
				env["MCP_CLIENT_SECRET"] = as.Secret
			}
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), args, func(k string) string { return env[k] }, &stdout, &stderr); code != 0 {
				t.Fatalf("the first run: exit %d; stderr %q", code, stderr.String())
			}
			path := keptFile(t, dir)
			writeKept(t, path, func(k *keptToken) {
				k.Expiry = time.Now().Add(-time.Hour)
				if tc.tokenEndpoint != "" {
					k.TokenEndpoint = tc.tokenEndpoint
				}
			})
			if tc.tokenEndpoint != "" {
				// Moved: the metadata names it too, as a kept
				// endpoint must be named to be sent the refresh.
				as.MoveTokenEndpoint(tc.tokenEndpoint)
			}
			if tc.confidential {
				env["MCP_CLIENT_SECRET"] = "rotated-s3cr3t-0123"
			}
			stdout.Reset()
			stderr.Reset()
			code := run(t.Context(), args, func(k string) string { return env[k] }, &stdout, &stderr)
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			want := strings.NewReplacer("ENDPOINT", endpoint, "AS", as.URL).Replace(tc.want)
			if code != 1 || lines[len(lines)-1] != want {
				t.Errorf("exit %d, stderr %q; want 1 and the last line\n%s", code, stderr.String(), want)
			}
			if opened, _, _ := b.seen(); len(opened) != 1 {
				t.Errorf("the browser was opened %d times, want once, by the first run", len(opened))
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("the kept sign-in is gone: %v", err)
			}
		})
	}
}

// TestKeptSignInExpiredWithoutRefreshToken runs -login with a kept token
// that has expired, from an issuer that gives no refresh token: nothing
// can refresh it, so the person signs in anew, and the new token replaces
// it, instead of the run failing at every run until -logout.
func TestKeptSignInExpiredWithoutRefreshToken(t *testing.T) {
	tests := []struct {
		name    string
		expiry  time.Duration // from now, of the kept token
		opened  int           // times the browser opens, both runs
		renewed bool          // the second run keeps another token
	}{
		{name: "expired", expiry: -time.Hour, opened: 2, renewed: true},
		{name: "valid", expiry: time.Hour, opened: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := withCacheDir(t)
			as := startAS(t, oauthtest.Options{Pool: "eu-west-1_Test", Public: true, Scopes: []string{testScope}})
			endpoint := startJWTReference(t, as, nil)
			b := newBrowser()
			withOpener(t, b.open)
			args := []string{"-login", "-client-id", as.ClientID, "-issuer", as.Issuer, "-redirect-port", "0", "-endpoint", endpoint, "-call", "whoami"}
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), args, func(string) string { return "" }, &stdout, &stderr); code != 0 {
				t.Fatalf("the first run: exit %d; stderr %q", code, stderr.String())
			}
			path := keptFile(t, dir)
			writeKept(t, path, func(k *keptToken) {
				if k.RefreshToken != "" {
					t.Fatal("the issuer gave a refresh token")
				}
				k.Expiry = time.Now().Add(tc.expiry)
			})
			before := readKept(t, path)
			stdout.Reset()
			stderr.Reset()
			if code := run(t.Context(), args, func(string) string { return "" }, &stdout, &stderr); code != 0 {
				t.Errorf("the second run: exit %d; stderr %q", code, stderr.String())
			}
			if opened, _, _ := b.seen(); len(opened) != tc.opened {
				t.Errorf("the browser was opened %d times, want %d", len(opened), tc.opened)
			}
			after := readKept(t, path)
			if renewed := after.AccessToken != before.AccessToken; renewed != tc.renewed {
				t.Errorf("the kept token renewed: %v, want %v", renewed, tc.renewed)
			}
			if !after.Expiry.After(time.Now()) {
				t.Errorf("the kept token expired at %v", after.Expiry)
			}
		})
	}
}

// TestExplainRefresh checks the refresh failures the runs above do not
// reach: a sign-in not kept (-no-token-cache), whose token expires within
// the run, and the token endpoint's other refusals.
func TestExplainRefresh(t *testing.T) {
	const tokenURL = "https://auth.example/oauth2/token"
	refused := func(code string) error {
		return &oauth2.RetrieveError{Response: &http.Response{StatusCode: http.StatusBadRequest}, ErrorCode: code}
	}
	tests := []struct {
		name string
		kept bool
		err  error
		want string
	}{
		{name: "not kept, unauthorized_client", err: refused("unauthorized_client"),
			want: `https://mcp.example/mcp asks for a token, and the refresh of the sign-in of client "c1" failed: the token endpoint https://auth.example/oauth2/token refused it (HTTP 400): unauthorized_client: the client may not use the refresh token grant: allow it that grant at the authorization server, or run again to sign in anew`},
		{name: "kept, invalid_scope", kept: true, err: refused("invalid_scope"),
			want: `https://mcp.example/mcp asks for a token, and the refresh of the kept sign-in of client "c1" failed: the token endpoint https://auth.example/oauth2/token refused it (HTTP 400): invalid_scope: -logout, and run again to sign in anew`},
		{name: "kept, no answer logged", kept: true, err: errors.New("stopped"),
			want: `https://mcp.example/mcp asks for a token, and the refresh of the kept sign-in of client "c1" failed: stopped: -logout, and run again to sign in anew`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &flowError{clientID: "c1", issuer: testIssuer, login: true, refresh: true, kept: tc.kept, err: tc.err}
			if _, ok := tc.err.(*oauth2.RetrieveError); ok {
				e.exchanges = []exchange{{method: http.MethodPost, url: tokenURL, status: http.StatusBadRequest}}
			}
			if diff := cmp.Diff(tc.want, explain("https://mcp.example/mcp", e, nil)); diff != "" {
				t.Errorf("explain (-want +got):\n%s", diff)
			}
		})
	}
}

// failingSource is a token source whose refresh fails with err.
type failingSource struct{ err error }

func (s failingSource) Token() (*oauth2.Token, error) { return nil, s.err }

// TestRefreshKeptOrNot checks that the refresh failure of a sign-in is
// said to be the kept sign-in's only when the sign-in is kept between
// runs (not with -no-token-cache), where -logout has something to drop.
func TestRefreshKeptOrNot(t *testing.T) {
	tests := []struct {
		name  string
		cache *tokenCache
		want  string
	}{
		{name: "kept", cache: &tokenCache{}, want: `https://mcp.example/mcp asks for a token, and the refresh of the kept sign-in of client "c1" failed: down: -logout, and run again to sign in anew`},
		{name: "no token cache", want: `https://mcp.example/mcp asks for a token, and the refresh of the sign-in of client "c1" failed: down: run again to sign in anew`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &oauthFlow{clientID: "c1", issuer: testIssuer, login: true, log: &exchangeLog{}, cache: tc.cache, source: failingSource{errors.New("down")}}
			_, err := f.accessToken()
			if diff := cmp.Diff(tc.want, explain("https://mcp.example/mcp", err, nil)); diff != "" {
				t.Errorf("explain (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRefreshTakesUpOnlyItsEndpointsToken checks that a refresh takes up
// the token another run kept since only when that token came from the
// same token endpoint: one from another, which the pinned issuer's
// metadata named at another time, is left, and the run refreshes its own.
func TestRefreshTakesUpOnlyItsEndpointsToken(t *testing.T) {
	for _, tc := range []struct {
		name, endpoint string // the kept token's; "": this run's
		want           string // the access token the refresh gives
	}{
		{"the same token endpoint", "", "access-other-0a1b"},
		{"another token endpoint", "https://other.example/oauth2/token", "access-refreshed-2c3d"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mkdir(t, withCacheDir(t), 0o700)
			te := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, map[string]any{"access_token": "access-refreshed-2c3d", "token_type": "Bearer", "refresh_token": "refresh-new-4e5f", "expires_in": 3600})
			}))
			defer te.Close()
			cfg := &oauth2.Config{ClientID: "client-7f3a", Endpoint: oauth2.Endpoint{TokenURL: te.URL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}
			c := testCache(t, &bytes.Buffer{})
			s := newKeepingSource(t.Context(), t.Context(), cfg, &oauth2.Token{AccessToken: "access-held-6a7b", RefreshToken: "refresh-held-8c9d", Expiry: time.Now().Add(-time.Hour)}, c, nil)
			endpoint := tc.endpoint
			if endpoint == "" {
				endpoint = cfg.Endpoint.TokenURL
			}
			// Another run's, kept since.
			if err := c.write(keptToken{Key: c.key, Issuer: testIssuer, ClientID: "client-7f3a", TokenEndpoint: endpoint, AuthStyle: int(cfg.Endpoint.AuthStyle),
				AccessToken: "access-other-0a1b", RefreshToken: "refresh-other-1b2c", Expiry: time.Now().Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			tok, err := s.Token()
			if err != nil || tok.AccessToken != tc.want {
				t.Errorf("Token() = %v, %v; want %q", tok, err, tc.want)
			}
		})
	}
}

// TestRefreshTakesUpOnlyItsClientsToken checks that the refresh of a
// sign-in through a registered client takes up the token another run
// kept since only when it is that client's: two runs that each
// registered a client keep their tokens in the one file, and a refresh
// token is refused to any other client than its own (RFC 6749 §6), which
// would have this run delete the other's sign-in as refused.
func TestRefreshTakesUpOnlyItsClientsToken(t *testing.T) {
	mkdir(t, withCacheDir(t), 0o700)
	var sent []string // the client and refresh token of each refresh
	te := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		sent = append(sent, r.PostForm.Get("client_id")+" "+r.PostForm.Get("refresh_token"))
		writeJSON(w, http.StatusOK, map[string]any{"access_token": "access-refreshed-2c3d", "token_type": "Bearer", "refresh_token": "refresh-new-4e5f", "expires_in": 3600})
	}))
	defer te.Close()
	cfg := &oauth2.Config{ClientID: "registered-a-7f3a", Endpoint: oauth2.Endpoint{TokenURL: te.URL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}
	c, err := newTokenCache(testIssuer, "", "https://mcp.example.com/mcp", &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	s := newKeepingSource(t.Context(), t.Context(), cfg, &oauth2.Token{AccessToken: "access-held-6a7b", RefreshToken: "refresh-held-8c9d", Expiry: time.Now().Add(-time.Hour)}, c, nil)
	// Another run's, through the client it registered, kept since.
	if err := c.write(keptToken{Key: c.key, Issuer: testIssuer, ClientID: "registered-b-0a1b", TokenEndpoint: cfg.Endpoint.TokenURL, AuthStyle: int(cfg.Endpoint.AuthStyle),
		AccessToken: "access-other-0a1b", RefreshToken: "refresh-other-1b2c", Expiry: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Token(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"registered-a-7f3a refresh-held-8c9d"}; !slices.Equal(sent, want) {
		t.Errorf("refreshes sent %q, want %q", sent, want)
	}
}
