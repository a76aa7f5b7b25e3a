package stack_test

import (
	"context"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/lambdamcp/lambdamcp/deploy/stack"
)

func TestMain(m *testing.M) {
	// The stack checks the ARNs' regions against the CDK CLI's when it has none of its own,
	// which the CLI gives as CDK_DEFAULT_REGION; the tests that mean it set it themselves. One
	// left in the environment (exported in a shell, or by a CLI running the tests) would
	// otherwise refuse every certificate and topic of another region the tests use.
	if err := os.Unsetenv("CDK_DEFAULT_REGION"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "lambdamcp-deploy-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	keepDir = dir
	code := m.Run()
	jsii.Close()
	if err := os.RemoveAll(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

// keepDir holds what outlives a single test (the stand-in module, the cached builds); TestMain
// removes it once every test has run.
var keepDir string

// requireNode fails the test when Node.js, which runs the CDK (jsii) engine, is missing or
// too old. Synthesis cannot be checked without it, so this is a failure, not a skip.
func requireNode(t *testing.T) {
	t.Helper()
	nodeOnce.Do(func() {
		node := os.Getenv("JSII_NODE")
		if node == "" {
			node = "node"
		}
		out, err := exec.Command(node, "--version").Output()
		if err != nil {
			nodeErr = fmt.Errorf("Node.js is required to synthesise the CDK app (jsii runs aws-cdk-lib on it), "+
				"but %q did not run: %v. Install Node.js 22 or newer (20 still runs, unsupported by jsii), or put it on PATH (deploy/ci.sh does)", node, err)
			return
		}
		version := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
		major, _ := strconv.Atoi(strings.SplitN(version, ".", 2)[0])
		if major < 20 {
			nodeErr = fmt.Errorf("Node.js %s found; aws-cdk-lib needs 20 at least, and jsii supports 22 or newer (deploy/ci.sh installs one)", version)
		}
	})
	if nodeErr != nil {
		t.Fatal(nodeErr)
	}
}

var (
	nodeOnce sync.Once
	nodeErr  error
)

// repoRoot is the lambdamcp module root, whose commands the stack deploys.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// standIn returns a module with tiny main packages at the commands' paths. The builder uses it
// only for a command the repository does not have yet; once it does, the real one is built.
func standIn() (string, error) {
	standInOnce.Do(func() {
		standInDir = filepath.Join(keepDir, "standin")
		files := map[string]string{
			"go.mod":                 "module example.com/standin\n\ngo 1.26\n",
			"cmd/mcp-server/main.go": "package main\n\nfunc main() {}\n",
			"cmd/authorizer/main.go": "package main\n\nfunc main() {}\n",
		}
		for name, body := range files {
			path := filepath.Join(standInDir, name)
			if standInErr = os.MkdirAll(filepath.Dir(path), 0o755); standInErr != nil {
				return
			}
			if standInErr = os.WriteFile(path, []byte(body), 0o644); standInErr != nil {
				return
			}
		}
	})
	return standInDir, standInErr
}

var (
	standInOnce sync.Once
	standInDir  string
	standInErr  error
)

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// cachedBuild runs the real GoBuild once per package and copies the result for later stacks.
func cachedBuild(ctx context.Context, srcDir, pkg, out string) error {
	buildMu.Lock()
	defer buildMu.Unlock()
	if strings.HasPrefix(pkg, ".") && !isDir(filepath.Join(srcDir, pkg)) {
		dir, err := standIn()
		if err != nil {
			return err
		}
		srcDir = dir
		standIns[pkg] = true
	}
	key := srcDir + "|" + pkg
	if built, ok := builds[key]; ok {
		return copyFile(built, out)
	}
	if err := stack.GoBuild(ctx, srcDir, pkg, out); err != nil {
		return err
	}
	// Keep a copy outside the test's own temporary folder, which goes when the test ends.
	dir, err := os.MkdirTemp(keepDir, "build-")
	if err != nil {
		return err
	}
	kept := filepath.Join(dir, "bootstrap")
	if err := copyFile(out, kept); err != nil {
		return err
	}
	builds[key] = kept
	return nil
}

var (
	buildMu sync.Mutex
	builds  = map[string]string{}
	// standIns records the commands built from the stand-in module.
	standIns = map[string]bool{}
)

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// synth declares the stack with p (source and build folders filled in) and returns its template.
func synth(t *testing.T, p stack.Props) (assertions.Template, map[string]any, string) {
	t.Helper()
	requireNode(t)
	p.SourceDir = repoRoot(t)
	p.BuildDir = t.TempDir()
	p.Build = cachedBuild
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	st, err := stack.New(t.Context(), app, "Test", p)
	if err != nil {
		t.Fatalf("stack.New: %v", err)
	}
	buildMu.Lock()
	for pkg := range standIns {
		t.Logf("%s is not in the repository yet: built a stand-in main package", pkg)
	}
	buildMu.Unlock()
	// Template_FromStack also rejects dependency cycles, which CloudFormation would only find at deploy time.
	var tmpl assertions.Template
	catch(t, func() { tmpl = assertions.Template_FromStack(st, nil) })
	if tmpl == nil {
		t.FailNow()
	}
	var doc map[string]any
	catch(t, func() { doc = *tmpl.ToJSON() })
	return tmpl, doc, p.BuildDir
}

// catch turns the panic the assertions package raises on a mismatch into a test error, so one
// failed check does not abort the other variants.
func catch(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%v", r)
		}
	}()
	f()
}

// checkArm64 checks that the asset folder holds a Linux arm64 executable named bootstrap.
func checkArm64(t *testing.T, buildDir string) {
	t.Helper()
	entries, err := os.ReadDir(buildDir)
	if err != nil || len(entries) == 0 {
		t.Fatalf("no asset folders in %s: %v", buildDir, err)
	}
	for _, e := range entries {
		path := filepath.Join(buildDir, e.Name(), "bootstrap")
		f, err := elf.Open(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if f.Machine != elf.EM_AARCH64 || f.OSABI != elf.ELFOSABI_NONE && f.OSABI != elf.ELFOSABI_LINUX {
			t.Errorf("%s: machine %v, OS ABI %v; want EM_AARCH64 for Linux", path, f.Machine, f.OSABI)
		}
		f.Close()
	}
}
