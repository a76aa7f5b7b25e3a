//go:build unix

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// TestCacheDirNotShared checks that a kept sign-in is neither kept nor
// read in a directory that is not the user's alone, which another user
// of the machine may have made first in a shared cache directory.
func TestCacheDirNotShared(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(t *testing.T, dir string) // makes dir, lambdamcp/mcp-client, and its parent
		want string                         // in the notices; "": kept and read
	}{
		{"the user's", func(t *testing.T, dir string) { mkdir(t, dir, 0o700) }, ""},
		{"others may write in it", func(t *testing.T, dir string) { mkdir(t, dir, 0o777) }, "others may write in it (mode 0777)"},
		{"its group may write in it", func(t *testing.T, dir string) { mkdir(t, dir, 0o770) }, "others may write in it (mode 0770)"},
		{"others may write in its parent", func(t *testing.T, dir string) {
			mkdir(t, dir, 0o700)
			chmod(t, filepath.Dir(dir), 0o733)
		}, "others may write in it (mode 0733)"},
		{"anyone may write in the cache directory", func(t *testing.T, dir string) {
			mkdir(t, dir, 0o700)
			chmod(t, filepath.Dir(filepath.Dir(dir)), 0o777)
		}, "anyone may write in it, and it has no sticky bit (mode 0777)"},
		{"a shared cache directory, sticky", func(t *testing.T, dir string) {
			mkdir(t, dir, 0o700)
			chmod(t, filepath.Dir(filepath.Dir(dir)), 0o777|os.ModeSticky)
		}, ""},
		{"another user's cache directory", func(t *testing.T, dir string) {
			mkdir(t, dir, 0o700)
			if os.Geteuid() != 0 {
				t.Skip("only root can give a directory to another user")
			}
			if err := os.Chown(filepath.Dir(filepath.Dir(dir)), 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}, "it belongs to another user (uid 65534)"},
		{"another user's link as the cache directory", func(t *testing.T, dir string) {
			if os.Geteuid() != 0 {
				t.Skip("only root can give a link to another user")
			}
			root := filepath.Dir(filepath.Dir(dir))
			elsewhere := t.TempDir()
			if err := os.Remove(root); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(elsewhere, root); err != nil {
				t.Fatal(err)
			}
			if err := os.Lchown(root, 65534, 65534); err != nil {
				t.Fatal(err)
			}
			mkdir(t, dir, 0o700)
		}, "it belongs to another user (uid 65534)"},
		{"a link to another directory", func(t *testing.T, dir string) {
			mkdir(t, filepath.Dir(dir), 0o700)
			elsewhere := t.TempDir()
			if err := os.Symlink(elsewhere, dir); err != nil {
				t.Fatal(err)
			}
		}, "it is not a directory"},
		{"another user's", func(t *testing.T, dir string) {
			mkdir(t, dir, 0o700)
			if os.Geteuid() != 0 {
				t.Skip("only root can give a directory to another user")
			}
			if err := os.Chown(dir, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}, "it belongs to another user (uid 65534)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := withCacheDir(t)
			tc.make(t, dir)
			var notice bytes.Buffer
			c, err := newTokenCache(testIssuer, "client-7f3a", "https://mcp.example.com/mcp", &notice)
			if err != nil {
				t.Fatal(err)
			}
			cfg := &oauth2.Config{Endpoint: oauth2.Endpoint{TokenURL: testIssuer + "/oauth2/token"}}
			c.keep(t.Context(), cfg, &oauth2.Token{AccessToken: "access-1f9c2e7a", RefreshToken: "refresh-8d3b6c0e"})
			written := keptFile(t, dir) != ""
			if written != (tc.want == "") {
				t.Errorf("a file kept: %v, want %v; notices %q", written, tc.want == "", notice.String())
			}
			// A file already there, as its owner may have put it.
			planted := filepath.Join(dir, filepath.Base(c.path))
			if !written {
				data := `{"key":"` + c.key + `","issuer":"` + testIssuer + `","client_id":"client-7f3a","token_endpoint":"` + testIssuer + `/oauth2/token","access_token":"planted-0c4d"}`
				if err := os.WriteFile(planted, []byte(data), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			c.saved = ""
			k := c.load()
			if read := k != nil; read != (tc.want == "") {
				t.Errorf("the kept file read: %v, want %v; notices %q", read, tc.want == "", notice.String())
			}
			if tc.want != "" && strings.Count(notice.String(), tc.want) != 2 {
				t.Errorf("notices %q, want %q said of the writing and of the reading", notice.String(), tc.want)
			}
		})
	}
}

// TestForgetNotThroughALink checks that -logout deletes nothing through
// a cache directory that is not the user's alone: lambdamcp a link to
// another directory, say, whose file of that name is not this sign-in's.
func TestForgetNotThroughALink(t *testing.T) {
	dir := withCacheDir(t)
	elsewhere := t.TempDir()
	mkdir(t, filepath.Join(elsewhere, "mcp-client"), 0o700)
	if err := os.Symlink(elsewhere, filepath.Dir(dir)); err != nil {
		t.Fatal(err)
	}
	c, err := newTokenCache(testIssuer, "client-7f3a", "https://mcp.example.com/mcp", &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(elsewhere, "mcp-client", filepath.Base(c.path))
	writeFile(t, target, "{}")
	deleted, err := c.forget()
	if want := "is not the user's alone: it is not a directory"; deleted || err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("forget: %v, %v; want false and an error saying %q", deleted, err, want)
	}
	if _, err := os.Stat(target); err != nil {
		t.Errorf("the file the link leads to is gone: %v", err)
	}
}

// TestCacheDirNotSharedSaidOnce checks what a run says, reading at its
// start and keeping after the sign-in, when its cache directory is not
// the user's alone: one line, that no sign-in is kept or used there,
// not that a new sign-in replaces a kept one, which it does not; and
// that it makes nothing in that directory.
func TestCacheDirNotSharedSaidOnce(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(t *testing.T, dir string)
		want string
	}{
		{"anyone may write in the cache directory", func(t *testing.T, dir string) {
			chmod(t, filepath.Dir(filepath.Dir(dir)), 0o777)
		}, "anyone may write in it, and it has no sticky bit (mode 0777)"},
		{"others may write in lambdamcp", func(t *testing.T, dir string) {
			mkdir(t, filepath.Dir(dir), 0o777)
		}, "others may write in it (mode 0777)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := withCacheDir(t)
			tc.make(t, dir)
			var notice bytes.Buffer
			c, err := newTokenCache(testIssuer, "client-7f3a", "https://mcp.example.com/mcp", &notice)
			if err != nil {
				t.Fatal(err)
			}
			if k := c.load(); k != nil {
				t.Fatalf("load: %+v, want none", k)
			}
			cfg := &oauth2.Config{Endpoint: oauth2.Endpoint{TokenURL: testIssuer + "/oauth2/token"}}
			c.keep(t.Context(), cfg, &oauth2.Token{AccessToken: "access-1f9c2e7a", RefreshToken: "refresh-8d3b6c0e"})
			got := notice.String()
			if strings.Count(got, "\n") != 1 || !strings.Contains(got, tc.want) || !strings.HasPrefix(got, "mcp-client: no sign-in is kept between runs, nor one kept before used: ") {
				t.Errorf("notices %q, want one line saying no sign-in is kept or used, for %q", got, tc.want)
			}
			if _, err := os.Lstat(dir); err == nil {
				t.Errorf("%s was made", dir)
			}
		})
	}
}
