package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
)

// TestKeptTokenEndpointChecked checks that the token endpoint a kept
// sign-in names is sent a refresh only when the pinned issuer's metadata
// names it too: whoever could write the file must not have the refresh
// token and the client secret sent where it says.
func TestKeptTokenEndpointChecked(t *testing.T) {
	var mu sync.Mutex
	var stolen []string // what reached the other endpoint
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		mu.Lock()
		stolen = append(stolen, r.Method+" "+r.URL.Path+" "+r.Form.Encode()+" "+r.Header.Get("Authorization"))
		mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"access_token": "from-elsewhere", "token_type": "Bearer", "expires_in": 3600})
	}))
	defer other.Close()
	const who = "mcp-client: ENDPOINT asks for a token, and the refresh of the kept sign-in of client \"client-7f3a\" failed: "
	tests := []struct {
		name          string
		tokenEndpoint string   // the kept one; "": left as kept, the metadata's; AS the server's URL
		down          bool     // the authorization server stops before the second run
		grants        []string // the second run's token requests
		want          string   // the last line of stderr, "": the run succeeds
	}{
		{name: "the metadata's", grants: []string{"refresh_token"}},
		{name: "the issuer down", down: true,
			want: who + "cannot reach the metadata at AS/.well-known/oauth-authorization-server/eu-west-1_Test: dial tcp HOST: connect: connection refused: run again once it can be reached, or -logout, and run again to sign in anew"},
		{name: "another server's", tokenEndpoint: other.URL + "/oauth2/token",
			want: who + "the kept sign-in names the token endpoint " + other.URL + "/oauth2/token, which the metadata of issuer ISSUER does not: the refresh token was not sent there: -logout, and run again to sign in anew"},
		{name: "another path of the issuer's host", tokenEndpoint: "AS/oauth2/token/elsewhere",
			want: who + "the kept sign-in names the token endpoint AS/oauth2/token/elsewhere, which the metadata of issuer ISSUER does not: the refresh token was not sent there: -logout, and run again to sign in anew"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := withCacheDir(t)
			as := startAS(t, oauthtest.Options{Pool: "eu-west-1_Test", Scopes: []string{testScope}, Refresh: true, AuthMethods: []string{"client_secret_post"}})
			endpoint := startJWTReference(t, as, nil)
			withOpener(t, newBrowser().open)
			env := map[string]string{"MCP_CLIENT_SECRET": as.Secret}
			args := []string{"-login", "-client-id", as.ClientID, "-issuer", as.Issuer, "-redirect-port", "0", "-endpoint", endpoint, "-call", "whoami"}
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), args, func(k string) string { return env[k] }, &stdout, &stderr); code != 0 {
				t.Fatalf("the first run: exit %d; stderr %q", code, stderr.String())
			}
			writeKept(t, keptFile(t, dir), func(k *keptToken) {
				k.Expiry = time.Now().Add(-time.Hour)
				if tc.tokenEndpoint != "" {
					k.TokenEndpoint = strings.ReplaceAll(tc.tokenEndpoint, "AS", as.URL)
				}
			})
			mu.Lock()
			stolen = nil
			mu.Unlock()
			granted := len(as.Grants())
			if tc.down {
				as.Close()
			}
			stdout.Reset()
			stderr.Reset()
			code := run(t.Context(), args, func(k string) string { return env[k] }, &stdout, &stderr)
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			want := strings.NewReplacer("ENDPOINT", endpoint, "ISSUER", as.Issuer, "AS", as.URL, "HOST", strings.TrimPrefix(as.URL, "http://")).Replace(tc.want)
			switch {
			case tc.want == "" && code != 0:
				t.Errorf("exit %d, stderr %q; want 0", code, stderr.String())
			case tc.want != "" && (code != 1 || lines[len(lines)-1] != want):
				t.Errorf("exit %d, stderr %q; want 1 and the last line\n%s", code, stderr.String(), want)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(stolen) != 0 {
				t.Errorf("the kept token endpoint that is not the metadata's was sent %q", stolen)
			}
			var posts []string
			for _, p := range as.Posts() {
				if strings.Contains(p, "/oauth2/token/elsewhere") {
					posts = append(posts, p)
				}
			}
			if len(posts) != 0 {
				t.Errorf("the issuer's host was sent %q", posts)
			}
			if diff := cmp.Diff(tc.grants, as.Grants()[granted:], cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("the second run's token requests (-want +got):\n%s", diff)
			}
		})
	}
}
