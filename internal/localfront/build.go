package localfront

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Build compiles the Go package pkg (for example "./cmd/mcp-server") into
// dir/bootstrap, the file name Lambda's provided runtimes start, and returns
// the binary's path. It runs the go command found on PATH in the current
// directory's module. A package other than a main package is refused:
// go build compiles it without writing an executable.
func Build(ctx context.Context, pkg, dir string) (string, error) {
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, stderr.Bytes())
	}
	// go build -o writes a package other than main as an archive, or
	// nothing at all: no program a runtime could start.
	if st, err := os.Stat(out); err != nil || !st.Mode().IsRegular() || st.Mode()&0o111 == 0 {
		os.Remove(out)
		return "", fmt.Errorf("go build %s: not a main package: a function's bootstrap is built from a package main with a func main", pkg)
	}
	return out, nil
}
