package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
)

// TestIssuerTrailingSlash signs in with -issuer written with a trailing
// slash, then runs with it written without, which the go-sdk takes for
// the same authorization server: the sign-in kept with one is used with
// the other, and -logout with the other finds it; so is a sign-in kept
// under the name the issuer written with a trailing slash gave its file
// before, which goes once a refreshed token is kept under today's name.
func TestIssuerTrailingSlash(t *testing.T) {
	for _, tc := range []struct {
		name    string
		old     bool // the file has the name and key the issuer as written gave
		signIn  string
		another string // the issuer as a later run writes it
	}{
		{name: "kept with a slash, used without", signIn: "/", another: ""},
		{name: "kept without a slash, used with", signIn: "", another: "/"},
		{name: "kept before, with a slash, used without", old: true, signIn: "/", another: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := withCacheDir(t)
			as := startAS(t, oauthtest.Options{Public: true, Scopes: []string{testScope}, Refresh: true})
			endpoint := startJWTReference(t, as, nil)
			b := newBrowser()
			withOpener(t, b.open)
			signIn := func(issuer string, extra ...string) (int, string) {
				t.Helper()
				var stdout, stderr bytes.Buffer
				args := append([]string{"-client-id", as.ClientID, "-issuer", issuer, "-endpoint", endpoint}, extra...)
				code := run(t.Context(), args, func(string) string { return "" }, &stdout, &stderr)
				return code, stderr.String()
			}
			if code, stderr := signIn(as.Issuer+tc.signIn, "-login", "-redirect-port", "0"); code != 0 {
				t.Fatalf("the first run: exit %d; stderr %q", code, stderr)
			}
			path := keptFile(t, dir)
			if tc.old {
				// As a file kept before keys took the issuer without its
				// trailing slash.
				key := keyOf(as.Issuer+tc.signIn, as.ClientID, endpoint)
				old := filepath.Join(dir, key[:32]+".json")
				// Expired: the refresh keeps the new token under the name
				// of today, and the file of before goes.
				writeKept(t, path, func(k *keptToken) { k.Key = key; k.Expiry = time.Now().Add(-time.Hour) })
				if err := os.Rename(path, old); err != nil {
					t.Fatal(err)
				}
			}
			if code, stderr := signIn(as.Issuer+tc.another, "-login", "-call", "whoami"); code != 0 {
				t.Fatalf("the second run: exit %d; stderr %q", code, stderr)
			}
			if opened, _, _ := b.seen(); len(opened) != 1 {
				t.Errorf("the browser was opened %d times, want once: the sign-in kept is used", len(opened))
			}
			if now := keptFile(t, dir); now != path {
				t.Errorf("the sign-in is kept in %s, want %s", now, path)
			}
			code, stderr := signIn(as.Issuer+tc.another, "-logout")
			if code != 0 || !strings.Contains(stderr, "signed out: the kept sign-in of client") {
				t.Errorf("-logout: exit %d, stderr %q; want the kept sign-in deleted", code, stderr)
			}
			if left := keptFile(t, dir); left != "" {
				t.Errorf("%s is left", left)
			}
		})
	}
}

// TestKeptElsewhereSlashedIssuer checks that a sign-in kept through a
// client registered at another authorization server is found whether
// its file has today's name or the one the issuer written with a
// trailing slash gave it before, and is named once.
func TestKeptElsewhereSlashedIssuer(t *testing.T) {
	const endpoint = "https://mcp.example/mcp"
	before, today := keyOf("https://other.example/", "", endpoint), cacheKey("https://other.example/", "", endpoint)
	for _, tc := range []struct {
		name string
		keys []string
	}{
		{name: "kept before", keys: []string{before}},
		{name: "kept today", keys: []string{today}},
		{name: "both", keys: []string{before, today}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := withCacheDir(t)
			mkdir(t, dir, 0o700)
			chmod(t, filepath.Dir(dir), 0o700)
			for _, key := range tc.keys {
				data, err := json.Marshal(keptToken{Key: key, Issuer: "https://other.example/", ClientID: "c1", TokenEndpoint: "https://other.example/token", AccessToken: "t0ken-abcdefgh"})
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, key[:32]+".json"), data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			c, err := newTokenCache("https://as.example", "", endpoint, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := c.keptElsewhere(endpoint), []string{"https://other.example/"}; !slices.Equal(got, want) {
				t.Errorf("kept elsewhere %q, want %q", got, want)
			}
		})
	}
}

// TestKeptElsewhereSpelledTwice checks that an authorization server whose
// sign-ins were kept under both spellings of its issuer, with and without
// a trailing slash, is named once beside another whose issuer sorts
// between the two spellings.
func TestKeptElsewhereSpelledTwice(t *testing.T) {
	const endpoint = "https://mcp.example/mcp"
	dir := withCacheDir(t)
	mkdir(t, dir, 0o700)
	chmod(t, filepath.Dir(dir), 0o700)
	for _, f := range []struct{ issuer, key string }{
		{"https://other.example/", keyOf("https://other.example/", "", endpoint)}, // kept before
		{"https://other.example", cacheKey("https://other.example", "", endpoint)},
		{"https://other.example.org", cacheKey("https://other.example.org", "", endpoint)},
	} {
		data, err := json.Marshal(keptToken{Key: f.key, Issuer: f.issuer, ClientID: "c1", TokenEndpoint: f.issuer + "/token", AccessToken: "t0ken-abcdefgh"})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.key[:32]+".json"), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c, err := newTokenCache("https://as.example", "", endpoint, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.keptElsewhere(endpoint), []string{"https://other.example", "https://other.example.org"}; !slices.Equal(got, want) {
		t.Errorf("kept elsewhere %q, want %q", got, want)
	}
}
