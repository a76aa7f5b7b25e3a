package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"
)

// The packages the targets build, relative to the module root.
const (
	everythingPkg = "./examples/everything/cmd/everything"
	frontPkg      = "./cmd/lambdamcp-local"
)

// allTargets are the ways the everything server is reached: as a plain local
// HTTP server, and as a real Lambda bootstrap behind the local front in the
// API Gateway REST and Function URL shapes.
var allTargets = []string{"local", "rest", "url"}

// target is a running everything server.
type target struct {
	name string
	url  string
	proc *process
}

func (t *target) stop() { t.proc.stop() }

func startTarget(ctx context.Context, b *builder, name string, _ func(string) string) (*target, error) {
	// One key per run: every process of the function must share it so that
	// requestState sealed by one can be opened by the next.
	env := []string{"MCP_REQUEST_STATE_KEY=" + randomHex(32)}
	bin, args, err := targetCommand(ctx, b, name)
	if err != nil {
		return nil, err
	}
	p, err := startProcess(filepath.Join(b.outDir, "logs", "server-"+name+".log"), bin, args, env)
	if err != nil {
		return nil, err
	}
	u, err := p.waitURL(ctx, 60*time.Second)
	if err != nil {
		p.stop()
		return nil, err
	}
	fmt.Fprintf(b.log, "e2e: target %s serving at %s\n", name, u)
	return &target{name: name, url: u, proc: p}, nil
}

// targetCommand builds what target name runs and returns its command line.
func targetCommand(ctx context.Context, b *builder, name string) (string, []string, error) {
	if name == "local" {
		bin, err := b.build(ctx, everythingPkg, false)
		return bin, []string{"-addr", "127.0.0.1:0"}, err
	}
	fn, err := b.build(ctx, everythingPkg, true)
	if err != nil {
		return "", nil, err
	}
	front, err := b.build(ctx, frontPkg, false)
	if err != nil {
		return "", nil, fmt.Errorf("the local Lambda front: %w", err)
	}
	return front, []string{"-shape", name, "-function", fn, "-addr", "127.0.0.1:0"}, nil
}
