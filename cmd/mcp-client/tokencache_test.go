package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
)

// envMainArgs, set in a test binary's environment to the JSON list of a
// command line (its name first), makes the binary run main with it.
const envMainArgs = "MCP_CLIENT_TEST_MAIN_ARGS"

// TestMain points the kept sign-ins of every test's run at a directory of
// its own: no test reads or writes the user's cache.
func TestMain(m *testing.M) {
	if args := os.Getenv(envMainArgs); args != "" {
		// A test's child process: the command itself, signals and all.
		os.Args = []string{"mcp-client"}
		if err := json.Unmarshal([]byte(args), &os.Args); err != nil {
			panic(err)
		}
		main()
	}
	dir, err := os.MkdirTemp("", "mcp-client-cache-")
	if err != nil {
		panic(err)
	}
	userCacheDir = func() (string, error) { return dir, nil }
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// withCacheDir gives the test's runs a cache directory of their own, and
// returns the directory their kept sign-ins go to.
func withCacheDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	saved := userCacheDir
	userCacheDir = func() (string, error) { return dir, nil }
	t.Cleanup(func() { userCacheDir = saved })
	return filepath.Join(dir, "lambdamcp", "mcp-client")
}

// keepingSignIn starts what a kept sign-in's tests share: a cache
// directory of the test's own (returned), an authorization server
// for a public client that grants rotating refresh tokens, the
// reference server trusting it (endpoint), and a browser that
// approves each sign-in at once.
func keepingSignIn(t *testing.T) (dir string, as *oauthtest.Server, endpoint string, b *browser) {
	t.Helper()
	dir = withCacheDir(t)
	as = startAS(t, oauthtest.Options{Pool: "eu-west-1_Test", Public: true, Scopes: []string{testScope}, Refresh: true})
	endpoint = startJWTReference(t, as, nil)
	b = newBrowser()
	withOpener(t, b.open)
	return dir, as, endpoint, b
}

// mkdir makes dir, and its parents, and gives dir mode.
func mkdir(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	chmod(t, dir, mode)
}

func chmod(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
}

// keptFile is the one cache file in dir, "" if none; its lock file, if
// any, is not one.
func keptFile(t *testing.T, dir string) string {
	t.Helper()
	all, _ := filepath.Glob(filepath.Join(dir, "*"))
	files := slices.DeleteFunc(all, func(f string) bool { return strings.HasSuffix(f, lockSuffix) })
	switch len(files) {
	case 0:
		return ""
	case 1:
		return files[0]
	}
	t.Fatalf("cache files %q, want one", files)
	return ""
}

// readKept reads the kept token at path, checking its file's mode.
func readKept(t *testing.T, path string) keptToken {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %04o, want 0600", path, fi.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var k keptToken
	if err := json.Unmarshal(data, &k); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return k
}

// writeKept changes the kept token at path with edit.
func writeKept(t *testing.T, path string, edit func(*keptToken)) {
	t.Helper()
	k := readKept(t, path)
	edit(&k)
	data, err := json.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestKeptSignIn runs -login twice against one authorization server, as a
// person would on two days: the first run signs in and keeps the token,
// the second uses what was kept, or signs in again when it cannot.
func TestKeptSignIn(t *testing.T) {
	expire := func(k *keptToken) { k.Expiry = time.Now().Add(-time.Hour) }
	tests := []struct {
		name     string
		first    []string // the first run's added arguments
		between  func(t *testing.T, as *oauthtest.Server, path string)
		second   []string // the second run's
		opens    int      // the browser opened by the second run
		grants   []string // the second run's token requests
		wantErr  []string // in the second run's stderr
		replaced bool     // the second run kept another token
		noFile   bool     // no token is kept at all
	}{
		{name: "reused"},
		{name: "expired, refreshed", between: func(t *testing.T, _ *oauthtest.Server, p string) { writeKept(t, p, expire) },
			grants: []string{"refresh_token"}, replaced: true},
		{name: "refresh refused, signs in again", between: func(t *testing.T, as *oauthtest.Server, p string) { writeKept(t, p, expire); as.RevokeRefresh() },
			// A public client's token requests detect how to authenticate
			// (oauth2.AuthStyleAutoDetect): a refused one is sent twice.
			opens: 1, grants: []string{"refresh_token", "refresh_token", "authorization_code"}, replaced: true,
			wantErr: []string{"mcp-client: the token endpoint refused to refresh the sign-in (invalid_grant): sign in again", "mcp-client: sign in at "}},
		{name: "token refused by the server, signs in again", between: func(t *testing.T, _ *oauthtest.Server, p string) {
			writeKept(t, p, func(k *keptToken) { k.AccessToken = "not-a-jwt-of-this-issuer" })
		}, opens: 1, grants: []string{"authorization_code"}, replaced: true,
			wantErr: []string{"mcp-client: the server refused the kept sign-in's token: sign in again"}},
		{name: "readable by others, refused", between: func(t *testing.T, _ *oauthtest.Server, p string) {
			if err := os.Chmod(p, 0o644); err != nil {
				t.Fatal(err)
			}
		}, opens: 1, grants: []string{"authorization_code"}, replaced: true,
			wantErr: []string{"is not used: others may read or write it (mode 0644, not 0600); a new sign-in replaces it"}},
		{name: "corrupt, ignored", between: func(t *testing.T, _ *oauthtest.Server, p string) {
			if err := os.WriteFile(p, []byte(`{"access_token": `), 0o600); err != nil {
				t.Fatal(err)
			}
		}, opens: 1, grants: []string{"authorization_code"}, replaced: true,
			wantErr: []string{"is not used: it is not a kept token (unexpected end of JSON input)"}},
		{name: "another issuer's, ignored", between: func(t *testing.T, _ *oauthtest.Server, p string) {
			writeKept(t, p, func(k *keptToken) { k.Issuer = "https://other.example" })
		}, opens: 1, grants: []string{"authorization_code"}, replaced: true,
			wantErr: []string{"is not used: it is another issuer's, client's or server's"}},
		{name: "another server's, ignored", between: func(t *testing.T, _ *oauthtest.Server, p string) {
			writeKept(t, p, func(k *keptToken) { k.Key = "0123456789abcdef0123456789abcdef" })
		}, opens: 1, grants: []string{"authorization_code"}, replaced: true,
			wantErr: []string{"is not used: it is another issuer's, client's or server's"}},
		{name: "no http(s) token endpoint, ignored", between: func(t *testing.T, _ *oauthtest.Server, p string) {
			writeKept(t, p, func(k *keptToken) { k.TokenEndpoint = "file:///oauth2/token" })
		}, opens: 1, grants: []string{"authorization_code"}, replaced: true,
			wantErr: []string{"is not used: it names no http(s) token endpoint"}},
		{name: "no token cache", first: []string{"-no-token-cache"}, second: []string{"-no-token-cache"},
			opens: 1, grants: []string{"authorization_code"}, noFile: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, as, endpoint, b := keepingSignIn(t)
			login := func(more []string) (string, string) {
				t.Helper()
				args := append([]string{"-login", "-client-id", as.ClientID, "-issuer", as.Issuer, "-redirect-port", "0", "-endpoint", endpoint, "-call", "whoami"}, more...)
				var stdout, stderr bytes.Buffer
				code := run(t.Context(), args, func(string) string { return "" }, &stdout, &stderr)
				checkRunOutput(t, code, 0, stdout.String(), stderr.String(), []string{`"subject":"` + oauthtest.DefaultSubject + `"`}, nil)
				return stdout.String(), stderr.String()
			}
			login(tc.first)
			opened, _, _ := b.seen()
			if len(opened) != 1 {
				t.Fatalf("the first run opened the browser %d times, want 1", len(opened))
			}
			path := keptFile(t, dir)
			if tc.noFile != (path == "") {
				t.Fatalf("kept file %q with -no-token-cache %v", path, tc.noFile)
			}
			var before keptToken
			if path != "" {
				// Made by the run, for the user alone (docs/auth.md).
				for _, d := range []string{dir, filepath.Dir(dir)} {
					fi, err := os.Stat(d)
					if err != nil {
						t.Fatal(err)
					}
					if fi.Mode().Perm() != 0o700 {
						t.Errorf("the directory %s has mode %04o, want 0700", d, fi.Mode().Perm())
					}
				}
				before = readKept(t, path)
				_, issued := as.Seen()
				if !slices.Contains(issued, before.AccessToken) || !slices.Contains(issued, before.RefreshToken) || before.TokenEndpoint != as.URL+"/oauth2/token" {
					t.Errorf("kept %+v, not the token and refresh token issued at %s", before, as.URL+"/oauth2/token")
				}
			}
			if tc.between != nil {
				tc.between(t, as, path)
			}
			granted := len(as.Grants())
			_, stderr := login(tc.second)
			if opened, _, _ := b.seen(); len(opened)-1 != tc.opens {
				t.Errorf("the second run opened the browser %d times, want %d", len(opened)-1, tc.opens)
			}
			if diff := cmp.Diff(tc.grants, as.Grants()[granted:], cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("the second run's token requests (-want +got):\n%s", diff)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if tc.noFile {
				if p := keptFile(t, dir); p != "" {
					t.Errorf("-no-token-cache kept %s", p)
				}
				return
			}
			after := readKept(t, path)
			if replaced := after.AccessToken != before.AccessToken; replaced != tc.replaced {
				t.Errorf("kept token replaced: %v, want %v", replaced, tc.replaced)
			}
			if _, issued := as.Seen(); !slices.Contains(issued, after.AccessToken) || !slices.Contains(issued, after.RefreshToken) {
				t.Errorf("kept %+v, not a token issued", after)
			}
		})
	}
}

// TestKeptSignInTrace checks that -trace of a run that refreshes a kept
// token shows neither the kept tokens nor those the refresh gives.
func TestKeptSignInTrace(t *testing.T) {
	dir, as, endpoint, _ := keepingSignIn(t)
	args := []string{"-login", "-client-id", as.ClientID, "-issuer", as.Issuer, "-redirect-port", "0", "-endpoint", endpoint}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), args, func(string) string { return "" }, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d; stderr %q", code, stderr.String())
	}
	writeKept(t, keptFile(t, dir), func(k *keptToken) { k.Expiry = time.Now().Add(-time.Hour) })
	stdout.Reset()
	stderr.Reset()
	if code := run(t.Context(), append(args, "-trace"), func(string) string { return "" }, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d; stderr %q", code, stderr.String())
	}
	trace := stderr.String()
	_, issued := as.Seen()
	if len(issued) != 4 { // the sign-in's token and refresh token, the refresh's
		t.Fatalf("%d tokens issued, want 4", len(issued))
	}
	for _, s := range issued {
		if strings.Contains(trace, s) {
			t.Errorf("the trace shows %q", s)
		}
	}
	for _, want := range []string{"grant_type=refresh_token", "refresh_token=[hidden]", `"refresh_token":"[hidden]"`, "Authorization: Bearer [hidden]"} {
		if !strings.Contains(trace, want) {
			t.Errorf("the trace lacks %q:\n%s", want, trace)
		}
	}
}

// TestLogout checks that -logout deletes the kept sign-in of its client,
// issuer and server, and that alone, and says so; and that it needs no
// secret or callback.
func TestLogout(t *testing.T) {
	dir := withCacheDir(t)
	as := startAS(t, oauthtest.Options{Public: true})
	const endpoint = "https://mcp.example/dev/mcp"
	cache, err := newTokenCache(as.Issuer, as.ClientID, endpoint, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cache.write(keptToken{Key: cache.key, Issuer: as.Issuer, ClientID: as.ClientID, AccessToken: "at-0123456789", TokenEndpoint: as.URL + "/oauth2/token"}); err != nil {
		t.Fatal(err)
	}
	other, _ := newTokenCache(as.Issuer, as.ClientID, "https://other.example/mcp", nil)
	if err := other.write(keptToken{Key: other.key, Issuer: as.Issuer, ClientID: as.ClientID, AccessToken: "at-9876543210", TokenEndpoint: as.URL + "/oauth2/token"}); err != nil {
		t.Fatal(err)
	}
	args := []string{"-logout", "-client-id", as.ClientID, "-issuer", as.Issuer, "-endpoint", endpoint}
	whose := fmt.Sprintf("client %q at %s for %s", as.ClientID, as.Issuer, endpoint)
	for _, want := range []string{
		"mcp-client: signed out: the kept sign-in of " + whose + " is deleted, and its access token revoked at " + as.URL + "/oauth2/revoke\n",
		"mcp-client: no sign-in of " + whose + " was kept\n",
	} {
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), args, func(string) string { return "" }, &stdout, &stderr); code != 0 || stderr.String() != want {
			t.Errorf("exit %d, stderr %q; want 0 and %q", code, stderr.String(), want)
		}
	}
	if _, err := os.Stat(cache.path); !os.IsNotExist(err) {
		t.Errorf("%s is still there (%v)", cache.path, err)
	}
	if p := keptFile(t, dir); p != other.path {
		t.Errorf("kept %q, want the other server's %s left", p, other.path)
	}
	if diff := cmp.Diff([]string{"at-0123456789"}, as.Revoked()); diff != "" {
		t.Errorf("revoked (-want +got):\n%s", diff)
	}
}

// TestKeptSignInCommandLine checks the command lines of the kept sign-in
// that cannot run.
func TestKeptSignInCommandLine(t *testing.T) {
	withCacheDir(t)
	checkCommandLines(t, []commandLine{
		{"no token cache without login", []string{"-no-token-cache"}, nil, 2, "-no-token-cache is for a person's sign-in: use it with -login"},
		{"logout without client, plain http issuer", []string{"-logout", "-issuer", "http://as.example.com"}, nil, 2, `-issuer "http://as.example.com" is plain http to a host that is not loopback`},
		{"logout without issuer", []string{"-logout", "-client-id", "c1"}, nil, 2, `client "c1" has no issuer`},
		{"logout and call", []string{"-logout", "-client-id", "c1", "-issuer", testIssuer, "-call", "ping"}, nil, 2, "-logout deletes a kept sign-in and exits"},
		{"logout and no token cache", []string{"-login", "-logout", "-no-token-cache", "-client-id", "c1", "-issuer", testIssuer}, nil, 2, "-logout deletes a kept sign-in and exits"},
		{"logout and login", []string{"-login", "-logout", "-client-id", "c1", "-issuer", testIssuer}, nil, 2, "-login and -logout exclude each other: give one"},
		{"logout and login, client from env", []string{"-logout", "-login"}, map[string]string{"MCP_CLIENT_ID": "c1", "MCP_CLIENT_ISSUER": testIssuer}, 2, "-login and -logout exclude each other"},
	})
}

// testCache is a cache of the test's sign-in in the test's own cache
// directory, made 0700; each is another run's: it opens the lock file
// anew, and flock excludes the open files of one process as it does
// those of two.
func testCache(t *testing.T, notice *bytes.Buffer) *tokenCache {
	t.Helper()
	c, err := newTokenCache(testIssuer, "client-7f3a", "https://mcp.example.com/mcp", notice)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
