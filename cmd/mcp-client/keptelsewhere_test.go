package main

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestKeptElsewhere checks which kept sign-ins count as those of a client
// registered for the endpoint at another authorization server: not the
// cache's own, not a given client's, not another endpoint's, not a file
// renamed from another's name, nor one others may read.
func TestKeptElsewhere(t *testing.T) {
	dir := withCacheDir(t)
	const endpoint = "https://mcp.example/mcp"
	keep := func(issuer, clientID, endpoint string) *tokenCache {
		t.Helper()
		c, err := newTokenCache(issuer, clientID, endpoint, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.write(keptToken{Key: c.key, Issuer: issuer, ClientID: or(clientID, "registered-1"), Server: endpoint,
			TokenEndpoint: issuer + "/token", AccessToken: "acc3ss-t0ken-0123"}); err != nil {
			t.Fatal(err)
		}
		return c
	}
	own := keep("https://as.example", "", endpoint)
	keep("https://old.example", "", endpoint)
	keep("https://older.example", "", endpoint)
	keep("https://given.example", "client-given", endpoint)
	keep("https://other-endpoint.example", "", "https://mcp.example/other")
	renamed := keep("https://renamed.example", "", endpoint)
	if err := os.Rename(renamed.path, filepath.Join(dir, "0123456789abcdef0123456789abcdef.json")); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" { // no mode bits there: its ACLs decide
		open := keep("https://open.example", "", endpoint)
		if err := os.Chmod(open.path, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]string{"https://old.example", "https://older.example"}, own.keptElsewhere(endpoint)); diff != "" {
		t.Errorf("keptElsewhere (-want +got):\n%s", diff)
	}
}
