// Command mrtr serves the mrtr example: tools that ask the client for input
// (elicitation, sampling, roots) with the 2026-07-28 input-required flow.
//
// MCP_REQUEST_STATE_KEY is the 32-byte AES-256 key that seals requestState,
// as 64 hex digits or padded base64; every instance of the function must share
// it. During a key change it lists the new key, a comma, and the old one,
// which still opens the states in flight (requeststate.FromEnv). Unset, a
// random key is made locally, and state then only survives within this
// process; on Lambda it must be set, and the command refuses to start
// without it, telling Lambda why (Runtime.ConfigInvalid).
//
// It runs with package serve: on Lambda (AWS_LAMBDA_RUNTIME_API set) it serves
// invocations, streaming the shapes named in MCP_STREAM (url, rest); elsewhere it
// listens on MCP_ADDR (default 127.0.0.1:8080) at /mcp. Authentication and
// allowed origins come from the environment as serve describes.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/examples/mrtr"
	"github.com/lambdamcp/lambdamcp/requeststate"
	"github.com/lambdamcp/lambdamcp/serve"
)

func main() {
	// The log serve.Main writes when given no logger: JSON lines on stdout.
	logger := slog.New(lambdamcp.NewLogHandler(slog.NewJSONHandler(os.Stdout, nil)))
	sealer, err := newSealer(context.Background(), os.Getenv, os.Stderr, logger)
	if err != nil {
		os.Exit(2) // a configuration error, as serve.ExitCode says
	}
	serve.Main(mrtr.Handler(mrtr.New(sealer)), nil)
}

// newSealer returns the Sealer the environment configures. What it cannot
// make one of is printed and, on Lambda, reported as the function's init
// error (Runtime.ConfigInvalid), so that the invocation waiting for the
// function, and Lambda's INIT_REPORT, say that the key is missing or
// malformed, where otherwise they would say only that the process exited,
// as serve.Main prints the errors it stops for. A key of this process
// only is a warning logged to logger, beside the server's own log.
func newSealer(ctx context.Context, getenv func(string) string, stderr io.Writer, logger *slog.Logger) (*requeststate.Sealer, error) {
	sealer, ephemeral, err := requeststate.FromEnv(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "mrtr:", err)
		if rerr := lambdamcp.ReportConfigError(ctx, err); rerr != nil {
			fmt.Fprintln(stderr, "mrtr:", rerr)
		}
		return nil, err
	}
	if ephemeral {
		logger.Warn(requeststate.EnvKey + " is not set: requestState is sealed with a key of this process only")
	}
	return sealer, nil
}
