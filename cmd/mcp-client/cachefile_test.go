//go:build unix

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKeptFileNotTheUsers checks that a cache file is used only when it is
// a regular file of the user's at the file's own name: not another
// user's, whatever its mode, not a link, and not a FIFO, whose opening
// would wait for a writer for ever. A directory, which the new file's
// rename cannot replace, is said to be the user's to remove.
func TestKeptFileNotTheUsers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, path, data string) // puts a file at path holding data
		want  string                                // the notice's reason, and what then; "": used
	}{
		{"the user's", writeFile, ""},
		{"another user's", func(t *testing.T, path, data string) {
			if os.Geteuid() != 0 {
				t.Skip("only root can give a file to another user")
			}
			writeFile(t, path, data)
			if err := os.Chown(path, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}, "it belongs to another user (uid 65534); a new sign-in replaces it"},
		{"a link to a kept token", func(t *testing.T, path, data string) {
			target := filepath.Join(t.TempDir(), "token.json")
			writeFile(t, target, data)
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
		}, "it is a symbolic link; a new sign-in replaces it"},
		{"readable by the group", func(t *testing.T, path, data string) {
			writeFile(t, path, data)
			if err := os.Chmod(path, 0o640); err != nil {
				t.Fatal(err)
			}
		}, "others may read or write it (mode 0640, not 0600); a new sign-in replaces it"},
		{"a FIFO", func(t *testing.T, path, _ string) {
			if err := mkfifo(path); err != nil {
				t.Fatal(err)
			}
		}, "it is not a regular file; a new sign-in replaces it"},
		{"a directory", func(t *testing.T, path, _ string) {
			mkdir(t, path, 0o700)
		}, "it is a directory, which a new sign-in cannot replace: remove it for one to be kept"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := withCacheDir(t)
			mkdir(t, dir, 0o700)
			var notice bytes.Buffer
			c, err := newTokenCache(testIssuer, "client-7f3a", "https://mcp.example.com/mcp", &notice)
			if err != nil {
				t.Fatal(err)
			}
			tc.plant(t, c.path, `{"key":"`+c.key+`","issuer":"`+testIssuer+`","client_id":"client-7f3a","token_endpoint":"`+testIssuer+`/oauth2/token","access_token":"planted-0c4d"}`)
			k := c.load()
			if used := k != nil; used != (tc.want == "") {
				t.Errorf("the file used: %v, want %v; notices %q", used, tc.want == "", notice.String())
			}
			if want := "is not used: " + tc.want + "\n"; tc.want != "" && !strings.HasSuffix(notice.String(), want) {
				t.Errorf("notices %q, want one ending %q", notice.String(), want)
			}
		})
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}
