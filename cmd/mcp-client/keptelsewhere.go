package main

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// maxElsewhere bounds the cache files keptElsewhere reads: each is a
// few KiB, one per issuer, client and server signed in to.
const maxElsewhere = 256

// keptElsewhere are the other authorization servers at which a client an
// earlier -login registered for endpoint keeps a sign-in, c being that of
// the client registered at c's issuer: the server named another then. A
// file is read as c's would be (read), and counts only when its name and
// key are those of such a sign-in. None when the directories are not the
// user's alone (checkDirs).
func (c *tokenCache) keptElsewhere(endpoint string) []string {
	if c == nil || c.clientID != "" || c.checkDirs() != nil {
		return nil
	}
	dir := filepath.Dir(c.path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var issuers []string
	read := 0
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, ".") || !e.Type().IsRegular() || filepath.Join(dir, name) == c.path || filepath.Join(dir, name) == c.slashPath {
			continue
		}
		if read++; read > maxElsewhere {
			break
		}
		k, _ := readKeptFile(filepath.Join(dir, name))
		if k == nil || issuersEqual(k.Issuer, c.issuer) || k.ClientID == "" || k.AccessToken == "" {
			continue
		}
		// Its key is cacheKey's, or, kept before keys took the issuer
		// without its trailing slash, that of the issuer as written.
		if !slices.ContainsFunc([]string{cacheKey(k.Issuer, "", endpoint), keyOf(k.Issuer, "", endpoint)}, func(key string) bool {
			return k.Key == key && name == key[:32]+".json"
		}) {
			continue
		}
		issuers = append(issuers, k.Issuer)
	}
	// Sorted without the trailing slash, so that both spellings of an
	// issuer are side by side for CompactFunc to name it once.
	slices.SortFunc(issuers, func(a, b string) int {
		return cmp.Or(strings.Compare(strings.TrimSuffix(a, "/"), strings.TrimSuffix(b, "/")), strings.Compare(a, b))
	})
	return slices.CompactFunc(issuers, issuersEqual)
}

// keptAt names the sign-ins keptElsewhere found, with the verb that
// goes with them, and how to drop them.
func keptAt(issuers []string) (what, is, drop string) {
	if len(issuers) == 1 {
		return "the sign-in kept through the client registered at " + issuers[0] + " on an earlier sign-in", "is", "-logout -issuer " + issuers[0] + " drops it"
	}
	return "the sign-ins kept through the clients registered at " + strings.Join(issuers, ", ") + " on earlier sign-ins", "are", "-logout -issuer with each drops them"
}
