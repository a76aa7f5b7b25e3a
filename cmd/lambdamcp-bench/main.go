// Command lambdamcp-bench measures lambdamcp as a user would compare it and
// prints the results as Markdown tables (docs/benchmarks.md shows them):
//
//   - cold start: exec of the real bootstrap to its first answered
//     initialize through the Lambda Runtime API (internal/runtimeapi, on
//     127.0.0.1), median and p90 of -cold-runs runs;
//   - warm tools/list latency through the Runtime API, both protocol eras;
//   - warm tools/list in-process (Handler.Invoke with a Function URL event):
//     median, 99th percentile and bytes allocated per call;
//   - resident memory of the bootstrap after -rss-after invocations;
//   - stripped bootstrap size (arm64, amd64) and deployment zip size;
//   - local HTTP throughput and latency of tools/call ping at each
//     -levels concurrency, -requests calls per level (cut off after
//     -level-timeout), against the reference server and, in the same run,
//     its peers: the same go-sdk handler without lambdamcp's guard and log
//     line (bench/peers/gosdk), the TypeScript SDK (bench/peers/ts), mcp-go
//     (bench/peers/mcpgo) and a plain net/http handler (bench/peers/floor).
//
// Run it from the repository root, after `npm ci --prefix bench/peers/ts`:
//
//	make bench
//	go run ./cmd/lambdamcp-bench -requests 20000 -peers gosdk,ts,mcpgo,floor
//
// It ends with the performance targets, each marked met or not with its figure.
// All traffic goes to 127.0.0.1 and every load is bounded in count and time.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr))
}

// run parses args, measures, and prints the report to stdout; progress goes
// to stderr.
func run(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, environ, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0 // -h: the flags were printed, as the other commands do
	}
	if err != nil {
		return 2
	}
	if err := bench(ctx, cfg, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "lambdamcp-bench: %v\n", err)
		return 1
	}
	return 0
}
