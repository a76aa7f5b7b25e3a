package main

import (
	"archive/zip"
	"compress/flate"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
)

// buildFlags are the deploy stack's (deploy/stack/build.go, GoBuild),
// so that the sizes and cold starts measured are of the binary users
// deploy: no RPC mode of aws-lambda-go, no paths, no VCS stamp, stripped.
// The stack is a module of its own that does not import this one;
// TestBuildAsTheStack holds the two lists together.
var buildFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-buildvcs=false", "-ldflags=-s -w"}

// goBuildCmd is the command that builds pkg (relative to dir) into out,
// static, with buildFlags and env.
func goBuildCmd(ctx context.Context, dir, out, pkg string, env []string) *exec.Cmd {
	args := append(append([]string{"build"}, buildFlags...), "-o", out, pkg)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "CGO_ENABLED=0"), env...)
	return cmd
}

// goBuild builds pkg (relative to dir) into out.
func goBuild(ctx context.Context, dir, out, pkg string, env []string) error {
	if out, err := goBuildCmd(ctx, dir, out, pkg, env).CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
	}
	return nil
}

// buildPeer builds a Go peer as the bootstrap it is compared with is
// built, static and stripped, so that their cold starts and memory differ
// only by what they run (a cgo build loads the C library besides). The
// lambda.norpc tag concerns only aws-lambda-go, which the peers do not link.
func buildPeer(ctx context.Context, dir, out, pkg string, env ...string) error {
	return goBuild(ctx, dir, out, pkg, env)
}

// buildBootstrap builds the reference server as Lambda runs it: static,
// stripped, without the RPC mode of aws-lambda-go.
func buildBootstrap(ctx context.Context, root, out, goarch string) error {
	return buildLambda(ctx, root, out, goarch, "./cmd/mcp-server")
}

// buildLambda builds pkg as a Lambda bootstrap.
func buildLambda(ctx context.Context, root, out, goarch, pkg string) error {
	return goBuild(ctx, root, out, pkg, lambdaBuildEnv(goarch))
}

// lambdaBuildEnv is the environment a bootstrap for goarch is built in, beside
// CGO_ENABLED=0.
func lambdaBuildEnv(goarch string) []string { return []string{"GOOS=linux", "GOARCH=" + goarch} }

// zipLevel is the deflate level of the deployment package: the CDK CLI
// (aws-cdk 2.1148.1, pinned by deploy/package.json) zips a code asset with
// yazl, which deflates with zlib at level 6; archive/zip's own is 5. Go's
// deflate at 6 is not byte for byte zlib's: on the arm64 bootstrap it
// comes out about 0.5% larger, so the size is close to the asset's, not
// equal to it.
const zipLevel = 6

// zipBootstrap writes the deployment package: one executable named
// bootstrap, deflated at zipLevel, and returns its size.
func zipBootstrap(bootstrap, out string) (int64, error) {
	src, err := os.Open(bootstrap)
	if err != nil {
		return 0, err
	}
	defer src.Close()
	f, err := os.Create(out)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, zipLevel)
	})
	hdr := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return 0, err
	}
	if _, err := io.Copy(w, src); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return fileSize(out)
}

func fileSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// artifacts are the binaries a bench run builds into its scratch directory.
type artifacts struct {
	bootstrap           string // for this machine's architecture, run by the bench
	lambdaFloor         string // the Runtime API floor, for this machine
	sizeAMD64           int64
	sizeARM64           int64
	zipARM64            int64
	floor, mcpgo, gosdk string
}

// buildArtifacts builds the bootstrap for both Lambda architectures (and
// this machine's) and the Go peers among peers.
func buildArtifacts(ctx context.Context, root, dir, hostArch string, peers []string) (artifacts, error) {
	var a artifacts
	for _, arch := range []string{"arm64", "amd64"} {
		out := filepath.Join(dir, "bootstrap-"+arch)
		if err := buildBootstrap(ctx, root, out, arch); err != nil {
			return a, err
		}
		size, err := fileSize(out)
		if err != nil {
			return a, err
		}
		switch arch {
		case "arm64":
			a.sizeARM64 = size
			if a.zipARM64, err = zipBootstrap(out, filepath.Join(dir, "function.zip")); err != nil {
				return a, err
			}
		case "amd64":
			a.sizeAMD64 = size
		}
		if arch == hostArch {
			a.bootstrap = out
		}
	}
	if a.bootstrap == "" {
		a.bootstrap = filepath.Join(dir, "bootstrap-"+hostArch)
		if err := buildBootstrap(ctx, root, a.bootstrap, hostArch); err != nil {
			return a, err
		}
	}
	a.lambdaFloor = filepath.Join(dir, "lambdafloor")
	if err := buildLambda(ctx, root, a.lambdaFloor, hostArch, "./bench/peers/lambdafloor"); err != nil {
		return a, err
	}
	for _, p := range []struct {
		name string
		out  *string
		dir  string // the module's directory, under root
		pkg  string
		env  []string
	}{
		{"floor", &a.floor, ".", "./bench/peers/floor", nil},
		{"gosdk", &a.gosdk, ".", "./bench/peers/gosdk", nil},
		// Its own module: GOFLAGS meant for lambdamcp's (such as -modfile)
		// do not apply.
		{"mcpgo", &a.mcpgo, filepath.Join("bench", "peers", "mcpgo"), ".", []string{"GOFLAGS="}},
	} {
		if !slices.Contains(peers, p.name) {
			continue
		}
		*p.out = filepath.Join(dir, p.name)
		if err := buildPeer(ctx, filepath.Join(root, p.dir), *p.out, p.pkg, p.env...); err != nil {
			return a, err
		}
	}
	return a, nil
}
