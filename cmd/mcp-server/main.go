// Command mcp-server runs lambdamcp-demo, the reference MCP server.
//
// One binary, two modes. On AWS Lambda (when AWS_LAMBDA_RUNTIME_API is set)
// it serves invocations from API Gateway REST and HTTP APIs, Function URLs
// and ALBs. Anywhere else it is a local HTTP server:
//
//	go run ./cmd/mcp-server                 # http://127.0.0.1:8080/mcp
//	go run ./cmd/mcp-server -addr 127.0.0.1:9090   # or MCP_ADDR=127.0.0.1:9090
//
// An address without a host (":9090") listens on every interface: anyone
// who can reach the machine can then call the tools, unless authentication
// is configured (below); the server logs a warning when it is not.
//
// Paths: POST /mcp is the MCP endpoint (stateless Streamable HTTP, both
// protocol eras); GET /healthz answers {"status":"ok"}. GET and DELETE on
// /mcp answer 405 with Allow: POST; one naming a session (Mcp-Session-Id)
// is first held to the Accept and version rules of docs/errors.md, so a
// GET whose Accept admits no text/event-stream gets 406, and a GET or
// DELETE with an MCP-Protocol-Version no era has 400; one naming no
// session gets that 400 too for a version earlier than the newest.
//
// Logs are JSON lines on stdout; on Lambda each line of an invocation
// carries its request id, and those of the start-up, written before any
// invocation (the authentication settings, a warning of none), have none.
//
// Authentication is configured by environment (README.md, "Environment
// variables", has the table):
// MCP_AUTH_TOKEN_SHA256 for static tokens, MCP_JWT_* for JWT access tokens,
// MCP_REQUIRED_SCOPES, MCP_SCOPE_IMPLIES, MCP_RESOURCE_URL,
// MCP_AUTHORIZATION_SERVERS and MCP_ALLOWED_ORIGINS. With any verifier
// configured, /mcp requires a bearer token, locally too, and, when an
// authorization server issues the tokens, /.well-known/oauth-protected-resource
// serves the RFC 9728 metadata. Behind an API Gateway Lambda authorizer, set
// MCP_AUTH_FROM_AUTHORIZER=1 to trust the identity it passes on instead.
// The whoami tool shows the identity the server sees.
//
// MCP_STREAM names the event shapes that reach the function through Lambda
// response streaming, comma-separated: "url" (a Function URL with invoke
// mode RESPONSE_STREAM), "rest" (a REST API integration with response
// transfer mode STREAM), or both. Their answers are then event streams that
// carry progress and log messages as they happen. Unset: every shape is
// buffered. See docs/streaming.md.
//
// Locally, Ctrl-C or SIGTERM shuts the server down, giving requests in
// flight up to 5 s; a second one ends the process at once. On Lambda,
// SIGTERM ends the process at once, as Lambda expects of a runtime.
//
// Exit status: 0 after a clean shutdown (Ctrl-C or SIGTERM) and for -h; 1
// when it cannot listen or serve; 2 for a command line or an environment it
// cannot run with (an unknown flag, a stray argument, an authentication or
// MCP_STREAM variable that does not parse), with one line saying which.
//
// Build the Lambda bootstrap (provided.al2023, arm64):
//
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap ./cmd/mcp-server
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/cmdline"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/serve"
)

func main() {
	// What the Lambda runtime prints through the log package, and anything
	// logged with slog's top-level functions, as JSON lines like the rest.
	slog.SetDefault(slog.New(lambdamcp.NewSDKLogHandler(slog.NewJSONHandler(os.Stdout, nil))))
	// A second interrupt or SIGTERM ends the process at once, without the
	// grace that requests in flight get.
	os.Exit(run(serve.UntilSignal(), os.Args[1:], os.Getenv, os.Environ, os.Stdout, os.Stderr))
}

// run is the testable part of main: it parses args, then serves with
// package serve, configured by getenv, until ctx ends (local mode) or
// forever (Lambda). environ lists the environment getenv reads, whose
// MCP_ names serve checks (serve.Options.Environ); nil checks none.
func run(ctx context.Context, args []string, getenv func(string) string, environ func() []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mcp-server", flag.ContinueOnError)
	defaultAddr := getenv(serve.EnvAddr)
	if defaultAddr == "" {
		defaultAddr = serve.DefaultAddr
	}
	addr := fs.String("addr", defaultAddr, "local listen address (env "+serve.EnvAddr+")")
	if code, ok := cmdline.Parse(fs, args, stderr, usage); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return cmdline.UsageError(stderr, "mcp-server", usage, cmdline.Unexpected(fs.Args()))
	}

	logger := slog.New(lambdamcp.NewLogHandler(slog.NewJSONHandler(stdout, nil)))
	// The SDK logs each stateless request's session set-up at info; only
	// its warnings and errors are worth a line.
	sdkLogger := slog.New(lambdamcp.NewSDKLogHandler(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: slog.LevelWarn})))
	server := demoserver.New(demoserver.Options{
		LogStream: getenv("AWS_LAMBDA_LOG_STREAM_NAME"),
		Logger:    sdkLogger,
	})
	// Only an -addr given here is Options.Addr; otherwise serve reads
	// MCP_ADDR itself, and names it if the address cannot be listened on.
	var opts serve.Options
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "addr" {
			opts.Addr = *addr
		}
	})
	opts.Logger, opts.Getenv, opts.Environ = logger, getenv, environ
	err := serve.Run(ctx, serve.Handler(server, sdkLogger), &opts)
	if err != nil {
		fmt.Fprintf(stderr, "mcp-server: %v\n", err)
	}
	return serve.ExitCode(err)
}

// usage is the synopsis printed with a usage error; -h lists the flags.
const usage = "usage: mcp-server [-addr HOST:PORT]"
