// Command everything serves the everything conformance server
// (package github.com/lambdamcp/lambdamcp/examples/everything).
//
// On AWS Lambda (when AWS_LAMBDA_RUNTIME_API is set) it serves invocations
// from every event shape through lambdamcp. Anywhere else it listens on -addr
// and serves MCP at -path:
//
//	go run ./examples/everything/cmd/everything -addr 127.0.0.1:8080
//
// It prints the endpoint URL as its first line of output, so -addr
// 127.0.0.1:0 picks a free port for scripts. Ctrl-C or SIGTERM shuts it
// down, giving requests in flight up to 5 s; a second one ends the process
// at once.
//
// Build the Lambda bootstrap:
//
//	GOOS=linux CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap ./examples/everything/cmd/everything
//
// Environment:
//
//	MCP_REQUEST_STATE_KEY  the AES-256 key sealing requestState: 64 hex digits or padded base64;
//	                       during a key change NEW,OLD (requeststate.FromEnv).
//	                       Unset: a random key, valid for this process only;
//	                       on Lambda, a start-up error.
//	MCP_ALLOWED_ORIGINS    comma-separated browser origins allowed besides the
//	                       server's own; others are refused with 403. * alone
//	                       allows any; beside origins it is refused.
//	MCP_STREAM             on Lambda, the shapes that stream (url, rest), as
//	                       the deployment's invoke modes say.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	pathpkg "path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/examples/everything"
	"github.com/lambdamcp/lambdamcp/requeststate"
	"github.com/lambdamcp/lambdamcp/serve"
)

func main() {
	// The Lambda runtime's lines (log package) as JSON lines like the rest.
	slog.SetDefault(slog.New(lambdamcp.NewSDKLogHandler(slog.NewJSONHandler(os.Stderr, nil))))
	// A second interrupt or SIGTERM ends the process at once, without the
	// grace that requests in flight get.
	os.Exit(run(serve.UntilSignal(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// routable reports whether a request can reach the endpoint at p, which
// matches a request's decoded path exactly, or with a slash added: p must
// be clean but for a trailing slash, and read the same escaped as decoded,
// since the URL printed for it is p as written. Another would answer every
// request with a 404.
func routable(p string) bool {
	if !strings.HasPrefix(p, "/") || (&url.URL{Path: p}).EscapedPath() != p {
		return false
	}
	clean := pathpkg.Clean(p)
	return clean == p || clean+"/" == p
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("everything", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	path := fs.String("path", "/mcp", "MCP endpoint path")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0 // -h: the flags were printed, as the other commands do
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "everything: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if !routable(*path) {
		fmt.Fprintf(stderr, "everything: -path %q: want a clean absolute path such as /mcp, written as a URL has it (no %%-escapes, nothing to escape)\n", *path)
		return 2
	}
	logger := slog.New(lambdamcp.NewLogHandler(slog.NewJSONHandler(stderr, nil)))

	opts := &everything.Options{ListTTLMs: 60_000}
	onLambda := getenv("AWS_LAMBDA_RUNTIME_API") != ""
	sealer, ephemeral, err := requeststate.FromEnv(getenv)
	if err != nil {
		return configError(ctx, getenv, logger, stderr, err.Error())
	}
	if ephemeral {
		logger.Warn(requeststate.EnvKey + " is not set: requestState is sealed with a key of this process only")
	}
	opts.Sealer = sealer
	// Lambda's execution environments share nothing, so a list change in one
	// could never reach a client listening through another.
	opts.StaticLists = onLambda
	// Responses stay event streams even on buffered shapes: the stream then
	// arrives as one body, with progress and log messages in order.
	var origins []string
	for _, o := range strings.Split(getenv(auth.EnvAllowedOrigins), ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}
	// Any origin beside others allows every page, and the others narrow
	// nothing, as serve refuses it for the same variable.
	if slices.Contains(origins, "*") && slices.ContainsFunc(origins, func(o string) bool { return o != "*" }) {
		return configError(ctx, getenv, logger, stderr, auth.EnvAllowedOrigins+" mixes * with origins, and * would allow any page: give * alone for any origin, or name each origin allowed")
	}
	hopts := &everything.HandlerOptions{AllowedOrigins: origins}
	if onLambda {
		h := everything.Handler(everything.New(opts), hopts)
		stream, err := lambdamcp.ParseStreamShapes(getenv("MCP_STREAM"))
		if err != nil {
			return configError(ctx, getenv, logger, stderr, "MCP_STREAM: "+err.Error())
		}
		lambdamcp.Start(h, &lambdamcp.Options{Logger: logger, Stream: stream})
		return 0
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		logger.Error("listening", "addr", *addr, "err", err)
		return 1
	}
	// Beyond loopback the server's own origin is the listener's, not each
	// request's Host, which nothing else keeps honest there: a page whose
	// DNS name was rebound to the server sends that name as Host and
	// Origin alike. (On a loopback listener the go-sdk refuses any Host but
	// a loopback name, and every loopback name is the server's own.)
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		hopts.ResourceURL = "http://" + hostPort(ln.Addr()) + *path
		if tcp.IP.IsUnspecified() {
			// Listening everywhere, the machine's own loopback names
			// reach it too.
			port := strconv.Itoa(tcp.Port)
			hopts.AllowedOrigins = append(hopts.AllowedOrigins, "http://127.0.0.1:"+port, "http://[::1]:"+port)
		}
	}
	h := everything.Handler(everything.New(opts), hopts)
	endpoint := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != *path && r.URL.Path != *path+"/" {
			http.NotFound(w, r) // a JSON 404 through Guard; unclean paths too, never redirected
			return
		}
		h.ServeHTTP(w, r)
	})
	// Once shutdown begins, Guard ends subscriptions/listen streams with
	// their final result (a graceful close, as the spec asks); other
	// requests in flight run on for up to 5 s.
	serveCtx, drain := lambdamcp.Draining(context.WithoutCancel(ctx))
	srv := &http.Server{
		// Guard answers as lambdamcp.Start does on Lambda: the spec's
		// errors for an unsupported protocol version, Last-Event-ID ignored
		// from 2026-07-28 on, JSON bodies for every error, a log line per
		// request.
		Handler:           lambdamcp.Guard(endpoint, &lambdamcp.Options{Logger: logger}),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		IdleTimeout:       idleTimeout,
		BaseContext:       func(net.Listener) context.Context { return serveCtx },
	}
	// A listener on every address is reached as localhost: its own
	// address names none, and the go-sdk refuses it as a Host.
	endpointURL := "http://" + hostPort(ln.Addr()) + *path
	fmt.Fprintln(stdout, endpointURL)
	logger.Info("serving", "url", endpointURL)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		logger.Error("serving", "err", err)
		return 1
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	drain()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		// Connections a client opened but never used still count as active.
		logger.Warn("closing connections still open after 5 s", "err", err)
		srv.Close()
	}
	return 0
}

// Timeouts of the local server (variables for its tests): a request's
// headers and body must arrive within them, and a kept-alive connection is
// closed after idleTimeout, so that a client cannot hold connections open
// by sending slowly or not at all. Nothing bounds the answer, so that
// event streams last.
var (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = time.Minute
	idleTimeout       = 2 * time.Minute
)

// configError reports settings the server cannot run with, and returns
// the exit status for them. On Lambda it also tells the Runtime API, so
// that the waiting invocation and the INIT_REPORT name the setting
// (Runtime.ConfigInvalid) rather than only a process that exited.
func configError(ctx context.Context, getenv func(string) string, logger *slog.Logger, stderr io.Writer, msg string) int {
	fmt.Fprintln(stderr, "everything:", msg)
	if getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		if err := lambdamcp.ReportConfigError(ctx, errors.New(msg)); err != nil {
			logger.Warn(err.Error())
		}
	}
	return 2
}

// hostPort is how a client on this machine names a listener at addr:
// localhost for one listening on every address.
func hostPort(addr net.Addr) string {
	if tcp, ok := addr.(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		return net.JoinHostPort("localhost", strconv.Itoa(tcp.Port))
	}
	return addr.String()
}
