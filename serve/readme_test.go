package serve_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestReadmeListsEveryVariable checks that the README's table of
// environment variables has a row for each variable a server run with
// serve reads: the Env constants of serve and auth, found in their
// source, so that a new one cannot be left out of the table unnoticed.
func TestReadmeListsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, dir := range []string{".", "../auth"} {
		names = append(names, envConstants(t, dir)...)
	}
	if len(names) < 14 {
		t.Fatalf("found %d variables (%v): the source scan missed some", len(names), names)
	}
	for _, name := range names {
		if !strings.Contains(string(readme), "\n| `"+name+"` |") {
			t.Errorf("README.md's table of environment variables has no row for %s", name)
		}
	}
}

// envConstants are the values of the package-level string constants named
// Env… in the Go files of dir, tests left out.
func envConstants(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if !strings.HasPrefix(n.Name, "Env") || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, err := strconv.Unquote(lit.Value)
						if err != nil {
							t.Fatal(err)
						}
						out = append(out, v)
					}
				}
			}
		}
	}
	return out
}
