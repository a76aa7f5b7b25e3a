package stack_test

import (
	"debug/buildinfo"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/deploy/stack"
)

// writeFiles writes files (paths relative to dir) into dir, making their folders.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// mainPackage returns the import path of the main package compiled into an asset folder's
// bootstrap, as the binary records it.
func mainPackage(t *testing.T, buildDir, function string) string {
	t.Helper()
	info, err := buildinfo.ReadFile(filepath.Join(buildDir, function, "bootstrap"))
	if err != nil {
		t.Fatalf("%s: %v", function, err)
	}
	return info.Path
}

// serverFunction returns the properties of the stack's server function.
func serverFunction(t *testing.T, doc map[string]any) map[string]any {
	t.Helper()
	for _, props := range resources(doc, "AWS::Lambda::Function") {
		if d, _ := props["Description"].(string); strings.HasPrefix(d, "lambdamcp MCP server") {
			return props
		}
	}
	t.Fatal("no server function")
	return nil
}

// TestOwnServer deploys a server other than the reference one, from this module and from a
// module of its own: the server function runs that package, with the environment the reference
// server would get; the authorizer is still lambdamcp's.
func TestOwnServer(t *testing.T) {
	ownModule := t.TempDir()
	writeFiles(t, ownModule, map[string]string{
		"go.mod":            "module example.com/hello\n\ngo 1.26\n",
		"cmd/hello/main.go": "package main\n\nfunc main() {}\n",
	})

	for _, variant := range []stack.Variant{stack.VariantREST, stack.VariantHTTP, stack.VariantURL} {
		t.Run(string(variant), func(t *testing.T) {
			_, reference, refBuild := synth(t, stack.Props{Variant: variant})
			if got, want := mainPackage(t, refBuild, "Server"), "github.com/lambdamcp/lambdamcp/cmd/mcp-server"; got != want {
				t.Errorf("default server runs %s, want %s", got, want)
			}
			for _, tc := range []struct {
				name  string
				props stack.Props
				want  string
			}{
				{"package of this module", stack.Props{ServerPackage: "./examples/structured/cmd/structured"},
					"github.com/lambdamcp/lambdamcp/examples/structured/cmd/structured"},
				{"module of its own", stack.Props{ServerDir: ownModule, ServerPackage: "./cmd/hello"}, "example.com/hello/cmd/hello"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					tc.props.Variant = variant
					_, doc, buildDir := synth(t, tc.props)
					if got := mainPackage(t, buildDir, "Server"); got != tc.want {
						t.Errorf("server runs %s, want %s", got, tc.want)
					}
					if variant != stack.VariantURL {
						if got, want := mainPackage(t, buildDir, "Authorizer"), "github.com/lambdamcp/lambdamcp/cmd/authorizer"; got != want {
							t.Errorf("authorizer runs %s, want %s", got, want)
						}
					}
					if diff := cmp.Diff(serverFunction(t, reference)["Environment"], serverFunction(t, doc)["Environment"]); diff != "" {
						t.Errorf("server environment differs from the reference server's (-reference +own):\n%s", diff)
					}
				})
			}
		})
	}
}

// TestOwnCDKApp declares the stack as a CDK app of one's own would, with only the server's module:
// the server is built there, and so is the authorizer, from the lambdamcp version that module
// requires (here, this repository, through a replace directive).
func TestOwnCDKApp(t *testing.T) {
	requireNode(t)
	root := repoRoot(t)
	mod := t.TempDir()
	// The module requires what lambdamcp requires, as go mod tidy would write it, so that
	// nothing has to be resolved anew; lambdamcp itself is this repository.
	rootMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	goMod := strings.Replace(string(rootMod), "module github.com/lambdamcp/lambdamcp\n", "module example.com/own\n", 1) +
		"\nrequire github.com/lambdamcp/lambdamcp v0.0.0\n\nreplace github.com/lambdamcp/lambdamcp => " + root + "\n"
	writeFiles(t, mod, map[string]string{
		"go.mod": goMod,
		"go.sum": string(sum),
		"cmd/hello/main.go": `package main

import (
	"github.com/lambdamcp/lambdamcp/serve"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func main() {
	serve.Main(serve.Handler(mcp.NewServer(&mcp.Implementation{Name: "own", Version: "1.0.0"}, nil), nil), nil)
}
`,
	})

	buildDir := t.TempDir()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	if _, err := stack.New(t.Context(), app, "Own", stack.Props{
		ServerDir: mod, ServerPackage: "./cmd/hello", BuildDir: buildDir, Build: cachedBuild,
	}); err != nil {
		t.Fatalf("stack.New: %v", err)
	}
	if got, want := mainPackage(t, buildDir, "Server"), "example.com/own/cmd/hello"; got != want {
		t.Errorf("server runs %s, want %s", got, want)
	}
	// Both were built in the module: lambdamcp is its requirement (v0.0.0, replaced by this
	// repository), not the main module of a build in the repository itself, which has no
	// version and no replacement.
	for _, fn := range []string{"Server", "Authorizer"} {
		info, err := buildinfo.ReadFile(filepath.Join(buildDir, fn, "bootstrap"))
		if err != nil {
			t.Fatal(err)
		}
		lambdamcp := &info.Main
		for _, dep := range info.Deps {
			if dep.Path == "github.com/lambdamcp/lambdamcp" {
				lambdamcp = dep
			}
		}
		if lambdamcp.Path != "github.com/lambdamcp/lambdamcp" || lambdamcp.Version != "v0.0.0" || lambdamcp.Replace == nil || lambdamcp.Replace.Path != root {
			t.Errorf("%s was built with lambdamcp %+v; want it as example.com/own requires it, v0.0.0 replaced by %s", fn, lambdamcp, root)
		}
	}
	if got, want := mainPackage(t, buildDir, "Authorizer"), "github.com/lambdamcp/lambdamcp/cmd/authorizer"; got != want {
		t.Errorf("authorizer runs %s, want %s", got, want)
	}
}

// TestOwnServerRefused: a package path go build would read as a flag, a module folder without
// the package to build in it, and no module at all are refused before anything is built.
func TestOwnServerRefused(t *testing.T) {
	requireNode(t)
	for _, p := range []stack.Props{
		{ServerPackage: "-toolexec=/bin/sh"},
		{ServerDir: t.TempDir()},
	} {
		p.SourceDir, p.BuildDir = repoRoot(t), t.TempDir()
		_, err := stack.New(t.Context(), nil, "Test", p)
		if err == nil || !strings.Contains(err.Error(), "ServerPackage") {
			t.Errorf("stack.New(%+v) = %v, want an error naming ServerPackage", p, err)
		}
	}
	// With neither module, there is nothing to build from.
	if _, err := stack.New(t.Context(), nil, "Test", stack.Props{BuildDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "ServerDir") {
		t.Errorf("stack.New without SourceDir or ServerDir = %v, want an error naming both", err)
	}
}
