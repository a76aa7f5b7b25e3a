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
)

// allTargets are the ways the everything server is reached: as a plain local
// HTTP server, and as a real Lambda bootstrap behind the local front in every
// shape: API Gateway REST API (buffered, and streaming as rest-stream),
// HTTP API, Function URL (buffered, and streaming as url-stream) and ALB.
var allTargets = []string{"local", "rest", "url", "http", "alb", "url-stream", "rest-stream"}

// target is a running everything server.
type target struct {
	name string
	url  string
	stop func()
}

func startTarget(ctx context.Context, b *builder, name string) (*target, error) {
	// One key per run: every process of the function must share it so that
	// requestState sealed by one can be opened by the next.
	env := []string{"MCP_REQUEST_STATE_KEY=" + randomHex(32)}
	if name != "local" {
		o := frontOptions{shape: name, pkg: everythingPkg, env: env, logName: "everything-" + name}
		switch name {
		case "url-stream":
			// A Function URL in RESPONSE_STREAM mode: the front relays the
			// stream as it comes, and the function must know to stream.
			o.shape, o.stream, o.env = "url", true, append(env, "MCP_STREAM=url")
		case "rest-stream":
			// A REST API whose integration has transfer mode STREAM.
			o.shape, o.stream, o.env = "rest", true, append(env, "MCP_STREAM=rest")
		}
		base, stop, err := startFront(ctx, b, o)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(b.log, "e2e: target %s serving at %s/mcp\n", name, base)
		return &target{name: name, url: base + "/mcp", stop: stop}, nil
	}
	bin, err := b.build(ctx, everythingPkg, false)
	if err != nil {
		return nil, err
	}
	p, err := startProcess(filepath.Join(b.outDir, "logs", "everything-local.log"), bin, []string{"-addr", "127.0.0.1:0"}, env)
	if err != nil {
		return nil, err
	}
	u, err := p.waitURL(ctx, 60*time.Second)
	if err != nil {
		p.stop()
		return nil, err
	}
	fmt.Fprintf(b.log, "e2e: target %s serving at %s\n", name, u)
	return &target{name: name, url: u, stop: p.stop}, nil
}
