// Package serve runs an MCP server the way lambdamcp's reference server,
// cmd/mcp-server, runs, configured by the environment that deploy/ gives a
// function: on AWS Lambda when AWS_LAMBDA_RUNTIME_API is set, and as a plain
// local HTTP server anywhere else. A server of your own that starts with
// Main can be deployed by deploy/'s stack in place of the reference server
// (deploy/README.md) and is protected as it is.
//
//	func main() {
//		server := mcp.NewServer(&mcp.Implementation{Name: "hello", Version: "1.0.0"}, &mcp.ServerOptions{
//			// A fixed tool list: no list-changed promise, which would hold a
//			// subscriptions/listen open until a streamed invocation's deadline.
//			Capabilities: &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{}},
//		})
//		server.AddReceivingMiddleware(lambdamcp.StreamMiddleware, lambdamcp.Middleware())
//		mcp.AddTool(server, &mcp.Tool{Name: "greet"}, greet)
//		serve.Main(serve.Handler(server, nil), nil)
//	}
//
// The MCP endpoint is /mcp (and /mcp/), locally and on Lambda; GET /healthz
// answers {"status":"ok"}; every other path answers 404 with a JSON body
// (unless Options.Lambda.RawErrors is set).
//
// The environment, read once at start-up (README.md's "Environment
// variables" has the whole table):
//
//   - MCP_AUTH_TOKEN_SHA256 (static tokens) or MCP_JWT_* (JWT access tokens):
//     /mcp requires a bearer token, locally too, answers 401 with the MCP
//     authorization spec's challenge without one, and the RFC 9728 metadata
//     is served at /.well-known/oauth-protected-resource/mcp when an
//     authorization server issues the tokens (JWTs, or
//     MCP_AUTHORIZATION_SERVERS).
//     MCP_AUTH_FROM_AUTHORIZER=1 trusts the identity an API Gateway Lambda
//     authorizer passes on instead. MCP_REQUIRED_SCOPES names the scopes
//     every caller must hold, MCP_SCOPE_IMPLIES the scopes that imply
//     others; MCP_RESOURCE_URL and MCP_AUTHORIZATION_SERVERS fill the
//     metadata, and MCP_RESOURCE_METADATA_URL is the URL challenges name.
//     Scopes, scope implications, a metadata URL or authorization servers
//     without anything that checks tokens are a ConfigError, not a server
//     that starts open; so are scope implications without required scopes,
//     and a metadata URL without an authorization server.
//   - MCP_ALLOWED_ORIGINS: browser origins allowed besides the server's own;
//     a request from any other Origin is refused with 403, with or without
//     authentication, as the MCP transport requires.
//   - MCP_STREAM: on Lambda, the event shapes that arrive through response
//     streaming ("url", "rest"), as the deployment's invoke modes say.
//   - MCP_ADDR: the local listen address when Options.Addr is empty;
//     127.0.0.1:8080 when both are.
package serve

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/internal/listenaddr"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
	"github.com/lambdamcp/lambdamcp/requeststate"
)

// EnvAddr names the local listen address when Options.Addr is empty.
const EnvAddr = "MCP_ADDR"

// EnvStream names the event shapes whose invocations arrive through
// Lambda response streaming (lambdamcp.ParseStreamShapes).
const EnvStream = "MCP_STREAM"

// DefaultAddr is the local listen address when neither Options.Addr nor
// MCP_ADDR give one.
const DefaultAddr = "127.0.0.1:8080"

// Options configure Run and Main. A nil *Options means the zero value.
type Options struct {
	// Addr is the local listen address. Empty means MCP_ADDR, or
	// DefaultAddr. It is not used on Lambda.
	Addr string

	// Logger receives Run's own lines (the "listening" line with the
	// endpoint's URL, the authentication settings, warnings) and, unless
	// Lambda.Logger is set, one JSON line per request. Nil means JSON lines
	// on stdout, each with the Lambda request id (lambdamcp.NewLogHandler).
	Logger *slog.Logger

	// Lambda holds the options for lambdamcp.Start on Lambda and
	// lambdamcp.Guard locally. Run copies them and then sets: Stream from
	// MCP_STREAM (empty: every shape buffered), since only the deployment
	// knows how its invocations arrive, so a Stream set here is a
	// ConfigError; Logger when it is nil;
	// JSONResponse when h is Handler's handler itself, which answers
	// buffered calls with JSON (set it yourself when you wrap that
	// handler); and CheckOrigin, when it is nil, to the environment's
	// Origin rule. A CheckOrigin of your own can only narrow that rule:
	// the authentication in front of h applies the environment's too.
	Lambda *lambdamcp.Options

	// Getenv reads the variables above. Nil means os.Getenv. It does not
	// reach the Lambda runtime, which reads the process's environment.
	Getenv func(string) string

	// Environ lists the environment Getenv reads, as os.Environ does, for
	// a check of its names: each MCP_ variable that looks meant for one of
	// those above yet is none of them, such as MCP_REQUIRED_SCOPE, is
	// logged as a warning as Run starts (auth.UnreadVars), since its value
	// is otherwise ignored without a word. Nil means os.Environ when Getenv
	// is nil, and no check otherwise.
	Environ func() []string
}

// initialDefault is slog's default logger as the process began: Main
// leaves one the program set alone.
var initialDefault = slog.Default()

// ConfigError is the error Run returns, before serving anything, for an
// environment it cannot run with (a variable that does not parse, or
// variables that do not fit together), and for arguments it cannot run
// with (a nil handler, Options.Lambda.Stream set).
type ConfigError struct {
	Err error // what is wrong, naming the variable
}

// Error returns Err's message.
func (e *ConfigError) Error() string { return e.Err.Error() }

// Unwrap returns Err, so that errors.Is and errors.As see what is wrong.
func (e *ConfigError) Unwrap() error { return e.Err }

// failInit returns err, which keeps the server from starting, after
// reporting it to Lambda when it runs there: the invocation waiting for
// the function then fails with err's message (Runtime.ConfigInvalid for
// a ConfigError), and Lambda's INIT_REPORT names it, where otherwise
// both would say only that the process exited. There it is also logged,
// at ERROR, as "configuration", as the authorizer logs its own: the line
// a command prints on stderr is plain text, without a level, which
// Lambda's log-level filtering drops above INFO.
func failInit(getenv func(string) string, logger *slog.Logger, err error) error {
	api := getenv("AWS_LAMBDA_RUNTIME_API")
	if api == "" {
		return err
	}
	logger.Error("configuration", slog.String("error", err.Error()))
	typ := "Runtime.UnknownReason"
	if ce := (*ConfigError)(nil); errors.As(err, &ce) {
		typ = runtimeapi.ErrorTypeConfigInvalid
	}
	if rerr := runtimeapi.ReportInitError(context.Background(), api, &runtimeapi.FunctionError{Type: typ, Message: err.Error()}); rerr != nil {
		logger.Warn(rerr.Error())
	}
	return err
}

func configError(format string, args ...any) error {
	return &ConfigError{Err: fmt.Errorf(format, args...)}
}

// ExitCode is the exit status Main gives for Run's error: 0 for nil, 2 for
// a ConfigError, 1 for anything else (the address cannot be listened on,
// say).
func ExitCode(err error) int {
	var ce *ConfigError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ce):
		return 2
	}
	return 1
}

// Main runs h with Run until the process ends or, locally, until it gets
// an interrupt or SIGTERM; a second one ends the process at once, without
// waiting for requests still in flight (on Lambda, SIGTERM ends the
// process at once, once Options.Lambda.OnShutdown, if set, has run:
// UntilSignal). On an error it prints one line to stderr, named
// after the command, and exits with ExitCode's status.
//
// Unless opts sets a Logger, or the program has set slog's default logger
// or the log package's output itself, Main, which owns the process, also
// makes slog's default logger write JSON lines to stdout with the request
// id (lambdamcp.NewSDKLogHandler): what your code logs with slog's
// top-level functions, and what the standard log package prints (the
// Lambda runtime prints a line for each invocation that fails), are then
// JSON lines like the rest.
func Main(h http.Handler, opts *Options) {
	if (opts == nil || opts.Logger == nil) && slog.Default() == initialDefault && log.Writer() == os.Stderr {
		slog.SetDefault(slog.New(lambdamcp.NewSDKLogHandler(slog.NewJSONHandler(os.Stdout, nil))))
	}
	if err := Run(UntilSignal(), h, opts); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", filepath.Base(os.Args[0]), err)
		os.Exit(ExitCode(err))
	}
}

// UntilSignal returns a context that ends at the first interrupt or
// SIGTERM: the context Main runs Run with, for a main that calls Run
// itself. From then on signals have their default effect again, before
// the shutdown begins: a second Ctrl-C ends a process whose requests in
// flight the user will not wait for. It watches for signals until one
// comes, so a program calls it once. On Lambda (AWS_LAMBDA_RUNTIME_API
// set) it watches for none and never ends: Run has no shutdown to make
// there, and Lambda's SIGTERM (sent at shutdown when extensions are
// registered) must end the runtime, as it does by default, rather than
// leave it running until Lambda kills it.
func UntilSignal() context.Context {
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		return context.Background()
	}
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		signal.Stop(sigs)
		cancel()
	}()
	return ctx
}

// Run serves h, the MCP endpoint's handler, behind the authentication and
// Origin rule the environment configures. On Lambda it calls lambdamcp.Start
// and does not return, whatever becomes of ctx (a context that catches
// SIGTERM, as signal.NotifyContext's does, keeps Lambda's from ending the
// runtime: UntilSignal catches none there); an environment it cannot run with is reported to
// Lambda as the function's init error (Runtime.ConfigInvalid, with the
// error's message) before Run returns the error. Anywhere else it listens on the local address,
// logs "listening" with the endpoint's URL once the port is bound, and
// serves through lambdamcp.Guard, so that the local server answers as the
// function does, until ctx ends; then it ends subscriptions/listen streams
// with their final result (lambdamcp.Draining), lets other requests in
// flight finish for up to 5 s, and returns nil. A request's headers must arrive within
// 10 s and its body within a minute, and a kept-alive connection idle for
// two minutes is closed; answers take as long as they take, so that event
// streams last. Listening beyond loopback without authentication is
// logged as a warning, and so is starting on Lambda without it, or with
// JWTs or an authorization server and without MCP_RESOURCE_URL.
func Run(ctx context.Context, h http.Handler, opts *Options) error {
	var o Options
	if opts != nil {
		o = *opts
	}
	getenv, environ := o.Getenv, o.Environ
	if getenv == nil {
		getenv = os.Getenv
		if environ == nil {
			environ = os.Environ
		}
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.New(lambdamcp.NewLogHandler(slog.NewJSONHandler(os.Stdout, nil)))
	}
	if environ != nil {
		for _, v := range auth.UnreadVars(environ(), EnvAddr, EnvStream, requeststate.EnvKey) {
			logger.Warn(v.String())
		}
	}
	c, err := readConfig(h, o.Lambda, getenv, logger)
	if err != nil {
		return failInit(getenv, logger, err)
	}

	if getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		handler, lopts, err := c.serving(h, logger)
		if err != nil {
			return failInit(getenv, logger, err)
		}
		if !c.auth.Enabled() {
			// As a local server beyond loopback is: a Function URL with
			// auth type NONE, or a gateway route without an authorizer,
			// leaves the tools to anyone, and a variable misspelt or lost
			// on the way to the function says so nowhere else.
			logger.Warn("no authentication: every caller that reaches the function can call the server's tools, unless what invokes it (IAM, an authorizer) checks callers; set " +
				auth.EnvTokenSHA256 + " or the MCP_JWT_* variables, or behind an API Gateway authorizer " + auth.EnvFromAuthorizer + "=1")
		}
		if c.auth.FromAuthorizer && slices.Contains(c.lopts.Stream, lambdamcp.ShapeURL) {
			// The deployment says Function URL invocations arrive, and
			// no API Gateway authorizer runs in front of one: each is
			// refused, with only a 401 per request to say so.
			logger.Warn(auth.EnvFromAuthorizer + "=1 trusts an API Gateway authorizer, and " + EnvStream +
				" names url: a Function URL runs none, so every request through it is refused; check tokens in the server instead (" +
				auth.EnvTokenSHA256 + " or the MCP_JWT_* variables)")
		}
		if c.auth.ResourceURL == "" && (len(c.auth.AuthorizationServers) > 0 || c.auth.JWT != nil) {
			// The README asks every deployed server to set it; without it
			// the resource is each request's, and an ALB passes on any
			// Host a client sends. Static tokens alone have no metadata,
			// no challenge pointing at it and no audience, as locally.
			logger.Warn("authentication without " + auth.EnvResourceURL + ": the metadata's resource, the challenges' resource_metadata, the JWT audience and the origin always allowed are taken from each request's Host, which a client chooses behind an ALB and which behind an API Gateway stage or custom domain is not the URL clients use; set " +
				auth.EnvResourceURL + " to the endpoint's URL")
		}
		lambdamcp.Start(handler, lopts)
		return nil
	}

	addr, from := o.Addr, "listen address"
	if addr == "" {
		addr, from = getenv(EnvAddr), EnvAddr
	}
	if addr == "" {
		addr, from = DefaultAddr, "default listen address"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		err = listenaddr.Error(from, addr, err)
		if from != EnvAddr && o.Addr == "" {
			// The default: nothing set it, so say what would.
			err = fmt.Errorf("%w (%s sets another)", err, EnvAddr)
		}
		return err
	}
	host, everywhere := localHost(ln.Addr())
	if !c.auth.Enabled() && !loopback(ln.Addr()) {
		logger.Warn("listening beyond this machine without authentication: anyone who can reach " + ln.Addr().String() +
			" can call the server's tools; listen on 127.0.0.1, or set " + auth.EnvTokenSHA256 + " or " + auth.EnvJWTIssuer)
	}
	endpoint := "http://" + host + "/mcp"
	if c.auth.ResourceURL == "" {
		// The resource, and the origin a local page may call from, is the
		// listener's, not each request's Host: a page whose DNS name was
		// rebound to this machine would otherwise pass as the server's own.
		c.auth.ResourceURL = endpoint
		// Only a metadata document and the challenges pointing at it
		// (an authorization server issues the tokens) name the resource
		// to clients; static tokens alone have neither.
		if everywhere && c.auth.Enabled() && len(c.auth.AuthorizationServers) > 0 {
			logger.Warn("listening on every interface without " + auth.EnvResourceURL + ": the metadata names " + endpoint +
				" as the resource and challenges point there, so remote clients need " + auth.EnvResourceURL + " set to the URL they use")
		}
	}
	if c.auth.FromAuthorizer {
		logger.Warn(auth.EnvFromAuthorizer + "=1 outside Lambda: no authorizer runs here, so every request is refused; leave it unset here, " +
			"or run the function behind its authorizer with lambdamcp-local -build-authorizer (docs/local-front.md)")
	}
	handler, lopts, err := c.serving(h, logger)
	if err != nil {
		ln.Close()
		return err
	}
	logger.Info("listening", slog.String("url", endpoint), slog.Bool("auth", c.auth.Enabled()), slog.Bool("json_response", lopts.JSONResponse))
	return serveLocal(ctx, ln, lambdamcp.Guard(handler, lopts), logger)
}

// config is what the environment says, read and checked before anything
// is served.
type config struct {
	auth  auth.Config
	lopts lambdamcp.Options
}

func readConfig(h http.Handler, lambda *lambdamcp.Options, getenv func(string) string, logger *slog.Logger) (config, error) {
	var c config
	if lambda != nil {
		c.lopts = *lambda
	}
	if c.lopts.Logger == nil {
		c.lopts.Logger = logger
	}
	if h == nil {
		// Else every request would answer 500 with a logged panic.
		return c, configError("the handler given to Run is nil")
	}
	if _, ok := h.(sdkHandler); ok {
		c.lopts.JSONResponse = true
	}
	if c.lopts.Stream != nil {
		return c, configError("Options.Lambda.Stream is set: name the streamed shapes in %s, as the deployment's invoke modes say", EnvStream)
	}
	stream, err := lambdamcp.ParseStreamShapes(getenv(EnvStream))
	if err != nil {
		return c, configError("%s: %w", EnvStream, err)
	}
	c.lopts.Stream = stream
	if c.auth, err = auth.ConfigFromEnv(getenv); err != nil {
		return c, &ConfigError{Err: err}
	}
	return c, nil
}

// serving returns h behind the configured protection, and the options
// for the guard, with the Origin rule of the final configuration.
func (c config) serving(h http.Handler, logger *slog.Logger) (http.Handler, *lambdamcp.Options, error) {
	handler, err := protect(h, c.auth, logger)
	if err != nil {
		return nil, nil, err
	}
	lopts := c.lopts
	if lopts.CheckOrigin == nil {
		lopts.CheckOrigin = auth.AllowedOrigin(c.auth.MiddlewareOptions(logger))
	}
	return handler, &lopts, nil
}

// Handler returns a stateless Streamable HTTP handler for server that
// answers each request the way its path to the client carries best: an
// event stream when the Lambda invocation streams (lambdamcp.Streamed), so
// progress and log messages arrive as they happen, and one JSON body
// otherwise (buffered gateways, and the local server). A streamed call
// whose client goes away is cancelled. logger receives the go-sdk's own
// log lines; nil discards them. Make it with lambdamcp.NewSDKLogHandler, so
// that those lines carry the Lambda request id. A nil server panics.
func Handler(server *mcp.Server, logger *slog.Logger) http.Handler {
	if server == nil {
		// The go-sdk would answer every request 400, "no server available".
		panic("serve: Handler: nil *mcp.Server")
	}
	getServer := func(*http.Request) *mcp.Server { return server }
	return sdkHandler{
		buffered: mcp.NewStreamableHTTPHandler(getServer,
			&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true, Logger: logger}),
		streamed: mcp.NewStreamableHTTPHandler(getServer,
			&mcp.StreamableHTTPOptions{Stateless: true, PropagateRequestCancellation: true, Logger: logger}),
	}
}

// sdkHandler is Handler's: Run tells it apart to serve JSON-only clients.
type sdkHandler struct {
	buffered, streamed http.Handler
}

func (h sdkHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if lambdamcp.Streamed(r.Context()) {
		h.streamed.ServeHTTP(w, r)
		return
	}
	h.buffered.ServeHTTP(w, r)
}

// protect routes the server's paths and puts the MCP endpoint behind the
// configured authentication, with the RFC 9728 metadata beside it. Without
// any configured, it still validates Origin, as the transport spec
// requires. Its errors are all ConfigErrors.
func protect(h http.Handler, cfg auth.Config, logger *slog.Logger) (http.Handler, error) {
	opts := cfg.MiddlewareOptions(logger)
	if !cfg.Enabled() {
		return Routes(auth.OriginProtection(opts)(h)), nil
	}
	v, err := cfg.Verifier(logger)
	if err != nil {
		return nil, &ConfigError{Err: err}
	}
	if cfg.FromAuthorizer && (len(cfg.TokenHashes) > 0 || cfg.JWT != nil) {
		// The authorizer's identity is trusted instead: these check
		// nothing here, which the line below would not say.
		logger.Warn(auth.EnvFromAuthorizer + "=1 trusts the API Gateway authorizer instead of checking tokens: " +
			auth.EnvTokenSHA256 + " and the MCP_JWT_* variables check nothing in this server; they belong to the authorizer")
	}
	protected := auth.Middleware(v, opts)(h)
	mux := http.NewServeMux()
	mux.Handle(auth.WellKnownPath, protected)
	mux.Handle(auth.WellKnownPath+"/", protected)
	mux.Handle("/", Routes(protected))
	logger.Info("authentication on",
		slog.Int("static_tokens", len(cfg.TokenHashes)),
		slog.Bool("jwt", cfg.JWT != nil),
		slog.Bool("from_authorizer", cfg.FromAuthorizer),
		slog.Any("required_scopes", cfg.Scopes),
		slog.String("resource", cfg.ResourceURL))
	return cleanPathsOnly(mux), nil
}

// Routes serves h, the MCP endpoint's handler, at /mcp (and /mcp/, served
// rather than redirected, since redirects break POSTs in several clients)
// and a health check at GET /healthz. Every other path gets a 404, which
// lambdamcp's handlers answer with a JSON body. Run serves these routes;
// use Routes when you call lambdamcp.Start or Guard yourself.
func Routes(h http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/mcp", h)
	mux.Handle("/mcp/{$}", h)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintln(w, `{"status":"ok"}`)
	})
	return cleanPathsOnly(mux)
}

// cleanPathsOnly answers a path that is not clean ("//mcp", "/a/../mcp")
// with a 404, where http.ServeMux would redirect to the clean one with a
// small HTML page: the path is the client's mistake, and a redirected POST
// loses its body in several clients.
func cleanPathsOnly(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; p != "" && r.Method != http.MethodConnect {
			clean := path.Clean(p)
			if strings.HasSuffix(p, "/") && clean != "/" {
				clean += "/"
			}
			if clean != p {
				http.NotFound(w, r)
				return
			}
		}
		mux.ServeHTTP(w, r)
	})
}

// Timeouts of the local server (variables for its tests). A request's
// headers and body must arrive within them, and a kept-alive connection is
// closed after idleTimeout; nothing bounds the answer, so that event
// streams run as long as they last.
var (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = time.Minute
	idleTimeout       = 2 * time.Minute
)

// serveLocal runs an HTTP server for h on ln until ctx ends, then shuts it
// down, letting requests in flight finish for up to 5 s. net/http's own
// error lines go to logger.
func serveLocal(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger) error {
	// Once shutdown begins, Guard ends subscriptions/listen streams with
	// their final result (the graceful close the spec asks for); other
	// requests in flight run on for up to 5 s.
	serveCtx, drain := lambdamcp.Draining(context.WithoutCancel(ctx))
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return serveCtx },
	}
	countHeaderValuesInHandler(srv)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	drain()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		if !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		// What is still in flight after the grace (a client that never
		// finishes its request, say) is cut: the shutdown itself went as
		// asked.
		srv.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// localHost returns the host:port a client on this machine uses to reach a
// listener at addr, and whether addr listens on every interface: a
// listener on [::] or 0.0.0.0 is reached at localhost, which names a
// loopback address of either family.
func localHost(addr net.Addr) (hostPort string, everywhere bool) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return addr.String(), false
	}
	return net.JoinHostPort("localhost", strconv.Itoa(tcp.Port)), true
}

// loopback reports whether a listener at addr is reached from this
// machine only.
func loopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
