package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/oauth2"

	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
)

// TestLogoutRevokes runs -logout with a kept sign-in, or none, against an
// authorization server shaped by each case: the file is deleted (with a
// crashed run's temporary file) whatever the revocation's outcome, one
// line says what became of the token at the server, and the token is
// never shown, -trace or not. Where the server could be told, its refresh
// grant then refuses the refresh token; where not, it still takes it.
func TestLogoutRevokes(t *testing.T) {
	const endpoint = "https://mcp.example/dev/mcp"
	const signedOut = `mcp-client: signed out: the kept sign-in of client "{ID}" at {ISS} for ` + endpoint + " is deleted"
	const untold = signedOut + ", but the authorization server could not be told: "
	closed := closedURL(t)
	tests := []struct {
		name string
		as   *oauthtest.Options // nil: issuer below
		// issuer serves metadata naming this revocation endpoint ("{AS}"
		// its own URL), which answers status; "" with as nil: closed.
		revocation string
		status     int
		secret     string           // MCP_CLIENT_SECRET
		style      oauth2.AuthStyle // the kept token's
		noRefresh  bool             // the kept token has an access token alone
		notKept    bool             // there is no kept token
		args       []string
		want       string // the one line, the last with -trace
		// revoked: the server's refresh grant refuses the refresh token
		// afterwards; requests: those the server was sent.
		revoked  bool
		requests []string
		// sent is the revocation request as -trace shows it: its
		// Authorization header, if any, and its body.
		sent []string
	}{
		{name: "public client", as: &oauthtest.Options{Public: true, Refresh: true},
			want: signedOut + ", and its refresh token revoked at {AS}/oauth2/revoke", revoked: true,
			requests: []string{rfc8414, "POST /oauth2/revoke"}},
		{name: "public client, trace", as: &oauthtest.Options{Public: true, Refresh: true}, args: []string{"-trace"},
			want: signedOut + ", and its refresh token revoked at {AS}/oauth2/revoke", revoked: true,
			requests: []string{rfc8414, "POST /oauth2/revoke"},
			sent:     []string{"#2 > | client_id=client-7f3a&token=[hidden]&token_type_hint=refresh_token"}},
		{name: "confidential client, basic", as: &oauthtest.Options{Refresh: true, AuthMethods: []string{"client_secret_basic"}},
			secret: oauthtest.DefaultSecret, style: oauth2.AuthStyleInHeader, args: []string{"-trace"},
			want: signedOut + ", and its refresh token revoked at {AS}/oauth2/revoke", revoked: true,
			requests: []string{rfc8414, "POST /oauth2/revoke"},
			sent:     []string{"#2 > Authorization: Basic [hidden]", "#2 > | token=[hidden]&token_type_hint=refresh_token"}},
		// Basic's credentials are form-encoded first (RFC 6749 §2.3.1): a
		// secret holding '+', '%' or ':' is otherwise another.
		{name: "confidential client, basic, a secret to encode", as: &oauthtest.Options{Refresh: true, AuthMethods: []string{"client_secret_basic"}, Secret: "s3cr3t+/%:=-0123"},
			secret: "s3cr3t+/%:=-0123", style: oauth2.AuthStyleInHeader,
			want: signedOut + ", and its refresh token revoked at {AS}/oauth2/revoke", revoked: true,
			requests: []string{rfc8414, "POST /oauth2/revoke"}},
		{name: "confidential client, style detected", as: &oauthtest.Options{Refresh: true, AuthMethods: []string{"client_secret_basic"}},
			secret: oauthtest.DefaultSecret, style: oauth2.AuthStyleAutoDetect,
			want: signedOut + ", and its refresh token revoked at {AS}/oauth2/revoke", revoked: true,
			requests: []string{rfc8414, "POST /oauth2/revoke"}},
		{name: "confidential client, post", as: &oauthtest.Options{Refresh: true, AuthMethods: []string{"client_secret_post"}},
			secret: oauthtest.DefaultSecret, style: oauth2.AuthStyleInParams,
			want: signedOut + ", and its refresh token revoked at {AS}/oauth2/revoke", revoked: true,
			requests: []string{rfc8414, "POST /oauth2/revoke"}},
		{name: "no refresh token", as: &oauthtest.Options{Public: true, Refresh: true}, noRefresh: true, args: []string{"-trace"},
			want:     signedOut + ", and its access token revoked at {AS}/oauth2/revoke",
			requests: []string{rfc8414, "POST /oauth2/revoke"},
			sent:     []string{"#2 > | client_id=client-7f3a&token=[hidden]&token_type_hint=access_token"}},
		{name: "no revocation endpoint", as: &oauthtest.Options{Public: true, Refresh: true, NoRevocation: true},
			want:     untold + "the metadata of issuer {ISS} names no revocation_endpoint; its refresh token stays valid there until it expires",
			requests: []string{rfc8414}},
		{name: "wrong client secret", as: &oauthtest.Options{Refresh: true}, secret: "wrong-secret-0123", style: oauth2.AuthStyleInParams, args: []string{"-trace"},
			want:     untold + `the revocation endpoint {AS}/oauth2/revoke refused it (HTTP 401): invalid_client "Client authentication failed"; its refresh token stays valid there until it expires`,
			requests: []string{rfc8414, "POST /oauth2/revoke"},
			sent:     []string{"#2 > | client_id=client-7f3a&client_secret=[hidden]&token=[hidden]&token_type_hint=refresh_token"}},
		{name: "server unavailable", revocation: "{AS}/oauth2/revoke", status: http.StatusServiceUnavailable,
			want: untold + "the revocation endpoint {AS}/oauth2/revoke answered HTTP 503, with no OAuth error; its refresh token stays valid there until it expires"},
		// A redirect is the answer: the token is not sent on.
		{name: "revocation endpoint redirects", revocation: "{AS}/oauth2/revoke", status: http.StatusTemporaryRedirect,
			want: untold + "the revocation endpoint {AS}/oauth2/revoke answered HTTP 307, with no OAuth error; its refresh token stays valid there until it expires"},
		{name: "refusal repeating the token", revocation: "{AS}/oauth2/revoke", status: http.StatusBadRequest,
			want: untold + `the revocation endpoint {AS}/oauth2/revoke refused it (HTTP 400): invalid_request "no such token: [hidden]"; its refresh token stays valid there until it expires`},
		{name: "plain http revocation endpoint", revocation: "http://auth.example/oauth2/revoke", status: http.StatusOK,
			want: untold + "the revocation endpoint http://auth.example/oauth2/revoke is plain http to a host that is not loopback, where anyone on the way could read the token: -insecure to send it so anyway; its refresh token stays valid there until it expires"},
		{name: "issuer unreachable",
			want: untold + "cannot reach {ISS}/.well-known/oauth-authorization-server: dial tcp " + strings.TrimPrefix(closed, "http://") + ": connect: connection refused; its refresh token stays valid there until it expires"},
		{name: "nothing kept", as: &oauthtest.Options{Public: true, Refresh: true}, notKept: true, args: []string{"-trace"},
			want: `mcp-client: no sign-in of client "{ID}" at {ISS} for ` + endpoint + " was kept"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := withCacheDir(t)
			var as *oauthtest.Server
			before, basic := 0, tc.as != nil && slices.Contains(tc.as.AuthMethods, "client_secret_basic")
			issuer, clientID, tokenEndpoint := closed, "c1", closed+"/oauth2/token"
			access, refresh := "at-"+strings.Repeat("a1", 12), "rt-"+strings.Repeat("r2", 12)
			switch {
			case tc.as != nil:
				as = startAS(t, *tc.as)
				issuer, clientID, tokenEndpoint = as.Issuer, as.ClientID, as.URL+"/oauth2/token"
				access, refresh = signInDirect(t, as, basic)
				before = len(as.Requests()) // the sign-in's
			case tc.revocation != "":
				issuer = startRevoker(t, tc.revocation, tc.status)
			}
			if tc.noRefresh {
				refresh = ""
			}
			cache, err := newTokenCache(issuer, clientID, endpoint, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.notKept {
				if err := cache.write(keptToken{Key: cache.key, Issuer: issuer, ClientID: clientID, TokenEndpoint: tokenEndpoint,
					AuthStyle: int(tc.style), AccessToken: access, RefreshToken: refresh}); err != nil {
					t.Fatal(err)
				}
			}
			staleTempFile(t, dir)
			args := append([]string{"-logout", "-client-id", clientID, "-issuer", issuer, "-endpoint", endpoint}, tc.args...)
			var stdout, stderr bytes.Buffer
			env := map[string]string{"MCP_CLIENT_SECRET": tc.secret}
			if code := run(t.Context(), args, func(k string) string { return env[k] }, &stdout, &stderr); code != 0 {
				t.Errorf("exit %d, want 0; stderr %q", code, stderr.String())
			}
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			root := issuer
			if as != nil {
				root = as.URL
			}
			want := strings.NewReplacer("{ID}", clientID, "{ISS}", issuer, "{AS}", root).Replace(tc.want)
			if diff := cmp.Diff(want, lines[len(lines)-1]); diff != "" {
				t.Errorf("the last line (-want +got):\n%s", diff)
			}
			var sent []string
			for _, l := range lines {
				if strings.HasPrefix(l, "#2 > Authorization") || strings.HasPrefix(l, "#2 > |") {
					sent = append(sent, l)
				}
			}
			if diff := cmp.Diff(tc.sent, sent); tc.sent != nil && diff != "" {
				t.Errorf("the revocation request (-want +got):\n%s", diff)
			}
			if !slices.Contains(tc.args, "-trace") && len(lines) != 1 {
				t.Errorf("%d lines, want one: %q", len(lines), lines)
			}
			for _, tok := range []string{access, refresh, url.QueryEscape(refresh), tc.secret} {
				if tok != "" && strings.Contains(stderr.String(), tok) {
					t.Errorf("stderr shows %q:\n%s", tok, stderr.String())
				}
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("left in the cache directory: %v", entries)
			}
			if as == nil {
				return
			}
			if diff := cmp.Diff(tc.requests, as.Requests()[before:], cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("the authorization server's requests (-want +got):\n%s", diff)
			}
			if tc.noRefresh {
				if diff := cmp.Diff([]string{access}, as.Revoked()); diff != "" {
					t.Errorf("revoked (-want +got):\n%s", diff)
				}
				return
			}
			if tc.notKept {
				return
			}
			wantErr := ""
			if tc.revoked {
				wantErr = "invalid_grant"
			}
			if got := refreshAt(t, as, refresh, basic); got != wantErr {
				t.Errorf("a refresh afterwards answered %q, want %q", got, wantErr)
			}
		})
	}
}

// TestLogoutNotDeleted checks that -logout exits 1, saying why, when the
// kept sign-in cannot be deleted: a directory that is not empty at its
// name, say.
func TestLogoutNotDeleted(t *testing.T) {
	withCacheDir(t)
	const endpoint = "https://mcp.example/dev/mcp"
	issuer := closedURL(t)
	cache, err := newTokenCache(issuer, "c1", endpoint, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(cache.path, "held"), 0o700); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-logout", "-client-id", "c1", "-issuer", issuer, "-endpoint", endpoint}, func(string) string { return "" }, &stdout, &stderr)
	want := `mcp-client: the sign-in of client "c1" at ` + issuer + " for " + endpoint + " cannot be deleted: "
	if code != 1 || !strings.HasPrefix(stderr.String(), want) {
		t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr.String(), want)
	}
}

// TestLogoutNoCacheEscaped checks that -logout, where no cache directory
// can be had, names the issuer as every other line of it does: a
// character that would move or recolour the terminal's text (a C1
// control, a bidi override, which a URL may hold) is shown escaped.
func TestLogoutNoCacheEscaped(t *testing.T) {
	saved := userCacheDir
	userCacheDir = func() (string, error) { return filepath.Join("home", ".cache"), nil }
	t.Cleanup(func() { userCacheDir = saved })
	const endpoint = "https://mcp.example/dev/mcp"
	issuer := closedURL(t) + "/t\u202e\u009b31m"
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-logout", "-client-id", "c1", "-issuer", issuer, "-endpoint", endpoint}, func(string) string { return "" }, &stdout, &stderr)
	want := `mcp-client: the sign-in of client "c1" at ` + printable(issuer) + " for " + endpoint + " cannot be deleted: "
	if code != 1 || !strings.HasPrefix(stderr.String(), want) || strings.ContainsAny(stderr.String(), "\u202e\u009b") {
		t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr.String(), want)
	}
}

// TestLogoutNoCacheCut checks that -logout, where no cache directory can
// be had, cuts its line as every other line of it is cut (maxLine): the
// client ID it names is the user's, of any size.
func TestLogoutNoCacheCut(t *testing.T) {
	saved := userCacheDir
	userCacheDir = func() (string, error) { return filepath.Join("home", ".cache"), nil }
	t.Cleanup(func() { userCacheDir = saved })
	var stdout, stderr bytes.Buffer
	clientID := strings.Repeat("c", 3*maxLine)
	code := run(t.Context(), []string{"-logout", "-client-id", clientID, "-issuer", closedURL(t), "-endpoint", "https://mcp.example/dev/mcp"}, func(string) string { return "" }, &stdout, &stderr)
	got := stderr.String()
	if code != 1 || !strings.HasPrefix(got, `mcp-client: the sign-in of client "ccc`) || len(got) > maxLine+100 || !strings.Contains(got, " more bytes not shown)") {
		t.Errorf("exit %d, stderr of %d bytes %.200q…; want 1 and a line of at most %d, what was left out said", code, len(got), got, maxLine+100)
	}
}

// closedURL is the root of a loopback port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String()
	ln.Close()
	return u
}

// staleTempFile leaves in dir the temporary file of a run that crashed
// before renaming it, long ago.
func staleTempFile(t *testing.T, dir string) {
	t.Helper()
	mkdir(t, dir, 0o700)
	p := filepath.Join(dir, ".token-1234567890.json")
	if err := os.WriteFile(p, []byte(`{"access_token":"at-left-by-a-crash"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * staleTemp)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
}

// startRevoker serves an issuer's RFC 8414 metadata naming revocation
// ("{AS}" its own URL) as its revocation endpoint, and answers a POST
// to its /oauth2/revoke with status.
func startRevoker(t *testing.T, revocation string, status int) string {
	t.Helper()
	var s *httptest.Server
	s = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/.well-known/oauth-authorization-server":
			writeJSON(w, http.StatusOK, map[string]any{
				"issuer": s.URL, "token_endpoint": s.URL + "/oauth2/token", "code_challenge_methods_supported": []string{"S256"},
				"revocation_endpoint": strings.ReplaceAll(revocation, "{AS}", s.URL),
			})
		case r.Method == http.MethodPost && r.URL.Path == "/oauth2/revoke":
			switch {
			case status >= 300 && status < 400:
				http.Redirect(w, r, s.URL+"/oauth2/revoke-elsewhere", status)
			case status == http.StatusBadRequest:
				// A server that repeats what it was sent.
				writeJSON(w, status, map[string]any{"error": "invalid_request", "error_description": "no such token: " + r.PostFormValue("token")})
			default:
				w.WriteHeader(status)
			}
		case r.URL.Path == "/oauth2/revoke-elsewhere":
			t.Errorf("the revocation request was sent on: %s %s", r.Method, r.URL)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s.URL
}

// signInDirect has a person sign in at as, without a browser, and
// returns the access and refresh tokens.
func signInDirect(t *testing.T, as *oauthtest.Server, basic bool) (access, refresh string) {
	t.Helper()
	const redirect, verifier = "http://localhost:8976/callback", "a-verifier-of-this-test-0123456789-abcdefghijkl"
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"response_type": {"code"}, "client_id": {as.ClientID}, "redirect_uri": {redirect}, "state": {"st-1"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(as.URL + "/oauth2/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {redirect}, "code_verifier": {verifier}}
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	postForm(t, as, form, basic, &tok)
	if tok.RefreshToken == "" {
		t.Fatalf("the sign-in gave no refresh token")
	}
	return tok.AccessToken, tok.RefreshToken
}

// refreshAt sends as a refresh grant with refresh, as its client, and
// returns the answer's error, "" for a token.
func refreshAt(t *testing.T, as *oauthtest.Server, refresh string, basic bool) string {
	t.Helper()
	var answer struct {
		Error string `json:"error"`
	}
	postForm(t, as, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}, basic, &answer)
	return answer.Error
}

// postForm sends a token request to as, its client authenticated with
// Basic or in form, and decodes the answer into v.
func postForm(t *testing.T, as *oauthtest.Server, form url.Values, basic bool, v any) {
	t.Helper()
	if !basic {
		form.Set("client_id", as.ClientID)
		form.Set("client_secret", as.Secret)
	}
	req, err := http.NewRequest(http.MethodPost, as.URL+"/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth(url.QueryEscape(as.ClientID), url.QueryEscape(as.Secret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("status %d: %v", resp.StatusCode, err)
	}
}

// TestLogoutInterrupted checks that Ctrl-C while -logout tells the server
// ends the run as an interrupted one (130), the file deleted and the line
// saying the server was not told.
func TestLogoutInterrupted(t *testing.T) {
	const endpoint = "https://mcp.example/dev/mcp"
	withCacheDir(t)
	ctx, interrupt := context.WithCancel(t.Context())
	defer interrupt()
	var s *httptest.Server
	s = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/oauth-authorization-server":
			writeJSON(w, http.StatusOK, map[string]any{"issuer": s.URL, "token_endpoint": s.URL + "/oauth2/token",
				"code_challenge_methods_supported": []string{"S256"}, "revocation_endpoint": s.URL + "/oauth2/revoke"})
		case "/oauth2/revoke":
			io.Copy(io.Discard, r.Body) // so that the server sees the client go
			interrupt()                 // the person presses Ctrl-C while the server is asked
			<-r.Context().Done()
		}
	}))
	t.Cleanup(s.Close)
	cache, err := newTokenCache(s.URL, "c1", endpoint, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cache.write(keptToken{Key: cache.key, Issuer: s.URL, ClientID: "c1", TokenEndpoint: s.URL + "/oauth2/token",
		AccessToken: "at-" + strings.Repeat("a1", 12), RefreshToken: "rt-" + strings.Repeat("r2", 12)}); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"-logout", "-client-id", "c1", "-issuer", s.URL, "-endpoint", endpoint}, func(string) string { return "" }, &stdout, &stderr)
	if code != exitInterrupted {
		t.Errorf("exit %d, want %d; stderr %q", code, exitInterrupted, stderr.String())
	}
	if !strings.Contains(stderr.String(), "is deleted, but the authorization server could not be told") {
		t.Errorf("stderr %q, want the file deleted and the server untold", stderr.String())
	}
	if k, _ := cache.read(); k != nil {
		t.Error("the kept sign-in is still there")
	}
}
