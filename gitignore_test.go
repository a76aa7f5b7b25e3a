package lambdamcp_test

import (
	"go/build"
	"io/fs"
	"os"
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

	var commands []string
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil && path != "." {
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
