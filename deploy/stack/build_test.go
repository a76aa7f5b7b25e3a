package stack

import (
	"bytes"
	"debug/elf"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// module writes a small Go module with one main package and one library package and returns its
// folder.
func module(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"go.mod":          "module example.com/m\n\ngo 1.26\n",
		"cmd/app/main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"bootstrap\") }\n",
		"lib/lib.go":      "package lib\n\n// Greeting is what a server of this module says.\nconst Greeting = \"hello\"\n",
	} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestGoBuildReproducible: the same source gives the same bytes wherever it is built, so the
// asset hash, and with it the deployed function, changes only when the code does.
func TestGoBuildReproducible(t *testing.T) {
	var bins [][]byte
	for range 2 {
		src := module(t) // a different folder each time: -trimpath keeps it out of the binary
		out := filepath.Join(t.TempDir(), "bootstrap")
		if err := GoBuild(t.Context(), src, "./cmd/app", out); err != nil {
			t.Fatal(err)
		}
		f, err := elf.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		if f.Machine != elf.EM_AARCH64 {
			t.Errorf("machine %v, want EM_AARCH64", f.Machine)
		}
		if f.Section(".interp") != nil {
			t.Error("binary has an ELF interpreter; want a static binary (CGO_ENABLED=0)")
		}
		if f.Section(".symtab") != nil {
			t.Error("binary has a symbol table; want it stripped (-s -w)")
		}
		f.Close()
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		bins = append(bins, b)
	}
	if !bytes.Equal(bins[0], bins[1]) {
		t.Error("two builds of the same source differ")
	}
}

// TestGoBuildError checks that a package go build cannot make a bootstrap of is an error naming
// it and its folder, and leaves no bootstrap behind: a library package compiles without error,
// into an archive that, deployed, would fail every invocation.
func TestGoBuildError(t *testing.T) {
	for _, tc := range []struct {
		name, pkg string
		want      string
	}{
		{"missing package", "./cmd/missing", "./cmd/missing"},
		{"library package", "./lib", "not a main package"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := module(t)
			out := filepath.Join(t.TempDir(), "bootstrap")
			err := GoBuild(t.Context(), src, tc.pkg, out)
			if err == nil {
				t.Fatalf("no error building %s", tc.pkg)
			}
			for _, want := range []string{tc.pkg, src, tc.want} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %s", err, want)
				}
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("the failed build left %s behind (stat: %v)", out, err)
			}
		})
	}
}

// TestGoBuildRelativeOutput checks that an out relative to the working directory, as paths
// are, names the file written and checked there, not one under srcDir, where the go command
// runs: the build would otherwise be refused as not a main package, and a file of that name in
// the working directory removed.
func TestGoBuildRelativeOutput(t *testing.T) {
	src := module(t)
	work := t.TempDir()
	t.Chdir(work)
	if err := GoBuild(t.Context(), src, "./cmd/app", "bootstrap"); err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(filepath.Join(work, "bootstrap"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := os.Stat(filepath.Join(src, "bootstrap")); !os.IsNotExist(err) {
		t.Errorf("the build wrote %s too (stat: %v)", filepath.Join(src, "bootstrap"), err)
	}
}
