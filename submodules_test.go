package lambdamcp_test

import (
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMakefileChecksEveryModule checks the Makefile's SUBMODULES against
// the modules the repository holds besides the root one and deploy/ (which
// has its own target, test-deploy): vet, lint and unit see a module only if
// it is listed, as the root's ./... stops at every go.mod below it.
func TestMakefileChecksEveryModule(t *testing.T) {
	listed := makefileList(t, "SUBMODULES")

	var found []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() != "go.mod" {
			return nil
		}
		if dir := filepath.ToSlash(filepath.Dir(path)); dir != "." && dir != "deploy" {
			found = append(found, dir)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(found)
	if len(found) == 0 {
		t.Fatal("no modules found besides the root one")
	}
	if diff := cmp.Diff(found, listed); diff != "" {
		t.Errorf("SUBMODULES (-in the tree +in the Makefile):\n%s", diff)
	}
}
