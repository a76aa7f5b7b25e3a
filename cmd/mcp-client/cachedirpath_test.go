package main

import (
	"io"
	"path/filepath"
	"testing"
)

// TestCacheDirRelative checks that no sign-in is kept under a cache
// directory given as a relative path (os.UserCacheDir's answer for a
// relative $HOME): the current directory would decide where the tokens
// go.
func TestCacheDirRelative(t *testing.T) {
	for _, tc := range []struct {
		name, dir string
		want      string // the error; "": a cache is had
	}{
		{"absolute", filepath.Join(t.TempDir(), ".cache"), ""},
		{"relative", filepath.Join("home", ".cache"), `the cache directory "` + filepath.Join("home", ".cache") + `" is not an absolute path (is $HOME relative?)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			saved := userCacheDir
			userCacheDir = func() (string, error) { return tc.dir, nil }
			t.Cleanup(func() { userCacheDir = saved })
			c, err := newTokenCache(testIssuer, "client-7f3a", "https://mcp.example.com/mcp", io.Discard)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want || (err == nil) != (c != nil) {
				t.Errorf("newTokenCache: %v, %v; want the error %q", c, err, tc.want)
			}
		})
	}
}
