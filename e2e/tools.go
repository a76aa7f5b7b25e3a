package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// nodeTools locates the Node.js and packages that `npm ci` installed from
// package-lock.json, so every run uses the pinned versions.
type nodeTools struct {
	dir         string // the npm project, absolute
	node        string // the pinned node binary
	nodeVersion string
}

func findTools(dir string) (*nodeTools, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	t := &nodeTools{dir: abs, node: filepath.Join(abs, "node_modules", ".bin", "node")}
	out, err := exec.Command(t.node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("the pinned Node.js is not installed in %s (run: npm ci --prefix %s): %v", abs, dir, err)
	}
	t.nodeVersion = strings.TrimSpace(string(out))
	return t, nil
}

// path is the path of a file in an installed package.
func (t *nodeTools) path(parts ...string) string {
	return filepath.Join(append([]string{t.dir, "node_modules"}, parts...)...)
}

// packageVersion reads an installed package's version.
func (t *nodeTools) packageVersion(pkg string) string {
	data, err := os.ReadFile(t.path(pkg, "package.json"))
	if err != nil {
		return "?"
	}
	var p struct{ Version string }
	if json.Unmarshal(data, &p) != nil || p.Version == "" {
		return "?"
	}
	return p.Version
}

// command runs the pinned node with args in dir. The pinned node comes first
// on PATH, so tools that start node themselves get the same one; HOME is a
// scratch directory so no tool reads or writes the user's settings.
func (t *nodeTools) command(ctx context.Context, home string, env []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, t.node, args...)
	cmd.Dir = home
	cmd.Env = append(os.Environ(),
		"PATH="+filepath.Dir(t.node)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+home,
		"NO_COLOR=1",
		"FORCE_COLOR=0",
	)
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// builder compiles the Go commands the targets run, each once per run.
type builder struct {
	outDir string
	log    io.Writer

	mu    sync.Mutex
	built map[string]string
}

// build compiles pkg (a path relative to the module root, like
// ./examples/everything/cmd/everything) for this machine, or, with lambda
// set, as a Lambda bootstrap for Linux on this CPU.
func (b *builder) build(ctx context.Context, pkg string, lambda bool) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	key := fmt.Sprintf("%s lambda=%t", pkg, lambda)
	if p, ok := b.built[key]; ok {
		return p, nil
	}
	name := filepath.Base(pkg)
	out := filepath.Join(b.outDir, "bin", name, name)
	args := []string{"build", "-o", out}
	env := os.Environ()
	if lambda {
		out = filepath.Join(b.outDir, "lambda", name, "bootstrap")
		args = []string{"build", "-tags", "lambda.norpc", "-o", out}
		env = append(env, "GOOS=linux", "GOARCH="+runtime.GOARCH, "CGO_ENABLED=0")
	}
	if _, err := os.Stat(filepath.FromSlash(pkg)); err != nil {
		return "", fmt.Errorf("%s is not in this tree: %w", pkg, err)
	}
	fmt.Fprintf(b.log, "e2e: building %s\n", key)
	cmd := exec.CommandContext(ctx, "go", append(args, pkg)...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, stderr.String())
	}
	if b.built == nil {
		b.built = map[string]string{}
	}
	b.built[key] = out
	return out, nil
}
