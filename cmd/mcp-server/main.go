// Command mcp-server runs lambdamcp-demo, the reference MCP server.
//
// One binary, two modes. On AWS Lambda (when AWS_LAMBDA_RUNTIME_API is set)
// it serves invocations from API Gateway REST and HTTP APIs, Function URLs
// and ALBs. Anywhere else it is a local HTTP server:
//
//	go run ./cmd/mcp-server                 # http://127.0.0.1:8080/mcp
//	go run ./cmd/mcp-server -addr :9090     # or MCP_ADDR=:9090
//
// Paths: POST /mcp is the MCP endpoint (stateless Streamable HTTP, both
// protocol eras); GET /healthz answers {"status":"ok"}. GET and DELETE on
// /mcp answer 405 with Allow: POST.
//
// Logs are JSON lines on stdout; on Lambda each carries the request id.
//
// Authentication is configured by environment (docs/auth.md has the table):
// MCP_AUTH_TOKEN_SHA256 for static tokens, MCP_JWT_* for JWT access tokens,
// MCP_REQUIRED_SCOPES, MCP_RESOURCE_URL, MCP_AUTHORIZATION_SERVERS and
// MCP_ALLOWED_ORIGINS. With any verifier configured, /mcp requires a bearer
// token, locally too, and /.well-known/oauth-protected-resource serves the
// RFC 9728 metadata. Behind an API Gateway Lambda authorizer, set
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
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/internal/cmdline"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/internal/localserver"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is the testable part of main: it parses args and env, then serves
// until ctx ends (local mode) or forever (Lambda).
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mcp-server", flag.ContinueOnError)
	defaultAddr := getenv("MCP_ADDR")
	if defaultAddr == "" {
		defaultAddr = "127.0.0.1:8080"
	}
	addr := fs.String("addr", defaultAddr, "local listen address (env MCP_ADDR)")
	if code, ok := cmdline.Parse(fs, args, stderr, usage); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, cmdline.Unexpected(fs.Args()))
	}

	logger := slog.New(lambdamcp.NewLogHandler(slog.NewJSONHandler(stdout, nil)))
	// The SDK logs each stateless request's session set-up at info; only
	// its warnings and errors are worth a line.
	sdkLogger := slog.New(lambdamcp.NewLogHandler(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: slog.LevelWarn})))
	server := demoserver.New(demoserver.Options{
		LogStream: getenv("AWS_LAMBDA_LOG_STREAM_NAME"),
		Logger:    sdkLogger,
	})
	mcpHandler := demoserver.Handler(server, sdkLogger)
	authCfg, err := auth.ConfigFromEnv(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "mcp-server: %v\n", err)
		return 2
	}

	stream, err := lambdamcp.ParseStreamShapes(getenv("MCP_STREAM"))
	if err != nil {
		fmt.Fprintf(stderr, "mcp-server: MCP_STREAM: %v\n", err)
		return 2
	}
	if getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		handler, err := protect(mcpHandler, authCfg, logger)
		if err != nil {
			fmt.Fprintf(stderr, "mcp-server: %v\n", err)
			return 2
		}
		opts := serveOptions(logger, authCfg)
		opts.Stream = stream
		lambdamcp.Start(handler, opts)
		return 0
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "mcp-server: %v\n", err)
		return 1
	}
	host, everywhere := localserver.Host(ln.Addr())
	endpoint := "http://" + host + "/mcp"
	if authCfg.ResourceURL == "" {
		authCfg.ResourceURL = endpoint
		if everywhere && authCfg.Enabled() {
			// The resource is not derived from each request's Host: a
			// page whose DNS name was rebound to this machine would then
			// pass as the resource's own origin.
			logger.Warn("listening on every interface without " + auth.EnvResourceURL + ": the metadata names " + endpoint +
				" as the resource and challenges point there, so remote clients need " + auth.EnvResourceURL + " set to the URL they use")
		}
	}
	if authCfg.FromAuthorizer {
		logger.Warn("MCP_AUTH_FROM_AUTHORIZER=1 outside Lambda: no authorizer runs here, so every request is refused")
	}
	handler, err := protect(mcpHandler, authCfg, logger)
	if err != nil {
		ln.Close()
		fmt.Fprintf(stderr, "mcp-server: %v\n", err)
		return 2
	}
	logger.Info("listening", slog.String("url", endpoint), slog.Bool("auth", authCfg.Enabled()))
	if err := localserver.Serve(ctx, ln, lambdamcp.Guard(handler, serveOptions(logger, authCfg))); err != nil {
		fmt.Fprintf(stderr, "mcp-server: %v\n", err)
		return 1
	}
	return 0
}

// usage is the synopsis printed with a usage error; -h lists the flags.
const usage = "usage: mcp-server [-addr HOST:PORT]"

// usageError reports a command line that cannot be run, with the
// synopsis, and returns the exit status for it.
func usageError(stderr io.Writer, msg string) int {
	return cmdline.UsageError(stderr, "mcp-server", usage, msg)
}

// protect puts the reference server's paths behind the configured
// authentication: the MCP endpoint requires a token and the RFC 9728
// metadata is served beside it. Without any configured, it still validates
// Origin, as the transport spec requires. Its errors are all configuration
// errors.
func protect(mcpHandler http.Handler, cfg auth.Config, logger *slog.Logger) (http.Handler, error) {
	opts := cfg.MiddlewareOptions(logger)
	if !cfg.Enabled() {
		return demoserver.Mux(auth.OriginProtection(opts)(mcpHandler)), nil
	}
	v, err := cfg.Verifier(logger)
	if err != nil {
		return nil, err
	}
	if cfg.ResourceURL != "" {
		if u, err := url.Parse(cfg.ResourceURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("%s=%q is not an http(s) URL", auth.EnvResourceURL, cfg.ResourceURL)
		}
	}
	protected := auth.Middleware(v, opts)(mcpHandler)
	mux := http.NewServeMux()
	mux.Handle(auth.WellKnownPath, protected)
	mux.Handle(auth.WellKnownPath+"/", protected)
	mux.Handle("/", demoserver.Mux(protected))
	logger.Info("authentication on",
		slog.Int("static_tokens", len(cfg.TokenHashes)),
		slog.Bool("jwt", cfg.JWT != nil),
		slog.Bool("from_authorizer", cfg.FromAuthorizer),
		slog.Any("required_scopes", cfg.Scopes),
		slog.String("resource", cfg.ResourceURL))
	return mux, nil
}

// serveOptions are the same on Lambda and locally: the reference server
// answers JSON (demoserver.Handler), so JSON-only clients are served, and a
// foreign Origin is refused with 403 before the guard's other checks, by
// the rule protect applies.
func serveOptions(logger *slog.Logger, cfg auth.Config) *lambdamcp.Options {
	return &lambdamcp.Options{Logger: logger, JSONResponse: true, CheckOrigin: auth.AllowedOrigin(cfg.MiddlewareOptions(logger))}
}
