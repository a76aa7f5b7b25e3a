package localfront

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
)

// Build compiles the Go package pkg (for example "./cmd/mcp-server") into
// dir/bootstrap, the file name Lambda's provided runtimes start, and returns
// the binary's path. It runs the go command found on PATH in the current
// directory's module.
func Build(ctx context.Context, pkg, dir string) (string, error) {
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, stderr.Bytes())
	}
	return out, nil
}
