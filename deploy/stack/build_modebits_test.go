//go:build unix

package stack

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGoBuildWithoutExecutableBits checks that a main package is built whatever mode bits the
// file system gives the executable: Windows reports none (os.Stat gives its files 0666), yet the
// bootstrap is a linux executable all the same. A go command that takes them off stands in for
// such a file system.
func TestGoBuildWithoutExecutableBits(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "bootstrap")
	bin := t.TempDir()
	script := "#!/bin/sh\nset -e\n'" + goCmd + "' \"$@\"\nchmod a-x '" + out + "'\n"
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	if err := GoBuild(t.Context(), module(t), "./cmd/app", out); err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Type != elf.ET_EXEC || f.Machine != elf.EM_AARCH64 {
		t.Errorf("ELF type %v for %v, want ET_EXEC for EM_AARCH64", f.Type, f.Machine)
	}
}
