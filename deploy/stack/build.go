package stack

import (
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// BuildFunc compiles the main package pkg (a path such as "./cmd/mcp-server", relative to srcDir)
// into the Lambda executable out.
type BuildFunc func(ctx context.Context, srcDir, pkg, out string) error

// GoBuild cross-compiles pkg for Lambda's provided.al2023 runtime on arm64 with the local Go
// toolchain: a static binary without the RPC shim (lambda.norpc), stripped, and built without
// paths or VCS stamps so that the same source gives the same bytes and the same asset hash, and
// an unchanged function is not redeployed. A package other than a main package is refused: go
// build compiles it without writing an executable.
func GoBuild(ctx context.Context, srcDir, pkg, out string) error {
	// out is relative to the working directory, as paths are, not to srcDir, where go build runs.
	out, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("building %s in %s: %w", pkg, srcDir, err)
	}
	// A bootstrap of an earlier build must not pass for this one's.
	if err := os.Remove(out); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("building %s in %s: %w", pkg, srcDir, err)
	}
	cmd := exec.CommandContext(ctx, "go", "build",
		"-tags", "lambda.norpc",
		"-trimpath",
		"-buildvcs=false",
		"-ldflags=-s -w",
		"-o", out,
		pkg)
	cmd.Dir = srcDir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	var output bytes.Buffer
	cmd.Stdout = &output
	cmd.Stderr = &output
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building %s in %s: %w\n%s", pkg, srcDir, err, output.Bytes())
	}
	// go build -o writes a package other than main as an archive, or nothing at all, without
	// error: deployed as the bootstrap, it would fail every invocation.
	if !elfExecutable(out) {
		os.Remove(out)
		return fmt.Errorf("building %s in %s: not a main package: a function's bootstrap is built from a package main with a func main", pkg, srcDir)
	}
	return nil
}

// elfExecutable reports whether the file at path is an ELF executable, as a main package built
// for linux is. Its content says so, not its mode bits: Windows reports none (os.Stat gives its
// files 0666), where every build would otherwise pass for an archive.
func elfExecutable(path string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return f.Type == elf.ET_EXEC || f.Type == elf.ET_DYN
}

// buildAsset compiles pkg, in the module folder srcDir, into buildDir/name/bootstrap and returns
// the folder to use as the function's code asset.
func buildAsset(ctx context.Context, p Props, name, srcDir, pkg string) (string, error) {
	dir := filepath.Join(p.BuildDir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("preparing asset folder: %w", err)
	}
	src, err := filepath.Abs(srcDir)
	if err != nil {
		return "", fmt.Errorf("resolving source folder: %w", err)
	}
	out, err := filepath.Abs(filepath.Join(dir, "bootstrap"))
	if err != nil {
		return "", fmt.Errorf("resolving asset folder: %w", err)
	}
	if err := p.Build(ctx, src, pkg, out); err != nil {
		return "", err
	}
	return dir, nil
}
