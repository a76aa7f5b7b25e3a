package lambdamcp_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// TestMakefileFuzzesEveryTarget checks the Makefile's FUZZ_TARGETS against
// the fuzz targets of this module, both ways: `make test` runs only the
// targets listed, so one left off is never run, and one listed that is
// gone fails the run.
func TestMakefileFuzzesEveryTarget(t *testing.T) {
	listed := makefileList(t, "FUZZ_TARGETS")

	found, err := fuzzTargets(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(found) == 0 {
		t.Fatal("no fuzz targets found")
	}
	if diff := cmp.Diff(found, listed); diff != "" {
		t.Errorf("FUZZ_TARGETS (-in the tree +in the Makefile):\n%s", diff)
	}
}

// makefileList returns, sorted, the words of the Makefile's variable name,
// set with := over one line or several joined by a backslash.
func makefileList(t *testing.T, name string) []string {
	t.Helper()
	mk, err := os.ReadFile("Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` :=((?:.*\\\n)*.*)$`).FindSubmatch(mk)
	if m == nil {
		t.Fatalf("no %s in the Makefile", name)
	}
	listed := strings.Fields(strings.ReplaceAll(string(m[1]), "\\\n", " "))
	slices.Sort(listed)
	return listed
}

// fuzzTargets lists, sorted, the fuzz targets of the module at root as
// FUZZ_TARGETS names them (package:Name), in the packages the go tool
// builds of that module: not testdata, nor a directory whose name begins
// with . or _, nor a module of its own. A target is what `go test` runs
// as one: a function, not a method, without type parameters, named Fuzz
// or Fuzz followed by anything but a lower-case letter, in a test file.
func fuzzTargets(root string) ([]string, error) {
	var found []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == root {
				return nil
			}
			if name := d.Name(); strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules" {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // a module of its own
			}
			return nil
		}
		if name := d.Name(); !strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		pkg := "./" + filepath.ToSlash(rel)
		if pkg == "./." {
			pkg = "."
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || fn.Type.TypeParams.NumFields() > 0 || !isFuzzName(fn.Name.Name) {
				continue
			}
			found = append(found, pkg+":"+fn.Name.Name)
		}
		return nil
	})
	slices.Sort(found)
	return found, err
}

// isFuzzName reports whether name is a fuzz target's, as the go tool
// reads it: Fuzz, or Fuzz followed by anything but a lower-case letter.
func isFuzzName(name string) bool {
	rest, ok := strings.CutPrefix(name, "Fuzz")
	if !ok {
		return false
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return rest == "" || !unicode.IsLower(r)
}
