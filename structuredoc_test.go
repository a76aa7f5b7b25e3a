package lambdamcp_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReadmeStructureNamesEveryPackage checks the README's "Project
// structure" against the tree, both ways: each source file of package
// lambdamcp and each folder of Go code at the top level or one level into
// cmd/ and internal/ is named in it, and everything it names exists. A new
// file or package is where that list drifts, unnoticed by any reader.
func TestReadmeStructureNamesEveryPackage(t *testing.T) {
	listing := readmeStructure(t)
	named := map[string]bool{}
	for _, line := range strings.Split(listing, "\n") {
		names, _, _ := strings.Cut(line, "  ") // the names, then what they hold
		for _, name := range strings.Split(names, ", ") {
			if name = strings.TrimSuffix(strings.TrimSpace(name), "/"); name != "" {
				named[name] = true
			}
		}
	}
	// A folder is named by itself or by what it holds (examples/everything/,
	// "peers in bench/peers/").
	namedFolder := func(dir string) bool { return strings.Contains(listing, dir+"/") }

	var missing []string
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") && !named[f] {
			missing = append(missing, f)
		}
	}
	for _, dir := range goFolders(t) {
		if !namedFolder(dir) {
			missing = append(missing, dir+"/")
		}
	}
	if diff := cmp.Diff([]string(nil), missing); diff != "" {
		t.Errorf("README.md's project structure does not name (-want +got):\n%s", diff)
	}

	var gone []string
	for name := range named {
		if strings.Contains(name, "<") {
			continue // a pattern: examples/<feature>
		}
		if _, err := os.Stat(name); err != nil {
			gone = append(gone, name)
		}
	}
	slices.Sort(gone)
	if diff := cmp.Diff([]string(nil), gone); diff != "" {
		t.Errorf("README.md's project structure names what does not exist (-want +got):\n%s", diff)
	}
}

// readmeStructure returns the code block under README.md's "Project
// structure" heading.
func readmeStructure(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "\n## Project structure\n")
	if !ok {
		t.Fatal(`README.md has no "## Project structure" section`)
	}
	_, block, ok := strings.Cut(after, "```\n")
	if !ok {
		t.Fatal("README.md's project structure has no code block")
	}
	block, _, ok = strings.Cut(block, "```")
	if !ok {
		t.Fatal("README.md's project structure's code block does not end")
	}
	return block
}

// goFolders returns the folders that hold Go files, at the top level and
// one level into cmd/ and internal/, as the README lists them. Folders of
// other tools' files (node_modules, testdata) are not Go code of this
// module.
func goFolders(t *testing.T) []string {
	t.Helper()
	var dirs []string
	for _, pattern := range []string{"*", "cmd/*", "internal/*"} {
		matches, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, dir := range matches {
			if dir == "cmd" || dir == "internal" || dir == "testdata" {
				continue // listed by what they hold
			}
			if info, err := os.Stat(dir); err != nil || !info.IsDir() {
				continue
			}
			var hasGo bool
			err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata") {
					return filepath.SkipDir
				}
				hasGo = hasGo || strings.HasSuffix(path, ".go")
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if hasGo {
				dirs = append(dirs, dir)
			}
		}
	}
	return dirs
}
