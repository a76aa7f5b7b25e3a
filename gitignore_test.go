package lambdamcp_test

import (
	"go/build"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestGitignoreCoversBuilds checks that what `go build ./DIR` leaves in the
// root, run there for a command of the module (cmd/*, examples/*/cmd/*,
// bench/peers/*), is ignored: the binary, named after its folder, by an
// anchored line, so that a folder of that name elsewhere is not. A name
// the root already holds as a folder leaves nothing (go build refuses).
func TestGitignoreCoversBuilds(t *testing.T) {
	b, err := os.ReadFile(".gitignore")
	if err != nil {
		t.Fatal(err)
	}
	ignored := strings.Split(string(b), "\n")
	commands := commandDirs(t, false)
	if len(commands) == 0 {
		t.Fatal("no commands found")
	}
	for _, dir := range commands {
		name := filepath.Base(dir)
		if fi, err := os.Stat(name); err == nil && fi.IsDir() {
			continue
		}
		if !slices.Contains(ignored, "/"+name) {
			t.Errorf("go build ./%s leaves %s in the root, and .gitignore has no /%s", dir, name, name)
		}
	}
}

// TestGitignoreCoversBuildsInPlace checks that what `go build` leaves in a
// command's own folder, run there, is ignored: the binary, named after the
// folder, for every command of the repository, those of its other modules
// included (testdata's are built by the tests, into temporary folders).
func TestGitignoreCoversBuildsInPlace(t *testing.T) {
	b, err := os.ReadFile(".gitignore")
	if err != nil {
		t.Fatal(err)
	}
	patterns := strings.Split(string(b), "\n")
	commands := commandDirs(t, true)
	for _, dir := range commands {
		if bin := dir + "/" + filepath.Base(dir); !rootIgnores(patterns, bin) {
			t.Errorf("go build in %s leaves %s, and .gitignore does not ignore it", dir, bin)
		}
	}
}

// commandDirs lists the repository's command folders, from the root,
// leaving out hidden ones, testdata and node_modules; those of its other
// modules only if otherModules, and the root itself never.
func commandDirs(t *testing.T, otherModules bool) []string {
	t.Helper()
	var commands []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() || path == "." {
			return nil
		}
		if name := d.Name(); strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules" {
			return filepath.SkipDir
		}
		if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil && !otherModules {
			return filepath.SkipDir // another module: go build ./DIR does not build it from the root
		}
		if pkg, err := build.ImportDir(path, 0); err == nil && pkg.IsCommand() {
			commands = append(commands, filepath.ToSlash(path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return commands
}

// rootIgnores reports whether the root .gitignore's patterns ignore the
// file at p, a path from the root: the last pattern that matches decides,
// as git reads them. Patterns for folders alone (a trailing slash) match
// no file; one without a leading slash matches a name at any depth (the
// file has none with a slash inside).
func rootIgnores(patterns []string, p string) bool {
	ignored := false
	for _, pat := range patterns {
		pat = strings.TrimSpace(pat)
		if pat == "" || strings.HasPrefix(pat, "#") || strings.HasSuffix(pat, "/") {
			continue
		}
		neg := strings.HasPrefix(pat, "!")
		pat = strings.TrimPrefix(pat, "!")
		var ok bool
		if anchored, found := strings.CutPrefix(pat, "/"); found {
			ok, _ = path.Match(anchored, p)
		} else {
			ok, _ = path.Match(pat, path.Base(p))
		}
		if ok {
			ignored = !neg
		}
	}
	return ignored
}
