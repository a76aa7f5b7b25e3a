//go:build unix

package main

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestSweepLeftoverTemp checks that opening the cache removes the
// temporary files a run that crashed before renaming left (each holds a
// token), and nothing else: not another run's being written, nor what
// only looks like one.
func TestSweepLeftoverTemp(t *testing.T) {
	dir := withCacheDir(t)
	mkdir(t, dir, 0o700)
	old := time.Now().Add(-2 * staleTemp)
	elsewhere := filepath.Join(t.TempDir(), "target.json")
	files := []struct {
		name  string
		make  func(path string) error
		stale bool
		kept  bool
	}{
		{name: ".token-1234567890.json", stale: true},                            // a crashed run's
		{name: ".token-2345678901.json", kept: true},                             // a run's, being written
		{name: "0123456789abcdef0123456789abcdef.json", stale: true, kept: true}, // another server's kept sign-in
		{name: ".token-3456789012.txt", stale: true, kept: true},                 // not the pattern
		{name: ".token-4567890123.json", stale: true, kept: true, make: func(p string) error { return os.Mkdir(p, 0o700) }},
		// A link, whose target is old: neither goes.
		{name: ".token-5678901234.json", stale: true, kept: true, make: func(p string) error {
			if err := os.WriteFile(elsewhere, []byte("{}"), 0o600); err != nil {
				return err
			}
			return os.Symlink(elsewhere, p)
		}},
	}
	var want []string
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		create := f.make
		if create == nil {
			create = func(p string) error { return os.WriteFile(p, []byte(`{"access_token":"at-0123456789"}`), 0o600) }
		}
		if err := create(p); err != nil {
			t.Fatal(err)
		}
		if f.stale {
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
		if f.kept {
			want = append(want, f.name)
		}
	}
	if err := os.Chtimes(elsewhere, old, old); err != nil {
		t.Fatal(err)
	}
	c, err := newTokenCache(testIssuer, "c1", "https://mcp.example/mcp", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if k := c.load(); k != nil {
		t.Fatalf("loaded %+v from a cache with no file of its own", k)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("left in the cache directory (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(elsewhere); err != nil {
		t.Errorf("the file a link named is gone: %v", err)
	}
}
