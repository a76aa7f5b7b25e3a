package stack

import (
	"bytes"
	"debug/elf"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// module writes a small Go module with one main package and returns its folder.
func module(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"go.mod":          "module example.com/m\n\ngo 1.26\n",
		"cmd/app/main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"bootstrap\") }\n",
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

func TestGoBuildError(t *testing.T) {
	src := module(t)
	err := GoBuild(t.Context(), src, "./cmd/missing", filepath.Join(t.TempDir(), "bootstrap"))
	if err == nil {
		t.Fatal("no error for a missing package")
	}
	for _, want := range []string{"./cmd/missing", src} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}
