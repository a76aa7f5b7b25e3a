// Command e2e proves lambdamcp end to end with parts nobody on this project
// wrote: the official MCP conformance suite and real MCP clients, run against
// the everything server as a plain local HTTP server and as a real Lambda
// bootstrap behind the local Lambda front in every event shape.
//
// From the repository root, after installing the pinned Node tools once:
//
//	npm ci --prefix e2e
//	go run ./e2e
//
// It exits non-zero on any failure, and its output ends with one summary
// line per suite and target. Flags pick a subset:
//
//	go run ./e2e -targets local -suites 2026-07-28
//
// Each suite's full output is kept under -out (by default a temporary
// directory, removed when every check passed) and printed when the suite
// fails, or always with -v.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}
