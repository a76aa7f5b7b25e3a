package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// stackBuild reads the go build command of the deploy stack's GoBuild
// (deploy/stack/build.go, a module that cannot share code with this one):
// the string literals among its arguments, and those it appends to the
// environment.
func stackBuild(t *testing.T) (args, env []string) {
	t.Helper()
	path := filepath.Join("..", "..", "deploy", "stack", "build.go")
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	literals := func(exprs []ast.Expr) []string {
		var out []string
		for _, e := range exprs {
			if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, s)
			}
		}
		return out
	}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "GoBuild" {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "CommandContext" {
					args = literals(n.Args)
				}
			case *ast.AssignStmt:
				if sel, ok := n.Lhs[0].(*ast.SelectorExpr); ok && sel.Sel.Name == "Env" {
					if call, ok := n.Rhs[0].(*ast.CallExpr); ok {
						env = literals(call.Args)
					}
				}
			}
			return true
		})
	}
	if args == nil || env == nil {
		t.Fatalf("%s: no go build command with an environment in GoBuild; this test reads it", path)
	}
	return args, env
}

// TestBuildAsTheStack checks that the bench builds the arm64 bootstrap it
// sizes and zips with the deploy stack's flags and environment, so that its
// figures are of the binary users deploy.
func TestBuildAsTheStack(t *testing.T) {
	stackArgs, stackEnv := stackBuild(t)
	stackArgs = slices.DeleteFunc(stackArgs, func(a string) bool { return a == "-o" })
	cmd := goBuildCmd(t.Context(), ".", "out", "./pkg", lambdaBuildEnv("arm64"))
	// The build's own environment, after the inherited one.
	env := cmd.Env[len(os.Environ()):]
	args := slices.DeleteFunc(slices.Clone(cmd.Args[1:]), func(a string) bool { return a == "-o" || a == "out" || a == "./pkg" })
	slices.Sort(stackEnv)
	slices.Sort(env)
	if diff := cmp.Diff(stackArgs, append([]string{"go"}, args...)); diff != "" {
		t.Errorf("go build arguments (-stack +bench):\n%s", diff)
	}
	if diff := cmp.Diff(stackEnv, env); diff != "" {
		t.Errorf("go build environment (-stack +bench):\n%s", diff)
	}
}

// TestZipLevel checks that the deployment package is deflated at the CDK
// CLI's level, zlib's 6 (see zipLevel): its compressed bytes are those of
// flate at 6.
func TestZipLevel(t *testing.T) {
	const cdkLevel = 6
	exe, err := os.Executable() // a binary, as the bootstrap is
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	data = data[:min(len(data), 1<<20)]
	dir := t.TempDir()
	bootstrap := filepath.Join(dir, "bootstrap")
	if err := os.WriteFile(bootstrap, data, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "function.zip")
	size, err := zipBootstrap(bootstrap, out)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" || zr.File[0].Method != zip.Deflate || zr.File[0].Mode() != 0o755 {
		t.Fatalf("zip holds %+v, want one executable bootstrap, deflated", zr.File)
	}
	raw, err := zr.File[0].OpenRaw()
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(raw)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	fw, err := flate.NewWriter(&want, cdkLevel)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	fw.Close()
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("deflated to %d bytes, want %d: not at level %d", len(got), want.Len(), 6)
	}
	if fi, err := os.Stat(out); err != nil || fi.Size() != size {
		t.Errorf("size %d, file %v (%v)", size, fi, err)
	}
}
