package main

import (
	"os"
	"path/filepath"
	"time"
)

// tempPattern names the temporary file a kept token is written to before
// it is renamed onto the cache file (os.CreateTemp's pattern).
const tempPattern = ".token-*.json"

// staleTemp is the age after which a temporary file is a crashed run's:
// a run renames its own at once, so a younger one may be another run's
// still being written.
const staleTemp = time.Minute

// sweep removes the temporary files that runs which stopped between the
// writing and the renaming left in the cache file's directory: each holds
// a token, and nothing else would ever remove it. Only regular files of
// the user's that match tempPattern and are older than staleTemp go;
// what cannot be removed is left, unsaid (the run has its own token to
// see to). The directory is checked first (checkDirs).
func (c *tokenCache) sweep(now time.Time) {
	dir := filepath.Dir(c.path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if ok, _ := filepath.Match(tempPattern, e.Name()); !ok || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info() // lstat: a link is not followed
		if err != nil || !fi.Mode().IsRegular() || !ownedByUser(fi) || now.Sub(fi.ModTime()) < staleTemp {
			continue
		}
		os.Remove(filepath.Join(dir, e.Name()))
	}
}
